"""Configuration: which file applies to which source file, every key, and the messages for
bad values -- through ``runner.run`` and through the command line (``cli.main``)."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from shapelint import cli
from shapelint.config import ConfigError, Resolver, load_config
from shapelint.runner import RunOptions, UsageError, run, run_text

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
)  # SL103 at 8:11

# Dense holds 6,291,968 of 6,297,098 parameters: SL201 once the threshold is lowered
EXPLODING = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((64, 64, 3)), layers.Flatten(), layers.Dense(512), layers.Dense(10)])
    """
)

# A PyTorch model the file never calls: its input comes from --input or the `inputs` key
TORCH_NET = textwrap.dedent(
    """\
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 6, 5)
            self.fc = nn.Linear(6 * 28 * 28, 10)

        def forward(self, x):
            x = self.conv(x)
            return self.fc(torch.flatten(x, 1))
    """
)

# A Keras Sequential without an input shape: nothing is known until one is given
KERAS_NO_INPUT = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([
        layers.Conv2D(8, 3),
        layers.Flatten(),
        layers.LSTM(4),
    ])
    """
)


def write(root, rel, text=BUGGY):
    path = os.path.join(str(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def cli_run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def codes_by_file(paths, **kw):
    """{relative path: [(line, code), ...]} of a run."""
    result = run(paths, RunOptions(**kw))
    out = {}
    for d in result.diagnostics:
        out.setdefault(os.path.relpath(d.path).replace(os.sep, "/"), []).append((d.span.line, d.code))
    return out


# -- which configuration applies ----------------------------------------------------------------


def test_each_file_uses_the_closest_configuration(tmp_path, monkeypatch, capsys):
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nignore = ["SL103"]\n')
    write(tmp_path, "top.py")
    write(tmp_path, "pkg/inner.py")  # no configuration in pkg/: the top one applies
    write(tmp_path, "sub/pyproject.toml", "[tool.shapelint]\nparam-explosion-min-params = 1000000\n")
    write(tmp_path, "sub/bug.py")  # sub's configuration does not ignore SL103 (no merging)
    write(tmp_path, "sub/deep/er/boom.py", EXPLODING)
    monkeypatch.chdir(tmp_path)
    assert codes_by_file(["."]) == {"sub/bug.py": [(8, "SL103")], "sub/deep/er/boom.py": [(4, "SL201")]}
    # the same from inside sub/, and for files named one by one from elsewhere
    monkeypatch.chdir(tmp_path / "sub")
    assert codes_by_file(["."]) == {"bug.py": [(8, "SL103")], "deep/er/boom.py": [(4, "SL201")]}
    monkeypatch.chdir(tmp_path / "pkg")
    code, out, _ = cli_run(["check", "../top.py", "../sub/bug.py", "inner.py"], capsys)
    assert code == 1 and out.splitlines()[0].startswith("../sub/bug.py:8:11: SL103")
    assert "top.py" not in out and "inner.py" not in out


def test_pyproject_without_the_table_is_passed_over(tmp_path, monkeypatch):
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nignore = ["SL103"]\n')
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n')
    write(tmp_path, "sub/bug.py")
    monkeypatch.chdir(tmp_path)
    assert codes_by_file(["sub/bug.py"]) == {}


def test_shapelint_toml_wins_over_pyproject_in_one_directory(tmp_path, monkeypatch):
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nignore = ["SL103"]\n')
    write(tmp_path, "shapelint.toml", 'select = ["SL1"]\n')
    write(tmp_path, "bug.py")
    monkeypatch.chdir(tmp_path)
    assert codes_by_file(["bug.py"]) == {"bug.py": [(8, "SL103")]}


def test_file_without_configuration_above_uses_the_working_directory_one(tmp_path, monkeypatch):
    write(tmp_path, "proj/pyproject.toml", '[tool.shapelint]\nignore = ["SL103"]\n')
    outside = write(tmp_path, "elsewhere/bug.py")
    monkeypatch.chdir(tmp_path / "proj")
    assert codes_by_file([outside]) == {}
    assert codes_by_file([outside], isolated=True) != {}


def test_config_flag_applies_to_every_file(tmp_path, monkeypatch, capsys):
    write(tmp_path, "sub/pyproject.toml", '[tool.shapelint]\nselect = ["SL2"]\n')
    write(tmp_path, "sub/bug.py")
    write(tmp_path, "cfg/custom.toml", 'ignore = ["SL1"]\n')
    write(tmp_path, "ok.toml", 'extend-select = ["SL3"]\n')
    monkeypatch.chdir(tmp_path)
    assert codes_by_file(["sub"]) == {}
    assert codes_by_file(["sub"], config="ok.toml") == {"sub/bug.py": [(8, "SL103")]}  # sub's ignored
    code, out, _ = cli_run(["check", "--config", "cfg/custom.toml", "sub"], capsys)
    assert (code, out) == (0, "")
    code, _, err = cli_run(["check", "--config", "nope.toml", "sub"], capsys)
    assert code == 2 and "--config: no such file: nope.toml" in err
    code, _, err = cli_run(["check", "--config", "ok.toml", "--isolated", "sub"], capsys)
    assert code == 2 and "--config and --isolated" in err


def test_isolated_ignores_every_configuration(tmp_path, monkeypatch, capsys):
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nignore = ["SL103"]\n')
    write(tmp_path, "sub/shapelint.toml", "this is not TOML\n")  # never even read
    write(tmp_path, "sub/bug.py")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli_run(["check", "--isolated", "."], capsys)
    assert code == 1 and "sub/bug.py:8:11: SL103" in out


def test_configurations_are_read_once_per_directory(tmp_path, monkeypatch):
    import shapelint.config as config

    write(tmp_path, "pyproject.toml", "[tool.shapelint]\n")
    for i in range(5):
        write(tmp_path, "a/b/m%d.py" % i)
        write(tmp_path, "c/m%d.py" % i)
    calls = []
    real = config.load_table
    monkeypatch.setattr(config, "load_table", lambda p: calls.append(p) or real(p))
    monkeypatch.chdir(tmp_path)
    run(["."], RunOptions())
    assert calls == [os.path.join(str(tmp_path), "pyproject.toml")]


def test_resolver_unit(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\n")
    write(tmp_path, "a/shapelint.toml", "")
    r = Resolver(cwd=str(tmp_path))
    assert r.for_file(str(tmp_path / "a" / "b" / "x.py")).path == str(tmp_path / "a" / "shapelint.toml")
    assert r.for_file(str(tmp_path / "x.py")).root == str(tmp_path)
    assert Resolver(isolated=True).for_file(str(tmp_path / "x.py")) is None


# -- selection keys -------------------------------------------------------------------------------


def test_select_ignore_layers_like_ruff(tmp_path, monkeypatch, capsys):
    write(tmp_path, "bug.py")
    write(tmp_path, "boom.py", EXPLODING)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nparam-explosion-min-params = 1000000\nextend-ignore = ["SL103"]\n')
    assert codes_by_file(["."]) == {"boom.py": [(4, "SL201")]}
    # the command line's --ignore adds to the configured ignores (as in ruff)
    assert codes_by_file(["."], ignore=["SL201"]) == {}
    # --select starts over: the configured ignores no longer apply
    assert codes_by_file(["."], select=["SL1"]) == {"bug.py": [(8, "SL103")]}
    # --extend-ignore on the command line
    code, out, _ = cli_run(["check", ".", "--extend-ignore", "SL2"], capsys)
    assert (code, out) == (0, "")
    code, _, err = cli_run(["check", ".", "--extend-ignore", "XY1"], capsys)
    assert code == 2 and "--extend-ignore: 'XY1' matches no rule" in err
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nselect = ["SL2"]\nextend-select = ["SL1"]\nignore = ["SL103"]\n')
    assert codes_by_file(["."]) == {}  # ignore wins within one layer
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nselect = ["SL2"]\n')
    assert codes_by_file(["."], extend_select=["SL103"]) == {"bug.py": [(8, "SL103")]}


def test_per_file_ignores(tmp_path, monkeypatch, capsys):
    write(
        tmp_path, "proj/pyproject.toml",
        textwrap.dedent(
            """\
            [tool.shapelint]
            [tool.shapelint.per-file-ignores]
            "tests/**" = ["SL103"]
            "legacy_*.py" = ["SL1"]
            "/top.py" = ["SL103"]
            "!keep/*.py" = ["SL201"]
            """
        ),
    )
    for rel in ("tests/unit/bug.py", "src/legacy_model.py", "top.py", "src/top.py", "src/bug.py", "keep/bug.py"):
        write(tmp_path, "proj/" + rel)
    monkeypatch.chdir(tmp_path)  # patterns are relative to proj/, wherever the run starts
    assert codes_by_file(["proj"]) == {
        "proj/keep/bug.py": [(8, "SL103")],
        "proj/src/bug.py": [(8, "SL103")],
        "proj/src/top.py": [(8, "SL103")],
    }
    # from the command line: relative to the working directory, added to the configured ones
    code, out, _ = cli_run(["check", "proj", "--per-file-ignores", "proj/src/*.py:SL103"], capsys)
    assert code == 1 and out.splitlines()[0].startswith("proj/keep/bug.py:8:11: SL103") and "src/" not in out
    code, _, err = cli_run(["check", "proj", "--per-file-ignores", "proj/src/*.py"], capsys)
    assert code == 2 and "expected PATTERN:CODES" in err
    code, _, err = cli_run(["check", "proj", "--per-file-ignores", "x.py:SL9"], capsys)
    assert code == 2 and "'SL9' matches no rule" in err


def test_per_file_ignores_cannot_hide_a_syntax_error(tmp_path, monkeypatch):
    write(tmp_path, "pyproject.toml", '[tool.shapelint.per-file-ignores]\n"*.py" = ["ALL"]\n')
    write(tmp_path, "bad.py", "import keras\ndef (:\n")
    write(tmp_path, "bug.py")
    monkeypatch.chdir(tmp_path)
    assert codes_by_file(["."]) == {"bad.py": [(2, "SL001")]}


def test_severity_override_is_visible_in_json(tmp_path, monkeypatch, capsys):
    write(tmp_path, "bug.py")
    write(tmp_path, "boom.py", EXPLODING)
    write(
        tmp_path, "pyproject.toml",
        '[tool.shapelint]\nparam-explosion-min-params = 1000000\n[tool.shapelint.severity]\nSL1 = "warning"\nSL201 = "error"\n',
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli_run(["check", ".", "--format", "json"], capsys)
    assert code == 1
    got = {(d["path"], d["code"], d["severity"]) for d in json.loads(out)["diagnostics"]}
    assert got == {("./boom.py", "SL201", "error"), ("./bug.py", "SL103", "warning")}
    # the most specific entry wins; severity never changes the exit code
    write(tmp_path, "pyproject.toml", '[tool.shapelint.severity]\nALL = "info"\nSL10 = "warning"\nSL103 = "error"\n')
    code, out, _ = cli_run(["check", "bug.py", "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["diagnostics"][0]["severity"] == "error"
    write(tmp_path, "pyproject.toml", '[tool.shapelint.severity]\nALL = "info"\n')
    code, out, _ = cli_run(["check", "bug.py", "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["diagnostics"][0]["severity"] == "info"


def test_image_data_format_per_file(tmp_path, monkeypatch):
    src = "import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((3, 32, 32)), layers.Conv2D(8, 5)])\n"
    write(tmp_path, "last/m.py", src)
    write(tmp_path, "first/m.py", src)
    write(tmp_path, "first/shapelint.toml", 'image-data-format = "channels_first"\n')
    monkeypatch.chdir(tmp_path)
    assert list(codes_by_file(["."])) == ["last/m.py"]
    assert codes_by_file(["."], image_data_format="channels_first") == {}  # the command line wins


def test_src_is_relative_to_the_configuration(tmp_path, monkeypatch):
    write(tmp_path, "proj/pyproject.toml", '[tool.shapelint]\nsrc = ["lib"]\n')
    cfg = load_config(str(tmp_path / "proj" / "pyproject.toml"))
    assert cfg.table["src"] == [str(tmp_path / "proj" / "lib")]


# -- inputs -----------------------------------------------------------------------------------------


def _summary_json(argv, capsys):
    code, out, err = cli_run(["summary", "--format", "json"] + argv, capsys)
    assert code in (0, 1), err
    data = json.loads(out)
    return code, data


def test_inputs_key_reproduces_the_input_flag(tmp_path, monkeypatch, capsys):
    write(tmp_path, "net.py", TORCH_NET)
    write(tmp_path, "k.py", KERAS_NO_INPUT)
    monkeypatch.chdir(tmp_path)
    # without an input: nothing certain to report
    assert cli_run(["check", "net.py", "k.py"], capsys)[0] == 0
    flag_torch = _summary_json(["net.py", "--input", "1,3,64,64"], capsys)
    flag_keras = _summary_json(["k.py", "--input", "28,28,1"], capsys)
    write(tmp_path, "pyproject.toml", "[tool.shapelint.inputs]\nNet = [1, 3, 64, 64]\nmodel = [28, 28, 1]\n")
    assert _summary_json(["net.py"], capsys) == flag_torch
    assert _summary_json(["k.py"], capsys) == flag_keras
    assert flag_torch[0] == 1 and flag_torch[1]["diagnostics"][0]["code"] == "SL107"
    assert flag_keras[0] == 1 and flag_keras[1]["diagnostics"][0]["code"] == "SL103"
    # `check` uses the configured inputs too
    code, out, _ = cli_run(["check", "net.py", "k.py"], capsys)
    assert code == 1
    assert [" ".join(line.split()[:2]) for line in out.splitlines()] == ["net.py:9:19: SL107", "k.py:7:5: SL103"]
    # --input wins over the configuration
    assert _summary_json(["net.py", "--input", "1,3,32,32"], capsys)[0] == 0


def test_inputs_key_several_inputs_and_names(tmp_path, monkeypatch, capsys):
    two = textwrap.dedent(
        """\
        import torch
        from torch import nn


        class Two(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(8, 4)
                self.b = nn.Linear(6, 4)

            def forward(self, x, y):
                return self.a(x) + self.b(y)


        net = Two()
        """
    )
    write(tmp_path, "two.py", two)
    monkeypatch.chdir(tmp_path)
    # by variable name (which wins over the class name), several inputs
    write(tmp_path, "pyproject.toml", "[tool.shapelint.inputs]\nnet = [[2, 8], [2, 7]]\nTwo = [[2, 8], [2, 6]]\n")
    code, out, _ = cli_run(["check", "two.py"], capsys)
    assert code == 1 and "SL107" in out
    write(tmp_path, "pyproject.toml", "[tool.shapelint.inputs]\nTwo = [[2, 8], [2, 7]]\n")
    code, out, _ = cli_run(["check", "two.py"], capsys)
    assert code == 1 and "SL107" in out
    write(tmp_path, "pyproject.toml", "[tool.shapelint.inputs]\nTwo = [[2, 8], [2, 6]]\n")
    code, data = _summary_json(["two.py"], capsys)
    assert code == 0 and data["models"][0]["layers"][0]["output_shape"] == [2, 4]


def test_inputs_comment_in_the_file_wins(tmp_path, monkeypatch, capsys):
    src = TORCH_NET.replace("class Net(nn.Module):", "class Net(nn.Module):  # shapelint: input=(1, 3, 32, 32)")
    write(tmp_path, "net.py", src)
    write(tmp_path, "pyproject.toml", "[tool.shapelint.inputs]\nNet = [1, 3, 64, 64]\n")
    monkeypatch.chdir(tmp_path)
    assert cli_run(["check", "net.py"], capsys)[0] == 0


# -- bad configuration: exit 2, file, key and expected type named ------------------------------------


@pytest.mark.parametrize(
    "toml,message",
    [
        ("selct = ['SL1']", "unknown key 'selct' in the shapelint settings; did you mean 'select'?"),
        ("select = 'SL1'", "'select' must be a list of rule codes or prefixes, not 'SL1'"),
        ("extend-ignore = ['XY']", "'extend-ignore': 'XY' matches no rule"),
        ("exclude = 'build'", "'exclude' must be a list of gitignore-style patterns (strings), not 'build'"),
        ("extend-exclude = ['/']", "'extend-exclude': pattern '/' matches nothing"),
        ("respect-gitignore = 'yes'", "'respect-gitignore' must be true or false, not 'yes'"),
        ("image-data-format = 'nhwc'", "'image-data-format' must be \"channels_last\" or \"channels_first\", not 'nhwc'"),
        ("param-explosion-min-params = -1", "'param-explosion-min-params' must be a non-negative integer, not -1"),
        ("per-file-ignores = ['x']", "'per-file-ignores' must be a table of pattern = list of codes"),
        ("per-file-ignores = { 'tests/*' = 'SL1' }", "'per-file-ignores.\"tests/*\"' must be a list of rule codes or prefixes, not 'SL1'"),
        ("per-file-ignores = { 'tests/*' = ['SL9'] }", "'per-file-ignores.\"tests/*\"': 'SL9' matches no rule"),
        ("severity = { SL103 = 'fatal' }", "'severity.SL103' must be \"error\", \"warning\" or \"info\", not 'fatal'"),
        ("severity = { XY1 = 'info' }", "'severity.XY1': 'XY1' matches no rule"),
        ("inputs = { Net = '1,3,32,32' }", "'inputs.Net' must be an input shape as a list of positive integers"),
        ("inputs = { Net = [1, 0, 32] }", "'inputs.Net' must be an input shape"),
        ("inputs = [1, 3]", "'inputs' must be a table of model or class name = input shape"),
        ("src = 'src'", "'src' must be a list of directories, not 'src'"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_values_exit_2_naming_file_key_and_type(tmp_path, monkeypatch, capsys, toml, message):
    write(tmp_path, "bug.py")
    cfg = write(tmp_path, "pyproject.toml", "[tool.shapelint]\n" + toml + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli_run(["check", "bug.py"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("shapelint: error: %s: " % cfg)
    assert message in err


def test_bad_nested_configuration_exits_2(tmp_path, monkeypatch, capsys):
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\n")
    write(tmp_path, "a/ok.py")
    bad = write(tmp_path, "z/deep/shapelint.toml", "respect-gitignore = 1\n")
    write(tmp_path, "z/deep/m.py")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli_run(["check", "."], capsys)
    assert code == 2 and out == ""
    assert "%s: 'respect-gitignore' must be true or false, not 1" % bad in err
    with pytest.raises(UsageError):
        run(["."], RunOptions())
    with pytest.raises(UsageError):
        run_text(str(tmp_path / "z" / "deep" / "m.py"), BUGGY, RunOptions())


def test_tool_table_in_shapelint_toml_gets_a_hint(tmp_path, monkeypatch, capsys):
    write(tmp_path, "bug.py")
    write(tmp_path, "shapelint.toml", '[tool.shapelint]\nselect = ["SL1"]\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = cli_run(["check", "bug.py"], capsys)
    assert code == 2 and "without [tool.shapelint]" in err


def test_config_error_type(tmp_path):
    path = write(tmp_path, "pyproject.toml", "[tool.shapelint]\nbogus = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(path + ": unknown key 'bogus'")


# -- the editor path ------------------------------------------------------------------------------


def test_run_text_uses_the_files_configuration(tmp_path, monkeypatch):
    write(tmp_path, "proj/pyproject.toml", '[tool.shapelint.per-file-ignores]\n"tests/*.py" = ["SL103"]\n')
    monkeypatch.chdir(tmp_path)
    assert run_text(str(tmp_path / "proj" / "tests" / "t.py"), BUGGY, RunOptions()).diagnostics == []
    assert [d.code for d in run_text(str(tmp_path / "proj" / "m.py"), BUGGY, RunOptions()).diagnostics] == ["SL103"]
