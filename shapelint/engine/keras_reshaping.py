"""Keras reshaping and resizing layers (Keras 3 semantics).

Reshape, Permute, RepeatVector, ZeroPadding1D/2D/3D, Cropping1D/2D/3D,
UpSampling1D/2D/3D, and the preprocessing layers Rescaling, Resizing and CenterCrop.
None of them has weights.
"""

from __future__ import annotations

from typing import List, Tuple

from .keras_conv import (
    all_positive,
    data_format,
    fmt_tuple,
    image_input,
    join,
    layout,
    nonpositive,
    not_fit,
    other_format,
    split,
)
from .registry import LayerResult, ShapeIssue, Unresolved, is_int, register
from .shapes import Dim, format_shape, known, product
from .values import UNKNOWN

# -- Reshape ----------------------------------------------------------------------------


def _target(call) -> Tuple[Dim, ...]:
    """target_shape as dims: ints stay, anything not statically known becomes None."""
    raw = call.get("target_shape", None)
    if raw is UNKNOWN or not isinstance(raw, (tuple, list)):
        raise Unresolved("target_shape")
    return tuple(v if is_int(v) else None for v in raw)


@register("keras", "Reshape", signature=("target_shape",))
def reshape(call):
    """(batch, *in) -> (batch, *target_shape); one -1 takes what is left.

    Like Keras, the size check only runs when every input dim and every target entry is
    known; otherwise a -1 becomes unknown (or the input's only symbol, when the known
    parts match).
    """
    target = _target(call)
    if any(known(t) and t < -1 for t in target):
        raise ShapeIssue(
            "reshape",
            "Reshape target_shape %s has a negative size; only -1 (a single inferred dimension) is allowed."
            % fmt_tuple(["None" if t is None else t for t in target]),
        )
    if sum(1 for t in target if t == -1) > 1:
        raise ShapeIssue(
            "reshape",
            "Reshape target_shape %s has more than one -1; only one dimension can be inferred." % fmt_tuple(target),
        )
    x = call.input(min_rank=1, what="(batch, ...)")
    inner = x[1:]
    unknown_in = [d for d in inner if not known(d)]
    if unknown_in or None in target:
        out = [None if t == -1 else t for t in target]
        if -1 in target and None not in target and len(unknown_in) == 1 and isinstance(unknown_in[0], str):
            # (batch, T, 4, 8) -> (-1, 32): the -1 is T when the known parts agree.
            known_in = product([d for d in inner if known(d)])
            known_out = product([t for t in target if t != -1])
            if known_in == known_out:
                out[target.index(-1)] = unknown_in[0]
        return LayerResult([(x[0],) + tuple(out)], params=0)
    size = product(inner)
    if -1 not in target:
        if product(target) != size:
            raise ShapeIssue(
                "reshape",
                "Reshape cannot turn the input %s into target_shape %s: the input holds %d values per sample, the target %d."
                % (format_shape(x), fmt_tuple(target), size, product(target)),
            )
        return LayerResult([(x[0],) + target], params=0)
    rest = product([t for t in target if t != -1])
    if rest == 0:
        raise ShapeIssue(
            "reshape",
            "Reshape cannot infer the -1 of target_shape %s for the input %s: the other target dimensions multiply to 0."
            % (fmt_tuple(target), format_shape(x)),
        )
    if size % rest != 0:
        raise ShapeIssue(
            "reshape",
            "Reshape cannot turn the input %s into target_shape %s: the input holds %d values per sample, "
            "which is not a multiple of %d, the product of the other target dimensions."
            % (format_shape(x), fmt_tuple(target), size, rest),
        )
    out = tuple(size // rest if t == -1 else t for t in target)
    return LayerResult([(x[0],) + out], params=0)


# -- Permute, RepeatVector --------------------------------------------------------------


@register("keras", "Permute", signature=("dims",))
def permute(call):
    """(batch, d1, ..., dn) -> (batch, d_dims[0], ...); dims count from 1."""
    dims = call.value("dims")
    if not isinstance(dims, (tuple, list)) or not all(is_int(d) for d in dims):
        raise Unresolved("dims")
    dims = tuple(dims)
    if sorted(dims) != list(range(1, len(dims) + 1)):
        raise ShapeIssue(
            "input",
            "Permute dims %s is not a permutation of 1..%d (the batch axis 0 stays in place)." % (fmt_tuple(dims), len(dims)),
        )
    x = call.input(rank=len(dims) + 1, what="(batch" + "".join(", d%d" % (i + 1) for i in range(len(dims))) + ")")
    return LayerResult([(x[0],) + tuple(x[d] for d in dims)], params=0)


@register("keras", "RepeatVector", signature=("n",))
def repeat_vector(call):
    """(batch, features) -> (batch, n, features)."""
    n = call.int("n")
    if n <= 0:
        raise Unresolved("n")
    x = call.input(rank=2, what="(batch, features)")
    return LayerResult([(x[0], n, x[1])], params=0)


# -- ZeroPadding, Cropping --------------------------------------------------------------


def _pairs(call, name: str, rank: int, default) -> List[Tuple[int, int]]:
    """An int, ``rank`` ints (symmetric), or ``rank`` pairs, as ``rank`` (before, after) pairs.

    For rank 1 the argument is an int or one (before, after) pair.
    """
    v = call.value(name, default)

    def pair(p):
        if is_int(p):
            return (p, p)
        if isinstance(p, (tuple, list)) and len(p) == 2 and all(is_int(i) for i in p):
            return (p[0], p[1])
        if isinstance(p, (tuple, list)) and len(p) == 1 and is_int(p[0]):
            return (p[0], p[0])
        raise Unresolved(name)

    if rank == 1:
        out = [pair(v)]
    elif is_int(v):
        out = [(v, v)] * rank
    elif isinstance(v, (tuple, list)) and len(v) == rank:
        out = [pair(p) for p in v]
    else:
        raise Unresolved(name)
    if any(a < 0 or b < 0 for a, b in out):
        raise Unresolved(name)
    return out


def _pad_dim(d: Dim, total: int) -> Dim:
    if total == 0:
        return d
    return d + total if known(d) else None


def _zero_padding(call, rank: int, default) -> LayerResult:
    pads = _pairs(call, "padding", rank, default)
    fmt = data_format(call)
    x = image_input(call, rank, fmt)
    batch, spatial, channels = split(x, fmt)
    out = tuple(_pad_dim(d, a + b) for d, (a, b) in zip(spatial, pads))
    return LayerResult([join(batch, out, channels, fmt)], params=0)


@register("keras", "ZeroPadding1D", signature=("padding", "data_format"))
def zero_padding1d(call):
    return _zero_padding(call, 1, 1)


@register("keras", "ZeroPadding2D", signature=("padding", "data_format"))
def zero_padding2d(call):
    return _zero_padding(call, 2, 1)


@register("keras", "ZeroPadding3D", signature=("padding", "data_format"))
def zero_padding3d(call):
    return _zero_padding(call, 3, 1)


def _crop(spatial, crops):
    return tuple(_pad_dim(d, -(a + b)) for d, (a, b) in zip(spatial, crops))


def _cropping(call, rank: int, default, fmt: str) -> LayerResult:
    crops = _pairs(call, "cropping", rank, default)
    x = image_input(call, rank, fmt)
    batch, spatial, channels = split(x, fmt)
    out_spatial = _crop(spatial, crops)
    out = join(batch, out_spatial, channels, fmt)
    if nonpositive(out_spatial):
        alt_shape = alt = None
        if rank > 1:  # Cropping1D has no data_format
            alt = other_format(fmt)
            ab, aspatial, ach = split(x, alt)
            alt_spatial = _crop(aspatial, crops)
            alt_shape = join(ab, alt_spatial, ach, alt) if all_positive(alt_spatial) else None
        what = "cropping %s" % fmt_tuple([fmt_tuple(c) for c in crops]) if rank > 1 else "cropping %s" % fmt_tuple(crops[0])
        raise not_fit(call, what, x, out, "", alt_shape, alt)
    return LayerResult([out], params=0)


@register("keras", "Cropping1D", signature=("cropping",))
def cropping1d(call):
    """(batch, axis, features) -> (batch, axis - before - after, features)."""
    return _cropping(call, 1, (1, 1), "channels_last")


@register("keras", "Cropping2D", signature=("cropping", "data_format"))
def cropping2d(call):
    return _cropping(call, 2, ((0, 0), (0, 0)), data_format(call))


@register("keras", "Cropping3D", signature=("cropping", "data_format"))
def cropping3d(call):
    return _cropping(call, 3, ((1, 1), (1, 1), (1, 1)), data_format(call))


# -- UpSampling -------------------------------------------------------------------------


def _scale(d: Dim, f: int) -> Dim:
    if f == 1:
        return d
    return d * f if known(d) else None


def _upsampling(call, rank: int, fmt: str) -> LayerResult:
    if rank == 1:
        size = (call.int("size", 2),)
    else:
        size = call.ints("size", rank, (2,) * rank)
    if any(f <= 0 for f in size):
        raise Unresolved("size")
    x = image_input(call, rank, fmt)
    batch, spatial, channels = split(x, fmt)
    out = tuple(_scale(d, f) for d, f in zip(spatial, size))
    return LayerResult([join(batch, out, channels, fmt)], params=0)


@register("keras", "UpSampling1D", signature=("size",))
def upsampling1d(call):
    """(batch, steps, features) -> (batch, steps * size, features)."""
    return _upsampling(call, 1, "channels_last")


@register("keras", "UpSampling2D", signature=("size", "data_format", "interpolation"))
def upsampling2d(call):
    return _upsampling(call, 2, data_format(call))


@register("keras", "UpSampling3D", signature=("size", "data_format"))
def upsampling3d(call):
    return _upsampling(call, 3, data_format(call))


# -- preprocessing: Rescaling, Resizing, CenterCrop -------------------------------------


@register("keras", "Rescaling", signature=("scale", "offset"))
def rescaling(call):
    """x * scale + offset: the shape is unchanged."""
    return LayerResult([call.input()], params=0)


def _resize_to(call) -> LayerResult:
    """Resizing and CenterCrop give (height, width) images.

    A 4-D input is a batch of images.  Keras reads a 3-D input as ONE unbatched image
    (height, width, channels) -- for a batched (batch, height, width) tensor that means the
    batch axis is resized, which this reproduces (with a note).
    """
    height = call.int("height")
    width = call.int("width")
    fmt = data_format(call)
    x = call.input()
    if len(x) == 4:
        batch, _, channels = split(x, fmt)
        return LayerResult([join(batch, (height, width), channels, fmt)], params=0)
    if len(x) == 3:
        if fmt == "channels_first":
            out = (x[0], height, width)
        else:
            out = (height, width, x[2])
        note = "%s reads the 3-D input %s as one unbatched image %s and gives %s." % (
            call.type,
            format_shape(x),
            "(channels, height, width)" if fmt == "channels_first" else "(height, width, channels)",
            format_shape(out),
        )
        return LayerResult([out], params=0, notes=[note])
    raise ShapeIssue(
        "rank",
        "%s expects 4-D input %s (or one 3-D image) but receives %s" % (call.type, layout(2, fmt), format_shape(x)),
    )


_RESIZING_SIG = (
    "height",
    "width",
    "interpolation",
    "crop_to_aspect_ratio",
    "pad_to_aspect_ratio",
    "fill_mode",
    "fill_value",
    "antialias",
    "data_format",
)


@register("keras", "Resizing", signature=_RESIZING_SIG)
def resizing(call):
    return _resize_to(call)


@register("keras", "CenterCrop", signature=("height", "width", "data_format"))
def center_crop(call):
    """Crops the centre, or resizes (smart_resize) when the input is smaller: always (height, width)."""
    return _resize_to(call)
