"""Keras normalization layers (Keras 3 semantics): all keep the input shape."""

from __future__ import annotations

from .registry import LayerResult, ShapeIssue, Unresolved, is_int, register
from .shapes import format_shape, known, product


def _axes(call, default):
    """The ``axis`` argument as a list of ints (an int or a list/tuple of ints)."""
    axis = call.value("axis", default)
    if is_int(axis):
        return [axis]
    if isinstance(axis, (tuple, list)) and axis and all(is_int(a) for a in axis):
        return list(axis)
    raise Unresolved("axis")


def _normalize_axes(call, x, axes):
    """Axes made non-negative; an axis outside the input's rank is a rank issue."""
    out = []
    for a in axes:
        if not -len(x) <= a < len(x):
            raise ShapeIssue(
                "rank",
                "%s normalizes axis %d but receives %d-D input %s" % (call.type, a, len(x), format_shape(x)),
            )
        out.append(a % len(x))
    return out


@register(
    "keras",
    "BatchNormalization",
    signature=("axis", "momentum", "epsilon", "center", "scale"),
)
def batch_normalization(call):
    """BatchNormalization over one feature axis (default -1) of size C.

    Weights: gamma (``scale``) and beta (``center``), C each, trainable; moving mean and
    variance, C each, non-trainable; ``renorm=True`` adds three more non-trainable C vectors.
    Keras 3 takes a single integer ``axis`` (a list raises TypeError; Keras 2 accepted one),
    so a list is left unresolved.
    """
    axis = call.value("axis", -1)
    if not is_int(axis):
        raise Unresolved("axis")
    x = call.input()
    (a,) = _normalize_axes(call, x, [axis])
    c = x[a]
    center = call.bool("center", True)
    scale = call.bool("scale", True)
    renorm = call.bool("renorm", False)
    if not known(c):
        return LayerResult([x], params=None)
    non_trainable = 2 * c + (3 * c if renorm else 0)
    trainable = c * (int(center) + int(scale))
    return LayerResult([x], params=trainable + non_trainable, non_trainable=non_trainable)


@register(
    "keras",
    "LayerNormalization",
    signature=("axis", "epsilon", "center", "scale"),
)
def layer_normalization(call):
    """LayerNormalization over ``axis`` (an int or a list, default -1).

    gamma and beta have the shape of the normalized axes.  With ``rms_scaling=True`` only
    gamma exists (beta is skipped even when ``center=True``).
    """
    axes = _axes(call, -1)
    x = call.input()
    axes = _normalize_axes(call, x, axes)
    size = product([x[a] for a in axes])
    rms = call.bool("rms_scaling", False)
    center = call.bool("center", True)
    scale = call.bool("scale", True)
    count = int(scale or rms) + int(center and not rms)
    if count == 0:
        return LayerResult([x], params=0)
    if not known(size):
        return LayerResult([x], params=None)
    return LayerResult([x], params=count * size)


@register(
    "keras",
    "GroupNormalization",
    signature=("groups", "axis", "epsilon", "center", "scale"),
)
def group_normalization(call):
    """GroupNormalization: channels (axis, default -1) split into ``groups`` (default 32).

    ``groups=-1`` means one group per channel.  Channels must be at least ``groups`` and a
    multiple of it.  gamma and beta have C entries each.
    """
    groups = call.int("groups", 32)
    axis = call.value("axis", -1)
    if not is_int(axis):
        raise Unresolved("axis")
    x = call.input()
    (a,) = _normalize_axes(call, x, [axis])
    c = x[a]
    center = call.bool("center", True)
    scale = call.bool("scale", True)
    if not known(c):
        return LayerResult([x], params=None)
    if groups == -1:
        groups = c
    if groups <= 0:
        raise Unresolved("groups")
    if groups > c:
        raise ShapeIssue(
            "input",
            "GroupNormalization with groups=%d receives %s, whose axis %d has only %d channels"
            % (groups, format_shape(x), axis, c),
        )
    if c % groups:
        raise ShapeIssue(
            "input",
            "GroupNormalization with groups=%d receives %s, whose %d channels (axis %d) are not divisible by %d"
            % (groups, format_shape(x), c, axis, groups),
        )
    return LayerResult([x], params=c * (int(center) + int(scale)))


@register("keras", "UnitNormalization", signature=("axis",))
def unit_normalization(call):
    """UnitNormalization: L2-normalizes over ``axis`` (int or list, default -1); no weights."""
    axes = _axes(call, -1)
    x = call.input()
    _normalize_axes(call, x, axes)
    return LayerResult([x])
