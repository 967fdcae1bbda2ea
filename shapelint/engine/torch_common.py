"""Helpers shared by the PyTorch ``nn`` module shape functions (``torch_*`` modules).

PyTorch conventions followed throughout:

* ``params`` is the number of elements of ``module.parameters(recurse=False)``; buffers
  (BatchNorm's running statistics) are not parameters.  Parameter counts depend only on
  the constructor arguments (except for the ``Lazy*`` modules), so every shape function
  computes them first and still returns them when the input is unknown -- see
  :func:`finish`.
* Many modules accept an unbatched input (``Conv2d`` takes ``(C, H, W)`` as well as
  ``(N, C, H, W)``): the channel dimension is then counted from the end.
* An issue is raised only for what PyTorch would certainly reject: a construction error
  (``in_channels`` not divisible by ``groups``) whatever the input, a forward error only
  once the input is known.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

from .registry import LayerResult, ShapeIssue, Unresolved, register
from .shapes import Dim, format_shape, known, mul
from .values import contains_unknown

_MISSING = object()

SPATIAL = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def treg(*names: str, signature: Sequence[str] = (), multi_input: bool = False):
    """``register("torch", ...)``."""
    return register("torch", *names, signature=signature, multi_input=multi_input)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def value(call, name: str, default: Any = None) -> Any:
    v = call.get(name, default)
    if contains_unknown(v):
        raise Unresolved(name)
    return v


def tint(call, name: str, default: Any = _MISSING) -> int:
    """An int argument (required when no default is given)."""
    v = value(call, name, None if default is _MISSING else default)
    if not is_int(v):
        raise Unresolved(name)
    return v


def tbool(call, name: str, default: bool) -> bool:
    v = value(call, name, default)
    if not isinstance(v, (bool, int)):
        raise Unresolved(name)
    return bool(v)


def tnum(call, name: str, default: Any = _MISSING) -> float:
    v = value(call, name, None if default is _MISSING else default)
    if not is_num(v):
        raise Unresolved(name)
    return v


def ints_of(v: Any, n: int, name: str) -> Tuple[int, ...]:
    """PyTorch's ``_ntuple``: an int repeated ``n`` times, or a sequence of ``n`` ints."""
    if is_int(v):
        return (v,) * n
    if isinstance(v, (tuple, list)) and len(v) == n and all(is_int(i) for i in v):
        return tuple(v)
    raise Unresolved(name)


def tints(call, name: str, n: int, default: Any = _MISSING) -> Tuple[int, ...]:
    v = value(call, name, None if default is _MISSING else default)
    return ints_of(v, n, name)


def attempt(fn: Callable[[], Any]) -> Any:
    """``fn()``, or None when something it needs is unknown."""
    try:
        return fn()
    except Unresolved:
        return None


def prod(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def dims_product(dims: Sequence[Dim]) -> Dim:
    """The product of dims; a single dim (symbol included) stays itself."""
    if len(dims) == 1:
        return dims[0]
    return mul(*dims)


def fmt_tuple(values: Sequence) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def one_or_tuple(values: Sequence) -> str:
    """``3`` when every value is 3, else ``(3, 5)``."""
    if len(set(values)) == 1:
        return str(values[0])
    return fmt_tuple(values)


def describe_ranks(ranks: Sequence[int], unbatched: bool = True) -> str:
    """``3-D (unbatched) or 4-D (batched)`` / ``4-D`` / ``2-D or 3-D``."""
    ranks = sorted(set(ranks))
    if len(ranks) == 2 and unbatched and ranks[1] == ranks[0] + 1:
        return "%d-D (unbatched) or %d-D (batched)" % (ranks[0], ranks[1])
    if len(ranks) == 1:
        return "%d-D" % ranks[0]
    return ", ".join("%d-D" % r for r in ranks[:-1]) + " or %d-D" % ranks[-1]


def first_input(call, index: int = 0):
    """The shape of input ``index``, or None when unknown or missing."""
    if index < len(call.inputs):
        return call.inputs[index]
    return None


def check_rank(call, x, ranks: Sequence[int], what: str = "", index: int = 0, unbatched: bool = True) -> None:
    if len(x) not in ranks:
        raise ShapeIssue(
            "rank",
            "%s expects %s input%s but receives %s"
            % (call.type, describe_ranks(ranks, unbatched), (" " + what) if what else "", format_shape(x)),
            input_index=index,
        )


def check_min_rank(call, x, min_rank: int, what: str = "", index: int = 0) -> None:
    if len(x) < min_rank:
        raise ShapeIssue(
            "rank",
            "%s expects input of at least %d dimension%s%s but receives %s"
            % (call.type, min_rank, "" if min_rank == 1 else "s", (" " + what) if what else "", format_shape(x)),
            input_index=index,
        )


def finish(call, params: Optional[int], compute: Callable[[Tuple[Dim, ...]], List], index: int = 0) -> LayerResult:
    """The result of a module: ``params`` always, the outputs when the input is known.

    ``compute(x)`` returns the list of output shapes; it may raise :class:`ShapeIssue`
    (propagated) or :class:`Unresolved` (the outputs become unknown, ``params`` stays).
    """
    x = first_input(call, index)
    if x is None:
        return LayerResult([None], params=params)
    try:
        outputs = compute(x)
    except Unresolved:
        outputs = [None]
    return LayerResult(list(outputs), params=params)


def issue(kind: str, message: str, hint: Optional[str] = None, index: Optional[int] = None) -> ShapeIssue:
    return ShapeIssue(kind, message, hint=hint, input_index=index)


def normalize_dim(call, x, dim: int, name: str = "dim", index: int = 0) -> int:
    """A dimension index of ``x`` in ``[0, rank)``; PyTorch treats a 0-D tensor as 1-D here."""
    rank = max(len(x), 1)
    if not -rank <= dim < rank:
        raise ShapeIssue(
            "rank",
            "%s with %s=%d needs an input of at least %d dimensions, but receives %s (valid %s: %d to %d)"
            % (call.type, name, dim, (dim + 1) if dim >= 0 else -dim, format_shape(x), name, -rank, rank - 1),
            input_index=index,
        )
    return dim % rank
