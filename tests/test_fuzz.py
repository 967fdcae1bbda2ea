"""Property-based fuzzing of the front-ends and the shape engine (hypothesis, hypothesmith).

* random valid Python (hypothesmith) through :func:`analyze_bytes`: no exception escapes, no
  internal error (SL003), the result is diagnostics plus models;
* random Keras and PyTorch model programs assembled from layer calls with random (often
  nonsensical) arguments: the analysis never raises and never reports SL003;
* random arguments and input shapes through every registered shape function: the only
  outcomes are a result, a ``ShapeIssue`` or ``Unresolved``.

Bounded and reproducible: ``derandomize=True`` (the examples are a function of the test), a
fixed ``max_examples`` per test, no deadline (a shared CI machine is noisy); the whole file
takes well under a minute.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shapelint.analysis import FileResult, Settings, analyze_bytes
from shapelint.diagnostics import Diagnostic
from shapelint.engine import registry
from shapelint.engine.registry import LayerConfig, LayerResult, Options, ShapeIssue, Unresolved, infer
from shapelint.engine.values import UNKNOWN
from shapelint.graph import ModelInfo

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
ALL = Settings(select=["ALL"], verbose=True)


def analyse(src: str) -> FileResult:
    result = analyze_bytes("fuzz.py", src.encode("utf-8", "surrogatepass"), ALL, force=True)
    assert isinstance(result, FileResult)
    assert all(isinstance(d, Diagnostic) for d in result.diagnostics)
    assert all(isinstance(m, ModelInfo) for m in result.models)
    internal = [d.message for d in result.diagnostics if d.code == "SL003"]
    assert not internal and not result.internal_error, "\n".join(internal) + "\n--- source:\n" + src
    return result


# --------------------------------------------------------------------------- random Python

try:
    import hypothesmith
except ImportError:  # the test extra installs it; without it only these two tests skip
    hypothesmith = None
needs_hypothesmith = pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")


@needs_hypothesmith
@settings(FUZZ, max_examples=40)
@given(hypothesmith.from_grammar() if hypothesmith else st.just(""))
def test_random_python_from_the_grammar(code):
    # a framework import first, so the Keras and PyTorch front-ends both run on it
    analyse("import keras\nimport torch\n" + code)


@needs_hypothesmith
@settings(FUZZ, max_examples=20)
@given(hypothesmith.from_node() if hypothesmith else st.just(""))
def test_random_python_from_libcst_nodes(code):
    analyse("import torch.nn as nn\nfrom keras import layers\n" + code)


# --------------------------------------------------------------------------- random models

# arguments: mostly plausible, often not
SMALL = st.integers(min_value=-2, max_value=40)
ARG = st.one_of(
    st.integers(min_value=1, max_value=16),
    SMALL,
    st.sampled_from([0, 1, 2, 3, 64, 10 ** 6, -1]),
    st.lists(SMALL, min_size=0, max_size=4).map(tuple),
    st.sampled_from(["'same'", "'valid'", "'causal'", "'full'", "'channels_first'", "'channels_last'", "'relu'", "'x'"]),
    st.sampled_from(["None", "True", "False", "0.5", "-1.5", "UNKNOWN_NAME", "data.shape[1]", "[]", "()", "'a' * 3"]),
)


def _lit(v) -> str:
    return v if isinstance(v, str) else repr(v)


# plausible values by parameter name, so that many programs get past their first layer
FEW = st.sampled_from([1, 2, 3, 4, 8])
PLAUSIBLE = {
    "padding": st.sampled_from(["'same'", "'valid'", 0, 1, 2, (1, 0)]),
    "data_format": st.sampled_from(["'channels_last'", "'channels_first'"]),
    "activation": st.sampled_from(["'relu'", "None"]),
    "interpolation": st.sampled_from(["'nearest'", "'bilinear'"]),
    "mode": st.sampled_from(["'nearest'", "'bilinear'"]),
    "padding_mode": st.sampled_from(["'zeros'", "'reflect'", "'circular'"]),
    "axis": st.sampled_from([-1, 1, 2, (1, 2)]),
    "rate": st.sampled_from([0.5]),
    "p": st.sampled_from([0.5]),
    "eps": st.sampled_from([1e-5]),
    "momentum": st.sampled_from([0.1]),
    "scale": st.sampled_from([0.5]),
    "offset": st.sampled_from([0.0]),
    "scale_factor": st.sampled_from([2, 0.5, (2, 1)]),
    "dropout": st.sampled_from([0.0, 0.5]),
    "target_shape": st.lists(FEW, min_size=1, max_size=3).map(tuple),
    "dims": st.permutations([1, 2]).map(tuple),
    "unflattened_size": st.lists(FEW, min_size=1, max_size=3).map(tuple),
    "normalized_shape": st.one_of(FEW, st.lists(FEW, min_size=1, max_size=2).map(tuple)),
    "output_size": st.one_of(FEW, st.tuples(FEW, FEW)),
    "start_dim": st.sampled_from([0, 1, 2, -1]),
    "end_dim": st.sampled_from([-1, 1, 2]),
    "dim": st.sampled_from([0, 1, 2, -1]),
    "cropping": st.sampled_from([1, (1, 0)]),
}
BOOLEAN_PARAMS = ("return_sequences", "return_state", "go_backwards", "reset_after", "bias", "use_bias", "batch_first",
                  "bidirectional", "ceil_mode", "return_indices", "count_include_pad", "affine", "elementwise_affine",
                  "inplace", "keepdims", "normalize", "use_scale")


def value_for(name):
    if name in PLAUSIBLE:
        good = PLAUSIBLE[name]
    elif name in BOOLEAN_PARAMS:
        good = st.sampled_from(["True", "False"])
    elif name in ("proj_size", "output_padding", "padding_idx"):
        good = st.sampled_from([0, 1])
    else:
        good = st.one_of(FEW, FEW, st.tuples(FEW, FEW))
    return st.one_of(good, good, good, ARG)  # mostly plausible, a quarter anything


KERAS_LAYERS = {
    "Dense": ["units", "activation", "use_bias"],
    "Conv1D": ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups"],
    "Conv2D": ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups"],
    "Conv3D": ["filters", "kernel_size", "strides", "padding"],
    "Conv2DTranspose": ["filters", "kernel_size", "strides", "padding", "output_padding"],
    "SeparableConv2D": ["filters", "kernel_size", "strides", "padding", "depth_multiplier"],
    "DepthwiseConv2D": ["kernel_size", "strides", "padding", "depth_multiplier"],
    "MaxPooling1D": ["pool_size", "strides", "padding"],
    "MaxPooling2D": ["pool_size", "strides", "padding", "data_format"],
    "AveragePooling3D": ["pool_size", "strides", "padding"],
    "GlobalAveragePooling2D": ["data_format", "keepdims"],
    "GlobalMaxPooling1D": ["data_format", "keepdims"],
    "Flatten": ["data_format"],
    "Reshape": ["target_shape"],
    "Permute": ["dims"],
    "RepeatVector": ["n"],
    "Dropout": ["rate"],
    "BatchNormalization": ["axis"],
    "LayerNormalization": ["axis"],
    "Embedding": ["input_dim", "output_dim", "input_length"],
    "SimpleRNN": ["units", "return_sequences", "return_state"],
    "LSTM": ["units", "return_sequences", "return_state", "go_backwards"],
    "GRU": ["units", "return_sequences", "return_state", "reset_after"],
    "ZeroPadding2D": ["padding"],
    "Cropping1D": ["cropping"],
    "UpSampling2D": ["size", "interpolation"],
    "Concatenate": ["axis"],
    "Add": [],
    "Multiply": [],
    "Dot": ["axes", "normalize"],
    "MultiHeadAttention": ["num_heads", "key_dim", "value_dim"],
    "Attention": ["use_scale"],
    "Rescaling": ["scale", "offset"],
    "Resizing": ["height", "width"],
}
MERGES = {"Concatenate", "Add", "Multiply", "Dot", "Attention"}


@st.composite
def layer_call(draw, table, prefix):
    name = draw(st.sampled_from(sorted(table)))
    params = table[name]
    n_pos = draw(st.integers(min_value=0, max_value=min(2, len(params))))
    pos = [_lit(draw(value_for(params[i]))) for i in range(n_pos)]
    kws = draw(st.lists(st.sampled_from(params), unique=True, max_size=3)) if params[n_pos:] else []
    kw = ["%s=%s" % (k, _lit(draw(value_for(k)))) for k in kws if k not in params[:n_pos]]
    return name, "%s%s(%s)" % (prefix, name, ", ".join(pos + kw))


@st.composite
def keras_program(draw):
    shape = tuple(draw(st.lists(st.one_of(FEW, st.integers(1, 32), st.none()), min_size=1, max_size=4)))
    calls = draw(st.lists(layer_call(KERAS_LAYERS, "layers."), min_size=1, max_size=6))
    wrapped = draw(st.sampled_from(["", "layers.Bidirectional(layers.LSTM(4, return_sequences=True))", "layers.TimeDistributed(layers.Dense(3))"]))
    if draw(st.booleans()):
        body = ",\n    ".join(c for _, c in calls if _ not in MERGES)
        extra = (",\n    " + wrapped) if wrapped else ""
        return "model = keras.Sequential([\n    keras.Input(%r),\n    %s%s\n])\n" % (shape, body, extra)
    lines = ["inputs = keras.Input(%r)" % (shape,), "x = inputs", "y = inputs"]
    for name, call in calls:
        if name in MERGES:
            lines.append("x = %s([x, y])" % call)
        elif name in ("MultiHeadAttention",):
            lines.append("x = %s(x, y)" % call)
        else:
            lines.append("x = %s(x)" % call)
        if draw(st.booleans()):
            lines.append("y = x")
    if wrapped:
        lines.append("x = %s(x)" % wrapped)
    lines.append("model = keras.Model(inputs, x)")
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=60)
@given(keras_program())
# found by this test: SL301 divided by a zero pool size
@example(program="inputs = keras.Input((None, 1, None))\nx = layers.MaxPooling2D(0)(inputs)\nmodel = keras.Model(inputs, x)\n")
@example(program="inputs = keras.Input((8, 8, 3))\nx = layers.AveragePooling2D(2, strides=0)(inputs)\nmodel = keras.Model(inputs, x)\n")
def test_random_keras_programs(program):
    analyse("import keras\nfrom keras import layers\n\n" + program)


TORCH_LAYERS = {
    "Linear": ["in_features", "out_features", "bias"],
    "Bilinear": ["in1_features", "in2_features", "out_features"],
    "Conv1d": ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups"],
    "Conv2d": ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"],
    "Conv3d": ["in_channels", "out_channels", "kernel_size", "stride", "padding"],
    "ConvTranspose2d": ["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation"],
    "MaxPool2d": ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"],
    "AvgPool1d": ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
    "AdaptiveAvgPool2d": ["output_size"],
    "BatchNorm1d": ["num_features", "eps", "momentum", "affine"],
    "BatchNorm2d": ["num_features"],
    "GroupNorm": ["num_groups", "num_channels"],
    "LayerNorm": ["normalized_shape", "eps", "elementwise_affine"],
    "Flatten": ["start_dim", "end_dim"],
    "Unflatten": ["dim", "unflattened_size"],
    "Embedding": ["num_embeddings", "embedding_dim", "padding_idx"],
    "RNN": ["input_size", "hidden_size", "num_layers"],
    "LSTM": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"],
    "GRU": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"],
    "Dropout": ["p"],
    "ReLU": ["inplace"],
    "Identity": [],
    "Upsample": ["size", "scale_factor", "mode"],
    "PixelShuffle": ["upscale_factor"],
    "TransformerEncoderLayer": ["d_model", "nhead", "dim_feedforward", "batch_first"],
    "MultiheadAttention": ["embed_dim", "num_heads", "batch_first"],
}
TORCH_OPS = [
    "x = torch.flatten(x, {a})",
    "x = x.view({a}, -1)",
    "x = x.reshape({a}, {b})",
    "x = x.permute({a}, {b})",
    "x = x.transpose({a}, {b})",
    "x = torch.cat([x, x], dim={a})",
    "x = torch.stack([x, x], {a})",
    "x = x.mean({a}, keepdim={c})",
    "x = x.unsqueeze({a})",
    "x = x.squeeze({a})",
    "x = F.interpolate(x, scale_factor={a})",
    "x = F.max_pool2d(x, {a})",
    "x = F.pad(x, ({a}, {b}))",
    "x = x @ x",
    "x = x + x[:, :{a}]",
    "x = torch.matmul(x, x.transpose(-1, -2))",
    "x = x.chunk({a}, dim={b})[0]",
    "x = x.split({a}, {b})[-1]",
    "x = x.expand({a}, {b})",
    "x = x.repeat({a}, {b})",
    "x = F.linear(x, torch.randn({a}, {b}))",
    "x = x.size({a}) * x",
    "x = x.new_zeros(x.shape[{a}:])",
]


@st.composite
def torch_program(draw):
    shape = draw(st.lists(st.one_of(FEW, FEW, st.integers(1, 12)), min_size=1, max_size=5))
    layers_ = draw(st.lists(layer_call(TORCH_LAYERS, "nn."), min_size=1, max_size=5))
    ops = draw(st.lists(st.sampled_from(TORCH_OPS), max_size=4))
    ops = [
        op.format(a=_lit(draw(ARG)), b=_lit(draw(st.one_of(SMALL, st.just(-1)))), c=draw(st.sampled_from(["True", "False"])))
        for op in ops
    ]
    if draw(st.booleans()):
        return "model = nn.Sequential(\n    %s\n)\ny = model(torch.randn(%s))\n" % (
            ",\n    ".join(c for _, c in layers_), ", ".join(map(str, shape)))
    init = "\n".join("        self.m%d = %s" % (i, c) for i, (_, c) in enumerate(layers_))
    uses = ["        x = self.m%d(x)" % i for i in range(len(layers_))]
    body = uses + ["        " + op for op in ops]
    order = draw(st.permutations(body))
    return textwrap.dedent(
        """\
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
        {init}

            def forward(self, x):
        {body}
                return x


        net = Net()
        out = net(torch.randn({shape}))
        """
    ).format(init=init, body="\n".join(order), shape=", ".join(map(str, shape)))


@settings(FUZZ, max_examples=60)
@given(torch_program())
def test_random_torch_programs(program):
    analyse("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n" + program)


# --------------------------------------------------------------------------- mutated fixtures

FIXTURES = sorted(str(p) for d in ("keras", "torch", "keras_bugs", "torch_bugs")
                  for p in (Path(__file__).resolve().parent.parent / "fixtures" / d).glob("*.py"))
WILD = ["0", "-1", "1", "3", "1000000", "None", "'x'", "(1, 2)", "[]", "True", "0.5", "(0,)", "UNKNOWN_NAME"]


@st.composite
def mutated_fixture(draw):
    """A real model file with a few integers replaced by odd values, lines deleted or doubled."""
    src = Path(draw(st.sampled_from(FIXTURES))).read_text()
    for _ in range(draw(st.integers(1, 3))):
        numbers = list(re.finditer(r"(?<![\w.])\d+(?![\w.])", src))
        lines = src.split("\n")
        op = draw(st.sampled_from(["number", "number", "delete", "double"]))
        if op == "number" and numbers:
            m = numbers[draw(st.integers(0, len(numbers) - 1))]
            src = src[: m.start()] + draw(st.sampled_from(WILD)) + src[m.end():]
        elif op == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
            src = "\n".join(lines)
        else:
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            src = "\n".join(lines)
    return src


@settings(FUZZ, max_examples=60)
@given(mutated_fixture())
def test_mutated_fixtures(src):
    analyse(src)


# --------------------------------------------------------------------------- shape engine

registry.lookup("keras", "Dense")
registry.lookup("torch", "Linear")
LAYER_KEYS = sorted(registry.REGISTRY)

DIM = st.one_of(st.integers(1, 64), st.none(), st.sampled_from([0, 1, 2, 3, 10 ** 6, "H", "W"]))
SHAPE = st.one_of(st.none(), st.lists(DIM, max_size=6).map(tuple))
VALUE = st.one_of(
    st.integers(-3, 64),
    st.sampled_from([0, 10 ** 9, True, False, None, UNKNOWN, 0.5, -2.5, "same", "valid", "causal", "full",
                     "channels_first", "channels_last", "reflect", "nearest", "bilinear", "mean", "sum", "x"]),
    st.lists(st.one_of(st.integers(-2, 16), st.none(), st.just(UNKNOWN)), max_size=4).map(tuple),
    st.lists(st.integers(-2, 16), max_size=3),
)


@st.composite
def layer_config(draw):
    key = draw(st.sampled_from(LAYER_KEYS))
    ldef = registry.REGISTRY[key]
    sig = list(ldef.signature)
    n_pos = draw(st.integers(0, min(3, len(sig))))
    args = tuple(draw(VALUE) for _ in range(n_pos))
    names = draw(st.lists(st.sampled_from(sig), unique=True, max_size=4)) if sig else []
    kwargs = {n: draw(VALUE) for n in names if n not in sig[:n_pos]}
    if key[0] in ("keras",) and draw(st.booleans()):
        inner = registry.REGISTRY.get(("keras", draw(st.sampled_from(["Dense", "LSTM", "GRU", "Conv1D"]))))
        if inner is not None:
            kwargs["layer"] = LayerConfig("keras", inner.name, (draw(st.integers(1, 8)),), {})
    inputs = draw(st.lists(SHAPE, min_size=0, max_size=3))
    fmt = draw(st.sampled_from(["channels_last", "channels_first"]))
    return LayerConfig(key[0], key[1], args, kwargs), inputs, Options(image_data_format=fmt)


@settings(FUZZ, max_examples=1000)
@given(layer_config())
def test_shape_functions_raise_only_documented_outcomes(case):
    config, inputs, options = case
    try:
        result = infer(config, inputs, options)
    except (ShapeIssue, Unresolved):
        return
    assert isinstance(result, LayerResult)
    assert isinstance(result.outputs, list)
    for shape in result.outputs:
        assert shape is None or isinstance(shape, (tuple, list)), shape
    assert result.params is None or (isinstance(result.params, int) and not isinstance(result.params, bool)), result.params
