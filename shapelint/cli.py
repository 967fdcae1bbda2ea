"""Command line: ``shapelint [check] PATH...``, ``shapelint summary``, ``shapelint rule(s)``.

Exit codes (as ruff): 0 nothing reported, 1 diagnostics reported, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import time
from typing import IO, List, Optional, Sequence, Tuple

from . import __version__

SUBCOMMANDS = ("check", "summary", "rule", "rules", "lsp")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


from .runner import UsageError  # noqa: E402  (re-exported: tests and callers catch it here)


def _codes(text: Optional[str]) -> Optional[List[str]]:
    if text is None:
        return None
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def parse_shape(text: str) -> Tuple:
    """``--input`` values: ``224,224,3`` or ``(224, 224, 3)``."""
    from .engine.shapes import parse_shape as parse

    try:
        return parse(text)
    except ValueError as exc:
        raise UsageError("--input %r: %s" % (text, exc))


def build_parser() -> argparse.ArgumentParser:
    from . import reporters, summary_formats
    from .runner import add_config_arguments

    parser = argparse.ArgumentParser(
        prog="shapelint",
        description="Static shape and parameter-count linter for Keras and PyTorch model code. "
        "It reads the code; it never imports or runs it.",
    )
    parser.add_argument("--version", action="version", version="shapelint " + __version__)
    sub = parser.add_subparsers(dest="command")

    def common(p):
        p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
        add_config_arguments(p)
        p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are reported")
        p.add_argument("-v", "--verbose", action="store_true", help="tracebacks for internal errors")

    check = sub.add_parser("check", help="report shape bugs (the default command)")
    common(check)
    check.add_argument(
        "--format", choices=tuple(reporters.FORMATS), default="concise",
        help="how diagnostics are printed (default: concise)",
    )
    check.add_argument(
        "--statistics", action="store_true",
        help="print the number of diagnostics per code instead of the diagnostics (text, or JSON with --format json/json-lines)",
    )
    check.add_argument("--show-source", action="store_true", help="concise: show the source line with a caret under each diagnostic")
    check.add_argument("-q", "--quiet", action="store_true", help="print the diagnostics only: no 'Found N' line, no progress bar")
    check.add_argument("--output-file", metavar="PATH", help="write the report to PATH instead of standard output")
    check.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="colour in concise/full output (auto: on a terminal unless NO_COLOR is set)",
    )

    summary = sub.add_parser("summary", help="print each model's layers, output shapes and parameter counts")
    common(summary)
    summary.add_argument(
        "--format", choices=tuple(summary_formats.FORMATS), default="table",
        help="table (default), markdown, json, mermaid, dot, or svg (needs Graphviz's dot)",
    )
    summary.add_argument("-o", "--output-file", metavar="PATH", help="write the summary to PATH instead of standard output")
    summary.add_argument("--model", metavar="EXPR", help="what to summarize: a variable or a builder call, e.g. 'build(classes=10)'")
    summary.add_argument(
        "--input", metavar="SHAPE", action="append", default=[],
        help="input shape without the batch dimension, e.g. 224,224,3 (repeat for several inputs)",
    )

    rule = sub.add_parser("rule", help="print the documentation of a rule")
    rule.add_argument("code")
    sub.add_parser("rules", help="list every rule with its default severity")
    sub.add_parser("lsp", help="run the language server on stdin/stdout (needs shapelint[lsp])")
    return parser


def _normalize_argv(argv: Sequence[str]) -> List[str]:
    argv = list(argv)
    if not argv:
        return ["check"]
    if argv[0] in ("-h", "--help", "--version"):
        return argv
    if argv[0] not in SUBCOMMANDS:
        return ["check"] + argv
    return argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = _normalize_argv(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage errors
        return int(exc.code or 0)
    from . import stackroom

    return stackroom.run(_dispatch, args)


def _dispatch(args) -> int:
    try:
        if args.command == "rules":
            return cmd_rules()
        if args.command == "rule":
            return cmd_rule(args.code)
        if args.command == "lsp":
            return cmd_lsp(args)
        return cmd_lint(args)
    except UsageError as exc:
        print("shapelint: error: %s" % exc, file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        try:
            sys.stdout.close()
        except Exception:
            pass
        return EXIT_CLEAN


def cmd_rules() -> int:
    from .rules import all_rules

    for r in all_rules():
        state = "" if (r.default_enabled or r.always_on) else " (off by default)"
        print("%s  %-26s %-7s %s%s" % (r.code, r.name, r.severity, r.summary, state))
    return EXIT_CLEAN


def cmd_rule(code: str) -> int:
    from .docs import rule_page
    from .rules import RULES

    code = code.upper()
    if code not in RULES:
        print("shapelint: error: unknown rule %r (see `shapelint rules`)" % code, file=sys.stderr)
        return EXIT_ERROR
    print(rule_page(RULES[code]))
    return EXIT_CLEAN


def cmd_lsp(args) -> int:
    try:
        from .lsp import serve
    except ImportError as exc:
        raise UsageError("the language server needs pygls: pip install 'shapelint[lsp]' (%s)" % exc)
    return serve()


def cmd_lint(args) -> int:
    from .runner import options_from_args, run

    from . import reporters

    options = options_from_args(args)
    options.summary = args.command == "summary"
    options.layer_lines = options.summary
    if options.summary:
        options.model_expr = args.model
        options.inputs = [parse_shape(s) for s in args.input]
        if args.format == "svg":
            from . import summary_formats

            summary_formats.require_dot()  # before a long analysis, not after it
    else:
        _check_output_flags(args)
    paths = args.paths or ["."]
    human = args.format == "table" if options.summary else args.format in reporters.HUMAN_FORMATS
    bar = ProgressBar(sys.stderr) if human and not getattr(args, "quiet", False) and _isatty(sys.stderr) else None
    stdin_data = None
    saved_stdin = sys.stdin
    if "-" in paths and sys.stdin is not None:
        # read here so the report can show the source text: the analysis reads this copy
        stdin_data = sys.stdin.buffer.read()
        sys.stdin = _StdinCopy(stdin_data)
    try:
        result = run(paths, options, progress=bar)
    finally:
        sys.stdin = saved_stdin
        if bar is not None:
            bar.finish()
    diags = result.diagnostics
    if args.command == "summary":
        from . import reporters, summary_formats

        models = result.models
        if args.format == "table":
            text = summary_formats.summary_table(models)
            if not models:
                text = "No Keras or PyTorch model found in %d file(s)." % len(result.files)
            if diags:
                text += "\n" + reporters.concise(diags)
        else:
            text = summary_formats.FORMATS[args.format](models, diags)
        if args.output_file:
            _write_file(args.output_file, text + "\n")
        else:
            print(text)
    else:
        context = reporters.ReportContext(
            files=result.files,
            show_source=args.show_source,
            stdin_text=_decode_or_none(stdin_data),
        )
        if args.format in reporters.HUMAN_FORMATS and not args.statistics:
            stream = None if args.output_file else sys.stdout
            context.color = use_color(args.color, stream)
        if args.statistics:
            if args.format == "json":
                text = reporters.statistics_json(diags)
            elif args.format == "json-lines":
                text = "\n".join(json.dumps(row) for row in reporters.statistics_rows(diags))
            else:
                text = reporters.statistics(diags)
        else:
            text = reporters.FORMATS[args.format](diags, context)
        if args.output_file:
            _write_file(args.output_file, text + "\n" if text else "")
        elif text:
            _write(sys.stdout, text + "\n")
        if diags and args.format in reporters.HUMAN_FORMATS and not args.quiet:
            n = len(diags)
            print("Found %d diagnostic%s." % (n, "" if n == 1 else "s"), file=sys.stderr)
    if result.internal_error:
        return EXIT_ERROR
    if diags and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _check_output_flags(args) -> None:
    from . import reporters

    if args.statistics and args.format not in reporters.HUMAN_FORMATS + ("json", "json-lines"):
        raise UsageError("--statistics prints text or JSON: use it with --format concise, full, json or json-lines")
    if args.show_source and args.format not in reporters.HUMAN_FORMATS:
        raise UsageError("--show-source applies to --format concise (full always shows the source)")


def _isatty(stream) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def use_color(choice: str, stream: Optional[IO], environ=None) -> bool:
    """``--color``: always/never as said; auto: only on a terminal, never when NO_COLOR is set
    to anything but the empty string (no-color.org), never for TERM=dumb."""
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return _isatty(stream)


class _StdinCopy:
    """Stands in for sys.stdin while the analysis reads the bytes already read."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def read(self) -> str:
        return self.buffer.read().decode("utf-8")


def _decode_or_none(data: Optional[bytes]) -> Optional[str]:
    if data is None:
        return None
    from .analysis import decode_source

    try:
        return decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None


def _write(stream, text: str) -> None:
    """Write even where the stream's encoding cannot hold every character (a non-UTF-8
    console): those become backslash escapes instead of a crash."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def _write_file(path: str, text: str) -> None:
    try:
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError("--output-file %s: %s" % (path, exc.strerror or exc))


class ProgressBar:
    """A one-line progress bar on a terminal's stderr, drawn only once a run has lasted
    ``delay`` seconds (short runs never show it) and erased when the run ends."""

    WIDTH = 24

    def __init__(self, stream, delay: float = 0.5, interval: float = 0.1, clock=time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last = None
        self.shown = False

    def __call__(self, done: int, total: int, path: str) -> None:
        if total <= 1 or done >= total:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        filled = self.WIDTH * done // total
        line = "[%s%s] %d/%d %s" % ("#" * filled, "-" * (self.WIDTH - filled), done, total, path)
        columns = shutil.get_terminal_size((80, 24)).columns
        if len(line) > columns - 1:
            line = line[: max(columns - 1, 0)]
        try:
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
        except (OSError, ValueError, UnicodeEncodeError):
            return
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            try:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self.shown = False
