"""One run over many files: discovery, the effective settings of each file, the analysis.

The command line, the pre-commit hook and the language server all go through :func:`run`
(or :func:`run_text` for an editor buffer), so a file gets the same diagnostics whichever way
it is checked.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

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
    extend_ignore: Optional[List[str]] = None
    per_file_ignores: List[Tuple[str, List[str]]] = field(default_factory=list)  # (pattern, codes), relative to cwd
    extend_exclude: List[str] = field(default_factory=list)  # patterns relative to cwd
    force_exclude: bool = False  # exclusions apply to explicitly named paths too
    jobs: Optional[int] = None  # worker processes; None: one per core; 1: this process only
    no_cache: bool = False
    cache_dir: Optional[str] = None  # None: $SHAPELINT_CACHE_DIR, else .shapelint_cache in the project root
    layer_lines: bool = True  # False for `check`: its output has no model summaries
    model_filter: bool = True  # the second pre-filter (shapelint.modelfilter); --no-model-filter


@dataclass
class RunResult:
    files: List[str]
    results: List["FileResult"]
    # how the files were handled: "analysed" (here or in a worker), "cached" (a stored
    # result), "skipped" (the byte pre-filter), "filtered" (the model filter), and "workers" started
    stats: Dict[str, int] = field(default_factory=dict)

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
    p.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to enable on top of the configured ones")
    p.add_argument("--ignore", metavar="CODES", help="codes or prefixes to disable")
    p.add_argument("--extend-ignore", metavar="CODES", help="codes or prefixes to disable on top of the configured ones")
    p.add_argument(
        "--per-file-ignores", metavar="PATTERN:CODES", action="append", default=[],
        help="disable codes in matching files, e.g. 'tests/**:SL201,SL301' (pattern relative to the working "
        "directory; repeatable; added to the configured per-file-ignores)",
    )
    p.add_argument(
        "--image-data-format",
        choices=("channels_last", "channels_first"),
        default=None,
        help="Keras's global default data_format (default: channels_last)",
    )
    p.add_argument("--config", metavar="PATH", help="a pyproject.toml or shapelint.toml to use for every file instead of the closest one")
    p.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    p.add_argument(
        "--extend-exclude", metavar="PATTERNS", action="append", default=[],
        help="comma-separated gitignore-style patterns to skip, on top of the configured exclusions (relative to the working directory)",
    )
    p.add_argument(
        "--force-exclude", action="store_true",
        help="apply the exclusions (and .gitignore) to paths named on the command line too, as pre-commit needs",
    )
    p.add_argument(
        "-j", "--jobs", metavar="N", type=_positive_int, default=None,
        help="analyse in N processes (default: one per core; 1: in this process)",
    )
    p.add_argument(
        "--no-cache", action="store_true",
        help="neither read nor write the result cache",
    )
    p.add_argument(
        "--no-model-filter", action="store_true",
        help="analyse every file that names a framework, also those the model filter finds no model or tensor in",
    )
    p.add_argument(
        "--cache-dir", metavar="PATH",
        help="the result cache directory (default: $SHAPELINT_CACHE_DIR, else .shapelint_cache in the project root)",
    )


def _positive_int(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError("expected a positive number of processes, got %r" % text)
    return n


def _check_cli_codes(flag: str, codes) -> None:
    from .rules import RULES

    for code in codes or []:
        if code != "ALL" and not any(c.startswith(code) for c in RULES):
            raise UsageError("--%s: %r matches no rule (see `shapelint rules`)" % (flag, code))


def parse_per_file_ignore(text: str) -> Tuple[str, List[str]]:
    """``--per-file-ignores 'PATTERN:CODE,CODE'`` (the last colon separates the codes)."""
    from .discovery import compile_pattern

    pattern, sep, codes_text = text.rpartition(":")
    codes = _codes(codes_text) or []
    if not sep or not pattern or not codes:
        raise UsageError("--per-file-ignores %r: expected PATTERN:CODES, e.g. 'tests/**:SL201,SL301'" % text)
    _check_cli_codes("per-file-ignores", codes)
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        raise UsageError("--per-file-ignores %r: pattern %s" % (text, exc))
    return pattern, codes


def options_from_args(args) -> RunOptions:
    """RunOptions from the parsed command line; unknown codes are usage errors."""
    from .discovery import compile_pattern

    for flag in ("select", "ignore", "extend_select", "extend_ignore"):
        _check_cli_codes(flag.replace("_", "-"), _codes(getattr(args, flag, None)))
    if getattr(args, "config", None) and getattr(args, "isolated", False):
        raise UsageError("--config and --isolated cannot be used together")
    excludes = [p.strip() for text in getattr(args, "extend_exclude", []) or [] for p in text.split(",") if p.strip()]
    for pat in excludes:
        try:
            compile_pattern(pat)
        except ValueError as exc:
            raise UsageError("--extend-exclude: pattern %s" % exc)
    return RunOptions(
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        extend_select=_codes(args.extend_select),
        extend_ignore=_codes(getattr(args, "extend_ignore", None)),
        per_file_ignores=[parse_per_file_ignore(t) for t in getattr(args, "per_file_ignores", []) or []],
        extend_exclude=excludes,
        force_exclude=getattr(args, "force_exclude", False),
        image_data_format=args.image_data_format,
        config=args.config,
        isolated=args.isolated,
        verbose=getattr(args, "verbose", False),
        jobs=getattr(args, "jobs", None),
        no_cache=getattr(args, "no_cache", False),
        cache_dir=getattr(args, "cache_dir", None),
        model_filter=not getattr(args, "no_model_filter", False),
    )


def _upper(codes):
    return [c.upper() for c in codes] if codes else None


def resolve_codes(layers) -> set:
    """The enabled codes after ruff-style selection layers, each ``(select, ignore,
    extend_select)``: the configuration's, then the command line's.  A layer with ``select``
    starts over from it; ``extend-select`` adds; ``ignore`` removes (and wins within its
    layer).  Codes are prefixes or ``ALL``."""
    from .rules import RULES

    def matching(prefixes) -> set:
        return {c for c in RULES if any(p == "ALL" or c.startswith(p) for p in prefixes)}

    enabled = {c for c, r in RULES.items() if r.default_enabled}
    for select, ignore, extend_select in layers:
        if select:
            enabled = matching(select)
        if extend_select:
            enabled |= matching(extend_select)
        if ignore:
            enabled -= matching(ignore)
    # errors about the file itself cannot be switched off: nothing else would be reported
    return enabled | {c for c, r in RULES.items() if r.always_on}


def config_table(options: RunOptions, start: Optional[str] = None) -> dict:
    """The validated shapelint settings that apply at ``start`` (a file or directory; default:
    the working directory), ``{}`` when there are none."""
    from .config import ConfigError, Resolver

    try:
        resolver = Resolver(options.config, options.isolated)
        where = os.path.abspath(start or os.getcwd())
        cfg = resolver.for_directory(where if os.path.isdir(where) else os.path.dirname(where))
    except ConfigError as exc:
        raise UsageError(str(exc))
    return dict(cfg.table) if cfg is not None else {}


def settings_for(options: RunOptions, table: dict) -> "Settings":
    """A configuration table and the command line, combined (command-line values win);
    per-file ignores are applied by :class:`Workspace`."""
    from .analysis import Settings

    layers = [
        (_upper(table.get("select")), (_upper(table.get("ignore")) or []) + (_upper(table.get("extend-ignore")) or []),
         _upper(table.get("extend-select"))),
        (options.select, (options.ignore or []) + (options.extend_ignore or []), options.extend_select),
    ]
    inputs = {}
    for name, shape in (table.get("inputs") or {}).items():
        shapes = shape if isinstance(shape[0], list) else [shape]
        inputs[name] = [tuple(s) for s in shapes]
    return Settings(
        select=options.select or _upper(table.get("select")),
        ignore=options.ignore or _upper(table.get("ignore")),
        extend_select=options.extend_select or _upper(table.get("extend-select")),
        image_data_format=options.image_data_format or table.get("image-data-format", "channels_last"),
        param_explosion_min_params=table.get("param-explosion-min-params", 10_000_000),
        param_explosion_min_share=table.get("param-explosion-min-share", 0.5),
        src_roots=table.get("src", []),
        verbose=options.verbose,
        layer_lines=options.layer_lines,
        model_filter=options.model_filter,
        enabled=frozenset(resolve_codes(layers)),
        severity={k.upper(): v for k, v in (table.get("severity") or {}).items()},
        # --input (a summary of one model) replaces every configured input
        inputs={} if options.inputs else inputs,
    )


class Workspace:
    """The configurations of one run: which one governs each directory, the exclusions of a
    directory's entries, and the settings of each file (read once per configuration)."""

    def __init__(self, options: RunOptions, cwd: Optional[str] = None):
        from .config import Resolver
        from .discovery import pattern_set

        self.options = options
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.resolver = Resolver(options.config, options.isolated, self.cwd)
        self.cli_excludes = pattern_set(self.cwd, options.extend_exclude) if options.extend_exclude else None
        self.cli_file_ignores = [(self._file_pattern(self.cwd, p), c) for p, c in options.per_file_ignores]
        self._settings: Dict[Optional[str], "Settings"] = {}
        self._file_ignores: Dict[Optional[str], list] = {}
        self._policies: Dict[Optional[str], object] = {}

    @staticmethod
    def _file_pattern(base: str, text: str):
        """(pattern set, negated): a ``!pattern`` applies to the files it does not match."""
        from .discovery import PatternSet, compile_pattern

        pat = compile_pattern(text)
        negated = pat.negated
        pat.negated = False
        return PatternSet(os.path.abspath(base), [pat]), negated

    def policy_for(self, directory: str):
        """The exclusions that apply to the entries of ``directory`` (absolute)."""
        from .discovery import DirPolicy, PatternSet, default_patterns, pattern_set

        cfg = self.resolver.for_directory(directory)
        key = cfg.path if cfg is not None else None
        policy = self._policies.get(key)
        if policy is None:
            table = cfg.table if cfg is not None else {}
            root = cfg.root if cfg is not None else self.cwd
            if "exclude" in table:
                excludes = [pattern_set(root, table["exclude"])]
            else:
                excludes = [PatternSet(root, default_patterns())]
            if table.get("extend-exclude"):
                excludes.append(pattern_set(root, table["extend-exclude"]))
            if self.cli_excludes is not None:
                excludes.append(self.cli_excludes)
            policy = DirPolicy(excludes, table.get("respect-gitignore", True), root)
            self._policies[key] = policy
        return policy

    def settings_for_file(self, path: str) -> "Settings":
        """The settings of one file: its configuration, the command line, per-file ignores."""
        from .discovery import matches_path_or_parent

        cfg = self.resolver.for_file(path)
        key = cfg.path if cfg is not None else None
        settings = self._settings.get(key)
        if settings is None:
            settings = settings_for(self.options, cfg.table if cfg is not None else {})
            self._settings[key] = settings
            self._file_ignores[key] = [
                (self._file_pattern(cfg.root, p), _upper(c)) for p, c in (cfg.table.get("per-file-ignores") or {}).items()
            ] if cfg is not None else []
        if path == "-":
            return settings
        absolute = os.path.abspath(path)
        ignored: List[str] = []
        for (ps, negated), codes in self._file_ignores[key] + self.cli_file_ignores:
            if matches_path_or_parent(ps, absolute) != negated:
                ignored.extend(codes)
        if not ignored:
            return settings
        from .rules import RULES

        drop = {c for c in settings.enabled if any(p == "ALL" or c.startswith(p) for p in ignored) and not RULES[c].always_on}
        return replace(settings, enabled=frozenset(settings.enabled - drop))


def _unreadable_directory(path: str, reason: str) -> "FileResult":
    from .analysis import FileResult
    from .diagnostics import Diagnostic, file_span
    from .rules import RULES

    return FileResult(path, [Diagnostic("SL002", RULES["SL002"].severity, "Cannot read the directory: %s." % reason, path, file_span())])


def run(paths: Sequence[str], options: RunOptions, progress: Optional[Callable[[int, int, str], None]] = None) -> RunResult:
    """Analyse every file under ``paths`` (``-`` reads standard input).

    A run tunes Python's garbage collector for the process it runs in (see
    ``shapelint.parallel._fresh_heap``: survivors frozen before each file, a larger young
    generation); a program that embeds shapelint and manages collection itself disables the
    collector (``gc.disable()``) around the call, and the run then leaves it alone."""
    from .config import ConfigError

    try:
        return _run(paths, options, progress)
    except ConfigError as exc:  # also from a configuration met deep in the tree
        raise UsageError(str(exc))


def _run(paths, options, progress) -> RunResult:
    from .discovery import collect

    from . import modelfilter

    modelfilter.reset()  # files may have changed since an earlier run in this process
    paths = list(paths) or ["."]
    workspace = Workspace(options)
    workspace.resolver.fallback()  # a broken configuration is reported before any file is read
    found = collect(paths, workspace.policy_for, options.force_exclude)
    if found.missing:
        raise UsageError("no such file or directory: %s" % ", ".join(found.missing))
    files = found.files
    run = _Run(files, options, workspace, progress, set(paths))
    run.go()
    errors: List["FileResult"] = [_unreadable_directory(p, why) for p, why in found.errors]
    return RunResult(files, errors + run.results, run.stats)


class _Run:
    """The files of one run: read each, answer it from the cache, from the pre-filter, or by
    analysing it (here, or spread over worker processes); results in the files' order."""

    def __init__(self, files, options: RunOptions, workspace: Workspace, progress, named) -> None:
        self.files = files
        self.options = options
        self.workspace = workspace
        self.progress = progress
        self.named = named
        self.results: List[Optional["FileResult"]] = [None] * len(files)
        self.stats = {"files": len(files), "analysed": 0, "cached": 0, "skipped": 0, "filtered": 0, "workers": 0}
        self.done = 0
        self.cache = None
        if not options.no_cache:
            from .cache import Cache, default_directory

            self.cache = Cache(default_directory(options, workspace.resolver, workspace.cwd))
        self.keys: Dict[int, str] = {}

    def _finished(self, i: int, result: "FileResult") -> None:
        self.results[i] = result
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, len(self.files), self.files[i])

    def go(self) -> None:
        from .analysis import analyze_file

        todo: List[Tuple[int, tuple]] = []
        if self.progress is not None:
            self.progress(0, len(self.files), self.files[0] if self.files else "")
        for i, path in enumerate(self.files):
            settings = self.workspace.settings_for_file(path)
            if path == "-":
                data = sys.stdin.buffer.read()
                self._analyse_here(i, ("-", data, None, settings, True, self.options.model_expr, self.options.inputs))
                continue
            # files named on the command line are analysed even without a framework import
            force = self.options.summary or path in self.named
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                self._finished(i, analyze_file(path, settings))  # the SL002 diagnostic
                continue
            if not force and _skipped_by_prefilter(data):
                from .analysis import FileResult

                self.stats["skipped"] += 1
                self._finished(i, FileResult(path, skipped=True))
                continue
            model_expr, inputs = (self.options.model_expr, self.options.inputs) if force else (None, None)
            digest = None
            if self.cache is not None:
                from .cache import decode_result, file_key

                digest = hashlib.sha256(data).hexdigest()
                key = file_key(path, digest, settings, (force, model_expr, list(inputs or [])), self.workspace.cwd)
                stored = self.cache.lookup(key)
                if stored is not None:
                    try:
                        result = decode_result(stored)
                    except Exception:  # an entry of another shape: analyse again
                        result = None
                    if result is not None:
                        self.stats["cached"] += 1
                        self._finished(i, result)
                        continue
                self.keys[i] = key
            # the job names the file: its bytes are read again where it is analysed, so a
            # run never holds the whole tree in memory
            todo.append((i, (path, None, digest, settings, force, model_expr, inputs)))
        jobs = self.options.jobs or _cpu_count()
        if jobs > 1 and len(todo) >= 2 * jobs:
            self._analyse_in_workers(todo, jobs)
        else:
            for i, job in todo:
                self._analyse_here(i, job)
        if self.progress is not None:
            self.progress(len(self.files), len(self.files), "")

    def _analyse_here(self, i: int, job: tuple) -> None:
        from .analysis import ModelSelectionError
        from .parallel import analyse

        from .cache import cacheable, dependency_hashes, encode_result

        try:
            result, reads = analyse(*job)
        except ModelSelectionError as exc:
            raise UsageError(str(exc))
        self.stats["filtered" if result.filtered else "analysed"] += 1
        encoded = encode_result(result)
        if i in self.keys and reads is not None and cacheable(result):
            self.cache.store(self.keys[i], encoded, dependency_hashes(reads, self.cache.hashes))
        self._finished(i, _plain(result, encoded))

    def _analyse_in_workers(self, todo: List[Tuple[int, tuple]], jobs: int) -> None:
        from .cache import decode_result
        from .parallel import WorkersUnavailable, crash_result, run_jobs

        by_index = dict(todo)
        usage: Dict[int, str] = {}

        def on_answer(i: int, answer: tuple) -> None:
            kind = answer[0]
            path, settings = by_index[i][0], by_index[i][3]
            if kind == "usage":
                usage[i] = answer[2]
                return
            result = None
            if kind == "ok":
                try:
                    result = decode_result(answer[2])
                except Exception as exc:  # pragma: no cover - the encoding is tested both ways
                    kind, answer = "error", ("error", i, "the worker's answer cannot be read (%s)" % exc)
            if result is None:
                result = crash_result(path, settings, answer[2])
            elif answer[3] is not None and i in self.keys:
                self.cache.store(self.keys[i], answer[2], answer[3])
            self.stats["filtered" if result.filtered else "analysed"] += 1
            self._finished(i, result)

        workers = min(jobs, len(todo))
        self.stats["workers"] = workers
        try:
            run_jobs(todo, workers, on_answer, lambda: min(usage) if usage else None)
        except (OSError, WorkersUnavailable):  # no worker process can run here: the rest in this process
            pass
        if usage:
            raise UsageError(usage[min(usage)])
        for i, job in todo:
            if self.results[i] is None:
                self._analyse_here(i, job)


def _plain(result: "FileResult", encoded) -> "FileResult":
    """A result as a run returns it: plain data, the same whether it was analysed here, in
    a worker or read from the cache -- no layer graph, no analysis objects (which hold the
    file's syntax tree: a run over a large tree would keep every tree in memory)."""
    from .cache import decode_result

    return decode_result(encoded)


def _skipped_by_prefilter(data: bytes) -> bool:
    """The byte pre-filter, as the analysis applies it to files not named on the command
    line (no framework mentioned: nothing to analyse)."""
    from .analysis import FRAMEWORK_MARKERS

    return not any(m in data for m in FRAMEWORK_MARKERS)


def _cpu_count() -> int:
    from .parallel import cpu_count

    return cpu_count()


def run_text(path: str, text: str, options: RunOptions) -> "FileResult":
    """Analyse an editor buffer (unsaved text) as if it were the file at ``path``."""
    from . import modelfilter
    from .analysis import analyze_bytes

    modelfilter.reset()  # the analysis asks it about imported files, which may have changed

    from .config import ConfigError

    try:
        settings = Workspace(options).settings_for_file(path or "-")
    except ConfigError as exc:
        raise UsageError(str(exc))
    return analyze_bytes(path, text.encode("utf-8"), settings, options.model_expr, options.inputs, force=True)
