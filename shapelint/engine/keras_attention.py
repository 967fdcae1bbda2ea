"""Keras attention layers (Keras 3 semantics): Attention, AdditiveAttention, MultiHeadAttention.

Attention and AdditiveAttention are called on one list ``[query, value]`` or
``[query, value, key]``; MultiHeadAttention is called as ``mha(query, value, key=None)``.
Either way ``call.inputs`` is ``[query, value(, key)]``.
"""

from __future__ import annotations

from .registry import LayerResult, ShapeIssue, Unresolved, is_int, register
from .shapes import differ, format_shape, known, product


def _listing(shapes):
    return ", ".join(format_shape(s) for s in shapes)


def _qvk(call):
    n = len(call.inputs)
    if n < 2 or n > 3:
        raise ShapeIssue(
            "input",
            "%s takes [query, value] or [query, value, key] but receives %d input%s: %s"
            % (call.type, n, "" if n == 1 else "s", _listing([s for s in call.inputs if s is not None])),
        )
    shapes = [call.input(i) for i in range(n)]
    q, v = shapes[0], shapes[1]
    k = shapes[2] if n == 3 else v
    return shapes, q, v, k


def _clash(a, b):
    """Two sizes that can neither be equal nor broadcast (both known, different, neither 1)."""
    return known(a) and known(b) and a != b and a != 1 and b != 1


def _check_broadcast(call, shapes, names, pairs, dims_of):
    """Sizes that the attention computation broadcasts (aligned on the right)."""
    for i, j in pairs:
        a, b = dims_of(shapes[i]), dims_of(shapes[j])
        for offset in range(1, min(len(a), len(b)) + 1):
            if _clash(a[-offset], b[-offset]):
                raise ShapeIssue(
                    "input",
                    "%s receives %s %s and %s %s, whose leading (batch) axes %s and %s cannot broadcast"
                    % (call.type, names[i], format_shape(shapes[i]), names[j], format_shape(shapes[j]), a[-offset], b[-offset]),
                    input_index=j,
                )


def _attention(call):
    """Attention (dot-product or concat scores) and AdditiveAttention (Bahdanau).

    query (batch, Tq, dim), value (batch, Tv, dv), key (batch, Tv, dim), key defaulting to
    value; the output is (batch, Tq, dv) -- Keras 3 reports ``query[:-1] + value[-1:]``.
    The query and key feature sizes must match (dot scores contract them; additive and
    concat scores add them, so a size 1 broadcasts), key and value must have the same Tv,
    and the leading axes broadcast.  Weights: Attention has a scalar ``scale`` with
    ``use_scale`` and a scalar for ``score_mode="concat"``; AdditiveAttention has a
    ``scale`` vector of the query's feature size when ``use_scale`` (default True).
    """
    if call.type == "Attention":
        score_mode = call.str("score_mode", "dot")
        if score_mode not in ("dot", "concat"):
            raise Unresolved("score_mode")
        params = int(call.bool("use_scale", False)) + int(score_mode == "concat")
        additive = score_mode == "concat"
    else:
        additive = True
        params = None
    shapes, q, v, k = _qvk(call)
    names = ["query", "value", "key"]
    for s, name in zip((q, v, k), names):
        if len(s) < 2:
            raise ShapeIssue(
                "rank",
                "%s expects %s of shape (batch, steps, features) but receives %s" % (call.type, name, format_shape(s)),
            )
    key_index = 2 if len(shapes) == 3 else 1
    qd, kd = q[-1], k[-1]
    if (differ(qd, kd) and not additive) or (additive and _clash(qd, kd)):
        raise ShapeIssue(
            "input",
            "%s compares query %s with key %s, but their feature sizes %s and %s differ"
            % (call.type, format_shape(q), format_shape(k), qd, kd),
            input_index=key_index,
        )
    if len(shapes) == 3 and differ(k[-2], v[-2]):
        raise ShapeIssue(
            "input",
            "%s receives value %s and key %s with different numbers of steps (%s vs %s)"
            % (call.type, format_shape(v), format_shape(k), v[-2], k[-2]),
            input_index=2,
        )
    _check_broadcast(call, [q, v, k], names, [(0, 2), (0, 1), (2, 1)], lambda s: s[:-2])
    if call.type == "AdditiveAttention":
        params = 0
        if call.bool("use_scale", True):
            params = qd if known(qd) else None
    return LayerResult([tuple(q[:-1]) + (v[-1],)], params=params)


register("keras", "Attention", signature=("use_scale", "score_mode", "dropout", "seed"), multi_input=True)(_attention)
register("keras", "AdditiveAttention", signature=("use_scale", "dropout"), multi_input=True)(_attention)


def _output_shape_arg(call):
    value = call.value("output_shape", None)
    if not value:
        return None
    if is_int(value):
        return (value,)
    if isinstance(value, (tuple, list)) and all(v is None or is_int(v) for v in value):
        return tuple(value)
    raise Unresolved("output_shape")


@register(
    "keras",
    "MultiHeadAttention",
    signature=(
        "num_heads",
        "key_dim",
        "value_dim",
        "dropout",
        "use_bias",
        "output_shape",
        "attention_axes",
        "sliding_window",
        "flash_attention",
        "kernel_initializer",
        "bias_initializer",
    ),
    multi_input=True,
)
def multi_head_attention(call):
    """MultiHeadAttention(num_heads H, key_dim K, value_dim V=K) on query, value, key=value.

    Output: ``query[:-1] + output_shape`` (default the query's feature size).  Weights (each
    projection with a bias when ``use_bias``): query dq*H*K (+H*K), key dk*H*K (+H*K),
    value dv*H*V (+H*V), output H*V*prod(output_shape) (+prod(output_shape)); ``use_gate``
    adds dq*H*V (+H*V).  Query, value and key share one rank (at least 3); value and key
    must agree on every axis but the last (Keras checks this when called); attention runs
    over ``attention_axes`` (default all axes between batch and features) and the other
    axes must broadcast between query, key and value.
    """
    heads = call.int("num_heads")
    key_dim = call.int("key_dim")
    value_dim = call.value("value_dim", None)
    if value_dim is None:
        value_dim = key_dim
    elif not is_int(value_dim):
        raise Unresolved("value_dim")
    use_bias = call.bool("use_bias", True)
    use_gate = call.bool("use_gate", False)
    out_shape = _output_shape_arg(call)
    axes = call.value("attention_axes", None)
    if is_int(axes):
        axes = (axes,)
    elif axes is not None and not (isinstance(axes, (tuple, list)) and all(is_int(a) for a in axes)):
        raise Unresolved("attention_axes")
    if len(call.inputs) < 2 or len(call.inputs) > 3:
        raise Unresolved("query/value/key")
    shapes, q, v, k = _qvk(call)
    names = ["query", "value", "key"]
    r = len(q)
    if r < 3:
        raise ShapeIssue(
            "rank",
            "MultiHeadAttention expects query of at least 3 dimensions (batch, steps, features) but receives %s"
            % format_shape(q),
        )
    for index, s in enumerate(shapes[1:], start=1):
        if len(s) != r:
            raise ShapeIssue(
                "rank",
                "MultiHeadAttention expects query, value and key of the same rank but receives %s"
                % ", ".join("%s %s" % (n, format_shape(x)) for n, x in zip(names, shapes)),
                input_index=index,
            )
    if len(shapes) == 3:
        for i in range(1, r - 1):
            if differ(v[i], k[i]):
                raise ShapeIssue(
                    "input",
                    "MultiHeadAttention needs value and key equal on all axes but the last, but receives "
                    "value %s and key %s" % (format_shape(v), format_shape(k)),
                    input_index=2,
                )
    if axes is None:
        attn = tuple(range(1, r - 1))
    else:
        attn = tuple(a if a >= 0 else r + a for a in axes)
        for a, given in zip(attn, axes):
            if not 1 <= a <= r - 2:
                raise ShapeIssue(
                    "input",
                    "MultiHeadAttention(attention_axes=%s) receives %d-D query %s: attention axes must lie "
                    "between the batch axis and the feature axis (1 to %d)" % (tuple(axes), r, format_shape(q), r - 2),
                )
    batch_axes = [0] + [i for i in range(1, r - 1) if i not in attn]
    for i, j in ((0, 2), (0, 1), (2, 1)):
        a, b = (q, v, k)[i], (q, v, k)[j]
        for ax in batch_axes:
            if _clash(a[ax], b[ax]):
                raise ShapeIssue(
                    "input",
                    "MultiHeadAttention receives %s %s and %s %s, whose axis %d (not an attention axis) sizes "
                    "%s and %s cannot broadcast" % (names[i], format_shape(a), names[j], format_shape(b), ax, a[ax], b[ax]),
                    input_index=max(i, j),
                )
    final = out_shape if out_shape is not None else (q[-1],)
    b = 1 if use_bias else 0
    dq, dk, dv = q[-1], k[-1], v[-1]
    out_size = product(final)
    params = None
    if known(dq) and known(dk) and known(dv) and known(out_size):
        hk, hv = heads * key_dim, heads * value_dim
        params = (dq + b) * hk + (dk + b) * hk + (dv + b) * hv + hv * out_size + b * out_size
        if use_gate:
            params += (dq + b) * hv
    return LayerResult([tuple(q[:-1]) + tuple(final)], params=params)
