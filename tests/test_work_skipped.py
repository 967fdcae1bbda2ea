"""Work the analysis leaves out because it cannot change a result: builder functions nobody
calls that name nothing a model can come from (``Interpreter.may_build``), and the imports
behind the base classes of classes nobody uses (``_DeferredBase``).  Each is checked for
what it must still run, and the whole test corpus gives the same results with it off."""

from __future__ import annotations

import textwrap

import pytest

from shapelint import analysis, project
from shapelint.analysis import Settings, analyze_bytes
from shapelint.frontends import evaluator

from test_lazybodies import corpus, outcome


@pytest.fixture
def ran(monkeypatch):
    """The names of the file's functions the analysis ran."""
    names = []
    real = evaluator.Interpreter._call_function

    def recording(self, f, args, kwargs, node):
        names.append(f.name)
        return real(self, f, args, kwargs, node)

    monkeypatch.setattr(evaluator.Interpreter, "_call_function", recording)
    return names


def run(tmp_path, source, name="m.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(source))
    return analyze_bytes(str(p), p.read_bytes(), Settings(), force=True)


HELPERS = '''
    import json
    import os

    import torch.nn as nn

    LIMIT = 3
    SEEN = []


    def print_keys(d, parent=""):
        for k, v in d.items():
            if isinstance(v, dict):
                print_keys(v, parent + "." + k)
            else:
                print(parent, k, json.dumps(v), LIMIT)


    def save(d, path):
        os.makedirs(path, exist_ok=True)
        print_keys(d)
        return path


    def remember(x):
        SEEN.append(x)
        return len(SEEN)


    def uses_a_model_helper():
        head = make_head()
        print(head)
        return head


    def make_head(width=8):
        layers = [nn.Linear(width, width) for _ in range(LIMIT)]
        return nn.Sequential(*layers)


    def imports_inside():
        import torch
        return torch.zeros(2)


    def sets_a_global():
        global LIMIT
        LIMIT = 4
        return LIMIT


    def with_a_layer_default(act=nn.ReLU()):
        print("no framework name in the body")
        return act
    '''


def test_functions_that_name_nothing_a_model_comes_from_are_not_run(tmp_path, ran):
    result = run(tmp_path, HELPERS)
    assert "print_keys" not in ran and "save" not in ran
    # everything that may build or change what others read still runs
    for name in ("remember", "uses_a_model_helper", "make_head", "imports_inside", "sets_a_global", "with_a_layer_default"):
        assert name in ran, name
    assert [m.total_params for m in result.models] == [216]  # make_head, run once by its caller


def test_the_same_file_with_the_skip_off_runs_them(tmp_path, ran, monkeypatch):
    monkeypatch.setattr(analysis, "SKIP_INERT", False)
    run(tmp_path, HELPERS)
    assert "print_keys" in ran and "save" in ran


def test_a_star_import_makes_every_function_a_possible_builder(tmp_path, ran):
    run(tmp_path, '''
        from torch.nn import *


        def build():
            a = 1
            b = 2
            return Linear(a, b)
        ''')
    assert "build" in ran


def test_a_file_class_named_in_the_body_is_built(tmp_path, ran):
    result = run(tmp_path, '''
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.fc = nn.Linear(width, 2)


        def main():
            print("building")
            net = Net(4)
            return net
        ''')
    assert "main" in ran
    assert [m.total_params for m in result.models] == [10]


def test_names_from_libraries_no_front_end_knows_make_no_builder(tmp_path, ran):
    run(tmp_path, '''
        import einops
        import torch.nn as nn
        from PIL import Image
        from transformers import AutoTokenizer


        def load(path):
            img = Image.open(path)
            tok = AutoTokenizer.from_pretrained(path)
            return einops.rearrange(img, "h w c -> c h w"), tok


        def build(width=4):
            print("a framework name: run")
            return nn.Linear(width, 2)
        ''')
    assert "load" not in ran
    assert "build" in ran


def test_project_names_and_plain_classes_that_build_nothing_make_no_builder(tmp_path, ran, monkeypatch, clean_project):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "io.py").write_text("import json\n\n\ndef load_json(path):\n    with open(path) as fh:\n        return json.load(fh)\n")
    (pkg / "layers.py").write_text("import torch.nn as nn\n\n\ndef make_mlp(width):\n    return nn.Sequential(nn.Linear(width, width))\n")
    monkeypatch.chdir(tmp_path)
    result = run(pkg, '''
        import torch
        from pkg.io import load_json
        from pkg.layers import make_mlp


        class Config:
            def __init__(self):
                self.width = 4
                self.depth = 2
                self.name = "mlp"


        def read(path):
            data = load_json(path)
            print(data)
            return data


        def describe():
            c = Config()
            print(c.width)
            return c.name


        def build():
            width = 4
            print(width)
            return make_mlp(width)
        ''', name="main.py")
    assert "read" not in ran and "describe" not in ran
    assert "build" in ran
    assert [m.total_params for m in result.models] == [20]


@pytest.fixture
def clean_project():
    project._PARSED.clear()
    project._BY_TEXT.clear()
    yield
    project._PARSED.clear()
    project._BY_TEXT.clear()


def make_package(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mixins.py").write_text(textwrap.dedent('''
        import torch.nn as nn


        class Base(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.fc = nn.Linear(width, width)
        '''))
    (pkg / "heavy.py").write_text("import torch.nn as nn\n\n\nclass Mixin:\n    pass\n")
    (pkg / "blocks.py").write_text(textwrap.dedent('''
        import torch.nn as nn

        from .heavy import Mixin
        from .mixins import Base


        class Unused(Mixin, nn.Module):
            pass


        class Block(Base):
            def __init__(self):
                super().__init__(6)
                self.out = nn.Linear(6, 1)
        '''))
    (pkg / "net.py").write_text(textwrap.dedent('''
        import torch.nn as nn

        from .blocks import Block


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
        '''))
    return pkg


@pytest.mark.parametrize("defer", [True, False])
def test_a_base_class_import_is_followed_when_the_class_is_used(tmp_path, monkeypatch, clean_project, defer):
    monkeypatch.setattr(evaluator, "DEFER_BASES", defer)
    pkg = make_package(tmp_path)
    monkeypatch.chdir(tmp_path)
    project.READS = set()
    try:
        result = analyze_bytes(str(pkg / "net.py"), (pkg / "net.py").read_bytes(), Settings())
        reads = {p.rsplit("/", 1)[-1] for p in project.READS}
    finally:
        project.READS = None
    (model,) = result.models
    assert model.total_params == 6 * 6 + 6 + 6 + 1  # Base's fc through Block's base class
    assert "mixins.py" in reads
    # only the unused class's base comes from there: followed only when bases are not deferred
    assert ("heavy.py" in reads) is not defer


def test_the_corpus_gives_the_same_results_with_the_skips_off(monkeypatch, clean_project):
    files = corpus()
    on = {p: outcome(p) for p in files}
    monkeypatch.setattr(analysis, "SKIP_INERT", False)
    monkeypatch.setattr(evaluator, "DEFER_BASES", False)
    project._PARSED.clear()
    project._BY_TEXT.clear()
    off = {p: outcome(p) for p in files}
    assert [p for p in files if on[p] != off[p]] == []
    assert sum(len(m[-1]) for _, models in on.values() for m in models) >= 1000  # layer rows compared


EXPLODING = '''
    import torch.nn as nn


    def walk(tree, prefix=""):
        for key, sub in tree.items():
            if isinstance(sub, dict):
                if prefix:
                    walk(sub, prefix + "." + key)
                else:
                    walk(sub, key)
            print(prefix, key, nn)


    def build():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    '''


def test_a_function_that_branches_without_end_does_not_cost_the_rest_of_the_file(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(textwrap.dedent(EXPLODING))
    settings = Settings(extend_select=["SL004"])
    result = analyze_bytes(str(p), p.read_bytes(), settings, force=True)
    assert [m.total_params for m in result.models] == [58]  # build() still analysed
    notes = [(d.code, d.span.line, d.message) for d in result.diagnostics if d.code == "SL004"]
    assert (
        "SL004", 5,
        "Analysis bound reached: a function nobody calls took more than %d evaluation steps; what depends on it is unknown and not checked."
        % evaluator.MAX_SYNTHETIC_STEPS,
    ) in notes
    assert not any("more than %d evaluation steps" % evaluator.MAX_STEPS in m for _, _, m in notes)


def test_without_the_per_function_budget_the_file_budget_stops_everything(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluator, "MAX_SYNTHETIC_STEPS", evaluator.MAX_STEPS)
    p = tmp_path / "m.py"
    p.write_text(textwrap.dedent(EXPLODING))
    result = analyze_bytes(str(p), p.read_bytes(), Settings(), force=True)
    assert result.models == []  # the old behaviour: walk() used the file's whole budget
