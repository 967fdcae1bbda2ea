"""PyTorch recurrent, attention and Transformer modules (torch 2.x semantics).

RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, MultiheadAttention, TransformerEncoderLayer,
TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and Transformer.

Output lists follow what the modules return, flattened:

* RNN and GRU: ``[output, h_n]``; LSTM: ``[output, h_n, c_n]`` (PyTorch's
  ``(output, (h_n, c_n))``);
* RNNCell and GRUCell: ``[h']``; LSTMCell: ``[h', c']``;
* MultiheadAttention: ``[attn_output, attn_weights]`` (weights averaged over heads, the
  default ``average_attn_weights=True``);
* the Transformer modules: ``[output]``.

Parameter counts are those of ``sum(p.numel() for p in module.parameters())`` and depend on
the constructor arguments only, so they are returned even when the input is unknown.  A
constructor that PyTorch refuses (``embed_dim`` not divisible by ``num_heads``,
``proj_size >= hidden_size``...) is a certain bug: it is reported as an ``input`` issue.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .registry import LayerCall, LayerConfig, LayerResult, ShapeIssue, Unresolved, is_int, lookup, register
from .shapes import Dim, Shape, add, differ, format_shape, known, product

RNN_SIGNATURE = (
    "input_size",
    "hidden_size",
    "num_layers",
    "nonlinearity",
    "bias",
    "batch_first",
    "dropout",
    "bidirectional",
    "proj_size",
    "device",
    "dtype",
)
LSTM_SIGNATURE = (
    "input_size",
    "hidden_size",
    "num_layers",
    "bias",
    "batch_first",
    "dropout",
    "bidirectional",
    "proj_size",
    "device",
    "dtype",
)
GRU_SIGNATURE = LSTM_SIGNATURE
RNN_CELL_SIGNATURE = ("input_size", "hidden_size", "bias", "nonlinearity", "device", "dtype")
CELL_SIGNATURE = ("input_size", "hidden_size", "bias", "device", "dtype")
MHA_SIGNATURE = (
    "embed_dim",
    "num_heads",
    "dropout",
    "bias",
    "add_bias_kv",
    "add_zero_attn",
    "kdim",
    "vdim",
    "batch_first",
    "device",
    "dtype",
)
ENCODER_LAYER_SIGNATURE = (
    "d_model",
    "nhead",
    "dim_feedforward",
    "dropout",
    "activation",
    "layer_norm_eps",
    "batch_first",
    "norm_first",
    "bias",
    "device",
    "dtype",
)
DECODER_LAYER_SIGNATURE = ENCODER_LAYER_SIGNATURE
ENCODER_SIGNATURE = ("encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check")
DECODER_SIGNATURE = ("decoder_layer", "num_layers", "norm")
TRANSFORMER_SIGNATURE = (
    "d_model",
    "nhead",
    "num_encoder_layers",
    "num_decoder_layers",
    "dim_feedforward",
    "dropout",
    "activation",
    "custom_encoder",
    "custom_decoder",
    "layer_norm_eps",
    "batch_first",
    "norm_first",
    "bias",
    "device",
    "dtype",
)

# gate blocks of each recurrent kind
_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3, "RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}


def _bad(message: str) -> ShapeIssue:
    """A constructor PyTorch refuses."""
    return ShapeIssue("input", message)


def _shape(call: LayerCall, index: int) -> Shape:
    """Input ``index``, or None when it is missing or unknown."""
    return call.inputs[index] if index < len(call.inputs) else None


# --------------------------------------------------------------------------- RNN, LSTM, GRU


def _rnn_config(call: LayerCall):
    kind = call.type
    input_size = call.int("input_size")
    hidden = call.int("hidden_size")
    num_layers = call.int("num_layers", 1)
    bias = call.bool("bias", True)
    batch_first = call.bool("batch_first", False)
    bidirectional = call.bool("bidirectional", False)
    proj = call.int("proj_size", 0)
    dropout = call.value("dropout", 0.0)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise Unresolved("dropout")
    if not 0 <= dropout <= 1:
        raise _bad("%s needs dropout in [0, 1], but dropout=%r" % (kind, dropout))
    if kind == "RNN":
        nonlinearity = call.value("nonlinearity", "tanh")
        if not isinstance(nonlinearity, str):
            raise Unresolved("nonlinearity")
        if nonlinearity not in ("tanh", "relu"):
            raise _bad("RNN's nonlinearity must be 'tanh' or 'relu', not %r" % nonlinearity)
    if kind != "LSTM" and proj != 0:
        raise _bad("proj_size is only supported by LSTM, not %s (proj_size=%d)" % (kind, proj))
    if input_size <= 0:
        raise _bad("%s needs input_size greater than zero, but input_size=%d" % (kind, input_size))
    if hidden <= 0:
        raise _bad("%s needs hidden_size greater than zero, but hidden_size=%d" % (kind, hidden))
    if num_layers <= 0:
        raise _bad("%s needs num_layers greater than zero, but num_layers=%d" % (kind, num_layers))
    if proj < 0:
        raise _bad("LSTM needs proj_size >= 0, but proj_size=%d" % proj)
    if proj >= hidden:
        raise _bad(
            "LSTM needs proj_size smaller than hidden_size, but proj_size=%d and hidden_size=%d" % (proj, hidden)
        )
    return input_size, hidden, num_layers, bias, batch_first, bidirectional, proj


def rnn_params(
    kind: str, input_size: int, hidden: int, num_layers: int, bias: bool, bidirectional: bool, proj: int = 0
) -> int:
    """Parameters of RNN/LSTM/GRU: per layer and direction weight_ih (G*H x in),
    weight_hh (G*H x H_out), bias_ih and bias_hh (G*H each) and, with proj_size,
    weight_hr (proj x H); a layer after the first reads D*H_out features."""
    gates = _GATES[kind]
    dirs = 2 if bidirectional else 1
    out = proj if proj > 0 else hidden
    total = 0
    for layer in range(num_layers):
        fan_in = input_size if layer == 0 else out * dirs
        per_dir = gates * hidden * fan_in + gates * hidden * out
        if bias:
            per_dir += 2 * gates * hidden
        if proj > 0:
            per_dir += proj * hidden
        total += dirs * per_dir
    return total


def _rnn(call: LayerCall) -> LayerResult:
    """RNN, LSTM, GRU on (seq, batch, features), (batch, seq, features) with batch_first,
    or an unbatched (seq, features).

    output: (seq, batch, D*H_out) (or batch first; unbatched (seq, D*H_out)); h_n:
    (D*num_layers, batch, H_out) whatever batch_first says (unbatched (D*num_layers, H_out));
    LSTM's c_n: like h_n with hidden_size.  H_out is proj_size when set, else hidden_size.
    """
    kind = call.type
    input_size, hidden, num_layers, bias, batch_first, bidirectional, proj = _rnn_config(call)
    params = rnn_params(kind, input_size, hidden, num_layers, bias, bidirectional, proj)
    n_out = 3 if kind == "LSTM" else 2
    x = _shape(call, 0)
    if x is None:
        return LayerResult([None] * n_out, params=params)
    layout = "(batch, seq, features)" if batch_first else "(seq, batch, features)"
    if len(x) not in (2, 3):
        raise ShapeIssue(
            "rank",
            "%s expects 2-D (unbatched: seq, features) or 3-D input %s but receives %s"
            % (kind, layout, format_shape(x)),
            input_index=0,
        )
    if differ(x[-1], input_size):
        raise ShapeIssue(
            "rnn_input",
            "%s expects input_size %d but receives %s, whose last dimension is %s"
            % (kind, input_size, format_shape(x), x[-1]),
            input_index=0,
        )
    dirs = 2 if bidirectional else 1
    h_out = proj if proj > 0 else hidden
    if len(x) == 3:
        seq, batch = (x[1], x[0]) if batch_first else (x[0], x[1])
    else:
        seq, batch = x[0], None
    if known(seq) and seq == 0:
        raise ShapeIssue(
            "input", "%s needs a sequence length larger than 0 but receives %s" % (kind, format_shape(x)), input_index=0
        )
    out = tuple(x[:-1]) + (dirs * h_out,)
    if len(x) == 3:
        h = (dirs * num_layers, batch, h_out)
        c = (dirs * num_layers, batch, hidden)
    else:
        h = (dirs * num_layers, h_out)
        c = (dirs * num_layers, hidden)
    _check_hidden(call, kind, h, 1)
    if kind == "LSTM":
        _check_hidden(call, kind, c, 2)
        return LayerResult([out, h, c], params=params)
    return LayerResult([out, h], params=params)


def _check_hidden(call: LayerCall, kind: str, expected: Tuple[Dim, ...], index: int) -> None:
    """An initial state given as input ``index`` (h_0, or c_0 at 2) must have ``expected``'s shape."""
    given = _shape(call, index)
    if given is None:
        return
    what = "c_0" if index == 2 else "h_0"
    if len(given) != len(expected) or any(differ(a, b) for a, b in zip(given, expected)):
        raise ShapeIssue(
            "input",
            "%s expects the initial state %s of shape %s but receives %s"
            % (kind, what, format_shape(expected), format_shape(given)),
            input_index=index,
        )


register("torch", "RNN", signature=RNN_SIGNATURE, ranks=(2, 3))(_rnn)
register("torch", "LSTM", signature=LSTM_SIGNATURE, ranks=(2, 3))(_rnn)
register("torch", "GRU", signature=GRU_SIGNATURE, ranks=(2, 3))(_rnn)


# --------------------------------------------------------------------------- cells


def _cell(call: LayerCall) -> LayerResult:
    """RNNCell, LSTMCell, GRUCell on (batch, input_size) or an unbatched (input_size,).

    Output h' (batch, hidden_size) (LSTMCell: [h', c']).  Parameters: weight_ih
    (G*H x in), weight_hh (G*H x H) and, with bias, bias_ih and bias_hh (G*H each).
    """
    kind = call.type
    gates = _GATES[kind]
    input_size = call.int("input_size")
    hidden = call.int("hidden_size")
    bias = call.bool("bias", True)
    if input_size < 0 or hidden < 0:
        raise _bad("%s needs non-negative sizes, but input_size=%d and hidden_size=%d" % (kind, input_size, hidden))
    if kind == "RNNCell":
        nonlinearity = call.value("nonlinearity", "tanh")
        if not isinstance(nonlinearity, str):
            raise Unresolved("nonlinearity")
        if nonlinearity not in ("tanh", "relu"):
            raise _bad("RNNCell's nonlinearity must be 'tanh' or 'relu', not %r" % nonlinearity)
    params = gates * hidden * (input_size + hidden) + (2 * gates * hidden if bias else 0)
    n_out = 2 if kind == "LSTMCell" else 1
    x = _shape(call, 0)
    if x is None:
        return LayerResult([None] * n_out, params=params)
    if len(x) not in (1, 2):
        raise ShapeIssue(
            "rank",
            "%s expects 1-D (unbatched: features) or 2-D input (batch, features) but receives %s"
            % (kind, format_shape(x)),
            input_index=0,
        )
    if differ(x[-1], input_size):
        raise ShapeIssue(
            "rnn_input",
            "%s expects input_size %d but receives %s, whose last dimension is %s"
            % (kind, input_size, format_shape(x), x[-1]),
            input_index=0,
        )
    h = tuple(x[:-1]) + (hidden,)
    for index in range(1, 1 + n_out):
        given = _shape(call, index)
        if given is not None and (len(given) != len(h) or any(differ(a, b) for a, b in zip(given, h))):
            raise ShapeIssue(
                "input",
                "%s expects the state %s of shape %s but receives %s"
                % (kind, ("hx", "cx")[index - 1], format_shape(h), format_shape(given)),
                input_index=index,
            )
    return LayerResult([h] * n_out, params=params)


register("torch", "RNNCell", signature=RNN_CELL_SIGNATURE, ranks=(1, 2))(_cell)
register("torch", "LSTMCell", signature=CELL_SIGNATURE, ranks=(1, 2))(_cell)
register("torch", "GRUCell", signature=CELL_SIGNATURE, ranks=(1, 2))(_cell)


# --------------------------------------------------------------------------- attention


def mha_params(embed_dim: int, kdim: int, vdim: int, bias: bool, add_bias_kv: bool) -> int:
    """in_proj_weight (3E x E) when kdim == vdim == E, else q/k/v_proj_weight (E x E, E x kdim,
    E x vdim); in_proj_bias (3E) and out_proj (E x E + E bias) with ``bias``; bias_k and
    bias_v (E each) with ``add_bias_kv``."""
    e = embed_dim
    total = e * (e + kdim + vdim) + e * e
    if bias:
        total += 3 * e + e
    if add_bias_kv:
        total += 2 * e
    return total


def _mha_config(call: LayerCall, prefix: str = "MultiheadAttention"):
    e = call.int("embed_dim")
    heads = call.int("num_heads")
    if e <= 0 or heads <= 0:
        raise _bad(
            "%s needs embed_dim and num_heads greater than 0, but embed_dim=%d and num_heads=%d" % (prefix, e, heads)
        )
    if e % heads:
        raise _bad("%s needs embed_dim divisible by num_heads, but embed_dim=%d and num_heads=%d" % (prefix, e, heads))
    kdim = call.get("kdim", None)
    vdim = call.get("vdim", None)
    kdim = e if kdim is None else call.int("kdim")
    vdim = e if vdim is None else call.int("vdim")
    return e, heads, kdim, vdim


def _merge_dims(dims) -> Dim:
    """The size several dims that must be equal share: a known one, else a symbol, else None."""
    for d in dims:
        if known(d):
            return d
    for d in dims:
        if isinstance(d, str):
            return d
    return None


def _batch_axis(rank: int, batch_first: bool) -> Optional[int]:
    if rank != 3:
        return None
    return 0 if batch_first else 1


def _seq_axis(rank: int, batch_first: bool) -> int:
    return 1 if (rank == 3 and batch_first) else 0


def attention_check(
    kind: str,
    q: Shape,
    k: Shape,
    v: Shape,
    e: int,
    kdim: int,
    vdim: int,
    batch_first: bool,
    indices=(0, 1, 2),
    names=("query", "key", "value"),
) -> None:
    """PyTorch's multi_head_attention_forward checks, as issues."""
    qi, ki, vi = indices
    qn, kn, vn = names
    if q is not None and len(q) not in (2, 3):
        raise ShapeIssue(
            "rank",
            "%s expects a 2-D (unbatched) or 3-D %s but receives %s" % (kind, qn, format_shape(q)),
            input_index=qi,
        )
    for shape, index, name in ((k, ki, kn), (v, vi, vn)):
        if q is not None and shape is not None and len(shape) != len(q):
            raise ShapeIssue(
                "rank",
                "%s with a %d-D %s %s expects a %d-D %s but receives %s"
                % (kind, len(q), qn, format_shape(q), len(q), name, format_shape(shape)),
                input_index=index,
            )
        if q is None and shape is not None and len(shape) not in (2, 3):
            raise ShapeIssue(
                "rank",
                "%s expects a 2-D (unbatched) or 3-D %s but receives %s" % (kind, name, format_shape(shape)),
                input_index=index,
            )
    if q is not None and differ(q[-1], e):
        raise ShapeIssue(
            "input",
            "%s expects %s features of size embed_dim=%d but receives %s" % (kind, qn, e, format_shape(q)),
            input_index=qi,
        )
    if k is not None and v is not None and len(k) == len(v):
        n = len(k) - 1
        for axis in range(n):
            if differ(k[axis], v[axis]):
                what = "batch" if axis == _batch_axis(len(k), batch_first) else "sequence"
                raise ShapeIssue(
                    "input",
                    "%s needs %s and %s of the same %s size, but receives %s and %s"
                    % (kind, kn, vn, what, format_shape(k), format_shape(v)),
                    input_index=vi,
                )
    for shape, index, name, size, arg in ((k, ki, kn, kdim, "kdim"), (v, vi, vn, vdim, "vdim")):
        if shape is not None and differ(shape[-1], size):
            raise ShapeIssue(
                "input",
                "%s expects %s features of size %s=%d but receives %s" % (kind, name, arg, size, format_shape(shape)),
                input_index=index,
            )
    if q is not None and len(q) == 3:
        b = _batch_axis(3, batch_first)
        for shape, index, name in ((k, ki, kn), (v, vi, vn)):
            if shape is not None and len(shape) == 3 and differ(q[b], shape[b]):
                raise ShapeIssue(
                    "input",
                    "%s needs %s and %s of the same batch size, but receives %s and %s"
                    % (kind, qn, name, format_shape(q), format_shape(shape)),
                    input_index=index,
                )


@register("torch", "MultiheadAttention", signature=MHA_SIGNATURE, ranks=(2, 3), multi_input=True)
def multihead_attention(call: LayerCall) -> LayerResult:
    """MultiheadAttention on [query, key, value].

    query (L, N, E) ((N, L, E) with batch_first; unbatched (L, E)), key (S, N, kdim), value
    (S, N, vdim).  Outputs: attn_output shaped like the query, and the head-averaged weights
    (N, L, S') (unbatched (L, S')), where S' adds one position for add_bias_kv and one for
    add_zero_attn.
    """
    e, heads, kdim, vdim = _mha_config(call)
    bias = call.bool("bias", True)
    add_bias_kv = call.bool("add_bias_kv", False)
    add_zero_attn = call.bool("add_zero_attn", False)
    batch_first = call.bool("batch_first", False)
    params = mha_params(e, kdim, vdim, bias, add_bias_kv)
    q, k, v = _shape(call, 0), _shape(call, 1), _shape(call, 2)
    attention_check("MultiheadAttention", q, k, v, e, kdim, vdim, batch_first)
    if q is None:
        return LayerResult([None, None], params=params)
    src = _merge_dims([s[_seq_axis(len(s), batch_first)] for s in (k, v) if s is not None])
    extra = int(add_bias_kv) + int(add_zero_attn)
    if extra:
        src = add(src, extra)
    seq = q[_seq_axis(len(q), batch_first)]
    if len(q) == 3:
        weights = (q[_batch_axis(3, batch_first)], seq, src)
    else:
        weights = (seq, src)
    return LayerResult([tuple(q[:-1]) + (e,), weights], params=params)


# --------------------------------------------------------------------------- Transformer


def layer_norm_params(size: int, bias: bool = True, affine: bool = True) -> int:
    if not affine:
        return 0
    return size * (2 if bias else 1)


def _layer_config(call: LayerCall, kind: str):
    d = call.int("d_model")
    heads = call.int("nhead")
    ff = call.int("dim_feedforward", 2048)
    bias = call.bool("bias", True)
    batch_first = call.bool("batch_first", False)
    if d <= 0 or heads <= 0:
        raise _bad("%s needs d_model and nhead greater than 0, but d_model=%d and nhead=%d" % (kind, d, heads))
    if d % heads:
        raise _bad("%s needs d_model divisible by nhead, but d_model=%d and nhead=%d" % (kind, d, heads))
    if ff < 0:
        raise _bad("%s needs dim_feedforward >= 0, but dim_feedforward=%d" % (kind, ff))
    return d, heads, ff, bias, batch_first


def encoder_layer_params(d: int, ff: int, bias: bool) -> int:
    """self_attn + linear1 (d x ff) + linear2 (ff x d) + norm1 + norm2."""
    linears = 2 * d * ff + ((ff + d) if bias else 0)
    return mha_params(d, d, d, bias, False) + linears + 2 * layer_norm_params(d, bias)


def decoder_layer_params(d: int, ff: int, bias: bool) -> int:
    """self_attn + multihead_attn + linear1 + linear2 + norm1..3."""
    linears = 2 * d * ff + ((ff + d) if bias else 0)
    return 2 * mha_params(d, d, d, bias, False) + linears + 3 * layer_norm_params(d, bias)


def _sequence(kind: str, x: Shape, d: int, index: int = 0, name: str = "input") -> None:
    if x is None:
        return
    if len(x) not in (2, 3):
        raise ShapeIssue(
            "rank",
            "%s expects a 2-D (unbatched: seq, features) or 3-D %s but receives %s" % (kind, name, format_shape(x)),
            input_index=index,
        )
    if differ(x[-1], d):
        raise ShapeIssue(
            "input",
            "%s expects %s features of size d_model=%d but receives %s" % (kind, name, d, format_shape(x)),
            input_index=index,
        )


@register("torch", "TransformerEncoderLayer", signature=ENCODER_LAYER_SIGNATURE, ranks=(2, 3))
def transformer_encoder_layer(call: LayerCall) -> LayerResult:
    """Self-attention and a feed-forward block; the output has the input's shape."""
    d, heads, ff, bias, batch_first = _layer_config(call, "TransformerEncoderLayer")
    params = encoder_layer_params(d, ff, bias)
    x = _shape(call, 0)
    _sequence("TransformerEncoderLayer", x, d)
    return LayerResult([None if x is None else tuple(x[:-1]) + (d,)], params=params)


@register("torch", "TransformerDecoderLayer", signature=DECODER_LAYER_SIGNATURE, ranks=(2, 3), multi_input=True)
def transformer_decoder_layer(call: LayerCall) -> LayerResult:
    """Self-attention on tgt, attention over memory, a feed-forward block: on [tgt, memory];
    the output has tgt's shape.  memory needs tgt's rank, its batch size and d_model features."""
    d, heads, ff, bias, batch_first = _layer_config(call, "TransformerDecoderLayer")
    params = decoder_layer_params(d, ff, bias)
    tgt, memory = _shape(call, 0), _shape(call, 1)
    _check_decoder("TransformerDecoderLayer", tgt, memory, d, batch_first)
    return LayerResult([None if tgt is None else tuple(tgt[:-1]) + (d,)], params=params)


def _check_decoder(kind: str, tgt: Shape, memory: Shape, d: int, batch_first: bool) -> None:
    _sequence(kind, tgt, d, 0, "tgt")
    if memory is not None and tgt is not None and len(memory) != len(tgt):
        raise ShapeIssue(
            "rank",
            "%s with a %d-D tgt %s expects a %d-D memory but receives %s"
            % (kind, len(tgt), format_shape(tgt), len(tgt), format_shape(memory)),
            input_index=1,
        )
    _sequence(kind, memory, d, 1, "memory")
    if tgt is not None and memory is not None and len(tgt) == 3:
        b = _batch_axis(3, batch_first)
        if differ(tgt[b], memory[b]):
            raise ShapeIssue(
                "input",
                "%s needs tgt and memory of the same batch size, but receives %s and %s"
                % (kind, format_shape(tgt), format_shape(memory)),
                input_index=1,
            )


def _norm_result(call: LayerCall, norm, shape: Shape, kind: str) -> Tuple[Shape, int]:
    """The optional final norm of TransformerEncoder/Decoder: (output shape, params)."""
    if norm is None:
        return shape, 0
    if not isinstance(norm, LayerConfig):
        raise Unresolved("norm")
    if lookup(norm.framework, norm.type) is not None:
        res = call.apply(norm, [shape])
        if res.params is None:
            raise Unresolved("norm")
        return (res.outputs[0] if res.outputs else None), res.params
    if norm.framework == "torch" and norm.type == "LayerNorm":
        return _layer_norm(norm, shape, kind)
    raise Unresolved("norm %s" % norm.type)


def _layer_norm(norm: LayerConfig, shape: Shape, kind: str) -> Tuple[Shape, int]:
    """nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias) when no LayerNorm shape
    function is registered."""
    sig = ("normalized_shape", "eps", "elementwise_affine", "bias")
    values = dict(zip(sig, norm.args))
    values.update(norm.kwargs)
    ns = values.get("normalized_shape")
    if is_int(ns):
        ns = (ns,)
    if not isinstance(ns, (tuple, list)) or not all(is_int(n) for n in ns):
        raise Unresolved("normalized_shape")
    affine = values.get("elementwise_affine", True)
    bias = values.get("bias", True)
    if not isinstance(affine, bool) or not isinstance(bias, bool):
        raise Unresolved("elementwise_affine")
    params = layer_norm_params(product(ns), bias, affine)
    if shape is not None:
        tail = shape[len(shape) - len(ns) :] if len(ns) <= len(shape) else None
        if tail is None or any(differ(a, b) for a, b in zip(tail, ns)):
            raise ShapeIssue(
                "num_features",
                "the norm of %s, LayerNorm(%s), expects input of shape [*, %s] but receives %s"
                % (kind, ", ".join(map(str, ns)), ", ".join(map(str, ns)), format_shape(shape)),
            )
    return shape, params


def _stack(call: LayerCall, kind: str, layer_arg: str, inputs: List[Shape]) -> LayerResult:
    inner = call.get(layer_arg)
    if not isinstance(inner, LayerConfig):
        raise Unresolved(layer_arg)
    n = call.int("num_layers")
    if n <= 0:
        raise _bad("%s needs num_layers greater than 0, but num_layers=%d" % (kind, n))
    res = call.apply(inner, inputs)
    if res.params is None:
        raise Unresolved("%s params" % layer_arg)
    out = res.outputs[0] if res.outputs else None
    out, norm_params = _norm_result(call, call.get("norm", None), out, kind)
    return LayerResult([out], params=n * res.params + norm_params, non_trainable=n * res.non_trainable)


@register("torch", "TransformerEncoder", signature=ENCODER_SIGNATURE, ranks=(2, 3))
def transformer_encoder(call: LayerCall) -> LayerResult:
    """num_layers copies of encoder_layer, then the optional norm."""
    return _stack(call, "TransformerEncoder", "encoder_layer", [_shape(call, 0)])


@register("torch", "TransformerDecoder", signature=DECODER_SIGNATURE, ranks=(2, 3), multi_input=True)
def transformer_decoder(call: LayerCall) -> LayerResult:
    """num_layers copies of decoder_layer on [tgt, memory], then the optional norm."""
    return _stack(call, "TransformerDecoder", "decoder_layer", [_shape(call, 0), _shape(call, 1)])


@register("torch", "Transformer", signature=TRANSFORMER_SIGNATURE, ranks=(2, 3), multi_input=True)
def transformer(call: LayerCall) -> LayerResult:
    """nn.Transformer on [src, tgt]: an encoder (num_encoder_layers layers and a LayerNorm)
    and a decoder (num_decoder_layers layers and a LayerNorm); the output has tgt's shape.

    Like Transformer.forward, a 3-D src needs tgt's batch size and both need d_model features.
    """
    kind = "Transformer"
    d = call.int("d_model", 512)
    heads = call.int("nhead", 8)
    ne = call.int("num_encoder_layers", 6)
    nd = call.int("num_decoder_layers", 6)
    ff = call.int("dim_feedforward", 2048)
    bias = call.bool("bias", True)
    batch_first = call.bool("batch_first", False)
    custom_encoder = call.get("custom_encoder", None)
    custom_decoder = call.get("custom_decoder", None)
    src, tgt = _shape(call, 0), _shape(call, 1)
    params = 0
    if custom_encoder is None or custom_decoder is None:
        if d <= 0 or heads <= 0:
            raise _bad("Transformer needs d_model and nhead greater than 0, but d_model=%d and nhead=%d" % (d, heads))
        if d % heads:
            raise _bad("Transformer needs d_model divisible by nhead, but d_model=%d and nhead=%d" % (d, heads))
    if ne < 0 or nd < 0:
        raise _bad("Transformer needs non-negative layer counts")
    # Transformer.forward's own checks come first
    if src is not None and len(src) == 3:
        if tgt is not None and len(tgt) != 3:
            raise ShapeIssue(
                "rank",
                "Transformer with a 3-D src %s expects a 3-D tgt but receives %s"
                % (format_shape(src), format_shape(tgt)),
                input_index=1,
            )
        b = 0 if batch_first else 1
        if tgt is not None and differ(src[b], tgt[b]):
            raise ShapeIssue(
                "input",
                "Transformer needs src and tgt of the same batch size, but receives %s and %s"
                % (format_shape(src), format_shape(tgt)),
                input_index=1,
            )
    for shape, index, name in ((src, 0, "src"), (tgt, 1, "tgt")):
        if shape is not None and len(shape) and differ(shape[-1], d):
            raise ShapeIssue(
                "input",
                "Transformer expects %s features of size d_model=%d but receives %s" % (name, d, format_shape(shape)),
                input_index=index,
            )
    if custom_encoder is not None:
        res = call.apply(custom_encoder, [src])
        memory = res.outputs[0] if res.outputs else None
        if res.params is None:
            raise Unresolved("custom_encoder")
        params += res.params
    else:
        if ne == 0:
            raise _bad("Transformer needs num_encoder_layers greater than 0")
        _sequence(kind, src, d, 0, "src")
        memory = src
        params += ne * encoder_layer_params(d, ff, bias) + layer_norm_params(d, bias)
    if custom_decoder is not None:
        res = call.apply(custom_decoder, [tgt, memory])
        out = res.outputs[0] if res.outputs else None
        if res.params is None:
            raise Unresolved("custom_decoder")
        params += res.params
    else:
        if nd == 0:
            raise _bad("Transformer needs num_decoder_layers greater than 0")
        _check_decoder(kind, tgt, memory, d, batch_first)
        out = None if tgt is None else tuple(tgt[:-1]) + (d,)
        params += nd * decoder_layer_params(d, ff, bias) + layer_norm_params(d, bias)
    return LayerResult([out], params=params)
