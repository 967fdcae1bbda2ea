"""Keras recurrent layers and wrappers (Keras 3 semantics).

SimpleRNN, LSTM, GRU, ConvLSTM1D/2D/3D, Bidirectional and TimeDistributed.  A recurrent
layer with ``return_state=True`` has several outputs: ``LayerResult.outputs`` is
``[output, state, ...]``.
"""

from __future__ import annotations

from .registry import LayerCall, LayerConfig, LayerResult, ShapeIssue, Unresolved, lookup, register
from .shapes import add, conv_output_length, differ, format_shape, known, product

_RNN_HINT = (
    "A recurrent layer needs a sequence: the usual fix is return_sequences=True on the previous "
    "recurrent layer, a Reshape to (timesteps, features), or a RepeatVector."
)

_COMMON_TAIL = (
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
)

SIMPLE_RNN_SIGNATURE = (
    "units",
    "activation",
    "use_bias",
    *_COMMON_TAIL,
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "seed",
)

LSTM_SIGNATURE = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    *_COMMON_TAIL,
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "seed",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "use_cudnn",
)

GRU_SIGNATURE = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    *_COMMON_TAIL,
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "seed",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "reset_after",
    "use_cudnn",
)

CONV_LSTM_SIGNATURE = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "activation",
    "recurrent_activation",
    "use_bias",
    *_COMMON_TAIL,
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "seed",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
)

# gates (kernel blocks) and states of each recurrent layer
_RNN_KINDS = {"SimpleRNN": (1, 1), "LSTM": (4, 2), "GRU": (3, 1)}
_CONV_LSTM_RANKS = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}


def _sequence_input(call):
    """The (batch, timesteps, features) input; a 2-D input gets the usual-fix hint."""
    try:
        return call.input(rank=3, what="(batch, timesteps, features)")
    except ShapeIssue as issue:
        if len(call.inputs[0]) == 2:
            issue.hint = _RNN_HINT
        raise


def _rnn(call):
    """SimpleRNN, LSTM, GRU on (batch, timesteps, features).

    Output (batch, units), or (batch, timesteps, units) with ``return_sequences``; with
    ``return_state`` the final states follow (LSTM: h and c; GRU and SimpleRNN: h), each
    (batch, units).  Weights per gate: kernel features*units, recurrent kernel units*units,
    bias units -- SimpleRNN has 1 gate, LSTM 4, GRU 3.  GRU's ``reset_after=True`` (the
    Keras 3 default, and Keras 2 since 2.3) keeps separate input and recurrent biases, so its
    bias has 2 rows (6*units); ``reset_after=False`` (and Keras 2 before 2.3) has 3*units.
    """
    gates, n_states = _RNN_KINDS[call.type]
    units = call.int("units")
    x = _sequence_input(call)
    return_sequences = call.bool("return_sequences", False)
    return_state = call.bool("return_state", False)
    use_bias = call.bool("use_bias", True)
    bias_rows = 1
    if call.type == "GRU" and call.bool("reset_after", True):
        bias_rows = 2
    features = x[2]
    params = None
    if known(features):
        params = gates * (features * units + units * units)
        if use_bias:
            params += bias_rows * gates * units
    out = (x[0], x[1], units) if return_sequences else (x[0], units)
    outputs = [out]
    if return_state:
        outputs += [(x[0], units)] * n_states
    return LayerResult(outputs, params=params)


register("keras", "SimpleRNN", signature=SIMPLE_RNN_SIGNATURE, ranks=(3,))(_rnn)
register("keras", "LSTM", signature=LSTM_SIGNATURE, ranks=(3,))(_rnn)
register("keras", "GRU", signature=GRU_SIGNATURE, ranks=(3,))(_rnn)


def _conv_lstm(call):
    """ConvLSTM1D/2D/3D on (batch, time, *spatial, channels) (channels_last).

    Each frame goes through a convolution (``padding`` valid or same, strides, dilation);
    output (batch, *out_spatial, filters), or with ``return_sequences`` (batch, time, ...);
    ``return_state`` adds h and c, each shaped like one output frame.  Weights: input kernel
    prod(kernel)*channels*4*filters, recurrent kernel prod(kernel)*filters*4*filters, bias
    4*filters.
    """
    n = _CONV_LSTM_RANKS[call.type]
    filters = call.int("filters")
    kernel = call.ints("kernel_size", n)
    strides = call.ints("strides", n, 1)
    dilation = call.ints("dilation_rate", n, 1)
    padding = call.str("padding", "valid")
    if padding not in ("valid", "same"):
        raise Unresolved("padding")
    if max(strides) > 1 and max(dilation) > 1:
        raise Unresolved("strides with dilation_rate")  # Keras refuses the combination
    fmt = call.data_format()
    if fmt not in ("channels_last", "channels_first"):
        raise Unresolved("data_format")
    spatial_names = ", ".join(("rows", "cols", "depth")[:n]) if n > 1 else "steps"
    if fmt == "channels_last":
        what = "(batch, time, %s, channels)" % spatial_names
    else:
        what = "(batch, time, channels, %s)" % spatial_names
    x = call.input(rank=n + 3, what=what)
    if fmt == "channels_last":
        spatial, channels = x[2:-1], x[-1]
    else:
        spatial, channels = x[3:], x[2]
    out_spatial = []
    for i, (length, k, s, d) in enumerate(zip(spatial, kernel, strides, dilation)):
        o = conv_output_length(length, k, s, padding, d)
        if known(o) and o <= 0:
            raise ShapeIssue(
                "nonpositive",
                "%s with kernel_size %s and padding '%s' receives %s, whose spatial axis %d (size %s) is "
                "smaller than the dilated kernel: the output size would be %d"
                % (call.type, tuple(kernel), padding, format_shape(x), i + 1, length, o),
            )
        out_spatial.append(o)
    frame = tuple(out_spatial) + (filters,) if fmt == "channels_last" else (filters,) + tuple(out_spatial)
    return_sequences = call.bool("return_sequences", False)
    return_state = call.bool("return_state", False)
    out = (x[0], x[1]) + frame if return_sequences else (x[0],) + frame
    outputs = [out]
    if return_state:
        outputs += [(x[0],) + frame] * 2
    params = None
    k = product(kernel)
    if known(channels):
        params = k * channels * 4 * filters + k * filters * 4 * filters
        if call.bool("use_bias", True):
            params += 4 * filters
    return LayerResult(outputs, params=params)


for _name in _CONV_LSTM_RANKS:
    register("keras", _name, signature=CONV_LSTM_SIGNATURE, ranks=(_CONV_LSTM_RANKS[_name] + 3,))(_conv_lstm)


def _inner_call(config: LayerConfig, shape, options) -> LayerCall:
    ldef = lookup(config.framework, config.type)
    if ldef is None:
        raise Unresolved("layer type %s" % config.type)
    return LayerCall(config, [shape], options, ldef)


@register("keras", "Bidirectional", signature=("layer", "merge_mode", "weights", "backward_layer"))
def bidirectional(call):
    """Bidirectional: a recurrent layer run forwards and (a copy, or ``backward_layer``) backwards.

    ``merge_mode`` concat (default) joins the two outputs on the last axis; sum, mul and ave
    combine them elementwise (same shapes needed); None returns both.  With the inner
    ``return_state`` the states follow: [output, *forward_states, *backward_states] (or
    [forward_output, backward_output, ...] for None).  Parameters: both directions.

    Keras 3's symbolic shape assumes the backward layer mirrors the forward one (it reports
    twice the forward size for concat); this function uses the backward layer's own size,
    which is what the layer really returns.
    """
    inner = call.get("layer")
    if not isinstance(inner, LayerConfig):
        raise Unresolved("layer")
    backward = call.get("backward_layer", None)
    if backward is None:
        backward = inner
    if not isinstance(backward, LayerConfig):
        raise Unresolved("backward_layer")
    merge_mode = call.value("merge_mode", "concat")
    if merge_mode not in ("concat", "sum", "mul", "ave", None):
        raise Unresolved("merge_mode")
    if inner.type in _RNN_KINDS:
        x = _sequence_input(call)
    elif inner.type in _CONV_LSTM_RANKS:
        x = call.input(rank=_CONV_LSTM_RANKS[inner.type] + 3, what="(batch, time, ...)")
    else:
        raise Unresolved("wrapped layer %s" % inner.type)
    fwd_call = _inner_call(inner, x, call.options)
    bwd_call = _inner_call(backward, x, call.options)
    for flag in ("return_sequences", "return_state"):
        f, b = fwd_call.bool(flag, False), bwd_call.bool(flag, False)
        if f != b:
            raise ShapeIssue(
                "input",
                "Bidirectional needs forward and backward layers with the same %s, but the forward %s has "
                "%s=%s and the backward %s has %s=%s" % (flag, inner.type, flag, f, backward.type, flag, b),
            )
    fwd = call.apply(inner, [x])
    bwd = call.apply(backward, [x])
    fo, bo = fwd.outputs[0], bwd.outputs[0]
    states = list(fwd.outputs[1:]) + list(bwd.outputs[1:])
    notes = []
    if merge_mode is None:
        outputs = [fo, bo]
    else:
        if fo is None or bo is None or len(fo) != len(bo):
            raise Unresolved("direction outputs")
        check = fo[:-1] if merge_mode == "concat" else fo
        for i, (a, b) in enumerate(zip(check, bo)):
            if differ(a, b):
                raise ShapeIssue(
                    "merge",
                    "Bidirectional(merge_mode=%r) cannot combine the forward output %s with the backward "
                    "output %s (axis %d: %s vs %s)" % (merge_mode, format_shape(fo), format_shape(bo), i, a, b),
                )
        if merge_mode == "concat":
            outputs = [fo[:-1] + (add(fo[-1], bo[-1]),)]
            if differ(fo[-1], bo[-1]):
                notes.append(
                    "Keras 3 reports %s for this Bidirectional (twice the forward size), but it returns %s"
                    % (format_shape(fo[:-1] + (2 * fo[-1],)), format_shape(outputs[0]))
                )
        else:
            outputs = [fo]
    params = None
    if fwd.params is not None and bwd.params is not None:
        params = fwd.params + bwd.params
    return LayerResult(
        outputs + states,
        params=params,
        non_trainable=fwd.non_trainable + bwd.non_trainable,
        notes=notes,
    )


@register("keras", "TimeDistributed", signature=("layer",))
def time_distributed(call):
    """TimeDistributed: the wrapped layer applied to every step of axis 1.

    The inner layer sees (batch, *input[2:]); the output is (batch, timesteps, *inner[1:]).
    Parameters are the inner layer's (shared over steps).  Needs at least 3-D input.
    """
    inner = call.get("layer")
    if not isinstance(inner, LayerConfig):
        raise Unresolved("layer")
    x = call.input(min_rank=3, what="(batch, timesteps, ...)")
    res = call.apply(inner, [(x[0],) + tuple(x[2:])])
    if len(res.outputs) != 1 or res.outputs[0] is None or len(res.outputs[0]) == 0:
        raise Unresolved("wrapped layer output")
    y = res.outputs[0]
    return LayerResult(
        [(x[0], x[1]) + tuple(y[1:])],
        params=res.params,
        non_trainable=res.non_trainable,
        notes=list(res.notes),
    )
