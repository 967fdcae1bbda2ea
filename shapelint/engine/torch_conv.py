"""PyTorch convolutions and pooling: ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d``, their
``Lazy`` forms, ``MaxPool``, ``AvgPool``, ``LPPool`` and the adaptive pools.

Output sizes (per spatial axis, input ``L``):

* Conv: ``floor((L + 2p - d(k - 1) - 1) / s) + 1``; ``padding='same'`` keeps ``L`` (and
  PyTorch refuses it with a stride above 1), ``'valid'`` is ``p = 0``.  With a
  ``padding_mode`` other than ``'zeros'`` the input is first padded by ``F.pad`` (reflect:
  each pad must be smaller than ``L``; circular: at most ``L``), then convolved unpadded.
* ConvTranspose: ``(L - 1)s - 2p + d(k - 1) + output_padding + 1``; ``output_padding``
  must be smaller than the stride or the dilation; only ``padding_mode='zeros'``.  An
  output size of 0 is reported although PyTorch's oneDNN path lets it through for a batch
  of more than one (its reference kernel, used for a batch of one, rejects it).
* Pools: like Conv; with ``ceil_mode`` the division rounds up, but a last window that
  would start in the right padding is dropped.  The padding may be at most half the
  kernel.  A ``ceil_mode`` window may be larger than the input.  ``AvgPool3d`` and
  ``LPPool3d`` need each unpadded input size to be at least the kernel; ``LPPool1d``
  needs an int ``kernel_size``.
* MaxUnpool: the spatial sizes depend on forward's ``output_size`` and stay unknown.
* Adaptive pools: ``output_size`` (``None`` entries keep the input size).  An
  ``AdaptiveAvgPool2d/3d`` output of all ones is computed as a mean over the last dims
  and so accepts any rank from ``n`` (int ``output_size``) or ``n + 1`` (tuple).

Parameters: Conv ``out * in / groups * prod(k)`` (+ ``out`` bias); ConvTranspose
``in * out / groups * prod(k)`` (+ ``out`` bias).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from .registry import LayerResult, Unresolved
from .shapes import Dim, format_shape, known
from .torch_common import (
    SPATIAL,
    attempt,
    check_rank,
    finish,
    first_input,
    fmt_tuple,
    is_int,
    issue,
    one_or_tuple,
    prod,
    tbool,
    tint,
    tints,
    treg,
    value,
)

_CONV_SIG = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode")
_CONVT_SIG = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _layout(n: int) -> str:
    return "(batch, channels, %s)" % ", ".join(SPATIAL[n])


def _spatial_input(call, x, n: int) -> None:
    check_rank(call, x, (n + 1, n + 2), _layout(n))


def _window(length: Dim, k: int, s: int, lo: int, hi: int, d: int, ceil: bool = False) -> Dim:
    """Output length of a sliding window over ``length`` padded by ``lo``/``hi``.

    A symbol survives a stride-1 window that adds back exactly what it takes.
    """
    span = d * (k - 1)
    if not known(length):
        if isinstance(length, str) and s == 1 and lo + hi == span:
            return length
        return None
    num = length + lo + hi - span - 1
    if ceil:
        out = -((-num) // s) + 1
        # the last window must start inside the input or the left padding
        if (out - 1) * s >= length + lo:
            out -= 1
        return out
    return num // s + 1


def _positive(call, name: str, values: Sequence[int], what: str = "positive") -> None:
    if any(v <= 0 for v in values):
        raise issue("input", "%s needs a %s %s, but has %s=%s" % (call.type, what, name, name, one_or_tuple(values)))


# -- convolutions -------------------------------------------------------------------------


def _conv_checks(call, in_c: Optional[int], out_c: int, groups: int) -> None:
    """Construction errors of ``_ConvNd`` (``in_c`` is None for the Lazy modules)."""
    if groups <= 0:
        raise issue("in_channels", "%s needs a positive groups, but has groups=%d" % (call.type, groups))
    if in_c is not None and in_c % groups:
        raise issue(
            "in_channels",
            "%s has in_channels=%d, which is not divisible by groups=%d" % (call.type, in_c, groups),
        )
    if out_c % groups:
        raise issue(
            "in_channels",
            "%s has out_channels=%d, which is not divisible by groups=%d" % (call.type, out_c, groups),
        )


def _padding_mode(call, transposed: bool) -> Optional[str]:
    mode = attempt(lambda: value(call, "padding_mode", "zeros"))
    if mode is None:
        return None
    if mode not in _PADDING_MODES:
        raise issue("input", "%s has padding_mode=%r; PyTorch accepts only %s" % (call.type, mode, ", ".join(map(repr, _PADDING_MODES))))
    if transposed and mode != "zeros":
        raise issue("input", "%s supports only padding_mode='zeros', but has padding_mode=%r" % (call.type, mode))
    return mode


def _padding(call, n: int):
    """``'same'``, ``'valid'`` or an ``n``-tuple of ints."""
    p = value(call, "padding", 0)
    if isinstance(p, str):
        return p
    return tints(call, "padding", n, 0)


def _conv_params(call, n: int, transposed: bool, in_c: Optional[int]) -> Optional[int]:
    if in_c is None:
        return None
    out_c = tint(call, "out_channels")
    k = tints(call, "kernel_size", n)
    groups = tint(call, "groups", 1)
    bias = tbool(call, "bias", True)
    _conv_checks(call, in_c, out_c, groups)
    if transposed:
        weight = in_c * (out_c // groups) * prod(k)
    else:
        weight = out_c * (in_c // groups) * prod(k)
    return weight + (out_c if bias else 0)


def _ctor_padding_checks(call, n: int, transposed: bool) -> None:
    p = attempt(lambda: value(call, "padding", 0))
    if isinstance(p, str):
        if p not in ("same", "valid"):
            raise issue("input", "%s has padding=%r; PyTorch accepts only 'same', 'valid' or integers" % (call.type, p))
        if p == "same" and not transposed:
            s = attempt(lambda: tints(call, "stride", n, 1))
            if s is not None and any(v != 1 for v in s):
                raise issue(
                    "input",
                    "%s cannot use padding='same' with stride %s: PyTorch supports 'same' only for stride 1"
                    % (call.type, one_or_tuple(s)),
                )


def _conv_fwd(call, x, n: int, in_c: int, mode: Optional[str]):
    out_c = tint(call, "out_channels")
    k = tints(call, "kernel_size", n)
    s = tints(call, "stride", n, 1)
    d = tints(call, "dilation", n, 1)
    padding = _padding(call, n)
    if mode is None:
        raise Unresolved("padding_mode")
    _positive(call, "kernel_size", k)
    _positive(call, "stride", s)
    _positive(call, "dilation", d)
    if padding == "valid":
        pads = [(0, 0)] * n
    elif padding == "same":
        pads = []
        for i in range(n):
            total = d[i] * (k[i] - 1)
            pads.append((total // 2, total - total // 2))
    else:
        if mode == "zeros" and any(p < 0 for p in padding):
            raise issue("input", "%s has negative padding %s, which PyTorch rejects" % (call.type, one_or_tuple(padding)))
        pads = [(p, p) for p in padding]
    spatial = x[-n:]
    if mode == "reflect":
        for i, L in enumerate(spatial):
            if known(L) and max(pads[i]) >= L:
                raise issue(
                    "input",
                    "%s with padding_mode='reflect' pads %s, which must be less than the input size %d along %s of %s"
                    % (call.type, one_or_tuple(pads[i]), L, SPATIAL[n][i], format_shape(x)),
                )
    elif mode == "circular":
        for i, L in enumerate(spatial):
            if known(L) and max(pads[i]) > L:
                raise issue(
                    "input",
                    "%s with padding_mode='circular' pads %s, more than the input size %d along %s of %s "
                    "(the padding would wrap around more than once)" % (call.type, one_or_tuple(pads[i]), L, SPATIAL[n][i], format_shape(x)),
                )
    elif mode == "replicate":
        for i, L in enumerate(spatial):
            if known(L) and L + sum(pads[i]) <= 0:
                raise issue("nonpositive", "%s padding %s leaves nothing of %s" % (call.type, one_or_tuple(pads[i]), format_shape(x)))
    out_spatial = tuple(_window(L, k[i], s[i], pads[i][0], pads[i][1], d[i]) for i, L in enumerate(spatial))
    out = tuple(x[: -n - 1]) + (out_c,) + out_spatial
    if any(known(v) and v <= 0 for v in out_spatial):
        padded = tuple((L + sum(pads[i])) if known(L) else None for i, L in enumerate(spatial))
        dilated = tuple(d[i] * (k[i] - 1) + 1 for i in range(n))
        raise issue(
            "nonpositive",
            "%s kernel_size %s does not fit the input %s: the padded input is %s but the %skernel spans %s, "
            "so the output would be %s"
            % (
                call.type,
                fmt_tuple(k),
                format_shape(x),
                format_shape(padded),
                "dilated " if dilated != tuple(k) else "",
                fmt_tuple(dilated),
                format_shape(out),
            ),
        )
    return [out]


def _convt_fwd(call, x, n: int, in_c: int):
    out_c = tint(call, "out_channels")
    k = tints(call, "kernel_size", n)
    s = tints(call, "stride", n, 1)
    d = tints(call, "dilation", n, 1)
    op = tints(call, "output_padding", n, 0)
    p = value(call, "padding", 0)
    if isinstance(p, str):
        raise issue("input", "%s does not accept padding=%r: ConvTranspose takes integer padding only" % (call.type, p))
    p = tints(call, "padding", n, 0)
    _positive(call, "kernel_size", k)
    _positive(call, "stride", s)
    _positive(call, "dilation", d)
    if any(v < 0 for v in p):
        raise issue("input", "%s has negative padding %s, which PyTorch rejects" % (call.type, one_or_tuple(p)))
    for i in range(n):
        if op[i] < 0 or op[i] >= max(s[i], d[i]):
            raise issue(
                "input",
                "%s has output_padding %s, but it must be smaller than either the stride %s or the dilation %s"
                % (call.type, one_or_tuple(op), one_or_tuple(s), one_or_tuple(d)),
            )
    spatial = x[-n:]
    out_spatial = []
    for i, L in enumerate(spatial):
        grow = d[i] * (k[i] - 1) + op[i] - 2 * p[i]
        if known(L):
            out_spatial.append((L - 1) * s[i] + grow + 1)
        elif isinstance(L, str) and s[i] == 1 and grow == 0:
            out_spatial.append(L)
        else:
            out_spatial.append(None)
    out = tuple(x[: -n - 1]) + (out_c,) + tuple(out_spatial)
    if any(known(v) and v <= 0 for v in out_spatial):
        raise issue(
            "nonpositive",
            "%s with kernel_size %s, stride %s and padding %s on the input %s gives an output of %s, which is too small"
            % (call.type, one_or_tuple(k), one_or_tuple(s), one_or_tuple(p), format_shape(x), format_shape(out)),
        )
    return [out]


def _channels_check(call, x, n: int, in_c: int) -> None:
    c = x[-n - 1]
    if known(c) and c != in_c:
        raise issue(
            "in_channels",
            "%s expects %d input channels but receives %s" % (call.type, in_c, format_shape(x)),
            hint="in_channels=%d would match the %d channels at dim %d." % (c, c, len(x) - n - 1),
        )


def _conv_layer(call, n: int, transposed: bool, lazy: bool = False) -> LayerResult:
    x = first_input(call)
    if lazy:
        in_c = None
        if x is not None and len(x) in (n + 1, n + 2) and known(x[-n - 1]):
            in_c = x[-n - 1]
        if in_c is not None:
            params = _conv_params(call, n, transposed, in_c)
        else:
            params = None
            # the construction checks that do not need in_channels
            groups = attempt(lambda: tint(call, "groups", 1))
            out_c = attempt(lambda: tint(call, "out_channels"))
            if groups is not None and out_c is not None:
                _conv_checks(call, None, out_c, groups)
    else:
        in_c = tint(call, "in_channels")
        params = _conv_params(call, n, transposed, in_c)
    mode = _padding_mode(call, transposed)
    _ctor_padding_checks(call, n, transposed)

    def compute(x):
        _spatial_input(call, x, n)
        if in_c is None:
            raise Unresolved("in_channels")
        _channels_check(call, x, n, in_c)
        if transposed:
            return _convt_fwd(call, x, n, in_c)
        return _conv_fwd(call, x, n, in_c, mode)

    return finish(call, params, compute)


@treg("Conv1d", signature=_CONV_SIG)
def conv1d(call):
    return _conv_layer(call, 1, False)


@treg("Conv2d", signature=_CONV_SIG)
def conv2d(call):
    return _conv_layer(call, 2, False)


@treg("Conv3d", signature=_CONV_SIG)
def conv3d(call):
    return _conv_layer(call, 3, False)


@treg("ConvTranspose1d", signature=_CONVT_SIG)
def conv_transpose1d(call):
    return _conv_layer(call, 1, True)


@treg("ConvTranspose2d", signature=_CONVT_SIG)
def conv_transpose2d(call):
    return _conv_layer(call, 2, True)


@treg("ConvTranspose3d", signature=_CONVT_SIG)
def conv_transpose3d(call):
    return _conv_layer(call, 3, True)


@treg("LazyConv1d", signature=_CONV_SIG[1:])
def lazy_conv1d(call):
    return _conv_layer(call, 1, False, lazy=True)


@treg("LazyConv2d", signature=_CONV_SIG[1:])
def lazy_conv2d(call):
    return _conv_layer(call, 2, False, lazy=True)


@treg("LazyConv3d", signature=_CONV_SIG[1:])
def lazy_conv3d(call):
    return _conv_layer(call, 3, False, lazy=True)


@treg("LazyConvTranspose1d", signature=_CONVT_SIG[1:])
def lazy_conv_transpose1d(call):
    return _conv_layer(call, 1, True, lazy=True)


@treg("LazyConvTranspose2d", signature=_CONVT_SIG[1:])
def lazy_conv_transpose2d(call):
    return _conv_layer(call, 2, True, lazy=True)


@treg("LazyConvTranspose3d", signature=_CONVT_SIG[1:])
def lazy_conv_transpose3d(call):
    return _conv_layer(call, 3, True, lazy=True)


# -- pooling ------------------------------------------------------------------------------

_MAXPOOL_SIG = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
_AVGPOOL_SIG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")
_LPPOOL_SIG = ("norm_type", "kernel_size", "stride", "ceil_mode")


def _stride_or_kernel(call, n: int, k: Tuple[int, ...]) -> Tuple[int, ...]:
    v = value(call, "stride", None)
    if v is None or (isinstance(v, (tuple, list)) and len(v) == 0):
        return k
    return tints(call, "stride", n)


def _pool(call, n: int, kind: str) -> LayerResult:
    def compute(x):
        _spatial_input(call, x, n)
        k = tints(call, "kernel_size", n)
        s = _stride_or_kernel(call, n, k)
        if kind == "lp":
            p, d = (0,) * n, (1,) * n
        else:
            p = tints(call, "padding", n, 0)
            d = tints(call, "dilation", n, 1) if kind == "max" else (1,) * n
        ceil = tbool(call, "ceil_mode", False)
        _positive(call, "kernel_size", k)
        _positive(call, "stride", s)
        _positive(call, "dilation", d)
        if any(v < 0 for v in p):
            raise issue("input", "%s has negative padding %s, which PyTorch rejects" % (call.type, one_or_tuple(p)))
        if any(2 * p[i] > k[i] for i in range(n)):
            raise issue(
                "input",
                "%s has padding %s, but PyTorch allows at most half of kernel_size %s"
                % (call.type, one_or_tuple(p), one_or_tuple(k)),
            )
        spatial = x[-n:]
        if kind == "lp" and n == 1 and not is_int(value(call, "kernel_size")):
            # lp_pool1d multiplies by kernel_size, which fails for a tuple
            raise issue("input", "LPPool1d needs an int kernel_size, but has %r" % (value(call, "kernel_size"),))
        if n == 3 and kind in ("avg", "lp") and any(known(L) and L < k[i] for i, L in enumerate(spatial)):
            # avg_pool3d compares the unpadded input with the kernel
            raise issue(
                "nonpositive",
                "%s kernel_size %s is larger than the input %s (avg_pool3d does not count the padding here)"
                % (call.type, one_or_tuple(k), format_shape(x)),
            )
        out_spatial = tuple(_window(L, k[i], s[i], p[i], p[i], d[i], ceil) for i, L in enumerate(spatial))
        out = tuple(x[:-n]) + out_spatial
        if any(known(v) and v <= 0 for v in out_spatial):
            detail = "kernel_size %s" % one_or_tuple(k)
            if s != k:
                detail += ", stride %s" % one_or_tuple(s)
            if any(p):
                detail += ", padding %s" % one_or_tuple(p)
            if any(v != 1 for v in d):
                detail += ", dilation %s" % one_or_tuple(d)
            raise issue(
                "nonpositive",
                "%s with %s does not fit the input %s: the output would be %s"
                % (call.type, detail, format_shape(x), format_shape(out)),
            )
        if kind == "max" and tbool(call, "return_indices", False):
            return [out, out]
        return [out]

    return finish(call, 0, compute)


def _pool_family(prefix: str, kind: str, signature):
    for n in (1, 2, 3):
        def fn(call, n=n):
            return _pool(call, n, kind)

        treg("%s%dd" % (prefix, n), signature=signature)(fn)


_pool_family("MaxPool", "max", _MAXPOOL_SIG)
_pool_family("AvgPool", "avg", _AVGPOOL_SIG[:5])  # AvgPool1d has no divisor_override
_pool_family("LPPool", "lp", _LPPOOL_SIG)


def _adaptive(call, n: int, with_indices: bool) -> LayerResult:
    def compute(x):
        raw = size = value(call, "output_size")
        if is_int(size):
            size = (size,) * n
        elif isinstance(size, (tuple, list)) and len(size) == n and all(v is None or is_int(v) for v in size):
            size = tuple(size)
            if n == 1 and size[0] is None:
                raise Unresolved("output_size")
        else:
            raise Unresolved("output_size")
        if any(v is not None and v < 0 for v in size):
            raise issue("input", "%s has a negative output_size %s" % (call.type, fmt_tuple(size)))
        if call.type.startswith("AdaptiveAvgPool") and n > 1 and len(x) not in (n + 1, n + 2):
            # an output of all ones is a mean over the last n dims, whatever the rank
            if len(x) < (n if is_int(raw) else n + 1):
                _spatial_input(call, x, n)
            resolved = [x[len(x) - n + i] if v is None else v for i, v in enumerate(size)]
            if any(known(v) and v != 1 for v in resolved):
                _spatial_input(call, x, n)
            if not all(v == 1 for v in resolved):
                raise Unresolved("output_size")
        else:
            _spatial_input(call, x, n)
        spatial = x[-n:]
        out = tuple(x[:-n]) + tuple(spatial[i] if v is None else v for i, v in enumerate(size))
        if with_indices and tbool(call, "return_indices", False):
            return [out, out]
        return [out]

    return finish(call, 0, compute)


for _n in (1, 2, 3):
    treg("AdaptiveAvgPool%dd" % _n, signature=("output_size",))(lambda call, n=_n: _adaptive(call, n, False))
    treg("AdaptiveMaxPool%dd" % _n, signature=("output_size", "return_indices"))(lambda call, n=_n: _adaptive(call, n, True))


def _max_unpool(call, n: int) -> LayerResult:
    """MaxUnpool: without ``output_size`` each size becomes ``(L - 1)s - 2p + k``, but
    forward's ``output_size`` argument (usually the pre-pooling size) is not visible
    here, so the spatial sizes stay unknown; batch and channels pass through."""

    def compute(x):
        _spatial_input(call, x, n)
        tints(call, "kernel_size", n)
        return [tuple(x[:-n]) + (None,) * n]

    return finish(call, 0, compute)


for _n in (1, 2, 3):
    treg("MaxUnpool%dd" % _n, signature=("kernel_size", "stride", "padding"))(lambda call, n=_n: _max_unpool(call, n))
