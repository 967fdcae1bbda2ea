"""Keras core layers: Dense, EinsumDense, Embedding, activations, dropouts, ... (Keras 3 semantics)."""

from __future__ import annotations

import re

from .registry import LayerResult, ShapeIssue, Unresolved, is_int, register
from .shapes import format_shape, known, product


@register("keras", "Dense", signature=("units", "activation", "use_bias"))
def dense(call):
    """Dense acts on the last axis: (..., d) -> (..., units); kernel d*units + bias."""
    units = call.int("units")
    x = call.input(min_rank=2)
    d = x[-1]
    params = None
    if known(d):
        params = d * units + (units if call.bool("use_bias", True) else 0)
    return LayerResult([x[:-1] + (units,)], params=params)


@register("keras", "Flatten", signature=("data_format",))
def flatten(call):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...); a 1-D input gets a unit axis."""
    x = call.input()
    if len(x) == 0:
        raise ShapeIssue("rank", "Flatten expects at least 1-D input but receives %s" % format_shape(x))
    if len(x) == 1:
        return LayerResult([(x[0], 1)])
    return LayerResult([(x[0], product(x[1:]))])


# -- EinsumDense ---------------------------------------------------------------------------

_EINSUM_FORMS = (
    ("plain", re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)")),
    ("left", re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)")),
    ("right", re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.")),
)


def _dims_or_unresolved(value, name):
    """An int or a sequence of int/None as a list (None entries are kept)."""
    if is_int(value):
        return [value]
    if isinstance(value, (tuple, list)) and all(v is None or is_int(v) for v in value):
        return list(value)
    raise Unresolved(name)


@register(
    "keras",
    "EinsumDense",
    signature=("equation", "output_shape", "activation", "bias_axes", "kernel_initializer", "bias_initializer"),
)
def einsum_dense(call):
    """EinsumDense: ``x`` times a kernel by an einsum equation, plus an optional bias.

    Three equation forms exist: ``"ab,bc->ac"`` (the input has exactly as many axes as the
    input term), ``"...b,bc->...c"`` (leading axes pass through) and ``"ab...,bc->ac..."``
    (trailing axes pass through).  ``output_shape`` gives the output axes after the batch
    axis (after all passed-through leading axes for the ``...`` prefix form).  As in Keras 3,
    a ``None`` in ``output_shape`` stays ``None`` in the output shape even when the input
    knows that axis.  For the ``...`` prefix form with two or more passed-through axes after
    the batch axis, Keras 3's symbolic shape lists them in reverse order; the layer really
    returns them in order, which is what this function gives (with a note).  Kernel axes take their size from the output when the letter appears
    there, else from the input; the bias covers the ``bias_axes`` letters.  With
    ``lora_rank`` the kernel is frozen and two low-rank factors are added.
    """
    equation = call.value("equation")
    if not isinstance(equation, str):
        raise Unresolved("equation")
    form = None
    for name, pattern in _EINSUM_FORMS:
        m = pattern.fullmatch(equation)
        if m:
            form = name
            in_spec, w_spec, out_spec = m.groups()
            break
    if form is None:
        raise Unresolved("equation")
    if call.get("output_shape", None) is None:
        raise Unresolved("output_shape")
    user = _dims_or_unresolved(call.value("output_shape"), "output_shape")
    x = call.input()
    n_in = len(in_spec)
    shown = format_shape(x)
    if form == "plain":
        if len(x) != n_in:
            raise ShapeIssue(
                "rank",
                "EinsumDense with equation '%s' expects %d-D input but receives %s" % (equation, n_in, shown),
            )
        full_out = [x[0]] + user
        if len(full_out) != len(out_spec):
            raise Unresolved("output_shape")
        in_dims = dict(zip(in_spec, x))
        out_dims = dict(zip(out_spec, full_out))
    elif form == "left":
        elided = len(x) - n_in
        if elided < 1:
            raise ShapeIssue(
                "rank",
                "EinsumDense with equation '%s' expects input of at least %d dimensions but receives %s"
                % (equation, n_in + 1, shown),
            )
        full_out = list(x[:elided]) + user
        if len(user) != len(out_spec):
            raise Unresolved("output_shape")
        in_dims = dict(zip(in_spec, x[elided:]))
        out_dims = dict(zip(out_spec, user))
    else:
        if len(x) < n_in:
            raise ShapeIssue(
                "rank",
                "EinsumDense with equation '%s' expects input of at least %d dimensions but receives %s"
                % (equation, n_in, shown),
            )
        full_out = [x[0]] + user + list(x[n_in:])
        if len(user) + 1 != len(out_spec):
            raise Unresolved("output_shape")
        in_dims = dict(zip(in_spec, x))
        out_dims = dict(zip(out_spec, full_out))

    notes = []
    if form == "left":
        keras_says = [x[0]] + list(reversed(x[1:elided])) + user
        if keras_says != full_out:
            notes.append(
                "Keras 3 reports %s for this EinsumDense (it reverses the passed-through leading axes), "
                "but it returns %s" % (format_shape(tuple(keras_says)), format_shape(tuple(full_out)))
            )
    for letter in in_spec:
        if letter in out_dims:
            o, i = out_dims[letter], in_dims[letter]
            if known(o) and known(i) and o != i:
                raise ShapeIssue(
                    "input",
                    "EinsumDense with equation '%s' keeps axis '%s' of its input %s (size %s), "
                    "but output_shape gives it size %s" % (equation, letter, shown, i, o),
                )
    for letter in out_spec:
        if letter not in in_spec and letter not in w_spec:
            raise Unresolved("equation")
    kernel = []
    for letter in w_spec:
        if letter in out_dims:
            kernel.append(out_dims[letter])
        elif letter in in_dims:
            kernel.append(in_dims[letter])
        else:
            raise Unresolved("equation")
    bias_axes = call.value("bias_axes", None)
    bias = []
    if bias_axes is not None:
        if not isinstance(bias_axes, str) or any(c not in out_spec for c in bias_axes):
            raise Unresolved("bias_axes")
        bias = [out_dims[c] for c in bias_axes]
    kernel_size = product(kernel)
    bias_size = product(bias) if bias_axes is not None else 0
    lora = call.value("lora_rank", None)
    params = non_trainable = None
    if known(kernel_size) and known(bias_size):
        params, non_trainable = kernel_size + bias_size, 0
        if lora:
            if not is_int(lora):
                raise Unresolved("lora_rank")
            params += product(kernel[:-1]) * lora + lora * kernel[-1]
            non_trainable = kernel_size
    return LayerResult([tuple(full_out)], params=params, non_trainable=non_trainable or 0, notes=notes)


# -- Embedding -----------------------------------------------------------------------------


@register(
    "keras",
    "Embedding",
    signature=(
        "input_dim",
        "output_dim",
        "embeddings_initializer",
        "embeddings_regularizer",
        "embeddings_constraint",
        "mask_zero",
        "weights",
        "lora_rank",
    ),
)
def embedding(call):
    """Embedding: integer indices (...) -> (..., output_dim); table input_dim*output_dim.

    Keras 2's ``input_length`` is accepted and ignored (Keras 3 warns and drops it).  With
    ``lora_rank`` the table is frozen and factors (input_dim, r) and (r, output_dim) added.
    """
    input_dim = call.int("input_dim")
    output_dim = call.int("output_dim")
    x = call.input()
    table = input_dim * output_dim
    params, non_trainable = table, 0
    lora = call.value("lora_rank", None)
    if lora:
        if not is_int(lora):
            raise Unresolved("lora_rank")
        params += input_dim * lora + lora * output_dim
        non_trainable = table
    return LayerResult([tuple(x) + (output_dim,)], params=params, non_trainable=non_trainable)


# -- shape-preserving layers -----------------------------------------------------------------


def _same_shape(call):
    """Output shape equals the input shape; no weights."""
    return LayerResult([call.input()])


for _name, _sig in (
    ("Activation", ("activation",)),
    ("ReLU", ("max_value", "negative_slope", "threshold")),
    ("LeakyReLU", ("negative_slope",)),
    ("ELU", ("alpha",)),
    ("Softmax", ("axis",)),
    ("Dropout", ("rate", "noise_shape", "seed")),
    ("GaussianNoise", ("stddev", "seed")),
    ("GaussianDropout", ("rate", "seed")),
    ("AlphaDropout", ("rate", "noise_shape", "seed")),
    ("ActivityRegularization", ("l1", "l2")),
    ("Masking", ("mask_value",)),
    ("Identity", ()),
):
    register("keras", _name, signature=_sig)(_same_shape)


@register("keras", "ThresholdedReLU", signature=("theta",))
def thresholded_relu(call):
    """Shape-preserving.  Keras 2 only: Keras 3 removed ``layers.ThresholdedReLU``."""
    return LayerResult(
        [call.input()],
        notes=["ThresholdedReLU does not exist in Keras 3 (use ReLU(threshold=...))"],
    )


def _spatial_dropout(rank, what):
    def fn(call):
        return LayerResult([call.input(rank=rank, what=what)])

    fn.__doc__ = "Shape-preserving dropout of whole feature maps; input must be %d-D %s." % (rank, what)
    return fn


register("keras", "SpatialDropout1D", signature=("rate", "seed"), ranks=(3,))(
    _spatial_dropout(3, "(batch, steps, channels)")
)
register("keras", "SpatialDropout2D", signature=("rate", "data_format", "seed"), ranks=(4,))(
    _spatial_dropout(4, "(batch, rows, cols, channels)")
)
register("keras", "SpatialDropout3D", signature=("rate", "data_format", "seed"), ranks=(5,))(
    _spatial_dropout(5, "(batch, dim1, dim2, dim3, channels)")
)


@register("keras", "PReLU", signature=("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"))
def prelu(call):
    """PReLU: one learned slope per input element (batch excluded).

    Each axis ``a`` in ``shared_axes`` sets entry ``a - 1`` of the per-sample shape to 1 --
    Keras indexes that list with Python rules, so ``shared_axes=[-1]`` shares the
    *second-to-last* axis, and an axis past the end fails.
    """
    x = call.input()
    shared = call.value("shared_axes", None)
    if shared is None:
        shared = []
    elif is_int(shared):
        shared = [shared]
    elif not (isinstance(shared, (tuple, list)) and all(is_int(a) for a in shared)):
        raise Unresolved("shared_axes")
    param_shape = list(x[1:])
    for a in shared:
        if not -len(param_shape) <= a - 1 < len(param_shape):
            raise ShapeIssue(
                "rank",
                "PReLU shares axis %d but receives %d-D input %s" % (a, len(x), format_shape(x)),
            )
        param_shape[a - 1] = 1
    return LayerResult([x], params=product(param_shape))
