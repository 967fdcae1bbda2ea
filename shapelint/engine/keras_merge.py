"""Keras merge layers (Keras 3 semantics): Concatenate, Add, Subtract, ..., Dot.

They are called on a list of tensors; ``call.inputs`` holds the list of shapes.
"""

from __future__ import annotations

from .registry import LayerResult, ShapeIssue, Unresolved, is_int, register
from .shapes import differ, format_shape, known, same


def _shapes(call):
    if not call.inputs:
        raise Unresolved("inputs")
    return [call.input(i) for i in range(len(call.inputs))]


def _listing(shapes):
    return ", ".join(format_shape(s) for s in shapes)


def _batch(call, shapes, kind):
    """The output batch dim; known batch sizes that differ are an issue."""
    sizes = [s[0] for s in shapes if len(s) and known(s[0])]
    if len(set(sizes)) > 1:
        first = sizes[0]
        index = next(i for i, s in enumerate(shapes) if len(s) and known(s[0]) and s[0] != first)
        raise ShapeIssue(
            kind,
            "%s receives inputs with different batch sizes: %s" % (call.type, _listing(shapes)),
            input_index=index,
        )
    if sizes:
        return sizes[0]
    firsts = [s[0] if len(s) else None for s in shapes]
    return firsts[0] if all(f == firsts[0] for f in firsts) else None


def _broadcast_dim(a, b):
    """Keras merge broadcasting of one axis: equal sizes or a 1; ``False`` on a conflict."""
    if known(a) and known(b):
        if a == b or b == 1:
            return a
        if a == 1:
            return b
        return False
    if same(a, b):
        return a
    if a == 1 and isinstance(b, str):
        return b
    if b == 1 and isinstance(a, str):
        return a
    return None


def _elementwise(call):
    """Add, Subtract, Multiply, Average, Maximum, Minimum.

    Keras 3 checks the inputs pairwise, left to right, on the axes after the batch axis:
    shapes are aligned on their last axes (a lower-rank input is padded with leading
    axes, as the layer does by inserting axes after the batch axis), and two sizes combine
    when they are equal or one of them is 1 (e.g. (32, 32, 1) with (32, 32, 16) gives
    (32, 32, 16), while (32, 32, 3) with (32, 32, 16) raises "Inputs have incompatible
    shapes").  An unknown size gives an unknown output size and never an issue.  Known
    batch sizes must agree.  Subtract takes exactly two inputs.
    """
    shapes = _shapes(call)
    if call.type == "Subtract" and len(shapes) != 2:
        raise ShapeIssue(
            "input",
            "Subtract takes exactly 2 inputs but receives %d: %s" % (len(shapes), _listing(shapes)),
        )
    for s in shapes:
        if len(s) == 0:
            raise Unresolved("scalar input")
    batch = _batch(call, shapes, "merge")
    out = list(shapes[0][1:])
    for index, s in enumerate(shapes[1:], start=1):
        other = list(s[1:])
        if len(other) > len(out):
            out, other = other, out
        lead = len(out) - len(other)
        merged = out[:lead]
        for k, (a, b) in enumerate(zip(out[lead:], other)):
            d = _broadcast_dim(a, b)
            if d is False:
                axis = k - len(other)
                raise ShapeIssue(
                    "merge",
                    "%s receives inputs of incompatible shapes %s: sizes %s and %s on axis %d neither match "
                    "nor broadcast (only equal sizes or 1 combine)" % (call.type, _listing(shapes), a, b, axis),
                    input_index=index,
                )
            merged.append(d)
        out = merged
    return LayerResult([(batch,) + tuple(out)])


for _name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
    register("keras", _name, signature=(), multi_input=True)(_elementwise)


@register("keras", "Concatenate", signature=("axis",), multi_input=True)
def concatenate(call):
    """Concatenate along ``axis`` (default -1).

    All inputs must have the same rank and the same sizes on every other axis (the batch
    axis included; unknown sizes are not compared).  The output takes the first input's
    sizes off the axis and the sum along it (unknown if any part is unknown).
    """
    axis = call.int("axis", -1)
    shapes = _shapes(call)
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ShapeIssue(
            "concat",
            "Concatenate(axis=%d) receives inputs of different ranks: %s" % (axis, _listing(shapes)),
            input_index=next(i for i, s in enumerate(shapes) if len(s) != len(shapes[0])),
        )
    rank = len(shapes[0])
    if not -rank <= axis < rank:
        raise ShapeIssue(
            "rank",
            "Concatenate(axis=%d) receives %d-D inputs %s, which have no axis %d" % (axis, rank, _listing(shapes), axis),
        )
    a = axis % rank
    for pos in range(rank):
        if pos == a:
            continue
        ref = None
        for index, s in enumerate(shapes):
            d = s[pos]
            if not known(d):
                continue
            if ref is None:
                ref = d
            elif d != ref:
                raise ShapeIssue(
                    "concat",
                    "Concatenate(axis=%d) receives %s, which differ on axis %d (%s vs %s); only the "
                    "concatenation axis may differ" % (axis, _listing(shapes), pos, ref, d),
                    input_index=index,
                )
    out = list(shapes[0])
    if len(shapes) > 1:
        parts = [s[a] for s in shapes]
        out[a] = sum(parts) if all(known(p) for p in parts) else None
    return LayerResult([tuple(out)])


@register("keras", "Dot", signature=("axes", "normalize"), multi_input=True)
def dot(call):
    """Dot product of two inputs along ``axes`` (an int for both, or a pair).

    A negative int counts from the end of each input separately.  The output is the first
    input without its axis followed by the second without its axis and its batch axis; a
    result with only the batch axis gets a trailing 1.  The contracted sizes must agree, and
    the batch axis cannot be contracted.
    """
    axes = call.value("axes")
    shapes = _shapes(call)
    if len(shapes) != 2:
        raise ShapeIssue("input", "Dot takes exactly 2 inputs but receives %d: %s" % (len(shapes), _listing(shapes)))
    s1, s2 = shapes
    if is_int(axes):
        pair = [axes, axes]
    elif isinstance(axes, (tuple, list)) and len(axes) == 2 and all(is_int(a) for a in axes):
        pair = list(axes)
    else:
        raise Unresolved("axes")
    norm = []
    for index, (a, s) in enumerate(zip(pair, shapes)):
        if not -len(s) <= a < len(s):
            raise ShapeIssue(
                "rank",
                "Dot(axes=%s) receives %s, and input %d %s has no axis %d" % (axes, _listing(shapes), index, format_shape(s), a),
                input_index=index,
            )
        norm.append(a % len(s))
    a1, a2 = norm
    if a1 == 0 or a2 == 0:
        raise ShapeIssue(
            "input",
            "Dot(axes=%s) cannot contract the batch axis of %s" % (axes, _listing(shapes)),
        )
    if differ(s1[0], s2[0]):
        raise ShapeIssue("input", "Dot receives inputs with different batch sizes: %s" % _listing(shapes), input_index=1)
    if differ(s1[a1], s2[a2]):
        raise ShapeIssue(
            "input",
            "Dot(axes=%s) receives %s, whose contracted sizes differ: %s (axis %d) vs %s (axis %d)"
            % (axes, _listing(shapes), s1[a1], a1, s2[a2], a2),
            input_index=1,
        )
    out = [d for i, d in enumerate(s1) if i != a1] + [d for i, d in enumerate(s2) if i not in (0, a2)]
    if len(out) == 1:
        out.append(1)
    return LayerResult([tuple(out)])
