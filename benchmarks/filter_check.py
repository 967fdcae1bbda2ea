#!/usr/bin/env python3
"""Does the model filter drop a file where the full analysis finds something?

    python benchmarks/filter_check.py TREE [TREE ...] [-j N] [--json FILE]

Every ``.py`` file under the trees that passes the byte test (it names torch, keras or
tensorflow) is analysed in full, with the model filter off, as ``shapelint summary`` sees it
(default rules), and is also judged by the filter (``shapelint.modelfilter``).  A *miss* is a
file the filter drops although the full analysis reports a diagnostic or a model with at
least one layer; the exit status is 1 when there is one.  Dropped files where the analysis
only named a model class it could build no layer of (an empty ``Embedder`` or ``Patchify``
summary, nothing to check) are counted apart.

It also prints how much the filter saves: the share of files, lines and analysis time of the
kept files.  Its latest results are in ``benchmarks/CORPUS.md``; ``tests/test_modelfilter.py``
runs the same comparison over the fixtures and the acceptance files.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from shapelint.analysis import FRAMEWORK_MARKERS, Settings, analyze_bytes  # noqa: E402
from shapelint.modelfilter import ModelFilter  # noqa: E402

SKIP_DIRS = {"__pycache__", ".git", "site-packages"}
TIMEOUT = 300


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def python_files(roots):
    for root in roots:
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
            for f in sorted(files):
                if f.endswith(".py"):
                    yield os.path.join(d, f)


_FILTER = None


def judge(path: str) -> dict:
    """The full analysis of one file and the filter's verdict on it."""
    global _FILTER
    if _FILTER is None:
        _FILTER = ModelFilter()
        signal.signal(signal.SIGALRM, _alarm)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return {"path": path, "skipped": True}
    if not any(m in data for m in FRAMEWORK_MARKERS):
        return {"path": path, "skipped": True}
    row = {"path": path, "skipped": False, "lines": data.count(b"\n") + 1}
    t = time.perf_counter()
    row["kept"] = _FILTER.keeps(path, data)
    row["filter_seconds"] = time.perf_counter() - t
    settings = Settings(model_filter=False)
    t = time.perf_counter()
    signal.alarm(TIMEOUT)
    try:
        result = analyze_bytes(path, data, settings)
        row["models_with_layers"] = sum(1 for m in result.models if m.layers)
        row["empty_models"] = sum(1 for m in result.models if not m.layers)
        row["diagnostics"] = sorted({d.code for d in result.diagnostics})
    except _Timeout:
        row["timeout"] = True
    finally:
        signal.alarm(0)
    row["seconds"] = time.perf_counter() - t
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", help="write one JSON line per file here")
    args = parser.parse_args(argv)
    files = list(python_files(args.trees))
    started = time.perf_counter()
    with multiprocessing.Pool(args.jobs) as pool:
        rows = list(pool.imap(judge, files, chunksize=4))
    if args.json:
        with open(args.json, "w") as fh:
            for row in rows:
                fh.write(json.dumps(row) + "\n")
    seen = [r for r in rows if not r["skipped"]]
    kept = [r for r in seen if r["kept"]]
    found = lambda r: r.get("models_with_layers") or r.get("diagnostics")  # noqa: E731
    misses = [r for r in seen if not r["kept"] and found(r)]
    empty = [r for r in seen if not r["kept"] and not found(r) and r.get("empty_models")]
    timeouts = [r for r in seen if r.get("timeout")]
    lines = sum(r["lines"] for r in seen) or 1
    secs = sum(r["seconds"] for r in seen) or 1
    print("files: %d .py, %d name a framework, %d with a finding (a model with layers or a diagnostic)" % (
        len(files), len(seen), sum(1 for r in seen if found(r))))
    print("kept by the model filter: %d files (%.1f%%), %.1f%% of their lines, %.1f%% of the analysis time" % (
        len(kept), 100.0 * len(kept) / max(len(seen), 1), 100.0 * sum(r["lines"] for r in kept) / lines,
        100.0 * sum(r["seconds"] for r in kept) / secs))
    print("filter time: %.2f s in all (%.2f ms per file); full analysis: %.1f s; wall: %.1f s" % (
        sum(r["filter_seconds"] for r in seen), 1000.0 * sum(r["filter_seconds"] for r in seen) / max(len(seen), 1),
        secs, time.perf_counter() - started))
    print("dropped with only an empty model summary: %d" % len(empty))
    for r in empty:
        print("  %s (%d empty)" % (r["path"], r["empty_models"]))
    print("timeouts (%d s): %d" % (TIMEOUT, len(timeouts)))
    for r in timeouts:
        print("  %s (kept: %s)" % (r["path"], r["kept"]))
    print("MISSES: %d" % len(misses))
    for r in misses:
        print("  %s: %d model(s) with layers, diagnostics %s" % (r["path"], r["models_with_layers"], r["diagnostics"]))
    return 1 if misses or any(not r["kept"] for r in timeouts) else 0


if __name__ == "__main__":
    sys.exit(main())
