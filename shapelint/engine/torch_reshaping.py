"""PyTorch resizing and padding modules: ``Upsample``, ``UpsamplingNearest2d``,
``UpsamplingBilinear2d``, ``PixelShuffle``, ``PixelUnshuffle``, ``ChannelShuffle`` and the
``Zero/Constant/Reflection/Replication/CircularPad1d/2d/3d`` modules.

* Upsample: input ``(N, C, *spatial)`` with 1 to 3 spatial dims (``linear`` needs 3-D,
  ``bilinear``/``bicubic`` 4-D, ``trilinear`` 5-D); output ``size``, or
  ``floor(L * scale_factor)`` per axis.  A ``scale_factor`` of 0 counts as absent.
  ``UpsamplingNearest2d`` accepts 3-D and 5-D input as well.
* Padding: the pad tuple is applied from the last dim backwards, ``len(pad) / 2`` dims.
  Zero/Constant padding takes any rank at least that; the others take one or two more
  dims than they pad.  Negative pads crop.  Reflection pads must be smaller than the
  size, circular pads at most the size; constant padding crops first, so its negative
  pads may not remove more than the size.  A padded size below 0 is an error; so is an
  empty result in every padded dim for Reflection/Replication (one empty dim is fine).
  Circular padding mixed with cropping fails when PyTorch's wrap-around copies overlap.
  ``mode='area'`` resizes by adaptive pooling and so accepts an output size of 0.
"""

from __future__ import annotations

import math

from .registry import Unresolved
from .shapes import format_shape, known
from .torch_common import (
    attempt,
    check_min_rank,
    check_rank,
    finish,
    fmt_tuple,
    is_int,
    is_num,
    issue,
    tint,
    treg,
    value,
)

_MODE_RANKS = {
    "nearest": (3, 4, 5),
    "area": (3, 4, 5),
    "nearest-exact": (3, 4, 5),
    "linear": (3,),
    "bilinear": (4,),
    "bicubic": (4,),
    "trilinear": (5,),
}
_ALIGNING = ("linear", "bilinear", "bicubic", "trilinear")


def _scale_value(v):
    """Upsample stores ``float(scale_factor) if scale_factor else None``."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        if not v:
            return None
        if not all(is_num(f) for f in v):
            raise Unresolved("scale_factor")
        return tuple(float(f) for f in v)
    if not is_num(v):
        raise Unresolved("scale_factor")
    return float(v) if v else None


def _upsample(call, mode: str, align_corners=None, ranks=None):
    def compute(x):
        size = value(call, "size", None)
        scale = _scale_value(value(call, "scale_factor", None))
        if mode == "lanczos":
            raise issue("input", "%s with mode='lanczos' needs antialias=True, which nn.Upsample cannot pass" % call.type)
        if mode not in _MODE_RANKS:
            raise issue("input", "%s has an unknown mode %r" % (call.type, mode))
        if align_corners is not None and mode not in _ALIGNING:
            raise issue(
                "input",
                "%s sets align_corners, which only the interpolating modes (%s) accept, not mode=%r"
                % (call.type, ", ".join(_ALIGNING), mode),
            )
        check_rank(call, x, ranks or (3, 4, 5), "(batch, channels, *spatial) for mode %r" % mode, unbatched=False)
        check_rank(call, x, _MODE_RANKS[mode], "(batch, channels, *spatial) for mode %r" % mode, unbatched=False)
        n = len(x) - 2
        if size is not None and scale is not None:
            raise issue("input", "%s takes either size or scale_factor, not both" % call.type)
        if size is None and scale is None:
            raise issue("input", "%s needs size or scale_factor" % call.type)
        spatial = x[2:]
        if size is not None:
            if is_int(size):
                out = (size,) * n
            elif isinstance(size, (tuple, list)) and all(is_int(v) for v in size):
                if len(size) != n:
                    raise issue(
                        "rank",
                        "%s has size %s for %d spatial dimensions, but receives %s with %d"
                        % (call.type, fmt_tuple(size), len(size), format_shape(x), n),
                    )
                out = tuple(size)
            else:
                raise Unresolved("size")
        else:
            if isinstance(scale, tuple):
                if len(scale) != n:
                    raise issue(
                        "rank",
                        "%s has scale_factor %s for %d spatial dimensions, but receives %s with %d"
                        % (call.type, fmt_tuple(scale), len(scale), format_shape(x), n),
                    )
                factors = scale
            else:
                factors = (scale,) * n
            out = []
            for L, f in zip(spatial, factors):
                if known(L):
                    out.append(int(math.floor(float(L) * f)))
                elif isinstance(L, str) and f == 1.0:
                    out.append(L)
                else:
                    out.append(None)
            out = tuple(out)
        shape = tuple(x[:2]) + tuple(out)
        smallest = 0 if mode == "area" else 1  # area resizes by adaptive pooling, which allows 0
        if any(known(v) and v < smallest for v in out):
            raise issue(
                "nonpositive",
                "%s resizes the input %s to %s, but every output size must be %s"
                % (call.type, format_shape(x), format_shape(shape), "at least 0" if smallest == 0 else "positive"),
            )
        return [shape]

    return finish(call, 0, compute)


@treg("Upsample", signature=("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"))
def upsample(call):
    mode = attempt(lambda: value(call, "mode", "nearest"))
    align = attempt(lambda: value(call, "align_corners", None))
    if not isinstance(mode, str) or (align is not None and not isinstance(align, bool)):
        return finish(call, 0, lambda x: [None])
    return _upsample(call, mode, align)


@treg("UpsamplingNearest2d", signature=("size", "scale_factor"))
def upsampling_nearest2d(call):
    return _upsample(call, "nearest")


@treg("UpsamplingBilinear2d", signature=("size", "scale_factor"))
def upsampling_bilinear2d(call):
    return _upsample(call, "bilinear", True)


# -- pixel and channel shuffles -----------------------------------------------------------


def _factor(call, name: str) -> int:
    r = tint(call, name)
    if r <= 0:
        raise issue("input", "%s needs a positive %s, but has %d" % (call.type, name, r))
    return r


def _times(d, r: int):
    if r == 1:
        return d
    return d * r if known(d) else None


@treg("PixelShuffle", signature=("upscale_factor",))
def pixel_shuffle(call):
    def compute(x):
        check_min_rank(call, x, 3, "(batch, channels, height, width)")
        r = _factor(call, "upscale_factor")
        c, h, w = x[-3:]
        if known(c) and c % (r * r):
            raise issue(
                "input",
                "PixelShuffle with upscale_factor=%d needs channels divisible by %d, but receives %s"
                % (r, r * r, format_shape(x)),
            )
        oc = c if r == 1 else (c // (r * r) if known(c) else None)
        return [tuple(x[:-3]) + (oc, _times(h, r), _times(w, r))]

    return finish(call, 0, compute)


@treg("PixelUnshuffle", signature=("downscale_factor",))
def pixel_unshuffle(call):
    def compute(x):
        check_min_rank(call, x, 3, "(batch, channels, height, width)")
        r = _factor(call, "downscale_factor")
        c, h, w = x[-3:]
        for name, d in (("height", h), ("width", w)):
            if known(d) and d % r:
                raise issue(
                    "input",
                    "PixelUnshuffle with downscale_factor=%d needs the %s divisible by %d, but receives %s"
                    % (r, name, r, format_shape(x)),
                )
        if r == 1:
            return [tuple(x)]
        return [tuple(x[:-3]) + (_times(c, r * r), h // r if known(h) else None, w // r if known(w) else None)]

    return finish(call, 0, compute)


@treg("ChannelShuffle", signature=("groups",))
def channel_shuffle(call):
    def compute(x):
        check_min_rank(call, x, 3, "(batch, channels, ...)")
        g = _factor(call, "groups")
        c = x[1]
        if known(c) and c % g:
            raise issue(
                "input",
                "ChannelShuffle with groups=%d needs channels divisible by %d, but receives %s" % (g, g, format_shape(x)),
            )
        return [tuple(x)]

    return finish(call, 0, compute)


# -- padding ------------------------------------------------------------------------------


def _pads(call, n: int):
    p = value(call, "padding")
    if is_int(p):
        return (p,) * (2 * n)
    if isinstance(p, (tuple, list)) and all(is_int(v) for v in p):
        if len(p) % 2:
            raise issue("input", "%s has padding %s; PyTorch needs an even number of pads" % (call.type, fmt_tuple(p)))
        return tuple(p)
    raise Unresolved("padding")


def _circular_overlap(call, x, pads, out) -> None:
    """PyTorch fills circular pads by copying slices of the output into the output.  With
    a negative pad on the other side the two slices can partly overlap, which ``copy_``
    rejects -- but it can only tell when the slices are contiguous, that is when every
    output dim before the padded one has size 1."""
    m = len(pads) // 2
    for j in range(m):
        axis = len(x) - 1 - j
        lo, hi = pads[2 * j], pads[2 * j + 1]
        size = out[axis]
        if not known(size):
            continue
        copies = []
        if lo > 0:
            copies.append((0, size - lo - max(hi, 0), lo))
        if hi > 0:
            copies.append((size - hi, max(lo, 0), hi))
        if not any(dst != src and abs(dst - src) < n for dst, src, n in copies):
            continue
        outer = out[:axis]
        if all(known(d) and d == 1 for d in outer):
            raise issue(
                "input",
                "%s pads (%d, %d) along dim %d of %s, which wraps around the %d values left after cropping more than once"
                % (call.type, lo, hi, axis, format_shape(x), x[axis] + min(lo, 0) + min(hi, 0)),
            )


def _pad(call, n: int, mode: str):
    def compute(x):
        pads = _pads(call, n)
        m = len(pads) // 2
        if mode == "circular":
            check_rank(call, x, (n + 1, n + 2), "(batch, channels, *spatial)")
        if mode == "constant":
            if len(x) < m:
                raise issue(
                    "rank",
                    "%s pads %d dimension%s but receives %s" % (call.type, m, "" if m == 1 else "s", format_shape(x)),
                )
        elif m:
            check_rank(call, x, (m + 1, m + 2), "(batch, channels, *spatial) for %d padded dimension%s" % (m, "" if m == 1 else "s"))
        out = list(x)
        for j in range(m):
            axis = len(x) - 1 - j
            lo, hi = pads[2 * j], pads[2 * j + 1]
            L = x[axis]
            if not known(L):
                out[axis] = L if (isinstance(L, str) and lo + hi == 0) else None
                continue
            if mode == "reflect" and (lo >= L or hi >= L):
                raise issue(
                    "input",
                    "%s pads (%d, %d), but reflection padding must be smaller than the size %d of dim %d of %s"
                    % (call.type, lo, hi, L, axis, format_shape(x)),
                )
            if mode == "circular" and (lo > L or hi > L):
                raise issue(
                    "input",
                    "%s pads (%d, %d), more than the size %d of dim %d of %s (circular padding wraps around at most once)"
                    % (call.type, lo, hi, L, axis, format_shape(x)),
                )
            if mode == "constant" and L + min(lo, 0) + min(hi, 0) < 0:
                # negative pads crop first
                raise issue(
                    "nonpositive",
                    "%s pads (%d, %d), which crops more than the size %d of dim %d of %s"
                    % (call.type, lo, hi, L, axis, format_shape(x)),
                )
            size = L + lo + hi
            if size < 0:
                raise issue(
                    "nonpositive",
                    "%s pads (%d, %d), which leaves %d of dim %d of %s"
                    % (call.type, lo, hi, size, axis, format_shape(x)),
                )
            out[axis] = size
        padded = out[len(x) - m:]
        if mode in ("reflect", "replicate") and m and all(known(v) and v < 1 for v in padded):
            raise issue(
                "nonpositive",
                "%s pads %s, which leaves nothing of %s: the output would be %s"
                % (call.type, fmt_tuple(pads), format_shape(x), format_shape(tuple(out))),
            )
        if mode == "circular":
            _circular_overlap(call, x, pads, out)
        return [tuple(out)]

    return finish(call, 0, compute)


for _n in (1, 2, 3):
    treg("ZeroPad%dd" % _n, signature=("padding",))(lambda call, n=_n: _pad(call, n, "constant"))
    treg("ConstantPad%dd" % _n, signature=("padding", "value"))(lambda call, n=_n: _pad(call, n, "constant"))
    treg("ReflectionPad%dd" % _n, signature=("padding",))(lambda call, n=_n: _pad(call, n, "reflect"))
    treg("ReplicationPad%dd" % _n, signature=("padding",))(lambda call, n=_n: _pad(call, n, "replicate"))
    treg("CircularPad%dd" % _n, signature=("padding",))(lambda call, n=_n: _pad(call, n, "circular"))
