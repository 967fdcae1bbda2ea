"""The command line: subcommands, formats, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from shapelint import cli

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

CLEAN = textwrap.dedent(
    """\
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs)
    """
)


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding=encoding)
    return str(p)


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0_and_prints_nothing(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, err = run([path], capsys)
    assert code == 0
    assert out == ""


def test_bug_exits_1_with_concise_line(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    code, out, _ = run(["check", path], capsys)
    assert code == 1
    # 1-based line and column, ruff's concise format
    assert out.splitlines() == [
        "%s:8:11: SL103 LSTM expects 3-D input (batch, timesteps, features) but receives (None, 5408) "
        "from Flatten at line 7. A recurrent layer needs a sequence: the usual fix is return_sequences=True "
        "on the previous recurrent layer, a Reshape to (timesteps, features), or a RepeatVector." % path
    ]


def test_check_is_the_default_subcommand(tmp_path, capsys):
    path = write(tmp_path, "src/bug.py", BUGGY)
    code, out, _ = run([str(tmp_path / "src")], capsys)
    assert code == 1
    assert "SL103" in out


def test_exit_zero(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    code, out, _ = run(["--exit-zero", path], capsys)
    assert code == 0 and "SL103" in out


def test_json_contract(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    code, out, _ = run(["check", "--format", "json", path], capsys)
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["diagnostics"]
    (d,) = data["diagnostics"]
    assert {k: d[k] for k in ("code", "severity", "path", "line", "column", "end_line", "end_column")} == {
        "code": "SL103",
        "severity": "error",
        "path": path,
        "line": 8,
        "column": 11,
        "end_line": 8,
        "end_column": 25,
    }
    assert d["message"].startswith("LSTM expects 3-D input")
    assert d["related"][0]["line"] == 7


def test_ignore_and_select(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    assert run(["--ignore", "SL103", path], capsys)[0] == 0
    assert run(["--select", "SL1", path], capsys)[0] == 1
    assert run(["--select", "SL2", path], capsys)[0] == 0


def test_unknown_code_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    code, _, err = run(["--select", "XY9", path], capsys)
    assert code == 2 and "matches no rule" in err


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    code, _, err = run([str(tmp_path / "nope.py")], capsys)
    assert code == 2 and "no such file" in err


def test_bad_flag_is_a_usage_error(capsys):
    assert run(["check", "--no-such-flag"], capsys)[0] == 2


def test_syntax_error_is_reported_and_other_files_still_checked(tmp_path, capsys):
    write(tmp_path, "a_broken.py", "import keras\ndef f(:\n    pass\n")
    write(tmp_path, "b_bug.py", BUGGY)
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert any("a_broken.py:2:" in l and "SL001 Syntax error" in l for l in lines)
    assert any("b_bug.py:8:11: SL103" in l for l in lines)


def test_undecodable_file_is_reported(tmp_path, capsys):
    write(tmp_path, "bad.py", b"import keras\nx = '\xff\xfe'\n")
    code, out, _ = run([str(tmp_path / "bad.py")], capsys)
    assert code == 1 and "SL002" in out


def test_latin1_with_coding_cookie_is_read(tmp_path, capsys):
    src = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + BUGGY
    path = write(tmp_path, "latin.py", src.encode("latin-1"))
    code, out, _ = run([path], capsys)
    assert code == 1 and ":10:11: SL103" in out


def test_bom_and_crlf(tmp_path, capsys):
    data = b"\xef\xbb\xbf" + BUGGY.replace("\n", "\r\n").encode()
    path = write(tmp_path, "bom.py", data)
    code, out, _ = run([path], capsys)
    assert code == 1 and ":8:11: SL103" in out


def test_internal_error_becomes_a_diagnostic_and_exit_2(tmp_path, capsys, monkeypatch):
    from shapelint import analysis

    real = analysis._analyze_text

    def boom(result, text, *a, **k):
        if "BOOM" in text:
            raise RuntimeError("simulated failure")
        return real(result, text, *a, **k)

    monkeypatch.setattr(analysis, "_analyze_text", boom)
    write(tmp_path, "a.py", "import keras\nmodel = keras.Sequential()\n# BOOM\n")
    write(tmp_path, "b.py", BUGGY)
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 2
    assert "SL003 Internal error while analysing this file: RuntimeError: simulated failure" in out
    assert "b.py:8:11: SL103" in out


def test_prefilter_skips_files_without_a_framework(tmp_path, capsys, monkeypatch):
    from shapelint import analysis

    write(tmp_path, "plain.py", "def f(:\n")  # would be a syntax error if parsed
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 0 and out == ""


def test_summary_json_contract(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["diagnostics"] == []
    (m,) = data["models"]
    assert m["framework"] == "keras" and m["path"] == path and m["line"] == 8
    assert [(l["type"], l["output_shape"], l["params"]) for l in m["layers"]] == [
        ("Conv2D", [None, 26, 26, 8], 80),
        ("GlobalAveragePooling2D", [None, 8], 0),
        ("Dense", [None, 10], 90),
    ]
    assert (m["total_params"], m["trainable_params"], m["non_trainable_params"]) == (170, 170, 0)
    assert m["resolved"] is True


def test_summary_table(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run(["summary", path], capsys)
    assert code == 0
    assert "conv2d (Conv2D)" in out and "(None, 26, 26, 8)" in out
    assert "Total params: 170" in out


BUILDER = textwrap.dedent(
    """\
    import keras
    from keras import layers

    def build(classes=10, side=32):
        inputs = keras.Input(shape=(side, side, 3))
        x = layers.Conv2D(16, 3)(inputs)
        x = layers.Flatten()(x)
        return keras.Model(inputs, layers.Dense(classes)(x))
    """
)


def test_summary_model_expression_and_input_override(tmp_path, capsys):
    path = write(tmp_path, "builder.py", BUILDER)
    code, out, _ = run(["summary", "--format", "json", "--model", "build(classes=5, side=10)", path], capsys)
    (m,) = json.loads(out)["models"]
    assert m["layers"][-1]["output_shape"] == [None, 5]
    assert m["layers"][1]["output_shape"] == [None, 8 * 8 * 16]
    code, out, _ = run(["summary", "--format", "json", "--input", "12,12,3", path], capsys)
    (m,) = json.loads(out)["models"]
    assert m["layers"][1]["output_shape"] == [None, 10 * 10 * 16]


def test_bad_input_shape_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "builder.py", BUILDER)
    assert run(["summary", "--input", "a,b", path], capsys)[0] == 2


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "shapelint", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("shapelint ")


def test_stdin(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "shapelint", "check", "-"], input=BUGGY, capture_output=True, text=True
    )
    assert out.returncode == 1 and out.stdout.startswith("-:8:11: SL103")


EXPLODING = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((64, 64, 3)), layers.Flatten(), layers.Dense(512), layers.Dense(10)])
    """
)


def test_parameter_explosion_thresholds_from_pyproject(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "m.py", EXPLODING)  # Dense holds 6,291,968 of 6,297,098 parameters
    monkeypatch.chdir(tmp_path)
    assert run([path], capsys)[0] == 0  # below the default 10,000,000
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\nparam-explosion-min-params = 1000000\n")
    code, out, _ = run([path], capsys)
    assert code == 1 and "SL201 Dense holds 6,291,968 parameters, 100% of the model's 6,297,098" in out
    assert run(["--isolated", path], capsys)[0] == 0


def test_config_errors_name_file_key_and_type(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "m.py", EXPLODING)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\nparam-explosion-min-share = 'half'\n")
    code, _, err = run([path], capsys)
    assert code == 2
    assert "pyproject.toml: 'param-explosion-min-share' must be a number between 0 and 1, not 'half'" in err
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\nselct = ['SL1']\n")
    code, _, err = run([path], capsys)
    assert code == 2 and "unknown key 'selct'" in err


def test_image_data_format_from_config(tmp_path, capsys, monkeypatch):
    src = textwrap.dedent(
        """\
        import keras
        from keras import layers
        model = keras.Sequential([keras.Input((3, 32, 32)), layers.Conv2D(8, 5)])
        """
    )
    path = write(tmp_path, "m.py", src)
    monkeypatch.chdir(tmp_path)
    assert run([path], capsys)[0] == 1  # channels_last: a 5x5 kernel on a 3x32 map
    write(tmp_path, "shapelint.toml", 'image-data-format = "channels_first"\n')
    assert run([path], capsys)[0] == 0


def test_deep_nesting_does_not_crash_the_run(tmp_path, capsys):
    # LibCST's native parser segfaults on these; CPython's parser screens them first.
    write(tmp_path, "a_parens.py", "import keras\nx = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    write(tmp_path, "b_unary.py", "import keras\nx = " + "-" * 100000 + "1\n")
    write(tmp_path, "c_bug.py", BUGGY)
    code, out, _ = run(["--select", "ALL", str(tmp_path)], capsys)
    assert code == 1
    assert "a_parens.py:2:205: SL001 Syntax error: too many nested parentheses." in out
    assert "b_unary.py:1:1: SL004" in out
    assert "c_bug.py:8:11: SL103" in out


def test_nul_byte_and_bad_byte_positions(tmp_path, capsys):
    write(tmp_path, "nul.py", b"import keras\nx=1\0\n")
    write(tmp_path, "latin.py", b'import keras\nx = "caf\xe9"\n')
    code, out, _ = run([str(tmp_path)], capsys)
    assert "nul.py:2:4: SL001 Syntax error: source code string cannot contain null bytes." in out
    assert "latin.py:2:9: SL002 Cannot decode the file as Python source: byte 0xe9 at line 2, column 9" in out


def test_syntax_error_message_punctuation(tmp_path, capsys):
    write(tmp_path, "comma.py", "import keras\nx = [1 2]\n")
    code, out, _ = run([str(tmp_path / "comma.py")], capsys)
    assert out.rstrip().endswith("Perhaps you forgot a comma?")


def test_builder_analysed_alone_gets_unknown_star_args(tmp_path, capsys):
    # nobody calls it in the file: *size is whatever callers pass, not an empty tuple
    path = write(
        tmp_path,
        "b.py",
        "import torch\n\n\ndef bundle(*size, dtype=None):\n    return torch.zeros(1, dtype=dtype).expand(*size)\n",
    )
    assert run([path], capsys)[0] == 0


def test_model_expression_that_names_no_model_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "m.py", "import torch.nn as nn\n\ndef f():\n    return 3\n")
    code, _, err = run(["summary", "--model", "f()", path], capsys)
    assert code == 2 and "--model 'f()' does not evaluate to a model" in err
    code, _, err = run(["summary", "--model", "f(", path], capsys)
    assert code == 2 and "is not a Python expression" in err


def test_rule_pages_ship_inside_the_package():
    # shapelint/rule_pages links to rules/ in the source tree and is a copy in a wheel,
    # so `shapelint rule CODE` prints the page however shapelint was installed
    from shapelint import docs
    from shapelint.rules import RULES

    for rule in RULES.values():
        assert docs.read_page(rule) is not None, rule.code


def test_check_help_lists_every_format_and_output_flag(capsys):
    from shapelint import reporters

    code, out, _ = run(["check", "--help"], capsys)
    assert code == 0
    for name in reporters.FORMATS:
        assert name in out
    for flag in ("--statistics", "--exit-zero", "--quiet", "--show-source", "--output-file", "--color"):
        assert flag in out


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "bug.py", BUGGY)
    code, out, err = run(["check", "--format", "xml", path], capsys)
    assert code == 2 and out == "" and "invalid choice: 'xml'" in err
