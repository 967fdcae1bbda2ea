"""The result cache (``.shapelint_cache/``): a warm run analyses nothing and reports the
same; a change to the file, to a project module it imports, or to the configuration is seen;
a damaged entry is a miss; concurrent runs share a directory safely."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import types

import pytest

from shapelint import analysis, cache, cli
from shapelint.analysis import Settings
from shapelint.runner import RunOptions, run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
CLEAN = BUGGY.replace("layers.LSTM(4)", "layers.Dense(4)")

BLOCKS = textwrap.dedent(
    """\
    import torch.nn as nn


    def make_head(features, classes=10):
        return nn.Sequential(nn.Flatten(), nn.Linear(features, classes))
    """
)
NET = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn

    from .blocks import make_head


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.head = make_head(8 * 8 * 8)

        def forward(self, x):
            return self.head(self.conv(x))


    model = Net()
    y = model(torch.randn(2, 3, 8, 8))
    """
)


@pytest.fixture
def counter(monkeypatch):
    """How many times the analysis runs in this process."""
    calls = []
    real = analysis.analyze_bytes

    def counted(path, *args, **kwargs):
        calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyze_bytes", counted)
    return calls


def entries(directory):
    return sorted(
        os.path.join(d, f) for d, _, files in os.walk(str(directory)) for f in files if f.endswith(".json")
    )


def check(paths, cache_dir, **kw):
    kw.setdefault("jobs", 1)
    return run([str(p) for p in paths], RunOptions(cache_dir=str(cache_dir), **kw))


def codes(result):
    return [[(d.span.line, d.code) for d in r.diagnostics] for r in result.results]


def test_a_warm_run_analyses_nothing_and_reports_the_same(tmp_path, counter):
    for i in range(3):
        (tmp_path / ("m%d.py" % i)).write_text(BUGGY if i != 1 else CLEAN)
    store = tmp_path / "cache"
    cold = check([tmp_path], store)
    assert len(counter) == 3 and cold.stats["analysed"] == 3 and cold.stats["cached"] == 0
    assert len(entries(store)) == 3
    warm = check([tmp_path], store)
    assert len(counter) == 3 and warm.stats["analysed"] == 0 and warm.stats["cached"] == 3
    assert codes(warm) == codes(cold) == [[(8, "SL103")], [], [(8, "SL103")]]
    assert [d.to_json() for d in warm.diagnostics] == [d.to_json() for d in cold.diagnostics]


def test_the_cache_directory_is_tagged_and_ignored_by_git(tmp_path):
    (tmp_path / "m.py").write_text(BUGGY)
    store = tmp_path / "cache"
    check([tmp_path / "m.py"], store)
    tag = (store / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (store / ".gitignore").read_text().splitlines()[-1] == "*"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=str(tmp_path), capture_output=True, text=True)
    assert status.stdout.splitlines() == ["?? m.py"]
    (entry,) = entries(store)
    data = json.loads(open(entry, encoding="utf-8").read())  # JSON, never pickle
    assert set(data) == {"key", "deps", "result"}


def test_editing_the_file_invalidates_its_entry_only(tmp_path, counter):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(BUGGY)
    store = tmp_path / "cache"
    check([tmp_path], store)
    (tmp_path / "b.py").write_text(CLEAN)
    del counter[:]
    result = check([tmp_path], store)
    assert counter == [str(tmp_path / "b.py")]
    assert codes(result) == [[(8, "SL103")], []]


def make_project(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "blocks.py").write_text(BLOCKS)
    (pkg / "net.py").write_text(NET)
    return pkg


def test_editing_an_imported_project_module_invalidates_the_importer(tmp_path, monkeypatch, counter):
    pkg = make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "cache"
    net = pkg / "net.py"
    assert codes(check([net], store)) == [[]]
    (entry,) = entries(store)
    deps = dict(json.loads(open(entry, encoding="utf-8").read())["deps"])
    assert deps[str(pkg / "blocks.py")] is not None  # read, with its content hash
    assert check([net], store).stats["cached"] == 1
    # the helper now builds a Linear for 10 classes out of 1024 features: the importer is wrong
    (pkg / "blocks.py").write_text(BLOCKS.replace("nn.Linear(features, classes)", "nn.Linear(1024, classes)"))
    del counter[:]
    result = check([net], store)
    assert counter == [str(net)] and [c for _, c in codes(result)[0]] == ["SL107"]
    # and back (the entry now records the edited helper: analysed again)
    (pkg / "blocks.py").write_text(BLOCKS)
    del counter[:]
    assert codes(check([net], store)) == [[]] and counter == [str(net)]


def test_a_project_module_that_appears_invalidates_the_importer(tmp_path, monkeypatch, counter):
    pkg = make_project(tmp_path)
    (pkg / "blocks.py").unlink()  # `from .blocks import make_head`: unknown, nothing reported
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "cache"
    net = pkg / "net.py"
    assert codes(check([net], store)) == [[]]
    (entry,) = entries(store)
    deps = dict(json.loads(open(entry, encoding="utf-8").read())["deps"])
    assert deps[str(pkg / "blocks.py")] is None  # looked for, absent
    (pkg / "blocks.py").write_text(BLOCKS.replace("nn.Linear(features, classes)", "nn.Linear(1024, classes)"))
    del counter[:]
    assert [c for _, c in codes(check([net], store))[0]] == ["SL107"] and counter == [str(net)]


@pytest.mark.parametrize(
    "before, after",
    [
        ("", 'select = ["SL2"]\n'),
        ('image-data-format = "channels_last"\n', 'image-data-format = "channels_first"\n'),
        ("", '[per-file-ignores]\n"m.py" = ["SL103"]\n'),
    ],
    ids=["select", "image-data-format", "per-file-ignores"],
)
def test_changing_the_configuration_invalidates(tmp_path, monkeypatch, counter, before, after):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(BUGGY)
    (tmp_path / "shapelint.toml").write_text(before)
    store = tmp_path / "cache"
    first = check(["m.py"], store)
    assert codes(first) == [[(8, "SL103")]]
    assert check(["m.py"], store).stats["cached"] == 1
    (tmp_path / "shapelint.toml").write_text(after)
    del counter[:]
    second = check(["m.py"], store)
    assert counter == ["m.py"]
    if "select" in after or "per-file" in after:
        assert codes(second) == [[]]
    else:  # channels_first: the 28x28x1 input is read as 28 channels of 28x1
        assert codes(second) != codes(first)


def test_command_line_options_are_part_of_the_key(tmp_path, monkeypatch, counter):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(BUGGY)
    store = tmp_path / "cache"
    check(["m.py"], store)
    assert codes(check(["m.py"], store, ignore=["SL103"])) == [[]]
    assert len(counter) == 2
    # a file named on the command line gets the same analysis from check and summary
    assert codes(check(["m.py"], store, summary=True)) == [[(8, "SL103")]] and len(counter) == 2
    summary = check(["m.py"], store, summary=True, inputs=[(28, 28, 1)])
    assert len(counter) == 3 and summary.models[0].layers[0].output_shape == (None, 26, 26, 8)
    summary = check(["m.py"], store, summary=True, model_expr="model")
    assert len(counter) == 4 and summary.models[0].variable == "model"
    # a file found in a directory is analysed only when it names a framework: another key
    check(["."], store)
    assert len(counter) == 5
    # every one of them is stored: all warm now
    for kw in ({}, {"ignore": ["SL103"]}, {"summary": True}, {"summary": True, "inputs": [(28, 28, 1)]},
               {"summary": True, "model_expr": "model"}):
        assert check(["m.py"], store, **kw).stats["cached"] == 1
    assert check(["."], store).stats["cached"] == 1
    assert len(counter) == 5


D1, D2 = "1" * 64, "2" * 64  # content hashes


def test_every_settings_field_is_part_of_the_key():
    base = Settings()
    key = cache.file_key("m.py", D1, base, (False, None, []))
    changed = {
        "select": ["SL1"], "ignore": ["SL1"], "extend_select": ["SL3"], "image_data_format": "channels_first",
        "param_explosion_min_params": 5, "param_explosion_min_share": 0.25, "src_roots": ["src"], "verbose": True,
        "enabled": frozenset({"SL101"}), "severity": {"SL1": "info"}, "inputs": {"Net": [(1, 3, 8, 8)]},
        "layer_lines": False, "model_filter": False,
    }
    fields = [f.name for f in dataclasses.fields(Settings)]
    for name in fields:
        value = changed.get(name)
        assert value is not None, "a new Settings field %r: add a changed value here" % name
        other = dataclasses.replace(base, **{name: value})
        assert cache.file_key("m.py", D1, other, (False, None, [])) != key, name
    assert cache.file_key("m.py", D2, base, (False, None, [])) != key
    assert cache.file_key("./m.py", D1, base, (False, None, [])) != key
    assert cache.file_key("m.py", D1, base, (True, None, [])) != key
    assert cache.file_key("m.py", D1, base, (False, "f()", [])) != key


def test_the_program_is_part_of_the_key(monkeypatch):
    key = cache.file_key("m.py", D1, Settings(), (False, None, []))
    monkeypatch.setattr(cache, "_PROGRAM", "another shapelint")
    assert cache.file_key("m.py", D1, Settings(), (False, None, [])) != key


def test_a_shapelint_source_change_changes_the_fingerprint(monkeypatch):
    first = cache.program_fingerprint()
    monkeypatch.setattr(cache, "_PROGRAM", None)
    real = os.stat
    target = os.path.join(os.path.dirname(cache.__file__), "rules", "base.py")

    def stat(path, *args, **kwargs):
        st = real(path, *args, **kwargs)
        if path == target:  # the file as it would be after an edit
            return types.SimpleNamespace(st_mtime_ns=st.st_mtime_ns + 1, st_size=st.st_size)
        return st

    monkeypatch.setattr(os, "stat", stat)
    assert cache.program_fingerprint() != first


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other key", "wrong shape", "empty", "directory"])
def test_a_damaged_entry_is_a_miss(tmp_path, counter, damage):
    (tmp_path / "m.py").write_text(BUGGY)
    store = tmp_path / "cache"
    expected = codes(check([tmp_path / "m.py"], store))
    (entry,) = entries(store)
    text = open(entry, encoding="utf-8").read()
    if damage == "directory":
        os.unlink(entry)
        os.mkdir(entry)
    else:
        data = json.loads(text)
        replacement = {
            "garbage": "\x00\xff not json",
            "truncated": text[: len(text) // 2],
            "other key": json.dumps(dict(data, key="0" * 64)),
            "wrong shape": json.dumps(dict(data, result={"c": "Span", "f": {"line": 1}})),
            "empty": "",
        }[damage]
        with open(entry, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(replacement)
    del counter[:]
    result = check([tmp_path / "m.py"], store)
    assert counter == [str(tmp_path / "m.py")] and codes(result) == expected
    if damage != "directory":  # rewritten whole
        assert json.loads(open(entry, encoding="utf-8").read())["key"] != "0" * 64
        assert check([tmp_path / "m.py"], store).stats["cached"] == 1


def test_internal_errors_and_skipped_files_are_not_stored(tmp_path, monkeypatch):
    real = analysis._analyze_text

    def boom(result, text, *a, **k):
        if "BOOM" in text:
            raise RuntimeError("simulated failure")
        return real(result, text, *a, **k)

    monkeypatch.setattr(analysis, "_analyze_text", boom)
    (tmp_path / "a.py").write_text(BUGGY + "# BOOM\n")
    (tmp_path / "b.py").write_text(BUGGY)
    (tmp_path / "plain.py").write_text("print('no framework here')\n")
    store = tmp_path / "cache"
    result = check([tmp_path], store)
    assert result.internal_error and result.stats["skipped"] == 1
    assert len(entries(store)) == 1  # b.py
    monkeypatch.setattr(analysis, "_analyze_text", real)
    again = check([tmp_path], store)
    assert not again.internal_error and again.stats["analysed"] == 1 and again.stats["cached"] == 1


def test_no_cache_reads_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    (tmp_path / "m.py").write_text(BUGGY)
    assert cli.main(["check", "--no-cache", "m.py"]) == 1
    assert cli.main(["summary", "--no-cache", "m.py"]) == 1
    capsys.readouterr()
    assert sorted(os.listdir(str(tmp_path))) == ["m.py"]
    # and it reads nothing: a poisoned entry under the default directory is not used
    assert cli.main(["check", "m.py"]) == 1
    (entry,) = entries(tmp_path / ".shapelint_cache")
    data = json.loads(open(entry, encoding="utf-8").read())
    data["result"]["f"]["diagnostics"] = []
    with open(entry, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    assert cli.main(["check", "m.py"]) == 0  # the entry is used...
    assert cli.main(["check", "--no-cache", "m.py"]) == 1  # ...but not with --no-cache
    capsys.readouterr()


def test_default_location_is_the_project_root(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    project = tmp_path / "project"
    sub = project / "src" / "models"
    sub.mkdir(parents=True)
    (sub / "m.py").write_text(BUGGY)
    # no configuration: the working directory
    monkeypatch.chdir(sub)
    assert cli.main(["check", "m.py"]) == 1
    assert entries(sub / ".shapelint_cache")
    # a configuration above the working directory: its directory
    (project / "pyproject.toml").write_text("[tool.shapelint]\n")
    assert cli.main(["check", "m.py"]) == 1
    assert entries(project / ".shapelint_cache")
    # --config: that file's directory
    other = tmp_path / "other"
    other.mkdir()
    (other / "shapelint.toml").write_text("")
    assert cli.main(["check", "--config", str(other / "shapelint.toml"), "m.py"]) == 1
    assert entries(other / ".shapelint_cache")
    # $SHAPELINT_CACHE_DIR, and --cache-dir over it
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "env"))
    assert cli.main(["check", "m.py"]) == 1
    assert entries(tmp_path / "env")
    assert cli.main(["check", "--cache-dir", str(tmp_path / "flag"), "m.py"]) == 1
    assert entries(tmp_path / "flag") and len(entries(tmp_path / "env")) == 1
    capsys.readouterr()


def test_a_cache_directory_that_cannot_be_written_is_not_an_error(tmp_path, capsys):
    (tmp_path / "m.py").write_text(BUGGY)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    assert cli.main(["check", "--cache-dir", str(blocker), str(tmp_path / "m.py")]) == 1
    out, err = capsys.readouterr()
    assert ":8:11: SL103" in out and "Traceback" not in err


def test_concurrent_runs_share_a_directory(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        (src / ("m%02d.py" % i)).write_text(BUGGY if i % 2 else CLEAN)
    store = tmp_path / "cache"
    argv = [sys.executable, "-m", "shapelint", "check", str(src), "--cache-dir", str(store), "--format", "json"]
    procs = [
        subprocess.Popen(argv + ["-j", jobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
        for jobs in ("1", "2", "1")
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 1, err
    assert outs[0][0] == outs[1][0] == outs[2][0]
    assert len(json.loads(outs[0][0])["diagnostics"]) == 6
    assert len(entries(store)) == 12
    leftovers = [f for _, _, files in os.walk(str(store)) for f in files if f.startswith(".tmp-")]
    assert leftovers == []
    # as `check` runs: no layer lines in the summaries (part of the key)
    warm = run([str(src)], RunOptions(cache_dir=str(store), jobs=1, layer_lines=False))
    assert warm.stats["cached"] == 12


def test_encoding_round_trip_of_every_fixture():
    """Each fixture's result, stored and read back, equals the analysis's own (without the
    live analysis objects, which are never stored)."""
    import glob

    paths = sorted(glob.glob(os.path.join(ROOT, "fixtures", "*", "*.py")))
    assert len(paths) > 100
    for path in paths:
        with open(path, "rb") as fh:
            result = analysis.analyze_bytes(path, fh.read(), Settings(extend_select=["ALL"]), force=True)
        back = cache.decode_result(json.loads(json.dumps(cache.encode_result(result))))
        assert back.graph is None and back.path == result.path
        assert back.diagnostics == result.diagnostics, path
        for m in result.models:
            m.extra.pop("layer_objects", None)
        assert back.models == result.models, path
        for a, b in zip(back.models, result.models):  # same types too: tuples stay tuples
            assert [repr(l.output_shape) for l in a.layers] == [repr(l.output_shape) for l in b.layers]


def test_a_file_changed_after_it_was_keyed_is_analysed_as_it_is_and_not_stored(tmp_path):
    from shapelint.parallel import analyse

    path = tmp_path / "m.py"
    path.write_text(BUGGY)
    digest = hashlib.sha256(BUGGY.encode()).hexdigest()
    result, reads = analyse(str(path), None, digest, Settings(), True, None, None)
    assert reads is not None and [d.code for d in result.diagnostics] == ["SL103"]
    path.write_text(CLEAN)  # edited between the key and the analysis
    result, reads = analyse(str(path), None, digest, Settings(), True, None, None)
    assert reads is None and result.diagnostics == []
