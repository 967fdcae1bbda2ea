"""Oracle fuzzing: random layer configurations, end to end, against real Keras and PyTorch.

Each example is a small model program (an input of a random shape and one layer with random
arguments).  shapelint analyses the source text -- front-end, interpreter, shape engine --
and the same layer is built and called in the real framework (Keras 3 on the PyTorch CPU
backend, PyTorch 2 on CPU).  Where the framework accepts the configuration, shapelint's
output shape and parameter count must be the framework's (or unknown: never a different
number), and it must not report an error.  Where the framework rejects the configuration,
shapelint may report it or stay silent (precision first): those cases are not compared.

Bounded and reproducible: hypothesis with ``derandomize=True``, 60 examples per framework.
Needs the ``oracle`` extra (``pytest -m oracle``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapelint.analysis import Settings, analyze_bytes

pytestmark = pytest.mark.oracle

ORACLE = settings(derandomize=True, deadline=None, database=None, max_examples=60, suppress_health_check=list(HealthCheck))


def shapelint_layer(src: str):
    """(output shape(s), params, error codes) of the model's only layer, per shapelint."""
    result = analyze_bytes("oracle_fuzz.py", src.encode(), Settings(), force=True)
    assert not result.internal_error, [d.message for d in result.diagnostics]
    errors = sorted({d.code for d in result.diagnostics if d.severity == "error"})
    if len(result.models) != 1 or len(result.models[0].layers) != 1:
        return None, None, errors
    row = result.models[0].layers[0]
    return _plain(row.output_shape), row.params, errors


def _plain(shape):
    """Symbols (named unknown sizes) become None; lists of shapes stay lists."""
    if shape is None:
        return None
    if shape and isinstance(shape[0], (tuple, list)):
        return [_plain(s) for s in shape]
    return tuple(None if isinstance(d, str) else d for d in shape)


def _agrees(ours, real) -> bool:
    """Ours equals the framework's, where ours is known (None is unknown, never wrong)."""
    if ours is None:
        return True
    if isinstance(real, list) or isinstance(ours, list):
        if not (isinstance(real, list) and isinstance(ours, list) and len(real) == len(ours)):
            return False
        return all(_agrees(o, r) for o, r in zip(ours, real))
    if len(ours) != len(real):
        return False
    return all(o is None or o == r for o, r in zip(ours, real))


def _dims(shape):
    if isinstance(shape, list):
        return [d for s in shape for d in s]
    return list(shape)


class Tally:
    def __init__(self):
        self.compared = self.rejected = 0
        self.mismatches = []

    def check(self, src, real, ours):
        shape, params, errors = ours
        if real == "raises":
            self.rejected += 1
            return
        self.compared += 1
        real_shape, real_params = real
        if errors == ["SL105"] and 0 in _dims(real_shape):
            return  # PyTorch returns an empty map (a transposed conv cropped to nothing): SL105 reports it
        if errors or not _agrees(shape, real_shape) or (params is not None and params != real_params):
            self.mismatches.append("%s\n  framework: %r %r\n  shapelint: %r %r %r" % (src, real_shape, real_params, shape, params, errors))


def _args(pos, kw):
    return ", ".join([repr(a) for a in pos] + ["%s=%r" % item for item in kw.items()])


def test_the_comparison_can_fail():
    tally = Tally()
    tally.check("a", ((None, 4), 20), ((None, 4), 20, []))  # agrees
    tally.check("b", ((None, 4), 20), ((None, None), None, []))  # unknown: never wrong
    tally.check("c", "raises", ((None, 4), 20, []))  # not compared
    assert (tally.compared, tally.rejected, tally.mismatches) == (2, 1, [])
    tally.check("d", ((None, 4), 20), ((None, 5), 20, []))
    tally.check("e", ((None, 4), 20), ((None, 4), 24, []))
    tally.check("f", ((None, 4), 20), ((None, 4), 20, ["SL103"]))
    tally.check("g", ([(None, 4), (None, 2)], 20), ((None, 4), 20, []))
    assert [m[0] for m in tally.mismatches] == ["d", "e", "f", "g"]


# --------------------------------------------------------------------------- Keras


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def _keras_real(keras, layer_src, shape):
    try:
        layer = eval(layer_src, {"layers": keras.layers, "keras": keras})
        out = layer(keras.Input(shape=shape))
    except (ValueError, TypeError, IndexError, ZeroDivisionError, NotImplementedError):
        return "raises"
    if isinstance(out, (list, tuple)):
        shapes = [tuple(t.shape) for t in out]
    else:
        shapes = tuple(out.shape)
    return shapes, layer.count_params()


SIDE = st.integers(1, 12)


@st.composite
def keras_case(draw):
    kind = draw(st.sampled_from(["conv", "pool", "dense", "embedding", "rnn"]))
    if kind == "conv":
        rank = draw(st.integers(1, 3))
        fmt = draw(st.sampled_from(["channels_last", "channels_first"]))
        channels = draw(st.integers(1, 4))
        spatial = tuple(draw(st.lists(SIDE, min_size=rank, max_size=rank)))
        shape = (channels,) + spatial if fmt == "channels_first" else spatial + (channels,)
        kw = {"padding": draw(st.sampled_from(["valid", "same"] + (["causal"] if rank == 1 and fmt == "channels_last" else [])))}
        if draw(st.booleans()):
            kw["strides"] = draw(st.integers(1, 3))
        elif draw(st.booleans()):
            kw["dilation_rate"] = draw(st.integers(1, 3))
        kw["data_format"] = fmt
        if draw(st.booleans()):
            kw["use_bias"] = False
        layer = "layers.Conv%dD(%s)" % (rank, _args([draw(st.integers(1, 6)), draw(st.integers(1, 5))], kw))
    elif kind == "pool":
        rank = draw(st.integers(1, 2))
        op = draw(st.sampled_from(["Max", "Average"]))
        shape = tuple(draw(st.lists(SIDE, min_size=rank, max_size=rank))) + (draw(st.integers(1, 3)),)
        kw = {"padding": draw(st.sampled_from(["valid", "same"]))}
        if draw(st.booleans()):
            kw["strides"] = draw(st.integers(1, 3))
        layer = "layers.%sPooling%dD(%s)" % (op, rank, _args([draw(st.integers(1, 4))], kw))
    elif kind == "dense":
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))
        kw = {} if draw(st.booleans()) else {"use_bias": False}
        layer = "layers.Dense(%s)" % _args([draw(st.integers(1, 16))], kw)
    elif kind == "embedding":
        shape = (draw(st.integers(1, 10)),)
        layer = "layers.Embedding(%s)" % _args([draw(st.integers(2, 50)), draw(st.integers(1, 8))], {})
    else:
        cell = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
        shape = (draw(st.one_of(st.none(), st.integers(1, 8))), draw(st.integers(1, 6)))
        kw = {"return_sequences": draw(st.booleans())}
        if draw(st.booleans()):
            kw["return_state"] = True
        inner = "layers.%s(%s)" % (cell, _args([draw(st.integers(1, 8))], kw))
        if draw(st.booleans()):
            merge = draw(st.sampled_from(["concat", "sum", "mul", "ave"]))
            layer = "layers.Bidirectional(%s, merge_mode=%r)" % (inner, merge)
        else:
            layer = inner
    return layer, shape


@settings(ORACLE)
@given(keras_case())
def test_keras_layers_match_real_keras(case):
    keras = _keras()
    layer, shape = case
    src = "import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=%r)\noutputs = %s(inputs)\nmodel = keras.Model(inputs, outputs)\n" % (shape, layer)
    tally = Tally()
    tally.check(src, _keras_real(keras, layer, shape), shapelint_layer(src))
    assert not tally.mismatches, "\n".join(tally.mismatches)


# --------------------------------------------------------------------------- PyTorch


def _torch():
    return pytest.importorskip("torch")


def _first_tensor(out, torch):
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)):
        for o in out:
            t = _first_tensor(o, torch)
            if t is not None:
                return t
    return None


def _torch_real(torch, layer_src, shape):
    try:
        layer = eval(layer_src, {"nn": torch.nn, "torch": torch})
        with torch.no_grad():
            out = layer(torch.randn(*shape))
    except (ValueError, TypeError, RuntimeError, IndexError, ZeroDivisionError):
        return "raises"
    return tuple(_first_tensor(out, torch).shape), sum(p.numel() for p in layer.parameters())


@st.composite
def torch_case(draw):
    kind = draw(st.sampled_from(["conv", "convT", "pool", "linear", "rnn"]))
    batch = draw(st.integers(1, 3))
    if kind in ("conv", "convT"):
        rank = draw(st.integers(1, 3))
        groups = draw(st.sampled_from([1, 1, 2]))
        cin = groups * draw(st.integers(1, 3))
        cout = groups * draw(st.integers(1, 3))
        spatial = tuple(draw(st.lists(st.integers(1, 10), min_size=rank, max_size=rank)))
        shape = (batch, cin) + spatial
        kw = {"stride": draw(st.integers(1, 3)), "padding": draw(st.integers(0, 2)), "dilation": draw(st.integers(1, 2)), "groups": groups}
        if kind == "conv" and draw(st.booleans()):
            kw["padding"] = "same"
            kw["stride"] = 1
        if kind == "convT" and draw(st.booleans()):
            kw["output_padding"] = draw(st.integers(0, 1))
        if draw(st.booleans()):
            kw["bias"] = False
        cls = "Conv%dd" % rank if kind == "conv" else "ConvTranspose%dd" % rank
        layer = "nn.%s(%s)" % (cls, _args([cin, cout, draw(st.integers(1, 4))], kw))
    elif kind == "pool":
        rank = draw(st.integers(1, 2))
        op = draw(st.sampled_from(["Max", "Avg"]))
        k = draw(st.integers(1, 4))
        shape = (batch, draw(st.integers(1, 3))) + tuple(draw(st.lists(st.integers(1, 10), min_size=rank, max_size=rank)))
        kw = {"stride": draw(st.one_of(st.none(), st.integers(1, 3))), "padding": draw(st.integers(0, k // 2)), "ceil_mode": draw(st.booleans())}
        if op == "Max":
            kw["dilation"] = draw(st.integers(1, 2))
        layer = "nn.%sPool%dd(%s)" % (op, rank, _args([k], kw))
    elif kind == "linear":
        features = draw(st.integers(1, 8))
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))) + (features,)
        kw = {} if draw(st.booleans()) else {"bias": False}
        layer = "nn.Linear(%s)" % _args([features, draw(st.integers(1, 8))], kw)
    else:
        cell = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
        size = draw(st.integers(1, 6))
        hidden = draw(st.integers(2, 6))
        batch_first = draw(st.booleans())
        seq = draw(st.integers(1, 5))
        shape = (batch, seq, size) if batch_first else (seq, batch, size)
        if draw(st.integers(0, 4)) == 0:
            shape = (seq, size)  # unbatched
        kw = {"num_layers": draw(st.integers(1, 3)), "batch_first": batch_first, "bidirectional": draw(st.booleans())}
        if cell == "LSTM" and draw(st.booleans()):
            kw["proj_size"] = draw(st.integers(1, hidden - 1))
        if draw(st.booleans()):
            kw["bias"] = False
        layer = "nn.%s(%s)" % (cell, _args([size, hidden], kw))
    return layer, shape


@settings(ORACLE)
@given(torch_case())
def test_torch_layers_match_real_pytorch(case):
    torch = _torch()
    layer, shape = case
    src = "import torch\nimport torch.nn as nn\n\nmodel = nn.Sequential(%s)\nout = model(torch.randn%r)\n" % (layer, tuple(shape))
    tally = Tally()
    tally.check(src, _torch_real(torch, layer, shape), shapelint_layer(src))
    assert not tally.mismatches, "\n".join(tally.mismatches)
