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


def test_typing_cast_is_its_value(tmp_path):
    # torchvision vgg.make_layers: v = cast(int, v) before nn.Conv2d(in_channels, v, ...)
    src = """
        from typing import cast
        import torch.nn as nn

        def make(cfg):
            layers = []
            c = 3
            for v in cfg:
                if v == "M":
                    layers += [nn.MaxPool2d(2)]
                else:
                    v = cast(int, v)
                    layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
                    c = v
            return nn.Sequential(*layers)

        net = make([8, "M", 16])
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 3, 8, 8)]).models
    assert rows(m) == [
        ("0", "Conv2d", [1, 8, 8, 8], 224),
        ("1", "ReLU", [1, 8, 8, 8], 0),
        ("2", "MaxPool2d", [1, 8, 4, 4], 0),
        ("3", "Conv2d", [1, 16, 4, 4], 1168),
        ("4", "ReLU", [1, 16, 4, 4], 0),
    ]
    assert m.resolved


# --------------------------------------------------------------------------- isinstance


INIT_LOOP = """
    import torch
    import torch.nn as nn

    def _gain(m):  # some work per module, as real init helpers do
        g = 1.0
        for _ in range(300):
            g = g * 1.0
        return g

    class Block(nn.Sequential):
        def __init__(self, cin, cout):
            super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6(), nn.Dropout(0.1))

    class Net(nn.Module):
        def __init__(self, depth=12):
            super().__init__()
            self.blocks = nn.Sequential(*[Block(3 if i == 0 else 4, 4) for i in range(depth)])
            self.fc = nn.Linear(4, 2)
            for m in self.modules():
                gain = _gain(m)
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out")
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.zeros_(m.bias)

        def forward(self, x):
            if not isinstance(x, torch.Tensor):
                x = x[0]
            x = self.blocks(x)
            return self.fc(torch.flatten(x.mean((2, 3), keepdim=True), 1))
    """


def test_weight_init_loop_over_modules_leaves_the_model_intact(tmp_path):
    # torchvision mobilenet_v3: a weight-init loop over self.modules() of a deep model was
    # cut short as "idle", and cutting it tainted the module its loop variable held.
    (m,) = run_src(tmp_path, INIT_LOOP, model_expr="Net()", inputs=[(1, 3, 8, 8)]).models
    assert m.resolved
    assert len(m.layers) == 12 * 4 + 1
    assert rows(m)[-2] == ("blocks.11.3", "Dropout", [1, 4, 8, 8], 0)
    assert rows(m)[-1] == ("fc", "Linear", [1, 2], 10)
    assert m.total_params == 12 * (4 * 4 * 9 + 8) - (4 * 4 * 9 - 3 * 4 * 9) + 10


def test_isinstance_against_torch_and_local_classes(tmp_path):
    src = INIT_LOOP + """
    net = Net(depth=1)
    a = isinstance(net.blocks[0], nn.Sequential)
    b = isinstance(net.blocks[0][2], nn.Hardtanh)
    c = isinstance(net.blocks[0][0], (nn.Linear, nn.BatchNorm2d))
    d = isinstance(net.blocks[0], Block)
    e = isinstance(net, Block)
    f = isinstance(torch.zeros(3), torch.Tensor)
    g = isinstance(3, int)
    h = isinstance("M", int)
    k = net.blocks[0][0].bias is None
    """
    from shapelint.frontends import evaluator

    seen = {}
    real_run = evaluator.Interpreter.run_module

    def run_module(self):
        real_run(self)
        seen.update(self.globals.vars)

    evaluator.Interpreter.run_module = run_module
    try:
        run_src(tmp_path, src)
    finally:
        evaluator.Interpreter.run_module = real_run
    assert [seen[k] for k in "abcdefghk"] == [True, True, False, True, False, True, True, False, True]


def test_isinstance_of_a_class_with_an_unknown_base_stays_unknown(tmp_path):
    src = """
        import torch.nn as nn
        from somewhere_else import Mixin

        class Local:
            pass

        class Odd(Mixin):
            pass

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                o = Odd()
                if isinstance(o, Local):
                    self.fc = nn.Linear(4, 3)
                else:
                    self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 4)]).models
    assert not m.resolved  # the submodule depends on the unknown answer


# --------------------------------------------------------------------------- containers


def test_moduledict_subclass_with_items_in_forward(tmp_path):
    # torchvision densenet: class _DenseBlock(nn.ModuleDict) adds layers with add_module and
    # runs them with `for name, layer in self.items()`.
    src = """
        import torch
        import torch.nn as nn

        class DenseBlock(nn.ModuleDict):
            def __init__(self, n, cin, growth):
                super().__init__()
                for i in range(n):
                    self.add_module("layer%d" % (i + 1), nn.Conv2d(cin + i * growth, growth, 3, padding=1))

            def forward(self, x):
                feats = [x]
                for name, layer in self.items():
                    feats.append(layer(torch.cat(feats, 1)))
                return torch.cat(feats, 1)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = DenseBlock(3, 4, 2)
                self.head = nn.Conv2d(10, 1, 1)

            def forward(self, x):
                return self.head(self.block(x))
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(1, 4, 5, 5)]).models
    assert rows(m) == [
        ("block.layer1", "Conv2d", [1, 2, 5, 5], 74),
        ("block.layer2", "Conv2d", [1, 2, 5, 5], 110),
        ("block.layer3", "Conv2d", [1, 2, 5, 5], 146),
        ("head", "Conv2d", [1, 1, 5, 5], 11),
    ]
    assert m.resolved


def test_functools_partial_of_layers_and_helpers(tmp_path):
    # torchvision mobilenet_v3/efficientnet: norm_layer = partial(nn.BatchNorm2d, eps=0.001),
    # bneck_conf = partial(Config, width_mult=1.0)
    src = """
        from functools import partial
        import torch.nn as nn

        class Cfg:
            def __init__(self, cin, cout, width_mult):
                self.cin = int(cin * width_mult)
                self.cout = int(cout * width_mult)

        def build(width_mult=1.0):
            conf = partial(Cfg, width_mult=width_mult)
            norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
            layers = []
            for c in [conf(3, 8), conf(8, 16)]:
                layers += [nn.Conv2d(c.cin, c.cout, 3), norm(c.cout)]
            return nn.Sequential(*layers)

        net = build()
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 3, 9, 9)]).models
    assert rows(m) == [
        ("0", "Conv2d", [1, 8, 7, 7], 224),
        ("1", "BatchNorm2d", [1, 8, 7, 7], 16),
        ("2", "Conv2d", [1, 16, 5, 5], 1168),
        ("3", "BatchNorm2d", [1, 16, 5, 5], 32),
    ]
    assert m.resolved


def test_long_loop_building_costly_blocks_is_unrolled(tmp_path):
    # A loop of many iterations whose body builds modules through deep helper calls spent
    # the "idle loop" step budget (the PyTorch front-end counted no structure), was cut
    # short, and the list it filled became unknown.
    src = """
        import torch.nn as nn

        def pad_for(k, d):
            total = 0
            for _ in range(200):
                total += 0
            return (k - 1) // 2 * d

        class Unit(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3, padding=pad_for(3, 1))

            def forward(self, x):
                return self.conv(x)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                units = []
                for c in [4] * 14:
                    units.append(Unit(c))
                self.units = nn.Sequential(*units)

            def forward(self, x):
                return self.units(x)
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 4, 6, 6)]).models
    assert len(m.layers) == 14 and m.resolved
    assert m.total_params == 14 * (4 * 4 * 9 + 4)


def test_freezing_loop_over_parameters_runs_to_its_end(tmp_path):
    src = """
        import torch.nn as nn

        net = nn.Sequential(*[nn.Linear(4, 4) for _ in range(12)], nn.Linear(4, 2))
        for i, p in enumerate(net.parameters()):
            for _ in range(400):
                pass
            p.requires_grad = False
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 4)]).models
    assert m.total_params == 12 * 20 + 10
    assert m.trainable_params == 0


def test_dataclass_configs_and_copies_of_them(tmp_path):
    # torchvision efficientnet: @dataclass config classes (their __init__ written by the
    # decorator, called through super().__init__ of a subclass) copied with copy.copy
    # before fields are overwritten.
    src = """
        import copy
        from dataclasses import dataclass
        import torch.nn as nn

        @dataclass
        class _Cfg:
            cin: int
            cout: int
            layers: int
            kernel: int = 3

        class Cfg(_Cfg):
            def __init__(self, cin, cout, layers, width=1.0):
                super().__init__(int(cin * width), int(cout * width), layers)

        def build(settings):
            blocks = []
            for cnf in settings:
                for i in range(cnf.layers):
                    c = copy.copy(cnf)
                    if blocks:
                        c.cin = c.cout if i else c.cin
                    blocks.append(nn.Conv2d(c.cin, c.cout, c.kernel, padding=1))
            return nn.Sequential(*blocks)

        net = build([Cfg(3, 8, 2), Cfg(8, 16, 1)])
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 3, 6, 6)]).models
    assert rows(m) == [
        ("0", "Conv2d", [1, 8, 6, 6], 224),
        ("1", "Conv2d", [1, 8, 6, 6], 584),
        ("2", "Conv2d", [1, 16, 6, 6], 1168),
    ]
    assert m.resolved


def test_dataclass_with_unknown_or_disabled_init_stays_unknown(tmp_path):
    src = """
        from dataclasses import dataclass, field
        import torch.nn as nn

        @dataclass(init=False)
        class A:
            c: int = 4

        @dataclass
        class B:
            sizes: list = field(default_factory=list)

        net = nn.Sequential(nn.Linear(A().c if False else 4, 2))
        b = B()
        n = len(b.sizes)
        """
    r = run_src(tmp_path, src, inputs=[(1, 4)])
    assert errors(r) == []




def test_subclass_of_a_torch_layer_with_its_own_forward(tmp_path):
    # torchvision convnext: class LayerNorm2d(nn.LayerNorm) permutes around
    # F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps).
    src = """
        from functools import partial
        import torch.nn as nn
        import torch.nn.functional as F

        class LayerNorm2d(nn.LayerNorm):
            def forward(self, x):
                x = x.permute(0, 2, 3, 1)
                x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
                return x.permute(0, 3, 1, 2)

        class Wide(nn.Conv2d):
            def __init__(self, cin, cout):
                super().__init__(cin, cout, kernel_size=3, padding=1, bias=False)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                norm = partial(LayerNorm2d, eps=1e-6)
                self.conv = Wide(3, 8)
                self.norm = norm(8)

            def forward(self, x):
                return self.norm(self.conv(x))
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(2, 3, 5, 5)]).models
    assert rows(m) == [("conv", "Wide", [2, 8, 5, 5], 216), ("norm", "LayerNorm2d", [2, 8, 5, 5], 16)]
    assert m.total_params == 232 and m.resolved


def test_functional_ops_on_a_modules_own_weights(tmp_path):
    # torchvision swin: F.linear(x, self.qkv.weight, self.qkv.bias) inside a helper function
    src = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Attn(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.qkv = nn.Linear(dim, 3 * dim)
                self.proj = nn.Linear(dim, dim, bias=False)

            def forward(self, x):
                qkv = F.linear(x, self.qkv.weight, self.qkv.bias)
                q, k, v = qkv.chunk(3, dim=-1)
                a = F.softmax(q @ k.transpose(-2, -1), dim=-1) @ v
                b = self.proj.bias
                return F.linear(a, self.proj.weight, b)
        """
    (m,) = run_src(tmp_path, src, model_expr="Attn(8)", inputs=[(2, 5, 8)]).models
    assert rows(m) == [("", "Attn", [2, 5, 8], 280)]
    assert m.resolved


def test_inplace_random_fill_keeps_the_shape(tmp_path):
    # torchvision stochastic_depth: noise = torch.empty(size).bernoulli_(p); noise.div_(p)
    src = """
        import torch
        import torch.nn as nn

        class Drop(nn.Module):
            def forward(self, x):
                size = [x.shape[0]] + [1] * (x.ndim - 1)
                noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(0.9)
                noise.div_(0.9)
                return x * noise

        net = nn.Sequential(nn.Conv2d(3, 4, 1), Drop())
        """
    (m,) = run_src(tmp_path, src, inputs=[(2, 3, 4, 4)]).models
    assert rows(m) == [("0", "Conv2d", [2, 4, 4, 4], 16), ("1", "Drop", [2, 4, 4, 4], 0)]
    assert m.resolved


# --------------------------------------------------------------------------- torchvision parts

TV_BLOCKS = """
    import torch
    import torch.nn as nn
    from functools import partial
    from torchvision.ops import MLP, Permute, StochasticDepth
    from torchvision.ops.misc import SqueezeExcitation
    from ..ops.misc import Conv2dNormActivation
    from ..utils import _log_api_usage_once
    from ._utils import _make_divisible

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            _log_api_usage_once(self)
            hidden = _make_divisible(c * 1.5, 8)
            self.body = nn.Sequential(
                Conv2dNormActivation(c, hidden, kernel_size=1, activation_layer=nn.SiLU),
                Conv2dNormActivation(hidden, hidden, groups=hidden, norm_layer=partial(nn.BatchNorm2d, eps=1e-3)),
                SqueezeExcitation(hidden, hidden // 4, activation=nn.SiLU),
                Conv2dNormActivation(hidden, c, kernel_size=1, activation_layer=None),
            )
            self.drop = StochasticDepth(0.1, "row")

        def forward(self, x):
            return x + self.drop(self.body(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            _log_api_usage_once(self)
            self.stem = Conv2dNormActivation(3, 16, stride=2)
            self.block = Block(16)
            self.to_last = Permute([0, 2, 3, 1])
            self.head = MLP(16, [32, 10], activation_layer=nn.GELU, dropout=0.1)

        def forward(self, x):
            x = self.block(self.stem(x))
            return self.head(self.to_last(x)).mean((1, 2))
    """


def test_torchvision_building_blocks_imported_from_torchvision_or_a_partial_copy(tmp_path):
    # torchvision model files copied without their package (relative imports that cannot
    # be followed), or user code importing torchvision.ops: the blocks are described in
    # torch_stubs; _log_api_usage_once(self) no longer taints the model.
    pkg = tmp_path / "pkg" / "models"
    pkg.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    r = run_src(pkg, TV_BLOCKS, name="net.py", model_expr="Net()", inputs=[(2, 3, 16, 16)])
    (m,) = r.models
    assert errors(r) == []
    assert rows(m) == [
        ("stem.0", "Conv2d", [2, 16, 8, 8], 432),
        ("stem.1", "BatchNorm2d", [2, 16, 8, 8], 32),
        ("stem.2", "ReLU", [2, 16, 8, 8], 0),
        ("block.body.0.0", "Conv2d", [2, 24, 8, 8], 384),
        ("block.body.0.1", "BatchNorm2d", [2, 24, 8, 8], 48),
        ("block.body.0.2", "SiLU", [2, 24, 8, 8], 0),
        ("block.body.1.0", "Conv2d", [2, 24, 8, 8], 216),
        ("block.body.1.1", "BatchNorm2d", [2, 24, 8, 8], 48),
        ("block.body.1.2", "ReLU", [2, 24, 8, 8], 0),
        ("block.body.2.avgpool", "AdaptiveAvgPool2d", [2, 24, 1, 1], 0),
        ("block.body.2.fc1", "Conv2d", [2, 6, 1, 1], 150),
        ("block.body.2.activation", "SiLU", [2, 6, 1, 1], 0),
        ("block.body.2.fc2", "Conv2d", [2, 24, 1, 1], 168),
        ("block.body.2.scale_activation", "Sigmoid", [2, 24, 1, 1], 0),
        ("block.body.3.0", "Conv2d", [2, 16, 8, 8], 384),
        ("block.body.3.1", "BatchNorm2d", [2, 16, 8, 8], 32),
        ("block.drop", "StochasticDepth", [2, 16, 8, 8], 0),
        ("to_last", "Permute", [2, 8, 8, 16], 0),
        ("head.0", "Linear", [2, 8, 8, 32], 544),
        ("head.1", "GELU", [2, 8, 8, 32], 0),
        ("head.2", "Dropout", [2, 8, 8, 32], 0),
        ("head.3", "Linear", [2, 8, 8, 10], 330),
        ("head.4", "Dropout", [2, 8, 8, 10], 0),
    ]
    assert m.total_params == 2768 and m.resolved


def test_torchvision_weights_idiom_in_a_builder(tmp_path):
    # weights = X_Weights.verify(weights) with WeightsEnum from an unresolvable import;
    # _ovewrite_named_param(kwargs, "num_classes", ...) only when weights are given
    src = """
        import torch.nn as nn
        from ._api import WeightsEnum, Weights, register_model
        from ._utils import _ovewrite_named_param, handle_legacy_interface

        class Net(nn.Module):
            def __init__(self, num_classes=1000):
                super().__init__()
                self.fc = nn.Linear(8, num_classes)

            def forward(self, x):
                return self.fc(x)

        class Net_Weights(WeightsEnum):
            V1 = Weights(url="x", transforms=None, meta={"categories": ["a", "b"]})

        @register_model()
        @handle_legacy_interface(weights=("pretrained", Net_Weights.V1))
        def net(*, weights=None, progress=True, **kwargs):
            weights = Net_Weights.verify(weights)
            if weights is not None:
                _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
            model = Net(**kwargs)
            if weights is not None:
                model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
            return model
        """
    (m,) = run_src(tmp_path, src, model_expr="net(num_classes=5)", inputs=[(2, 8)]).models
    assert rows(m) == [("fc", "Linear", [2, 5], 45)] and m.resolved
    (m,) = run_src(tmp_path, src, model_expr="net()", inputs=[(2, 8)]).models
    assert rows(m) == [("fc", "Linear", [2, 1000], 9000)] and m.resolved


def test_no_input_size_note_for_a_linear_over_the_channels_of_a_map(tmp_path):
    # torchvision convnext: a Linear applied to the last dim of an (N, H, W, C) map fits
    # every input size; the note claimed it fitted only 4x4 to 7x7 inputs.
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.stem = nn.Conv2d(3, 8, 4, stride=4)
                self.mix = nn.Linear(8, 8)
                self.pool = nn.AdaptiveAvgPool2d(1)
                self.fc = nn.Linear(8, 2)

            def forward(self, x):
                x = self.stem(x).permute(0, 2, 3, 1)
                x = self.mix(x).permute(0, 3, 1, 2)
                return self.fc(torch.flatten(self.pool(x), 1))
        """
    (m,) = run_src(tmp_path, src).models
    assert m.notes == []


def test_model_only_called_on_loader_batches_is_still_checked(tmp_path):
    # pytorch/examples mnist: the model is only ever called on batches from a DataLoader;
    # that run says nothing about the input, so the model is run on a symbolic one too.
    src = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 32, 3, 1)
                self.conv2 = nn.Conv2d(32, 64, 3, 1)
                self.fc1 = nn.Linear(9216, 10)

            def forward(self, x):
                x = F.relu(self.conv2(F.relu(self.conv1(x))))
                return self.fc1(torch.flatten(F.max_pool2d(x, 2), 1))

        def train(model, loader):
            for data, target in loader:
                loss = F.nll_loss(model(data), target)
                loss.backward()

        model = Net()
        train(model, torch.utils.data.DataLoader(None))
        """
    r = run_src(tmp_path, src)
    (m,) = r.models
    assert errors(r) == []
    assert [row[2] for row in rows(m)] == [["N", 32, None, None], ["N", 64, None, None], ["N", 10]]
    assert m.notes == ["Linear at line 11 fits inputs from 28×28 to 29×29"]
    bad = src.replace("nn.Conv2d(32, 64, 3, 1)", "nn.Conv2d(16, 64, 3, 1)")
    assert [c for c, _, _ in errors(run_src(tmp_path, bad))] == ["SL108"]


def test_dataclass_post_init_and_non_init_fields(tmp_path):
    src = """
        from dataclasses import dataclass, field
        import torch.nn as nn

        @dataclass
        class Cfg:
            width: int = 4
            hidden: int = field(init=False, default=0)
            depth: int = 2

            def __post_init__(self):
                self.hidden = self.width * 2

        c = Cfg(8, 3)
        net = nn.Sequential(*[nn.Linear(c.width if i == 0 else c.hidden, c.hidden) for i in range(c.depth)])
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 8)]).models
    assert rows(m) == [("0", "Linear", [1, 16], 144), ("1", "Linear", [1, 16], 272), ("2", "Linear", [1, 16], 272)]


def test_grouped_conv_weight_passed_positionally_to_conv2d(tmp_path):
    # groups given positionally: the weight of Conv2d(8, 8, 3, 1, 1, 1, 8) is (8, 1, 3, 3)
    src = """
        import torch.nn as nn
        import torch.nn.functional as F

        class DW(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(8, 8, 3, 1, 1, 1, 8)

            def forward(self, x):
                return F.conv2d(x, self.conv.weight, self.conv.bias, 1, 1, 1, 8)
        """
    r = run_src(tmp_path, src, model_expr="DW()", inputs=[(1, 8, 5, 5)])
    assert errors(r) == []
    (m,) = r.models
    assert rows(m) == [("", "DW", [1, 8, 5, 5], 80)]


def test_leaf_subclass_initialised_the_old_way_has_unknown_parameters(tmp_path):
    src = """
        import torch.nn as nn

        class MyConv(nn.Conv2d):
            def __init__(self, cin, cout):
                nn.Conv2d.__init__(self, cin, cout, 3)

        net = nn.Sequential(MyConv(3, 4))
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 3, 8, 8)]).models
    assert m.total_params is None and not m.resolved


def test_package_init_reexporting_models_reports_none_of_them(tmp_path):
    # torchvision/models/__init__.py: `from .alexnet import *` re-exports AlexNet; only the
    # file that defines a class builds it for a check (else each model is reported twice).
    pkg = tmp_path / "zoo"
    pkg.mkdir()
    (pkg / "net.py").write_text(textwrap.dedent("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x)
        """))
    r = run_src(pkg, "import torch\nfrom .net import *\n", name="__init__.py")
    assert r.models == []
    (m,) = analyze_bytes(str(pkg / "net.py"), (pkg / "net.py").read_bytes(), Settings()).models
    assert m.name == "Net"


def test_relative_position_bias_gathered_with_an_integer_index(tmp_path):
    # torchvision swin: an index built from torch.arange/meshgrid/stack/flatten, registered
    # as a buffer, picks rows of a bias table: table[index] has the index's shape + (heads,)
    src = """
        import torch
        import torch.nn as nn

        class RelBias(nn.Module):
            def __init__(self, window=3, heads=2):
                super().__init__()
                self.table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
                coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij"))
                flat = torch.flatten(coords, 1)
                rel = flat[:, :, None] - flat[:, None, :]
                rel = rel.permute(1, 2, 0).contiguous()
                rel[:, :, 0] += window - 1
                rel[:, :, 1] += window - 1
                rel[:, :, 0] *= 2 * window - 1
                self.register_buffer("index", rel.sum(-1).flatten())
                self.window = window

            def forward(self, attn):
                n = self.window * self.window
                bias = self.table[self.index].view(n, n, -1).permute(2, 0, 1).unsqueeze(0)
                return attn + bias
        """
    (m,) = run_src(tmp_path, src, model_expr="RelBias()", inputs=[(4, 2, 9, 9)]).models
    assert rows(m) == [("", "RelBias", [4, 2, 9, 9], 50)] and m.resolved


def test_float_or_unknown_index_tensor_gives_unknown_rows(tmp_path):
    src = """
        import torch
        import torch.nn as nn

        class Pick(nn.Module):
            def __init__(self):
                super().__init__()
                self.table = nn.Parameter(torch.zeros(10, 4))

            def forward(self, mask):
                return self.table[mask].view(5, 3)
        """
    r = run_src(tmp_path, src, model_expr="Pick()", inputs=[(10,)])
    assert errors(r) == []


def test_modulelist_extended_with_plus_equals(tmp_path):
    # torchvision maxvit: self.layers = nn.ModuleList(); self.layers += [Layer(...)]
    src = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList()
                for i in range(3):
                    self.layers += [nn.Linear(4 if i == 0 else 6, 6)]
                self.head = nn.Sequential(nn.ReLU()) + nn.Sequential(nn.Linear(6, 2))

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return self.head(x)
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(2, 4)]).models
    assert rows(m) == [
        ("layers.0", "Linear", [2, 6], 30),
        ("layers.1", "Linear", [2, 6], 42),
        ("layers.2", "Linear", [2, 6], 42),
        ("head.0", "ReLU", [2, 6], 0),
        ("head.1", "Linear", [2, 2], 14),
    ]
    assert m.total_params == 128 and m.resolved


def test_intermediate_layer_getter_with_dict_comprehension_and_del(tmp_path):
    # torchvision IntermediateLayerGetter: {str(k): str(v) for ...}, `del pending[name]`,
    # `if not pending: break` -- del was ignored, so the loop kept every child (certain but
    # wrong: the head's parameters were counted), and the dict comprehension was unknown.
    src = """
        from collections import OrderedDict
        import torch.nn as nn

        class Getter(nn.ModuleDict):
            def __init__(self, model, return_layers):
                pending = {str(k): str(v) for k, v in return_layers.items()}
                layers = OrderedDict()
                for name, module in model.named_children():
                    layers[name] = module
                    if name in pending:
                        del pending[name]
                    if not pending:
                        break
                super().__init__(layers)
                self.return_layers = dict(return_layers)

            def forward(self, x):
                out = OrderedDict()
                for name, module in self.items():
                    x = module(x)
                    if name in self.return_layers:
                        out[self.return_layers[name]] = x
                return out

        class Backbone(nn.Module):
            def __init__(self):
                super().__init__()
                self.stem = nn.Conv2d(3, 8, 3, padding=1)
                self.layer1 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
                self.fc = nn.Linear(16, 10)

        class Seg(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = Getter(Backbone(), {"layer1": "out"})
                self.head = nn.Conv2d(16, 2, 1)

            def forward(self, x):
                return self.head(self.backbone(x)["out"])
        """
    (m,) = run_src(tmp_path, src, model_expr="Seg()", inputs=[(1, 3, 8, 8)]).models
    assert rows(m) == [
        ("backbone.stem", "Conv2d", [1, 8, 8, 8], 224),
        ("backbone.layer1", "Conv2d", [1, 16, 4, 4], 1168),
        ("head", "Conv2d", [1, 2, 4, 4], 34),
    ]
    assert m.total_params == 1426 and m.resolved


def test_del_of_submodules_and_list_items(tmp_path):
    src = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Linear(8, 3))
                del self.body[2]
                self.extra = nn.Linear(100, 100)
                del self.extra
                sizes = [4, 8, 16]
                del sizes[-1]
                self.width = sizes[-1]

            def forward(self, x):
                return self.body(x)
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(2, 4)]).models
    assert rows(m) == [("body.0", "Linear", [2, 8], 40), ("body.1", "ReLU", [2, 8], 0), ("body.2", "Linear", [2, 3], 27)]
    assert m.total_params == 67 and m.resolved


def test_getattr_with_a_default_on_blocks_without_the_attribute(tmp_path):
    # torchvision lraspp/deeplabv3: [i for i, b in enumerate(features) if getattr(b, "_is_cn", False)]
    src = """
        import torch.nn as nn

        class Down(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)
                self._is_cn = True
                self.out_channels = c

        class Keep(nn.Sequential):
            def __init__(self, c):
                super().__init__(nn.Conv2d(c, c, 3, padding=1))
                self.out_channels = c

        features = nn.Sequential(Keep(4), Down(4), Keep(4), Down(4), Keep(4))
        idx = [i for i, b in enumerate(features) if getattr(b, "_is_cn", False)]
        n_has = len([b for b in features if hasattr(b, "_is_cn")])
        head = nn.Sequential(nn.Linear(features[idx[-1]].out_channels * len(idx) + n_has, 2))
        """
    (m,) = [x for x in run_src(tmp_path, src, inputs=[(1, 10)]).models if x.name == "head"]
    assert rows(m) == [("0", "Linear", [1, 2], 22)]


def test_generation_loop_calling_the_model_is_cut_short(tmp_path):
    # pytorch/examples language_translation: `while True:` around a decode that calls the
    # model; counting the layers of every model call as "structure" kept the loop unrolling
    # until the step budget ran out (the rest of the file went unchecked).
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList([nn.Linear(16, 16) for _ in range(12)])
                self.out = nn.Linear(16, 4)

            def forward(self, x):
                for blk in self.blocks:
                    x = torch.relu(blk(x))
                return self.out(x)

        model = Net()
        x = torch.randn(1, 16)
        while True:
            y = model(x)
            x = torch.cat([x[:, 1:], y[:, :1]], dim=1)

        late = nn.Sequential(nn.Linear(3, 5), nn.Linear(6, 2))
        """
    p = tmp_path / "gen.py"
    p.write_text(textwrap.dedent(src))
    r = analyze_bytes(str(p), p.read_bytes(), Settings(extend_select=["SL004"]))
    assert [d.code for d in r.diagnostics if d.code == "SL004"] == []
    assert [d.code for d in r.diagnostics if d.severity == "error"] == ["SL107"]  # the rest was checked
    (m,) = [x for x in r.models if x.name == "model"]
    assert len(m.layers) == 13


def test_getattr_default_stays_unknown_when_attributes_are_dynamic(tmp_path):
    src = """
        import torch.nn as nn

        class Dyn(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

            def __getattr__(self, name):
                return 4

        class Exposed(nn.Module):
            def __init__(self, **kw):
                super().__init__()
                self.__dict__.update(kw)

        d, e = Dyn(), Exposed(width=3)
        n = getattr(d, "width", 8) + getattr(e, "width", 8)
        head = nn.Sequential(nn.Linear(n, 2))
        """
    (m,) = [x for x in run_src(tmp_path, src, inputs=[(1, 7)]).models if x.name == "head"]
    assert m.total_params is None  # neither default may be taken


def test_submodule_from_code_not_followed_makes_the_total_unknown(tmp_path):
    # torchvision detection BackboneWithFPN: self.fpn = FeaturePyramidNetwork(...) imported
    # from torchvision.ops (never followed) was left out of a total reported as certain
    # (RetinaNet 30,199,447 instead of 34,014,999); examples/fast_neural_style's Vgg16
    # (slices of torchvision's vgg16 features) reported 0 parameters.
    src = """
        import torch.nn as nn
        from torchvision.ops.feature_pyramid_network import FeaturePyramidNetwork
        from torchvision import models

        class WithFPN(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Conv2d(3, 8, 3)
                self.fpn = FeaturePyramidNetwork([8], 8)
                self.scale = 0.5 * 2

            def forward(self, x):
                return self.fpn({"0": self.body(x)})

        class Slices(nn.Module):
            def __init__(self):
                super().__init__()
                features = models.vgg16(weights=None).features
                self.slice1 = nn.Sequential()
                for i in range(4):
                    self.slice1.add_module(str(i), features[i])

            def forward(self, x):
                return self.slice1(x)
        """
    r = run_src(tmp_path, src)
    assert errors(r) == []
    totals = {m.name: m.total_params for m in r.models}
    assert totals == {"WithFPN": None, "Slices": None}


def test_values_computed_from_unknowns_do_not_hide_the_total(tmp_path):
    src = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, cfg=None):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.scale = cfg.scale * 2
                self.name = cfg.name

            def forward(self, x):
                return self.fc(x)
        """
    (m,) = run_src(tmp_path, src, inputs=[(1, 4)]).models
    assert m.total_params == 10


def test_module_given_an_unknown_argument_may_hold_it(tmp_path):
    # FCN(backbone, classifier): a composite built with an unknown backbone (a builder of a
    # package that is not followed) must not report a total without the backbone.
    src = """
        import torch.nn as nn
        import timm

        class Seg(nn.Module):
            def __init__(self, backbone, classes=2):
                super().__init__()
                self.backbone = backbone
                self.head = nn.Conv2d(8, classes, 1)

            def forward(self, x):
                return self.head(self.backbone(x))

        seg = Seg(timm.create_model("resnet18", features_only=True))
        known = Seg(nn.Conv2d(3, 8, 3))
        """
    totals = {m.name: m.total_params for m in run_src(tmp_path, src).models}
    assert totals == {"seg": None, "known": 18 + 224}


def test_tensor_methods_on_a_layers_parameters(tmp_path):
    src = """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3, padding=1)

            def forward(self, x):
                y = F.conv2d(x, self.conv.weight, None, 1, 1)
                return y + self.conv.bias.view(1, -1, 1, 1)
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(2, 3, 5, 5)]).models
    assert rows(m) == [("", "Net", [2, 4, 5, 5], 112)] and m.resolved


def test_freezing_one_parameter_of_a_layer_leaves_trainable_unknown(tmp_path):
    # `layer.weight.requires_grad = False` was silently ignored: every parameter counted as
    # trainable, with certainty.
    src = """
        import torch.nn as nn

        net = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2))
        net[1].weight.requires_grad = False
        emb = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2))
        emb[0].weight.requires_grad = False
        """
    models = {m.name: m for m in run_src(tmp_path, src, inputs=[(1, 3)]).models}
    assert models["net"].total_params == 50 and models["net"].trainable_params is None
    assert models["emb"].total_params == 50 and models["emb"].trainable_params == 10


def test_frozen_nn_parameters_leave_trainable_unknown(tmp_path):
    src = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.pos = nn.Parameter(torch.zeros(1, 4), requires_grad=False)
                self.cls = nn.Parameter(torch.zeros(1, 4))
                self.cls.requires_grad = False

            def forward(self, x):
                return self.fc(x + self.pos + self.cls)

        class Method(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.cls = nn.Parameter(torch.zeros(1, 4)).requires_grad_(False)

            def forward(self, x):
                return self.fc(x + self.pos + self.cls)

        class Plain(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
                self.cls = nn.Parameter(torch.zeros(1, 4))

            def forward(self, x):
                return self.fc(x + self.cls)
        """
    models = {m.name: m for m in run_src(tmp_path, src, inputs=[(1, 4)]).models}
    assert models["Net"].total_params == 18 and models["Net"].trainable_params is None
    assert models["Method"].total_params == 14 and models["Method"].trainable_params is None
    assert models["Plain"].total_params == 14 and models["Plain"].trainable_params == 14


def test_two_argument_super_runs_the_base_constructor(tmp_path):
    # pytorch/examples style `super(Net, self).__init__(...)` was unknown, so a local base
    # class's constructor never ran and its submodules were missing from a total reported
    # as certain.
    src = """
        import torch.nn as nn

        class Base(nn.Module):
            def __init__(self, width):
                super(Base, self).__init__()
                self.stem = nn.Linear(4, width)

        class Net(Base):
            def __init__(self):
                super(Net, self).__init__(8)
                self.head = nn.Linear(8, 2)

            def forward(self, x):
                return self.head(self.stem(x))
        """
    (m,) = run_src(tmp_path, src, model_expr="Net()", inputs=[(3, 4)]).models
    assert rows(m) == [("stem", "Linear", [3, 8], 40), ("head", "Linear", [3, 2], 18)]
    assert m.total_params == 58 and m.resolved


def test_subclass_of_nn_transformer_replacing_its_decoder(tmp_path):
    # examples/word_language_model: class TransformerModel(nn.Transformer) calls
    # super().__init__(d_model=..., num_encoder_layers=...), replaces self.decoder with a
    # Linear and runs only self.encoder (20 rows, 23,652 parameters with real PyTorch).
    src = """
        import math
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class LM(nn.Transformer):
            def __init__(self, ntoken, ninp, nhead, nhid, nlayers):
                super(LM, self).__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers)
                self.input_emb = nn.Embedding(ntoken, ninp)
                self.ninp = ninp
                self.decoder = nn.Linear(ninp, ntoken)

            def forward(self, src):
                src = self.input_emb(src) * math.sqrt(self.ninp)
                output = self.encoder(src)
                return F.log_softmax(self.decoder(output), dim=-1)
        """
    (m,) = run_src(tmp_path, src, model_expr="LM(100, 32, 2, 64, 2)", inputs=[(35, 20)]).models
    assert m.total_params == 23652 and m.resolved
    names = [r[0] for r in rows(m)]
    assert names[0] == "input_emb" and names[-2:] == ["encoder.norm", "decoder"] and len(names) == 19
