"""Shapes of the PyTorch functional and tensor operations a ``forward()`` uses (torch 2.x).

The front-end describes each call as ``LayerConfig("torch_op", name, args, kwargs)`` where
every tensor is replaced by a :class:`TensorArg` marker whose ``index`` points into the
call's input shapes.  A tensor method passes the tensor itself as the first argument
(``x.view(4, -1)`` -> ``(TensorArg(0), 4, -1)``), so methods and ``torch.*`` functions share
one shape function.  Ops return ``LayerResult([shape], params=0)``; ops with several results
(``split``, ``chunk``, ``unbind``, ``max(x, dim)``, ``topk``, pooling with
``return_indices``...) return one shape per result.

A size the front-end knows only as a symbol arrives as a string (``x.view(x.size(0), -1)``
on a ``("N", 16, 5, 5)`` input passes ``("N", -1)``).  Unknown sizes (``None``) and symbols
never cause an issue by themselves; symbols survive every op that keeps the dimension.  In
element counts a symbol is taken to be positive, so ``("N", 16, 5, 5)`` viewed as
``("N", 576)`` is a certain mismatch (400 vs 576 values per index of ``N``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, List, Optional, Sequence, Tuple

from .registry import LayerCall, LayerResult, ShapeIssue, TensorArg, Unresolved, is_int, register
from .shapes import Dim, Shape, add, differ, format_dim, format_shape, known, mul, same
from .values import UNKNOWN

_MISSING = object()


def op(*names: str, signature: Sequence[str] = ("input",), multi_input: bool = False):
    return register("torch_op", *names, signature=signature, multi_input=multi_input)


def _result(*shapes: Shape) -> LayerResult:
    return LayerResult(list(shapes), params=0)


# --------------------------------------------------------------------------- arguments


def _shape_of(call: LayerCall, v: Any) -> Tuple[Dim, ...]:
    """The shape of a TensorArg; a Python number is a 0-d operand."""
    if isinstance(v, TensorArg):
        if v.index >= len(call.inputs) or call.inputs[v.index] is None:
            raise Unresolved("input %d" % v.index)
        return tuple(call.inputs[v.index])
    if isinstance(v, (int, float, complex)) and not isinstance(v, bool) or isinstance(v, bool):
        return ()
    raise Unresolved("operand")


def _tensor(call: LayerCall, name: str = "input", pos: int = 0) -> Tuple[Dim, ...]:
    """The main tensor operand (by keyword ``name`` or position ``pos``)."""
    v = call.get(name, _MISSING)
    if v is _MISSING and pos < len(call.config.args):
        v = call.config.args[pos]
    if not isinstance(v, TensorArg):
        raise Unresolved(name)
    return _shape_of(call, v)


def _index_of(call: LayerCall, name: str = "input", pos: int = 0) -> Optional[int]:
    v = call.get(name, _MISSING)
    if v is _MISSING and pos < len(call.config.args):
        v = call.config.args[pos]
    return v.index if isinstance(v, TensorArg) else None


def _int(v: Any, what: str) -> int:
    if not is_int(v):
        raise Unresolved(what)
    return v


def _varargs(call: LayerCall, first: int, *keywords: str) -> Tuple[Any, ...]:
    """Sizes given as varargs (``x.view(4, -1)``), as one sequence (``x.view((4, -1))``) or
    by keyword (``torch.reshape(x, shape=...)``)."""
    for kw in keywords:
        if kw in call.config.kwargs:
            v = call.config.kwargs[kw]
            return tuple(v) if isinstance(v, (tuple, list)) else (v,)
    rest = tuple(call.config.args[first:])
    if len(rest) == 1 and isinstance(rest[0], (tuple, list)):
        return tuple(rest[0])
    return rest


def _size_dim(v: Any, what: str) -> Dim:
    """A size argument: an int, a symbol (str) or unknown (None)."""
    if is_int(v):
        return v
    if isinstance(v, str) or v is None or v is UNKNOWN:
        return v if isinstance(v, str) else None
    raise Unresolved(what)


def _listing(shapes: Sequence[Shape]) -> str:
    parts = [format_shape(s) for s in shapes]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _wrap(
    name: str, dim: Any, shape: Tuple[Dim, ...], extra: int = 0, index: Optional[int] = 0, what: str = "dim"
) -> int:
    """``dim`` wrapped into ``[0, rank + extra)``; out of range -> a rank issue.  A 0-d tensor
    accepts dims -1 and 0 (PyTorch wraps scalars as if they had one dimension)."""
    if not is_int(dim):
        raise Unresolved(what)
    r = len(shape) + extra
    n = max(r, 1)
    if not -n <= dim < n:
        raise ShapeIssue(
            "rank",
            "%s gets %s=%d, but its input %s has %d dimension%s (%s must lie in [%d, %d])"
            % (name, what, dim, format_shape(shape), len(shape), "" if len(shape) == 1 else "s", what, -n, n - 1),
            input_index=index,
        )
    return dim % n


def _dims(name: str, dims: Any, shape: Tuple[Dim, ...], index: Optional[int] = 0) -> List[int]:
    """An int-or-sequence ``dim`` argument, wrapped; repeated dims are an issue."""
    seq = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    out = [_wrap(name, d, shape, index=index) for d in seq]
    for d in set(out):
        if out.count(d) > 1:
            raise ShapeIssue(
                "input",
                "%s gets dim %d more than once for its input %s" % (name, d, format_shape(shape)),
                input_index=index,
            )
    return out


# --------------------------------------------------------------------------- dim arithmetic


def _sym_product(dims: Sequence[Dim]) -> Dim:
    """Product of dims: an int when known, the symbol itself for (symbol x ones), else None;
    a known 0 makes it 0 whatever the rest."""
    coef, syms, unknown = _count(dims)
    if coef == 0:
        return 0
    if unknown:
        return None
    if not syms:
        return coef
    if len(syms) == 1 and coef == 1:
        return syms[0]
    return None


def _count(dims: Sequence[Dim]):
    """(int coefficient, sorted symbols, has-unknown) of a product of dims."""
    coef, syms, unknown = 1, [], False
    for d in dims:
        if known(d):
            coef *= d
        elif isinstance(d, str):
            syms.append(d)
        else:
            unknown = True
    return coef, sorted(syms), unknown


def _fmt_count(coef: int, syms: Sequence[str]) -> str:
    return "*".join(list(syms) + ([str(coef)] if coef != 1 or not syms else []))


def _merge_equal(dims: Sequence[Dim]) -> Dim:
    """The size of dims that must all be equal: a known one, else a common symbol."""
    for d in dims:
        if known(d):
            return d
    syms = {d for d in dims if isinstance(d, str)}
    if len(syms) == 1 and all(isinstance(d, str) for d in dims):
        return syms.pop()
    return next((d for d in dims if isinstance(d, str)), None) if syms else None


def _broadcast_dims(dims: Sequence[Dim]) -> Tuple[Dim, bool]:
    """One aligned axis of a broadcast: (size, ok)."""
    others = [d for d in dims if not (known(d) and d == 1)]
    if not others:
        return 1, True
    sizes = {d for d in others if known(d)}
    if len(sizes) > 1:
        return None, False
    if sizes:
        return sizes.pop(), True
    syms = set(others)
    if len(syms) == 1 and isinstance(next(iter(syms)), str):
        return next(iter(syms)), True
    return None, True


def broadcast(shapes: Sequence[Tuple[Dim, ...]]) -> Tuple[Optional[Tuple[Dim, ...]], Optional[int]]:
    """PyTorch broadcasting: (result, None), or (None, axis of the result) on a conflict."""
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(rank):
        column = [s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0]
        d, ok = _broadcast_dims(column)
        if not ok:
            return None, axis
        out.append(d)
    return tuple(out), None


def _broadcast_or_issue(name: str, shapes: Sequence[Tuple[Dim, ...]], kind: str = "merge") -> Tuple[Dim, ...]:
    out, axis = broadcast(shapes)
    if out is None:
        rank = max(len(s) for s in shapes)
        sizes = [s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0]
        sizes = sorted({d for d in sizes if known(d) and d != 1})
        raise ShapeIssue(
            kind,
            "The inputs %s do not broadcast in %s: aligned from the right, dimension %d of the result would need sizes %s at once "
            "(only equal sizes or 1 combine)" % (_listing(shapes), name, axis, " and ".join(str(d) for d in sizes)),
        )
    return out


def _same_known(a: Tuple[Dim, ...], b: Tuple[Dim, ...]) -> bool:
    """False only when the two shapes certainly differ."""
    return len(a) == len(b) and not any(differ(x, y) for x, y in zip(a, b))


# --------------------------------------------------------------------------- same shape


# fmt: off
_SAME_SHAPE = (
    "contiguous", "clone", "detach", "float", "double", "half", "bfloat16", "long", "int", "short", "bool", "byte",
    "char", "to", "cpu", "cuda", "type", "type_as", "requires_grad_", "pin_memory", "detach_", "zero_", "fill_",
    "normal_", "uniform_", "bernoulli", "bernoulli_", "random_", "exponential_", "cauchy_", "log_normal_",
    "geometric_", "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "randint_like",
    "relu", "relu_", "relu6", "gelu", "sigmoid", "sigmoid_", "tanh", "tanh_", "silu", "mish", "hardswish",
    "hardsigmoid", "hardtanh", "hardtanh_", "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu",
    "leaky_relu_", "rrelu", "rrelu_", "softplus", "softsign", "logsigmoid", "tanhshrink", "softshrink",
    "hardshrink", "threshold", "threshold_", "dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout",
    "dropout1d", "dropout2d", "dropout3d", "abs", "abs_", "absolute", "exp", "exp_", "exp2", "expm1", "log",
    "log_", "log2", "log10", "log1p", "sqrt", "sqrt_", "rsqrt", "square", "neg", "neg_", "negative", "reciprocal",
    "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc", "frac", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc", "erfinv", "sigmoid", "logit", "clamp",
    "clamp_", "clip", "clip_", "clamp_min", "clamp_max", "nan_to_num", "isnan", "isinf", "isfinite", "logical_not",
    "bitwise_not", "angle", "real", "imag", "conj", "deg2rad", "rad2deg", "digamma", "lgamma", "i0", "sinc",
    "positive", "flip", "fliplr", "flipud", "roll", "requires_grad", "retain_grad",
    "gumbel_softmax", "local_response_norm", "instance_norm", "alpha_dropout_", "silu_", "hardswish_", "mish_",
)
# fmt: on


@op(*sorted(set(_SAME_SHAPE)), signature=("input",))
def same_shape(call: LayerCall) -> LayerResult:
    """Elementwise functions, conversions and in-place fills: the input's shape."""
    return _result(_tensor(call))


@op("softmax", "log_softmax", "softmin", "cumsum", "cumprod", "logcumsumexp", signature=("input", "dim"))
def softmax_like(call: LayerCall) -> LayerResult:
    """softmax/log_softmax/softmin/cumsum/cumprod along ``dim``: the input's shape (the dim
    must exist; softmax's implicit dim=None is PyTorch's legacy choice, also same shape)."""
    x = _tensor(call)
    d = call.get("dim", None)
    if d is not None:
        _wrap(call.type, d, x)
    return _result(x)


@op("normalize", signature=("input", "p", "dim", "eps", "out"))
def normalize(call: LayerCall) -> LayerResult:
    """F.normalize(input, p=2, dim=1): the input's shape; ``dim`` must exist."""
    x = _tensor(call)
    _wrap("normalize", call.get("dim", 1), x)
    return _result(x)


@op("glu", signature=("input", "dim"))
def glu(call: LayerCall) -> LayerResult:
    """F.glu halves ``dim`` (default -1), which must have an even size."""
    x = _tensor(call)
    if len(x) == 0:
        raise ShapeIssue("rank", "glu does not support a 0-d input %s" % format_shape(x), input_index=0)
    d = _wrap("glu", call.get("dim", -1), x)
    n = x[d]
    if known(n) and n % 2:
        raise ShapeIssue(
            "input",
            "glu halves dimension %d, but its input %s has an odd size %d there" % (d, format_shape(x), n),
            input_index=0,
        )
    return _result(x[:d] + ((n // 2) if known(n) else None,) + x[d + 1 :])


@op("prelu", signature=("input", "weight"))
def prelu(call: LayerCall) -> LayerResult:
    """F.prelu(input, weight): weight holds 1 or ``channels`` (dim 1) values."""
    x = _tensor(call)
    w = _shape_of(call, call.get("weight"))
    n = _sym_product(w)
    channels = x[1] if len(x) >= 2 else 1
    if known(n) and n != 1 and differ(n, channels):
        raise ShapeIssue(
            "num_features",
            "prelu's weight %s holds %d values, but its input %s has %s channels (dimension 1)"
            % (format_shape(w), n, format_shape(x), format_dim(channels)),
            input_index=0,
        )
    return _result(x)


# --------------------------------------------------------------------------- broadcasting


# fmt: off
_BINARY = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "remainder",
    "fmod", "pow", "float_power", "maximum", "minimum", "fmax", "fmin", "atan2", "arctan2", "hypot", "copysign",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
    "bitwise_right_shift", "rsub", "xlogy", "ldexp", "nextafter", "heaviside", "where", "lerp", "addcmul",
    "addcdiv", "isclose", "masked_fill", "+", "-", "*", "/", "**", "//", "%", "&", "|", "^",
)
# fmt: on


def _operands(call: LayerCall) -> List[Tuple[Dim, ...]]:
    """The shapes of the tensor operands of an elementwise op (Python numbers are 0-d and
    change nothing)."""
    out = []
    count = 0
    for v in list(call.config.args) + [
        v for k, v in call.config.kwargs.items() if k not in ("alpha", "out", "value", "rounding_mode", "dtype")
    ]:
        if isinstance(v, TensorArg):
            out.append(_shape_of(call, v))
        elif isinstance(v, (int, float, bool, complex)):
            pass
        elif v is None:
            continue
        else:
            raise Unresolved("operand")
        count += 1
    if call.type == "where" and count < 3:
        raise Unresolved("where(condition)")  # the nonzero form: data-dependent sizes
    return out


@op(*_BINARY, signature=("input", "other"), multi_input=True)
def elementwise(call: LayerCall) -> LayerResult:
    """Binary (and ternary: where, lerp, addcmul, addcdiv) elementwise ops: the operands
    broadcast (aligned from the right, each size equal or 1)."""
    shapes = _operands(call)
    if not shapes:
        raise Unresolved("operands")
    return _result(_broadcast_or_issue(call.type, shapes))


@op(
    "add_",
    "sub_",
    "mul_",
    "div_",
    "pow_",
    "clamp_min_",
    "remainder_",
    "fmod_",
    "copy_",
    "masked_fill_",
    "masked_scatter",
    "lerp_",
    "addcmul_",
    "addcdiv_",
    signature=("input", "other"),
    multi_input=True,
)
def inplace(call: LayerCall) -> LayerResult:
    """In-place ops (and masked_fill): the other operands broadcast *into* the first one,
    whose shape the result keeps."""
    x = _tensor(call)
    others = _operands(call)[1:]
    out = _broadcast_or_issue(call.type, [x] + others)
    if len(out) != len(x) or any(differ(a, b) for a, b in zip(out, x)):
        raise ShapeIssue(
            "merge",
            "%s cannot write the broadcast shape %s of %s into its input %s"
            % (call.type, format_shape(out), _listing([x] + others), format_shape(x)),
        )
    return _result(x)


# --------------------------------------------------------------------------- joining


def _tensor_list(call: LayerCall, name: str = "tensors"):
    seq = call.get(name, _MISSING)
    if seq is _MISSING:
        raise Unresolved(name)
    if not isinstance(seq, (tuple, list)):
        raise Unresolved(name)
    if not seq:
        raise ShapeIssue("input", "%s needs a non-empty list of tensors" % call.type)
    shapes = []
    for v in seq:
        if not isinstance(v, TensorArg):
            raise Unresolved(name)
        shapes.append(call.inputs[v.index] if v.index < len(call.inputs) else None)
    return [None if s is None else tuple(s) for s in shapes]


@op("cat", "concat", "concatenate", signature=("tensors", "dim"), multi_input=True)
def cat(call: LayerCall) -> LayerResult:
    """torch.cat along ``dim`` (default 0): the same rank and the same sizes outside ``dim``;
    1-D empty tensors (size 0) are skipped, as PyTorch still allows."""
    all_shapes = _tensor_list(call)
    shapes = [s for s in all_shapes if s is None or s != (0,)]
    # a 1-D tensor of unknown size among tensors of another rank can only be an empty one
    if any(s is not None and len(s) != 1 for s in shapes):
        shapes = [s for s in shapes if s is None or len(s) != 1 or known(s[0])]
    if not shapes:
        return _result((0,))
    knowns = [s for s in shapes if s is not None]
    for s in knowns:
        if len(s) == 0:
            raise ShapeIssue(
                "rank", "%s cannot concatenate the zero-dimensional tensor %s" % (call.type, format_shape(s))
            )
    if len({len(s) for s in knowns}) > 1:
        raise ShapeIssue("concat", "%s receives tensors of different ranks: %s" % (call.type, _listing(all_shapes)))
    if not knowns:
        return _result(None)
    ref = knowns[0]
    d = _wrap(call.type, call.get("dim", 0), ref, index=None)
    for axis in range(len(ref)):
        if axis == d:
            continue
        column = [s[axis] for s in knowns]
        sizes = sorted({c for c in column if known(c)})
        if len(sizes) > 1:
            raise ShapeIssue(
                "concat",
                "%s along dim %d receives %s, whose sizes differ in dimension %d (%s), outside the concatenation dimension"
                % (call.type, d, _listing(all_shapes), axis, " vs ".join(str(c) for c in sizes)),
            )
    out = []
    for axis in range(len(ref)):
        column = [s[axis] for s in knowns]
        if axis == d:
            if len(knowns) < len(shapes):
                out.append(None)
            elif len(column) == 1:
                out.append(column[0])
            else:
                total = 0
                for c in column:
                    total = add(total, c)
                out.append(total)
        else:
            out.append(_merge_equal(column))
    return _result(tuple(out))


@op("stack", signature=("tensors", "dim"), multi_input=True)
def stack(call: LayerCall) -> LayerResult:
    """torch.stack: equal shapes, a new dimension of size len(tensors) at ``dim``."""
    shapes = _tensor_list(call)
    knowns = [s for s in shapes if s is not None]
    for s in knowns[1:]:
        if not _same_known(s, knowns[0]):
            raise ShapeIssue("concat", "stack needs tensors of equal shape, but receives %s" % _listing(shapes))
    if not knowns:
        return _result(None)
    ref = tuple(_merge_equal([s[i] for s in knowns]) for i in range(len(knowns[0])))
    d = _wrap("stack", call.get("dim", 0), ref, extra=1, index=None)
    return _result(ref[:d] + (len(shapes),) + ref[d:])


@op("hstack", "vstack", "row_stack", "dstack", "column_stack", signature=("tensors",), multi_input=True)
def hvstack(call: LayerCall) -> LayerResult:
    """hstack (cat on dim 1, dim 0 for 1-D), vstack (atleast_2d then dim 0), dstack
    (atleast_3d then dim 2), column_stack (1-D become columns, then dim 1)."""
    shapes = _tensor_list(call)
    if any(s is None for s in shapes):
        raise Unresolved("tensors")
    t = call.type
    if t == "hstack":
        prepared, d = shapes, (0 if all(len(s) == 1 for s in shapes) else 1)
    elif t in ("vstack", "row_stack"):
        prepared, d = [s if len(s) >= 2 else ((1,) + s if len(s) == 1 else (1, 1)) for s in shapes], 0
    elif t == "dstack":
        prepared = [
            s if len(s) >= 3 else ((1,) + s + (1,) if len(s) == 1 else (s + (1,) if len(s) == 2 else (1, 1, 1)))
            for s in shapes
        ]
        d = 2
    else:
        prepared, d = [s + (1,) if len(s) == 1 else (s if len(s) else (1, 1)) for s in shapes], 1
    ranks = {len(s) for s in prepared}
    if len(ranks) > 1:
        raise ShapeIssue("concat", "%s receives tensors of different ranks: %s" % (t, _listing(shapes)))
    ref = prepared[0]
    if not ref:
        raise ShapeIssue("rank", "%s cannot concatenate zero-dimensional tensors" % t)
    d = min(d, len(ref) - 1)
    for axis in range(len(ref)):
        if axis != d:
            sizes = sorted({s[axis] for s in prepared if known(s[axis])})
            if len(sizes) > 1:
                raise ShapeIssue(
                    "concat",
                    "%s receives %s, whose sizes differ in dimension %d (%s)"
                    % (t, _listing(shapes), axis, " vs ".join(map(str, sizes))),
                )
    out = []
    for axis in range(len(ref)):
        column = [s[axis] for s in prepared]
        if axis == d:
            total = 0
            for c in column:
                total = add(total, c)
            out.append(total if len(column) > 1 else column[0])
        else:
            out.append(_merge_equal(column))
    return _result(tuple(out))


# --------------------------------------------------------------------------- reshaping


@op("flatten", signature=("input", "start_dim", "end_dim"))
def flatten(call: LayerCall) -> LayerResult:
    """torch.flatten(input, start_dim=0, end_dim=-1); a 0-d input becomes (1,)."""
    x = _tensor(call)
    s = _wrap("flatten", call.get("start_dim", 0), x, what="start_dim")
    e = _wrap("flatten", call.get("end_dim", -1), x, what="end_dim")
    if len(x) == 0:
        return _result((1,))
    if s > e:
        raise ShapeIssue(
            "input",
            "flatten of %s gets start_dim %d after end_dim %d" % (format_shape(x), s, e),
            input_index=0,
        )
    return _result(x[:s] + (_sym_product(x[s : e + 1]),) + x[e + 1 :])


@op("ravel", signature=("input",))
def ravel(call: LayerCall) -> LayerResult:
    return _result((_sym_product(_tensor(call)),))


def _reshape_target(call: LayerCall, dims: Sequence[Any]) -> List[Dim]:
    out = []
    for v in dims:
        if isinstance(v, TensorArg) or isinstance(v, bool):
            raise Unresolved("shape")
        out.append(_size_dim(v, "shape"))
    return out


def reshape_shape(
    name: str, x: Tuple[Dim, ...], target: Sequence[Dim], index: int = 0, verb: str = ""
) -> Tuple[Dim, ...]:
    """``x`` reshaped to ``target`` (ints, symbols, None, one -1)."""
    verb = verb or name
    shown = "(" + ", ".join(format_dim(d) for d in target) + ("," if len(target) == 1 else "") + ")"
    for i, d in enumerate(target):
        if known(d) and d < -1:
            raise ShapeIssue(
                "reshape",
                "%s of %s as %s has the invalid size %d at index %d" % (verb, format_shape(x), shown, d, i),
                input_index=index,
            )
    inferred = [i for i, d in enumerate(target) if known(d) and d == -1]
    if len(inferred) > 1:
        raise ShapeIssue(
            "reshape",
            "%s of %s as %s has more than one -1: only one dimension can be inferred" % (verb, format_shape(x), shown),
            input_index=index,
        )
    ci, si, ui = _count(x)
    rest = [d for d in target if not (known(d) and d == -1)]
    ct, st, ut = _count(rest)
    out = list(target)
    count_x = _fmt_count(ci, si)

    def mismatch(detail=""):
        return ShapeIssue(
            "reshape",
            "%s of %s as %s changes the element count from %s to %s%s"
            % (verb, format_shape(x), shown, _fmt_count(ci, si), _fmt_count(ct, st), detail),
            input_index=index,
        )

    if inferred:
        value: Dim = None
        if ct == 0 and not ut:
            if ci == 0:
                raise ShapeIssue(
                    "reshape",
                    "%s of %s as %s is ambiguous: the -1 of a 0-element tensor could be any size"
                    % (verb, format_shape(x), shown),
                    input_index=index,
                )
            if not ui:
                raise ShapeIssue(
                    "reshape",
                    "%s of %s as %s cannot infer the -1: the other sizes hold no elements but the input holds %s"
                    % (verb, format_shape(x), shown, count_x),
                    input_index=index,
                )
        elif ci == 0 and not ut:
            value = 0
        elif not ui and not ut:
            left = Counter(si)
            left.subtract(Counter(st))
            if all(v >= 0 for v in left.values()):
                leftover = sorted(left.elements())
                if not leftover:
                    if ci % ct:
                        raise ShapeIssue(
                            "reshape",
                            "%s of %s as %s cannot infer the -1: the element count %s is not a multiple of %s"
                            % (verb, format_shape(x), shown, _fmt_count(ci, si), _fmt_count(ct, st)),
                            input_index=index,
                        )
                    value = ci // ct
                elif len(leftover) == 1 and ci == ct:
                    value = leftover[0]
        out[inferred[0]] = value
        return tuple(out)
    if ci == 0 and not ut and ct != 0 or ct == 0 and not ui and ci != 0:
        raise mismatch()
    if not ui and not ut and Counter(si) == Counter(st) and ci != ct:
        detail = ""
        if len(x) >= 2 and len(target) >= 2 and same(x[0], target[0]):
            c1, s1, _ = _count(x[1:])
            c2, s2, _ = _count(target[1:])
            if Counter(s1) == Counter(s2):
                detail = " (%s to %s per index of the first dimension)" % (_fmt_count(c1, s1), _fmt_count(c2, s2))
        raise mismatch(detail)
    return tuple(out)


@op("view", "reshape", signature=("input", "shape"))
def view(call: LayerCall) -> LayerResult:
    """view/reshape: sizes as varargs or one sequence; one -1 is inferred.  The element count
    must not change (symbols count as positive sizes)."""
    x = _tensor(call)
    target = _reshape_target(call, _varargs(call, 1, "shape", "size"))
    return _result(reshape_shape(call.type, x, target))


@op("view_as", "reshape_as", signature=("input", "other"), multi_input=True)
def view_as(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    other = _shape_of(call, call.get("other"))
    return _result(reshape_shape(call.type, x, list(other)))


@op("unflatten", signature=("input", "dim", "sizes"))
def unflatten(call: LayerCall) -> LayerResult:
    """unflatten(dim, sizes): dimension ``dim`` split into ``sizes`` (one -1 allowed)."""
    x = _tensor(call)
    d = _wrap("unflatten", call.get("dim"), x)
    sizes = call.get("sizes")
    if not isinstance(sizes, (tuple, list)) or not sizes:
        raise Unresolved("sizes")
    part = reshape_shape("unflatten", (x[d],), _reshape_target(call, sizes), verb="unflatten of dimension %d" % d)
    return _result(x[:d] + part + x[d + 1 :])


@op("permute", signature=("input", "dims"))
def permute(call: LayerCall) -> LayerResult:
    """permute(*dims): a permutation of all the input's dimensions."""
    x = _tensor(call)
    dims = _varargs(call, 1, "dims")
    if len(dims) != len(x):
        raise ShapeIssue(
            "rank",
            "permute%s names %d dimension%s, but its input %s has %d"
            % (
                tuple(dims) if len(dims) != 1 else "(%s)" % dims[0],
                len(dims),
                "" if len(dims) == 1 else "s",
                format_shape(x),
                len(x),
            ),
            input_index=0,
        )
    wrapped = [_wrap("permute", d, x) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise ShapeIssue("input", "permute%s of %s repeats a dimension" % (tuple(dims), format_shape(x)), input_index=0)
    return _result(tuple(x[d] for d in wrapped))


@op("transpose", "swapaxes", "swapdims", signature=("input", "dim0", "dim1"))
def transpose(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    a = _wrap(call.type, call.get("dim0"), x, what="dim0")
    b = _wrap(call.type, call.get("dim1"), x, what="dim1")
    if not x:
        return _result(())
    out = list(x)
    out[a], out[b] = out[b], out[a]
    return _result(tuple(out))


@op("t", signature=("input",))
def t(call: LayerCall) -> LayerResult:
    """t(): swaps the two dimensions of a 2-D tensor; 0-D and 1-D tensors are returned as is."""
    x = _tensor(call)
    if len(x) > 2:
        raise ShapeIssue(
            "rank", "t() expects a tensor with at most 2 dimensions but receives %s" % format_shape(x), input_index=0
        )
    return _result(tuple(reversed(x)))


@op("mT", "mH", "adjoint", signature=("input",))
def matrix_transpose(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    if len(x) < 2:
        raise ShapeIssue(
            "rank", "%s expects at least 2 dimensions but receives %s" % (call.type, format_shape(x)), input_index=0
        )
    return _result(x[:-2] + (x[-1], x[-2]))


@op("movedim", "moveaxis", signature=("input", "source", "destination"))
def movedim(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    src, dst = call.get("source"), call.get("destination")
    src = list(src) if isinstance(src, (tuple, list)) else [src]
    dst = list(dst) if isinstance(dst, (tuple, list)) else [dst]
    if len(src) != len(dst):
        raise ShapeIssue(
            "input", "movedim gets %d source and %d destination dims" % (len(src), len(dst)), input_index=0
        )
    s = _dims("movedim", src, x)
    d = _dims("movedim", dst, x)
    if not x:
        return _result(())
    order: List[Optional[int]] = [None] * len(x)
    for a, b in zip(s, d):
        order[b] = a
    rest = iter(i for i in range(len(x)) if i not in s)
    order = [o if o is not None else next(rest) for o in order]
    return _result(tuple(x[i] for i in order))


@op("squeeze", signature=("input", "dim"))
def squeeze(call: LayerCall) -> LayerResult:
    """squeeze(): removes every size-1 dimension (unknown whether an unknown size is 1, so the
    rank is then unknown); squeeze(dim) removes ``dim`` (int or tuple) if its size is 1."""
    x = _tensor(call)
    d = call.get("dim", None)
    if d is None:
        if any(not known(s) for s in x):
            return _result(None)
        return _result(tuple(s for s in x if s != 1))
    dims = _dims("squeeze", d, x)
    if not x:
        return _result(())
    out = []
    for i, s in enumerate(x):
        if i in dims:
            if not known(s):
                return _result(None)
            if s == 1:
                continue
        out.append(s)
    return _result(tuple(out))


@op("unsqueeze", signature=("input", "dim"))
def unsqueeze(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    d = _wrap("unsqueeze", call.get("dim"), x, extra=1)
    return _result(x[:d] + (1,) + x[d:])


def _expand(name: str, x: Tuple[Dim, ...], sizes: Sequence[Dim], index: int = 0) -> Tuple[Dim, ...]:
    if len(sizes) < len(x):
        raise ShapeIssue(
            "rank",
            "%s to %s gives fewer sizes (%d) than its input %s has dimensions (%d)"
            % (name, format_shape(tuple(sizes)), len(sizes), format_shape(x), len(x)),
            input_index=index,
        )
    lead = len(sizes) - len(x)
    out = []
    for i, s in enumerate(sizes):
        if known(s) and s < -1:
            raise ShapeIssue(
                "input", "%s to %s has the invalid size %d" % (name, format_shape(tuple(sizes)), s), input_index=index
            )
        if i < lead:
            if known(s) and s == -1:
                raise ShapeIssue(
                    "input",
                    "%s of %s to %s puts -1 in the new leading dimension %d, where it is not allowed"
                    % (name, format_shape(x), format_shape(tuple(sizes)), i),
                    input_index=index,
                )
            out.append(s)
            continue
        d = x[i - lead]
        if known(s) and s == -1:
            out.append(d)
        elif known(d) and d != 1:
            if known(s) and s != d:
                raise ShapeIssue(
                    "input",
                    "%s of %s to %s changes dimension %d from %d to %d, but only a size-1 dimension can be expanded"
                    % (name, format_shape(x), format_shape(tuple(sizes)), i, d, s),
                    input_index=index,
                )
            out.append(d)
        else:
            out.append(s)
    return tuple(out)


@op("expand", "broadcast_to", signature=("input", "size"))
def expand(call: LayerCall) -> LayerResult:
    """expand(*sizes): -1 keeps a size; only size-1 dimensions grow; new leading dims."""
    x = _tensor(call)
    sizes = _reshape_target(call, _varargs(call, 1, "size"))
    return _result(_expand(call.type, x, sizes))


@op("expand_as", signature=("input", "other"), multi_input=True)
def expand_as(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    other = _shape_of(call, call.get("other"))
    return _result(_expand("expand_as", x, list(other)))


@op("repeat", "tile", signature=("input", "repeats"))
def repeat(call: LayerCall) -> LayerResult:
    """repeat(*sizes): at least one size per dimension (new dims lead); tile pads the sizes
    with leading 1s instead."""
    x = _tensor(call)
    reps = _reshape_target(call, _varargs(call, 1, "repeats", "dims", "sizes"))
    if call.type == "tile" and len(reps) < len(x):
        reps = [1] * (len(x) - len(reps)) + list(reps)
    if len(reps) < len(x):
        raise ShapeIssue(
            "rank",
            "repeat%s gives fewer repeats (%d) than its input %s has dimensions (%d)"
            % (format_shape(tuple(reps)), len(reps), format_shape(x), len(x)),
            input_index=0,
        )
    for r in reps:
        if known(r) and r < 0:
            raise ShapeIssue(
                "input",
                "%s%s has the negative repeat count %d" % (call.type, format_shape(tuple(reps)), r),
                input_index=0,
            )
    padded = (1,) * (len(reps) - len(x)) + tuple(x)
    out = []
    for d, r in zip(padded, reps):
        if known(r) and r == 1:
            out.append(d)
        elif known(d) and d == 1:
            out.append(r)
        else:
            out.append(mul(d, r) if not (known(d) and d == 0 or known(r) and r == 0) else 0)
    return _result(tuple(out))


@op("repeat_interleave", signature=("input", "repeats", "dim", "output_size"))
def repeat_interleave(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    r = call.get("repeats")
    if not is_int(r):
        raise Unresolved("repeats")
    d = call.get("dim", None)
    if d is None:
        return _result((mul(_sym_product(x), r),))
    d = _wrap("repeat_interleave", d, x)
    if not x:
        return _result((r,))
    return _result(x[:d] + (mul(x[d], r),) + x[d + 1 :])


# --------------------------------------------------------------------------- reductions


def _reduce_shape(x: Tuple[Dim, ...], dims: Optional[List[int]], keepdim: bool) -> Tuple[Dim, ...]:
    if dims is None:
        return (1,) * len(x) if keepdim else ()
    if not x:
        return ()
    if keepdim:
        return tuple(1 if i in dims else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in dims)


def _reduce_dims(call: LayerCall, x, dim) -> Optional[List[int]]:
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return _dims(call.type, dim, x)


@op(
    "sum",
    "mean",
    "nansum",
    "nanmean",
    "amax",
    "amin",
    "all",
    "any",
    "count_nonzero",
    "argmax",
    "argmin",
    "logsumexp",
    signature=("input", "dim", "keepdim"),
)
def reduce(call: LayerCall) -> LayerResult:
    """Reductions over ``dim`` (int or tuple; none or empty = every dimension) with keepdim."""
    x = _tensor(call)
    dim = call.get("dim", None)
    if call.type in ("argmax", "argmin") and isinstance(dim, (tuple, list)):
        raise Unresolved("dim")
    if call.type == "logsumexp" and (dim is None or dim == () or dim == []):
        raise Unresolved("dim")
    keepdim = call.bool("keepdim", False)
    if call.type == "count_nonzero":
        keepdim = False
    return _result(_reduce_shape(x, _reduce_dims(call, x, dim), keepdim))


@op("prod", signature=("input", "dim", "keepdim", "dtype"))
def prod(call: LayerCall) -> LayerResult:
    """prod(input) or prod(input, dim: int, keepdim)."""
    x = _tensor(call)
    dim = call.get("dim", None)
    if dim is not None and not is_int(dim):
        raise Unresolved("dim")
    keepdim = call.bool("keepdim", False)
    return _result(
        _reduce_shape(x, None if dim is None else _dims("prod", dim, x), keepdim if dim is not None else False)
    )


@op("std", "var", signature=("input", "dim", "unbiased", "keepdim"))
def std(call: LayerCall) -> LayerResult:
    """std/var(input, dim, unbiased, keepdim); std(input, unbiased: bool) reduces everything."""
    x = _tensor(call)
    dim = call.get("dim", None)
    if isinstance(dim, bool):
        return _result(())
    keepdim = call.bool("keepdim", False)
    return _result(_reduce_shape(x, _reduce_dims(call, x, dim), keepdim))


@op("norm", signature=("input", "p", "dim", "keepdim", "dtype"))
def norm(call: LayerCall) -> LayerResult:
    """torch.norm: a vector norm over any dims, except that the default p='fro' over more
    than 2 dims and p='nuc' over other than 2 dims are matrix norms, which need exactly 2."""
    x = _tensor(call)
    dim = call.get("dim", None)
    p = call.get("p", "fro")
    keepdim = call.bool("keepdim", False)
    dims = _reduce_dims(call, x, dim)
    n = len(x) if dims is None else len(dims)
    if p == "fro" and dims is not None and n > 2 or p == "nuc" and n != 2:
        raise ShapeIssue(
            "input",
            "norm with p=%r over %d dimensions of %s is a matrix norm, which needs exactly 2 dimensions"
            % (p, n, format_shape(x)),
            input_index=0,
        )
    return _result(_reduce_shape(x, dims, keepdim))


@op("max", "min", signature=("input", "dim", "keepdim"), multi_input=True)
def max_min(call: LayerCall) -> LayerResult:
    """max(input) -> 0-d; max(input, dim, keepdim) -> [values, indices]; max(input, other)
    -> the elementwise maximum (broadcast)."""
    x = _tensor(call)
    dim = call.get("dim", None)
    other = call.get("other", None)
    if isinstance(dim, TensorArg) or isinstance(other, TensorArg):
        y = _shape_of(call, dim if isinstance(dim, TensorArg) else other)
        return _result(_broadcast_or_issue(call.type, [x, y]))
    if dim is None:
        return _result(())
    if not is_int(dim):
        raise Unresolved("dim")
    keepdim = call.bool("keepdim", False)
    out = _reduce_shape(x, _dims(call.type, dim, x), keepdim)
    return _result(out, out)


@op("median", "nanmedian", "mode", signature=("input", "dim", "keepdim"))
def median(call: LayerCall) -> LayerResult:
    """median(input) -> 0-d; median(input, dim, keepdim) -> [values, indices]; mode always
    reduces ``dim`` (default -1)."""
    x = _tensor(call)
    dim = call.get("dim", -1 if call.type == "mode" else None)
    if dim is None:
        return _result(())
    keepdim = call.bool("keepdim", False)
    out = _reduce_shape(x, _dims(call.type, dim, x), keepdim)
    return _result(out, out)


@op("topk", signature=("input", "k", "dim", "largest", "sorted"))
def topk(call: LayerCall) -> LayerResult:
    """topk(k, dim=-1) -> [values, indices] with ``k`` along dim (k <= its size)."""
    x = _tensor(call)
    k = _int(call.get("k"), "k")
    d = _wrap("topk", call.get("dim", -1), x)
    n = x[d] if x else 1
    if k < 0 or (known(n) and k > n):
        raise ShapeIssue(
            "input",
            "topk(k=%d) along dimension %d of %s selects more than its %s elements"
            % (k, d, format_shape(x), format_dim(n)),
            input_index=0,
        )
    out = x[:d] + (k,) + x[d + 1 :] if x else ()
    return _result(out, out)


@op("sort", signature=("input", "dim", "descending"))
def sort(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    _wrap("sort", call.get("dim", -1), x)
    return _result(x, x)


@op("argsort", signature=("input", "dim", "descending"))
def argsort(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    _wrap("argsort", call.get("dim", -1), x)
    return _result(x)


# --------------------------------------------------------------------------- products


def _matmul_issue(name: str, a, b, why: str, index: int = 1) -> ShapeIssue:
    return ShapeIssue("input", "%s of %s and %s: %s" % (name, format_shape(a), format_shape(b), why), input_index=index)


def matmul_shape(name: str, a: Tuple[Dim, ...], b: Tuple[Dim, ...]) -> Tuple[Dim, ...]:
    """torch.matmul: 1-D operands are promoted (and the added dim removed), batch dims broadcast."""
    if len(a) == 0 or len(b) == 0:
        raise ShapeIssue(
            "rank",
            "%s needs operands of at least 1 dimension, but receives %s and %s"
            % (name, format_shape(a), format_shape(b)),
            input_index=0 if len(a) == 0 else 1,
        )
    aa = (1,) + a if len(a) == 1 else a
    bb = b + (1,) if len(b) == 1 else b
    if differ(aa[-1], bb[-2]):
        raise _matmul_issue(
            name, a, b, "the inner dimensions %s and %s differ" % (format_dim(aa[-1]), format_dim(bb[-2]))
        )
    batch, axis = broadcast([aa[:-2], bb[:-2]])
    if batch is None:
        raise _matmul_issue(
            name,
            a,
            b,
            "the batch dimensions %s and %s do not broadcast" % (format_shape(aa[:-2]), format_shape(bb[:-2])),
        )
    out = batch
    if len(a) > 1:
        out += (aa[-2],)
    if len(b) > 1:
        out += (bb[-1],)
    return out


def _two(call: LayerCall, first: str = "input", second: str = "other"):
    a = _shape_of(call, call.get(first))
    b = _shape_of(call, call.get(second))
    return a, b


@op("matmul", "@", signature=("input", "other"), multi_input=True)
def matmul(call: LayerCall) -> LayerResult:
    a, b = _two(call)
    return _result(matmul_shape(call.type, a, b))


@op("mm", signature=("input", "mat2"), multi_input=True)
def mm(call: LayerCall) -> LayerResult:
    a, b = _two(call, "input", "mat2")
    for s, i in ((a, 0), (b, 1)):
        if len(s) != 2:
            raise ShapeIssue("rank", "mm expects 2-D matrices but receives %s" % format_shape(s), input_index=i)
    return _result(matmul_shape("mm", a, b))


@op("bmm", signature=("input", "mat2"), multi_input=True)
def bmm(call: LayerCall) -> LayerResult:
    """bmm: two 3-D batches of matrices with the same batch size (no broadcasting)."""
    a, b = _two(call, "input", "mat2")
    for s, i in ((a, 0), (b, 1)):
        if len(s) != 3:
            raise ShapeIssue(
                "rank", "bmm expects 3-D batches of matrices but receives %s" % format_shape(s), input_index=i
            )
    if differ(a[0], b[0]):
        raise _matmul_issue("bmm", a, b, "the batch sizes %s and %s differ" % (a[0], b[0]))
    if differ(a[2], b[1]):
        raise _matmul_issue("bmm", a, b, "the inner dimensions %s and %s differ" % (format_dim(a[2]), format_dim(b[1])))
    return _result((_merge_equal([a[0], b[0]]), a[1], b[2]))


@op("mv", signature=("input", "vec"), multi_input=True)
def mv(call: LayerCall) -> LayerResult:
    a, b = _two(call, "input", "vec")
    if len(a) != 2 or len(b) != 1:
        raise ShapeIssue(
            "rank",
            "mv expects a 2-D matrix and a 1-D vector but receives %s and %s" % (format_shape(a), format_shape(b)),
        )
    return _result(matmul_shape("mv", a, b))


@op("dot", "vdot", signature=("input", "tensor"), multi_input=True)
def dot(call: LayerCall) -> LayerResult:
    a, b = _two(call, "input", "tensor")
    if len(a) != 1 or len(b) != 1:
        raise ShapeIssue(
            "rank", "%s expects two 1-D tensors but receives %s and %s" % (call.type, format_shape(a), format_shape(b))
        )
    if differ(a[0], b[0]):
        raise _matmul_issue(call.type, a, b, "the sizes %s and %s differ" % (a[0], b[0]))
    return _result(())


@op("outer", "ger", signature=("input", "vec2"), multi_input=True)
def outer(call: LayerCall) -> LayerResult:
    a, b = _two(call, "input", "vec2")
    if len(a) != 1 or len(b) != 1:
        raise ShapeIssue(
            "rank", "%s expects two 1-D tensors but receives %s and %s" % (call.type, format_shape(a), format_shape(b))
        )
    return _result((a[0], b[0]))


@op("einsum", signature=("equation", "operands"), multi_input=True)
def einsum(call: LayerCall) -> LayerResult:
    """torch.einsum(equation, *operands): every letter has one size (a size-1 operand dim
    broadcasts), '...' dims broadcast; without '->' the output is the letters used once,
    sorted."""
    eq = call.config.args[0] if call.config.args else call.config.kwargs.get("equation")
    if not isinstance(eq, str):
        raise Unresolved("equation")
    ops = list(call.config.args[1:])
    if len(ops) == 1 and isinstance(ops[0], (tuple, list)):
        ops = list(ops[0])
    shapes = [_shape_of(call, v) if isinstance(v, TensorArg) else None for v in ops]
    if any(s is None for s in shapes):
        raise Unresolved("operands")
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ShapeIssue(
            "input", "einsum equation %r names %d operands but receives %d" % (eq, len(terms), len(shapes))
        )
    sizes = {}
    ell_shapes = []
    for term, s in zip(terms, shapes):
        letters = term.replace("...", "")
        if not letters.isalpha() and letters:
            raise Unresolved("equation")
        has_ell = "..." in term
        if (len(letters) != len(s)) if not has_ell else (len(letters) > len(s)):
            raise ShapeIssue(
                "rank",
                "einsum term %r of %r has %d subscripts but its operand %s has %d dimensions"
                % (term, eq, len(letters), format_shape(s), len(s)),
            )
        if has_ell:
            before, after = term.split("...")
            n_ell = len(s) - len(before) - len(after)
            ell_shapes.append(s[len(before) : len(before) + n_ell])
            dims = list(zip(before, s[: len(before)])) + list(zip(after, s[len(s) - len(after) :] if after else ()))
        else:
            dims = list(zip(term, s))
        for letter, d in dims:
            sizes.setdefault(letter, []).append(d)
    resolved = {}
    for letter, ds in sizes.items():
        d, ok = _broadcast_dims(ds)
        if not ok:
            raise ShapeIssue(
                "input",
                "einsum %r gives subscript %r different sizes in %s (%s)"
                % (eq, letter, _listing(shapes), " vs ".join(str(x) for x in sorted({x for x in ds if known(x)}))),
            )
        resolved[letter] = d
    ell, axis = broadcast(ell_shapes) if ell_shapes else ((), None)
    if ell is None:
        raise ShapeIssue("input", "einsum %r: the '...' dimensions of %s do not broadcast" % (eq, _listing(shapes)))
    if not arrow:
        counts = Counter(lhs.replace("...", "").replace(",", ""))
        rhs = ("..." if ell_shapes else "") + "".join(sorted(c for c in counts if counts[c] == 1))
    out: List[Dim] = []
    i = 0
    while i < len(rhs):
        if rhs.startswith("...", i):
            out.extend(ell)
            i += 3
            continue
        c = rhs[i]
        if c not in resolved:
            raise ShapeIssue("input", "einsum %r: output subscript %r appears in no operand" % (eq, c))
        out.append(resolved[c])
        i += 1
    return _result(tuple(out))


@op("linear", signature=("input", "weight", "bias"), multi_input=True)
def linear(call: LayerCall) -> LayerResult:
    """F.linear(x, weight (out, in) or (in,), bias): x's last dim must be ``in``."""
    x = _tensor(call)
    w = _shape_of(call, call.get("weight"))
    if len(w) not in (1, 2):
        raise ShapeIssue("rank", "linear expects a 1-D or 2-D weight but receives %s" % format_shape(w), input_index=1)
    if not x:
        raise ShapeIssue(
            "rank", "linear expects an input of at least 1 dimension but receives %s" % format_shape(x), input_index=0
        )
    if differ(x[-1], w[-1]):
        raise ShapeIssue(
            "in_features",
            "linear with a weight of shape %s expects %s input features but receives %s"
            % (format_shape(w), format_dim(w[-1]), format_shape(x)),
            input_index=0,
        )
    out = x[:-1] + ((w[0],) if len(w) == 2 else ())
    b = call.get("bias", None)
    if isinstance(b, TensorArg):
        out = _broadcast_or_issue("linear", [out, _shape_of(call, b)], kind="input")
    return _result(out)


@op("bilinear", signature=("input1", "input2", "weight", "bias"), multi_input=True)
def bilinear(call: LayerCall) -> LayerResult:
    x1 = _tensor(call, "input1", 0)
    x2 = _shape_of(call, call.get("input2"))
    w = _shape_of(call, call.get("weight"))
    if len(w) != 3:
        raise ShapeIssue("rank", "bilinear expects a 3-D weight but receives %s" % format_shape(w), input_index=2)
    for s, want, i in ((x1, w[1], 0), (x2, w[2], 1)):
        if not s or differ(s[-1], want):
            raise ShapeIssue(
                "in_features",
                "bilinear with weight %s expects %s features but receives %s"
                % (format_shape(w), format_dim(want), format_shape(s)),
                input_index=i,
            )
    return _result(x1[:-1] + (w[0],))


@op("cdist", signature=("x1", "x2", "p"), multi_input=True)
def cdist(call: LayerCall) -> LayerResult:
    a = _tensor(call, "x1", 0)
    b = _shape_of(call, call.get("x2"))
    if len(a) < 2 or len(b) < 2:
        raise ShapeIssue(
            "rank",
            "cdist expects inputs of at least 2 dimensions but receives %s and %s" % (format_shape(a), format_shape(b)),
        )
    if differ(a[-1], b[-1]):
        raise ShapeIssue(
            "input",
            "cdist needs the same number of features, but receives %s and %s" % (format_shape(a), format_shape(b)),
        )
    batch = _broadcast_or_issue("cdist", [a[:-2], b[:-2]], kind="input")
    return _result(batch + (a[-2], b[-2]))


@op("cosine_similarity", "pairwise_distance", signature=("x1", "x2", "dim"), multi_input=True)
def cosine_similarity(call: LayerCall) -> LayerResult:
    """cosine_similarity(x1, x2, dim=1): broadcast, then ``dim`` removed; pairwise_distance
    reduces the last dim."""
    a = _tensor(call, "x1", 0)
    b = _shape_of(call, call.get("x2"))
    out = _broadcast_or_issue(call.type, [a, b])
    if call.type == "pairwise_distance":
        if call.bool("keepdim", False):
            return _result(out[:-1] + (1,) if out else ())
        return _result(out[:-1] if out else ())
    d = _wrap(call.type, call.get("dim", 1), out)
    return _result(out[:d] + out[d + 1 :] if out else ())


@op(
    "scaled_dot_product_attention",
    signature=("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale"),
    multi_input=True,
)
def sdpa(call: LayerCall) -> LayerResult:
    """F.scaled_dot_product_attention: (..., L, E) x (..., S, E) x (..., S, Ev) -> (..., L, Ev)."""
    if call.get("enable_gqa", False):
        raise Unresolved("enable_gqa")
    q = _tensor(call, "query", 0)
    k = _shape_of(call, call.get("key"))
    v = _shape_of(call, call.get("value"))
    for s, i, name in ((q, 0, "query"), (k, 1, "key"), (v, 2, "value")):
        if len(s) < 2:
            raise ShapeIssue(
                "rank",
                "scaled_dot_product_attention expects a %s of at least 2 dimensions but receives %s"
                % (name, format_shape(s)),
                input_index=i,
            )
    if differ(q[-1], k[-1]):
        raise ShapeIssue(
            "input",
            "scaled_dot_product_attention needs query and key of the same feature size, but receives %s and %s"
            % (format_shape(q), format_shape(k)),
            input_index=1,
        )
    if differ(k[-2], v[-2]):
        raise ShapeIssue(
            "input",
            "scaled_dot_product_attention needs key and value of the same length, but receives %s and %s"
            % (format_shape(k), format_shape(v)),
            input_index=2,
        )
    batch = _broadcast_or_issue("scaled_dot_product_attention", [q[:-2], k[:-2], v[:-2]], kind="input")
    return _result(batch + (q[-2], v[-1]))


# --------------------------------------------------------------------------- pooling


def _pool_input(name: str, x: Tuple[Dim, ...], n: int) -> None:
    if len(x) not in (n + 1, n + 2):
        raise ShapeIssue(
            "rank",
            "%s expects %d-D (unbatched) or %d-D input but receives %s" % (name, n + 1, n + 2, format_shape(x)),
            input_index=0,
        )


def _tuple_arg(call: LayerCall, name: str, n: int, default: Any) -> Tuple[int, ...]:
    v = call.get(name, default)
    if v is None:
        v = default
    if is_int(v):
        return (v,) * n
    if isinstance(v, (tuple, list)) and all(is_int(i) for i in v):
        if len(v) == n:
            return tuple(v)
        if len(v) == 1:
            return (v[0],) * n
    raise Unresolved(name)


def pool_length(length: Dim, k: int, s: int, p: int, d: int, ceil_mode: bool) -> Dim:
    """PyTorch's pooling_output_shape."""
    if not known(length):
        # a window that maps every size to itself keeps a symbol
        if s == 1 and 2 * p == d * (k - 1) and isinstance(length, str):
            return length
        return None
    num = length + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= length + p:
        out -= 1
    return out


def _pool(call: LayerCall, n: int, kind: str) -> LayerResult:
    name = call.type
    x = _tensor(call)
    _pool_input(name, x, n)
    k = _tuple_arg(call, "kernel_size", n, None)
    stride = call.get("stride", None)
    s = (
        k
        if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
        else _tuple_arg(call, "stride", n, None)
    )
    p = _tuple_arg(call, "padding", n, 0)
    d = _tuple_arg(call, "dilation", n, 1) if kind == "max" else (1,) * n
    ceil_mode = call.bool("ceil_mode", False)
    if any(v <= 0 for v in k):
        raise ShapeIssue("input", "%s needs a positive kernel_size, not %s" % (name, k), input_index=0)
    if any(v <= 0 for v in s):
        raise ShapeIssue("input", "%s needs a positive stride, not %s" % (name, s), input_index=0)
    if any(v <= 0 for v in d):
        raise ShapeIssue("input", "%s needs a positive dilation, not %s" % (name, d), input_index=0)
    if any(v < 0 for v in p):
        raise ShapeIssue("input", "%s needs a non-negative padding, not %s" % (name, p), input_index=0)
    for kk, pp in zip(k, p):
        if 2 * pp > kk:
            raise ShapeIssue(
                "input",
                "%s with kernel_size %s gets padding %s: the padding must be at most half of the kernel size"
                % (name, k if n > 1 else k[0], p if n > 1 else p[0]),
                input_index=0,
            )
    spatial = x[len(x) - n :]
    if kind == "avg" and n == 3:
        for i, (L, kk) in enumerate(zip(spatial, k)):
            if known(L) and L < kk:
                raise ShapeIssue(
                    "nonpositive",
                    "avg_pool3d with kernel_size %s receives %s, whose dimension %d (size %d) is smaller than the kernel "
                    "(avg_pool3d checks the unpadded size)" % (_t(k), format_shape(x), len(x) - n + i, L),
                    input_index=0,
                )
    out = []
    for i, (L, kk, ss, pp, dd) in enumerate(zip(spatial, k, s, p, d)):
        o = pool_length(L, kk, ss, pp, dd, ceil_mode)
        if known(o) and o < 1:
            raise ShapeIssue(
                "nonpositive",
                "%s with kernel_size %s, stride %s, padding %s%s receives %s, whose dimension %d (size %s) is too small: "
                "the output size would be %d"
                % (
                    name,
                    _t(k),
                    _t(s),
                    _t(p),
                    (", dilation %s" % (_t(d),)) if kind == "max" and max(d) > 1 else "",
                    format_shape(x),
                    len(x) - n + i,
                    L,
                    o,
                ),
                input_index=0,
            )
        out.append(o)
    y = x[: len(x) - n] + tuple(out)
    if kind == "max" and call.bool("return_indices", False):
        return _result(y, y)
    return _result(y)


def _t(v: Tuple[int, ...]):
    return v[0] if len(v) == 1 else v


_MAX_POOL_SIG = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
_AVG_POOL1_SIG = ("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")
_AVG_POOL_SIG = _AVG_POOL1_SIG + ("divisor_override",)


@op("max_pool1d", "max_pool1d_with_indices", signature=_MAX_POOL_SIG)
def max_pool1d(call):
    return _pool(call, 1, "max")


@op("max_pool2d", "max_pool2d_with_indices", signature=_MAX_POOL_SIG)
def max_pool2d(call):
    return _pool(call, 2, "max")


@op("max_pool3d", "max_pool3d_with_indices", signature=_MAX_POOL_SIG)
def max_pool3d(call):
    return _pool(call, 3, "max")


@op("avg_pool1d", signature=_AVG_POOL1_SIG)
def avg_pool1d(call):
    return _pool(call, 1, "avg")


@op("avg_pool2d", signature=_AVG_POOL_SIG)
def avg_pool2d(call):
    return _pool(call, 2, "avg")


@op("avg_pool3d", signature=_AVG_POOL_SIG)
def avg_pool3d(call):
    return _pool(call, 3, "avg")


def _adaptive(call: LayerCall, n: int) -> LayerResult:
    """adaptive pools; adaptive_avg_pool2d/3d accept any number of leading dims (at least
    the spatial ones), the others a (C, *spatial) or (N, C, *spatial) input."""
    name = call.type
    x = _tensor(call)
    size = call.get("output_size")
    if n > 1 and isinstance(size, (tuple, list)) and len(x) < len(size) + 1:
        raise ShapeIssue(
            "rank",
            "%s expects at least %d dimensions but receives %s" % (name, len(size) + 1, format_shape(x)),
            input_index=0,
        )
    if name.startswith("adaptive_avg") and n > 1 and len(x) not in (n + 1, n + 2):
        # an output of ones is computed as a mean over the last n dims, for any rank
        if is_int(size):
            ones = size == 1
        elif isinstance(size, (tuple, list)) and len(size) == n:
            effective = [x[len(x) - n + i] if v is None else v for i, v in enumerate(size)]
            if any(not known(v) for v in effective):
                raise Unresolved("output_size")
            ones = all(v == 1 for v in effective)
        else:
            raise Unresolved("output_size")
        if not ones or len(x) < n:
            _pool_input(name, x, n)
    else:
        _pool_input(name, x, n)
    if is_int(size):
        sizes = (size,) * n
    elif isinstance(size, (tuple, list)) and len(size) == n and n == 1 and None in size:
        raise ShapeIssue("input", "%s does not accept None in output_size" % name, input_index=0)
    elif isinstance(size, (tuple, list)) and len(size) == n and all(v is None or is_int(v) for v in size):
        sizes = tuple(size)
    elif isinstance(size, (tuple, list)) and len(size) == 1 and n > 1 and is_int(size[0]):
        sizes = (size[0],) * n
    else:
        if isinstance(size, (tuple, list)) and all(v is None or is_int(v) for v in size):
            raise ShapeIssue(
                "input", "%s needs %d output sizes but gets output_size=%s" % (name, n, tuple(size)), input_index=0
            )
        raise Unresolved("output_size")
    spatial = x[len(x) - n :]
    out = []
    for L, o in zip(spatial, sizes):
        if o is None:
            out.append(L)
        elif o < 0:
            raise ShapeIssue(
                "input", "%s needs non-negative output sizes, not %s" % (name, tuple(sizes)), input_index=0
            )
        else:
            out.append(o)
    y = x[: len(x) - n] + tuple(out)
    if name.startswith("adaptive_max") and call.bool("return_indices", False):
        return _result(y, y)
    return _result(y)


@op("adaptive_avg_pool1d", "adaptive_max_pool1d", signature=("input", "output_size", "return_indices"))
def adaptive_pool1d(call):
    return _adaptive(call, 1)


@op("adaptive_avg_pool2d", "adaptive_max_pool2d", signature=("input", "output_size", "return_indices"))
def adaptive_pool2d(call):
    return _adaptive(call, 2)


@op("adaptive_avg_pool3d", "adaptive_max_pool3d", signature=("input", "output_size", "return_indices"))
def adaptive_pool3d(call):
    return _adaptive(call, 3)


_MODE_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


@op(
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    signature=("input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"),
)
def interpolate(call: LayerCall) -> LayerResult:
    """F.interpolate on (N, C, *spatial) with 1 to 3 spatial dims: ``size`` (int or one per
    spatial dim) or ``scale_factor`` (output floor(size * scale)), exactly one of them."""
    name = call.type
    x = _tensor(call)
    mode = (
        "bilinear"
        if name == "upsample_bilinear"
        else ("nearest" if name == "upsample_nearest" else call.value("mode", "nearest"))
    )
    if not isinstance(mode, str):
        raise Unresolved("mode")
    if len(x) not in (3, 4, 5):
        raise ShapeIssue(
            "rank",
            "%s expects 3-D, 4-D or 5-D input (batch, channels, *spatial) but receives %s" % (name, format_shape(x)),
            input_index=0,
        )
    if mode in _MODE_RANK and len(x) != _MODE_RANK[mode]:
        raise ShapeIssue(
            "rank",
            "%s with mode '%s' expects %d-D input but receives %s" % (name, mode, _MODE_RANK[mode], format_shape(x)),
            input_index=0,
        )
    align = call.get("align_corners", None)
    if name == "upsample_bilinear":
        align = None
    if align is not None and mode not in _MODE_RANK:
        raise ShapeIssue(
            "input",
            "%s: align_corners can only be set with the linear modes, not mode '%s'" % (name, mode),
            input_index=0,
        )
    if call.bool("antialias", False) and mode not in ("bilinear", "bicubic"):
        raise ShapeIssue(
            "input", "%s: antialias is only supported by the bilinear and bicubic modes" % name, input_index=0
        )
    size = call.get("size", None)
    scale = call.get("scale_factor", None)
    n = len(x) - 2
    if size is not None and scale is not None:
        raise ShapeIssue("input", "%s gets both size and scale_factor; only one may be given" % name, input_index=0)
    if size is None and scale is None:
        raise ShapeIssue("input", "%s needs size or scale_factor" % name, input_index=0)
    spatial = x[2:]
    if size is not None:
        if isinstance(size, (tuple, list)):
            if len(size) != n:
                raise ShapeIssue(
                    "input",
                    "%s of %s gets size %s for its %d spatial dimension%s"
                    % (name, format_shape(x), tuple(size), n, "" if n == 1 else "s"),
                    input_index=0,
                )
            out = tuple(_size_dim(v, "size") for v in size)
        else:
            out = (_size_dim(size, "size"),) * n
    else:
        if isinstance(scale, (tuple, list)):
            if len(scale) != n:
                raise ShapeIssue(
                    "input",
                    "%s of %s gets scale_factor %s for its %d spatial dimension%s"
                    % (name, format_shape(x), tuple(scale), n, "" if n == 1 else "s"),
                    input_index=0,
                )
            scales = tuple(scale)
        else:
            scales = (scale,) * n
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in scales):
            raise Unresolved("scale_factor")
        out = tuple(
            int(math.floor(float(L) * float(sf))) if known(L) else (L if isinstance(L, str) and sf == 1 else None)
            for L, sf in zip(spatial, scales)
        )
    for i, (L, o) in enumerate(zip(spatial, out)):
        if known(o) and (o < 0 or o == 0 and mode != "area"):  # 'area' is an adaptive pool: 0 is allowed
            raise ShapeIssue(
                "nonpositive",
                "%s of %s gives spatial dimension %d the size %d: output sizes must be greater than 0"
                % (name, format_shape(x), i + 2, o),
                input_index=0,
            )
    return _result(x[:2] + out)


@op("pad", signature=("input", "pad", "mode", "value"))
def pad(call: LayerCall) -> LayerResult:
    """F.pad: ``pad`` = (left, right) pairs from the last dimension backwards; negative pads
    crop.  reflect/replicate/circular pad 1 to 3 trailing dims of a (batch, channels,
    *spatial) or unbatched input; reflect needs each pad smaller than the size, circular at
    most the size."""
    x = _tensor(call)
    pads = call.get("pad")
    if not isinstance(pads, (tuple, list)) or not all(is_int(v) for v in pads):
        raise Unresolved("pad")
    mode = call.value("mode", "constant")
    if not isinstance(mode, str):
        raise Unresolved("mode")
    if len(pads) % 2:
        raise ShapeIssue(
            "input", "pad %s has an odd length; it needs (left, right) pairs" % (tuple(pads),), input_index=0
        )
    k = len(pads) // 2
    if k > len(x):
        raise ShapeIssue(
            "rank",
            "pad %s pads %d dimensions but its input %s has only %d" % (tuple(pads), k, format_shape(x), len(x)),
            input_index=0,
        )
    if mode != "constant":
        if k not in (1, 2, 3) or len(x) not in (k + 1, k + 2):
            raise ShapeIssue(
                "rank",
                "pad with mode '%s' and %d pad values expects a %d-D or %d-D input but receives %s"
                % (mode, len(pads), k + 1, k + 2, format_shape(x)),
                input_index=0,
            )
    out = list(x)
    outs: List[Dim] = []
    for i in range(k):
        axis = len(x) - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        size = x[axis]
        if mode == "reflect" and known(size) and (left >= size or right >= size):
            raise ShapeIssue(
                "input",
                "pad with mode 'reflect' pads dimension %d of %s by (%d, %d), but reflection padding must be smaller than the size %d"
                % (axis, format_shape(x), left, right, size),
                input_index=0,
            )
        if mode == "circular" and known(size) and (left > size or right > size):
            raise ShapeIssue(
                "input",
                "pad with mode 'circular' pads dimension %d of %s by (%d, %d), more than its size %d (it would wrap around more than once)"
                % (axis, format_shape(x), left, right, size),
                input_index=0,
            )
        o = add(size, left + right)
        outs.append(o)
        if mode == "constant" and known(size) and size + min(left, 0) + min(right, 0) < 0:
            raise ShapeIssue(
                "nonpositive",
                "pad %s crops dimension %d of %s by %d, more than its size %d"
                % (tuple(pads), axis, format_shape(x), -(min(left, 0) + min(right, 0)), size),
                input_index=0,
            )
        if known(o) and o < 0:
            raise ShapeIssue(
                "nonpositive",
                "pad %s crops dimension %d of %s to the size %d" % (tuple(pads), axis, format_shape(x), o),
                input_index=0,
            )
        if left == 0 and right == 0:
            o = size
        out[axis] = o
    if mode in ("reflect", "replicate") and all(known(o) and o < 1 for o in outs):
        # PyTorch's reflection/replication kernels need one padded dim of size >= 1
        raise ShapeIssue(
            "nonpositive",
            "pad %s with mode '%s' crops every padded dimension of %s to size 0" % (tuple(pads), mode, format_shape(x)),
            input_index=0,
        )
    return _result(tuple(out))


# --------------------------------------------------------------------------- embeddings, splits


@op(
    "embedding",
    signature=("input", "weight", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"),
    multi_input=True,
)
def embedding(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    w = _shape_of(call, call.get("weight"))
    if len(w) != 2:
        raise ShapeIssue(
            "rank",
            "embedding expects a 2-D weight (num_embeddings, embedding_dim) but receives %s" % format_shape(w),
            input_index=1,
        )
    return _result(x + (w[1],))


@op("one_hot", signature=("tensor", "num_classes"))
def one_hot(call: LayerCall) -> LayerResult:
    """F.one_hot(tensor, num_classes=-1): a new last dim; -1 means max(tensor)+1 (unknown)."""
    x = _tensor(call, "tensor", 0)
    nc = call.get("num_classes", -1)
    if not is_int(nc):
        raise Unresolved("num_classes")
    return _result(x + ((nc if nc >= 0 else None),))


@op("split", signature=("tensor", "split_size_or_sections", "dim"))
def split(call: LayerCall) -> LayerResult:
    """split(int size): pieces of that size along dim (the last smaller); split(list):
    those sizes, which must add up to the dimension."""
    x = _tensor(call, "tensor", 0)
    spec = call.get("split_size_or_sections", call.get("split_size", None))
    d = _wrap("split", call.get("dim", 0), x)
    if not x:
        raise ShapeIssue("rank", "split cannot split the 0-d tensor %s" % format_shape(x), input_index=0)
    n = x[d]
    if isinstance(spec, (tuple, list)):
        if not all(is_int(v) for v in spec):
            raise Unresolved("split_size_or_sections")
        if any(v < 0 for v in spec):
            raise ShapeIssue("input", "split sizes %s include a negative size" % (list(spec),), input_index=0)
        if known(n) and sum(spec) != n:
            raise ShapeIssue(
                "input",
                "split sizes %s add up to %d, but dimension %d of %s has size %d"
                % (list(spec), sum(spec), d, format_shape(x), n),
                input_index=0,
            )
        return _result(*[x[:d] + (v,) + x[d + 1 :] for v in spec])
    if not is_int(spec):
        raise Unresolved("split_size_or_sections")
    if spec < 0:
        raise ShapeIssue("input", "split needs a non-negative split size, not %d" % spec, input_index=0)
    if not known(n):
        raise Unresolved("number of pieces")
    if spec == 0:
        if n != 0:
            raise ShapeIssue(
                "input",
                "split size 0 can only split a dimension of size 0, but %s has %d" % (format_shape(x), n),
                input_index=0,
            )
        return _result(x)
    count = max(1, -(-n // spec))
    sizes = [spec] * (count - 1) + [n - spec * (count - 1)]
    return _result(*[x[:d] + (v,) + x[d + 1 :] for v in sizes])


@op("chunk", signature=("input", "chunks", "dim"))
def chunk(call: LayerCall) -> LayerResult:
    """chunk(chunks, dim): pieces of ceil(size / chunks) -- possibly fewer than ``chunks``."""
    x = _tensor(call)
    chunks = _int(call.get("chunks"), "chunks")
    if chunks <= 0:
        raise ShapeIssue("input", "chunk needs a positive number of chunks, not %d" % chunks, input_index=0)
    d = _wrap("chunk", call.get("dim", 0), x)
    if not x:
        raise ShapeIssue("rank", "chunk cannot split the 0-d tensor %s" % format_shape(x), input_index=0)
    n = x[d]
    if not known(n):
        raise Unresolved("number of chunks")
    if n == 0:
        return _result(*[x] * chunks)
    size = -(-n // chunks)
    count = -(-n // size)
    sizes = [size] * (count - 1) + [n - size * (count - 1)]
    return _result(*[x[:d] + (v,) + x[d + 1 :] for v in sizes])


@op("tensor_split", signature=("input", "indices_or_sections", "dim"))
def tensor_split(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    spec = call.get("indices_or_sections", call.get("sections", call.get("indices")))
    d = _wrap("tensor_split", call.get("dim", 0), x)
    n = x[d] if x else None
    if is_int(spec):
        if spec <= 0:
            raise ShapeIssue("input", "tensor_split needs a positive number of sections, not %d" % spec, input_index=0)
        if not known(n):
            return _result(*[x[:d] + (None,) + x[d + 1 :]] * spec)
        q, r = divmod(n, spec)
        return _result(*[x[:d] + (q + (1 if i < r else 0),) + x[d + 1 :] for i in range(spec)])
    if isinstance(spec, (tuple, list)) and all(is_int(v) for v in spec):
        if not known(n):
            return _result(*[x[:d] + (None,) + x[d + 1 :]] * (len(spec) + 1))
        bounds = [0] + [min(max(v if v >= 0 else v + n, 0), n) for v in spec] + [n]
        return _result(*[x[:d] + (max(0, b - a),) + x[d + 1 :] for a, b in zip(bounds, bounds[1:])])
    raise Unresolved("indices_or_sections")


@op("unbind", signature=("input", "dim"))
def unbind(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    d = _wrap("unbind", call.get("dim", 0), x)
    if not x:
        raise ShapeIssue("rank", "unbind cannot split the 0-d tensor %s" % format_shape(x), input_index=0)
    n = x[d]
    if not known(n):
        raise Unresolved("number of slices")
    return _result(*[x[:d] + x[d + 1 :]] * n)


@op("narrow", signature=("input", "dim", "start", "length"))
def narrow(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    d = _wrap("narrow", call.get("dim"), x)
    start, length = call.get("start"), call.get("length")
    if not is_int(length):
        raise Unresolved("length")
    n = x[d] if x else None
    if is_int(start) and known(n):
        s = start + n if start < 0 else start
        if length < 0 or s < 0 or s + length > n:
            raise ShapeIssue(
                "input",
                "narrow(dim=%d, start=%d, length=%d) runs past dimension %d of %s (size %d)"
                % (d, start, length, d, format_shape(x), n),
                input_index=0,
            )
    return _result(x[:d] + (length,) + x[d + 1 :])


@op("select", signature=("input", "dim", "index"))
def select(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    d = _wrap("select", call.get("dim"), x)
    i = call.get("index")
    if not x:
        raise ShapeIssue("rank", "select cannot index the 0-d tensor %s" % format_shape(x), input_index=0)
    n = x[d]
    if is_int(i) and known(n) and not -n <= i < n:
        raise ShapeIssue(
            "input",
            "select index %d is out of range for dimension %d of %s (size %d)" % (i, d, format_shape(x), n),
            input_index=0,
        )
    return _result(x[:d] + x[d + 1 :])


@op("index_select", signature=("input", "dim", "index"), multi_input=True)
def index_select(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    d = _wrap("index_select", call.get("dim"), x)
    idx = _shape_of(call, call.get("index"))
    if len(idx) > 1:
        raise ShapeIssue("rank", "index_select expects a 1-D index but receives %s" % format_shape(idx), input_index=1)
    m = idx[0] if idx else 1
    if not x:
        return _result(())
    return _result(x[:d] + (m,) + x[d + 1 :])


@op("gather", "take_along_dim", signature=("input", "dim", "index"), multi_input=True)
def gather(call: LayerCall) -> LayerResult:
    """gather(input, dim, index): the index's shape (same rank as the input)."""
    x = _tensor(call)
    idx = _shape_of(call, call.get("index"))
    if call.type == "gather":
        _wrap("gather", call.get("dim"), x)
        if len(idx) != len(x) and not (len(x) <= 1 and len(idx) <= 1):
            raise ShapeIssue(
                "rank",
                "gather needs an index with the rank of its input, but receives %s and %s"
                % (format_shape(x), format_shape(idx)),
                input_index=1,
            )
        return _result(idx)
    raise Unresolved("take_along_dim")


@op(
    "scatter",
    "scatter_",
    "scatter_add",
    "scatter_add_",
    "scatter_reduce",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "masked_scatter_",
    "put_",
    "index_put_",
    signature=("input",),
)
def scatter(call: LayerCall) -> LayerResult:
    return _result(_tensor(call))


@op("masked_select", signature=("input", "mask"), multi_input=True)
def masked_select(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    m = _shape_of(call, call.get("mask"))
    _broadcast_or_issue("masked_select", [x, m])
    return _result((None,))


@op("nonzero", "argwhere", signature=("input",))
def nonzero(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    if call.get("as_tuple", False):
        return _result(*[(None,)] * max(1, len(x)))
    return _result((None, len(x)))


@op("tril", "triu", signature=("input", "diagonal"))
def tril(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    if len(x) < 2:
        raise ShapeIssue(
            "rank", "%s expects at least 2 dimensions but receives %s" % (call.type, format_shape(x)), input_index=0
        )
    return _result(x)


@op("new_zeros", "new_ones", "new_empty", signature=("input", "size"))
def new_zeros(call: LayerCall) -> LayerResult:
    return _result(tuple(_reshape_target(call, _varargs(call, 1, "size"))))


@op("new_full", signature=("input", "size", "fill_value"))
def new_full(call: LayerCall) -> LayerResult:
    size = call.get("size")
    if not isinstance(size, (tuple, list)):
        raise Unresolved("size")
    return _result(tuple(_reshape_target(call, size)))


@op("pixel_shuffle", signature=("input", "upscale_factor"))
def pixel_shuffle(call: LayerCall) -> LayerResult:
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    x = _tensor(call)
    r = _int(call.get("upscale_factor"), "upscale_factor")
    if len(x) < 3:
        raise ShapeIssue(
            "rank",
            "pixel_shuffle expects at least 3 dimensions (*, C, H, W) but receives %s" % format_shape(x),
            input_index=0,
        )
    if r <= 0:
        raise ShapeIssue("input", "pixel_shuffle needs a positive upscale_factor, not %d" % r, input_index=0)
    c = x[-3]
    if known(c) and c % (r * r):
        raise ShapeIssue(
            "input",
            "pixel_shuffle with upscale_factor %d needs channels divisible by %d, but its input %s has %d"
            % (r, r * r, format_shape(x), c),
            input_index=0,
        )
    return _result(
        x[:-3]
        + ((c // (r * r)) if known(c) else None, mul(x[-2], r) if r != 1 else x[-2], mul(x[-1], r) if r != 1 else x[-1])
    )


@op("pixel_unshuffle", signature=("input", "downscale_factor"))
def pixel_unshuffle(call: LayerCall) -> LayerResult:
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    x = _tensor(call)
    r = _int(call.get("downscale_factor"), "downscale_factor")
    if len(x) < 3:
        raise ShapeIssue(
            "rank",
            "pixel_unshuffle expects at least 3 dimensions (*, C, H, W) but receives %s" % format_shape(x),
            input_index=0,
        )
    if r <= 0:
        raise ShapeIssue("input", "pixel_unshuffle needs a positive downscale_factor, not %d" % r, input_index=0)
    for axis in (-2, -1):
        if known(x[axis]) and x[axis] % r:
            raise ShapeIssue(
                "input",
                "pixel_unshuffle with downscale_factor %d needs height and width divisible by %d, but receives %s"
                % (r, r, format_shape(x)),
                input_index=0,
            )
    if r == 1:
        return _result(x)
    h = x[-2] // r if known(x[-2]) else None
    w = x[-1] // r if known(x[-1]) else None
    return _result(x[:-3] + (mul(x[-3], r * r), h, w))


# --------------------------------------------------------------------------- convolution, norms


def _conv(call: LayerCall, n: int, transposed: bool) -> LayerResult:
    name = call.type
    x = _tensor(call)
    w = _shape_of(call, call.get("weight"))
    if len(w) != n + 2:
        raise ShapeIssue(
            "rank", "%s expects a %d-D weight but receives %s" % (name, n + 2, format_shape(w)), input_index=1
        )
    if len(x) not in (n + 1, n + 2):
        raise ShapeIssue(
            "rank",
            "%s expects %d-D (unbatched) or %d-D input but receives %s" % (name, n + 1, n + 2, format_shape(x)),
            input_index=0,
        )
    groups = _int(call.get("groups", 1), "groups")
    if groups <= 0:
        raise ShapeIssue("input", "%s needs a positive groups, not %d" % (name, groups), input_index=0)
    stride = _tuple_arg(call, "stride", n, 1)
    dilation = _tuple_arg(call, "dilation", n, 1)
    padding = call.get("padding", 0)
    c = x[-n - 1]
    kernel = w[2:]
    if transposed:
        if differ(c, w[0]):
            raise ShapeIssue(
                "in_channels",
                "%s with a weight of shape %s expects %s input channels but receives %s"
                % (name, format_shape(w), format_dim(w[0]), format_shape(x)),
                input_index=0,
            )
        out_c = mul(w[1], groups)
        if known(w[0]) and w[0] % groups:
            raise ShapeIssue(
                "input",
                "%s: the weight %s has %d input channels, not divisible by groups=%d"
                % (name, format_shape(w), w[0], groups),
                input_index=1,
            )
        p = _tuple_arg(call, "padding", n, 0)
        op_ = _tuple_arg(call, "output_padding", n, 0)
        for o, s, d in zip(op_, stride, dilation):
            if o >= s and o >= d:
                raise ShapeIssue(
                    "input",
                    "%s: output_padding %s must be smaller than the stride or the dilation" % (name, _t(op_)),
                    input_index=0,
                )
        out = []
        for i, (L, k, s, pp, d, o) in enumerate(zip(x[-n:], kernel, stride, p, dilation, op_)):
            v = (L - 1) * s - 2 * pp + d * (k - 1) + o + 1 if known(L) and known(k) else None
            if known(v) and v < 0:  # (an empty output: PyTorch's kernels disagree, so no issue)
                raise ShapeIssue(
                    "nonpositive",
                    "%s of %s gives dimension %d the size %d" % (name, format_shape(x), len(x) - n + i, v),
                    input_index=0,
                )
            out.append(v)
        return _result(x[: -n - 1] + (out_c,) + tuple(out))
    if known(w[1]) and differ(c, w[1] * groups):
        raise ShapeIssue(
            "in_channels",
            "%s with a weight of shape %s and groups=%d expects %d input channels but receives %s"
            % (name, format_shape(w), groups, w[1] * groups, format_shape(x)),
            input_index=0,
        )
    if known(w[0]) and w[0] % groups:
        raise ShapeIssue(
            "input",
            "%s: the weight %s has %d output channels, not divisible by groups=%d"
            % (name, format_shape(w), w[0], groups),
            input_index=1,
        )
    out = []
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ShapeIssue("input", "%s: padding must be 'same' or 'valid', not %r" % (name, padding), input_index=0)
        if padding == "same" and max(stride) > 1:
            raise ShapeIssue(
                "input", "%s: padding='same' is not supported for strided convolutions" % name, input_index=0
            )
        p = (0,) * n
    else:
        p = _tuple_arg(call, "padding", n, 0)
    for i, (L, k, s, pp, d) in enumerate(zip(x[-n:], kernel, stride, p, dilation)):
        if padding == "same":
            out.append(L)
            continue
        if not known(L) or not known(k):
            out.append(L if isinstance(L, str) and known(k) and s == 1 and 2 * pp == d * (k - 1) else None)
            continue
        eff = d * (k - 1) + 1
        if L + 2 * pp < eff:
            raise ShapeIssue(
                "nonpositive",
                "%s with kernel %s receives %s, whose dimension %d (size %d, padded %d) is smaller than the %skernel (%d)"
                % (
                    name,
                    _t(tuple(kernel)),
                    format_shape(x),
                    len(x) - n + i,
                    L,
                    L + 2 * pp,
                    "dilated " if d > 1 else "",
                    eff,
                ),
                input_index=0,
            )
        out.append((L + 2 * pp - eff) // s + 1)
    return _result(x[: -n - 1] + (w[0],) + tuple(out))


_CONV_SIG = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_CONVT_SIG = ("input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation")


@op("conv1d", signature=_CONV_SIG, multi_input=True)
def conv1d(call):
    return _conv(call, 1, False)


@op("conv2d", signature=_CONV_SIG, multi_input=True)
def conv2d(call):
    return _conv(call, 2, False)


@op("conv3d", signature=_CONV_SIG, multi_input=True)
def conv3d(call):
    return _conv(call, 3, False)


@op("conv_transpose1d", signature=_CONVT_SIG, multi_input=True)
def conv_transpose1d(call):
    return _conv(call, 1, True)


@op("conv_transpose2d", signature=_CONVT_SIG, multi_input=True)
def conv_transpose2d(call):
    return _conv(call, 2, True)


@op("conv_transpose3d", signature=_CONVT_SIG, multi_input=True)
def conv_transpose3d(call):
    return _conv(call, 3, True)


@op("layer_norm", "rms_norm", signature=("input", "normalized_shape", "weight", "bias", "eps"), multi_input=True)
def layer_norm(call: LayerCall) -> LayerResult:
    """F.layer_norm: the input's trailing dims must equal normalized_shape."""
    x = _tensor(call)
    ns = call.get("normalized_shape")
    if is_int(ns):
        ns = (ns,)
    if not isinstance(ns, (tuple, list)):
        raise Unresolved("normalized_shape")
    ns = tuple(_size_dim(v, "normalized_shape") for v in ns)
    tail = x[len(x) - len(ns) :] if len(ns) <= len(x) else None
    if tail is None or any(differ(a, b) for a, b in zip(tail, ns)):
        raise ShapeIssue(
            "num_features",
            "%s with normalized_shape %s expects input of shape (*, %s) but receives %s"
            % (call.type, list(ns), ", ".join(map(format_dim, ns)), format_shape(x)),
            input_index=0,
        )
    return _result(x)


@op(
    "batch_norm",
    signature=("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"),
    multi_input=True,
)
def batch_norm(call: LayerCall) -> LayerResult:
    """F.batch_norm: running statistics, weight and bias hold one value per channel (dim 1);
    in training mode more than one value per channel is needed."""
    x = _tensor(call)
    if len(x) < 2:
        raise ShapeIssue(
            "rank",
            "batch_norm expects at least 2-D input (batch, channels, ...) but receives %s" % format_shape(x),
            input_index=0,
        )
    c = x[1]
    for name in ("running_mean", "running_var", "weight", "bias"):
        v = call.get(name, None)
        if isinstance(v, TensorArg):
            s = _shape_of(call, v)
            n = _sym_product(s)
            if differ(n, c):
                raise ShapeIssue(
                    "num_features",
                    "batch_norm's %s %s holds %s values, but its input %s has %s channels"
                    % (name, format_shape(s), format_dim(n), format_shape(x), format_dim(c)),
                    input_index=0,
                )
    training = call.get("training", False)
    if training is True:
        per_channel = _sym_product((x[0],) + tuple(x[2:]))
        if known(per_channel) and per_channel == 1:
            raise ShapeIssue(
                "input",
                "batch_norm in training mode needs more than one value per channel but receives %s" % format_shape(x),
                input_index=0,
            )
    return _result(x)


@op("group_norm", signature=("input", "num_groups", "weight", "bias", "eps"), multi_input=True)
def group_norm(call: LayerCall) -> LayerResult:
    x = _tensor(call)
    g = _int(call.get("num_groups"), "num_groups")
    if len(x) < 2:
        raise ShapeIssue(
            "rank", "group_norm expects at least 2-D input but receives %s" % format_shape(x), input_index=0
        )
    c = x[1]
    if known(c) and (g <= 0 or c % g):
        raise ShapeIssue(
            "input",
            "group_norm with num_groups=%d needs channels divisible by it, but its input %s has %d"
            % (g, format_shape(x), c),
            input_index=0,
        )
    return _result(x)


# --------------------------------------------------------------------------- losses


def _reduction(call: LayerCall) -> str:
    r = call.value("reduction", "mean")
    if not isinstance(r, str):
        raise Unresolved("reduction")
    return r


@op(
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "soft_margin_loss",
    "kl_div",
    "poisson_nll_loss",
    signature=("input", "target"),
    multi_input=True,
)
def pointwise_loss(call: LayerCall) -> LayerResult:
    """Pointwise losses: input and target broadcast; reduction 'none' keeps that shape."""
    x = _tensor(call)
    y = _shape_of(call, call.get("target"))
    out = _broadcast_or_issue(call.type, [x, y], kind="input")
    return _result(out if _reduction(call) == "none" else ())


@op(
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    signature=("input", "target", "weight"),
    multi_input=True,
)
def bce(call: LayerCall) -> LayerResult:
    """binary_cross_entropy(_with_logits): target must have the input's exact shape."""
    x = _tensor(call)
    y = _shape_of(call, call.get("target"))
    if not _same_known(x, y):
        raise ShapeIssue(
            "input",
            "%s needs a target of the input's shape, but receives input %s and target %s"
            % (call.type, format_shape(x), format_shape(y)),
            input_index=1,
        )
    return _result(x if _reduction(call) == "none" else ())


@op("cross_entropy", "nll_loss", signature=("input", "target", "weight"), multi_input=True)
def cross_entropy(call: LayerCall) -> LayerResult:
    """cross_entropy/nll_loss: input (N, C, d1...) or (C,); target (N, d1...) of class
    indices (or, for cross_entropy, probabilities shaped like the input)."""
    x = _tensor(call)
    y = _shape_of(call, call.get("target"))
    if len(x) == 0:
        raise ShapeIssue(
            "rank",
            "%s expects an input of at least 1 dimension but receives %s" % (call.type, format_shape(x)),
            input_index=0,
        )
    if call.type == "cross_entropy" and len(y) == len(x):
        if not _same_known(x, y):
            raise ShapeIssue(
                "input",
                "cross_entropy with class probabilities needs a target shaped like the input, but receives %s and %s"
                % (format_shape(x), format_shape(y)),
                input_index=1,
            )
        per_item = x[:1] + x[2:] if len(x) >= 2 else ()
    else:
        expected = x[:1] + x[2:] if len(x) >= 2 else ()
        if len(y) != len(expected) or any(differ(a, b) for a, b in zip(y, expected)):
            raise ShapeIssue(
                "input",
                "%s with input %s expects a target of shape %s but receives %s"
                % (call.type, format_shape(x), format_shape(expected), format_shape(y)),
                input_index=1,
            )
        per_item = tuple(_merge_equal([a, b]) for a, b in zip(expected, y))
    return _result(per_item if _reduction(call) == "none" else ())


# --------------------------------------------------------------------------- indexing


def _slice_len(sl: slice, n: Dim) -> Dim:
    start, stop, step = sl.start, sl.stop, sl.step
    for v in (start, stop, step):
        if v is not None and not is_int(v):
            return None
    step = 1 if step is None else step
    if known(n):
        return len(range(*slice(start, stop, step).indices(n)))
    if start in (None, 0) and stop is None and step == 1:
        return n
    if is_int(start) and is_int(stop) and start >= 0 and 0 <= stop <= start:
        return 0
    return None


@op("getitem", "__getitem__", signature=("input", "index"))
def getitem(call: LayerCall) -> LayerResult:
    """x[index] with ints (drop a dim), slices, None (new size-1 dim), Ellipsis, and lists of
    ints (advanced indexing); tensor indices are not resolved (their dtype is unknown)."""
    x = _tensor(call)
    index = call.get("index")
    items = list(index) if isinstance(index, tuple) else [index]
    for it in items:
        if isinstance(it, TensorArg):
            raise Unresolved("tensor index")
        if isinstance(it, list) and not all(is_int(v) for v in it):
            raise Unresolved("list index")
        if not (it is None or it is Ellipsis or isinstance(it, (slice, list, bool, str)) or is_int(it)):
            raise Unresolved("index")
    if sum(1 for it in items if it is Ellipsis) > 1:
        raise Unresolved("several ellipses")  # PyTorch accepts them, with ad hoc rules
    consuming = sum(1 for it in items if not (it is None or it is Ellipsis or isinstance(it, bool)))
    if consuming > len(x):
        raise ShapeIssue(
            "rank",
            "indexing %s with %d indices is too many for a tensor of %d dimension%s"
            % (format_shape(x), consuming, len(x), "" if len(x) == 1 else "s"),
            input_index=0,
        )
    if any(it is Ellipsis for it in items):
        i = next(k for k, it in enumerate(items) if it is Ellipsis)
        items = items[:i] + [slice(None)] * (len(x) - consuming) + items[i + 1 :]
    else:
        items = items + [slice(None)] * (len(x) - consuming)
    out: List[Dim] = []
    advanced: List[Tuple[int, Dim]] = []  # (position in out, broadcast length)
    bad_list: List[Tuple[int, int, int]] = []  # list indices out of range: checked per element
    axis = 0
    for it in items:
        if it is None or isinstance(it, bool):
            out.append(1 if it is None or it else 0)
            continue
        n = x[axis]
        if isinstance(it, slice):
            if it.step is not None and is_int(it.step) and it.step <= 0:
                raise ShapeIssue("input", "slices of a tensor need a positive step, not %d" % it.step, input_index=0)
            out.append(_slice_len(it, n))
        elif isinstance(it, list):
            for v in it:
                if known(n) and not -n <= v < n:
                    bad_list.append((v, axis, n))
            advanced.append((len(out), len(it)))
            out.append(("adv",))  # placeholder
        elif is_int(it):
            if known(n) and not -n <= it < n:
                raise ShapeIssue(
                    "input",
                    "index %d is out of bounds for dimension %d of %s (size %d)" % (it, axis, format_shape(x), n),
                    input_index=0,
                )
        axis += 1
    if advanced:
        lengths = [n for _, n in advanced]
        d, ok = _broadcast_dims(lengths)
        if not ok:
            raise ShapeIssue(
                "input",
                "the list indices of %s have lengths %s that do not broadcast" % (format_shape(x), lengths),
                input_index=0,
            )
        positions = [p for p, _ in advanced]
        contiguous = positions == list(range(positions[0], positions[0] + len(positions)))
        rest = [v for v in out if v != ("adv",)]
        if contiguous:
            out = rest[: positions[0]] + [d] + rest[positions[0] :]
        else:
            out = [d] + rest
    if bad_list and all(known(d) and d > 0 for d in out):
        v, axis, n = bad_list[0]
        raise ShapeIssue(
            "input",
            "index %d is out of bounds for dimension %d of %s (size %d)" % (v, axis, format_shape(x), n),
            input_index=0,
        )
    return _result(tuple(out))
