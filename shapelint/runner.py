"""One run over many files: discovery, the effective settings of each file, the analysis.

The command line, the pre-commit hook and the language server all go through :func:`run`
(or :func:`run_text` for an editor buffer), so a file gets the same diagnostics whichever way
it is checked.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, List, Optional, Sequence, Tuple

if TYPE_CHECKING:  # the analysis is imported only when a file is analysed (fast start-up)
    from .analysis import FileResult, Settings


class UsageError(Exception):
    """A bad flag, path or configuration: exit 2 with this message."""


@dataclass
class RunOptions:
    """What the command line (or the editor) asks for on top of the configuration files."""

    select: Optional[List[str]] = None
    ignore: Optional[List[str]] = None
    extend_select: Optional[List[str]] = None
    image_data_format: Optional[str] = None
    config: Optional[str] = None  # --config PATH
    isolated: bool = False
    verbose: bool = False
    summary: bool = False  # `shapelint summary`: every named file is analysed, models kept
    model_expr: Optional[str] = None
    inputs: List[Tuple] = field(default_factory=list)


@dataclass
class RunResult:
    files: List[str]
    results: List["FileResult"]

    @property
    def diagnostics(self):
        return [d for r in self.results for d in r.diagnostics]

    @property
    def models(self):
        return [m for r in self.results for m in r.models]

    @property
    def internal_error(self) -> bool:
        return any(r.internal_error for r in self.results)


def _codes(text: Optional[str]) -> Optional[List[str]]:
    if text is None:
        return None
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def add_config_arguments(p) -> None:
    """The flags that override configuration (shared by ``check`` and ``summary``)."""
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


def options_from_args(args) -> RunOptions:
    """RunOptions from the parsed command line; unknown codes are usage errors."""
    from .rules import RULES

    for flag in ("select", "ignore", "extend_select"):
        for code in _codes(getattr(args, flag)) or []:
            if code != "ALL" and not any(c.startswith(code) for c in RULES):
                raise UsageError("--%s: %r matches no rule (see `shapelint rules`)" % (flag.replace("_", "-"), code))
    return RunOptions(
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        extend_select=_codes(args.extend_select),
        image_data_format=args.image_data_format,
        config=args.config,
        isolated=args.isolated,
        verbose=getattr(args, "verbose", False),
    )


def _upper(codes):
    return [c.upper() for c in codes] if codes else None


def config_table(options: RunOptions, start: Optional[str] = None) -> dict:
    """The validated shapelint settings that apply (``{}`` when there are none)."""
    from .config import ConfigError, find_config, load_table, validate

    if options.isolated:
        return {}
    try:
        if options.config:
            if not os.path.isfile(options.config):
                raise UsageError("--config: no such file: %s" % options.config)
            table = load_table(options.config)
            return validate(options.config, table or {})
        found = find_config(start or os.getcwd())
        if found is None:
            return {}
        return validate(*found)
    except ConfigError as exc:
        raise UsageError(str(exc))


def settings_for(options: RunOptions, table: dict) -> "Settings":
    """Command-line values win over the configuration file's."""
    from .analysis import Settings

    return Settings(
        select=options.select or _upper(table.get("select")),
        ignore=options.ignore or _upper(table.get("ignore")),
        extend_select=options.extend_select or _upper(table.get("extend-select")),
        image_data_format=options.image_data_format or table.get("image-data-format", "channels_last"),
        param_explosion_min_params=table.get("param-explosion-min-params", 10_000_000),
        param_explosion_min_share=table.get("param-explosion-min-share", 0.5),
        src_roots=table.get("src", []),
        verbose=options.verbose,
    )


def run(paths: Sequence[str], options: RunOptions, progress: Optional[Callable[[int, int, str], None]] = None) -> RunResult:
    """Analyse every file under ``paths`` (``-`` reads standard input)."""
    from .analysis import ModelSelectionError, analyze_bytes, analyze_file
    from .discovery import discover

    paths = list(paths) or ["."]
    settings = settings_for(options, config_table(options))
    files, missing = discover(paths)
    if missing:
        raise UsageError("no such file or directory: %s" % ", ".join(missing))
    results: List["FileResult"] = []
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), path)
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
                results.append(analyze_bytes("-", data, settings, options.model_expr, options.inputs, force=True))
                continue
            # files named on the command line are analysed even without a framework import
            force = options.summary or path in paths
            if not force:
                results.append(analyze_file(path, settings))
                continue
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                results.append(analyze_file(path, settings))
                continue
            results.append(analyze_bytes(path, data, settings, options.model_expr, options.inputs, force=True))
        except ModelSelectionError as exc:
            raise UsageError(str(exc))
    if progress is not None:
        progress(len(files), len(files), "")
    return RunResult(files, results)


def run_text(path: str, text: str, options: RunOptions) -> "FileResult":
    """Analyse an editor buffer (unsaved text) as if it were the file at ``path``."""
    from .analysis import analyze_bytes

    start = os.path.dirname(os.path.abspath(path)) if path and path != "-" else None
    settings = settings_for(options, config_table(options, start))
    return analyze_bytes(path, text.encode("utf-8"), settings, options.model_expr, options.inputs, force=True)
