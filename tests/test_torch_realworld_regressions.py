"""Regressions found by running shapelint over real-world PyTorch code (torchvision's model
zoo and pytorch/examples; see tests/real_world/TORCH_RESULTS.md).

Every test is a minimal reproduction written from scratch for one false positive, crash or
wrongly unresolved model; the expected layer rows and totals are what real PyTorch computes
(hand-checked with forward hooks).
"""

from __future__ import annotations

import textwrap

from shapelint.analysis import Settings, analyze_bytes


def run_src(tmp_path, src, name="m.py", **kw):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(src))
    return analyze_bytes(str(p), p.read_bytes(), Settings(), **kw)


def errors(result):
    return [(d.code, d.span.line, d.message) for d in result.diagnostics if d.severity == "error"]


def rows(model):
    return [(l.name, l.type, list(l.output_shape) if l.output_shape is not None else None, l.params) for l in model.layers]


# --------------------------------------------------------------------------- tensor factories


def test_legacy_tensor_constructor_of_unknown_data_has_unknown_rank(tmp_path):
    # examples/gat, examples/gcn: torch.FloatTensor(numpy_array) is data, not a size;
    # torch.sum(features, dim=1) on it was reported as a dim out of range of a 1-D tensor.
    src = """
        import numpy as np
        import torch

        def load(path):
            raw = np.genfromtxt(path)
            features = torch.FloatTensor(raw[:, 1:-1])
            labels = torch.LongTensor(raw[:, -1])
            scale = torch.sum(features, dim=1)
            shape = raw.shape
            z = torch.zeros(shape)
            return scale, labels, z.sum(dim=2)
        """
    assert errors(run_src(tmp_path, src)) == []


def test_tensor_constructor_of_nested_lists_knows_its_shape(tmp_path):
    src = """
        import torch

        t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        u = torch.FloatTensor([[1, 2], [3, 4]])
        a = t.sum(dim=2)
        b = u.view(5)
        """
    codes = [c for c, _, _ in errors(run_src(tmp_path, src))]
    assert codes == ["SL103", "SL104"]


# --------------------------------------------------------------------------- builders


def test_classmethod_read_from_the_class_gets_the_class(tmp_path):
    # torchvision builders: weights = ResNet18_Weights.verify(weights), a classmethod of the
    # base class; with weights=None it returns None and the builder goes on to the model.
    src = """
        import torch.nn as nn

        class WeightsBase:
            @classmethod
            def verify(cls, obj):
                if obj is not None:
                    if type(obj) is str:
                        obj = cls[obj]
                return obj

        class NetWeights(WeightsBase):
            pass

        class Net(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.fc = nn.Linear(4, num_classes)

            def forward(self, x):
                return self.fc(x)

        def net(*, weights=None, progress=True, **kwargs):
            weights = NetWeights.verify(weights)
            if weights is not None:
                kwargs["num_classes"] = len(weights.meta["categories"])
            model = Net(**kwargs)
            if weights is not None:
                model.load_state_dict(weights.get_state_dict(progress=progress))
            return model
        """
    r = run_src(tmp_path, src, model_expr="net(num_classes=3)", inputs=[(2, 4)])
    (m,) = r.models
    assert rows(m) == [("fc", "Linear", [2, 3], 15)]
    assert m.resolved
