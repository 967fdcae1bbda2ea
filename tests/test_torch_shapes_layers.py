"""Shapes and parameter counts of the PyTorch ``nn`` modules.

Every expected shape and parameter count below was checked against real PyTorch 2.13
(CPU).  The ``oracle`` tests at the end repeat that check on random configurations when
torch is installed.
"""

from __future__ import annotations

import random

import pytest

from shapelint.engine import registry
from shapelint.engine.registry import LayerConfig, ShapeIssue, Unresolved, infer
from shapelint.engine.values import UNKNOWN

import shapelint.engine.torch_layers  # noqa: F401  (registers the modules)


def run(name, args=(), kwargs=None, *shapes):
    if not shapes:
        shapes = (None,)
    return infer(LayerConfig("torch", name, args=tuple(args), kwargs=dict(kwargs or {})), list(shapes))


# (class, args, kwargs, input shape, output shape, params)
CASES = [
    # linear
    ("Linear", (400, 120), {}, (4, 400), (4, 120), 48120),
    ("Linear", (4, 3), {"bias": False}, (2, 1, 1, 1, 4), (2, 1, 1, 1, 3), 12),
    ("Linear", (4, 3), {}, (4,), (3,), 15),
    ("Linear", (4, 3, False), {}, ("N", "T", 4), ("N", "T", 3), 12),
    ("LazyLinear", (3,), {}, (2, 7), (2, 3), 24),
    ("LazyLinear", (3,), {"bias": False}, (7,), (3,), 21),
    ("Identity", (3,), {"foo": 4}, (2, "H", 7), (2, "H", 7), 0),
    # convolutions
    ("Conv2d", (3, 16, 3), {"padding": 1}, (4, 3, 32, 32), (4, 16, 32, 32), 448),
    ("Conv2d", (3, 8, 3), {}, (3, 10, 10), (8, 8, 8), 224),
    ("Conv2d", (3, 8, 5), {}, (1, 3, 5, 10), (1, 8, 1, 6), 608),
    ("Conv2d", (3, 8, 4), {"padding": "same", "dilation": 2}, (1, 3, 2, 3), (1, 8, 2, 3), 392),
    ("Conv2d", (3, 8, 4), {"padding": "valid"}, (1, 3, 5, 5), (1, 8, 2, 2), 392),
    ("Conv2d", (3, 8, 3), {"padding": (1, 2)}, (1, 3, 5, 5), (1, 8, 5, 7), 224),
    ("Conv2d", (3, 8, 3), {"padding": 1}, ("N", 3, "H", "W"), ("N", 8, "H", "W"), 224),
    ("Conv2d", (3, 8, 3), {"padding": 1, "stride": 2}, ("N", 3, "H", 9), ("N", 8, None, 5), 224),
    ("Conv2d", (4, 8, 3), {"groups": 2, "bias": False}, (2, 4, 6, 6), (2, 8, 4, 4), 144),
    ("Conv2d", (3, 4, 3, 1, 1, 1, 1, True, "circular"), {}, (3, 5, 5), (4, 5, 5), 112),
    ("Conv1d", (3, 8, 3), {"padding": 2, "padding_mode": "reflect"}, (1, 3, 3), (1, 8, 5), 80),
    ("Conv1d", (3, 8, 3), {"padding": 3, "padding_mode": "circular"}, (1, 3, 3), (1, 8, 7), 80),
    ("Conv1d", (3, 8, 3), {"padding": 5, "padding_mode": "replicate"}, (1, 3, 1), (1, 8, 9), 80),
    ("Conv1d", (3, 4, 3), {"padding": -1, "padding_mode": "reflect"}, (1, 3, 7), (1, 4, 3), 40),
    ("Conv1d", (3, 8, (3,)), {}, (1, 3, 5), (1, 8, 3), 80),
    ("Conv1d", (16, 33, 3), {"stride": 2}, (20, 16, 50), (20, 33, 24), 1617),
    ("Conv3d", (16, 33, 3), {"stride": 2}, (20, 16, 10, 50, 100), (20, 33, 4, 24, 49), 14289),
    ("Conv3d", (16, 33, (3, 5, 2)), {"stride": (2, 1, 1), "padding": (4, 2, 0)},
     (20, 16, 10, 50, 100), (20, 33, 8, 50, 99), 15873),
    ("Conv3d", (4, 8, 3), {}, (4, 5, 6, 7), (8, 3, 4, 5), 872),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (1, 4, 5, 5), (1, 6, 10, 10), 222),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2}, (1, 4, 5, 5), (1, 6, 7, 7), 114),
    ("ConvTranspose2d", (4, 6, 3), {}, (4, 5, 5), (6, 7, 7), 222),
    ("ConvTranspose2d", (4, 6, 3), {"output_padding": 1, "dilation": 2}, (1, 4, 5, 5), (1, 6, 10, 10), 222),
    ("ConvTranspose2d", (3, 4, 3), {"stride": (2, 1), "output_padding": (1, 1), "dilation": (1, 2)},
     (1, 3, 7, 7), (1, 4, 16, 12), 112),
    ("ConvTranspose2d", (3, 4, 3), {"padding": 1}, ("N", 3, "H", 7), ("N", 4, "H", 7), 112),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 3, "dilation": 2, "output_padding": 2}, (1, 4, 7), (1, 6, 25), 78),
    ("ConvTranspose3d", (2, 6, 3), {"groups": 2, "bias": False}, (1, 2, 3, 3, 3), (1, 6, 5, 5, 5), 162),
    ("LazyConv2d", (3, 3), {}, (1, 7, 5, 5), (1, 3, 3, 3), 192),
    # pooling
    ("MaxPool2d", (2,), {}, (3, 5, 5), (3, 2, 2), 0),
    ("MaxPool2d", (2,), {"ceil_mode": True}, (1, 3, 5, 5), (1, 3, 3, 3), 0),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (1, 3, 6, 6), (1, 3, 4, 4), 0),
    ("MaxPool2d", (2,), {"stride": (1, 2)}, (1, 3, 5, 5), (1, 3, 4, 2), 0),
    ("MaxPool2d", (2,), {}, ("N", 3, "H", "W"), ("N", 3, None, None), 0),
    ("MaxPool2d", (3, 1, 1), {}, ("N", 3, "H", "W"), ("N", 3, "H", "W"), 0),
    ("MaxPool1d", (2,), {"stride": 2, "padding": 1, "ceil_mode": True}, (1, 3, 4), (1, 3, 3), 0),
    ("MaxPool1d", (4,), {"ceil_mode": True}, (1, 3, 3), (1, 3, 1), 0),
    ("MaxPool1d", (2,), {"stride": 3, "dilation": 2, "ceil_mode": True, "padding": 1}, (1, 3, 6), (1, 3, 3), 0),
    ("MaxPool1d", (2,), {}, (3, 5), (3, 2), 0),
    ("MaxPool3d", (2,), {}, (3, 5, 5, 5), (3, 2, 2, 2), 0),
    ("AvgPool2d", (4,), {"padding": 2}, (1, 3, 5, 5), (1, 3, 2, 2), 0),
    ("AvgPool2d", (2,), {"divisor_override": 3}, (1, 3, 5, 5), (1, 3, 2, 2), 0),
    ("AvgPool1d", (2,), {"ceil_mode": True, "padding": 1}, (1, 3, 4), (1, 3, 3), 0),
    ("AvgPool1d", (4, None, 1, True), {}, (1, 3, 2), (1, 3, 1), 0),
    ("AvgPool3d", (3,), {}, (2, 5, 5, 5), (2, 1, 1, 1), 0),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (1, 3, 5, 7), (1, 3, 5, 3), 0),
    ("AdaptiveAvgPool2d", (3,), {}, (3, 5, 7), (3, 3, 3), 0),
    ("AdaptiveAvgPool2d", ((None, 1),), {}, ("N", 3, "H", "W"), ("N", 3, "H", 1), 0),
    ("AdaptiveAvgPool2d", (0,), {}, (1, 3, 5, 7), (1, 3, 0, 0), 0),
    ("AdaptiveAvgPool2d", (9,), {}, (1, 3, 5, 7), (1, 3, 9, 9), 0),
    ("AdaptiveAvgPool1d", ((3,),), {}, (1, 2, 5), (1, 2, 3), 0),
    # an all-ones AdaptiveAvgPool2d/3d is a mean over the last dims, for any rank
    ("AdaptiveAvgPool2d", (1,), {}, (1, 4), (1, 1), 0),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (1, 2, 3, 4, 5, 6), (1, 2, 3, 4, 1, 1), 0),
    ("AdaptiveAvgPool3d", (1,), {}, (2, 3, 4), (1, 1, 1), 0),
    ("AdaptiveAvgPool3d", ((1, 1, None),), {}, (1, 2, 3, 4, 5), (1, 2, 1, 1, 5), 0),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 3, 5, 7, 2), (1, 3, 2, 2, 2), 0),
    ("AdaptiveMaxPool1d", (2,), {}, (5, 7), (5, 2), 0),
    ("AdaptiveMaxPool3d", ((2, None, 1),), {}, (3, 5, 7, 2), (3, 2, 7, 1), 0),
    # forward's output_size is not visible: the unpooled sizes stay unknown
    ("MaxUnpool2d", (2,), {}, (2, 4, 4, 4), (2, 4, None, None), 0),
    ("MaxUnpool1d", (3, 2, 1), {}, (3, 5), (3, None), 0),
    ("LPPool1d", (2, 3), {}, (1, 3, 7), (1, 3, 2), 0),
    ("LPPool1d", (2, 3, 2), {"ceil_mode": True}, (1, 3, 8), (1, 3, 4), 0),
    ("LPPool2d", (2, 3, 2), {}, (1, 3, 8, 9), (1, 3, 3, 4), 0),
    ("LPPool2d", (2, (3, 2)), {}, (3, 8, 9), (3, 2, 4), 0),
    ("LPPool3d", (1, 2), {}, (2, 4, 4, 4), (2, 2, 2, 2), 0),
    # normalization
    ("BatchNorm2d", (4,), {}, (2, 4, 3, 3), (2, 4, 3, 3), 8),
    ("BatchNorm2d", (4,), {"bias": False}, (2, 4, 3, 3), (2, 4, 3, 3), 4),
    ("BatchNorm2d", (4, 1e-5, 0.1, False), {}, (2, 4, 3, 3), (2, 4, 3, 3), 0),
    ("BatchNorm2d", (4,), {"affine": False, "track_running_stats": False}, (2, 5, 3, 3), (2, 5, 3, 3), 0),
    ("BatchNorm1d", (4,), {}, (2, 4), (2, 4), 8),
    ("BatchNorm1d", (4,), {}, (1, 4), (1, 4), 8),
    ("BatchNorm1d", (64,), {}, ("N", 64, "L"), ("N", 64, "L"), 128),
    ("BatchNorm3d", (3,), {}, (2, 3, 2, 2, 2), (2, 3, 2, 2, 2), 6),
    ("LazyBatchNorm2d", (), {}, (2, 7, 5, 5), (2, 7, 5, 5), 14),
    ("GroupNorm", (2, 4), {}, (2, 4), (2, 4), 8),
    ("GroupNorm", (2, 4), {"bias": False}, (2, 4, 3, 3), (2, 4, 3, 3), 4),
    ("GroupNorm", (2, 4), {"affine": False}, (2, 6, 3), (2, 6, 3), 0),
    ("GroupNorm", (2, 4), {}, (2, 4, 3, 3, 3, 3), (2, 4, 3, 3, 3, 3), 8),
    ("LayerNorm", ((3, 4),), {}, (2, 3, 4), (2, 3, 4), 24),
    ("LayerNorm", ([2, 4],), {}, (2, 2, 4), (2, 2, 4), 16),
    ("LayerNorm", (4,), {"elementwise_affine": False}, (2, 4), (2, 4), 0),
    ("LayerNorm", (4,), {"bias": False}, ("N", "T", 4), ("N", "T", 4), 4),
    ("RMSNorm", ([3, 4],), {}, (2, 3, 4), (2, 3, 4), 12),
    ("InstanceNorm2d", (4,), {}, (4, 3, 3), (4, 3, 3), 0),
    ("InstanceNorm2d", (4,), {}, (2, 5, 3, 3), (2, 5, 3, 3), 0),
    ("InstanceNorm2d", (4,), {"affine": True, "bias": False}, (2, 4, 3, 3), (2, 4, 3, 3), 4),
    ("InstanceNorm1d", (4,), {"affine": True}, (4, 5), (4, 5), 8),
    ("InstanceNorm1d", (4,), {"track_running_stats": True}, (2, 4, 1), (2, 4, 1), 0),
    ("LazyInstanceNorm2d", (), {}, (2, 7, 5, 5), (2, 7, 5, 5), 14),
    ("LocalResponseNorm", (2,), {}, (2, 4, 3), (2, 4, 3), 0),
    ("LocalResponseNorm", (2,), {}, (2, 4, 3, 3, 3, 3), (2, 4, 3, 3, 3, 3), 0),
    # dropout
    ("Dropout", (0.2,), {}, (), (), 0),
    ("Dropout2d", (), {}, (3, 4), (3, 4), 0),
    ("Dropout3d", (), {}, (3, 4, 4, 4, 4, 4), (3, 4, 4, 4, 4, 4), 0),
    ("Dropout1d", (), {}, (3, 4), (3, 4), 0),
    ("AlphaDropout", (), {}, (2, "T"), (2, "T"), 0),
    ("FeatureAlphaDropout", (), {}, (2, 3), (2, 3), 0),
    ("FeatureAlphaDropout", (), {}, (), (), 0),  # needs 2 dims in training mode only
    # activations
    ("ReLU", (), {"inplace": True}, ("N", 3, "H"), ("N", 3, "H"), 0),
    ("ReLU", (), {}, (), (), 0),
    ("LeakyReLU", (0.2,), {}, (2, 3), (2, 3), 0),
    ("GELU", (), {"approximate": "tanh"}, (2, 3), (2, 3), 0),
    ("Threshold", (0.1, 2.0), {}, (3,), (3,), 0),
    ("Hardtanh", (-2, 2), {}, (3,), (3,), 0),
    ("Softmax", (), {}, (3, 4), (3, 4), 0),
    ("Softmax", (0,), {}, (), (), 0),
    ("LogSoftmax", (-1,), {}, (3, 4), (3, 4), 0),
    ("Softmin", (1,), {}, (3, 4), (3, 4), 0),
    ("Softmax2d", (), {}, (3, 4, 5), (3, 4, 5), 0),
    ("GLU", (), {}, (3, 8), (3, 4), 0),
    ("GLU", (0,), {}, (4, 7), (2, 7), 0),
    ("GLU", (-2,), {}, (4, 7), (2, 7), 0),
    ("PReLU", (3,), {}, (2, 3, 4), (2, 3, 4), 3),
    ("PReLU", (), {}, (), (), 1),
    ("PReLU", (), {}, (2, 7, 4), (2, 7, 4), 1),
    ("Mish", (), {}, (2, 7), (2, 7), 0),
    ("SiLU", (), {}, (2, 7), (2, 7), 0),
    ("Tanhshrink", (), {}, (2, 7), (2, 7), 0),
    ("Softsign", (), {}, (2, 7), (2, 7), 0),
    ("RReLU", (0.1, 0.3), {}, (2, 7), (2, 7), 0),
    # flatten / unflatten
    ("Flatten", (), {}, (2, 3, 4), (2, 12), 0),
    ("Flatten", (0, 0), {}, (3, 4), (3, 4), 0),
    ("Flatten", (-2, -1), {}, (3, 4, 5), (3, 20), 0),
    ("Flatten", (0, -1), {}, (), (1,), 0),
    ("Flatten", (), {}, ("N", "C"), ("N", "C"), 0),
    ("Flatten", (), {}, ("N", 64, "H", "W"), ("N", None), 0),
    ("Flatten", (0,), {}, (3,), (3,), 0),
    ("Unflatten", (1, (2, -1)), {}, (3, 8), (3, 2, 4), 0),
    ("Unflatten", (-1, [2, 2, 2]), {}, (3, 8), (3, 2, 2, 2), 0),
    ("Unflatten", (1, (2, -1)), {}, ("N", "D"), ("N", 2, None), 0),
    # embeddings
    ("Embedding", (10, 3), {}, (2, 5), (2, 5, 3), 30),
    ("Embedding", (10, 3), {}, (), (3,), 30),
    ("Embedding", (10, 3), {"padding_idx": -10, "max_norm": 1.0}, ("N", "T"), ("N", "T", 3), 30),
    ("EmbeddingBag", (10, 3), {}, (2, 5), (2, 3), 30),
    ("EmbeddingBag", (10, 3), {"mode": "max", "include_last_offset": True}, (2, 5), (2, 3), 30),
    ("EmbeddingBag", (10, 3), {}, (5,), (None, 3), 30),
    # resizing
    ("Upsample", (), {"scale_factor": 2}, (1, 2, 3, 4), (1, 2, 6, 8), 0),
    ("Upsample", (), {"scale_factor": 1.5}, (1, 2, 3, 5), (1, 2, 4, 7), 0),
    ("Upsample", (), {"scale_factor": 1.1}, (1, 2, 10, 30), (1, 2, 11, 33), 0),
    ("Upsample", (), {"scale_factor": 0.5}, (1, 2, 3, 5), (1, 2, 1, 2), 0),
    ("Upsample", (), {"scale_factor": (2, 3)}, (1, 2, 3, 5), (1, 2, 6, 15), 0),
    ("Upsample", (7,), {}, (1, 2, 3, 5), (1, 2, 7, 7), 0),
    ("Upsample", ([5, 6],), {}, (1, 2, 3, 4), (1, 2, 5, 6), 0),
    ("Upsample", (None, 2, "linear"), {}, (1, 2, 3), (1, 2, 6), 0),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4), (1, 2, 6, 8), 0),
    ("Upsample", (), {"scale_factor": 2, "mode": "trilinear"}, (1, 2, 3, 4, 5), (1, 2, 6, 8, 10), 0),
    ("Upsample", (), {"scale_factor": 0.4, "mode": "area"}, (1, 2, 3), (1, 2, 1), 0),
    ("Upsample", (), {"scale_factor": 1.7, "recompute_scale_factor": True}, (1, 2, 3), (1, 2, 5), 0),
    ("Upsample", (), {"scale_factor": 2}, ("N", 2, "H", "W"), ("N", 2, None, None), 0),
    ("Upsample", (), {"scale_factor": 1}, ("N", 2, "H", "W"), ("N", 2, "H", "W"), 0),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (1, 2, 3, 4), (1, 2, 6, 8), 0),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (1, 2, 3), (1, 2, 6), 0),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (1, 2, 3, 4, 5), (1, 2, 6, 8, 10), 0),
    ("UpsamplingBilinear2d", ((5, 7),), {}, (1, 2, 3, 4), (1, 2, 5, 7), 0),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3), (2, 2, 6, 6), 0),
    ("PixelShuffle", (2,), {}, (1, 2, 8, 3, 3), (1, 2, 2, 6, 6), 0),
    ("PixelShuffle", (3,), {}, ("N", 9, "H", 4), ("N", 1, None, 12), 0),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6), (2, 8, 2, 3), 0),
    ("PixelUnshuffle", (2,), {}, (2, 4, 6), (8, 2, 3), 0),
    ("ChannelShuffle", (2,), {}, (2, 4, 3), (2, 4, 3), 0),
    ("ChannelShuffle", (2,), {}, (2, 4, 3, 3, 3), (2, 4, 3, 3, 3), 0),
    # padding
    ("ZeroPad2d", ((1, 2, 3, 4),), {}, (1, 2, 3, 3), (1, 2, 10, 6), 0),
    ("ZeroPad2d", ((1, 2),), {}, (1, 2, 3, 3), (1, 2, 3, 6), 0),
    ("ZeroPad2d", (-1,), {}, (3, 2, 2), (3, 0, 0), 0),
    ("ZeroPad1d", (1,), {}, (2,), (4,), 0),
    ("ZeroPad1d", ((-1, -2),), {}, (2, 3), (2, 0), 0),
    ("ZeroPad3d", (1,), {}, (2, 2, 2, 2, 2, 2), (2, 2, 2, 4, 4, 4), 0),
    ("ConstantPad3d", ((1, 2, 3, 4, 5, 6), 1.0), {}, (1, 2, 3, 3, 3), (1, 2, 14, 10, 6), 0),
    ("ConstantPad1d", ((1, 1, 1, 1, 1, 1), 0.0), {}, (3, 3, 3), (5, 5, 5), 0),
    ("ConstantPad2d", (1, 0.0), {}, ("N", 3, "H", 5), ("N", 3, None, 7), 0),
    ("ReflectionPad1d", (2,), {}, (2, 3), (2, 7), 0),
    ("ReflectionPad1d", ((-2, 3),), {}, (2, 4), (2, 5), 0),
    ("ReflectionPad2d", ((1, 1),), {}, (3, 3), (3, 5), 0),
    ("ReflectionPad3d", (1,), {}, (2, 2, 4, 4, 4), (2, 2, 6, 6, 6), 0),
    ("ReplicationPad1d", (10,), {}, (2, 1), (2, 21), 0),
    ("ReplicationPad1d", ((-2, -2),), {}, (2, 5), (2, 1), 0),
    ("ReplicationPad1d", ((1, 1, 1, 1),), {}, (2, 3, 3), (2, 5, 5), 0),
    ("ReplicationPad2d", ((-1, 0, 0, 0),), {}, (2, 3, 3), (2, 3, 2), 0),
    ("CircularPad1d", (3,), {}, (2, 3), (2, 9), 0),
    ("CircularPad1d", ((-1, -2),), {}, (2, 3), (2, 0), 0),
    ("CircularPad1d", ((1, 1, 1, 1),), {}, (2, 3, 3), (2, 5, 5), 0),
    ("CircularPad2d", ((1, 2, 3, 0),), {}, (2, 3, 3), (2, 6, 6), 0),
    ("CircularPad3d", (1,), {}, (2, 3, 3, 3), (2, 5, 5, 5), 0),
    ("CircularPad1d", ((2, -1),), {}, (1, 1, 3), (1, 1, 4), 0),
    ("CircularPad1d", ((-3, 1),), {}, (1, 1, 3), (1, 1, 1), 0),
    ("CircularPad1d", ((3, -2),), {}, (2, 1, 4), (2, 1, 5), 0),  # the overlapping copy goes unchecked
    ("ReflectionPad2d", (-1,), {}, (3, 2, 4), (3, 0, 2), 0),
    ("ReplicationPad3d", (-1,), {}, (3, 2, 4, 4), (3, 0, 2, 2), 0),
    ("ZeroPad1d", ((-2, 4),), {}, (2, 2), (2, 4), 0),
]


@pytest.mark.parametrize("name,args,kwargs,shape,out,params", CASES)
def test_shapes(name, args, kwargs, shape, out, params):
    r = run(name, args, kwargs, shape)
    assert r.outputs[0] == out
    assert r.params == params
    assert r.non_trainable == 0


# (class, args, kwargs, input shapes, output shapes, params) for several inputs/outputs
MULTI_CASES = [
    ("Bilinear", (4, 5, 3), {}, [(2, 4), (2, 5)], [(2, 3)], 63),
    ("Bilinear", (4, 5, 3), {"bias": False}, [(2, 7, 4), (2, 7, 5)], [(2, 7, 3)], 60),
    ("Bilinear", (4, 5, 3), {}, [(4,), (5,)], [(3,)], 63),
    ("Bilinear", (4, 5, 3), {}, [("N", 4), (None, 5)], [("N", 3)], 63),
    ("MaxPool2d", (2,), {"return_indices": True}, [(1, 3, 5, 5)], [(1, 3, 2, 2), (1, 3, 2, 2)], 0),
    ("AdaptiveMaxPool2d", ((2, None),), {"return_indices": True}, [(1, 3, 5, 7)], [(1, 3, 2, 7), (1, 3, 2, 7)], 0),
    ("EmbeddingBag", (10, 3), {}, [(7,), (4,)], [(4, 3)], 30),
    ("EmbeddingBag", (10, 3), {"include_last_offset": True}, [(7,), (4,)], [(3, 3)], 30),
]


@pytest.mark.parametrize("name,args,kwargs,shapes,outs,params", MULTI_CASES)
def test_multi(name, args, kwargs, shapes, outs, params):
    r = run(name, args, kwargs, *shapes)
    assert r.outputs == outs
    assert r.params == params


# -- parameters without an input ----------------------------------------------------------

PARAMS_ONLY = [
    ("Linear", (400, 120), {}, 48120),
    ("Bilinear", (4, 5, 3), {}, 63),
    ("LazyLinear", (3,), {}, None),
    ("Conv2d", (3, 16, 3), {"padding": UNKNOWN}, 448),
    ("Conv2d", (3, 16, 3), {"stride": UNKNOWN, "bias": False}, 432),
    ("Conv3d", (2, 4, (1, 2, 3)), {"groups": 2}, 28),
    ("ConvTranspose2d", (32, 16, 4), {"groups": 4}, 2064),
    ("ConvTranspose1d", (4, 6, 3), {"bias": False}, 72),
    ("LazyConv2d", (3, 3), {}, None),
    ("MaxPool2d", (UNKNOWN,), {}, 0),
    ("BatchNorm2d", (64,), {}, 128),
    ("BatchNorm1d", (64,), {"affine": False}, 0),
    ("LazyBatchNorm1d", (), {}, None),
    ("LazyBatchNorm1d", (), {"affine": False}, 0),
    ("GroupNorm", (8, 64), {}, 128),
    ("LayerNorm", ((10, 20),), {}, 400),
    ("LayerNorm", (20,), {"bias": False}, 20),
    ("InstanceNorm2d", (64,), {}, 0),
    ("InstanceNorm2d", (64,), {"affine": True}, 128),
    ("Embedding", (1000, 64), {}, 64000),
    ("EmbeddingBag", (1000, 64), {"mode": "sum"}, 64000),
    ("PReLU", (16,), {}, 16),
    ("Upsample", (), {"scale_factor": 2}, 0),
    ("ReLU", (), {}, 0),
]


@pytest.mark.parametrize("name,args,kwargs,params", PARAMS_ONLY)
def test_params_without_input(name, args, kwargs, params):
    r = run(name, args, kwargs, None)
    assert r.outputs == [None]
    assert r.params == params
    if name == "Bilinear":
        r = run(name, args, kwargs, None, None)
        assert r.params == params


def test_unknown_constructor_argument():
    with pytest.raises(Unresolved):
        run("Linear", (UNKNOWN, 10), {}, (2, 5))
    with pytest.raises(Unresolved):
        run("Conv2d", (3, 8, UNKNOWN), {}, (1, 3, 8, 8))
    # a shape-only argument that is unknown: params stay, the output becomes unknown
    r = run("Conv2d", (3, 8, 3), {"stride": UNKNOWN}, (1, 3, 8, 8))
    assert r.outputs == [None] and r.params == 224
    r = run("Upsample", (), {"scale_factor": UNKNOWN}, (1, 3, 8, 8))
    assert r.outputs == [None] and r.params == 0


def test_lazy_linear_unknown_features():
    r = run("LazyLinear", (3,), {}, (2, None))
    assert r.outputs == [(2, 3)] and r.params is None


# -- issues -------------------------------------------------------------------------------

ISSUES = [
    # (class, args, kwargs, input shapes, kind, message fragment)
    ("Linear", (400, 120), {}, [(4, 576)], "in_features", "Linear expects 400 input features but receives (4, 576)"),
    ("Linear", (4, 3), {}, [()], "rank", "Linear expects input of at least 1 dimension"),
    ("LazyLinear", (3,), {}, [()], "rank", "at least 1 dimension"),
    ("Bilinear", (4, 5, 3), {}, [(3, 5), (3, 5)], "in_features", "Bilinear expects 4 input features in its first input but receives (3, 5)"),
    ("Bilinear", (4, 5, 3), {}, [(3, 4), (3, 4)], "in_features", "Bilinear expects 5 input features in its second input but receives (3, 4)"),
    ("Bilinear", (4, 5, 3), {}, [(2, 4), (3, 5)], "input", "identical leading dimensions"),
    ("Bilinear", (4, 5, 3), {}, [(1, 4), (3, 5)], "input", "no broadcasting"),
    ("Bilinear", (4, 5, 3), {}, [(3, 4), (1, 3, 5)], "input", "same rank"),
    ("Conv2d", (64, 128, 3), {}, [(4, 32, 16, 16)], "in_channels", "Conv2d expects 64 input channels but receives (4, 32, 16, 16)"),
    ("Conv2d", (3, 8, 3), {}, [(4, 10, 10)], "in_channels", "expects 3 input channels but receives (4, 10, 10)"),
    ("Conv2d", (3, 8, 3), {"groups": 2}, [None], "in_channels", "in_channels=3, which is not divisible by groups=2"),
    ("Conv2d", (4, 9, 3), {"groups": 2}, [None], "in_channels", "out_channels=9, which is not divisible by groups=2"),
    ("Conv1d", (3, 3, 3), {"groups": 0}, [None], "in_channels", "positive groups"),
    ("ConvTranspose2d", (4, 6, 2), {"groups": 4}, [None], "in_channels", "out_channels=6"),
    ("Conv2d", (3, 8, 3), {}, [(10, 10)], "rank", "Conv2d expects 3-D (unbatched) or 4-D (batched) input"),
    ("Conv2d", (3, 8, 3), {}, [(1, 3, 10, 10, 1)], "rank", "but receives (1, 3, 10, 10, 1)"),
    ("Conv1d", (3, 8, 3), {}, [(3,)], "rank", "Conv1d expects 2-D (unbatched) or 3-D (batched) input"),
    ("Conv2d", (3, 8, 5), {}, [(1, 3, 4, 10)], "nonpositive", "does not fit the input (1, 3, 4, 10)"),
    ("Conv2d", (3, 8, 5), {"stride": 2, "padding": "same"}, [None], "input", "padding='same'"),
    ("Conv2d", (3, 8, 4), {"padding": "VALID"}, [None], "input", "'same', 'valid'"),
    ("Conv2d", (3, 8, 4), {"padding": "same", "dilation": 2, "padding_mode": "reflect"}, [(1, 3, 2, 3)], "input", "reflect"),
    ("Conv1d", (3, 8, 3), {"padding": 3, "padding_mode": "reflect"}, [(1, 3, 3)], "input", "less than the input size 3"),
    ("Conv1d", (3, 8, 3), {"padding": 4, "padding_mode": "circular"}, [(1, 3, 3)], "input", "wrap around"),
    ("Conv1d", (3, 8, 3), {"padding_mode": "foo"}, [None], "input", "padding_mode='foo'"),
    ("Conv1d", (3, 8, 3), {"stride": 0}, [(1, 3, 5)], "input", "positive stride"),
    ("Conv1d", (3, 8, 3), {"padding": -1}, [(1, 3, 5)], "input", "negative padding"),
    ("Conv2d", (3, 4, 0), {}, [(1, 3, 5, 5)], "input", "positive kernel_size"),
    ("ConvTranspose2d", (4, 6, 3), {}, [(1, 5, 5, 5)], "in_channels", "ConvTranspose2d expects 4 input channels but receives (1, 5, 5, 5)"),
    ("ConvTranspose2d", (4, 6, 3), {"output_padding": 1}, [(1, 4, 5, 5)], "input", "smaller than either the stride"),
    ("ConvTranspose2d", (3, 4, 3), {"stride": (2, 1), "output_padding": (0, 1), "dilation": (2, 1)}, [(1, 3, 7, 7)], "input", "output_padding"),
    ("ConvTranspose2d", (4, 6, 1), {"padding": 1}, [(1, 4, 1, 1)], "nonpositive", "(1, 6, -1, -1)"),
    ("ConvTranspose2d", (4, 6, 2), {"padding": 1}, [(1, 4, 1, 1)], "nonpositive", "(1, 6, 0, 0)"),
    ("ConvTranspose2d", (4, 6, 2), {"padding": "same"}, [(1, 4, 1, 1)], "input", "integer padding"),
    ("ConvTranspose2d", (4, 6, 2), {"padding_mode": "reflect"}, [None], "input", "padding_mode='zeros'"),
    ("MaxPool2d", (2,), {}, [(5, 5)], "rank", "MaxPool2d expects 3-D (unbatched) or 4-D (batched) input"),
    ("MaxPool1d", (2,), {}, [(5,)], "rank", "2-D (unbatched) or 3-D (batched)"),
    ("MaxPool2d", (3,), {"padding": 2}, [(1, 3, 5, 5)], "input", "at most half of kernel_size 3"),
    ("MaxPool2d", (3,), {"padding": 2, "dilation": 2}, [(1, 3, 5, 5)], "input", "at most half"),
    ("MaxPool2d", (6,), {}, [(1, 3, 5, 5)], "nonpositive", "MaxPool2d with kernel_size 6 does not fit the input (1, 3, 5, 5): the output would be (1, 3, 0, 0)"),
    ("MaxPool2d", (2,), {"stride": 0}, [(1, 3, 5, 5)], "input", "positive stride"),
    ("AvgPool2d", (3,), {"padding": 2}, [(1, 3, 5, 5)], "input", "at most half"),
    ("AvgPool1d", (3,), {}, [(5,)], "rank", "AvgPool1d expects"),
    ("AvgPool2d", (6,), {}, [(1, 3, 5, 5)], "nonpositive", "does not fit"),
    ("MaxUnpool2d", (2,), {}, [(8, 8)], "rank", "MaxUnpool2d expects 3-D (unbatched) or 4-D (batched)"),
    ("LPPool2d", (2, 3), {}, [(8, 9)], "rank", "LPPool2d expects 3-D (unbatched) or 4-D (batched)"),
    ("LPPool2d", (2, 3), {}, [(1, 2, 2, 9)], "nonpositive", "(1, 2, 0, 3)"),
    ("AdaptiveAvgPool2d", (3,), {}, [(5, 7)], "rank", "AdaptiveAvgPool2d expects 3-D (unbatched) or 4-D (batched)"),
    ("AdaptiveAvgPool3d", (2,), {}, [(5, 7, 2)], "rank", "4-D (unbatched) or 5-D (batched)"),
    ("AdaptiveMaxPool1d", (2,), {}, [(7,)], "rank", "AdaptiveMaxPool1d"),
    ("AdaptiveMaxPool2d", (1,), {}, [(1, 4)], "rank", "AdaptiveMaxPool2d expects"),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, [(1, 4)], "rank", "AdaptiveAvgPool2d expects"),
    ("AdaptiveAvgPool2d", ((1, None),), {}, [(1, 2, 3, 4, 5)], "rank", "AdaptiveAvgPool2d expects"),
    ("AdaptiveAvgPool3d", (1,), {}, [(1, 4)], "rank", "AdaptiveAvgPool3d expects"),
    ("AvgPool3d", (3,), {"padding": 1}, [(1, 1, 2, 5, 5)], "nonpositive", "larger than the input"),
    ("LPPool3d", (1, 2), {"ceil_mode": True}, [(1, 1, 1, 5, 5)], "nonpositive", "larger than the input"),
    ("LPPool1d", (1, (2,)), {}, [(2, 3, 8)], "input", "int kernel_size"),
    ("BatchNorm2d", (64,), {}, [(4, 32, 8, 8)], "num_features", "BatchNorm2d expects 64 channels (num_features) but receives (4, 32, 8, 8)"),
    ("BatchNorm2d", (4,), {"affine": False}, [(2, 5, 3, 3)], "num_features", "expects 4 channels"),
    ("BatchNorm2d", (4,), {"track_running_stats": False}, [(2, 5, 3, 3)], "num_features", "expects 4 channels"),
    ("BatchNorm1d", (4,), {}, [(4,)], "rank", "BatchNorm1d expects 2-D or 3-D input"),
    ("BatchNorm1d", (4,), {}, [(2, 4, 3, 3)], "rank", "BatchNorm1d expects 2-D or 3-D input"),
    ("BatchNorm2d", (4,), {}, [(4, 3, 3)], "rank", "BatchNorm2d expects 4-D input"),
    ("BatchNorm1d", (4,), {"track_running_stats": False}, [(1, 4)], "input", "more than one value per channel"),
    ("BatchNorm1d", (4,), {"track_running_stats": False}, [(1, 4, 1)], "input", "more than one value per channel"),
    ("InstanceNorm2d", (4,), {"affine": True}, [(2, 5, 3, 3)], "num_features", "InstanceNorm2d expects 4 channels (num_features) but receives (2, 5, 3, 3)"),
    ("InstanceNorm2d", (4,), {"track_running_stats": True}, [(2, 5, 3, 3)], "num_features", "expects 4 channels"),
    ("InstanceNorm2d", (4,), {}, [(2, 4, 1, 1)], "input", "more than one spatial element"),
    ("InstanceNorm1d", (4,), {}, [(5,)], "rank", "InstanceNorm1d expects 2-D (unbatched) or 3-D (batched)"),
    ("InstanceNorm2d", (4,), {}, [(1, 2, 4, 5, 5)], "rank", "3-D (unbatched) or 4-D (batched)"),
    ("GroupNorm", (3, 4), {}, [None], "num_features", "num_channels=4, which is not divisible by num_groups=3"),
    ("GroupNorm", (2, 4), {}, [(2, 6, 3)], "num_features", "GroupNorm expects 4 channels (num_channels) but receives (2, 6, 3)"),
    ("GroupNorm", (2, 4), {"affine": False}, [(2, 5, 3)], "num_features", "divisible by 2"),
    ("GroupNorm", (2, 4), {}, [(4,)], "rank", "at least 2 dimensions"),
    ("GroupNorm", (4, 4), {}, [(1, 4)], "input", "more than one value per group"),
    ("LayerNorm", ((3, 4),), {}, [(2, 4, 4)], "num_features", "LayerNorm expects the input to end in (3, 4) (normalized_shape) but receives (2, 4, 4)"),
    ("LayerNorm", ((3, 4),), {}, [(4,)], "rank", "at least 2 dimensions"),
    ("RMSNorm", (8,), {}, [(2, 4)], "num_features", "RMSNorm expects the input to end in (8,)"),
    ("LocalResponseNorm", (2,), {}, [(2, 4)], "rank", "at least 3 dimensions"),
    ("Dropout", (2,), {}, [None], "input", "between 0 and 1"),
    ("Dropout1d", (1.5,), {}, [None], "input", "between 0 and 1"),
    ("Dropout1d", (), {}, [(3,)], "rank", "Dropout1d expects 2-D (unbatched) or 3-D (batched)"),
    ("Dropout1d", (), {}, [(3, 4, 5, 6)], "rank", "Dropout1d expects"),
    ("Hardtanh", (2, 1), {}, [None], "input", "max_val=1"),
    ("Softmax", (2,), {}, [(3, 4)], "rank", "Softmax with dim=2"),
    ("Softmax", (-3,), {}, [(3, 4)], "rank", "valid dim: -2 to 1"),
    ("LogSoftmax", (3,), {}, [(3, 4)], "rank", "LogSoftmax"),
    ("Softmax2d", (), {}, [(3, 4)], "rank", "Softmax2d expects 3-D (unbatched) or 4-D (batched)"),
    ("GLU", (), {}, [(3, 7)], "input", "must be even, but it has size 7 in (3, 7)"),
    ("GLU", (), {}, [()], "rank", "scalar"),
    ("GLU", (2,), {}, [(4, 7)], "rank", "GLU with dim=2"),
    ("PReLU", (3,), {}, [(2, 4, 4)], "input", "num_parameters=3"),
    ("PReLU", (3,), {}, [(3,)], "input", "num_parameters=3"),
    ("PReLU", (3,), {}, [()], "rank", "0-D"),
    ("Flatten", (), {}, [(3,)], "rank", "Flatten with start_dim=1"),
    ("Flatten", (), {}, [()], "rank", "start_dim=1"),
    ("Flatten", (2, 1), {}, [(3, 4, 5)], "input", "start_dim=2 after end_dim=1"),
    ("Unflatten", (1, (3, -1)), {}, [(3, 8)], "reshape", "cannot split dimension 1 of size 8"),
    ("Unflatten", (1, (3, 2)), {}, [(3, 8)], "reshape", "hold 6 elements, but dimension 1 of (3, 8) has 8"),
    ("Unflatten", (2, (2, 2, 2)), {}, [(3, 8)], "rank", "dim=2"),
    ("Unflatten", (1, (-1, -1)), {}, [(3, 8)], "input", "only once"),
    ("Unflatten", (1, ()), {}, [(3, 8)], "input", "non-empty"),
    ("Unflatten", (1, 8), {}, [None], "input", "tuple of ints"),
    ("Embedding", (10, 3), {"padding_idx": 10}, [None], "input", "padding_idx=10"),
    ("Embedding", (10, 3), {"padding_idx": -11}, [None], "input", "padding_idx=-11"),
    ("EmbeddingBag", (10, 3), {"padding_idx": 10}, [None], "input", "padding_idx=10"),
    ("EmbeddingBag", (10, 3), {}, [(2, 5, 3)], "rank", "EmbeddingBag expects 1-D or 2-D input"),
    ("EmbeddingBag", (10, 3), {}, [()], "rank", "EmbeddingBag expects 1-D or 2-D input"),
    ("EmbeddingBag", (10, 3), {"mode": "foo"}, [(2, 5)], "input", "mode='foo'"),
    ("EmbeddingBag", (10, 3), {}, [(2, 5), (2,)], "input", "no offsets"),
    ("Upsample", (), {"scale_factor": 0.1}, [(1, 2, 3, 5)], "nonpositive", "(1, 2, 0, 0)"),
    ("Upsample", (), {"scale_factor": (2, 3)}, [(1, 2, 3, 5, 6)], "rank", "scale_factor (2.0, 3.0)"),
    ("Upsample", ((7, 8),), {}, [(1, 2, 3)], "rank", "size (7, 8)"),
    ("Upsample", (7,), {"scale_factor": 2}, [(1, 2, 3, 5)], "input", "not both"),
    ("Upsample", (), {}, [(1, 2, 3, 5)], "input", "needs size or scale_factor"),
    ("Upsample", (), {"scale_factor": 0}, [(1, 2, 3, 5)], "input", "needs size or scale_factor"),
    ("Upsample", (), {"scale_factor": 2}, [(2, 3)], "rank", "Upsample expects 3-D, 4-D or 5-D input"),
    ("Upsample", (), {"scale_factor": 2}, [(1, 1, 2, 3, 3, 3)], "rank", "3-D, 4-D or 5-D"),
    ("Upsample", (), {"scale_factor": 2, "mode": "linear"}, [(1, 2, 3, 5)], "rank", "Upsample expects 3-D input"),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, [(1, 2, 3)], "rank", "4-D input"),
    ("Upsample", (), {"scale_factor": 2, "mode": "bicubic"}, [(1, 2, 3, 4, 5)], "rank", "4-D input"),
    ("Upsample", (), {"scale_factor": 2, "mode": "trilinear"}, [(1, 2, 3, 4)], "rank", "5-D input"),
    ("Upsample", (), {"scale_factor": 2, "align_corners": True}, [(1, 2, 3)], "input", "align_corners"),
    ("Upsample", (), {"scale_factor": 2, "align_corners": False}, [(1, 2, 3)], "input", "align_corners"),
    ("Upsample", (), {"scale_factor": 2, "mode": "foo"}, [(1, 2, 3)], "input", "mode 'foo'"),
    ("Upsample", (), {"scale_factor": 2, "mode": "lanczos"}, [(1, 2, 3, 4)], "input", "antialias"),
    ("Upsample", (0,), {}, [(1, 2, 3)], "nonpositive", "positive"),
    ("Upsample", (), {"scale_factor": -2}, [(1, 2, 3)], "nonpositive", "(1, 2, -6)"),
    ("UpsamplingBilinear2d", (5,), {}, [(1, 2, 3)], "rank", "UpsamplingBilinear2d expects 4-D input"),
    ("PixelShuffle", (2,), {}, [(2, 6, 3, 3)], "input", "divisible by 4, but receives (2, 6, 3, 3)"),
    ("PixelShuffle", (2,), {}, [(8, 3)], "rank", "at least 3 dimensions"),
    ("PixelShuffle", (0,), {}, [(1, 3, 1, 1)], "input", "positive upscale_factor"),
    ("PixelUnshuffle", (2,), {}, [(2, 2, 5, 6)], "input", "height divisible by 2"),
    ("ChannelShuffle", (3,), {}, [(2, 4, 3)], "input", "divisible by 3, but receives (2, 4, 3)"),
    ("ChannelShuffle", (2,), {}, [(2, 4)], "rank", "at least 3 dimensions"),
    ("ChannelShuffle", (0,), {}, [(1, 3, 1, 1)], "input", "positive groups"),
    ("ZeroPad1d", ((-2, -2),), {}, [(2, 3)], "nonpositive", "crops more than the size 3"),
    ("ZeroPad1d", ((-2, 4),), {}, [(2, 1)], "nonpositive", "crops more than the size 1"),
    ("ZeroPad1d", ((1,),), {}, [(1, 2, 3)], "input", "even number"),
    ("ZeroPad3d", (1,), {}, [(3, 3)], "rank", "pads 3 dimensions"),
    ("ConstantPad2d", ((1, 1, 1, 1, 1), 0.0), {}, [(3, 3, 3)], "input", "even number"),
    ("ReflectionPad1d", (1,), {}, [(2,)], "rank", "2-D (unbatched) or 3-D (batched)"),
    ("ReflectionPad1d", (1,), {}, [(2, 2, 2, 2)], "rank", "ReflectionPad1d expects"),
    ("ReflectionPad2d", (1,), {}, [(2, 2)], "rank", "3-D (unbatched) or 4-D (batched)"),
    ("ReflectionPad3d", (1,), {}, [(2, 2, 2, 2, 2, 2)], "rank", "4-D (unbatched) or 5-D (batched)"),
    ("ReflectionPad1d", (3,), {}, [(2, 3)], "input", "smaller than the size 3"),
    ("ReflectionPad2d", ((2, 0, 3, 0),), {}, [(2, 3, 3)], "input", "reflection"),
    ("ReflectionPad1d", ((-2, -1),), {}, [(2, 3)], "nonpositive", "the output would be (2, 0)"),
    ("ReflectionPad2d", (-1,), {}, [(1, 2, 2)], "nonpositive", "the output would be (1, 0, 0)"),
    ("ReplicationPad3d", (-1,), {}, [(1, 2, 2, 2)], "nonpositive", "the output would be (1, 0, 0, 0)"),
    ("ReflectionPad3d", ((0, 0, 0, 0, -2, -1),), {}, [(3, 2, 4, 4)], "nonpositive", "leaves -1"),
    ("ReplicationPad1d", ((-1, -2),), {}, [(2, 3)], "nonpositive", "the output would be (2, 0)"),
    ("ReplicationPad2d", (1,), {}, [(2, 2, 2, 2, 2)], "rank", "ReplicationPad2d"),
    ("CircularPad1d", (4,), {}, [(2, 3)], "input", "wraps around"),
    ("CircularPad1d", ((-2, 4),), {}, [(2, 3)], "input", "wraps around"),
    ("CircularPad1d", ((-2, -2),), {}, [(2, 3)], "nonpositive", "leaves -1"),
    ("CircularPad1d", ((3, -2),), {}, [(1, 1, 4)], "input", "wraps around the 2 values left"),
    ("CircularPad1d", ((-1, 3),), {}, [(1, 3)], "input", "wraps around"),
    ("CircularPad1d", (1,), {}, [(2, 2, 2, 2)], "rank", "CircularPad1d expects 2-D (unbatched) or 3-D (batched)"),
    ("CircularPad2d", ((1, 1),), {}, [(1, 2, 3, 3)], "rank", "1 padded dimension"),
    ("CircularPad1d", ((1, 1, 1, 1),), {}, [(3, 3)], "rank", "2 padded dimensions"),
]


@pytest.mark.parametrize("name,args,kwargs,shapes,kind,fragment", ISSUES)
def test_issues(name, args, kwargs, shapes, kind, fragment):
    with pytest.raises(ShapeIssue) as exc:
        run(name, args, kwargs, *shapes)
    assert exc.value.kind == kind
    assert fragment in exc.value.message, exc.value.message


def test_issue_details():
    with pytest.raises(ShapeIssue) as exc:
        run("Linear", (400, 120), {}, (4, 576))
    assert exc.value.message == "Linear expects 400 input features but receives (4, 576)"
    assert "in_features=576" in exc.value.hint
    with pytest.raises(ShapeIssue) as exc:
        run("Conv2d", (64, 128, 3), {}, (4, 32, 16, 16))
    assert exc.value.message == "Conv2d expects 64 input channels but receives (4, 32, 16, 16)"
    assert "in_channels=32" in exc.value.hint
    with pytest.raises(ShapeIssue) as exc:
        run("Bilinear", (4, 5, 3), {}, (3, 4), (3, 4))
    assert exc.value.input_index == 1


def test_symbolic_dims_never_raise():
    # unknown or symbolic dims are never evidence of a mismatch
    assert run("Linear", (4, 3), {}, ("N", "F")).outputs == [("N", 3)]
    assert run("Conv2d", (3, 8, 3), {}, ("N", "C", None, 5)).outputs == [("N", 8, None, 3)]
    assert run("BatchNorm2d", (3,), {}, ("N", None, "H", "W")).outputs == [("N", None, "H", "W")]
    assert run("GroupNorm", (2, 4), {}, (None, "C")).outputs == [(None, "C")]
    assert run("LayerNorm", ((3, 4),), {}, ("N", None, "F")).outputs == [("N", None, "F")]
    assert run("GLU", (), {}, ("N", "F")).outputs == [("N", None)]
    assert run("PixelShuffle", (2,), {}, ("N", "C", "H", "W")).outputs == [("N", None, None, None)]
    assert run("MaxPool2d", (2,), {}, (None, 3, None, 4)).outputs == [(None, 3, None, 2)]
    assert run("ReflectionPad1d", (2,), {}, ("N", "C", "L")).outputs == [("N", "C", None)]
    assert run("Unflatten", (1, (2, 3)), {}, ("N", "F")).outputs == [("N", 2, 3)]


OWN_MODULES = ("torch_conv", "torch_core", "torch_norm", "torch_reshaping")


def test_registered_signatures_follow_torch():
    """The positional order of each signature is the module's ``__init__`` order."""
    nn = pytest.importorskip("torch.nn")
    import inspect

    for (framework, name), ldef in registry.REGISTRY.items():
        if framework != "torch" or not ldef.signature or not hasattr(nn, name):
            continue
        if ldef.fn.__module__.rsplit(".", 1)[-1] not in OWN_MODULES:
            continue
        params = [p for p in list(inspect.signature(getattr(nn, name).__init__).parameters)[1:]]
        assert list(ldef.signature) == params[: len(ldef.signature)], name


# -- oracle: random configurations against real PyTorch -----------------------------------


def _torch_result(torch, name, args, kwargs, shapes):
    """(output shape, params) from real PyTorch, or "raises"."""
    import warnings

    cls = getattr(torch.nn, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = cls(*args, **kwargs)
            module.eval()  # train-only checks (BatchNorm batch of one) are not certain statically
            if name.startswith("Embedding"):
                xs = [torch.randint(0, args[0], s) for s in shapes]
            else:
                xs = [torch.randn(s) for s in shapes]
            with torch.no_grad():
                y = module(*xs)
    except (ValueError, TypeError, RuntimeError, IndexError, NotImplementedError, AssertionError):
        return "raises"
    if isinstance(y, tuple):
        y = y[0]
    params = sum(p.numel() for p in module.parameters(recurse=False))
    return tuple(y.shape), params


def _ours(name, args, kwargs, shapes):
    try:
        r = run(name, args, kwargs, *shapes)
    except ShapeIssue:
        return "raises"
    return r.outputs[0], r.params


def _masked(rng, shape):
    """The shape with some dims unknown (None) or symbolic."""
    return tuple(rng.choice([None, "S%d" % i]) if rng.random() < 0.3 else d for i, d in enumerate(shape))


def _known_divergence(name, expected, got):
    """ConvTranspose with an empty output: PyTorch's oneDNN path accepts it for a batch of
    more than one, its reference kernel (batch of one) rejects it; shapelint reports it."""
    return name.startswith("ConvTranspose") and got == "raises" and expected != "raises" and 0 in expected[0]


def _compare(cases, seed=0):
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    mismatches = []
    for name, args, kwargs, shapes in cases:
        expected = _torch_result(torch, name, args, kwargs, shapes)
        got = _ours(name, args, kwargs, shapes)
        if expected != got and not _known_divergence(name, expected, got):
            mismatches.append((name, args, kwargs, shapes, expected, got))
            continue
        # with some dims unknown: never an issue PyTorch would not raise, never a wrong size
        masked = [_masked(rng, s) for s in shapes]
        got = _ours(name, args, kwargs, masked)
        if got == "raises":
            if expected != "raises" and not _known_divergence(name, expected, got):
                mismatches.append((name, args, kwargs, masked, expected, got))
            continue
        out, params = got
        if expected == "raises":
            continue
        ok = params == expected[1] or params is None
        ok = ok and (out is None or (len(out) == len(expected[0]) and all(not isinstance(a, int) or a == b for a, b in zip(out, expected[0]))))
        # a symbol may only survive where PyTorch keeps the size
        for i, d in enumerate(out or ()):
            if isinstance(d, str):
                j = int(d[1:])
                ok = ok and any(s[j] == expected[0][i] for s in shapes if j < len(s))
        if not ok:
            mismatches.append((name, args, kwargs, masked, expected, got))
    assert not mismatches, "\n".join(map(repr, mismatches[:10]))


def _maybe_tuple(rng, n, lo, hi):
    values = tuple(rng.randint(lo, hi) for _ in range(n))
    return values[0] if len(set(values)) == 1 and rng.random() < 0.6 else values


def _spatial(rng, n, lo=1, hi=12):
    return tuple(rng.randint(lo, hi) for _ in range(n))


def _batched(rng, n, channels, lo=1, hi=12):
    """(N, C, *spatial), sometimes unbatched, sometimes of a wrong rank."""
    shape = (rng.randint(1, 3), channels) + _spatial(rng, n, lo, hi)
    r = rng.random()
    if r < 0.2:
        shape = shape[1:]
    elif r < 0.25:
        shape = shape[2:]
    elif r < 0.28:
        shape = shape + (2,)
    return shape


@pytest.mark.oracle
def test_oracle_linear():
    rng = random.Random(11)
    cases = []
    for _ in range(50):
        fin, fout = rng.randint(1, 9), rng.randint(1, 9)
        lead = tuple(rng.randint(1, 4) for _ in range(rng.randint(0, 3)))
        last = fin if rng.random() < 0.8 else rng.randint(1, 9)
        kind = rng.random()
        if kind < 0.6:
            cases.append(("Linear", (fin, fout), {"bias": rng.random() < 0.7}, [lead + (last,)]))
        elif kind < 0.75:
            cases.append(("LazyLinear", (fout,), {"bias": rng.random() < 0.7}, [lead + (last,)]))
        else:
            in2 = rng.randint(1, 6)
            lead2 = lead if rng.random() < 0.85 else tuple(rng.randint(1, 4) for _ in range(len(lead) + rng.choice([0, 1])))
            last2 = in2 if rng.random() < 0.85 else rng.randint(1, 6)
            cases.append(("Bilinear", (fin, in2, fout), {"bias": rng.random() < 0.7}, [lead + (last,), lead2 + (last2,)]))
    _compare(cases, 1)


@pytest.mark.oracle
def test_oracle_conv():
    rng = random.Random(1234)
    cases = []
    for _ in range(60):
        n = rng.randint(1, 3)
        groups = rng.choice([1, 1, 1, 2, 3])
        in_c = groups * rng.randint(1, 3) if rng.random() < 0.95 else rng.randint(1, 6)
        out_c = groups * rng.randint(1, 3) if rng.random() < 0.95 else rng.randint(1, 6)
        k = _maybe_tuple(rng, n, 1, 5)
        kwargs = {
            "stride": _maybe_tuple(rng, n, 1, 3),
            "dilation": _maybe_tuple(rng, n, 1, 2) if rng.random() < 0.4 else 1,
            "groups": groups,
            "bias": rng.random() < 0.7,
        }
        r = rng.random()
        if r < 0.15:
            kwargs["padding"] = "same"
            kwargs["stride"] = 1 if rng.random() < 0.9 else 2
        elif r < 0.25:
            kwargs["padding"] = "valid"
        else:
            kwargs["padding"] = _maybe_tuple(rng, n, 0, 3)
        if rng.random() < 0.3:
            kwargs["padding_mode"] = rng.choice(["reflect", "replicate", "circular"])
        channels = in_c if rng.random() < 0.9 else in_c + 1
        cases.append(("Conv%dd" % n, (in_c, out_c, k), kwargs, [_batched(rng, n, channels, 1, 9)]))
    _compare(cases, 2)


@pytest.mark.oracle
def test_oracle_conv_transpose():
    rng = random.Random(99)
    cases = []
    for _ in range(50):
        n = rng.randint(1, 3)
        groups = rng.choice([1, 1, 2])
        in_c, out_c = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        s = tuple(rng.randint(1, 3) for _ in range(n))
        d = tuple(rng.randint(1, 2) for _ in range(n))
        kwargs = {"stride": s, "dilation": d, "groups": groups, "bias": rng.random() < 0.7,
                  "padding": _maybe_tuple(rng, n, 0, 2)}
        if rng.random() < 0.5:
            kwargs["output_padding"] = tuple(rng.randint(0, max(a, b)) for a, b in zip(s, d))
        channels = in_c if rng.random() < 0.9 else in_c + 1
        cases.append(("ConvTranspose%dd" % n, (in_c, out_c, _maybe_tuple(rng, n, 1, 4)), kwargs, [_batched(rng, n, channels, 1, 6)]))
    _compare(cases, 3)


@pytest.mark.oracle
def test_oracle_pooling():
    rng = random.Random(2024)
    cases = []
    for _ in range(80):
        n = rng.randint(1, 3)
        k = _maybe_tuple(rng, n, 1, 4)
        kmin = min(k) if isinstance(k, tuple) else k
        family = rng.choice(["MaxPool", "AvgPool", "LPPool"])
        kwargs = {"ceil_mode": rng.random() < 0.5}
        if rng.random() < 0.7:
            kwargs["stride"] = _maybe_tuple(rng, n, 1, 3)
        if family != "LPPool":
            kwargs["padding"] = rng.randint(0, kmin // 2 + (1 if rng.random() < 0.1 else 0))
        if family == "MaxPool" and rng.random() < 0.4:
            kwargs["dilation"] = _maybe_tuple(rng, n, 1, 2)
        if family == "AvgPool":
            kwargs["count_include_pad"] = rng.random() < 0.5
        args = (rng.choice([1, 2]), k) if family == "LPPool" else (k,)
        cases.append(("%s%dd" % (family, n), args, kwargs, [_batched(rng, n, rng.randint(1, 3), 1, 8)]))
    _compare(cases, 4)


@pytest.mark.oracle
def test_oracle_adaptive_pooling():
    rng = random.Random(5)
    cases = []
    for _ in range(50):
        n = rng.randint(1, 3)
        if n == 1 or rng.random() < 0.4:
            size = rng.randint(0, 5)
        else:
            size = tuple(None if rng.random() < 0.3 else rng.randint(0, 5) for _ in range(n))
        name = rng.choice(["AdaptiveAvgPool%dd", "AdaptiveMaxPool%dd"]) % n
        cases.append((name, (size,), {}, [_batched(rng, n, rng.randint(1, 3), 1, 8)]))
    _compare(cases, 5)


@pytest.mark.oracle
def test_oracle_norms():
    rng = random.Random(77)
    cases = []
    for _ in range(80):
        family = rng.choice(["BatchNorm", "InstanceNorm", "GroupNorm", "LayerNorm", "LocalResponseNorm"])
        c = rng.randint(1, 4)
        channels = c if rng.random() < 0.85 else c + 1
        if family in ("BatchNorm", "InstanceNorm"):
            n = rng.randint(1, 3)
            affine = rng.random() < 0.5
            track = rng.random() < 0.5
            kwargs = {"affine": affine, "track_running_stats": track, "bias": rng.random() < 0.8}
            shape = _batched(rng, n, channels, 1, 3)
            if rng.random() < 0.3:
                shape = shape[:1] + tuple(1 for _ in shape[1:]) if shape else shape
                if len(shape) > 1:
                    shape = (shape[0], channels) + shape[2:]
            cases.append(("%s%dd" % (family, n), (c,), kwargs, [shape]))
        elif family == "GroupNorm":
            g = rng.randint(1, 3)
            nc = g * rng.randint(1, 3) if rng.random() < 0.9 else rng.randint(1, 6)
            ch = nc if rng.random() < 0.8 else rng.randint(1, 6)
            shape = (rng.randint(1, 2), ch) + _spatial(rng, rng.randint(0, 2), 1, 2)
            cases.append(("GroupNorm", (g, nc), {"affine": rng.random() < 0.7, "bias": rng.random() < 0.8}, [shape]))
        elif family == "LayerNorm":
            ns = _spatial(rng, rng.randint(1, 2), 1, 4)
            shape = tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2))) + ns
            if rng.random() < 0.2:
                shape = shape[:-1] + (shape[-1] + 1,)
            arg = ns[0] if len(ns) == 1 and rng.random() < 0.5 else list(ns)
            cases.append(("LayerNorm", (arg,), {"elementwise_affine": rng.random() < 0.7, "bias": rng.random() < 0.8}, [shape]))
        else:
            cases.append(("LocalResponseNorm", (rng.randint(1, 3),), {}, [_spatial(rng, rng.randint(2, 5), 1, 3)]))
    _compare(cases, 6)


@pytest.mark.oracle
def test_oracle_padding():
    rng = random.Random(31)
    cases = []
    for _ in range(60):
        n = rng.randint(1, 3)
        family = rng.choice(["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"])
        if rng.random() < 0.3:
            pad = rng.randint(-1, 3)
        else:
            pad = tuple(rng.randint(-2, 4) for _ in range(2 * rng.choice([n, n, n, max(1, n - 1)])))
        args = (pad, 0.5) if family == "ConstantPad" else (pad,)
        rank = rng.randint(n, n + 2) if rng.random() < 0.3 else rng.randint(n + 1, n + 2)
        cases.append(("%s%dd" % (family, n), args, {}, [_spatial(rng, rank, 1, 5)]))
    _compare(cases, 7)


@pytest.mark.oracle
def test_oracle_upsample():
    rng = random.Random(8)
    cases = []
    for _ in range(60):
        rank = rng.choice([3, 4, 5, 5, 4, 3, 2])
        n = max(rank - 2, 1)
        kwargs = {}
        r = rng.random()
        if r < 0.4:
            kwargs["scale_factor"] = rng.choice([2, 3, 0.5, 1.5, 1.1, 0.3, 2.7])
        elif r < 0.6:
            kwargs["scale_factor"] = tuple(rng.choice([1, 2, 0.5, 1.7]) for _ in range(n))
        elif r < 0.95:
            kwargs["size"] = rng.randint(1, 9) if rng.random() < 0.5 else tuple(rng.randint(1, 9) for _ in range(n))
        shape = (rng.randint(1, 2), rng.randint(1, 3)) + _spatial(rng, rank - 2, 1, 6)
        name = rng.choice(["Upsample", "Upsample", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"])
        if name == "Upsample":
            kwargs["mode"] = rng.choice(["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"])
            if kwargs["mode"] in ("linear", "bilinear", "bicubic", "trilinear") and rng.random() < 0.5:
                kwargs["align_corners"] = rng.random() < 0.5
        cases.append((name, (), kwargs, [shape]))
    _compare(cases, 9)


@pytest.mark.oracle
def test_oracle_misc():
    rng = random.Random(21)
    cases = []
    for _ in range(80):
        r = rng.randrange(11)
        shape = _spatial(rng, rng.randint(0, 5), 1, 6)
        if r == 0:
            cases.append(("Flatten", (rng.randint(-3, 3), rng.randint(-3, 3)), {}, [shape]))
        elif r == 1 and shape:
            d = rng.randrange(len(shape))
            size = shape[d]
            parts = [p for p in (1, 2, 3, 4, 6) if size % p == 0] if rng.random() < 0.8 else [5]
            first = rng.choice(parts)
            sizes = (first, -1) if rng.random() < 0.5 else (first, size // first if size % first == 0 else 2)
            cases.append(("Unflatten", (d - len(shape) if rng.random() < 0.3 else d, sizes), {}, [shape]))
        elif r == 2:
            cases.append(("GLU", (rng.randint(-2, 2),), {}, [shape]))
        elif r == 3:
            name = rng.choice(["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"])
            cases.append((name, (rng.randint(1, 3),), {}, [_spatial(rng, rng.randint(2, 5), 1, 12)]))
        elif r == 4:
            num = rng.choice([1, 1, 3])
            cases.append(("PReLU", (num,), {}, [shape]))
        elif r == 5:
            cases.append((rng.choice(["Softmax", "LogSoftmax", "Softmin"]), (rng.randint(-3, 3),), {}, [shape]))
        elif r == 6:
            cases.append(("Embedding", (rng.randint(1, 20), rng.randint(1, 5)), {}, [shape]))
        elif r == 7:
            cases.append(("EmbeddingBag", (rng.randint(1, 20), rng.randint(1, 5)), {"mode": rng.choice(["sum", "mean", "max"])},
                          [_spatial(rng, rng.choice([2, 2, 3]), 1, 4)]))
        elif r == 8:
            name = rng.choice(["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
                               "Softmax2d", "ReLU", "GELU", "Hardswish", "LogSigmoid"])
            cases.append((name, (), {}, [shape]))
        elif r == 9:
            n = rng.randint(1, 3)
            name = rng.choice(["LazyConv%dd", "LazyConvTranspose%dd", "LazyBatchNorm%dd", "LazyInstanceNorm%dd"]) % n
            args = () if "Norm" in name else (rng.randint(1, 4), rng.randint(1, 3))
            cases.append((name, args, {}, [_batched(rng, n, rng.randint(1, 4), 2, 6)]))
        else:
            ns = _spatial(rng, rng.randint(1, 2), 1, 4)
            shape = tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2))) + (ns if rng.random() < 0.8 else ns[::-1])
            cases.append(("RMSNorm", (list(ns),), {"elementwise_affine": rng.random() < 0.7}, [shape]))
    _compare(cases, 10)
