"""Function bodies parsed on first call (shapelint.lazybodies): the cut text keeps every
line, a cut body runs as the real one, positions inside it are the file's, and the analysis
of every fixture and acceptance file is the same with and without the cuts."""

from __future__ import annotations

import ast
import glob
import os
import textwrap

import libcst as cst
import pytest

from shapelint import lazybodies, project
from shapelint.analysis import Settings, analyze_bytes, parse_skeleton

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACCEPTANCE = os.path.join(os.path.dirname(ROOT), "shared", "acceptance")


@pytest.fixture
def cuts_off(monkeypatch):
    def switch(on: bool) -> None:
        monkeypatch.setattr(lazybodies, "ENABLED", on)
        project._PARSED.clear()
        project._BY_TEXT.clear()

    yield switch
    project._PARSED.clear()
    project._BY_TEXT.clear()


def skeleton_of(text: str) -> str:
    return lazybodies.skeleton(text, ast.parse(text))


SOURCE = textwrap.dedent(
    '''\
    import torch.nn as nn


    def build(width):  # a comment
        layers = []
        for i in range(3):
            layers.append(nn.Linear(width, width))
        return nn.Sequential(*layers)


    class Net(nn.Module):
        scale = 2

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 8)
            self.out = nn.Linear(8, 2)

        def short(self): return 1

        def forward(
            self, x
        ):
            x = self.fc(x)
            x = x.relu()
            return self.out(x)

        class Inner:
            def method(self):
                a = 1
                b = 2
                return a + b
    '''
)


def test_every_long_body_is_cut_and_every_line_kept():
    cut = skeleton_of(SOURCE)
    assert cut.count("\n") == SOURCE.count("\n")
    assert cut.count('"""' + lazybodies.MARK) == 4  # build, __init__, forward, Inner.method
    for keep in ("def build(width):  # a comment", "    scale = 2", "    def short(self): return 1", "    ):"):
        assert keep in cut.splitlines()
    # every statement outside the cut bodies is where it was
    original, skeleton = cst.parse_module(SOURCE), cst.parse_module(cut)
    assert [type(s).__name__ for s in original.body] == [type(s).__name__ for s in skeleton.body]
    classes = [n for n in ast.parse(cut).body if isinstance(n, ast.ClassDef)]
    original_classes = [n for n in ast.parse(SOURCE).body if isinstance(n, ast.ClassDef)]
    assert [(f.name, f.lineno) for f in classes[0].body if isinstance(f, ast.FunctionDef)] == [
        (f.name, f.lineno) for f in original_classes[0].body if isinstance(f, ast.FunctionDef)
    ]


def test_a_cut_body_parses_to_the_real_block():
    cut = skeleton_of(SOURCE)
    module = cst.parse_module(cut)
    build = module.body[1]
    n = lazybodies.cut_number(build.body)
    assert n is not None
    block = lazybodies.block(n)
    assert isinstance(block, cst.IndentedBlock)
    assert [type(s).__name__ for s in block.body] == ["SimpleStatementLine", "For", "SimpleStatementLine"]
    assert lazybodies.block(n) is block  # parsed once
    real = cst.parse_module(SOURCE).body[1].body
    code = cst.Module([]).code_for_node
    assert [code(s) for s in real.body] == [code(s) for s in block.body]


@pytest.mark.parametrize(
    "source",
    [
        "def f(): return 1\n",  # a body on the header's line
        "def f():\n    a = 1\n    return a\n",  # two lines: parsed with the rest
        "def f():\n    a = 1\n    b = 2\n    return a + b; \\\n\n",  # a continuation after the last statement
        "if True:\n    def f():\n        a = 1\n        b = 2\n        return a\n",  # not at the top level
        "def f():\n    a = 1\n    b = 2\n    return a\r",  # old Mac line ends
    ],
)
def test_what_is_not_cut(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        pytest.skip("not Python")
    assert lazybodies.skeleton(source, tree) == source


def test_crlf_tabs_and_a_trailing_comment():
    source = "class A:\r\n\tdef f(self):\r\n\t\ta = 1\r\n\t\tb = 2\r\n\t\treturn a  # done\r\n\r\nx = 1\r\n"
    cut = skeleton_of(source)
    assert cut != source and cut.count("\r\n") == source.count("\r\n") and "\n" not in cut.replace("\r\n", "")
    module = cst.parse_module(cut)
    n = lazybodies.cut_number(module.body[0].body.body[0].body)
    assert [type(s).__name__ for s in lazybodies.block(n).body] == ["SimpleStatementLine"] * 3


def test_a_body_that_begins_with_a_decorated_definition_is_cut_with_its_decorator():
    # the decorated function's ``lineno`` is its ``def`` line: a cut from there left the
    # decorator behind and the cut text did not parse (the whole file was parsed instead)
    source = textwrap.dedent(
        """\
        import torch


        def test_script():
            @torch.jit.script
            def inner(x):
                return x + 1

            return inner
        """
    )
    cut = skeleton_of(source)
    assert "@torch.jit.script" not in cut and cut.count("\n") == source.count("\n")
    module = cst.parse_module(cut)  # raised ParserSyntaxError before
    n = lazybodies.cut_number(module.body[1].body)
    block = lazybodies.block(n)
    code = cst.Module([]).code_for_node
    assert [code(s) for s in block.body] == [code(s) for s in cst.parse_module(source).body[1].body.body]


def test_a_non_ascii_line_before_the_body():
    source = "def f(x='é'):\n    a = 'ü'\n    b = 2\n    return a\n"
    assert skeleton_of(source) != source


def test_a_cut_text_that_does_not_parse_falls_back_to_the_whole_text(monkeypatch):
    monkeypatch.setattr(lazybodies, "skeleton", lambda text, tree: "def (:\n")
    module = parse_skeleton(SOURCE, ast.parse(SOURCE))
    assert module.code == SOURCE


def run_file(tmp_path, text, summary=True):
    path = tmp_path / "model.py"
    path.write_text(text)
    return analyze_bytes(str(path), path.read_bytes(), Settings(layer_lines=summary), force=True)


BUGGY = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(100, 10)

        def helper(self):
            unused = 1
            other = 2
            return unused + other

        def forward(self, x):
            x = self.conv(x)
            x = x.flatten(1)
            return self.fc(x)


    net = Net()
    y = net(torch.randn(2, 3, 12, 12))
    """
)


def test_diagnostics_inside_a_cut_body_keep_their_positions(tmp_path, cuts_off):
    found = {}
    for on in (True, False):
        cuts_off(on)
        result = run_file(tmp_path, BUGGY)
        found[on] = [(d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message) for d in result.diagnostics]
        found[on, "layers"] = [(m.name, [(l.name, l.line, l.output_shape, l.params) for l in m.layers]) for m in result.models]
    assert found[True] and found[True] == found[False]
    # the Linear made in __init__ and the flatten and call in forward: all in cut bodies
    assert [(code, line, col) for code, line, col, *_ in found[True]] == [("SL107", 9, 18)]
    assert "flatten at line 18 (in the call at line 19)" in found[True][0][-1]
    assert found[True, "layers"] == found[False, "layers"]
    assert [l[1] for l in found[True, "layers"][0][1]] == [8, 9]


def corpus():
    files = sorted(glob.glob(os.path.join(ROOT, "fixtures", "**", "*.py"), recursive=True))
    files += sorted(glob.glob(os.path.join(ROOT, "tests", "torch_models", "*.py")))
    files += sorted(glob.glob(os.path.join(ACCEPTANCE, "cases", "**", "*.py"), recursive=True))
    return files


def outcome(path):
    with open(path, "rb") as fh:
        data = fh.read()
    result = analyze_bytes(path, data, Settings(), force=True)
    return (
        [(d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message) for d in result.diagnostics],
        [(m.name, m.line, m.total_params, m.resolved, [(l.name, l.type, l.line, l.output_shape, l.params) for l in m.layers]) for m in result.models],
    )


def test_the_analysis_is_the_same_without_the_cuts(cuts_off):
    """Every fixture, test model and acceptance file: diagnostics (with positions) and
    summaries (with layer lines) are equal with and without cut bodies."""
    files = corpus()
    assert len(files) >= 150
    cuts_off(True)
    before = lazybodies.STATS["cut"]
    with_cuts = {p: outcome(p) for p in files}
    assert lazybodies.STATS["cut"] - before >= 150  # the cuts did happen
    cuts_off(False)
    without = {p: outcome(p) for p in files}
    differing = [p for p in files if with_cuts[p] != without[p]]
    assert differing == []
    assert sum(len(d) for d, _ in with_cuts.values()) >= 30  # diagnostics compared
    assert sum(len(m[-1]) for _, models in with_cuts.values() for m in models) >= 1000  # layer rows compared


ANNOTATED = textwrap.dedent(
    '''\
    from typing import Dict, Optional
    import torch


    def build(width: int, *layers: "Layer", scale: Dict[str,
              float] = None, **extra: (int)) -> Optional[torch.nn.Module]:
        return None


    class Net(torch.nn.Module):
        size: int = 3

        def forward(self, x: torch.Tensor, name: 'é' = 'ü') -> torch.Tensor:  # a comment
            y = x
            z = y
            return z

        def split(self) -> Dict[
            str, int]:
            return {}
    '''
)


def test_annotations_of_parameters_and_returns_are_blanked():
    cut = skeleton_of(ANNOTATED)
    ast.parse(cut)  # still Python
    before, after = ANNOTATED.splitlines(), cut.splitlines()
    assert len(before) == len(after)
    assert "int" not in after[4] and '"Layer"' not in after[4] and "Dict" not in after[4]
    assert "float" not in after[5] and "Optional" not in after[5]
    assert "**extra: (int)" in after[5]  # wrapped in parentheses: left
    assert after[4].startswith("def build(width     , *layers         , scale")
    assert after[5].endswith(" = None, **extra: (int))" + " " * len(" -> Optional[torch.nn.Module]") + ":")
    forward = after[12]
    expected = before[12]
    for annotation in (": torch.Tensor", ": 'é'", " -> torch.Tensor"):
        expected = expected.replace(annotation, " " * len(annotation), 1)
    assert forward == expected and "Tensor" not in forward and "'é'" not in forward
    assert len(forward) == len(before[12])  # characters, not bytes: the non-ASCII line keeps its columns
    assert "-> Dict[" in after[17]  # a return annotation over two lines: left
    assert "size: int = 3" in cut  # a class attribute's annotation is not a parameter's
    # every other token keeps its place: LibCST finds the same statements
    assert [type(s).__name__ for s in cst.parse_module(cut).body] == [type(s).__name__ for s in cst.parse_module(ANNOTATED).body]


def test_blanked_annotations_change_no_analysis(tmp_path, cuts_off):
    text = ANNOTATED.replace("return None", "return torch.nn.Linear(4, 2)")
    found = {}
    for on in (True, False):
        cuts_off(on)
        result = run_file(tmp_path, text)
        found[on] = ([(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics],
                     [(m.name, [(l.name, l.line, l.output_shape, l.params) for l in m.layers]) for m in result.models])
    assert found[True][1] and found[True] == found[False]
