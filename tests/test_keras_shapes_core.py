"""Shapes and parameter counts of the Keras core, normalization, merge, recurrent and
attention layers.

Every expected shape and parameter count below was checked against real Keras 3.15
(torch backend).  Where Keras 3's *symbolic* shape differs from what the layer really
returns (or where the symbolic call accepts an input that the real call rejects), the
cases say so and follow the real call.  The ``oracle`` tests at the end compare
``infer`` with real Keras on seeded random configurations when keras is installed.
"""

from __future__ import annotations

import os
import random

import pytest

from shapelint.engine import registry
from shapelint.engine.registry import LayerConfig, ShapeIssue, Unresolved, infer
from shapelint.engine.values import UNKNOWN

try:  # the whole Keras layer set, once every family is written
    import shapelint.engine.keras_layers  # noqa: F401
except ImportError:  # a sibling family is missing: load the ones tested here
    import shapelint.engine.keras_attention  # noqa: F401
    import shapelint.engine.keras_core  # noqa: F401
    import shapelint.engine.keras_merge  # noqa: F401
    import shapelint.engine.keras_norm  # noqa: F401
    import shapelint.engine.keras_rnn  # noqa: F401
registry._LOADED.add("keras")


def K(name, *args, **kwargs):
    """A Keras layer config: ``K("LSTM", 64, return_sequences=True)``."""
    return LayerConfig("keras", name, args=tuple(args), kwargs=dict(kwargs))


def issue_of(config, *shapes):
    with pytest.raises(ShapeIssue) as info:
        infer(config, list(shapes))
    return info.value


# (layer, input shapes, output shapes, params, non-trainable params)
CASES = [
    # -- core ---------------------------------------------------------------------------
    (K("Dense", 64), [(None, 32)], [(None, 64)], 2112, 0),
    (K("Dense", 8, use_bias=False), [(None, 10, 4)], [(None, 10, 8)], 32, 0),
    (K("EinsumDense", "ab,bc->ac", output_shape=64, bias_axes="c"), [(None, 32)], [(None, 64)], 2112, 0),
    (K("EinsumDense", "abc,cd->abd", output_shape=(10, 64), bias_axes="d"), [(None, 10, 32)], [(None, 10, 64)], 2112, 0),
    # a None in output_shape stays None in the output, as Keras 3 reports it
    (K("EinsumDense", "abc,cd->abd", (None, 64), None, "d"), [(None, 10, 32)], [(None, None, 64)], 2112, 0),
    (K("EinsumDense", "abc,cde->abde", output_shape=(None, 4, 16), bias_axes="de"), [(None, 10, 32)],
     [(None, None, 4, 16)], 2112, 0),
    (K("EinsumDense", "abc,cde->abde", output_shape=(None, 4, 16), bias_axes="e"), [(None, 10, 32)],
     [(None, None, 4, 16)], 2064, 0),
    (K("EinsumDense", "abc,cde->abde", output_shape=(None, 4, 16)), [(None, 10, 32)], [(None, None, 4, 16)], 2048, 0),
    (K("EinsumDense", "abc,cd->abd", output_shape=(10, 64), bias_axes="bd"), [(None, 10, 32)], [(None, 10, 64)], 2688, 0),
    (K("EinsumDense", "abc,bcd->ad", output_shape=(64,), bias_axes="d"), [(None, 10, 32)], [(None, 64)], 20544, 0),
    (K("EinsumDense", "...b,bc->...c", output_shape=64, bias_axes="c"), [(None, 10, 32)], [(None, 10, 64)], 2112, 0),
    (K("EinsumDense", "...b,bc->...c", output_shape=64, bias_axes="c"), [(None, 32)], [(None, 64)], 2112, 0),
    (K("EinsumDense", "ab...,bc->ac...", output_shape=(64,), bias_axes="c"), [(None, 32, 7)], [(None, 64, 7)], 2112, 0),
    (K("EinsumDense", "abc,cd->abd", output_shape=(10, 64), bias_axes="d", lora_rank=4), [(None, 10, 32)],
     [(None, 10, 64)], 2496, 2048),
    (K("Embedding", 1000, 64), [(None, 10)], [(None, 10, 64)], 64000, 0),
    (K("Embedding", 1000, 64), [(None,)], [(None, 64)], 64000, 0),
    (K("Embedding", 1000, 64), [(None, 10, 3)], [(None, 10, 3, 64)], 64000, 0),
    (K("Embedding", 1000, 64, input_length=10, mask_zero=True), [(None, 10)], [(None, 10, 64)], 64000, 0),
    (K("Embedding", input_dim=100, output_dim=16), [(None, None)], [(None, None, 16)], 1600, 0),
    (K("Embedding", 100, 16, lora_rank=4), [(None, 10)], [(None, 10, 16)], 2064, 1600),
    (K("Activation", "relu"), [(None, 3)], [(None, 3)], 0, 0),
    (K("ReLU", 6.0), [(None, 4, 3)], [(None, 4, 3)], 0, 0),
    (K("LeakyReLU", 0.3), [(None, 3)], [(None, 3)], 0, 0),
    (K("ELU"), [(None, 5, 3)], [(None, 5, 3)], 0, 0),
    (K("Softmax", axis=1), [(None, 10, 8, 4)], [(None, 10, 8, 4)], 0, 0),
    (K("Dropout", 0.5), [(None,)], [(None,)], 0, 0),
    (K("Dropout", 0.5, noise_shape=(None, 1, 4)), [(None, 10, 8, 4)], [(None, 10, 8, 4)], 0, 0),
    (K("SpatialDropout1D", 0.2), [(None, 10, 8)], [(None, 10, 8)], 0, 0),
    (K("SpatialDropout2D", 0.2), [(None, 10, 8, 4)], [(None, 10, 8, 4)], 0, 0),
    (K("SpatialDropout3D", 0.2), [(None, 10, 8, 4, 5)], [(None, 10, 8, 4, 5)], 0, 0),
    (K("GaussianNoise", 0.1), [(None, 3)], [(None, 3)], 0, 0),
    (K("GaussianDropout", 0.1), [(None, 3)], [(None, 3)], 0, 0),
    (K("AlphaDropout", 0.1), [(None, 3)], [(None, 3)], 0, 0),
    (K("ActivityRegularization", l1=0.01), [(None, 3)], [(None, 3)], 0, 0),
    (K("Masking", 0.0), [(None, 4, 3)], [(None, 4, 3)], 0, 0),
    (K("Identity"), [(None, 4, 3)], [(None, 4, 3)], 0, 0),
    (K("PReLU"), [(None, 10, 8)], [(None, 10, 8)], 80, 0),
    (K("PReLU", shared_axes=[1]), [(None, 10, 8)], [(None, 10, 8)], 8, 0),
    (K("PReLU", shared_axes=[1, 2]), [(None, 10, 8, 3)], [(None, 10, 8, 3)], 3, 0),
    (K("PReLU", shared_axes=1), [(None, 10, 8, 3)], [(None, 10, 8, 3)], 24, 0),
    # Keras indexes the per-sample shape with axis - 1: [-1] shares the second-to-last axis
    (K("PReLU", shared_axes=[-1]), [(None, 10, 8, 3)], [(None, 10, 8, 3)], 30, 0),
    (K("PReLU", shared_axes=[1]), [(None, None, 8)], [(None, None, 8)], 8, 0),
    # -- normalization --------------------------------------------------------------------
    (K("BatchNormalization"), [(None, 32, 32, 3)], [(None, 32, 32, 3)], 12, 6),
    (K("BatchNormalization", 1), [(None, 32, 32, 3)], [(None, 32, 32, 3)], 128, 64),
    (K("BatchNormalization", axis=-2), [(None, 7, 8)], [(None, 7, 8)], 28, 14),
    (K("BatchNormalization", center=False), [(None, 8)], [(None, 8)], 24, 16),
    (K("BatchNormalization", scale=False, center=False), [(None, 8)], [(None, 8)], 16, 16),
    (K("BatchNormalization", renorm=True), [(None, 8)], [(None, 8)], 56, 40),
    (K("BatchNormalization", axis=0), [(4, 8)], [(4, 8)], 16, 8),
    (K("LayerNormalization"), [(None, 10, 8)], [(None, 10, 8)], 16, 0),
    (K("LayerNormalization", axis=[1, 2]), [(None, 10, 8)], [(None, 10, 8)], 160, 0),
    (K("LayerNormalization", axis=[-2, -1], center=False), [(None, 10, 8)], [(None, 10, 8)], 80, 0),
    # (Keras 3.15's torch backend fails to *run* a non-trailing axis; the layer itself is fine)
    (K("LayerNormalization", 1), [(None, 10, 8)], [(None, 10, 8)], 20, 0),
    (K("LayerNormalization", scale=False, center=False), [(None, 10, 8)], [(None, 10, 8)], 0, 0),
    (K("LayerNormalization", rms_scaling=True), [(None, 10, 8)], [(None, 10, 8)], 8, 0),
    (K("GroupNormalization"), [(None, 10, 32)], [(None, 10, 32)], 64, 0),
    (K("GroupNormalization", 4), [(None, 10, 32)], [(None, 10, 32)], 64, 0),
    (K("GroupNormalization", 4, 1), [(None, 8, 3)], [(None, 8, 3)], 16, 0),
    (K("GroupNormalization", groups=4, center=False), [(None, 8, 3, 16)], [(None, 8, 3, 16)], 16, 0),
    (K("GroupNormalization", groups=-1), [(None, 12)], [(None, 12)], 24, 0),
    (K("UnitNormalization"), [(None, 12)], [(None, 12)], 0, 0),
    (K("UnitNormalization", axis=[1, 2]), [(None, 12, 3)], [(None, 12, 3)], 0, 0),
    # -- merging ----------------------------------------------------------------------------
    (K("Concatenate"), [(None, 3, 2), (None, 3, 4)], [(None, 3, 6)], 0, 0),
    (K("Concatenate", 1), [(None, 3, 2), (None, 4, 2), (None, None, 2)], [(None, None, 2)], 0, 0),
    (K("Concatenate", axis=1), [(None, 3, 2), (None, 4, None)], [(None, 7, 2)], 0, 0),
    (K("Concatenate", axis=1), [(None, 3, None), (None, 4, 2)], [(None, 7, None)], 0, 0),
    (K("Concatenate", axis=-2), [(None, 3, 2), (None, 5, 2)], [(None, 8, 2)], 0, 0),
    (K("Concatenate"), [(None, 3, 2)], [(None, 3, 2)], 0, 0),
    (K("Concatenate", axis=0), [(None, 3, 2), (None, 3, 2)], [(None, 3, 2)], 0, 0),
    (K("Add"), [(None, 32, 32, 1), (None, 32, 32, 16)], [(None, 32, 32, 16)], 0, 0),
    (K("Add"), [(None, 32, 1, 16), (None, 1, 32, 16)], [(None, 32, 32, 16)], 0, 0),
    (K("Add"), [(None, 16), (None, 32, 16)], [(None, 32, 16)], 0, 0),
    (K("Add"), [(None, 16), (None, 16, 1)], [(None, 16, 16)], 0, 0),
    (K("Add"), [(None, None, 16), (None, 5, 16)], [(None, None, 16)], 0, 0),
    (K("Add"), [(4, 8), (None, 8)], [(4, 8)], 0, 0),
    (K("Add"), [(None, 8)], [(None, 8)], 0, 0),
    (K("Add"), [(None, 8), (None, 8), (None, 1)], [(None, 8)], 0, 0),
    (K("Subtract"), [(None, 8), (None, 1)], [(None, 8)], 0, 0),
    (K("Multiply"), [(None, 10, 8), (None, 10, 8)], [(None, 10, 8)], 0, 0),
    (K("Average"), [(None, 1), (None, 4)], [(None, 4)], 0, 0),
    (K("Maximum"), [(None, 3, 1), (None, 1, 4)], [(None, 3, 4)], 0, 0),
    (K("Minimum"), [(None, 3, 4), (None, 3, 4), (None, 3, 4)], [(None, 3, 4)], 0, 0),
    (K("Dot", 1), [(None, 8), (None, 8)], [(None, 1)], 0, 0),
    (K("Dot", axes=-1, normalize=True), [(None, 10, 8), (None, 12, 8)], [(None, 10, 12)], 0, 0),
    (K("Dot", axes=1), [(None, 10, 8), (None, 10, 6)], [(None, 8, 6)], 0, 0),
    (K("Dot", axes=(1, 2)), [(None, 10, 8), (None, 12, 10)], [(None, 8, 12)], 0, 0),
    (K("Dot", axes=(-1, -2)), [(None, 10, 8), (None, 8, 5)], [(None, 10, 5)], 0, 0),
    (K("Dot", axes=-1), [(None, 8), (None, 12, 8)], [(None, 12)], 0, 0),
    (K("Dot", axes=1), [(None, 3, 4, 5), (None, 3, 6)], [(None, 4, 5, 6)], 0, 0),
    # -- recurrent ----------------------------------------------------------------------------
    (K("LSTM", 64), [(None, 10, 8)], [(None, 64)], 18688, 0),
    (K("LSTM", 64, return_sequences=True), [(None, None, 8)], [(None, None, 64)], 18688, 0),
    (K("LSTM", 64, return_state=True), [(None, 10, 8)], [(None, 64), (None, 64), (None, 64)], 18688, 0),
    (K("LSTM", 64, return_state=True, return_sequences=True), [(None, 10, 8)],
     [(None, 10, 64), (None, 64), (None, 64)], 18688, 0),
    (K("LSTM", 64, use_bias=False), [(None, 10, 8)], [(None, 64)], 18432, 0),
    (K("LSTM", 16, "tanh", "sigmoid", False), [(4, 10, 8)], [(4, 16)], 1536, 0),
    (K("GRU", 32), [(None, 10, 8)], [(None, 32)], 4032, 0),
    (K("GRU", 32, reset_after=False), [(None, 10, 8)], [(None, 32)], 3936, 0),
    (K("GRU", 32, use_bias=False), [(None, 10, 8)], [(None, 32)], 3840, 0),
    (K("GRU", 32, return_state=True, return_sequences=True), [(None, 10, 8)], [(None, 10, 32), (None, 32)], 4032, 0),
    (K("SimpleRNN", 16), [(None, 10, 8)], [(None, 16)], 400, 0),
    (K("SimpleRNN", 16, return_state=True), [(None, 10, 8)], [(None, 16), (None, 16)], 400, 0),
    (K("SimpleRNN", 16, "tanh", False), [(4, 10, 8)], [(4, 16)], 384, 0),
    (K("Bidirectional", K("LSTM", 64, return_sequences=True)), [(None, 10, 8)], [(None, 10, 128)], 37376, 0),
    (K("Bidirectional", K("LSTM", 64), "sum"), [(None, 10, 8)], [(None, 64)], 37376, 0),
    (K("Bidirectional", K("LSTM", 64), merge_mode=None), [(None, 10, 8)], [(None, 64), (None, 64)], 37376, 0),
    (K("Bidirectional", K("LSTM", 64, return_state=True)), [(None, 10, 8)],
     [(None, 128), (None, 64), (None, 64), (None, 64), (None, 64)], 37376, 0),
    (K("Bidirectional", K("GRU", 64, return_state=True), merge_mode=None), [(None, 10, 8)],
     [(None, 64), (None, 64), (None, 64), (None, 64)], 28416, 0),
    (K("Bidirectional", K("LSTM", 64, return_state=True, return_sequences=True), merge_mode="ave"), [(None, 10, 8)],
     [(None, 10, 64), (None, 64), (None, 64), (None, 64), (None, 64)], 37376, 0),
    (K("Bidirectional", K("SimpleRNN", 5, return_sequences=True), merge_mode="mul"), [(None, None, 8)],
     [(None, None, 5)], 140, 0),
    (K("Bidirectional", K("LSTM", 64, return_sequences=True),
       backward_layer=K("GRU", 64, return_sequences=True, go_backwards=True), merge_mode="sum"), [(None, 10, 8)],
     [(None, 10, 64)], 32896, 0),
    (K("Bidirectional", K("ConvLSTM2D", 4, 3, return_sequences=True)), [(None, 5, 8, 8, 3)], [(None, 5, 6, 6, 8)], 2048, 0),
    (K("TimeDistributed", K("Dense", 5)), [(None, 10, 8)], [(None, 10, 5)], 45, 0),
    (K("TimeDistributed", K("Dense", 5)), [(3, None, 8)], [(3, None, 5)], 45, 0),
    (K("TimeDistributed", K("Flatten")), [(None, 10, 8, 3)], [(None, 10, 24)], 0, 0),
    (K("TimeDistributed", K("LSTM", 4)), [(None, 10, 8, 3)], [(None, 10, 4)], 128, 0),
    (K("TimeDistributed", K("BatchNormalization")), [(None, 10, 8, 3)], [(None, 10, 8, 3)], 12, 6),
    (K("ConvLSTM2D", 8, 3), [(None, 5, 16, 16, 3)], [(None, 14, 14, 8)], 3200, 0),
    (K("ConvLSTM2D", 8, 3, padding="same", return_sequences=True, return_state=True), [(None, 5, 16, 16, 3)],
     [(None, 5, 16, 16, 8), (None, 16, 16, 8), (None, 16, 16, 8)], 3200, 0),
    (K("ConvLSTM2D", 8, (3, 2), strides=2), [(None, 5, 16, 17, 3)], [(None, 7, 8, 8)], 2144, 0),
    (K("ConvLSTM2D", 8, 3, data_format="channels_first"), [(None, 5, 3, 16, 16)], [(None, 8, 14, 14)], 3200, 0),
    (K("ConvLSTM2D", 8, 3, dilation_rate=2), [(None, 5, 16, 16, 3)], [(None, 12, 12, 8)], 3200, 0),
    (K("ConvLSTM2D", 8, 3, use_bias=False), [(None, None, 16, 16, 3)], [(None, 14, 14, 8)], 3168, 0),
    (K("ConvLSTM2D", 8, 3, 2, "same", return_state=True), [(None, 5, 15, 15, 3)],
     [(None, 8, 8, 8), (None, 8, 8, 8), (None, 8, 8, 8)], 3200, 0),
    (K("ConvLSTM1D", 8, 3), [(None, 5, 16, 3)], [(None, 14, 8)], 1088, 0),
    (K("ConvLSTM3D", 8, 3), [(None, 5, 8, 8, 8, 3)], [(None, 6, 6, 6, 8)], 9536, 0),
    # -- attention ------------------------------------------------------------------------------
    (K("Attention"), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 0, 0),
    (K("Attention", True), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 1, 0),
    (K("Attention", score_mode="concat"), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 1, 0),
    (K("Attention", use_scale=True, score_mode="concat"), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 2, 0),
    (K("Attention"), [(None, 10, 8), (None, 12, 6), (None, 12, 8)], [(None, 10, 6)], 0, 0),
    (K("Attention"), [(None, 5, 10, 8), (None, 5, 12, 8)], [(None, 5, 10, 8)], 0, 0),
    (K("Attention"), [(None, 5, 10, 8), (None, 1, 12, 8)], [(None, 5, 10, 8)], 0, 0),
    (K("AdditiveAttention"), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 8, 0),
    (K("AdditiveAttention", use_scale=False), [(None, 10, 8), (None, 12, 8)], [(None, 10, 8)], 0, 0),
    (K("AdditiveAttention"), [(None, 10, 8), (None, 12, 6), (None, 12, 8)], [(None, 10, 6)], 8, 0),
    (K("MultiHeadAttention", 4, 16), [(None, 10, 32), (None, 12, 24)], [(None, 10, 32)], 7392, 0),
    (K("MultiHeadAttention", 4, 16), [(None, 10, 32), (None, 12, 24), (None, 12, 20)], [(None, 10, 32)], 7136, 0),
    (K("MultiHeadAttention", 4, 16, 8), [(None, 10, 32), (None, 12, 24), (None, 12, 20)], [(None, 10, 32)], 5312, 0),
    (K("MultiHeadAttention", 4, 16, use_bias=False), [(None, 10, 32), (None, 12, 24)], [(None, 10, 32)], 7168, 0),
    (K("MultiHeadAttention", 4, 16, output_shape=7), [(None, 10, 32), (None, 12, 24)], [(None, 10, 7)], 5767, 0),
    (K("MultiHeadAttention", 4, 16, output_shape=(7, 3)), [(None, 10, 32), (None, 12, 24)], [(None, 10, 7, 3)], 6677, 0),
    (K("MultiHeadAttention", 4, 16, use_gate=True), [(None, 10, 32), (None, 12, 24)], [(None, 10, 32)], 9504, 0),
    (K("MultiHeadAttention", num_heads=2, key_dim=8), [(3, 10, 32), (None, 12, 32)], [(3, 10, 32)], 2128, 0),
    (K("MultiHeadAttention", 4, 16), [(None, 5, 10, 32), (None, 6, 12, 24)], [(None, 5, 10, 32)], 7392, 0),
    (K("MultiHeadAttention", 4, 16, attention_axes=2), [(None, 5, 10, 32), (None, 1, 12, 24)], [(None, 5, 10, 32)], 7392, 0),
    (K("MultiHeadAttention", 4, 16, attention_axes=(1,)), [(None, 5, 10, 32), (None, 6, 10, 24)],
     [(None, 5, 10, 32)], 7392, 0),
    (K("MultiHeadAttention", 4, 16, attention_axes=-2), [(None, 5, 10, 32), (None, 5, 12, 24)],
     [(None, 5, 10, 32)], 7392, 0),
]


def _case_id(case):
    config, shapes = case[0], case[1]
    return ("%s%s" % (config.type, "".join(str(s) for s in shapes))).replace(" ", "")


@pytest.mark.parametrize("config, shapes, outputs, params, non_trainable", CASES, ids=[_case_id(c) for c in CASES])
def test_shapes_and_params(config, shapes, outputs, params, non_trainable):
    result = infer(config, shapes)
    assert result.outputs == outputs
    assert result.params == params
    assert result.non_trainable == non_trainable


# Unknown dims stay unknown; params that need them are unknown (Keras itself refuses to
# build most of these, but an unknown size is never reported as an issue).
UNKNOWN_DIM_CASES = [
    (K("LSTM", 64), [(None, 10, None)], [(None, 64)]),
    (K("GRU", 4, return_sequences=True), [(None, "T", None)], [(None, "T", 4)]),
    (K("Dense", 8), [(None, "F")], [(None, 8)]),
    (K("BatchNormalization"), [(None, None)], [(None, None)]),
    (K("LayerNormalization", axis=[1, 2]), [(None, 4, None)], [(None, 4, None)]),
    (K("GroupNormalization", 4), [(None, None)], [(None, None)]),
    (K("PReLU"), [(None, None, 8)], [(None, None, 8)]),
    (K("AdditiveAttention"), [(None, 10, None), (None, 12, 8)], [(None, 10, 8)]),
    (K("MultiHeadAttention", 4, 16), [(None, 10, None), (None, 12, 24)], [(None, 10, None)]),
    (K("ConvLSTM2D", 8, 3), [(None, 5, 16, 16, None)], [(None, 14, 14, 8)]),
    (K("EinsumDense", "abc,cd->abd", output_shape=(None, 64)), [(None, 10, None)], [(None, None, 64)]),
    (K("Bidirectional", K("LSTM", 3)), [(None, 10, None)], [(None, 6)]),
]


@pytest.mark.parametrize("config, shapes, outputs", UNKNOWN_DIM_CASES, ids=[_case_id(c) for c in UNKNOWN_DIM_CASES])
def test_unknown_dims_give_unknown_params(config, shapes, outputs):
    result = infer(config, shapes)
    assert result.outputs == outputs
    assert result.params is None


def test_unknown_dims_never_raise():
    # None or a symbol on either side of a comparison is never a certain mismatch
    assert infer(K("Add"), [(None, "H", 3), (None, 5, 3)]).outputs == [(None, None, 3)]
    assert infer(K("Add"), [(None, "H", 3), (None, "H", 3)]).outputs == [(None, "H", 3)]
    assert infer(K("Multiply"), [(None, "H", 3), (None, 1, 3)]).outputs == [(None, "H", 3)]
    assert infer(K("Concatenate"), [(None, "H", 3), (None, 5, 4)]).outputs == [(None, "H", 7)]
    assert infer(K("Concatenate", axis=1), [(None, "H", 3), (None, 5, 3)]).outputs == [(None, None, 3)]
    assert infer(K("Dot", axes=-1), [(None, 10, None), (None, 12, 8)]).outputs == [(None, 10, 12)]
    assert infer(K("Attention"), [(None, 10, None), (None, 12, 8)]).outputs == [(None, 10, 8)]
    assert infer(K("MultiHeadAttention", 2, 4), [(None, 4, 8), (None, 6, 8), (None, None, 8)]).params == 288
    assert infer(K("EinsumDense", "abc,cd->abd", output_shape=(5, 64)), [(None, None, 3)]).outputs == [(None, 5, 64)]


# (layer, input shapes, kind, words the message must contain)
ISSUES = [
    (K("Dense", 4), [(None,)], "rank", ["Dense", "(None,)"]),
    (K("EinsumDense", "abc,cd->abd", output_shape=(10, 64)), [(None, 10)], "rank", ["3-D", "(None, 10)"]),
    (K("EinsumDense", "ab,bc->ac", output_shape=64), [(None, 10, 3)], "rank", ["2-D", "(None, 10, 3)"]),
    (K("EinsumDense", "abc,cd->abd", output_shape=(12, 64), bias_axes="d"), [(None, 10, 32)], "input",
     ["'b'", "10", "12"]),
    (K("SpatialDropout1D", 0.2), [(None, 10, 8, 3)], "rank", ["3-D", "(None, 10, 8, 3)"]),
    (K("SpatialDropout2D", 0.2), [(None, 10, 8)], "rank", ["4-D", "(None, 10, 8)"]),
    (K("SpatialDropout3D", 0.2), [(None, 10, 8, 4)], "rank", ["5-D", "(None, 10, 8, 4)"]),
    (K("PReLU", shared_axes=[3]), [(None, 10, 8)], "rank", ["axis 3", "(None, 10, 8)"]),
    (K("BatchNormalization", axis=3), [(None, 8)], "rank", ["axis 3", "(None, 8)"]),
    (K("LayerNormalization", axis=5), [(None, 10, 8)], "rank", ["axis 5", "(None, 10, 8)"]),
    (K("UnitNormalization", axis=4), [(None, 12, 3)], "rank", ["axis 4", "(None, 12, 3)"]),
    (K("GroupNormalization", 5), [(None, 10, 32)], "input", ["groups=5", "32", "(None, 10, 32)"]),
    (K("GroupNormalization", 64), [(None, 10, 32)], "input", ["groups=64", "32 channels"]),
    (K("GroupNormalization", 4, axis=1), [(None, 6, 8)], "input", ["groups=4", "6 channels"]),
    (K("Add"), [(None, 32, 32, 3), (None, 32, 32, 16)], "merge", ["(None, 32, 32, 3)", "(None, 32, 32, 16)", "3 and 16"]),
    (K("Add"), [(None, 32), (None, 32, 16)], "merge", ["(None, 32)", "(None, 32, 16)"]),
    (K("Add"), [(4, 8), (5, 8)], "merge", ["batch sizes", "(4, 8)", "(5, 8)"]),
    (K("Multiply"), [(None, 8), (None, 4)], "merge", ["8 and 4"]),
    (K("Minimum"), [(None, 3, 2), (None, 3, 4)], "merge", ["(None, 3, 2)", "(None, 3, 4)"]),
    (K("Maximum"), [(None, 3), (None, 1), (None, 4)], "merge", ["(None, 3), (None, 1), (None, 4)"]),
    (K("Subtract"), [(None, 8), (None, 8), (None, 8)], "input", ["exactly 2", "3"]),
    (K("Subtract"), [(None, 8)], "input", ["exactly 2", "1"]),
    (K("Concatenate", axis=1), [(None, 3, 2), (None, 3, 4)], "concat", ["(None, 3, 2), (None, 3, 4)", "axis 2"]),
    (K("Concatenate"), [(None, 3, 2), (None, 3)], "concat", ["different ranks", "(None, 3, 2), (None, 3)"]),
    (K("Concatenate"), [(None, 1, 2), (None, 3, 2)], "concat", ["(None, 1, 2), (None, 3, 2)"]),
    (K("Concatenate", axis=0), [(None, 3, 2), (None, 4, 2)], "concat", ["(None, 3, 2), (None, 4, 2)"]),
    (K("Concatenate", axis=-2), [(4, 3, 2), (5, 4, 2)], "concat", ["(4, 3, 2), (5, 4, 2)", "axis 0"]),
    (K("Concatenate", axis=3), [(None, 3, 2), (None, 3, 2)], "rank", ["axis=3", "(None, 3, 2)"]),
    (K("Dot", 1), [(None, 8), (None, 6)], "input", ["8", "6", "(None, 8), (None, 6)"]),
    (K("Dot", 3), [(None, 8), (None, 8)], "rank", ["axis 3"]),
    (K("Dot", 0), [(None, 8), (None, 8)], "input", ["batch axis"]),
    (K("Dot", axes=1), [(None, 8), (None, 8), (None, 8)], "input", ["exactly 2"]),
    (K("LSTM", 64), [(None, 4160)], "rank", ["LSTM expects 3-D input (batch, timesteps, features) but receives (None, 4160)"]),
    (K("GRU", 64), [(None, 10, 8, 3)], "rank", ["GRU expects 3-D input", "(None, 10, 8, 3)"]),
    (K("SimpleRNN", 4), [(None, 10)], "rank", ["SimpleRNN expects 3-D input", "(None, 10)"]),
    (K("Bidirectional", K("LSTM", 64)), [(None, 10)], "rank", ["3-D", "(None, 10)"]),
    (K("Bidirectional", K("LSTM", 64, return_sequences=True),
       backward_layer=K("GRU", 64, return_sequences=False, go_backwards=True)), [(None, 10, 8)], "input",
     ["return_sequences"]),
    (K("Bidirectional", K("LSTM", 64, return_sequences=True),
       backward_layer=K("GRU", 32, return_sequences=True, go_backwards=True), merge_mode="sum"), [(None, 10, 8)],
     "merge", ["(None, 10, 64)", "(None, 10, 32)"]),
    (K("TimeDistributed", K("Dense", 5)), [(None, 10)], "rank", ["TimeDistributed", "(None, 10)"]),
    # Keras' symbolic call accepts this, the real call fails: the inner LSTM sees 4-D steps
    (K("TimeDistributed", K("LSTM", 3, return_sequences=True)), [(None, 5, 2, 5, 5)], "rank",
     ["LSTM expects 3-D input", "(None, 2, 5, 5)"]),
    (K("ConvLSTM2D", 8, 3), [(None, 5, 16, 16)], "rank", ["5-D", "(None, 5, 16, 16)"]),
    (K("ConvLSTM2D", 8, 20), [(None, 5, 16, 16, 3)], "nonpositive", ["(20, 20)", "(None, 5, 16, 16, 3)"]),
    (K("ConvLSTM1D", 8, 3), [(None, 5, 16, 16, 3)], "rank", ["4-D", "(None, 5, 16, 16, 3)"]),
    (K("Attention"), [(None, 10, 8)], "input", ["[query, value]", "1 input"]),
    (K("Attention"), [(None, 10, 8)] * 4, "input", ["4 inputs"]),
    # the symbolic call accepts these; the real call fails
    (K("Attention"), [(None, 10, 8), (None, 12, 6)], "input", ["(None, 10, 8)", "(None, 12, 6)", "8 and 6"]),
    (K("Attention", score_mode="concat"), [(None, 10, 8), (None, 12, 6)], "input", ["8 and 6"]),
    (K("Attention"), [(None, 10, 8), (None, 13, 8), (None, 12, 8)], "input", ["(None, 13, 8)", "(None, 12, 8)"]),
    (K("Attention"), [(None, 5, 10, 8), (None, 4, 12, 8)], "input", ["5 and 4"]),
    (K("AdditiveAttention"), [(None, 10, 8), (None, 12, 6)], "input", ["8 and 6"]),
    (K("MultiHeadAttention", 4, 16), [(None, 10, 32), (None, 12, 24), (None, 13, 20)], "input",
     ["(None, 12, 24)", "(None, 13, 20)"]),
    (K("MultiHeadAttention", 4, 16), [(None, 32), (None, 24)], "rank", ["(None, 32)"]),
    (K("MultiHeadAttention", 4, 16), [(None, 10, 32), (None, 5, 12, 24)], "rank", ["(None, 5, 12, 24)"]),
    (K("MultiHeadAttention", 4, 16, attention_axes=2), [(None, 5, 10, 32), (None, 6, 12, 24)], "input",
     ["axis 1", "5 and 6"]),
    (K("MultiHeadAttention", 4, 16, attention_axes=3), [(None, 5, 10, 32), (None, 5, 12, 24)], "input",
     ["attention_axes"]),
    (K("MultiHeadAttention", 4, 16), [(2, 10, 32), (3, 12, 24)], "input", ["2 and 3"]),
]


def _issue_id(case):
    return ("%s-%s%s" % (case[2], case[0].type, "".join(str(s) for s in case[1]))).replace(" ", "")


@pytest.mark.parametrize("config, shapes, kind, words", ISSUES, ids=[_issue_id(c) for c in ISSUES])
def test_shape_issues(config, shapes, kind, words):
    issue = issue_of(config, *shapes)
    assert issue.kind == kind
    for word in words:
        assert word in issue.message
    assert issue.message[0].isupper() and not issue.message.endswith(".")


def test_rnn_rank_issue_has_hint_for_2d_input_only():
    issue = issue_of(K("LSTM", 64), (None, 4160))
    assert issue.message == "LSTM expects 3-D input (batch, timesteps, features) but receives (None, 4160)"
    assert "return_sequences=True" in issue.hint
    assert "Reshape" in issue.hint and "RepeatVector" in issue.hint
    assert issue_of(K("Bidirectional", K("GRU", 8)), (None, 12)).hint is not None
    assert issue_of(K("GRU", 64), (None, 10, 8, 3)).hint is None


def test_merge_issue_names_the_offending_input():
    assert issue_of(K("Add"), (None, 8), (None, 8), (None, 3)).input_index == 2
    assert issue_of(K("Concatenate"), (None, 2, 3), (None, 2, 3), (None, 5, 3)).input_index == 2


def test_bidirectional_with_a_different_backward_layer_follows_the_real_call():
    # Keras 3's symbolic shape says (None, 10, 128) (twice the forward size); the layer
    # really returns 64 + 32 = 96 features, and states of each direction's own size.
    result = infer(
        K(
            "Bidirectional",
            K("LSTM", 64, return_sequences=True, return_state=True),
            backward_layer=K("GRU", 32, return_sequences=True, go_backwards=True, return_state=True),
        ),
        [(None, 10, 8)],
    )
    assert result.outputs == [(None, 10, 96), (None, 64), (None, 64), (None, 32)]
    assert result.params == 22720
    assert any("(None, 10, 128)" in note for note in result.notes)


def test_einsum_dense_leading_axes_follow_the_real_call():
    # Keras 3's symbolic shape reverses the passed-through axes: (None, 6, 5, 3)
    result = infer(K("EinsumDense", "...b,bc->...c", output_shape=(3,)), [(None, 5, 6, 3)])
    assert result.outputs == [(None, 5, 6, 3)]
    assert result.params == 9
    assert any("(None, 6, 5, 3)" in note for note in result.notes)


def test_thresholded_relu_is_keras2_only():
    result = infer(K("ThresholdedReLU", 1.0), [(None, 4)])
    assert result.outputs == [(None, 4)] and result.params == 0
    assert any("Keras 3" in note for note in result.notes)


@pytest.mark.parametrize(
    "config, shapes",
    [
        (K("Lambda", "f"), [(None, 4)]),
        (K("LSTM", UNKNOWN), [(None, 10, 8)]),
        (K("Dense", 4), [None]),
        (K("Embedding", 10, UNKNOWN), [(None, 4)]),
        (K("Concatenate", axis=UNKNOWN), [(None, 3), (None, 3)]),
        (K("Dot", UNKNOWN), [(None, 3), (None, 3)]),
        (K("Add"), [(None, 3), None]),
        (K("Bidirectional", UNKNOWN), [(None, 10, 8)]),
        (K("Bidirectional", K("Dense", 4)), [(None, 10, 8)]),
        (K("TimeDistributed", K("Lambda", "f")), [(None, 10, 8)]),
        (K("BatchNormalization", axis=[1, 2]), [(None, 4, 4, 3)]),
        (K("ConvLSTM2D", 8, 3, padding="causal"), [(None, 5, 8, 8, 3)]),
        (K("MultiHeadAttention", 4, UNKNOWN), [(None, 10, 32), (None, 12, 24)]),
        (K("EinsumDense", "ab,bc->ac"), [(None, 4)]),
        (K("EinsumDense", "ab->b", output_shape=4), [(None, 4)]),
    ],
)
def test_unresolved(config, shapes):
    with pytest.raises(Unresolved):
        infer(config, shapes)


def test_positional_signatures():
    # constructor arguments in Keras 3 order
    assert infer(K("Dot", 1, True), [(None, 8), (None, 8)]).outputs == [(None, 1)]
    assert infer(K("BatchNormalization", 1, 0.9, 1e-3, False, False), [(None, 4, 5)]).params == 8
    assert infer(K("LayerNormalization", -1, 1e-3, False), [(None, 4, 5)]).params == 5
    assert infer(K("GroupNormalization", 2, -1, 1e-3, True, False), [(None, 4)]).params == 4
    gru = infer(K("GRU", 8, "tanh", "sigmoid", True, *([None] * 13), True), [(None, 3, 2)])
    assert (gru.outputs, gru.params) == ([(None, 3, 8)], 288)
    conv_lstm = infer(K("ConvLSTM2D", 2, 3, 1, "same", "channels_first"), [(None, 4, 3, 5, 5)])
    assert (conv_lstm.outputs, conv_lstm.params) == ([(None, 2, 5, 5)], 368)
    mha = infer(K("MultiHeadAttention", 2, 4, 3, 0.1, False, 6), [(None, 5, 8), (None, 7, 8)])
    assert (mha.outputs, mha.params) == ([(None, 5, 6)], 212)


# ---------------------------------------------------------------------------------------
# oracle: seeded random configurations compared with real Keras
# ---------------------------------------------------------------------------------------


def _kw_str(kw):
    return ",".join("%s=%r" % kv for kv in sorted(kw.items()))


def _gen_dense_embedding(rng, L):
    for i in range(50):
        if i % 2 == 0:
            units, use_bias = rng.randint(1, 40), rng.random() < 0.7
            rank = rng.randint(1, 4)
            shape = (None,) + tuple(rng.randint(1, 12) for _ in range(rank - 1))
            kw = {"use_bias": use_bias}
            yield (lambda u=units, kw=kw: L.Dense(u, **kw)), K("Dense", units, **kw), [shape], "single", False
        else:
            idim, odim = rng.randint(2, 500), rng.randint(1, 32)
            rank = rng.randint(1, 3)
            shape = (None,) + tuple(rng.choice([None, rng.randint(1, 12)]) for _ in range(rank - 1))
            kw = {"mask_zero": True} if rng.random() < 0.3 else {}
            if rng.random() < 0.2:
                kw["lora_rank"] = rng.randint(1, 4)
            yield (lambda a=idim, b=odim, kw=kw: L.Embedding(a, b, **kw)), K("Embedding", idim, odim, **kw), [shape], "single", False


def _gen_rnn(rng, L):
    for i in range(50):
        typ = rng.choice(["SimpleRNN", "LSTM", "GRU"])
        units = rng.randint(1, 24)
        kw = {}
        for flag in ("return_sequences", "return_state", "use_bias"):
            if rng.random() < 0.5:
                kw[flag] = rng.random() < 0.5
        if typ == "GRU" and rng.random() < 0.5:
            kw["reset_after"] = rng.random() < 0.5
        r = rng.random()
        if r < 0.12:
            shape = (None, rng.randint(1, 50))
        elif r < 0.18:
            shape = (None, 3, 4, 5)
        else:
            shape = (None, rng.choice([None, rng.randint(1, 9)]), rng.randint(1, 16))
        cls = getattr(L, typ)
        if i % 2 == 0:
            yield (lambda c=cls, u=units, kw=kw: c(u, **kw)), K(typ, units, **kw), [shape], "single", False
        else:
            mode = rng.choice(["concat", "sum", "mul", "ave", None])
            with_backward = rng.random() < 0.3

            def factory(c=cls, u=units, kw=kw, mode=mode, wb=with_backward):
                backward = c(u, go_backwards=True, **kw) if wb else None
                return L.Bidirectional(c(u, **kw), merge_mode=mode, backward_layer=backward)

            ckw = {"merge_mode": mode}
            if with_backward:
                ckw["backward_layer"] = K(typ, units, go_backwards=True, **kw)
            yield factory, K("Bidirectional", K(typ, units, **kw), **ckw), [shape], "single", False


def _gen_merge(rng, L):
    for i in range(60):
        family = i % 3
        if family == 0:
            typ = rng.choice(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"])
            n = 2 if typ == "Subtract" and rng.random() < 0.85 else rng.randint(2, 3)
            rank = rng.randint(1, 3)
            base = [rng.choice([1, 3, 4]) for _ in range(rank)]
            shapes = []
            for _ in range(n):
                r2 = rank if rng.random() < 0.75 else rng.randint(1, 3)
                dims = [rng.choice([d, d, 1, 3, None]) for d in (base + [1, 1, 1])[:r2]]
                shapes.append((None,) + tuple(dims))
            if rng.random() < 0.1:
                shapes[0] = (rng.choice([2, 3]),) + shapes[0][1:]
                shapes[-1] = (rng.choice([2, 3]),) + shapes[-1][1:]
            yield (lambda t=typ: getattr(L, t)()), K(typ), shapes, "list", False
        elif family == 1:
            rank = rng.randint(1, 3)
            axis = rng.choice([-1, 1, -2, 2, 3])
            if not -rank - 1 <= axis <= rank:
                axis = -1
            base = [rng.choice([2, 3, 5]) for _ in range(rank)]
            shapes = []
            for _ in range(rng.randint(2, 3)):
                dims = list(base)
                a = axis % (rank + 1) - 1
                if 0 <= a < rank:
                    dims[a] = rng.choice([1, 2, 7, None])
                if rng.random() < 0.2:
                    dims[rng.randrange(rank)] = rng.choice([1, 4])
                if rng.random() < 0.1:
                    dims = dims + [2]
                shapes.append((None,) + tuple(dims))
            yield (lambda a=axis: L.Concatenate(axis=a)), K("Concatenate", axis=axis), shapes, "list", False
        else:
            r1, r2 = rng.randint(2, 4), rng.randint(2, 4)
            s1 = (None,) + tuple(rng.choice([2, 3, 4]) for _ in range(r1 - 1))
            s2 = (None,) + tuple(rng.choice([2, 3, 4]) for _ in range(r2 - 1))
            if rng.random() < 0.5:
                axes = rng.choice([1, -1, 2])
                if axes == 2 and min(r1, r2) < 3:
                    axes = -1
            else:
                axes = (rng.randint(1, r1 - 1), rng.randint(1, r2 - 1))
            normalize = rng.random() < 0.3
            yield ((lambda a=axes, nz=normalize: L.Dot(axes=a, normalize=nz)), K("Dot", axes=axes, normalize=normalize),
                   [s1, s2], "list", False)


def _gen_mha(rng, L):
    for i in range(50):
        heads, key_dim = rng.randint(1, 4), rng.randint(1, 8)
        kw = {}
        if rng.random() < 0.4:
            kw["value_dim"] = rng.randint(1, 8)
        if rng.random() < 0.3:
            kw["use_bias"] = False
        if rng.random() < 0.3:
            kw["output_shape"] = rng.choice([5, (3,), (2, 3)])
        if rng.random() < 0.2:
            kw["use_gate"] = True
        rank = rng.choice([3, 3, 3, 4])
        if rank == 4 and rng.random() < 0.5:
            kw["attention_axes"] = rng.choice([1, 2, -2, (1, 2)])
        q = (None,) + tuple(rng.randint(1, 6) for _ in range(rank - 1))
        v = (None,) + tuple(rng.randint(1, 6) for _ in range(rank - 1))
        if rank == 4 and rng.random() < 0.6:
            v = (None, rng.choice([q[1], q[1], 1])) + v[2:]
        shapes = [q, v]
        if rng.random() < 0.4:
            k = v[:-1] + (rng.randint(1, 6),)
            if rng.random() < 0.15:
                k = (None,) + tuple(d + 1 for d in k[1:])
            shapes.append(k)
        if rng.random() < 0.05:
            shapes[1] = shapes[1][:2] + shapes[1][3:] if len(shapes[1]) == 4 else shapes[1] + (2,)
        yield ((lambda h=heads, kd=key_dim, kw=kw: L.MultiHeadAttention(h, kd, **kw)), K("MultiHeadAttention", heads, key_dim, **kw),
               shapes, "positional", True)


def _gen_attention(rng, L):
    for i in range(40):
        typ = rng.choice(["Attention", "AdditiveAttention"])
        kw = {}
        if rng.random() < 0.5:
            kw["use_scale"] = rng.random() < 0.5
        if typ == "Attention" and rng.random() < 0.4:
            kw["score_mode"] = "concat"
        rank = rng.choice([3, 3, 4])
        q = (None,) + tuple(rng.choice([1, 2, 3, 4]) for _ in range(rank - 1))
        v = (None,) + tuple(rng.choice([1, 2, 3, 4]) for _ in range(rank - 1))
        if rng.random() < 0.5:
            v = v[:-1] + (q[-1],)
        if rank == 4 and rng.random() < 0.5:
            v = (None, q[1]) + v[2:]
        shapes = [q, v]
        if rng.random() < 0.4:
            k = v[:-1] + (rng.choice([q[-1], q[-1], 1, 3]),)
            if rng.random() < 0.2:
                k = k[:-2] + (rng.choice([1, 2, 5]),) + k[-1:]
            shapes.append(k)
        yield (lambda t=typ, kw=kw: getattr(L, t)(**kw)), K(typ, **kw), shapes, "list", True


def _gen_norm(rng, L):
    for i in range(56):
        family = i % 4
        rank = rng.randint(2, 4)
        shape = (None,) + tuple(rng.choice([2, 3, 4, 6, 8, 12]) for _ in range(rank - 1))
        if family == 0:
            typ = "BatchNormalization"
            kw = {"axis": rng.choice([-1, -1, 1, rank - 1, rank, -2])}
            if kw["axis"] % rank == 0 and kw["axis"] < rank:  # the batch axis: unknown size
                kw["axis"] = -1
            for flag in ("center", "scale"):
                if rng.random() < 0.3:
                    kw[flag] = False
            if rng.random() < 0.15:
                kw["renorm"] = True
        elif family == 1:
            typ = "LayerNormalization"
            kw = {"axis": rng.choice([-1, 1, [1, -1], list(range(1, rank)), rank])}
            for flag in ("center", "scale", "rms_scaling"):
                if rng.random() < 0.25:
                    kw[flag] = rng.random() < 0.5
        elif family == 2:
            typ = "GroupNormalization"
            kw = {"groups": rng.choice([1, 2, 3, 4, 5, -1, 32]), "axis": rng.choice([-1, -1, 1])}
            if rng.random() < 0.3:
                kw["center"] = False
        else:
            typ = "UnitNormalization"
            kw = {"axis": rng.choice([-1, 1, [1, -1], rank])}
        yield (lambda t=typ, kw=kw: getattr(L, t)(**kw)), K(typ, **kw), [shape], "single", False


def _gen_wrappers_and_conv_lstm(rng, L):
    """ConvLSTM, Bidirectional(ConvLSTM), TimeDistributed and EinsumDense."""
    for i in range(50):
        family = i % 3
        if family == 0:
            n = rng.choice([1, 2, 2, 3])
            typ = "ConvLSTM%dD" % n
            filters = rng.randint(1, 6)
            kw = {"kernel_size": rng.choice([1, 2, 3, (3,) * n])}
            if rng.random() < 0.5:
                kw["padding"] = rng.choice(["valid", "same"])
            if rng.random() < 0.4:
                kw["strides"] = rng.choice([1, 2])
            elif rng.random() < 0.3:
                kw["dilation_rate"] = 2
            for flag in ("return_sequences", "return_state", "use_bias"):
                if rng.random() < 0.4:
                    kw[flag] = rng.random() < 0.5
            channels_first = rng.random() < 0.2
            if channels_first:
                kw["data_format"] = "channels_first"
            spatial = tuple(rng.randint(1, 7) for _ in range(n))
            c = rng.randint(1, 3)
            shape = (None, rng.choice([None, 3])) + (((c,) + spatial) if channels_first else (spatial + (c,)))
            if rng.random() < 0.1:
                shape = shape[:-1]
            cls = getattr(L, typ)
            if rng.random() < 0.3 and "return_state" not in kw:
                mode = rng.choice(["concat", "sum", None])
                yield ((lambda c=cls, f=filters, kw=kw, m=mode: L.Bidirectional(c(f, **kw), merge_mode=m)),
                       K("Bidirectional", K(typ, filters, **kw), merge_mode=mode), [shape], "single", False)
            else:
                yield (lambda c=cls, f=filters, kw=kw: c(f, **kw)), K(typ, filters, **kw), [shape], "single", False
        elif family == 1:
            rank = rng.randint(2, 5)
            shape = (None,) + tuple(rng.choice([None, 2, 3, 5]) if j == 0 else rng.choice([2, 3, 5]) for j in range(rank - 1))
            inner, make = rng.choice(
                [
                    (K("Dense", 4), lambda: L.Dense(4)),
                    (K("Flatten"), lambda: L.Flatten()),
                    (K("LSTM", 3, return_sequences=True), lambda: L.LSTM(3, return_sequences=True)),
                    (K("BatchNormalization"), lambda: L.BatchNormalization()),
                ]
            )
            # eager too: Keras' symbolic TimeDistributed does not check the inner layer's rank
            yield (lambda m=make: L.TimeDistributed(m())), K("TimeDistributed", inner), [shape], "single", True
        else:
            equation, rank, make_out, bias = rng.choice(
                [
                    ("ab,bc->ac", 2, lambda s: (rng.randint(1, 9),), "c"),
                    ("abc,cd->abd", 3, lambda s: (s[1], rng.randint(1, 9)), "d"),
                    ("abc,cde->abde", 3, lambda s: (rng.choice([s[1], None]), rng.randint(1, 4), rng.randint(1, 4)), "de"),
                    ("abc,bcd->ad", 3, lambda s: (rng.randint(1, 9),), "d"),
                    ("abc,cd->abd", 3, lambda s: (rng.choice([s[1], s[1] + 1]), 4), "bd"),
                    # (Keras' symbolic shape of the "..." prefix form is wrong past 3-D inputs)
                    ("...b,bc->...c", rng.randint(2, 3), lambda s: (rng.randint(1, 9),), "c"),
                    ("ab...,bc->ac...", rng.randint(2, 4), lambda s: (rng.randint(1, 9),), "c"),
                ]
            )
            shape = (None,) + tuple(rng.randint(1, 6) for _ in range(rank - 1))
            kw = {"output_shape": make_out(shape)}
            if rng.random() < 0.6:
                kw["bias_axes"] = bias
            yield (lambda e=equation, kw=kw: L.EinsumDense(e, **kw)), K("EinsumDense", equation, **kw), [shape], "single", False


ORACLE_FAMILIES = {
    "dense_embedding": (_gen_dense_embedding, 11),
    "rnn_bidirectional": (_gen_rnn, 12),
    "merge": (_gen_merge, 13),
    "multi_head_attention": (_gen_mha, 14),
    "attention": (_gen_attention, 15),
    "normalization": (_gen_norm, 16),
    "conv_lstm_wrappers_einsum": (_gen_wrappers_and_conv_lstm, 17),
}


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":  # keras was imported earlier with another backend
        pytest.skip("keras is loaded with the %s backend" % keras.backend.backend())
    return keras


def _real(keras, factory, shapes, style, eager):
    """Real Keras: ("ok", outputs, params, non_trainable) or ("raise", message).

    The layer is called on symbolic inputs; ``eager`` also calls a fresh copy on random
    data (batch 2), for layers whose symbolic call does not check what the real call does.
    """
    import numpy as np

    def call(layer, xs):
        if style == "single":
            return layer(xs[0])
        if style == "list":
            return layer(list(xs))
        return layer(*xs)

    try:
        layer = factory()
        out = call(layer, [keras.Input(shape=s[1:], batch_size=s[0]) for s in shapes])
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        result = (
            "ok",
            [tuple(o.shape) for o in outs],
            layer.count_params(),
            int(sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)),
        )
        if eager:
            data = [np.random.rand(*[2 if d is None else d for d in s]).astype("float32") for s in shapes]
            call(factory(), data)
        return result
    except Exception as exc:  # noqa: BLE001 - any failure of Keras counts as "raises"
        return ("raise", "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0][:160] if str(exc) else ""))


def _ours(config, shapes):
    try:
        result = infer(config, shapes)
    except ShapeIssue as issue:
        return ("raise", "%s: %s" % (issue.kind, issue.message))
    return ("ok", [tuple(o) for o in result.outputs], result.params, result.non_trainable)


@pytest.mark.oracle
@pytest.mark.parametrize("family", sorted(ORACLE_FAMILIES))
def test_oracle_random_configurations(family):
    keras = _keras()
    import warnings

    gen, seed = ORACLE_FAMILIES[family]
    mismatches = []
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for factory, config, shapes, style, eager in gen(random.Random(seed), keras.layers):
            count += 1
            real = _real(keras, factory, shapes, style, eager)
            ours = _ours(config, shapes)
            if real[0] != ours[0] or (real[0] == "ok" and real[1:] != ours[1:]):
                mismatches.append("%s(%s) on %s\n    keras: %s\n    ours:  %s" % (
                    config.type, _kw_str(config.kwargs), shapes, real, ours))
    assert count >= 40
    assert not mismatches, "\n".join(mismatches)
