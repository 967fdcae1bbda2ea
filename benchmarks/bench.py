#!/usr/bin/env python3
"""Throughput benchmark: shapelint over a tree of Python files, beside the parse floors.

    python benchmarks/bench.py [TREE ...] [--repeat N]

Without TREE it uses the installed ``keras`` and ``torch`` packages (present after
``pip install -e '.[oracle]'``) -- a large tree of real framework code that everyone can
reproduce.  For each tree it times, on the same files in one process:

* ``ast.parse`` of every file (CPython's parser, the cheapest possible floor),
* LibCST ``parse_module`` of every file (the floor of any LibCST-based tool),
* shapelint's whole per-file pipeline (byte pre-filter, parse, analysis, checks),

and prints files/s, lines/s and shapelint's ratio to the LibCST floor (on the files the
pre-filter lets through, and on the whole tree).  It is a benchmark, not a test: the
numbers go into README.md by hand.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import platform
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from shapelint.analysis import FRAMEWORK_MARKERS, Settings, analyze_bytes  # noqa: E402
from shapelint.discovery import discover  # noqa: E402


def default_trees():
    out = []
    for name in ("keras", "torch"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            out.append(list(spec.submodule_search_locations)[0])
    return out


def load(tree):
    files, _ = discover([tree])
    data = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                data.append((f, fh.read()))
        except OSError:
            pass
    return data


def timed(fn, items):
    t0 = time.perf_counter()
    n = 0
    for path, data in items:
        try:
            fn(path, data)
            n += 1
        except Exception:
            pass
    return time.perf_counter() - t0, n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*")
    args = ap.parse_args(argv)
    trees = args.trees or default_trees()
    if not trees:
        print("no tree given and neither keras nor torch is installed", file=sys.stderr)
        return 2
    import libcst

    print("python %s, libcst %s, %s, %d CPUs" % (platform.python_version(), libcst.__version__ if hasattr(libcst, "__version__") else "?", platform.machine(), os.cpu_count() or 1))
    settings = Settings()
    for tree in trees:
        items = load(tree)
        lines = sum(d.count(b"\n") for _, d in items)
        marked = [(p, d) for p, d in items if any(m in d for m in FRAMEWORK_MARKERS)]
        marked_lines = sum(d.count(b"\n") for _, d in marked)

        t_ast, _ = timed(lambda p, d: ast.parse(d), items)
        t_cst_all, _ = timed(lambda p, d: libcst.parse_module(d.decode("utf-8", "replace")), items)
        t_cst_marked, _ = timed(lambda p, d: libcst.parse_module(d.decode("utf-8", "replace")), marked)
        diags = [0]
        internal = [0]

        def lint(p, d):
            r = analyze_bytes(p, d, settings)
            diags[0] += len(r.diagnostics)
            internal[0] += r.internal_error

        t_lint, _ = timed(lint, items)
        print()
        print("tree: %s" % tree)
        print("  files %d (%d lines); pass the byte pre-filter: %d (%d lines)" % (len(items), lines, len(marked), marked_lines))
        print("  ast.parse, all files        %7.2f s  %7.0f files/s" % (t_ast, len(items) / t_ast))
        print("  libcst parse, all files     %7.2f s  %7.0f files/s" % (t_cst_all, len(items) / t_cst_all))
        print("  libcst parse, pre-filtered  %7.2f s" % t_cst_marked)
        print("  shapelint check, 1 process  %7.2f s  %7.0f files/s  %8.0f lines/s" % (t_lint, len(items) / t_lint, lines / t_lint))
        print("  ratio to libcst floor: %.2fx on the parsed files, %.2fx on the whole tree" % (t_lint / max(t_cst_marked, 1e-9), t_lint / max(t_cst_all, 1e-9)))
        print("  diagnostics %d, internal errors %d" % (diags[0], internal[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
