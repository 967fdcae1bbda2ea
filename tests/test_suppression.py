"""``# noqa``, ``# shapelint: disable-file`` and SL005 (unused-noqa)."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from shapelint import cli, suppression
from shapelint.analysis import Settings, analyze_bytes
from shapelint.runner import RunOptions, run
from shapelint.suppression import scan, severity_for

HEAD = "import keras\nfrom keras import layers\n\n"
# line 5: SL103 (an LSTM fed a 2-D tensor)
LINE5 = HEAD + "inputs = keras.Input(shape=(4160,))\nx = layers.LSTM(4)(inputs){comment}\nmodel = keras.Model(inputs, x)\n"


def check(src, select=None, **kw):
    """(line, code) of every diagnostic reported for ``src``."""
    settings = Settings(select=select, **kw)
    result = analyze_bytes("m.py", src.encode("utf-8"), settings, force=True)
    return [(d.span.line, d.code) for d in result.diagnostics]


def diags(src, select=None):
    return analyze_bytes("m.py", src.encode("utf-8"), Settings(select=select), force=True).diagnostics


def test_the_example_reports_sl103_on_line_5():
    assert check(LINE5.format(comment="")) == [(5, "SL103")]


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa: SL103",
        "  # noqa:SL103",
        "  # NOQA: sl103",
        "  # noqa: SL101, SL103",
        "  # noqa: SL101 SL103",
        "  # noqa: E501,SL103  because the LSTM is replaced later",
        "  # noqa",
        "  # noqa SL101",  # no colon: a bare noqa, as in flake8
        "  # noqa:",
        "  # type: ignore  # noqa: SL103",
        "  #noqa",
    ],
)
def test_noqa_forms_that_suppress(comment):
    assert check(LINE5.format(comment=comment)) == []


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa: SL101",
        "  # noqa: SL1",  # prefixes do not count: exact codes, as in ruff
        "  # noqa: E501",
        "  # noqanything",
        "  # no qa",
        "  # shapelint: noqa-ish",
    ],
)
def test_noqa_forms_that_do_not_suppress(comment):
    assert check(LINE5.format(comment=comment)) == [(5, "SL103")]


def test_noqa_on_another_line_does_not_suppress():
    src = LINE5.format(comment="").replace("inputs = keras.Input(shape=(4160,))", "inputs = keras.Input(shape=(4160,))  # noqa")
    assert check(src) == [(5, "SL103")]


def test_noqa_in_a_string_is_not_a_comment():
    src = LINE5.format(comment='; s = "# noqa"')
    assert check(src) == [(5, "SL103")]


def test_multi_line_call_uses_its_first_line():
    src = HEAD + "inputs = keras.Input(shape=(4160,))\nx = layers.LSTM({comment}\n    4,\n)(inputs)\nmodel = keras.Model(inputs, x)\n"
    assert check(src.format(comment="")) == [(5, "SL103")]
    assert check(src.format(comment="  # noqa: SL103")) == []
    last = src.format(comment="").replace(")(inputs)", ")(inputs)  # noqa: SL103")
    assert check(last) == [(5, "SL103")]


def test_disable_file():
    src = "# shapelint: disable-file\n" + LINE5.format(comment="")
    assert check(src) == []
    assert check(LINE5.format(comment="") + "\n\n    # shapelint: disable-file\n") == []
    assert check(LINE5.format(comment="") + "#shapelint:disable-file\n") == []
    # not on its own line, or inside a string: no effect
    assert check(LINE5.format(comment="  # shapelint: disable-file")) == [(5, "SL103")]
    assert check(LINE5.format(comment="") + 's = """\n# shapelint: disable-file\n"""\n') == [(5, "SL103")]


def test_disable_file_keeps_syntax_and_read_errors():
    assert check("# shapelint: disable-file\nimport keras\ndef (:\n") == [(3, "SL001")]
    result = analyze_bytes("m.py", b"# shapelint: disable-file\nimport keras\nx = '\xff'\n", Settings(), force=True)
    assert [d.code for d in result.diagnostics] == ["SL002"]


def test_noqa_cannot_hide_a_syntax_error():
    assert check("import keras\ndef (:  # noqa\n") == [(2, "SL001")]


def test_noqa_suppresses_an_analysis_limit_note():
    deep = "import keras{}\nx = " + "-" * 100000 + "1\n"  # reported on line 1: too deep to parse
    assert check(deep.format(""), select=["ALL"]) == [(1, "SL004")]
    assert check(deep.format("  # noqa: SL004"), select=["ALL"]) == []


def test_files_without_directives_are_not_tokenized(monkeypatch):
    def boom(text):
        raise AssertionError("scan() called for a file without noqa")

    monkeypatch.setattr(suppression, "scan", boom)
    assert check(LINE5.format(comment="")) == [(5, "SL103")]
    with pytest.raises(AssertionError):
        check(LINE5.format(comment="  # noqa"))


def test_scan_records_codes_and_positions():
    text = "x = 1  # noqa: SL103, E501 SL1\ny = 2  # noqa\n# shapelint: disable-file\n"
    d = scan(text)
    assert d.disable_file
    assert d.noqa[1].codes == [("SL103", 15, 20), ("E501", 22, 26), ("SL1", 27, 30)]
    assert text.splitlines()[0][15:20] == "SL103"
    assert d.noqa[2].codes is None
    assert scan("x = 1\n").noqa == {}


# -- SL005 unused-noqa ----------------------------------------------------------------------------


def test_unused_noqa_is_off_by_default():
    assert check(LINE5.format(comment="  # noqa: SL101")) == [(5, "SL103")]


def test_unused_noqa_reports_each_unused_shapelint_code():
    src = LINE5.format(comment="  # noqa: SL103, SL101, E501, SL1")
    got = diags(src, select=["SL1", "SL005"])
    assert [(d.span.line, d.code) for d in got] == [(5, "SL005"), (5, "SL005")]
    line = src.splitlines()[4]
    first, second = got
    assert line[first.span.column:first.span.end_column] == "SL101"
    assert "no SL101 diagnostic is reported on this line" in first.message
    assert line[second.span.column:second.span.end_column] == "SL1"
    assert "SL1 is not a shapelint rule code" in second.message
    assert first.severity == "info"


def test_unused_noqa_on_a_clean_line():
    src = HEAD + "model = keras.Sequential([keras.Input((8,)), layers.Dense(4)])  # noqa: SL103\n"
    assert check(src, select=["ALL"]) == [(4, "SL005")]
    # only other tools' codes, or a bare noqa: not judged
    assert check(src.replace("SL103", "E501"), select=["ALL"]) == []
    assert check(src.replace(": SL103", ""), select=["ALL"]) == []
    # a comment that names SL005 keeps its other codes quietly
    assert check(src.replace("SL103", "SL103, SL005"), select=["ALL"]) == []


def test_unused_noqa_skips_codes_that_are_turned_off():
    src = HEAD + "model = keras.Sequential([keras.Input((8,)), layers.Dense(4)])  # noqa: SL201\n"
    assert check(src, select=["SL005"]) == []
    assert check(src, select=["SL005", "SL201"]) == [(4, "SL005")]


def test_unused_noqa_is_silent_when_the_analysis_was_incomplete():
    src = "import keras\nx = " + "-" * 100000 + "1  # noqa: SL103\n"
    assert check(src, select=["ALL"]) == [(1, "SL004")]


def test_disable_file_also_silences_unused_noqa():
    src = "# shapelint: disable-file\n" + HEAD + "m = keras.Sequential([keras.Input((8,)), layers.Dense(4)])  # noqa: SL103\n"
    assert check(src, select=["ALL"]) == []


# -- through the command line ---------------------------------------------------------------------


def write(root, rel, text):
    path = os.path.join(str(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_cli_noqa_disable_file_and_unused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.py", LINE5.format(comment="  # noqa: SL103"))
    write(tmp_path, "b.py", "# shapelint: disable-file\n" + LINE5.format(comment=""))
    write(tmp_path, "c.py", LINE5.format(comment="  # noqa: SL101"))
    code = cli.main(["check", "."])
    out, _ = capsys.readouterr()
    assert code == 1 and [line.split(" ")[0] for line in out.splitlines()] == ["./c.py:5:5:"]
    code = cli.main(["check", ".", "--extend-select", "SL005", "--format", "json"])
    out, _ = capsys.readouterr()
    got = [(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(out)["diagnostics"]]
    col = LINE5.format(comment="  # noqa: SL101").splitlines()[4].index("SL101") + 1
    assert got == [("./c.py", 5, 5, "SL103"), ("./c.py", 5, col, "SL005")]


def test_config_enables_unused_noqa_and_sets_its_severity(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "c.py", LINE5.format(comment="  # noqa: SL103, SL102"))
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nextend-select = ["SL005"]\n[tool.shapelint.severity]\nSL005 = "warning"\n')
    result = run(["."], RunOptions())
    assert [(d.code, d.severity) for d in result.diagnostics] == [("SL005", "warning")]


def test_severity_for():
    assert severity_for("SL103", {"SL1": "warning", "SL10": "info"}) == "info"
    assert severity_for("SL201", {"SL1": "warning"}) is None
    assert severity_for("SL201", {"ALL": "info", "SL2": "error"}) == "error"


def test_no_comment_hides_an_internal_error(tmp_path, monkeypatch, capsys):
    # an internal error sets the exit status to 2: its message must be printed with it
    from shapelint import analysis

    def crash(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis, "_analyze_text", crash)
    for src in ("# shapelint: disable-file\nimport keras\n", "import keras  # noqa\n"):
        p = tmp_path / "m.py"
        p.write_text(src)
        code = cli.main(["check", str(p)])
        out = capsys.readouterr().out
        assert code == 2
        assert "SL003" in out and "boom" in out
