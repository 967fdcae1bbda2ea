#!/usr/bin/env python3
"""Speed benchmark: shapelint beside the LibCST parse floor, ruff and flake8, on one tree.

    python benchmarks/bench.py TREE [TREE ...] [--jobs N] [--skip-linters]

Without TREE it uses the installed ``keras`` and ``torch`` packages (present after
``pip install -e '.[oracle]'``).  The benchmark corpus of issue #5 -- public ML repositories
exported as plain ``.py`` trees -- is made with the recipe in ``benchmarks/README.md``.

In one run, on the same files, it times:

* ``ast.parse`` and LibCST ``parse_module`` of every file, in this process: the LibCST parse
  is the floor of any LibCST-based tool;
* LibCST parse of the files shapelint itself parses (the files the pre-filter lets through and
  the project modules they import): the floor "on the files it parses";
* ``shapelint check`` as a user runs it (a new process each time, start-up included): cold
  with ``--jobs 1``, cold with ``--jobs N`` (all cores), and warm (a second run on a filled
  cache);
* ``ruff check`` and ``flake8`` on the same tree, for reference (skipped when not installed:
  ``pip install ruff flake8``);
* start-up: ``shapelint --version``, and one changed model file checked the way the
  pre-commit hook checks it;

and prints the times and the ratios.  The two floors and the two cold runs are taken
``--rounds`` times (default 2), interleaved, and the best of each counts; each round's ratios
are printed too.  It is a benchmark, not a test: the numbers go into README.md by hand, with
the machine and its load.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from shapelint.analysis import FRAMEWORK_MARKERS, Settings, analyze_bytes, decode_source  # noqa: E402
from shapelint.discovery import discover  # noqa: E402


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"


def default_trees():
    out = []
    for name in ("keras", "torch"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            out.append(list(spec.submodule_search_locations)[0])
    return out


def load(trees):
    files, _ = discover(list(trees))
    data = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                data.append((f, fh.read()))
        except OSError:
            pass
    return data


def text_of(data: bytes) -> str:
    try:
        return decode_source(data)
    except Exception:
        return data.decode("utf-8", "replace")


def time_parse(texts, parse):
    t0 = time.perf_counter()
    for text in texts:
        try:
            parse(text)
        except Exception:
            pass
    return time.perf_counter() - t0


def parsed_by_shapelint(items):
    """The whole source texts of the files shapelint's analysis parses with LibCST (roots and
    imported modules), recorded by wrapping ``shapelint.analysis.parse_skeleton`` during an
    in-process run.  (shapelint itself parses less of each: function bodies are parsed when
    first run -- ``shapelint.lazybodies``; the floor is the parse of the whole files.)"""
    from shapelint import analysis

    seen = {}
    real = analysis.parse_skeleton

    def recording(source, *a, **k):
        seen.setdefault(hash(source), source)
        return real(source, *a, **k)

    analysis.parse_skeleton = recording
    try:
        settings = Settings()
        for path, data in items:
            analyze_bytes(path, data, settings)
    finally:
        analysis.parse_skeleton = real
    return list(seen.values())


def wall(cmd, env=None, cwd=None):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write("warning: %s exited %d: %s\n" % (" ".join(cmd[:3]), proc.returncode, proc.stderr.decode()[-300:]))
    return elapsed


_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def wall_and_memory(cmd):
    """Wall time and peak resident set (MB) of ``cmd``, run by a small parent process of its
    own (so the peak is that run's only)."""
    out = subprocess.run([sys.executable, "-c", _MEASURE] + cmd, capture_output=True, text=True).stdout.split()
    elapsed, rss_kb, code = float(out[0]), int(out[1]), int(out[2])
    if code not in (0, 1):
        sys.stderr.write("warning: %s exited %d\n" % (" ".join(cmd[:3]), code))
    return elapsed, rss_kb / 1024.0


def shapelint_cmd():
    exe = shutil.which("shapelint", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "shapelint"]


def a_model_file(items):
    for path, data in items:
        if b"nn.Module" in data or b"keras.Model" in data or b"Sequential" in data:
            return path
    return items[0][0] if items else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the parallel run (default: all cores)")
    ap.add_argument("--skip-linters", action="store_true", help="do not time ruff and flake8")
    ap.add_argument(
        "--rounds", type=int, default=2,
        help="times each measure behind a target ratio (the two floors, cold --jobs 1, cold --jobs N) is taken, "
        "in interleaved rounds; the best of each counts (default: 2)",
    )
    args = ap.parse_args(argv)
    trees = args.trees or default_trees()
    if not trees:
        print("no tree given and neither keras nor torch is installed", file=sys.stderr)
        return 2
    import libcst

    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("python %s, libcst %s, %s, %d CPUs, load average %.1f at start" % (
        platform.python_version(), _version("libcst"), platform.machine(), os.cpu_count() or 1, load_avg))
    items = load(trees)
    lines = sum(d.count(b"\n") for _, d in items)
    texts = [text_of(d) for _, d in items]
    marked = [d for _, d in items if any(m in d for m in FRAMEWORK_MARKERS)]
    print("trees: %s" % ", ".join(trees))
    print("files %d (%d lines); mention keras/torch/tensorflow: %d" % (len(items), lines, len(marked)))

    rows = []
    # which files shapelint parses, found by an analysis in a child process: the parse
    # floors below are then timed on this process's clean heap (after an analysis in the
    # same process, the garbage collector walks its leftovers and inflates the floor)
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        own = pool.apply(parsed_by_shapelint, (items,))
    t_ast = time_parse(texts, ast.parse)
    cmd = shapelint_cmd()
    base = cmd + ["check", "--exit-zero", "-q", "--format", "json", "--isolated"] + list(trees)
    # The measures behind the target ratios, in interleaved rounds (floor, own floor, cold
    # --jobs 1, cold --jobs N; again): on a machine whose speed drifts by 10 % from minute to
    # minute, the best of each is the cost of the work, and each round's ratios show the drift.
    rounds = []
    for _ in range(max(1, args.rounds)):
        t_floor = time_parse(texts, libcst.parse_module)
        t_floor_own = time_parse(own, libcst.parse_module)
        t_cold1, rss_cold1 = wall_and_memory(base + ["--no-cache", "--jobs", "1"])
        t_coldn = wall(base + ["--no-cache", "--jobs", str(args.jobs)])
        rounds.append((t_floor, t_floor_own, t_cold1, t_coldn, rss_cold1))
    t_floor, t_floor_own, t_cold1, t_coldn = (min(r[i] for r in rounds) for i in range(4))
    rss_cold1 = max(r[4] for r in rounds)
    rows.append(("ast.parse, every file (1 process)", t_ast))
    rows.append(("LibCST parse, every file (1 process) = floor", t_floor))
    rows.append(("LibCST parse, the %d files shapelint parses" % len(own), t_floor_own))
    with tempfile.TemporaryDirectory() as cache:
        wall(base + ["--cache-dir", cache, "--jobs", str(args.jobs)])
        t_warm = wall(base + ["--cache-dir", cache, "--jobs", str(args.jobs)])
    rows.append(("shapelint check, cold, --jobs 1", t_cold1))
    rows.append(("shapelint check, cold, --jobs %d" % args.jobs, t_coldn))
    rows.append(("shapelint check, warm cache, --jobs %d" % args.jobs, t_warm))

    t_ruff = t_flake8 = None
    if not args.skip_linters:
        ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
        flake8 = shutil.which("flake8", path=os.path.dirname(sys.executable)) or shutil.which("flake8")
        if ruff:
            t_ruff = wall([ruff, "check", "--no-cache", "--isolated", "--exit-zero", "-q", "--select", "E,F,W"] + list(trees))
            rows.append(("ruff check (E, F, W)", t_ruff))
        if flake8:
            t_flake8 = wall([flake8, "--exit-zero", "-j", str(args.jobs), "--isolated", "-q"] + list(trees))
            rows.append(("flake8 -j %d" % args.jobs, t_flake8))

    t_version = min(wall(cmd + ["--version"]) for _ in range(3))
    one = a_model_file(items)
    t_one = min(wall(cmd + ["check", "--force-exclude", "--no-cache", "--exit-zero", "-q", one]) for _ in range(3)) if one else None

    print()
    width = max(len(r[0]) for r in rows)
    for name, t in rows:
        print("  %-*s %8.2f s   %5.2fx floor" % (width, name, t, t / t_floor))
    if len(rounds) > 1:
        print()
        print("  each round (floor, own floor, cold --jobs 1, cold --jobs %d; ratios):" % args.jobs)
        for r in rounds:
            print("    %6.2f s %6.2f s %6.2f s %6.2f s   %5.2f  %5.2f" % (r[0], r[1], r[2], r[3], r[2] / r[1], r[3] / r[0]))
    print()
    print("  ratios measured side by side, best of %d rounds (issue #5 targets in brackets):" % len(rounds))
    print("    cold --jobs 1 / floor on the files it parses   %5.2f   [<= 1.3]" % (t_cold1 / t_floor_own))
    print("    cold --jobs %d / floor of the whole tree        %5.2f   [<= 0.35]" % (args.jobs, t_coldn / t_floor))
    print("    warm / cold (--jobs %d)                         %5.3f   [<= 0.1]" % (args.jobs, t_warm / t_coldn))
    if t_flake8:
        print("    cold --jobs %d / flake8 -j %d                    %5.2f   [< 1]" % (args.jobs, args.jobs, t_coldn / t_flake8))
    print("  memory: peak resident set of the --jobs 1 run %.0f MB" % rss_cold1)
    print("  start-up: shapelint --version %.3f s; one model file as the pre-commit hook checks it %.3f s [<= 0.8]" % (t_version, t_one or float("nan")))
    if one:
        print("    (%s)" % one)
    return 0


if __name__ == "__main__":
    sys.exit(main())
