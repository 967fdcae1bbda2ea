"""Keras convolution layers (Keras 3 semantics).

Conv1D/2D/3D, their transposed forms, SeparableConv1D/2D and DepthwiseConv1D/2D.

Shapes follow Keras 3 ``compute_output_shape`` and weights follow ``build``:

* ``valid``: ``floor((L - dilated_kernel) / stride) + 1``, and Keras 3 rejects an output
  size of zero or less; ``same`` and ``causal`` (Conv1D only): ``ceil(L / stride)``.
* transposed: ``valid`` ``(L - 1) * s + max(k, s)``, ``same`` ``L * s``; with
  ``output_padding`` ``(L - 1) * s + k - 2 * pad + output_padding`` (``pad`` = ``k // 2``
  for ``same``).  Keras accepts a transposed output of size zero without complaint.
* Conv kernel ``k... x (C / groups) x filters`` + bias ``filters``; transposed kernel
  ``k... x filters x C``; depthwise kernel ``k... x C x depth_multiplier`` + bias
  ``C * depth_multiplier``; separable adds a ``1 x (C * depth_multiplier) x filters``
  pointwise kernel and a ``filters`` bias.

The helpers here (data formats, spatial splits, the "does not fit" message) are shared by
:mod:`keras_pool` and :mod:`keras_reshaping`.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from .registry import LayerResult, ShapeIssue, Unresolved, register
from .shapes import Dim, conv_output_length, deconv_output_length, format_shape, known

# -- shared helpers -------------------------------------------------------------------

_SPATIAL_WORDS = {1: "steps", 2: "height, width", 3: "depth, height, width"}


def data_format(call) -> str:
    """``channels_last`` or ``channels_first`` (Keras lower-cases the argument)."""
    fmt = call.data_format()
    fmt = fmt.lower()
    if fmt not in ("channels_last", "channels_first"):
        raise Unresolved("data_format")
    return fmt


def other_format(fmt: str) -> str:
    return "channels_first" if fmt == "channels_last" else "channels_last"


def layout(rank: int, fmt: str) -> str:
    """The expected input layout in words, e.g. ``(batch, height, width, channels)``."""
    words = _SPATIAL_WORDS[rank]
    if fmt == "channels_first":
        return "(batch, channels, %s)" % words
    return "(batch, %s, channels)" % words


def split(x: Sequence[Dim], fmt: str) -> Tuple[Dim, Tuple[Dim, ...], Dim]:
    """(batch, spatial dims, channels) of an image-like shape."""
    if fmt == "channels_first":
        return x[0], tuple(x[2:]), x[1]
    return x[0], tuple(x[1:-1]), x[-1]


def join(batch: Dim, spatial: Sequence[Dim], channels: Dim, fmt: str) -> Tuple[Dim, ...]:
    if fmt == "channels_first":
        return (batch, channels) + tuple(spatial)
    return (batch,) + tuple(spatial) + (channels,)


def image_input(call, rank: int, fmt: str) -> Tuple[Dim, ...]:
    """The input, which must have ``rank`` spatial dimensions plus batch and channels."""
    return call.input(rank=rank + 2, what=layout(rank, fmt))


def window_length(length: Dim, kernel: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Like :func:`conv_output_length`, but a symbol survives a window that keeps the size."""
    if isinstance(length, str) and stride == 1:
        if padding in ("same", "causal") or (kernel - 1) * dilation == 0:
            return length
    return conv_output_length(length, kernel, stride, padding, dilation)


def nonpositive(spatial: Sequence[Dim]) -> bool:
    return any(known(d) and d <= 0 for d in spatial)


def all_positive(spatial: Sequence[Dim]) -> bool:
    return all(known(d) and d > 0 for d in spatial)


def fmt_tuple(values: Sequence) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def not_fit(call, what: str, x, out_shape, detail: str = "", alt_shape=None, alt_fmt: Optional[str] = None) -> ShapeIssue:
    """The ShapeIssue of a window, kernel or crop larger than what the input offers.

    ``alt_shape`` is the output the same layer would give with data_format ``alt_fmt``
    (when that one fits): it becomes the hint.
    """
    message = "%s %s%s does not fit the input %s: the output would be %s, and Keras needs every size to be positive." % (
        call.type,
        what,
        (" with " + detail) if detail else "",
        format_shape(x),
        format_shape(out_shape),
    )
    hint = None
    if alt_shape is not None and alt_fmt is not None:
        hint = "With data_format='%s' the input would be read as %s and the layer would fit, giving %s." % (
            alt_fmt,
            layout(len(x) - 2, alt_fmt),
            format_shape(alt_shape),
        )
    return ShapeIssue("nonpositive", message, hint=hint)


def frozen(call) -> bool:
    """True when the layer is constructed with ``trainable=False``."""
    return call.get("trainable", True) is False


def _padding(call, allowed: Tuple[str, ...]) -> str:
    padding = call.str("padding", "valid")
    if padding not in allowed:
        raise Unresolved("padding")
    return padding


def _prod(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def words(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _options(k, s, d, padding) -> str:
    parts = ["padding '%s'" % padding]
    if any(v != 1 for v in s):
        parts.append("strides %s" % fmt_tuple(s))
    if any(v != 1 for v in d):
        parts.append("dilation_rate %s" % fmt_tuple(d))
    return words(parts)


def _check_strides_dilation(call, s, d) -> None:
    if max(s) > 1 and max(d) > 1:
        raise ShapeIssue(
            "input",
            "%s cannot combine strides %s with dilation_rate %s: Keras rejects strides > 1 together with dilation_rate > 1."
            % (call.type, fmt_tuple(s), fmt_tuple(d)),
        )


def positive(name: str, values: Sequence[int]) -> None:
    """Keras rejects zero or negative sizes in these arguments at construction."""
    if any(v <= 0 for v in values):
        raise Unresolved(name)


def _spatial_out(call, x, fmt, k, s, d, padding, out_channels):
    """Output shape of a forward convolution; raises on a kernel that does not fit.

    ``out_channels`` maps the input channel dim to the output channel dim.
    """
    batch, spatial, channels = split(x, fmt)
    out_spatial = tuple(window_length(L, k[i], s[i], padding, d[i]) for i, L in enumerate(spatial))
    out = join(batch, out_spatial, out_channels(channels), fmt)
    if nonpositive(out_spatial):
        alt = other_format(fmt)
        ab, aspatial, ach = split(x, alt)
        alt_spatial = tuple(conv_output_length(L, k[i], s[i], padding, d[i]) for i, L in enumerate(aspatial))
        alt_shape = join(ab, alt_spatial, out_channels(ach), alt) if all_positive(alt_spatial) else None
        dilated = tuple((k[i] - 1) * d[i] + 1 for i in range(len(k)))
        detail = _options(k, s, d, padding)
        if dilated != tuple(k):
            detail += " (dilated kernel %s)" % fmt_tuple(dilated)
        raise not_fit(call, "kernel_size %s" % fmt_tuple(k), x, out, detail, alt_shape, alt)
    return out


def _times(channels: Dim, dm: int) -> Dim:
    if isinstance(channels, str) and dm == 1:
        return channels
    return channels * dm if known(channels) else None


# -- Conv1D / Conv2D / Conv3D ---------------------------------------------------------

_CONV_SIG = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "groups",
    "activation",
    "use_bias",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
)


def _conv(call, rank: int) -> LayerResult:
    filters = call.int("filters")
    k = call.ints("kernel_size", rank)
    s = call.ints("strides", rank, 1)
    d = call.ints("dilation_rate", rank, 1)
    groups = call.int("groups", 1)
    padding = _padding(call, ("valid", "same", "causal") if rank == 1 else ("valid", "same"))
    fmt = data_format(call)
    positive("filters", (filters,))
    positive("kernel_size", k)
    positive("strides", s)
    positive("dilation_rate", d)
    positive("groups", (groups,))
    _check_strides_dilation(call, s, d)
    if filters % groups != 0:
        raise ShapeIssue(
            "input",
            "%s has filters=%d, which is not divisible by groups=%d." % (call.type, filters, groups),
        )
    x = image_input(call, rank, fmt)
    _, _, channels = split(x, fmt)
    if known(channels) and channels % groups != 0:
        raise ShapeIssue(
            "input",
            "%s with groups=%d needs input channels divisible by %d, but the input %s has %d channels."
            % (call.type, groups, groups, format_shape(x), channels),
        )
    out = _spatial_out(call, x, fmt, k, s, d, padding, lambda c: filters)
    params = None
    non_trainable = 0
    if known(channels):
        try:
            kernel = _prod(k) * (channels // groups) * filters
            params = kernel + (filters if call.bool("use_bias", True) else 0)
            lora = call.get("lora_rank", None)
            if lora is not None:
                lora = call.int("lora_rank")
                if lora:
                    # LoRA freezes the kernel and adds two trainable low-rank factors.
                    params += _prod(k) * (channels // groups) * lora + lora * filters
                    non_trainable = kernel
        except Unresolved:
            params, non_trainable = None, 0
    if params is not None and frozen(call):
        non_trainable = params
    return LayerResult([out], params=params, non_trainable=non_trainable)


@register("keras", "Conv1D", "Convolution1D", signature=_CONV_SIG)
def conv1d(call):
    """(batch, steps, C) -> (batch, new_steps, filters); ``causal`` pads on the left."""
    return _conv(call, 1)


@register("keras", "Conv2D", "Convolution2D", signature=_CONV_SIG)
def conv2d(call):
    """(batch, H, W, C) -> (batch, H', W', filters)."""
    return _conv(call, 2)


@register("keras", "Conv3D", "Convolution3D", signature=_CONV_SIG)
def conv3d(call):
    """(batch, D, H, W, C) -> (batch, D', H', W', filters)."""
    return _conv(call, 3)


# -- transposed convolutions ------------------------------------------------------------

_TRANSPOSE_TAIL = (
    "activation",
    "use_bias",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
)
_TRANSPOSE_SIG = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "output_padding",
    "data_format",
    "dilation_rate",
) + _TRANSPOSE_TAIL
# Conv3DTranspose takes data_format before output_padding.
_TRANSPOSE3D_SIG = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "output_padding",
    "dilation_rate",
) + _TRANSPOSE_TAIL


def _transpose_length(length: Dim, k: int, s: int, padding: str, op, d: int) -> Dim:
    if isinstance(length, str) and s == 1 and op is None and (padding == "same" or (k - 1) * d == 0):
        return length
    return deconv_output_length(length, k, s, padding, op, d)


def _conv_transpose(call, rank: int) -> LayerResult:
    filters = call.int("filters")
    k = call.ints("kernel_size", rank)
    s = call.ints("strides", rank, 1)
    d = call.ints("dilation_rate", rank, 1)
    padding = _padding(call, ("valid", "same"))
    op = None
    if call.get("output_padding", None) is not None:
        op = call.ints("output_padding", rank)
    fmt = data_format(call)
    positive("filters", (filters,))
    positive("kernel_size", k)
    positive("strides", s)
    positive("dilation_rate", d)
    if op is not None and any(v < 0 for v in op):
        raise Unresolved("output_padding")
    _check_strides_dilation(call, s, d)
    if op is not None:
        for i in range(rank):
            if op[i] >= s[i]:
                raise ShapeIssue(
                    "input",
                    "%s has output_padding %s, but each value must be smaller than the stride %s."
                    % (call.type, fmt_tuple(op), fmt_tuple(s)),
                )
    x = image_input(call, rank, fmt)
    batch, spatial, channels = split(x, fmt)
    out_spatial = tuple(
        _transpose_length(L, k[i], s[i], padding, None if op is None else op[i], d[i]) for i, L in enumerate(spatial)
    )
    out = join(batch, out_spatial, filters, fmt)
    notes = []
    if nonpositive(out_spatial):
        # Keras 3 (and the backends) accept an empty output here; say so rather than fail.
        notes.append("%s produces an empty output %s from %s." % (call.type, format_shape(out), format_shape(x)))
    params = None
    if known(channels):
        try:
            params = _prod(k) * filters * channels + (filters if call.bool("use_bias", True) else 0)
        except Unresolved:
            params = None
    non_trainable = params if params is not None and frozen(call) else 0
    return LayerResult([out], params=params, non_trainable=non_trainable, notes=notes)


@register("keras", "Conv1DTranspose", "Convolution1DTranspose", signature=_TRANSPOSE_SIG)
def conv1d_transpose(call):
    return _conv_transpose(call, 1)


@register("keras", "Conv2DTranspose", "Convolution2DTranspose", signature=_TRANSPOSE_SIG)
def conv2d_transpose(call):
    return _conv_transpose(call, 2)


@register("keras", "Conv3DTranspose", "Convolution3DTranspose", signature=_TRANSPOSE3D_SIG)
def conv3d_transpose(call):
    return _conv_transpose(call, 3)


# -- separable and depthwise convolutions -----------------------------------------------

_SEPARABLE_SIG = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "depth_multiplier",
    "activation",
    "use_bias",
    "depthwise_initializer",
    "pointwise_initializer",
    "bias_initializer",
    "depthwise_regularizer",
    "pointwise_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "depthwise_constraint",
    "pointwise_constraint",
    "bias_constraint",
)

_DEPTHWISE_SIG = (
    "kernel_size",
    "strides",
    "padding",
    "depth_multiplier",
    "data_format",
    "dilation_rate",
    "activation",
    "use_bias",
    "depthwise_initializer",
    "bias_initializer",
    "depthwise_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "depthwise_constraint",
    "bias_constraint",
)


def _separable(call, rank: int) -> LayerResult:
    filters = call.int("filters")
    k = call.ints("kernel_size", rank)
    s = call.ints("strides", rank, 1)
    d = call.ints("dilation_rate", rank, 1)
    dm = call.int("depth_multiplier", 1)
    padding = _padding(call, ("valid", "same"))
    fmt = data_format(call)
    positive("filters", (filters,))
    positive("kernel_size", k)
    positive("strides", s)
    positive("dilation_rate", d)
    positive("depth_multiplier", (dm,))
    x = image_input(call, rank, fmt)
    _, _, channels = split(x, fmt)
    out = _spatial_out(call, x, fmt, k, s, d, padding, lambda c: filters)
    params = None
    if known(channels):
        try:
            params = _prod(k) * channels * dm + channels * dm * filters + (filters if call.bool("use_bias", True) else 0)
        except Unresolved:
            params = None
    non_trainable = params if params is not None and frozen(call) else 0
    return LayerResult([out], params=params, non_trainable=non_trainable)


def _depthwise(call, rank: int) -> LayerResult:
    k = call.ints("kernel_size", rank)
    s = call.ints("strides", rank, 1)
    d = call.ints("dilation_rate", rank, 1)
    dm = call.int("depth_multiplier", 1)
    padding = _padding(call, ("valid", "same"))
    fmt = data_format(call)
    positive("kernel_size", k)
    positive("strides", s)
    positive("dilation_rate", d)
    positive("depth_multiplier", (dm,))
    x = image_input(call, rank, fmt)
    _, _, channels = split(x, fmt)
    out = _spatial_out(call, x, fmt, k, s, d, padding, lambda c: _times(c, dm))
    params = None
    if known(channels):
        try:
            params = _prod(k) * channels * dm + (channels * dm if call.bool("use_bias", True) else 0)
        except Unresolved:
            params = None
    non_trainable = params if params is not None and frozen(call) else 0
    return LayerResult([out], params=params, non_trainable=non_trainable)


@register("keras", "SeparableConv1D", "SeparableConvolution1D", signature=_SEPARABLE_SIG)
def separable_conv1d(call):
    return _separable(call, 1)


@register("keras", "SeparableConv2D", "SeparableConvolution2D", signature=_SEPARABLE_SIG)
def separable_conv2d(call):
    return _separable(call, 2)


@register("keras", "DepthwiseConv1D", signature=_DEPTHWISE_SIG)
def depthwise_conv1d(call):
    return _depthwise(call, 1)


@register("keras", "DepthwiseConv2D", signature=_DEPTHWISE_SIG)
def depthwise_conv2d(call):
    return _depthwise(call, 2)
