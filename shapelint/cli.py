"""Command line: ``shapelint [check] PATH...``, ``shapelint summary``, ``shapelint rule(s)``.

Exit codes (as ruff): 0 nothing reported, 1 diagnostics reported, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence, Tuple

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
    check.add_argument("--format", choices=tuple(reporters.FORMATS), default="concise")

    summary = sub.add_parser("summary", help="print each model's layers, output shapes and parameter counts")
    common(summary)
    summary.add_argument("--format", choices=tuple(summary_formats.FORMATS), default="table")
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

    options = options_from_args(args)
    options.summary = args.command == "summary"
    if options.summary:
        options.model_expr = args.model
        options.inputs = [parse_shape(s) for s in args.input]
    result = run(args.paths or ["."], options)
    diags = result.diagnostics
    if args.command == "summary":
        from . import reporters, summary_formats

        models = result.models
        if args.format == "table":
            text = summary_formats.summary_table(models)
            if not models:
                text = "No Keras or PyTorch model found in %d file(s)." % len(result.files)
            print(text)
            if diags:
                print(reporters.concise(diags))
        else:
            print(summary_formats.FORMATS[args.format](models, diags))
    else:
        from . import reporters

        text = reporters.FORMATS[args.format](diags)
        if text:
            print(text)
        if diags and args.format == "concise":
            n = len(diags)
            print("Found %d diagnostic%s." % (n, "" if n == 1 else "s"), file=sys.stderr)
    if result.internal_error:
        return EXIT_ERROR
    if diags and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
