"""``--jobs``: the same reports from worker processes as from one process, and from the
cache as from an analysis; a worker that dies loses only the file it was analysing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from shapelint import cli, reporters, runner, summary_formats
from shapelint.parallel import context, guided_chunks, region_chunks
from shapelint.runner import RunOptions, UsageError, run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = [os.path.join(ROOT, "fixtures", d) for d in ("keras", "torch", "keras_bugs", "torch_bugs")]
FORK = context().get_start_method() == "fork"

BUGGY = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(layers.Conv2D(8, 3))
    model.add(layers.Flatten())
    model.add(layers.LSTM(4))
    """
)


def summary_formats_here():
    return [f for f in summary_formats.FORMATS if f != "svg" or shutil.which("dot")]


def reports(result, summary: bool):
    """Every report a run can print: all summary formats for ``summary``, else the check
    formats (with the shape traces and related locations)."""
    if summary:
        return {fmt: summary_formats.FORMATS[fmt](result.models, result.diagnostics) for fmt in summary_formats_here()}
    ctx = reporters.ReportContext(files=result.files)
    out = {fmt: reporters.FORMATS[fmt](result.diagnostics, ctx) for fmt in ("json", "full", "sarif", "github")}
    out["internal_error"] = result.internal_error
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The reports of the fixtures, for check (with the off-by-default rules) and summary:
    from the analysis's own objects (one process, no cache, results not turned into plain
    data); in one process and in two worker processes, each with a cold cache; then each
    cache read by the other way of running."""
    one, two = str(tmp_path_factory.mktemp("cache1")), str(tmp_path_factory.mktemp("cache2"))
    out = {}
    for summary in (False, True):
        common = dict(summary=summary, extend_select=None if summary else ["ALL"])
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(runner, "_plain", lambda result, encoded: result)
            result = run(FIXTURES, RunOptions(jobs=1, no_cache=True, **common))
        assert all(r.graph is not None for r in result.results)  # the objects themselves
        out[(summary, "analysis")] = (reports(result, summary), result.stats)
        modes = [
            ("serial-cold", RunOptions(jobs=1, cache_dir=one, **common)),
            ("workers-cold", RunOptions(jobs=2, cache_dir=two, **common)),
            ("workers-warm", RunOptions(jobs=2, cache_dir=one, **common)),
            ("serial-warm", RunOptions(jobs=1, cache_dir=two, **common)),
        ]
        for name, options in modes:
            result = run(FIXTURES, options)
            assert all(r.graph is None for r in result.results)  # plain data
            out[(summary, name)] = (reports(result, summary), result.stats)
    return out


@pytest.mark.parametrize("summary", [False, True], ids=["check", "summary"])
@pytest.mark.parametrize("mode", ["serial-cold", "workers-cold", "workers-warm", "serial-warm"])
def test_every_report_is_the_same_whatever_the_jobs_and_the_cache(runs, summary, mode):
    expected, direct = runs[(summary, "analysis")]
    got, stats = runs[(summary, mode)]
    assert direct["workers"] == 0 and direct["analysed"] == direct["files"] > 100
    workers = 2 if mode == "workers-cold" else 0
    if mode.endswith("cold"):
        assert stats["workers"] == workers and stats["analysed"] == stats["files"] and stats["cached"] == 0
    else:
        assert stats["workers"] == 0 and stats["analysed"] == 0 and stats["cached"] == stats["files"]
    assert set(got) == set(expected)
    for fmt in expected:
        assert got[fmt] == expected[fmt], fmt
    if not summary:
        data = json.loads(expected["json"])["diagnostics"]
        assert len(data) >= 20 and any("trace" in d for d in data) and any("related" in d for d in data)
    else:
        models = json.loads(expected["json"])["models"]
        assert len(models) > 100 and all(m["graph"] is not None for m in models[:5])


def write_files(tmp_path, n, crash=(), kill=()):
    for i in range(n):
        text = BUGGY
        if i in crash:
            text += "# CRASH\n"
        if i in kill:
            text += "# KILL\n"
        (tmp_path / ("m%02d.py" % i)).write_text(text)


CRASHING_RUN = """
import os, signal, sys
from shapelint import analysis, cli

real = analysis._analyze_text

def fatal(result, text, *args, **kwargs):
    if "# CRASH" in text:
        os._exit(70)  # the interpreter ends: no exception to catch
    if "# KILL" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(result, text, *args, **kwargs)

analysis._analyze_text = fatal
sys.exit(cli.main(sys.argv[1:]))
"""


def test_chunks_shrink_toward_the_end_and_keep_the_order():
    jobs = list(range(500))
    chunks = guided_chunks(jobs, 2)
    assert [j for c in chunks for j in c] == jobs
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 16 and sizes[-1] == 1 and sizes == sorted(sizes, reverse=True)
    assert guided_chunks([], 2) == [] and guided_chunks([7], 4) == [[7]]


def test_each_worker_has_a_contiguous_region_of_shrinking_chunks():
    jobs = list(range(501))
    regions = region_chunks(jobs, 2)
    assert len(regions) == 2
    flat = [[j for c in r for j in c] for r in regions]
    assert flat[0] + flat[1] == jobs and abs(len(flat[0]) - len(flat[1])) <= 1
    for r in regions:
        sizes = [len(c) for c in r]
        assert sizes[0] == 16 and sizes[-1] == 1 and sizes == sorted(sizes, reverse=True)
    assert [list(r) for r in region_chunks([1, 2], 4)] == [[[1]], [[2]]]
    assert region_chunks([], 2) == []


@pytest.mark.skipif(not FORK, reason="the patched analysis reaches the workers only when they are forked")
def test_a_file_that_kills_its_worker_is_an_internal_error_and_the_others_are_reported(tmp_path):
    n = 40
    # the crashes are inside chunks (the second file of one): the files after them are redone
    chunks = [c for r in region_chunks(list(range(n)), 2) for c in r if len(c) >= 3]
    crash_at, kill_at = chunks[0][1], chunks[2][1]
    write_files(tmp_path, n, crash={crash_at}, kill={kill_at})
    cache = tmp_path / "cache"
    argv = [sys.executable, "-c", CRASHING_RUN, "check", str(tmp_path), "-j", "2", "--cache-dir", str(cache)]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == n
    for i, line in enumerate(lines):  # the files' order, each reported once
        assert line.startswith(str(tmp_path / ("m%02d.py" % i)) + ":"), line
        if i == crash_at:
            assert line.endswith(":1:1: SL003 Internal error while analysing this file: the worker process analysing it died (exit code 70)")
        elif i == kill_at:
            assert line.endswith(":1:1: SL003 Internal error while analysing this file: the worker process analysing it died (killed by signal SIGKILL)")
        else:
            assert ":8:11: SL103 LSTM expects 3-D input" in line
    # what the crashes interrupted was stored; the crashed files were not
    entries = [f for _, _, fs in os.walk(cache) for f in fs if f.endswith(".json")]
    assert len(entries) == n - 2
    again = subprocess.run(
        [sys.executable, "-m", "shapelint", "check", str(tmp_path), "-j", "2", "--cache-dir", str(cache), "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert again.returncode == 1, again.stderr
    assert [d["code"] for d in json.loads(again.stdout)["diagnostics"]] == ["SL103"] * n


@pytest.mark.skipif(not FORK, reason="the patched analysis reaches the workers only when they are forked")
def test_an_exception_outside_the_analysis_in_a_worker_is_an_internal_error(tmp_path, monkeypatch):
    from shapelint import cache

    real = cache.encode_result

    def failing(result):
        if result.path.endswith("m03.py"):
            raise TypeError("cannot encode")
        return real(result)

    monkeypatch.setattr(cache, "encode_result", failing)
    write_files(tmp_path, 8)
    result = run([str(tmp_path)], RunOptions(jobs=2, no_cache=True))
    assert result.stats["workers"] == 2 and result.internal_error
    codes = [[d.code for d in r.diagnostics] for r in result.results]
    assert codes == [["SL103"]] * 3 + [["SL003"]] + [["SL103"]] * 4
    assert "TypeError: cannot encode" in result.results[3].diagnostics[0].message


def test_few_files_are_analysed_in_this_process(tmp_path):
    write_files(tmp_path, 3)
    assert run([str(tmp_path)], RunOptions(jobs=2, no_cache=True)).stats["workers"] == 0  # 3 < 2 * 2
    write_files(tmp_path, 4)
    assert run([str(tmp_path)], RunOptions(jobs=2, no_cache=True)).stats["workers"] == 2
    assert run([str(tmp_path)], RunOptions(jobs=1, no_cache=True)).stats["workers"] == 0
    # only the files that need an analysis count: a warm cache starts no worker
    cache = str(tmp_path / "cache")
    assert run([str(tmp_path)], RunOptions(jobs=2, cache_dir=cache)).stats["workers"] == 2
    assert run([str(tmp_path)], RunOptions(jobs=2, cache_dir=cache)).stats["workers"] == 0


def test_default_jobs_is_one_per_core(tmp_path, monkeypatch):
    from shapelint import parallel

    monkeypatch.setattr(parallel, "cpu_count", lambda: 3)
    (tmp_path / "six").mkdir()
    (tmp_path / "five").mkdir()
    write_files(tmp_path / "six", 6)
    write_files(tmp_path / "five", 5)
    assert run([str(tmp_path / "six")], RunOptions(no_cache=True)).stats["workers"] == 3
    assert run([str(tmp_path / "five")], RunOptions(no_cache=True)).stats["workers"] == 0  # 5 < 2 * 3


def test_files_without_a_framework_need_no_worker(tmp_path):
    for i in range(10):
        (tmp_path / ("plain%d.py" % i)).write_text("def f(:\n")  # a syntax error if it were parsed
    result = run([str(tmp_path)], RunOptions(jobs=2))
    assert result.stats["workers"] == 0 and result.stats["skipped"] == 10 and result.diagnostics == []


def test_model_selection_error_is_the_same_usage_error_with_workers(tmp_path):
    write_files(tmp_path, 8)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(UsageError) as info:
            run([str(tmp_path)], RunOptions(summary=True, model_expr="nothing_here", jobs=jobs, no_cache=True))
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "nothing_here" in messages[0]


def test_jobs_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, 6)
    for flag in (["-j", "2"], ["--jobs", "2"], ["--jobs=1"]):
        assert cli.main(["check", "--no-cache", "."] + flag) == 1
        assert capsys.readouterr().out.count("SL103") == 6
    for bad in ("0", "-1", "two"):
        assert cli.main(["check", ".", "--jobs", bad]) == 2
        assert "--jobs: expected a positive number of processes" in capsys.readouterr().err
    assert cli.main(["summary", "--no-cache", "-j", "2", "--format", "json", "."]) == 1  # the models have a bug each
    assert len(json.loads(capsys.readouterr().out)["models"]) == 6


def test_stdin_with_jobs(tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, 6)
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": io.BytesIO(BUGGY.encode())})())
    assert cli.main(["check", "-j", "2", ".", "-"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 7 and out[-1].startswith("-:8:11: SL103")


def test_piped_input_with_workers(tmp_path):
    write_files(tmp_path, 6)
    proc = subprocess.run(
        [sys.executable, "-m", "shapelint", "check", "--no-cache", "-j", "2", ".", "-"],
        input=BUGGY, capture_output=True, text=True, cwd=str(tmp_path), timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 7 and all(":8:11: SL103" in line for line in lines) and lines[-1].startswith("-:")


@pytest.mark.skipif(not FORK, reason="the patched worker is used only when forked")
def test_workers_that_cannot_start_leave_the_files_to_this_process(tmp_path, monkeypatch):
    from shapelint import parallel

    monkeypatch.setattr(parallel, "_worker_main", lambda conn: os._exit(3))
    write_files(tmp_path, 8)
    result = run([str(tmp_path)], RunOptions(jobs=2, no_cache=True))
    assert not result.internal_error
    assert [[d.code for d in r.diagnostics] for r in result.results] == [["SL103"]] * 8


def test_the_collector_is_tuned_per_file_unless_the_host_disabled_it(tmp_path):
    import gc

    from shapelint import parallel
    from shapelint.runner import RunOptions, run

    (tmp_path / "m.py").write_text("import torch\nx = torch.randn(2, 3)\n")
    saved = gc.get_threshold()
    try:
        gc.unfreeze()
        gc.set_threshold(700, 10, 10)
        gc.disable()
        run([str(tmp_path)], RunOptions(jobs=1, no_cache=True))
        assert not gc.isenabled() and gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0
        gc.enable()
        run([str(tmp_path)], RunOptions(jobs=1, no_cache=True))
        assert gc.get_threshold() == parallel.GC_THRESHOLD and gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*saved)


def test_freezing_each_files_tree_leaks_nothing_the_interpreter_built(tmp_path):
    # the analysed file's tree is frozen right after its parse (parallel._freeze_tree); were
    # it frozen later, the interpreter's objects (cycles that die with the file) would be
    # frozen with it and never collected
    import gc

    from shapelint.frontends.evaluator import Interpreter
    from shapelint.runner import RunOptions, run

    (tmp_path / "blocks.py").write_text("import torch.nn as nn\n\ndef block(n):\n    return nn.Linear(n, n)\n")
    for i in range(12):
        (tmp_path / ("m%d.py" % i)).write_text(
            "import torch.nn as nn\nfrom blocks import block\n\n"
            "class Net%d(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = block(%d)\n\n    def forward(self, x):\n        return self.fc(x)\n\n"
            "model = Net%d()\n" % (i, i + 2, i)
        )
    saved = gc.get_threshold()
    try:
        gc.unfreeze()
        frozen_before = gc.get_freeze_count()
        result = run([str(tmp_path)], RunOptions(jobs=1, no_cache=True))
        assert result.stats["analysed"] == 13
        assert gc.get_freeze_count() > frozen_before  # the trees were frozen
        gc.collect()  # what is garbage and not frozen
        gc.unfreeze()
        assert [o for o in gc.get_objects() if type(o) is Interpreter] == []
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
