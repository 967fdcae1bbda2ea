#!/usr/bin/env python3
"""Is the analysis the same when function bodies are parsed on first call?

    python benchmarks/lazy_check.py TREE [TREE ...]

``shapelint.lazybodies`` cuts the bodies of top-level functions and methods out of a file's
text before LibCST parses it and parses each body when the analysis first runs it.  This
script analyses every framework file under the trees twice in one process, as ``shapelint
summary`` sees it (default settings and model filter), once with the cuts and once without
(all caches emptied between the passes), and compares every diagnostic (code, position,
message) and every model summary (layers with their lines, shapes and parameter counts).
The exit status is 1 when a file differs.  It prints the time of each pass.

``tests/test_lazybodies.py`` makes the same comparison over the fixtures and acceptance files;
the latest corpus results are in ``benchmarks/CORPUS.md``.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from shapelint import lazybodies, modelfilter, project  # noqa: E402
from shapelint.analysis import FRAMEWORK_MARKERS, Settings, analyze_bytes  # noqa: E402
from shapelint.discovery import discover  # noqa: E402


def outcome(path: str, data: bytes):
    result = analyze_bytes(path, data, Settings())
    diagnostics = [(d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message) for d in result.diagnostics]
    models = [
        (m.name, m.line, m.total_params, m.resolved, [(l.name, l.type, l.line, str(l.output_shape), l.params) for l in m.layers])
        for m in result.models
    ]
    return diagnostics, models


def main(argv) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    files, _ = discover(list(argv))
    inputs = []
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if any(m in data for m in FRAMEWORK_MARKERS):
            inputs.append((path, data))
    results = {}
    for cuts in (True, False):
        lazybodies.ENABLED = cuts
        project._PARSED.clear()
        project._BY_TEXT.clear()
        modelfilter.reset()
        started = time.perf_counter()
        results[cuts] = {path: outcome(path, data) for path, data in inputs}
        print("%-14s %7.1f s" % ("with cuts" if cuts else "without cuts", time.perf_counter() - started))
    differ = [p for p, _ in inputs if results[True][p] != results[False][p]]
    diagnostics = sum(len(d) for d, _ in results[True].values())
    rows = sum(len(m[-1]) for _, models in results[True].values() for m in models)
    print("%d framework files, %d diagnostics, %d layer rows compared; %d files differ" % (len(inputs), diagnostics, rows, len(differ)))
    for path in differ[:20]:
        print("  differs:", path)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
