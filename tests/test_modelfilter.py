"""The model filter (shapelint.modelfilter): which files it keeps, that it drops none where
the full analysis finds something, and how the runner and the cache use it."""

from __future__ import annotations

import glob
import os
import textwrap

import pytest

from shapelint import modelfilter
from shapelint.analysis import Settings, analyze_bytes
from shapelint.modelfilter import ModelFilter
from shapelint.runner import RunOptions, run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACCEPTANCE = os.path.join(os.path.dirname(ROOT), "shared", "acceptance")


def write(base, files):
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def kept(base, name, src_roots=()):
    path = base / name
    return ModelFilter(src_roots).keeps(str(path), path.read_bytes())


# -- what the file's own text says --------------------------------------------------------

OWN = {
    "module_subclass.py": ("import torch.nn as nn\nclass Net(nn.Module):\n    pass\n", True),
    "keras_layers.py": ("from keras import layers\ndef f():\n    return layers.Dense(3)\n", True),
    "sequential.py": ("import keras\nm = keras.Sequential()\n", True),
    "functional.py": ("import keras\nx = keras.Input((3,))\n", True),
    "named_layers.py": ("from torch.nn import Linear\nimport torch\n", True),
    "aliased_nn.py": ("import torch.nn as tnn\nlayer = tnn.Linear(3, 4)\n", True),
    "factory_at_top.py": ("import torch\nx = torch.randn(2, 3)\n", True),
    "factory_under_main.py": (
        "import torch\n\ndef main():\n    x = torch.zeros(2, 3)\n\nif __name__ == '__main__':\n    main()\n", True),
    "factory_passed_on.py": ("import torch\nfrom absl import app\n\ndef main(argv):\n    torch.ones(3)\n\napp.run(main)\n", True),
    "factory_imported_by_name.py": ("from torch import (\n    cat,\n    zeros,\n)\nx = zeros(2, 3)\n", True),
    "utility.py": ("import torch\n\ndef to_device(x, d):\n    return x.to(d)\n\n@torch.no_grad()\ndef mean(x):\n    return x.mean()\n", False),
    "factory_in_uncalled_function.py": ("import torch\n\ndef noise(n):\n    return torch.randn(n)\n", False),
    "factory_in_a_docstring.py": ('import torch\nEXAMPLE = """\n>>> x = torch.randn(2, 3)\n"""\n', False),
    "isinstance_only.py": ("import torch\n\ndef is_module(m):\n    return isinstance(m, torch.nn.Module)\n", False),
}


@pytest.mark.parametrize("name", sorted(OWN))
def test_the_files_own_text(tmp_path, name):
    text, expected = OWN[name]
    (tmp_path / name).write_text(text)
    assert kept(tmp_path, name) is expected


# -- through the project's imports ---------------------------------------------------------

PROJECT = {
    "pkg/__init__.py": "from .nets import *\nfrom .heads import make_head as head\n",
    "pkg/nets.py": """\
        import torch.nn as nn

        __all__ = ["Net", "build"]


        class Net(nn.Module):
            pass


        def build(width):
            return _inner(width)


        def _inner(width):
            return nn.Linear(width, width)


        def plain(x):
            return x + 1
        """,
    "pkg/heads.py": """\
        import torch.nn as nn


        def make_head(n):
            return nn.Sequential(nn.Flatten(), nn.Linear(n, 10))
        """,
    "pkg/base.py": """\
        from .nets import Net


        class Backbone(Net):
            def describe(self):
                return "backbone"
        """,
    "pkg/util.py": """\
        import torch


        class Meter:
            def update(self, x):
                return x.detach()


        class Noise:
            def sample(self):
                return torch.randn(3)  # a class's body counts when it is built
        """,
    "pkg/trainer.py": """\
        import torch.nn as nn


        def make_net():
            return nn.Linear(2, 2)


        class Trainer:
            def __init__(self):
                self.net = make_net()  # the builder is the module's, not in the class's text


        class Logger:
            def __init__(self):
                self.lines = []
        """,
}

SCRIPTS = {
    "direct_call.py": ("import torch\nfrom pkg.nets import Net\nmodel = Net()\n", True),
    "through_init_star.py": ("import torch\nfrom pkg import build\nlayer = build(4)\n", True),
    "through_init_alias.py": ("import torch\nfrom pkg import head\nh = head(16)\n", True),
    "relative_to_a_subclass.py": ("import torch\nfrom pkg.base import Backbone\nclass Big(Backbone):\n    pass\n", True),
    "classmethod_call.py": ("import torch\nfrom pkg.nets import Net\nmodel = Net.from_config({})\n", True),
    "module_alias.py": ("import torch\nimport pkg.nets as nets\nmodel = nets.Net()\n", True),
    "dotted_module.py": ("import torch\nimport pkg.nets\nmodel = pkg.nets.Net()\n", True),
    "dotted_plain.py": ("import torch\nimport pkg.nets\nmodel = pkg.nets.plain(1)\n", False),
    "from_package_import_module.py": ("import torch\nfrom pkg import heads\nh = heads.make_head(3)\n", True),
    "plain_helper.py": ("import torch\nfrom pkg.nets import plain\ny = plain(2)\n", False),
    "non_model_class.py": ("import torch\nfrom pkg.util import Meter\nm = Meter()\n", False),
    "class_making_tensors.py": ("import torch\nfrom pkg.util import Noise\nm = Noise()\n", True),
    "class_calling_a_builder.py": ("import torch\nfrom pkg.trainer import Trainer\nt = Trainer()\n", True),
    "class_calling_nothing.py": ("import torch\nfrom pkg.trainer import Logger\nlog = Logger()\n", False),
    "imported_but_not_run.py": (
        "import torch\nfrom pkg.nets import Net\n\nclass Test:\n    def test_it(self):\n        Net()\n", False),
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_through_project_imports(tmp_path, name):
    write(tmp_path, PROJECT)
    text, expected = SCRIPTS[name]
    (tmp_path / name).write_text(text)
    assert kept(tmp_path, name, [str(tmp_path)]) is expected


def test_builds_when_called_answers_for_one_imported_name(tmp_path):
    """The question the analysis asks of a name a builder nobody calls imports."""
    write(tmp_path, PROJECT)
    f = ModelFilter([str(tmp_path)])
    answers = {name: f.builds_when_called(str(tmp_path / "pkg" / module), name) for module, name in (
        ("nets.py", "build"), ("nets.py", "plain"), ("util.py", "Meter"), ("util.py", "Noise"),
        ("trainer.py", "Trainer"), ("trainer.py", "Logger"), ("__init__.py", "head"))}
    assert answers == {
        "build": True, "plain": False, "Meter": False, "Noise": True, "Trainer": True, "Logger": False, "head": True,
    }


def test_a_definition_or_an_import_on_the_first_line_is_read(tmp_path):
    """The line patterns run on the text with a line break put in front: the first line
    counts like any other."""
    write(tmp_path, {
        "first.py": "def build():\n    import torch.nn as nn\n    return nn.Linear(2, 2)\ndef other():\n    return 1\n",
        "use.py": "from first import build\nimport torch\nm = build()\n",
        "use_other.py": "from first import other\nimport torch\nm = other()\n",
    })
    assert kept(tmp_path, "use.py", [str(tmp_path)])
    assert not kept(tmp_path, "use_other.py", [str(tmp_path)])  # other's region ends where it starts
    info = modelfilter._Info(str(tmp_path / "first.py"), (tmp_path / "first.py").read_bytes())
    data = info.data
    assert {k: [data[a:b] for a, b in v] for k, v in info.top_defs().items()} == {
        "build": [b"def build():\n    import torch.nn as nn\n    return nn.Linear(2, 2)\n"],
        "other": [b"def other():\n    return 1\n"],
    }


def test_cycles_do_not_hide_a_builder(tmp_path):
    """a.f calls b.g, b.g calls a.f and a builder: asked in either order, both build."""
    write(tmp_path, {
        "a.py": "import torch\nfrom b import g\n\ndef f():\n    return g()\n\ndef other():\n    return 1\n",
        "b.py": "import torch\nfrom a import f\nfrom c import make\n\ndef g():\n    f()\n    return make()\n",
        "c.py": "import torch.nn as nn\n\ndef make():\n    return nn.ReLU()\n",
        "use_a.py": "import torch\nfrom a import f\nf()\n",
        "use_b.py": "import torch\nfrom b import g\ng()\n",
    })
    shared = ModelFilter([str(tmp_path)])
    for name in ("use_a.py", "use_b.py", "use_a.py"):
        assert shared.keeps(str(tmp_path / name), (tmp_path / name).read_bytes()), name


def test_a_cycle_without_a_builder_is_dropped(tmp_path):
    write(tmp_path, {
        "a.py": "import torch\nfrom b import g\n\ndef f():\n    return g()\n",
        "b.py": "import torch\nfrom a import f\n\ndef g():\n    return f()\n",
        "use.py": "import torch\nfrom a import f\nf()\n",
    })
    assert not kept(tmp_path, "use.py", [str(tmp_path)])


def test_past_its_budget_the_filter_keeps_the_file(tmp_path, monkeypatch):
    chain = {"m%d.py" % i: "import torch\nfrom m%d import f%d\n\ndef f%d():\n    return f%d()\n" % (i + 1, i + 1, i, i + 1) for i in range(40)}
    chain["m40.py"] = "import torch\n\ndef f40():\n    return 1\n"
    chain["use.py"] = "import torch\nfrom m0 import f0\nf0()\n"
    write(tmp_path, chain)
    assert kept(tmp_path, "use.py", [str(tmp_path)])  # deeper than MAX_DEPTH: kept
    monkeypatch.setattr(modelfilter, "MAX_DEPTH", 100)
    assert not kept(tmp_path, "use.py", [str(tmp_path)])  # followed to its end: nothing built


# -- the runner ----------------------------------------------------------------------------

BUGGY_SCRIPT = "import torch\nx = torch.cat([torch.randn(2, 3), torch.randn(4, 5)], dim=1)\n"


def test_the_runner_skips_dropped_files_and_counts_them(tmp_path):
    write(tmp_path, {"model.py": BUGGY_SCRIPT, "util.py": OWN["utility.py"][0], "plain.py": "print(1)\n"})
    result = run([str(tmp_path)], RunOptions(jobs=1, no_cache=True))
    assert result.stats["skipped"] == 1 and result.stats["filtered"] == 1 and result.stats["analysed"] == 1
    assert [d.code for r in result.results for d in r.diagnostics] == ["SL101"]


# A file the filter drops is still screened for syntax errors (SL001), by the symbol table,
# with ast.parse deciding where the symbol table is stricter than the parser.
SCREENED = {
    "broken": ("import torch\ndef f(:\n    pass\n", ["SL001"]),
    "nonlocal_at_module_level": ("import torch\nnonlocal x\n", []),  # the parser accepts it
    "return_outside_function": ("import torch\nreturn 3\n", []),
    "clean": (OWN["utility.py"][0], []),
}


@pytest.mark.parametrize("name", sorted(SCREENED))
def test_a_dropped_file_is_still_screened_for_syntax(tmp_path, name):
    text, codes = SCREENED[name]
    write(tmp_path, {"lib.py": text})
    result = run([str(tmp_path)], RunOptions(jobs=1, no_cache=True))
    assert [d.code for r in result.results for d in r.diagnostics] == codes
    assert result.stats["filtered"] == (0 if codes else 1)


def test_a_named_file_is_always_analysed(tmp_path):
    # no model is built here, so the filter would drop it: named, it is analysed (and clean)
    (tmp_path / "util.py").write_text(OWN["utility.py"][0])
    result = run([str(tmp_path / "util.py")], RunOptions(jobs=1, no_cache=True))
    assert result.stats["filtered"] == 0 and result.stats["analysed"] == 1


def test_a_cached_drop_is_invalidated_when_an_import_starts_building(tmp_path, monkeypatch):
    write(tmp_path, {
        "helpers.py": "import torch\n\ndef make(n):\n    return n\n",
        "script.py": "import torch\nfrom helpers import make\nmodel = make(3)\n",
    })
    monkeypatch.chdir(tmp_path)
    options = dict(jobs=1, cache_dir=str(tmp_path / "cache"))
    first = run([str(tmp_path)], RunOptions(**options))
    assert first.stats["filtered"] == 2
    again = run([str(tmp_path)], RunOptions(**options))
    assert again.stats["cached"] == 2 and again.stats["filtered"] == 0
    # the helper now stacks a Linear(3, 8) on a Linear(4, 2): the script's model is wrong
    (tmp_path / "helpers.py").write_text(
        "import torch.nn as nn\n\ndef make(n):\n    return nn.Sequential(nn.Linear(n, 8), nn.Linear(4, 2))\n")
    third = run([str(tmp_path)], RunOptions(**options))
    assert third.stats["filtered"] == 0 and third.stats["analysed"] == 2
    assert [(os.path.basename(r.path), d.code) for r in third.results for d in r.diagnostics] == [("script.py", "SL107")]


# -- no miss over the files of this repository --------------------------------------------


def corpus():
    files = sorted(glob.glob(os.path.join(ROOT, "fixtures", "**", "*.py"), recursive=True))
    files += sorted(glob.glob(os.path.join(ROOT, "tests", "torch_models", "*.py")))
    files += sorted(glob.glob(os.path.join(ACCEPTANCE, "cases", "**", "*.py"), recursive=True))
    return files


def test_the_corpus_is_there():
    assert len(corpus()) >= 150


def test_no_file_with_a_finding_is_dropped():
    """The full analysis (filter off) of every fixture and acceptance file, against the
    filter's verdict: each file with a model of at least one layer or a diagnostic is kept.
    (benchmarks/filter_check.py does the same over the public benchmark corpus.)"""
    misses, findings = [], 0
    f = ModelFilter()
    for path in corpus():
        with open(path, "rb") as fh:
            data = fh.read()
        result = analyze_bytes(path, data, Settings(model_filter=False))
        found = any(m.layers for m in result.models) or bool(result.diagnostics)
        findings += found
        if found and not f.keeps(path, data):
            misses.append(path)
    assert findings >= 150
    assert misses == []


def test_no_model_filter_analyses_every_framework_file(tmp_path, capsys):
    from shapelint import cli

    write(tmp_path, {"model.py": BUGGY_SCRIPT, "util.py": OWN["utility.py"][0]})
    options = cli.build_parser().parse_args(["check", str(tmp_path), "--no-model-filter", "-j", "1", "--no-cache"])
    from shapelint.runner import options_from_args

    result = run([str(tmp_path)], options_from_args(options))
    assert result.stats["filtered"] == 0 and result.stats["analysed"] == 2
    default = run([str(tmp_path)], options_from_args(cli.build_parser().parse_args(["check", str(tmp_path), "-j", "1", "--no-cache"])))
    assert default.stats["filtered"] == 1 and default.stats["analysed"] == 1
