"""Imports inside the project's own modules are followed only when the imported name is used.

A package whose ``__init__`` imports fifty submodules (``from .resnet import *``, ...) used to
be run in full for every file that imported one name from it: on timm that is hundreds of
thousands of evaluation steps per file, and every model file stopped at the step bound before
its own models were read.  These tests pin the behaviour down: only what is used is parsed and
run, ``import *`` binds the names the module's text defines, cycles end, and what the models
compute does not change.
"""

from __future__ import annotations

import json
import textwrap

from shapelint import cli, project
from shapelint.analysis import Settings, analyze_bytes

LAYERS = """
    import torch.nn as nn


    def make_head(features, classes=10):
        return nn.Sequential(nn.Flatten(), nn.Linear(features, classes))
    """

# A module that is expensive to run and never needed by the model file.
HEAVY = """
    import torch.nn as nn

    TABLE = {}
    for i in range(1500):
        TABLE["cfg%d" % i] = dict(width=i * 2, depth=i % 7, name="m%d" % i)


    class Unused(nn.Module):
        pass
    """

NET = """
    import torch
    import torch.nn as nn

    from pkg import make_head


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.head = make_head(HEAD_IN)

        def forward(self, x):
            return self.head(self.conv(x))


    y = Net()(torch.randn(2, 3, 8, 8))
    """


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text))
    return p


def analyse(path, **kw):
    return analyze_bytes(str(path), path.read_bytes(), Settings(**kw))


def make(tmp_path, init, head_in="8 * 8 * 8"):
    write(tmp_path, "pkg/__init__.py", init)
    write(tmp_path, "pkg/layers.py", LAYERS)
    write(tmp_path, "pkg/heavy.py", HEAVY)
    return write(tmp_path, "net.py", NET.replace("HEAD_IN", head_in))


def parses_for(path):
    project._PARSED.clear()
    project._BY_TEXT.clear()
    before = project.PARSE_COUNT["n"]
    result = analyse(path)
    return result, project.PARSE_COUNT["n"] - before


def test_unused_submodule_of_a_package_is_never_parsed(tmp_path):
    net = make(tmp_path, "from .layers import make_head\nfrom .heavy import Unused, TABLE\n")
    result, parses = parses_for(net)
    assert parses == 2  # pkg/__init__.py and pkg/layers.py; pkg/heavy.py is not needed
    [model] = result.models
    assert model.total_params == (3 * 9 + 1) * 8 + (512 + 1) * 10
    assert result.diagnostics == []


def test_star_imports_bind_the_names_the_module_defines(tmp_path):
    net = make(tmp_path, "from .layers import *\nfrom .heavy import *\n")
    result, parses = parses_for(net)
    assert parses == 2
    [model] = result.models
    assert model.total_params == (3 * 9 + 1) * 8 + (512 + 1) * 10


def test_a_mismatch_behind_a_lazy_import_is_still_found(tmp_path):
    net = make(tmp_path, "from .layers import *\nfrom .heavy import *\n", head_in="100")
    result = analyse(net)
    assert [d.code for d in result.diagnostics] == ["SL107"]
    assert "receives (2, 512)" in result.diagnostics[0].message


def test_dunder_all_limits_a_star_import(tmp_path):
    write(tmp_path, "pkg/__init__.py", "from .layers import *\n")
    write(tmp_path, "pkg/layers.py", LAYERS + "\n__all__ = ['other']\ndef other():\n    return 1\n")
    net = write(tmp_path, "net.py", NET.replace("HEAD_IN", "512"))
    result = analyse(net)
    # make_head is not exported: unknown, so nothing certain is reported about the head
    assert result.diagnostics == []
    [model] = result.models
    assert not model.resolved and model.total_params is None


def test_nested_star_imports_are_followed(tmp_path):
    write(tmp_path, "pkg/__init__.py", "from .inner import *\n")
    write(tmp_path, "pkg/inner/__init__.py", "from .layers import *\n")
    write(tmp_path, "pkg/inner/layers.py", LAYERS)
    net = write(tmp_path, "net.py", NET.replace("HEAD_IN", "100"))
    result = analyse(net)
    assert [d.code for d in result.diagnostics] == ["SL107"]


def test_import_cycles_between_lazy_modules_end(tmp_path):
    write(tmp_path, "pkg/__init__.py", "from .a import make_head\n")
    write(tmp_path, "pkg/a.py", "from .b import helper\n" + textwrap.dedent(LAYERS))
    write(tmp_path, "pkg/b.py", "from .a import make_head\n\ndef helper():\n    return make_head(4)\n")
    net = write(tmp_path, "net.py", NET.replace("HEAD_IN", "512"))
    result = analyse(net)
    assert result.diagnostics == []
    assert result.models[0].total_params == (3 * 9 + 1) * 8 + (512 + 1) * 10


def test_star_names_reads_the_text_only(tmp_path):
    p = write(
        tmp_path,
        "m.py",
        """
        import os, numpy as np
        from .x import (a,
            b as c)
        from .y import *
        def f(): pass
        async def g(): pass
        class K: pass
        X: int = 3
        Y = 4
        _private = 1
        if True:
            hidden = 2
        """,
    )
    names, stars = project.star_names(str(p))
    assert set(names) == {"os", "np", "a", "c", "f", "g", "K", "X", "Y"}
    assert stars == [(1, "y")]
    q = write(tmp_path, "n.py", "__all__ = ['f', \"K\"]\nfrom .y import *\ndef f(): pass\nclass K: pass\ndef h(): pass\n")
    assert project.star_names(str(q)) == (["f", "K"], [])


def test_subclass_of_sequential_without_init_registers_its_arguments(tmp_path, capsys):
    # class Stack(nn.Sequential) with only a forward(): nn.Sequential's constructor registers
    # the modules, and iterating over it yields them (it yielded nothing, a false SL109)
    p = write(
        tmp_path,
        "seq.py",
        """
        import torch
        from torch import nn


        class Stack(nn.Sequential):
            def forward(self, x):
                for module in self:
                    x = module(x)
                return x


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = Stack(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 32))
                self.norm = nn.LayerNorm(32)

            def forward(self, x):
                return self.norm(self.body(x))


        y = Net()(torch.randn(2, 8))
        """,
    )
    code = cli.main(["summary", "--format", "json", str(p)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["diagnostics"] == []
    [model] = out["models"]
    # torchinfo: Linear 8->16 (144), ReLU, Linear 16->32 (544), LayerNorm(32) (64)
    rows = [(l["name"], l["output_shape"], l["params"]) for l in model["layers"]]
    assert rows == [
        ("body.0", [2, 16], 144),
        ("body.1", [2, 16], 0),
        ("body.2", [2, 32], 544),
        ("norm", [2, 32], 64),
    ]
    assert model["total_params"] == 752
