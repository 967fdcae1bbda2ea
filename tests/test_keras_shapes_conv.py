"""Shapes and parameter counts of the Keras convolution, pooling and reshaping layers.

Every expected shape and parameter count below was checked against real Keras 3.15
(torch backend).  The ``oracle`` tests at the end repeat that check on random
configurations when keras is installed.
"""

from __future__ import annotations

import os
import random

import pytest

from shapelint.engine import registry
from shapelint.engine.registry import LayerConfig, Options, ShapeIssue, Unresolved, infer
from shapelint.engine.values import UNKNOWN

try:  # the whole Keras layer set, once every family is written
    import shapelint.engine.keras_layers  # noqa: F401
except ImportError:  # a sibling family is missing: load the ones tested here
    import shapelint.engine.keras_conv  # noqa: F401
    import shapelint.engine.keras_core  # noqa: F401
    import shapelint.engine.keras_pool  # noqa: F401
    import shapelint.engine.keras_reshaping  # noqa: F401
registry._LOADED.add("keras")


def run(name, args=(), kwargs=None, shape=None, options=None):
    return infer(LayerConfig("keras", name, args=tuple(args), kwargs=dict(kwargs or {})), [shape], options)


# (class, args, kwargs, input shape, output shape, params)
CONV_CASES = [
    ("Conv1D", (8, 3), {}, (None, 10, 4), (None, 8, 8), 104),
    ("Conv1D", (8, 3), {"padding": "same", "strides": 2}, (None, 11, 4), (None, 6, 8), 104),
    ("Conv1D", (8, 3), {"padding": "causal", "dilation_rate": 2}, (None, 10, 4), (None, 10, 8), 104),
    ("Conv1D", (8, 3), {"padding": "causal", "strides": 3}, (None, 10, 4), (None, 4, 8), 104),
    ("Conv1D", (8, 5), {"data_format": "channels_first"}, (None, 4, 20), (None, 8, 16), 168),
    ("Conv1D", (6, 3), {"groups": 2, "use_bias": False}, (None, 10, 4), (None, 8, 6), 36),
    ("Convolution1D", (8, 3), {}, (None, None, 4), (None, None, 8), 104),
    ("Conv1D", (8, 3, 2, "valid"), {}, (None, 9, 4), (None, 4, 8), 104),
    ("Conv2D", (32, 3), {}, (None, 28, 28, 1), (None, 26, 26, 32), 320),
    ("Conv2D", (16, (3, 5)), {"strides": (2, 1), "padding": "same"}, (None, 32, 31, 3), (None, 16, 31, 16), 736),
    ("Conv2D", (16, 3), {"dilation_rate": 2}, (None, 32, 32, 3), (None, 28, 28, 16), 448),
    ("Conv2D", (16, 3), {"data_format": "channels_first"}, (None, 3, 32, 32), (None, 16, 30, 30), 448),
    ("Conv2D", (16, 3), {"groups": 4}, (None, 10, 10, 8), (None, 8, 8, 16), 304),
    ("Conv2D", (16, 3), {"groups": 4, "use_bias": False, "data_format": "channels_first"}, (None, 8, 10, 10), (None, 16, 8, 8), 288),
    ("Convolution2D", (4, 2, 2), {}, (None, 9, 9, 3), (None, 4, 4, 4), 52),
    ("Conv2D", (4, 3), {}, (None, None, 20, 3), (None, None, 18, 4), 112),
    ("Conv2D", (4, 3), {"padding": "SAME"}, (None, 5, 5, 3), (None, 5, 5, 4), 112),
    ("Conv2D", (4, 3, (3, 2), "same"), {}, (None, 10, 10, 3), (None, 4, 5, 4), 112),
    ("Conv3D", (8, 3), {}, (None, 10, 10, 10, 2), (None, 8, 8, 8, 8), 440),
    ("Conv3D", (8, (1, 3, 3)), {"strides": (1, 2, 2), "padding": "same", "data_format": "channels_first"},
     (None, 2, 5, 16, 16), (None, 8, 5, 8, 8), 152),
    ("Convolution3D", (4, 2), {"groups": 2}, (None, 4, 4, 4, 6), (None, 3, 3, 3, 4), 100),
    # transposed convolutions
    ("Conv1DTranspose", (8, 3), {}, (None, 10, 4), (None, 12, 8), 104),
    ("Conv1DTranspose", (8, 3), {"strides": 2, "padding": "same"}, (None, 10, 4), (None, 20, 8), 104),
    ("Convolution1DTranspose", (8, 4), {"strides": 3, "output_padding": 1}, (None, 10, 4), (None, 32, 8), 136),
    ("Conv1DTranspose", (8, 2), {"strides": 3}, (None, 10, 4), (None, 30, 8), 72),
    ("Conv2DTranspose", (16, 3), {"strides": 2}, (None, 7, 7, 32), (None, 15, 15, 16), 4624),
    ("Conv2DTranspose", (16, 2), {"strides": 2, "padding": "same"}, (None, 7, 7, 32), (None, 14, 14, 16), 2064),
    ("Conv2DTranspose", (16, 3), {"strides": 2, "padding": "same", "output_padding": 1},
     (None, 7, 7, 32), (None, 14, 14, 16), 4624),
    ("Conv2DTranspose", (16, 4), {"strides": 2, "padding": "same", "output_padding": 1},
     (None, 7, 7, 32), (None, 13, 13, 16), 8208),
    ("Conv2DTranspose", (16, 3), {"dilation_rate": 2, "data_format": "channels_first"},
     (None, 32, 7, 9), (None, 16, 11, 13), 4624),
    ("Convolution2DTranspose", (4, 5), {"strides": (1, 2), "use_bias": False}, (None, 6, 6, 3), (None, 10, 15, 4), 300),
    ("Conv2DTranspose", (4, 3), {}, (None, None, 6, 3), (None, None, 8, 4), 112),
    ("Conv3DTranspose", (4, 3, 2, "valid", "channels_first"), {}, (None, 3, 4, 5, 6), (None, 4, 9, 11, 13), 328),
    ("Conv3DTranspose", (4, 2), {"strides": 2, "padding": "same"}, (None, 4, 4, 4, 8), (None, 8, 8, 8, 4), 260),
    ("Convolution3DTranspose", (2, 3), {"output_padding": (0, 1, 0), "strides": 2},
     (None, 3, 3, 3, 1), (None, 7, 8, 7, 2), 56),
    # Keras accepts an empty transposed output
    ("Conv2DTranspose", (4, 2), {"padding": "same", "output_padding": 0}, (None, 1, 1, 3), (None, 0, 0, 4), 52),
    # separable
    ("SeparableConv1D", (8, 3), {}, (None, 10, 4), (None, 8, 8), 52),
    ("SeparableConv1D", (8, 3), {"depth_multiplier": 2, "padding": "same", "strides": 2, "data_format": "channels_first"},
     (None, 4, 11), (None, 8, 6), 96),
    ("SeparableConvolution1D", (8, 3), {"dilation_rate": 2, "use_bias": False}, (None, 20, 4), (None, 16, 8), 44),
    ("SeparableConv2D", (16, 3), {}, (None, 32, 32, 3), (None, 30, 30, 16), 91),
    ("SeparableConv2D", (16, (3, 3)), {"depth_multiplier": 3, "strides": 2, "padding": "same"},
     (None, 15, 15, 8), (None, 8, 8, 16), 616),
    ("SeparableConvolution2D", (16, 3), {"data_format": "channels_first"}, (None, 3, 16, 16), (None, 16, 14, 14), 91),
    # depthwise
    ("DepthwiseConv1D", (3,), {}, (None, 10, 4), (None, 8, 4), 16),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 2, "padding": "same", "strides": 2}, (None, 11, 4), (None, 6, 8), 32),
    ("DepthwiseConv2D", (3,), {}, (None, 16, 16, 8), (None, 14, 14, 8), 80),
    ("DepthwiseConv2D", ((3, 3), (2, 2), "same", 2), {}, (None, 16, 16, 8), (None, 8, 8, 16), 160),
    ("DepthwiseConv2D", (3,), {"data_format": "channels_first", "dilation_rate": 2, "use_bias": False},
     (None, 8, 16, 16), (None, 8, 12, 12), 72),
]

POOL_CASES = [
    ("MaxPooling1D", (), {}, (None, 10, 4), (None, 5, 4), 0),
    ("MaxPooling1D", (3, 2, "same"), {}, (None, 10, 4), (None, 5, 4), 0),
    ("MaxPool1D", (3,), {"data_format": "channels_first"}, (None, 4, 10), (None, 4, 3), 0),
    ("MaxPooling1D", (4,), {}, (None, 5, 3), (None, 1, 3), 0),
    ("MaxPooling2D", (), {}, (None, 28, 28, 1), (None, 14, 14, 1), 0),
    ("MaxPooling2D", ((3, 3),), {"strides": (2, 2)}, (None, 28, 28, 1), (None, 13, 13, 1), 0),
    ("MaxPool2D", (), {"pool_size": 2, "padding": "same", "data_format": "channels_first"}, (None, 3, 7, 9), (None, 3, 4, 5), 0),
    ("MaxPooling2D", (), {}, (None, None, 28, 1), (None, None, 14, 1), 0),
    ("MaxPooling2D", (2, None), {}, (None, 9, 9, 1), (None, 4, 4, 1), 0),
    ("MaxPooling3D", (), {}, (None, 8, 8, 8, 3), (None, 4, 4, 4, 3), 0),
    ("MaxPool3D", ((1, 2, 2),), {"padding": "same"}, (None, 5, 9, 9, 3), (None, 5, 5, 5, 3), 0),
    ("AveragePooling1D", (4,), {}, (None, 10, 4), (None, 2, 4), 0),
    ("AvgPool1D", (2,), {"strides": 1, "padding": "same"}, (None, 10, 4), (None, 10, 4), 0),
    ("AveragePooling2D", (2,), {}, (None, 28, 28, 1), (None, 14, 14, 1), 0),
    ("AvgPool2D", ((2, 3),), {"strides": (1, 2)}, (None, 10, 10, 3), (None, 9, 4, 3), 0),
    ("AveragePooling3D", (2,), {"data_format": "channels_first"}, (None, 3, 8, 8, 8), (None, 3, 4, 4, 4), 0),
    ("AvgPool3D", (3,), {"strides": 2, "padding": "same"}, (None, 9, 9, 9, 2), (None, 5, 5, 5, 2), 0),
    ("GlobalMaxPooling1D", (), {}, (None, 10, 4), (None, 4), 0),
    ("GlobalMaxPool1D", (), {"keepdims": True}, (None, 10, 4), (None, 1, 4), 0),
    ("GlobalAveragePooling1D", (), {"data_format": "channels_first"}, (None, 4, 10), (None, 4), 0),
    ("GlobalAvgPool1D", ("channels_first", True), {}, (None, 4, 10), (None, 4, 1), 0),
    ("GlobalAvgPool2D", (), {}, (None, 7, 7, 512), (None, 512), 0),
    ("GlobalAveragePooling2D", (), {"keepdims": True, "data_format": "channels_first"}, (None, 512, 7, 7), (None, 512, 1, 1), 0),
    ("GlobalMaxPooling2D", (), {}, (None, None, None, 3), (None, 3), 0),
    ("GlobalMaxPool2D", (), {"keepdims": True}, (None, 7, 7, 3), (None, 1, 1, 3), 0),
    ("GlobalMaxPooling3D", (), {"keepdims": True}, (None, 4, 4, 4, 8), (None, 1, 1, 1, 8), 0),
    ("GlobalMaxPool3D", (), {"data_format": "channels_first"}, (None, 8, 4, 4, 4), (None, 8), 0),
    ("GlobalAveragePooling3D", ("channels_first",), {}, (None, 8, 4, 4, 4), (None, 8), 0),
    ("GlobalAvgPool3D", (), {}, (None, 4, 4, 4, 8), (None, 8), 0),
]

RESHAPE_CASES = [
    ("Reshape", ((7, 7, 64),), {}, (None, 3136), (None, 7, 7, 64), 0),
    ("Reshape", ((-1, 64),), {}, (None, 7, 7, 64), (None, 49, 64), 0),
    ("Reshape", ((2, -1, 4),), {}, (None, 4, 6), (None, 2, 3, 4), 0),
    ("Reshape", ((-1,),), {}, (None, 3, 4, 5), (None, 60), 0),
    ("Reshape", ([3, 4],), {}, (None, 12), (None, 3, 4), 0),
    ("Reshape", ((-1, 4),), {}, (None, None, 8), (None, None, 4), 0),
    ("Reshape", ((3, 4),), {}, (None, None, 8), (None, 3, 4), 0),
    ("Reshape", ((3, 0),), {}, (None, 2, 0), (None, 3, 0), 0),
    ("Permute", ((2, 1),), {}, (None, 10, 64), (None, 64, 10), 0),
    ("Permute", ((3, 1, 2),), {}, (None, 4, 5, 6), (None, 6, 4, 5), 0),
    ("RepeatVector", (3,), {}, (None, 32), (None, 3, 32), 0),
    ("RepeatVector", (5,), {}, (None, None), (None, 5, None), 0),
    ("ZeroPadding1D", (), {}, (None, 10, 4), (None, 12, 4), 0),
    ("ZeroPadding1D", ((2, 3),), {}, (None, 10, 4), (None, 15, 4), 0),
    ("ZeroPadding1D", (2,), {"data_format": "channels_first"}, (None, 4, 10), (None, 4, 14), 0),
    ("ZeroPadding2D", (), {}, (None, 28, 28, 1), (None, 30, 30, 1), 0),
    ("ZeroPadding2D", (((1, 2), (3, 4)),), {}, (None, 28, 28, 1), (None, 31, 35, 1), 0),
    ("ZeroPadding2D", ((1, 2),), {"data_format": "channels_first"}, (None, 1, 28, 28), (None, 1, 30, 32), 0),
    ("ZeroPadding2D", (2,), {}, (None, None, 5, 3), (None, None, 9, 3), 0),
    ("ZeroPadding3D", (), {}, (None, 4, 4, 4, 2), (None, 6, 6, 6, 2), 0),
    ("ZeroPadding3D", (((0, 1), (2, 3), (4, 5)),), {"data_format": "channels_first"}, (None, 2, 4, 4, 4), (None, 2, 5, 9, 13), 0),
    ("ZeroPadding3D", ((1, 2, 3),), {}, (None, 4, 4, 4, 2), (None, 6, 8, 10, 2), 0),
    ("Cropping1D", (), {}, (None, 10, 4), (None, 8, 4), 0),
    ("Cropping1D", ((2, 3),), {}, (None, 10, 4), (None, 5, 4), 0),
    ("Cropping1D", (2,), {}, (None, 10, 4), (None, 6, 4), 0),
    ("Cropping1D", (), {}, (None, None, 4), (None, None, 4), 0),
    ("Cropping2D", (), {}, (None, 28, 28, 1), (None, 28, 28, 1), 0),
    ("Cropping2D", (((2, 2), (4, 4)),), {}, (None, 28, 28, 1), (None, 24, 20, 1), 0),
    ("Cropping2D", (3,), {"data_format": "channels_first"}, (None, 1, 28, 28), (None, 1, 22, 22), 0),
    ("Cropping2D", ((1, 2),), {}, (None, 28, 28, 1), (None, 26, 24, 1), 0),
    ("Cropping3D", (), {}, (None, 5, 5, 5, 2), (None, 3, 3, 3, 2), 0),
    ("Cropping3D", (((0, 1), (1, 2), (2, 0)), "channels_first"), {}, (None, 2, 5, 6, 7), (None, 2, 4, 3, 5), 0),
    ("UpSampling1D", (), {}, (None, 10, 4), (None, 20, 4), 0),
    ("UpSampling1D", (3,), {}, (None, 10, 4), (None, 30, 4), 0),
    ("UpSampling2D", (), {}, (None, 7, 7, 16), (None, 14, 14, 16), 0),
    ("UpSampling2D", ((2, 3),), {"data_format": "channels_first", "interpolation": "bilinear"},
     (None, 16, 7, 7), (None, 16, 14, 21), 0),
    ("UpSampling2D", (2,), {}, (None, None, 7, 3), (None, None, 14, 3), 0),
    ("UpSampling3D", (), {}, (None, 2, 3, 4, 5), (None, 4, 6, 8, 5), 0),
    ("UpSampling3D", ((1, 2, 3), "channels_first"), {}, (None, 5, 2, 3, 4), (None, 5, 2, 6, 12), 0),
    ("Rescaling", (1 / 255.0,), {}, (None, 32, 32, 3), (None, 32, 32, 3), 0),
    ("Rescaling", (1 / 127.5,), {"offset": -1}, (None, 10), (None, 10), 0),
    ("Resizing", (64, 48), {}, (None, 32, 32, 3), (None, 64, 48, 3), 0),
    ("Resizing", (64, 48), {"data_format": "channels_first"}, (None, 3, 32, 32), (None, 3, 64, 48), 0),
    ("Resizing", (64, 48), {}, (None, None, None, 3), (None, 64, 48, 3), 0),
    ("CenterCrop", (16, 20), {}, (None, 32, 32, 3), (None, 16, 20, 3), 0),
    ("CenterCrop", (64, 64), {}, (None, 32, 32, 3), (None, 64, 64, 3), 0),
    ("CenterCrop", (8, 8), {"data_format": "channels_first"}, (None, 3, 32, 32), (None, 3, 8, 8), 0),
    # Keras reads a 3-D input as one unbatched image: the batch axis is resized.
    ("Resizing", (10, 12), {}, (None, 6, 3), (10, 12, 3), 0),
    ("CenterCrop", (10, 12), {}, (None, 32, 3), (10, 12, 3), 0),
]

ALL_CASES = CONV_CASES + POOL_CASES + RESHAPE_CASES


def _id(case):
    return "%s%s%s-%s" % (case[0], case[1], case[2] or "", case[3])


@pytest.mark.parametrize("case", ALL_CASES, ids=[_id(c) for c in ALL_CASES])
def test_shape_and_params(case):
    name, args, kwargs, shape, expected, params = case
    result = run(name, args, kwargs, shape)
    assert result.outputs == [expected]
    assert result.params == params
    assert result.non_trainable == 0


# (class, args, kwargs, input shape, kind, has hint)
ISSUE_CASES = [
    ("Conv1D", (32, 3), {}, (None, 4160), "rank", False),
    ("Conv2D", (32, 3), {}, (None, 64, 64, 3, 3), "rank", False),
    ("Conv2D", (32, 3), {}, (None, 64, 3), "rank", False),
    ("Conv3D", (8, 3), {}, (None, 8, 8, 3), "rank", False),
    ("Conv2DTranspose", (4, 3), {}, (None, 2, 2, 2, 3), "rank", False),
    ("SeparableConv2D", (4, 3), {}, (None, 5, 3), "rank", False),
    ("DepthwiseConv2D", (3,), {}, (None, 5, 5, 5, 3), "rank", False),
    ("Conv2D", (32, 5), {}, (None, 3, 64, 64), "nonpositive", True),
    ("Conv2D", (32, 6), {}, (None, 5, 5, 3), "nonpositive", False),
    ("Conv2D", (32, 5), {}, (None, None, 3, 3), "nonpositive", False),
    ("Conv2D", (32, 3), {"data_format": "channels_first"}, (None, 32, 32, 2), "nonpositive", True),
    ("Conv1D", (8, 3), {"dilation_rate": 3}, (None, 6, 4), "nonpositive", False),
    ("Conv1D", (8, 11), {}, (None, 10, 4), "nonpositive", False),
    ("Conv3D", (8, 3), {}, (None, 2, 8, 8, 8), "nonpositive", True),
    ("Conv2D", (8, 3), {"strides": 2}, (None, 2, 10, 3), "nonpositive", True),
    ("Conv2D", (8, 3), {"strides": 2}, (None, 2, 10, 2), "nonpositive", False),
    ("SeparableConv1D", (4, 5), {}, (None, 4, 8), "nonpositive", True),
    ("DepthwiseConv2D", (5,), {}, (None, 4, 4, 8), "nonpositive", False),
    ("DepthwiseConv1D", (3,), {"dilation_rate": 4}, (None, 8, 16), "nonpositive", True),
    ("Conv2D", (6, 3), {"groups": 4}, (None, 10, 10, 8), "input", False),
    ("Conv2D", (8, 3), {"groups": 4}, (None, 10, 10, 6), "input", False),
    ("Conv1D", (8, 3), {"groups": 3, "data_format": "channels_first"}, (None, 4, 10), "input", False),
    ("Conv2D", (8, 3), {"strides": 2, "dilation_rate": 2}, (None, 10, 10, 3), "input", False),
    ("Conv2DTranspose", (8, 3), {"strides": 2, "output_padding": 2}, (None, 10, 10, 3), "input", False),
    ("MaxPooling2D", (), {}, (None, 1, 28, 28), "nonpositive", True),
    ("MaxPooling1D", (6,), {}, (None, 5, 3), "nonpositive", False),
    ("MaxPooling1D", (4,), {"data_format": "channels_first"}, (None, 5, 3), "nonpositive", True),
    ("AveragePooling3D", (3,), {}, (None, 2, 8, 8, 8), "nonpositive", True),
    ("AveragePooling2D", (3,), {"strides": 1}, (None, 2, None, 3), "nonpositive", False),
    ("MaxPooling2D", (), {}, (None, 28, 28), "rank", False),
    ("MaxPooling3D", (), {}, (None, 28, 28, 3), "rank", False),
    ("GlobalAveragePooling2D", (), {}, (None, 5, 3), "rank", False),
    ("GlobalMaxPooling1D", (), {}, (None, 5, 5, 3), "rank", False),
    ("Reshape", ((3, 7),), {}, (None, 4, 5), "reshape", False),
    ("Reshape", ((3, -1),), {}, (None, 4, 5), "reshape", False),
    ("Reshape", ((-1, -1),), {}, (None, 4, 5), "reshape", False),
    ("Reshape", ((-1, 0),), {}, (None, 2, 0), "reshape", False),
    ("Reshape", ((-2, 10),), {}, (None, 4, 5), "reshape", False),
    ("Permute", ((2, 1),), {}, (None, 5, 3, 2), "rank", False),
    ("Permute", ((1, 3),), {}, (None, 5, 3), "input", False),
    ("RepeatVector", (3,), {}, (None, 5, 3), "rank", False),
    ("Cropping1D", ((2, 3),), {}, (None, 5, 3), "nonpositive", False),
    ("Cropping2D", (((3, 3), (0, 0)),), {}, (None, 5, 5, 3), "nonpositive", False),
    ("Cropping2D", (((0, 0), (2, 2)),), {}, (None, 4, 4, 32), "nonpositive", True),
    ("Cropping3D", (), {}, (None, 2, 5, 5, 5), "nonpositive", True),
    ("ZeroPadding2D", (), {}, (None, 5, 3), "rank", False),
    ("UpSampling3D", (), {}, (None, 4, 4, 3), "rank", False),
    ("UpSampling1D", (), {}, (None, 4), "rank", False),
    ("CenterCrop", (8, 8), {}, (None, 5), "rank", False),
]


@pytest.mark.parametrize("case", ISSUE_CASES, ids=[_id(c) for c in ISSUE_CASES])
def test_issue(case):
    name, args, kwargs, shape, kind, has_hint = case
    with pytest.raises(ShapeIssue) as info:
        run(name, args, kwargs, shape)
    assert info.value.kind == kind
    assert (info.value.hint is not None) == has_hint
    assert name in info.value.message or "Reshape" in info.value.message


def test_resizing_rank5_is_rank_issue():
    # Keras' symbolic shape lets it through; the resize op then rejects rank 5.
    with pytest.raises(ShapeIssue) as info:
        run("Resizing", (8, 8), {}, (None, 2, 4, 4, 3))
    assert info.value.kind == "rank"


# -- messages ---------------------------------------------------------------------------


def test_rank_message_names_layout():
    with pytest.raises(ShapeIssue) as info:
        run("Conv1D", (32, 3), {}, (None, 4160))
    assert info.value.message == "Conv1D expects 3-D input (batch, steps, channels) but receives (None, 4160)"
    with pytest.raises(ShapeIssue) as info:
        run("Conv2D", (32, 3), {"data_format": "channels_first"}, (None, 3, 32))
    assert "(batch, channels, height, width)" in info.value.message


def test_nonpositive_message_and_hint():
    with pytest.raises(ShapeIssue) as info:
        run("Conv2D", (32, 5), {}, (None, 3, 64, 64))
    issue = info.value
    assert "kernel_size (5, 5)" in issue.message
    assert "(None, 3, 64, 64)" in issue.message
    assert "(None, -1, 60, 32)" in issue.message
    assert "channels_first" in issue.hint and "(None, 32, 60, 60)" in issue.hint
    with pytest.raises(ShapeIssue) as info:
        run("MaxPooling2D", (), {}, (None, 1, 28, 28))
    assert "pool_size (2, 2)" in info.value.message and "(None, 0, 14, 28)" in info.value.message
    assert "(None, 1, 14, 14)" in info.value.hint
    with pytest.raises(ShapeIssue) as info:
        run("Conv1D", (8, 3), {"dilation_rate": 3}, (None, 6, 4))
    assert "dilated kernel (7,)" in info.value.message


def test_group_messages():
    with pytest.raises(ShapeIssue) as info:
        run("Conv2D", (8, 3), {"groups": 4}, (None, 10, 10, 6))
    assert "(None, 10, 10, 6)" in info.value.message and "groups=4" in info.value.message


def test_reshape_messages():
    with pytest.raises(ShapeIssue) as info:
        run("Reshape", ((3, 7),), {}, (None, 4, 5))
    assert "20" in info.value.message and "21" in info.value.message and "(None, 4, 5)" in info.value.message
    with pytest.raises(ShapeIssue) as info:
        run("Reshape", ((3, -1),), {}, (None, 4, 5))
    assert "not a multiple of 3" in info.value.message


# -- unknowns ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args,kwargs,shape",
    [
        ("Conv2D", (UNKNOWN, 3), {}, (None, 8, 8, 3)),
        ("Conv2D", (8, UNKNOWN), {}, (None, 8, 8, 3)),
        ("Conv2D", (8, 3), {"strides": UNKNOWN}, (None, 8, 8, 3)),
        ("Conv2D", (8, 3), {"padding": UNKNOWN}, (None, 8, 8, 3)),
        ("Conv2D", (8, 3), {"data_format": UNKNOWN}, (None, 8, 8, 3)),
        ("Conv2D", (8, 3), {"padding": "causal"}, (None, 8, 8, 3)),  # Keras rejects it at construction
        ("Conv2D", (8, 3), {}, None),
        ("Conv2DTranspose", (8, 3), {"output_padding": UNKNOWN}, (None, 8, 8, 3)),
        ("SeparableConv2D", (8, 3), {"depth_multiplier": UNKNOWN}, (None, 8, 8, 3)),
        ("DepthwiseConv1D", (3,), {"padding": "causal"}, (None, 8, 3)),
        ("MaxPooling2D", (UNKNOWN,), {}, (None, 8, 8, 3)),
        ("AveragePooling2D", (), {}, (None, 8, 8, 3)),  # Keras 3: pool_size is required
        ("GlobalAveragePooling2D", (), {"keepdims": UNKNOWN}, (None, 8, 8, 3)),
        ("Reshape", (UNKNOWN,), {}, (None, 8)),
        ("Permute", (UNKNOWN,), {}, (None, 8, 3)),
        ("RepeatVector", (UNKNOWN,), {}, (None, 8)),
        ("ZeroPadding2D", (UNKNOWN,), {}, (None, 8, 8, 3)),
        ("Cropping2D", ((UNKNOWN, 1),), {}, (None, 8, 8, 3)),
        ("UpSampling2D", (UNKNOWN,), {}, (None, 8, 8, 3)),
        ("Resizing", (UNKNOWN, 8), {}, (None, 8, 8, 3)),
        ("Rescaling", (1.0,), {}, None),
    ],
)
def test_unresolved(name, args, kwargs, shape):
    with pytest.raises(Unresolved):
        run(name, args, kwargs, shape)


def test_unknown_spatial_dims_never_error():
    # Keras gives (None, None, None, 8) for these as well.
    assert run("Conv2D", (8, 7), {}, (None, None, None, 3)).outputs == [(None, None, None, 8)]
    assert run("MaxPooling2D", (5,), {}, (None, "H", None, 3)).outputs == [(None, None, None, 3)]
    assert run("Cropping2D", (10,), {}, (None, "H", None, 3)).outputs == [(None, None, None, 3)]


def test_symbols_survive_size_preserving_windows():
    assert run("Conv2D", (8, 3), {"padding": "same"}, (None, "H", "W", 3)).outputs == [(None, "H", "W", 8)]
    assert run("Conv2D", (8, 3), {}, (None, "H", "W", 3)).outputs == [(None, None, None, 8)]
    assert run("Conv1D", (8, 3), {"padding": "causal"}, (None, "T", 3)).outputs == [(None, "T", 8)]
    assert run("Conv1D", (8, 1), {}, (None, "T", 3)).outputs == [(None, "T", 8)]
    assert run("Conv2D", (8, 3), {"padding": "same", "strides": 2}, (None, "H", "W", 3)).outputs == [(None, None, None, 8)]
    assert run("MaxPooling1D", (3,), {"strides": 1, "padding": "same"}, (None, "T", 3)).outputs == [(None, "T", 3)]
    assert run("Conv1DTranspose", (8, 3), {"padding": "same"}, (None, "T", 3)).outputs == [(None, "T", 8)]
    assert run("DepthwiseConv2D", (3,), {"padding": "same"}, (None, "H", "W", "C")).outputs == [(None, "H", "W", "C")]
    assert run("ZeroPadding1D", ((0, 0),), {}, (None, "T", 3)).outputs == [(None, "T", 3)]
    assert run("UpSampling2D", ((1, 2),), {}, (None, "H", "W", 3)).outputs == [(None, "H", None, 3)]
    # a -1 that can only be the input's one symbol
    assert run("Reshape", ((-1, 32),), {}, (None, "T", 4, 8)).outputs == [(None, "T", 32)]
    assert run("Reshape", ((-1, 16),), {}, (None, "T", 4, 8)).outputs == [(None, None, 16)]
    assert run("Reshape", ((UNKNOWN, 64),), {}, (None, 128)).outputs == [(None, None, 64)]


def test_unknown_channels_give_unknown_params():
    result = run("Conv2D", (8, 3), {}, (None, 8, 8, None))
    assert result.outputs == [(None, 6, 6, 8)] and result.params is None
    result = run("Conv2D", (8, 3), {"use_bias": UNKNOWN}, (None, 8, 8, 3))
    assert result.outputs == [(None, 6, 6, 8)] and result.params is None
    result = run("DepthwiseConv2D", (3,), {"depth_multiplier": 2}, (None, 8, 8, "C"))
    assert result.outputs == [(None, 6, 6, None)] and result.params is None


def test_default_data_format_from_options():
    opts = Options(image_data_format="channels_first")
    assert run("Conv2D", (16, 3), {}, (None, 3, 32, 32), opts).outputs == [(None, 16, 30, 30)]
    assert run("MaxPooling2D", (), {}, (None, 3, 32, 32), opts).outputs == [(None, 3, 16, 16)]
    assert run("GlobalAveragePooling2D", (), {}, (None, 3, 32, 32), opts).outputs == [(None, 3)]
    assert run("UpSampling2D", (), {}, (None, 3, 4, 4), opts).outputs == [(None, 3, 8, 8)]
    # an explicit argument wins
    assert run("Conv2D", (16, 3), {"data_format": "channels_last"}, (None, 32, 32, 3), opts).outputs == [(None, 30, 30, 16)]


def test_lora_and_frozen_weights():
    # Keras: Conv2D(8, 3, lora_rank=2) on 4 channels -> 296 weights, kernel (288) frozen.
    result = run("Conv2D", (8, 3), {"lora_rank": 2}, (None, 8, 8, 4))
    assert (result.params, result.non_trainable) == (384, 288)
    result = run("Conv2D", (8, 3), {"trainable": False}, (None, 8, 8, 4))
    assert (result.params, result.non_trainable) == (296, 296)


def test_transposed_empty_output_is_noted_not_reported():
    result = run("Conv2DTranspose", (4, 2), {"padding": "same", "output_padding": 0}, (None, 1, 1, 3))
    assert result.outputs == [(None, 0, 0, 4)]
    assert result.notes


def test_resizing_3d_input_is_noted():
    result = run("Resizing", (10, 12), {}, (None, 6, 3))
    assert result.notes and "unbatched" in result.notes[0]


# -- oracle: random configurations against real Keras -------------------------------------


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def _keras_result(keras, name, args, kwargs, shape):
    """(output shape, count_params) from real Keras, or "raises"."""
    import numpy as np

    layer_cls = getattr(keras.layers, name)
    batch_shape = tuple(d if isinstance(d, int) else None for d in shape)
    try:
        layer = layer_cls(*args, **kwargs)
        y = layer(keras.Input(batch_shape=batch_shape))
    except (ValueError, TypeError, IndexError):
        return "raises"
    nt = sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)
    return tuple(y.shape), layer.count_params(), nt


def _ours(name, args, kwargs, shape):
    try:
        r = run(name, args, kwargs, shape)
    except ShapeIssue:
        return "raises"
    out = r.outputs[0]
    # a symbol is an unknown size for Keras
    return tuple(None if isinstance(d, str) else d for d in out), r.params, r.non_trainable


def _compare(cases):
    keras = _keras()
    mismatches = []
    for name, args, kwargs, shape in cases:
        expected = _keras_result(keras, name, args, kwargs, shape)
        got = _ours(name, args, kwargs, shape)
        if expected != got:
            mismatches.append((name, args, kwargs, shape, expected, got))
    assert not mismatches, "\n".join(map(repr, mismatches[:10]))


def _spatial(rng, rank, lo=1, hi=12, none_p=0.1):
    return tuple(None if rng.random() < none_p else rng.randint(lo, hi) for _ in range(rank))


def _image(rng, rank, fmt, channels, none_p=0.1):
    sp = _spatial(rng, rank, none_p=none_p)
    return (None, channels) + sp if fmt == "channels_first" else (None,) + sp + (channels,)


def _sd(rng, rank):
    """strides and dilation_rate (Keras forbids both above 1)."""
    if rng.random() < 0.5:
        return tuple(rng.randint(1, 3) for _ in range(rank)), 1
    return 1, tuple(rng.randint(1, 3) for _ in range(rank))


def _maybe_int(rng, values):
    return values[0] if len(set(values)) == 1 and rng.random() < 0.5 else values


@pytest.mark.oracle
def test_oracle_conv():
    rng = random.Random(1234)
    cases = []
    for _ in range(60):
        rank = rng.randint(1, 3)
        name = ("Conv1D", "Conv2D", "Conv3D")[rank - 1]
        fmt = rng.choice(["channels_last", "channels_first"])
        groups = rng.choice([1, 1, 1, 2, 3])
        filters = groups * rng.randint(1, 4) if rng.random() < 0.9 else rng.randint(1, 6)
        channels = groups * rng.randint(1, 3) if rng.random() < 0.9 else rng.randint(1, 6)
        k = _maybe_int(rng, tuple(rng.randint(1, 5) for _ in range(rank)))
        strides, dilation = _sd(rng, rank)
        pads = ["valid", "same", "causal"] if rank == 1 else ["valid", "same"]
        kwargs = {
            "strides": strides,
            "dilation_rate": dilation,
            "padding": rng.choice(pads),
            "data_format": fmt,
            "groups": groups,
            "use_bias": rng.random() < 0.7,
        }
        if kwargs["padding"] == "causal":
            kwargs["data_format"] = fmt = "channels_last" if rng.random() < 0.5 else fmt
        shape = _image(rng, rank, fmt, channels)
        if rng.random() < 0.08:  # wrong rank
            shape = shape + (3,) if rng.random() < 0.5 else shape[:-1]
        cases.append((name, (filters, k), kwargs, shape))
    _compare(cases)


@pytest.mark.oracle
def test_oracle_conv_transpose():
    rng = random.Random(99)
    cases = []
    for _ in range(50):
        rank = rng.randint(1, 3)
        name = ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")[rank - 1]
        fmt = rng.choice(["channels_last", "channels_first"])
        k = tuple(rng.randint(1, 5) for _ in range(rank))
        strides, dilation = _sd(rng, rank)
        kwargs = {
            "strides": strides,
            "dilation_rate": dilation,
            "padding": rng.choice(["valid", "same"]),
            "data_format": fmt,
            "use_bias": rng.random() < 0.7,
        }
        s = strides if isinstance(strides, tuple) else (strides,) * rank
        if rng.random() < 0.4:
            kwargs["output_padding"] = tuple(rng.randint(0, si - 1) for si in s)
        shape = _image(rng, rank, fmt, rng.randint(1, 5))
        cases.append((name, (rng.randint(1, 5), k), kwargs, shape))
    _compare(cases)


@pytest.mark.oracle
def test_oracle_separable_depthwise():
    rng = random.Random(7)
    cases = []
    for _ in range(50):
        rank = rng.randint(1, 2)
        fmt = rng.choice(["channels_last", "channels_first"])
        k = tuple(rng.randint(1, 5) for _ in range(rank))
        strides, dilation = _sd(rng, rank)
        kwargs = {
            "strides": strides,
            "dilation_rate": dilation,
            "padding": rng.choice(["valid", "same"]),
            "data_format": fmt,
            "depth_multiplier": rng.randint(1, 3),
            "use_bias": rng.random() < 0.7,
        }
        shape = _image(rng, rank, fmt, rng.randint(1, 5))
        if rng.random() < 0.5:
            cases.append((("SeparableConv1D", "SeparableConv2D")[rank - 1], (rng.randint(1, 5), k), kwargs, shape))
        else:
            cases.append((("DepthwiseConv1D", "DepthwiseConv2D")[rank - 1], (k,), kwargs, shape))
    _compare(cases)


@pytest.mark.oracle
def test_oracle_pooling():
    rng = random.Random(2024)
    cases = []
    for _ in range(60):
        rank = rng.randint(1, 3)
        fmt = rng.choice(["channels_last", "channels_first"])
        shape = _image(rng, rank, fmt, rng.randint(1, 5))
        if rng.random() < 0.05:
            shape = shape + (2,)
        if rng.random() < 0.25:
            name = rng.choice(["GlobalMaxPooling%dD", "GlobalAveragePooling%dD"]) % rank
            cases.append((name, (), {"data_format": fmt, "keepdims": rng.random() < 0.5}, shape))
            continue
        name = rng.choice(["MaxPooling%dD", "AveragePooling%dD"]) % rank
        kwargs = {"padding": rng.choice(["valid", "same"]), "data_format": fmt}
        pool = tuple(rng.randint(1, 4) for _ in range(rank))
        if rng.random() < 0.5:
            kwargs["strides"] = tuple(rng.randint(1, 4) for _ in range(rank))
        args = (pool,)
        if name.startswith("Max") and rng.random() < 0.3:
            args = ()
        cases.append((name, args, kwargs, shape))
    _compare(cases)


@pytest.mark.oracle
def test_oracle_reshaping():
    rng = random.Random(5)
    cases = []
    for _ in range(25):  # Reshape
        inner = tuple(rng.randint(1, 6) for _ in range(rng.randint(1, 3)))
        size = 1
        for d in inner:
            size *= d
        divisors = [d for d in range(1, size + 1) if size % d == 0]
        a = rng.choice(divisors)
        target = [a, size // a]
        roll = rng.random()
        if roll < 0.3:
            target[rng.randint(0, 1)] = -1
        elif roll < 0.5:
            target[rng.randint(0, 1)] += rng.randint(1, 2)  # certainly wrong
        elif roll < 0.6:
            target = [-1, rng.randint(2, 7)]  # may not divide
        if rng.random() < 0.15:
            inner = (None,) + inner[1:]
        cases.append(("Reshape", (tuple(target),), {}, (None,) + inner))
    for _ in range(45):
        kind = rng.choice(["ZeroPadding", "Cropping", "UpSampling"])
        rank = rng.randint(1, 3)
        fmt = rng.choice(["channels_last", "channels_first"]) if (rank > 1 or kind == "ZeroPadding") else "channels_last"
        shape = _image(rng, rank, fmt, rng.randint(1, 4), none_p=0.05)
        kwargs = {"data_format": fmt} if fmt == "channels_first" else {}
        if kind == "UpSampling":
            size = rng.randint(1, 3) if rank == 1 else tuple(rng.randint(1, 3) for _ in range(rank))
            cases.append(("UpSampling%dD" % rank, (size,), kwargs, shape))
            continue
        if rank == 1:
            amount = rng.choice([rng.randint(0, 4), (rng.randint(0, 4), rng.randint(0, 4))])
        else:
            amount = rng.choice(
                [
                    rng.randint(0, 3),
                    tuple(rng.randint(0, 3) for _ in range(rank)),
                    tuple((rng.randint(0, 3), rng.randint(0, 3)) for _ in range(rank)),
                ]
            )
        cases.append(("%s%dD" % (kind, rank), (amount,), kwargs, shape))
    for _ in range(10):
        n = rng.randint(2, 4)
        dims = list(range(1, n + 1))
        rng.shuffle(dims)
        shape = (None,) + tuple(rng.randint(1, 6) for _ in range(n if rng.random() < 0.85 else n + 1))
        cases.append(("Permute", (tuple(dims),), {}, shape))
        cases.append(("RepeatVector", (rng.randint(1, 4),), {}, shape[:2] if rng.random() < 0.8 else shape))
    _compare(cases)
