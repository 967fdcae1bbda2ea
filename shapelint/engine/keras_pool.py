"""Keras pooling layers (Keras 3 semantics).

MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (aliases MaxPool*/AvgPool*): the window
slides over the spatial axes with ``strides`` (default: ``pool_size``); ``valid`` gives
``floor((L - pool) / stride) + 1`` and Keras 3 rejects a size of zero or less, ``same``
gives ``ceil(L / stride)``.  MaxPooling defaults ``pool_size`` to 2 on every axis;
AveragePooling has no default in Keras 3.  Channels are kept; no weights.

GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D (aliases GlobalMaxPool*,
GlobalAvgPool*): ``(batch, ..., C) -> (batch, C)``, or ``(batch, 1, ..., 1, C)`` with
``keepdims=True``.
"""

from __future__ import annotations

from .keras_conv import (
    all_positive,
    data_format,
    fmt_tuple,
    image_input,
    join,
    nonpositive,
    not_fit,
    other_format,
    positive,
    split,
    window_length,
    words,
)
from .registry import LayerResult, Unresolved, register
from .shapes import conv_output_length

_POOL_SIG = ("pool_size", "strides", "padding", "data_format")


def _pool(call, rank: int, default_pool) -> LayerResult:
    pool = call.ints("pool_size", rank, default_pool)
    strides = pool
    if call.get("strides", None) is not None:
        strides = call.ints("strides", rank)
    # Keras compares the padding verbatim; it is matched case-insensitively here.
    padding = call.str("padding", "valid")
    if padding not in ("valid", "same"):
        raise Unresolved("padding")
    fmt = data_format(call)
    positive("pool_size", pool)
    positive("strides", strides)
    x = image_input(call, rank, fmt)
    batch, spatial, channels = split(x, fmt)
    out_spatial = tuple(window_length(L, pool[i], strides[i], padding) for i, L in enumerate(spatial))
    out = join(batch, out_spatial, channels, fmt)
    if nonpositive(out_spatial):
        alt = other_format(fmt)
        ab, aspatial, ach = split(x, alt)
        alt_spatial = tuple(conv_output_length(L, pool[i], strides[i], padding) for i, L in enumerate(aspatial))
        alt_shape = join(ab, alt_spatial, ach, alt) if all_positive(alt_spatial) else None
        detail = ["padding '%s'" % padding]
        if strides != pool:
            detail.append("strides %s" % fmt_tuple(strides))
        raise not_fit(call, "pool_size %s" % fmt_tuple(pool), x, out, words(detail), alt_shape, alt)
    return LayerResult([out], params=0)


@register("keras", "MaxPooling1D", "MaxPool1D", signature=_POOL_SIG)
def max_pooling1d(call):
    return _pool(call, 1, 2)


@register("keras", "MaxPooling2D", "MaxPool2D", signature=_POOL_SIG)
def max_pooling2d(call):
    return _pool(call, 2, (2, 2))


@register("keras", "MaxPooling3D", "MaxPool3D", signature=_POOL_SIG)
def max_pooling3d(call):
    return _pool(call, 3, (2, 2, 2))


@register("keras", "AveragePooling1D", "AvgPool1D", signature=_POOL_SIG)
def average_pooling1d(call):
    return _pool(call, 1, None)


@register("keras", "AveragePooling2D", "AvgPool2D", signature=_POOL_SIG)
def average_pooling2d(call):
    return _pool(call, 2, None)


@register("keras", "AveragePooling3D", "AvgPool3D", signature=_POOL_SIG)
def average_pooling3d(call):
    return _pool(call, 3, None)


# -- global pooling ---------------------------------------------------------------------

_GLOBAL_SIG = ("data_format", "keepdims")


def _global_pool(call, rank: int) -> LayerResult:
    fmt = data_format(call)
    keepdims = call.bool("keepdims", False)
    x = image_input(call, rank, fmt)
    batch, _, channels = split(x, fmt)
    if keepdims:
        return LayerResult([join(batch, (1,) * rank, channels, fmt)], params=0)
    return LayerResult([(batch, channels)], params=0)


@register("keras", "GlobalMaxPooling1D", "GlobalMaxPool1D", signature=_GLOBAL_SIG)
def global_max_pooling1d(call):
    return _global_pool(call, 1)


@register("keras", "GlobalMaxPooling2D", "GlobalMaxPool2D", signature=_GLOBAL_SIG)
def global_max_pooling2d(call):
    return _global_pool(call, 2)


@register("keras", "GlobalMaxPooling3D", "GlobalMaxPool3D", signature=_GLOBAL_SIG)
def global_max_pooling3d(call):
    return _global_pool(call, 3)


@register("keras", "GlobalAveragePooling1D", "GlobalAvgPool1D", signature=_GLOBAL_SIG)
def global_average_pooling1d(call):
    return _global_pool(call, 1)


@register("keras", "GlobalAveragePooling2D", "GlobalAvgPool2D", signature=_GLOBAL_SIG)
def global_average_pooling2d(call):
    return _global_pool(call, 2)


@register("keras", "GlobalAveragePooling3D", "GlobalAvgPool3D", signature=_GLOBAL_SIG)
def global_average_pooling3d(call):
    return _global_pool(call, 3)
