"""PyTorch core modules: ``Linear``, ``Bilinear``, ``LazyLinear``, ``Identity``, the dropouts,
every activation module, ``Flatten``, ``Unflatten``, ``Embedding`` and ``EmbeddingBag``.

* Linear: any input of at least 1 dimension whose last dim is ``in_features``; weights
  ``in * out`` (+ ``out`` bias).  LazyLinear learns ``in_features`` from its first input.
* Bilinear: two inputs of the same rank and identical leading dims (no broadcasting);
  weights ``out * in1 * in2`` (+ ``out``).
* Activations keep the shape; ``GLU`` halves ``dim`` (which must be even); ``PReLU`` has
  ``num_parameters`` weights and, unless that is 1, needs dim 1 of that size (a 1-D input
  counts as one channel).  ``Softmax``/``LogSoftmax``/``Softmin`` check ``dim``.
* Embedding: any input, ``+ (embedding_dim,)``; EmbeddingBag: 2-D bags ``(B, N) -> (B, D)``
  or 1-D indices with offsets.
"""

from __future__ import annotations

from .registry import LayerResult, Unresolved
from .shapes import format_shape, known
from .torch_common import (
    attempt,
    check_min_rank,
    check_rank,
    dims_product,
    finish,
    first_input,
    fmt_tuple,
    is_int,
    is_num,
    issue,
    normalize_dim,
    tbool,
    tint,
    treg,
    value,
)

# -- Linear -------------------------------------------------------------------------------


def _features_check(call, x, expected: int, index: int = 0, which: str = "") -> None:
    last = x[-1]
    if known(last) and last != expected:
        raise issue(
            "in_features",
            "%s expects %d input features%s but receives %s" % (call.type, expected, which, format_shape(x)),
            hint="in_features=%d would match the last dimension." % last if not which else None,
            index=index,
        )


@treg("Linear", signature=("in_features", "out_features", "bias", "device", "dtype"))
def linear(call):
    fin = tint(call, "in_features")
    fout = tint(call, "out_features")
    params = fin * fout + (fout if tbool(call, "bias", True) else 0)

    def compute(x):
        check_min_rank(call, x, 1)
        _features_check(call, x, fin)
        return [tuple(x[:-1]) + (fout,)]

    return finish(call, params, compute)


@treg("LazyLinear", signature=("out_features", "bias", "device", "dtype"))
def lazy_linear(call):
    fout = tint(call, "out_features")
    bias = tbool(call, "bias", True)
    x = first_input(call)
    params = None
    if x is not None and len(x) >= 1 and known(x[-1]):
        params = x[-1] * fout + (fout if bias else 0)

    def compute(x):
        check_min_rank(call, x, 1)
        return [tuple(x[:-1]) + (fout,)]

    return finish(call, params, compute)


@treg("Bilinear", signature=("in1_features", "in2_features", "out_features", "bias", "device", "dtype"), multi_input=True)
def bilinear(call):
    in1 = tint(call, "in1_features")
    in2 = tint(call, "in2_features")
    fout = tint(call, "out_features")
    params = fout * in1 * in2 + (fout if tbool(call, "bias", True) else 0)
    x1 = first_input(call, 0)
    x2 = first_input(call, 1)
    if x1 is None or x2 is None:
        # what can be checked on one side alone
        for i, x in ((0, x1), (1, x2)):
            if x is not None:
                check_min_rank(call, x, 1, index=i)
                _features_check(call, x, (in1, in2)[i], i, " in its %s input" % ("first", "second")[i])
        return LayerResult([None], params=params)
    for i, x in ((0, x1), (1, x2)):
        check_min_rank(call, x, 1, index=i)
    if len(x1) != len(x2):
        raise issue(
            "input",
            "Bilinear needs two inputs of the same rank, but receives %s and %s" % (format_shape(x1), format_shape(x2)),
        )
    lead = []
    for a, b in zip(x1[:-1], x2[:-1]):
        if known(a) and known(b) and a != b:
            raise issue(
                "input",
                "Bilinear needs identical leading dimensions in its two inputs (no broadcasting), but receives %s and %s"
                % (format_shape(x1), format_shape(x2)),
            )
        lead.append(a if (known(a) or (a is not None and b is None)) else b)
    _features_check(call, x1, in1, 0, " in its first input")
    _features_check(call, x2, in2, 1, " in its second input")
    return LayerResult([tuple(lead) + (fout,)], params=params)


@treg("Identity")
def identity(call):
    return finish(call, 0, lambda x: [tuple(x)])


# -- dropout ------------------------------------------------------------------------------


def _dropout_p(call) -> None:
    p = attempt(lambda: value(call, "p", 0.5))
    if is_num(p) and not 0 <= p <= 1:
        raise issue("input", "%s has p=%s, but a dropout probability must lie between 0 and 1" % (call.type, p))


def _dropout(call, ranks=None) -> LayerResult:
    _dropout_p(call)

    def compute(x):
        if ranks:
            check_rank(call, x, ranks, "(batch, channels, length)")
        return [tuple(x)]

    return finish(call, 0, compute)


_DROP_SIG = ("p", "inplace")
treg("Dropout", "AlphaDropout", "Dropout2d", "Dropout3d", signature=_DROP_SIG)(lambda call: _dropout(call))
treg("Dropout1d", signature=_DROP_SIG)(lambda call: _dropout(call, ranks=(2, 3)))
# FeatureAlphaDropout needs 2 dims only in training mode, which is not known statically
treg("FeatureAlphaDropout", signature=_DROP_SIG)(lambda call: _dropout(call))

# -- activations --------------------------------------------------------------------------

_ACTIVATIONS = {
    "ReLU": ("inplace",),
    "ReLU6": ("inplace",),
    "LeakyReLU": ("negative_slope", "inplace"),
    "ELU": ("alpha", "inplace"),
    "SELU": ("inplace",),
    "CELU": ("alpha", "inplace"),
    "GELU": ("approximate",),
    "SiLU": ("inplace",),
    "Mish": ("inplace",),
    "Sigmoid": (),
    "Tanh": (),
    "Softplus": ("beta", "threshold"),
    "Hardswish": ("inplace",),
    "Hardsigmoid": ("inplace",),
    "Threshold": ("threshold", "value", "inplace"),
    "Tanhshrink": (),
    "Softsign": (),
    "Hardshrink": ("lambd",),
    "Softshrink": ("lambd",),
    "RReLU": ("lower", "upper", "inplace"),
    "LogSigmoid": (),
}


def _same(call):
    return finish(call, 0, lambda x: [tuple(x)])


for _name, _sig in _ACTIVATIONS.items():
    treg(_name, signature=_sig)(_same)


@treg("Hardtanh", signature=("min_val", "max_val", "inplace", "min_value", "max_value"))
def hardtanh(call):
    lo = attempt(lambda: value(call, "min_val", -1.0))
    hi = attempt(lambda: value(call, "max_val", 1.0))
    if is_num(lo) and is_num(hi) and call.get("min_value") is None and call.get("max_value") is None and hi <= lo:
        raise issue("input", "Hardtanh has max_val=%s, which must be greater than min_val=%s" % (hi, lo))
    return _same(call)


def _softmax(call) -> LayerResult:
    def compute(x):
        dim = value(call, "dim", None)
        if dim is not None:
            if not is_int(dim):
                raise Unresolved("dim")
            normalize_dim(call, x, dim)
        return [tuple(x)]

    return finish(call, 0, compute)


treg("Softmax", "LogSoftmax", "Softmin", signature=("dim",))(_softmax)


@treg("Softmax2d")
def softmax2d(call):
    def compute(x):
        check_rank(call, x, (3, 4), "(batch, channels, height, width)")
        return [tuple(x)]

    return finish(call, 0, compute)


@treg("GLU", signature=("dim",))
def glu(call):
    def compute(x):
        dim = tint(call, "dim", -1)
        if len(x) == 0:
            raise issue("rank", "GLU cannot halve a scalar input %s" % format_shape(x))
        axis = normalize_dim(call, x, dim)
        size = x[axis]
        if known(size) and size % 2:
            raise issue(
                "input",
                "GLU halves dimension %d, which must be even, but it has size %d in %s" % (dim, size, format_shape(x)),
            )
        out = list(x)
        out[axis] = size // 2 if known(size) else None
        return [tuple(out)]

    return finish(call, 0, compute)


@treg("PReLU", signature=("num_parameters", "init", "device", "dtype"))
def prelu(call):
    num = tint(call, "num_parameters", 1)

    def compute(x):
        if num != 1:
            if len(x) == 0:
                raise issue("rank", "PReLU with num_parameters=%d does not accept a 0-D input %s" % (num, format_shape(x)))
            c = x[1] if len(x) >= 2 else 1
            if known(c) and c != num:
                raise issue(
                    "input",
                    "PReLU has num_parameters=%d, which must equal the channel count (dim 1), but receives %s"
                    % (num, format_shape(x)),
                )
        return [tuple(x)]

    return finish(call, num, compute)


# -- Flatten / Unflatten ------------------------------------------------------------------


@treg("Flatten", signature=("start_dim", "end_dim"))
def flatten(call):
    def compute(x):
        start = tint(call, "start_dim", 1)
        end = tint(call, "end_dim", -1)
        s = normalize_dim(call, x, start, "start_dim")
        e = normalize_dim(call, x, end, "end_dim")
        if s > e:
            raise issue(
                "input",
                "Flatten has start_dim=%d after end_dim=%d for the input %s" % (start, end, format_shape(x)),
            )
        if len(x) == 0:
            return [(1,)]
        return [tuple(x[:s]) + (dims_product(x[s:e + 1]),) + tuple(x[e + 1:])]

    return finish(call, 0, compute)


@treg("Unflatten", signature=("dim", "unflattened_size"))
def unflatten(call):
    sizes = attempt(lambda: value(call, "unflattened_size"))
    if is_int(sizes):
        raise issue("input", "Unflatten needs unflattened_size as a tuple of ints, but has %d" % sizes)

    def compute(x):
        dim = tint(call, "dim")
        sz = value(call, "unflattened_size")
        if not isinstance(sz, (tuple, list)) or not all(is_int(v) for v in sz):
            raise Unresolved("unflattened_size")
        sz = tuple(sz)
        if len(x) == 0:
            raise issue("rank", "Unflatten cannot unflatten a 0-D input %s" % format_shape(x))
        axis = normalize_dim(call, x, dim)
        if not sz:
            raise issue("input", "Unflatten needs a non-empty unflattened_size")
        if sz.count(-1) > 1:
            raise issue("input", "Unflatten unflattened_size %s may contain -1 only once" % fmt_tuple(sz))
        size = x[axis]
        rest = 1
        for v in sz:
            if v != -1:
                rest *= v
        out = list(sz)
        if -1 in sz:
            i = sz.index(-1)
            if known(size):
                if rest == 0 or size % rest:
                    raise issue(
                        "reshape",
                        "Unflatten cannot split dimension %d of size %d in %s into %s"
                        % (dim, size, format_shape(x), fmt_tuple(sz)),
                    )
                out[i] = size // rest
            else:
                out[i] = None
        elif known(size) and size != rest:
            raise issue(
                "reshape",
                "Unflatten sizes %s hold %d elements, but dimension %d of %s has %d"
                % (fmt_tuple(sz), rest, dim, format_shape(x), size),
            )
        elif len(sz) == 1:
            out = [size]
        return [tuple(x[:axis]) + tuple(out) + tuple(x[axis + 1:])]

    return finish(call, 0, compute)


# -- embeddings ---------------------------------------------------------------------------


def _padding_idx(call, num: int) -> None:
    idx = attempt(lambda: value(call, "padding_idx", None))
    if is_int(idx) and not -num <= idx < num:
        raise issue(
            "input",
            "%s has padding_idx=%d, outside the %d embeddings (valid: %d to %d)" % (call.type, idx, num, -num, num - 1),
        )


@treg(
    "Embedding",
    signature=("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse", "_weight", "_freeze"),
)
def embedding(call):
    num = tint(call, "num_embeddings")
    dim = tint(call, "embedding_dim")
    _padding_idx(call, num)
    return finish(call, num * dim, lambda x: [tuple(x) + (dim,)])


@treg(
    "EmbeddingBag",
    signature=(
        "num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq", "mode", "sparse", "_weight",
        "include_last_offset", "padding_idx",
    ),
)
def embedding_bag(call):
    num = tint(call, "num_embeddings")
    dim = tint(call, "embedding_dim")
    _padding_idx(call, num)

    def compute(x):
        mode = attempt(lambda: value(call, "mode", "mean"))
        if isinstance(mode, str) and mode not in ("sum", "mean", "max"):
            raise issue("input", "EmbeddingBag has mode=%r; PyTorch accepts 'sum', 'mean' or 'max'" % mode)
        check_rank(call, x, (1, 2), "(indices with offsets, or bags of equal length)", unbatched=False)
        offsets = first_input(call, 1)
        if len(x) == 2:
            if offsets is not None:
                raise issue(
                    "input",
                    "EmbeddingBag takes no offsets with 2-D input %s (each row is a bag)" % format_shape(x),
                )
            return [(x[0], dim)]
        bags = None
        if offsets is not None:
            check_rank(call, offsets, (1,), "offsets", index=1, unbatched=False)
            if known(offsets[0]):
                bags = offsets[0] - (1 if tbool(call, "include_last_offset", False) else 0)
            elif isinstance(offsets[0], str) and not tbool(call, "include_last_offset", False):
                bags = offsets[0]
        return [(bags, dim)]

    return finish(call, num * dim, compute)
