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

SUBCOMMANDS = ("check", "summary", "rule", "rules")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


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
    parser = argparse.ArgumentParser(
        prog="shapelint",
        description="Static shape and parameter-count linter for Keras and PyTorch model code. "
        "It reads the code; it never imports or runs it.",
    )
    parser.add_argument("--version", action="version", version="shapelint " + __version__)
    sub = parser.add_subparsers(dest="command")

    def common(p):
        p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
        p.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (e.g. SL1,SL201)")
        p.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to enable on top of the defaults")
        p.add_argument("--ignore", metavar="CODES", help="codes or prefixes to disable")
        p.add_argument(
            "--image-data-format",
            choices=("channels_last", "channels_first"),
            default=None,
            help="Keras's global default data_format (default: channels_last)",
        )
        p.add_argument("--config", metavar="PATH", help="a pyproject.toml or shapelint.toml to use instead of the closest one")
        p.add_argument("--isolated", action="store_true", help="ignore every configuration file")
        p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are reported")
        p.add_argument("-v", "--verbose", action="store_true", help="tracebacks for internal errors")

    check = sub.add_parser("check", help="report shape bugs (the default command)")
    common(check)
    check.add_argument("--format", choices=("concise", "json"), default="concise")

    summary = sub.add_parser("summary", help="print each model's layers, output shapes and parameter counts")
    common(summary)
    summary.add_argument("--format", choices=("table", "json"), default="table")
    summary.add_argument("--model", metavar="EXPR", help="what to summarize: a variable or a builder call, e.g. 'build(classes=10)'")
    summary.add_argument(
        "--input", metavar="SHAPE", action="append", default=[],
        help="input shape without the batch dimension, e.g. 224,224,3 (repeat for several inputs)",
    )

    rule = sub.add_parser("rule", help="print the documentation of a rule")
    rule.add_argument("code")
    sub.add_parser("rules", help="list every rule with its default severity")
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


def _upper(codes):
    return [c.upper() for c in codes] if codes else None


def _config_table(args) -> dict:
    from .config import ConfigError, find_config, load_table, validate

    if args.isolated:
        return {}
    try:
        if args.config:
            if not os.path.isfile(args.config):
                raise UsageError("--config: no such file: %s" % args.config)
            table = load_table(args.config)
            return validate(args.config, table or {})
        found = find_config(os.getcwd())
        if found is None:
            return {}
        return validate(*found)
    except ConfigError as exc:
        raise UsageError(str(exc))


def cmd_lint(args) -> int:
    from .analysis import Settings, analyze_bytes, analyze_file
    from .discovery import discover
    from .rules import RULES, selected_codes

    for flag in ("select", "ignore", "extend_select"):
        for code in _codes(getattr(args, flag)) or []:
            if code != "ALL" and not any(c.startswith(code) for c in RULES):
                raise UsageError("--%s: %r matches no rule (see `shapelint rules`)" % (flag.replace("_", "-"), code))
    paths = args.paths or ["."]
    table = _config_table(args)
    settings = Settings(
        select=_codes(args.select) or _upper(table.get("select")),
        ignore=_codes(args.ignore) or _upper(table.get("ignore")),
        extend_select=_codes(args.extend_select) or _upper(table.get("extend-select")),
        image_data_format=args.image_data_format or table.get("image-data-format", "channels_last"),
        param_explosion_min_params=table.get("param-explosion-min-params", 10_000_000),
        param_explosion_min_share=table.get("param-explosion-min-share", 0.5),
        src_roots=table.get("src", []),
        verbose=args.verbose,
    )
    files, missing = discover(paths)
    if missing:
        raise UsageError("no such file or directory: %s" % ", ".join(missing))
    is_summary = args.command == "summary"
    inputs = [parse_shape(s) for s in getattr(args, "input", [])] if is_summary else []
    model_expr = getattr(args, "model", None) if is_summary else None

    results = []
    for path in files:
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
                results.append(analyze_bytes("-", data, settings, model_expr, inputs, force=True))
            else:
                force = is_summary or path in paths
                if force:
                    try:
                        with open(path, "rb") as fh:
                            data = fh.read()
                    except OSError:
                        results.append(analyze_file(path, settings))
                        continue
                    results.append(analyze_bytes(path, data, settings, model_expr, inputs, force=True))
                else:
                    results.append(analyze_file(path, settings))
        except ValueError as exc:
            raise UsageError(str(exc))

    diags = [d for r in results for d in r.diagnostics]
    internal = any(r.internal_error for r in results)
    from . import reporters

    if is_summary:
        models = [m for r in results for m in r.models]
        if args.format == "json":
            print(reporters.summary_json(models, diags))
        else:
            text = reporters.summary_table(models)
            if not models:
                text = "No Keras or PyTorch model found in %d file(s)." % len(files)
            print(text)
            if diags:
                print(reporters.concise(diags))
    else:
        if args.format == "json":
            print(reporters.diagnostics_json(diags))
        elif diags:
            print(reporters.concise(diags))
            n = len(diags)
            print("Found %d diagnostic%s." % (n, "" if n == 1 else "s"), file=sys.stderr)
    if internal:
        return EXIT_ERROR
    if diags and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
