"""PyTorch normalization modules: ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d`` (and
their ``Lazy`` forms), ``GroupNorm``, ``LayerNorm``, ``RMSNorm``, ``LocalResponseNorm``.

Parameters are the affine ``weight`` (+ ``bias`` unless ``bias=False``); the running
statistics are buffers, not parameters.  What PyTorch rejects:

* BatchNorm: ``num_features`` differing from dim 1 -- only when there is a weight or a
  running statistic to disagree with (``affine=False, track_running_stats=False`` accepts
  any channel count); a single value per channel when it must use batch statistics
  (certain only with ``track_running_stats=False``; otherwise it depends on train/eval).
  BatchNorm1d takes 2-D or 3-D input, BatchNorm2d only 4-D, BatchNorm3d only 5-D.
* InstanceNorm: unbatched input allowed; a channel mismatch is an error only with
  ``affine`` or ``track_running_stats`` (else PyTorch merely warns); a single spatial
  element is an error whenever instance statistics are used.
* GroupNorm: ``num_channels`` divisible by ``num_groups`` (construction); the input's
  dim 1 must equal ``num_channels`` with ``affine``, else only be divisible by
  ``num_groups``; one value per group is an error in train and eval alike.
* LayerNorm/RMSNorm: the trailing dims must equal ``normalized_shape``.
"""

from __future__ import annotations

from typing import Optional, Tuple

from .registry import LayerResult, Unresolved
from .shapes import format_shape, known, mul
from .torch_common import (
    SPATIAL,
    check_min_rank,
    check_rank,
    finish,
    first_input,
    fmt_tuple,
    is_int,
    issue,
    prod,
    tbool,
    tint,
    treg,
    value,
)

_BN_SIG = ("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype", "bias")
_LAZY_BN_SIG = ("eps", "momentum", "affine", "track_running_stats", "device", "dtype", "bias")


def _affine_params(call, features: Optional[int], affine_name: str, default_affine: bool) -> Optional[int]:
    affine = tbool(call, affine_name, default_affine)
    if not affine:
        return 0
    if features is None:
        return None
    return features * (2 if tbool(call, "bias", True) else 1)


def _known_product(dims) -> Optional[int]:
    return mul(*dims)


def _batch_norm(call, n: int, lazy: bool = False) -> LayerResult:
    ranks = (2, 3) if n == 1 else (n + 2,)
    x = first_input(call)
    if lazy:
        features = x[1] if (x is not None and len(x) in ranks and known(x[1])) else None
    else:
        features = tint(call, "num_features")
    params = _affine_params(call, features, "affine", True)

    def compute(x):
        if n == 1:
            layout = "(batch, channels) or (batch, channels, length)"
        else:
            layout = "(batch, channels, %s)" % ", ".join(SPATIAL[n])
        check_rank(call, x, ranks, layout, unbatched=False)
        affine = tbool(call, "affine", True)
        track = tbool(call, "track_running_stats", True)
        c = x[1]
        if features is not None and known(c) and c != features and (affine or track):
            raise issue(
                "num_features",
                "%s expects %d channels (num_features) but receives %s" % (call.type, features, format_shape(x)),
                hint="num_features=%d would match the channels at dim 1." % c,
            )
        if not track:
            values = _known_product([x[0]] + list(x[2:]))
            if values == 1:
                raise issue(
                    "input",
                    "%s without running statistics needs more than one value per channel, but receives %s"
                    % (call.type, format_shape(x)),
                )
        return [tuple(x)]

    return finish(call, params, compute)


def _instance_norm(call, n: int, lazy: bool = False) -> LayerResult:
    ranks = (n + 1, n + 2)
    x = first_input(call)
    default = lazy  # LazyInstanceNorm defaults to affine=True, track_running_stats=True
    if lazy:
        # the Lazy form reads num_features from dim 1, even of an unbatched input
        features = x[1] if (x is not None and len(x) in ranks and known(x[1])) else None
    else:
        features = tint(call, "num_features")
    params = _affine_params(call, features, "affine", default)

    def compute(x):
        check_rank(call, x, ranks, "(batch, channels, %s)" % ", ".join(SPATIAL[n]))
        affine = tbool(call, "affine", default)
        track = tbool(call, "track_running_stats", default)
        c = x[-n - 1]
        if features is not None and known(c) and c != features and (affine or track):
            raise issue(
                "num_features",
                "%s expects %d channels (num_features) but receives %s" % (call.type, features, format_shape(x)),
                hint="num_features=%d would match the channels at dim %d." % (c, len(x) - n - 1),
            )
        if not track and _known_product(x[-n:]) == 1:
            raise issue(
                "input",
                "%s needs more than one spatial element per channel, but receives %s" % (call.type, format_shape(x)),
            )
        return [tuple(x)]

    return finish(call, params, compute)


for _n in (1, 2, 3):
    treg("BatchNorm%dd" % _n, signature=_BN_SIG)(lambda call, n=_n: _batch_norm(call, n))
    treg("LazyBatchNorm%dd" % _n, signature=_LAZY_BN_SIG)(lambda call, n=_n: _batch_norm(call, n, lazy=True))
    treg("InstanceNorm%dd" % _n, signature=_BN_SIG)(lambda call, n=_n: _instance_norm(call, n))
    treg("LazyInstanceNorm%dd" % _n, signature=_LAZY_BN_SIG)(lambda call, n=_n: _instance_norm(call, n, lazy=True))


@treg("GroupNorm", signature=("num_groups", "num_channels", "eps", "affine", "device", "dtype", "bias"))
def group_norm(call):
    groups = tint(call, "num_groups")
    channels = tint(call, "num_channels")
    if groups <= 0 or channels % groups:
        raise issue(
            "num_features",
            "GroupNorm has num_channels=%d, which is not divisible by num_groups=%d" % (channels, groups),
        )
    params = _affine_params(call, channels, "affine", True)

    def compute(x):
        check_min_rank(call, x, 2, "(batch, channels, ...)")
        affine = tbool(call, "affine", True)
        c = x[1]
        if known(c) and affine and c != channels:
            raise issue(
                "num_features",
                "GroupNorm expects %d channels (num_channels) but receives %s" % (channels, format_shape(x)),
                hint="num_channels=%d would match the channels at dim 1." % c,
            )
        if known(c) and c % groups:
            raise issue(
                "num_features",
                "GroupNorm with num_groups=%d needs a channel count divisible by %d, but receives %s"
                % (groups, groups, format_shape(x)),
            )
        if known(c) and known(x[0]):
            per_group = _known_product([x[0] * c // groups] + list(x[2:]))
            if per_group == 1:
                raise issue(
                    "input",
                    "GroupNorm with num_groups=%d needs more than one value per group, but receives %s"
                    % (groups, format_shape(x)),
                )
        return [tuple(x)]

    return finish(call, params, compute)


def _normalized_shape(call) -> Tuple[int, ...]:
    v = value(call, "normalized_shape")
    if is_int(v):
        return (v,)
    if isinstance(v, (tuple, list)) and all(is_int(i) for i in v):
        return tuple(v)
    raise Unresolved("normalized_shape")


def _layer_norm(call, rms: bool) -> LayerResult:
    shape = _normalized_shape(call)
    if tbool(call, "elementwise_affine", True):
        params = prod(shape) * (1 if rms or not tbool(call, "bias", True) else 2)
    else:
        params = 0

    def compute(x):
        m = len(shape)
        if len(x) < m:
            raise issue(
                "rank",
                "%s with normalized_shape %s expects input of at least %d dimension%s ending in %s, but receives %s"
                % (call.type, fmt_tuple(shape), m, "" if m == 1 else "s", fmt_tuple(shape), format_shape(x)),
            )
        tail = x[len(x) - m:]
        if any(known(d) and d != e for d, e in zip(tail, shape)):
            raise issue(
                "num_features",
                "%s expects the input to end in %s (normalized_shape) but receives %s"
                % (call.type, fmt_tuple(shape), format_shape(x)),
            )
        return [tuple(x)]

    return finish(call, params, compute)


@treg("LayerNorm", signature=("normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype"))
def layer_norm(call):
    return _layer_norm(call, False)


@treg("RMSNorm", signature=("normalized_shape", "eps", "elementwise_affine", "device", "dtype"))
def rms_norm(call):
    return _layer_norm(call, True)


@treg("LocalResponseNorm", signature=("size", "alpha", "beta", "k"))
def local_response_norm(call):
    def compute(x):
        check_min_rank(call, x, 3, "(batch, channels, ...)")
        return [tuple(x)]

    return finish(call, 0, compute)

