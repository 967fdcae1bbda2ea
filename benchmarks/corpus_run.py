#!/usr/bin/env python3
"""Robustness corpus run: shapelint's whole per-file analysis over large trees of real code.

    python benchmarks/corpus_run.py [TREE ...] [--no-default-trees] [--slow-seconds S]
                                    [--timeout S] [--json FILE]

By default the trees are the installed ``keras`` and ``torch`` packages and the CPython
standard library (``sysconfig.get_paths()["stdlib"]``, without its ``site-packages``); TREE
adds more (for instance the benchmark corpus).  Every ``.py`` file goes through
``analyze_bytes(..., force=True)`` with every rule selected, in this one process, as
``shapelint check --select ALL FILE`` would analyse it: the byte pre-filter is bypassed, so
files that mention no framework are still decoded and parsed (the interpreter runs only where
a framework is named: elsewhere it has nothing to find).  It prints the number of files and lines, the diagnostics per code, the
internal errors (SL003, with their one-line reasons), the exceptions that escaped the
analysis (there should be none: the analysis turns them into SL003) and the hang candidates.

Per-file wall-clock guard: a file still running after ``--timeout`` (default 120 s) is
interrupted (SIGALRM) and counted as a hang; one that takes longer than ``--slow-seconds``
(default 10 s) is listed as a hang candidate (on a loaded machine, a slow file is not yet a
hang: re-time it alone).  The exit status is 1 when an internal error, an escaped exception
or a hang is found.

It is a check, not a test (it takes tens of minutes); its latest numbers are in
``benchmarks/CORPUS.md``.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import platform
import signal
import sys
import sysconfig
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from shapelint import __version__  # noqa: E402
from shapelint.analysis import FRAMEWORK_MARKERS, Settings, analyze_bytes  # noqa: E402

SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__", ".git"}


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so the analysis's own handlers let it through."""


def default_trees():
    trees = []
    for name in ("keras", "torch"):
        spec = importlib.util.find_spec(name)  # finds the package without importing it
        if spec is not None and spec.submodule_search_locations:
            trees.append((name, list(spec.submodule_search_locations)[0]))
    return trees + [("stdlib", sysconfig.get_paths()["stdlib"])]


def python_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(".py"):
                full = os.path.join(dirpath, name)
                if os.path.isfile(full):
                    out.append(full)
    return out


def _report(what, path, args):
    if args.progress:
        print("  %s: %s" % (path, what), file=sys.stderr, flush=True)


def _on_alarm(signum, frame):
    raise _Timeout()


def run_tree(label, root, settings, args, totals):
    files = python_files(root)
    stats = collections.Counter()
    t_tree = time.perf_counter()
    for i, path in enumerate(files):
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            totals["unreadable"].append((path, str(exc)))
            continue
        stats["files"] += 1
        stats["lines"] += data.count(b"\n")
        if any(m in data for m in FRAMEWORK_MARKERS):
            stats["prefilter_pass"] += 1
        t0 = time.perf_counter()
        signal.alarm(int(args.timeout))
        try:
            result = analyze_bytes(path, data, settings, force=True)
        except _Timeout:
            totals["hangs"].append((path, time.perf_counter() - t0, "interrupted after the timeout"))
            _report("HANG (interrupted)", path, args)
            continue
        except BaseException as exc:  # noqa: B902 -- anything that escapes is a finding
            if isinstance(exc, KeyboardInterrupt):
                raise
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            totals["escaped"].append((path, "%s: %s (at %s:%d)" % (type(exc).__name__, str(exc)[:200], os.path.basename(tb.filename), tb.lineno)))
            _report("ESCAPED " + totals["escaped"][-1][1], path, args)
            continue
        finally:
            signal.alarm(0)
        elapsed = time.perf_counter() - t0
        totals["slowest"].append((elapsed, path))
        totals["slowest"] = sorted(totals["slowest"], reverse=True)[:10]
        if elapsed > args.slow_seconds:
            totals["slow"].append((path, elapsed))
            _report("SLOW %.1f s" % elapsed, path, args)
        for d in result.diagnostics:
            totals["codes"][d.code] += 1
            if d.code == "SL003":
                totals["internal"].append((path, d.message.splitlines()[0]))
                _report(totals["internal"][-1][1], path, args)
        stats["models"] += len(result.models)
        if args.progress and (i + 1) % 200 == 0:
            print("  %s: %d/%d files, %.0f s" % (label, i + 1, len(files), time.perf_counter() - t_tree), file=sys.stderr, flush=True)
    stats["seconds"] = time.perf_counter() - t_tree
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", help="more trees to run over")
    ap.add_argument("--no-default-trees", action="store_true", help="only the trees given")
    ap.add_argument("--slow-seconds", type=float, default=10.0, help="a file slower than this is a hang candidate")
    ap.add_argument("--timeout", type=float, default=120.0, help="interrupt a file after this many seconds")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--progress", action="store_true", help="print progress to stderr")
    args = ap.parse_args(argv)

    trees = [] if args.no_default_trees else default_trees()
    trees += [(os.path.basename(os.path.normpath(t)) or t, t) for t in args.trees]
    from importlib.metadata import version

    # warm up: imports (libcst, the front-ends) are not charged to the first file
    analyze_bytes("warmup.py", b"import torch, keras\nx = 1\n", Settings(), force=True)
    print(
        "shapelint %s, python %s, libcst %s, %s, %d CPUs, %s"
        % (__version__, platform.python_version(), version("libcst"), platform.machine(), os.cpu_count() or 1, time.strftime("%Y-%m-%d"))
    )
    signal.signal(signal.SIGALRM, _on_alarm)
    settings = Settings(select=["ALL"])
    totals = {"codes": collections.Counter(), "internal": [], "escaped": [], "hangs": [], "slow": [], "unreadable": [], "slowest": []}
    per_tree = []
    t_all = time.perf_counter()
    for label, root in trees:
        stats = run_tree(label, root, settings, args, totals)
        per_tree.append((label, root, stats))
        print(
            "%-10s %6d files %9d lines  %5d through the byte pre-filter  %5d models  %7.1f s  (%s)"
            % (label, stats["files"], stats["lines"], stats["prefilter_pass"], stats["models"], stats["seconds"], root),
            flush=True,
        )
    elapsed = time.perf_counter() - t_all
    files = sum(s["files"] for _, _, s in per_tree)
    lines = sum(s["lines"] for _, _, s in per_tree)
    print("total      %6d files %9d lines  %.1f s" % (files, lines, elapsed))
    print("diagnostics per code: %s" % (", ".join("%s %d" % kv for kv in sorted(totals["codes"].items())) or "none"))
    print("internal errors (SL003): %d" % len(totals["internal"]))
    for path, msg in totals["internal"]:
        print("  %s: %s" % (path, msg))
    print("exceptions escaping the analysis: %d" % len(totals["escaped"]))
    for path, msg in totals["escaped"]:
        print("  %s: %s" % (path, msg))
    print("hangs (interrupted at %g s): %d" % (args.timeout, len(totals["hangs"])))
    for path, secs, why in totals["hangs"]:
        print("  %s: %.1f s (%s)" % (path, secs, why))
    print("hang candidates (over %g s): %d" % (args.slow_seconds, len(totals["slow"])))
    for path, secs in totals["slow"]:
        print("  %s: %.1f s" % (path, secs))
    if totals["unreadable"]:
        print("unreadable files (not counted): %d" % len(totals["unreadable"]))
    print("slowest files:")
    for secs, path in totals["slowest"]:
        print("  %6.2f s  %s" % (secs, path))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "trees": [
                        {"label": l, "root": r, **{k: s[k] for k in ("files", "lines", "prefilter_pass", "models", "seconds")}}
                        for l, r, s in per_tree
                    ],
                    "files": files, "lines": lines, "seconds": elapsed,
                    "codes": dict(totals["codes"]),
                    "internal_errors": totals["internal"], "escaped": totals["escaped"],
                    "hangs": totals["hangs"], "slow": totals["slow"], "slowest": totals["slowest"],
                },
                fh, indent=1,
            )
    return 1 if (totals["internal"] or totals["escaped"] or totals["hangs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
