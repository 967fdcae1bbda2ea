"""The PyTorch front-end: module trees, forward() data flow, input sources, unknowns.

Expected layers come from real PyTorch (forward hooks on leaf modules; see the oracle test
at the bottom, which re-derives them live when torch is installed)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shapelint.analysis import Settings, analyze_bytes

HERE = Path(__file__).resolve().parent
MODELS = HERE / "torch_models"

EXPECTED = {
    "inherit_modulelist_addmodule.py": (
        [
            ("stem.conv", "Conv2d", [2, 8, 32, 32], 224),
            ("stem.act", "ReLU", [2, 8, 32, 32], 0),
            ("blocks.0.conv", "Conv2d", [2, 16, 32, 32], 1168),
            ("blocks.0.bn", "BatchNorm2d", [2, 16, 32, 32], 32),
            ("blocks.0.pool", "MaxPool2d", [2, 16, 16, 16], 0),
            ("blocks.1.conv", "Conv2d", [2, 32, 16, 16], 4640),
            ("blocks.1.bn", "BatchNorm2d", [2, 32, 16, 16], 64),
            ("blocks.1.pool", "MaxPool2d", [2, 32, 8, 8], 0),
            ("blocks.2.conv", "Conv2d", [2, 64, 8, 8], 18496),
            ("blocks.2.bn", "BatchNorm2d", [2, 64, 8, 8], 128),
            ("blocks.2.pool", "Identity", [2, 64, 8, 8], 0),
            ("drop", "Dropout", [2, 64], 0),
            ("drop", "Dropout", [2, 64], 0),
            ("head", "Linear", [2, 10], 650),
        ],
        25402,
    ),
    "shared_encoder_twice.py": (
        [
            ("encoder.0", "Linear", [5, 16], 336),
            ("encoder.1", "ReLU", [5, 16], 0),
            ("encoder.2", "Linear", [5, 8], 136),
            ("encoder.0", "Linear", [5, 16], 336),
            ("encoder.1", "ReLU", [5, 16], 0),
            ("encoder.2", "Linear", [5, 8], 136),
            ("head", "Linear", [5, 1], 9),
        ],
        481,
    ),
    "lstm_lm_tuple.py": (
        [
            ("embed", "Embedding", [3, 7, 32], 3200),
            ("rnn", "LSTM", [3, 7, 48], 34560),
            ("out", "Linear", [3, 7, 100], 4900),
        ],
        42660,
    ),
    "lenet_comment_input.py": (
        [
            ("conv1", "Conv2d", [4, 6, 24, 24], 156),
            ("conv2", "Conv2d", [4, 16, 8, 8], 2416),
            ("fc1", "Linear", [4, 120], 30840),
            ("fc2", "Linear", [4, 10], 1210),
        ],
        34622,
    ),
}


def summary(path: Path, **kw):
    result = analyze_bytes(str(path), path.read_bytes(), Settings(), **kw)
    return result


def rows(model):
    return [(l.name, l.type, list(l.output_shape) if l.output_shape is not None else None, l.params) for l in model.layers]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_summary_matches_pytorch(name):
    result = summary(MODELS / name)
    assert [d.message for d in result.diagnostics if d.severity == "error"] == []
    model = [m for m in result.models if m.framework == "torch"][-1]
    layers, total = EXPECTED[name]
    assert rows(model) == layers
    assert model.total_params == total
    assert model.resolved


def run_src(tmp_path, src, **kw):
    p = tmp_path / "m.py"
    p.write_text(textwrap.dedent(src))
    return analyze_bytes(str(p), p.read_bytes(), Settings(), **kw)


def test_input_override_and_model_expression(tmp_path):
    src = """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self, d_in, hidden=32, d_out=3):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, d_out))

            def forward(self, x):
                return self.net(x)
        """
    r = run_src(tmp_path, src, model_expr="MLP(12, hidden=8)", inputs=[(6, 12)])
    (m,) = r.models
    assert rows(m) == [("net.0", "Linear", [6, 8], 104), ("net.1", "ReLU", [6, 8], 0), ("net.2", "Linear", [6, 3], 27)]
    assert m.total_params == 131


def test_torchinfo_summary_gives_the_input(tmp_path):
    src = """
        import torch.nn as nn
        from torchinfo import summary

        net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
        summary(net, input_size=(1, 3, 8, 8))
        """
    (m,) = run_src(tmp_path, src).models
    assert rows(m) == [("0", "Conv2d", [1, 4, 6, 6], 112), ("1", "Flatten", [1, 144], 0), ("2", "Linear", [1, 2], 290)]


def test_channel_chain_checked_without_any_input(tmp_path):
    src = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.c1 = nn.Conv2d(3, 32, 3)
                self.c2 = nn.Conv2d(64, 64, 3)

            def forward(self, x):
                return self.c2(self.c1(x))
        """
    r = run_src(tmp_path, src)
    codes = [(d.code, d.span.line) for d in r.diagnostics]
    assert codes == [("SL108", 8)]
    assert "(in the call at line 11)" in r.diagnostics[0].message
    (m,) = r.models
    assert m.layers[0].output_shape[:2] == ("N", 32) and not m.resolved


def test_linear_after_flatten_mismatch_reported_at_declaration(tmp_path):
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 3)
                self.fc = nn.Linear(16 * 5 * 5, 10)

            def forward(self, x):
                x = torch.flatten(self.conv(x), 1)
                return self.fc(x)

        model = Net()
        y = model(torch.randn(1, 3, 8, 8))
        """
    r = run_src(tmp_path, src)
    (d,) = r.diagnostics
    assert (d.code, d.span.line) == ("SL107", 9)
    assert "400" in d.message and "(1, 576)" in d.message


def test_uncertain_submodule_silences_checks(tmp_path):
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, wide):
                super().__init__()
                if wide:
                    self.fc = nn.Linear(8, 4)
                else:
                    self.fc = nn.Linear(16, 4)

            def forward(self, x):
                return self.fc(x)

        def build(flag):
            return Net(flag)

        model = build(unknown_flag)
        y = model(torch.randn(2, 16))
        """
    r = run_src(tmp_path, src)
    assert [d for d in r.diagnostics if d.severity == "error"] == []


def test_never_executes_the_analyzed_code(tmp_path):
    marker = tmp_path / "pwned"
    src = f"""
        import os
        import torch
        import torch.nn as nn
        open({str(marker)!r}, "w").write("x")
        os.system("touch {marker}")

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                open({str(marker)!r}, "w")
                self.fc = nn.Linear(2, 2)

            def forward(self, x):
                os.remove("/")
                return self.fc(x)

        model = Net()
        model(torch.randn(1, 2))
        """
    run_src(tmp_path, src)
    out = subprocess.run([sys.executable, "-m", "shapelint", "summary", str(tmp_path / "m.py")], capture_output=True)
    assert out.returncode in (0, 1)
    assert not marker.exists()


@pytest.mark.oracle
def test_expected_values_are_what_pytorch_computes(tmp_path):
    pytest.importorskip("torch")
    hook = textwrap.dedent(
        """
        import json, runpy, sys, torch
        calls = []
        def hook(mod, inp, out):
            if not list(mod.children()):
                o = out[0] if isinstance(out, (tuple, list)) else out
                calls.append((mod, list(o.shape)))
        torch.nn.modules.module.register_module_forward_hook(hook)
        src = open(sys.argv[1]).read()
        m = __import__("re").search(r"# shapelint: input=\\((.*)\\)", src)
        ns = runpy.run_path(sys.argv[1])
        model = ns["model"]
        if m:
            model(torch.randn(*[int(v) for v in m.group(1).split(",")]))
        names = {id(v): k for k, v in model.named_modules()}
        rows = [(names[id(mod)], type(mod).__name__, shape, sum(p.numel() for p in mod.parameters(recurse=False)))
                for mod, shape in calls if id(mod) in names]
        print(json.dumps({"rows": rows, "total": sum(p.numel() for p in model.parameters())}))
        """
    )
    script = tmp_path / "hook.py"
    script.write_text(hook)
    for name, (layers, total) in EXPECTED.items():
        out = subprocess.run([sys.executable, str(script), str(MODELS / name)], capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout.strip().splitlines()[-1])
        assert [tuple(r) for r in data["rows"]] == layers, name
        assert data["total"] == total, name


def test_note_says_which_input_sizes_a_flatten_linear_fits(tmp_path):
    # With no input anywhere, the summary says which square inputs the Linear after the
    # flatten accepts (each reported size is verified by running the model on it).
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 6, 5)
                self.fc = nn.Linear(6 * 28 * 28, 10)

            def forward(self, x):
                return self.fc(torch.flatten(self.conv(x), 1))
        """
    (m,) = run_src(tmp_path, src).models
    assert m.notes == ["Linear at line 9 fits only 32×32 inputs"]
    lenet = (HERE / "torch_models" / "lenet_comment_input.py").read_text().replace("  # shapelint: input=(4, 1, 28, 28)", "")
    (m,) = run_src(tmp_path, lenet).models
    # 28..31 all pool down to 4x4 (floor division), so a range is reported
    assert m.notes == ["Linear at line 11 fits inputs from 28×28 to 31×31"]


def test_input_comment_on_a_sequential(tmp_path):
    src = """
        import torch.nn as nn

        classifier = nn.Sequential(  # shapelint: input=(64, 1, 28, 28)
            nn.Flatten(), nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(256, 10),
        )
        """
    r = run_src(tmp_path, src)
    assert [(d.code, d.span.line) for d in r.diagnostics] == [("SL107", 5)]
    (m,) = r.models
    assert m.layers[1].output_shape == (64, 512)


def test_parameter_explosion_on_a_torch_model(tmp_path):
    src = """
        import torch
        import torch.nn as nn

        net = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 224 * 224, 10),
        )
        y = net(torch.randn(1, 3, 224, 224))
        """
    r = run_src(tmp_path, src)
    (d,) = r.diagnostics
    assert (d.code, d.severity, d.span.line) == ("SL201", "warning", 9)
    assert "32,112,650 parameters" in d.message and "nn.AdaptiveAvgPool2d(1)" in d.message


def test_a_helper_run_on_its_own_that_makes_modules_of_unknown_size_lists_no_summary(tmp_path):
    """timm's freeze helpers, run on their own, make a frozen batch norm for each batch norm
    of an unknown module: a summary of one module with no known shape and no known size is
    not listed.  Models such a helper makes of known sizes, and modules of unknown size the
    file itself builds, still are (and so are structures of several layers of unknown size:
    tests/test_keras_frontend.py::test_builder_with_required_arguments_is_unresolved_and_silent)."""
    src = """
        import torch
        import torch.nn as nn


        class Frozen(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.weight = nn.Parameter(torch.ones(n))


        def freeze(module):
            return Frozen(module.num_features)


        def freeze_known(width=8):
            return Frozen(width)


        def head():
            return nn.Sequential(nn.Linear(4, 2))
        """
    result = run_src(tmp_path, src)
    assert sorted((m.name, m.total_params) for m in result.models) == [("Frozen", 8), ("Sequential", 10)]
    # the same module of unknown size, built by the file's own top level: listed
    result = run_src(tmp_path, textwrap.dedent(src) + "\nfrozen = Frozen(unknown_width)\n")
    assert sorted((m.name, m.total_params) for m in result.models) == [("Frozen", 8), ("Sequential", 10), ("frozen", None)]
