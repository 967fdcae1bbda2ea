"""torch.nn modules that are made of other modules, described as Python the interpreter runs.

PyTorch's ``TransformerEncoderLayer`` is not a leaf: its forward hooks see ``self_attn``,
``linear1``, ``norm1``... called in turn.  Rather than hard-code their summaries, shapelint
describes these modules the way a user would write them -- the submodules they register and
the order ``forward()`` calls them in -- and runs that description like user code.  The text
below is shapelint's own (it models the behaviour of PyTorch 2.x on its non-fused path,
which is what forward hooks observe).

Layers these classes build are reported at the user's line that built the composite.
"""

from __future__ import annotations

from typing import Dict

STUB_SOURCE = '''
import copy
import torch.nn as nn
import torch.nn.functional as F


def _activation(activation):
    if _is_module(activation):
        return activation
    if activation == "gelu":
        return F.gelu
    return F.relu


class TransformerEncoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x))
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x):
        x = self.self_attn(x, x, x, need_weights=False)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.multihead_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x))
            x = x + self._mha_block(self.norm2(x), memory)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x))
            x = self.norm2(x + self._mha_block(x, memory))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x):
        x = self.self_attn(x, x, x, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem):
        x = self.multihead_attn(x, mem, mem, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerEncoder(nn.Module):
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = nn.ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        output = src
        for mod in self.layers:
            output = mod(output)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(nn.Module):
    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = nn.ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        output = tgt
        for mod in self.layers:
            output = mod(output, memory)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(nn.Module):
    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            enc = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                          layer_norm_eps, batch_first, norm_first, bias)
            self.encoder = TransformerEncoder(enc, num_encoder_layers, nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            dec = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                          layer_norm_eps, batch_first, norm_first, bias)
            self.decoder = TransformerDecoder(dec, num_decoder_layers, nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal=None, tgt_is_causal=None, memory_is_causal=False):
        memory = self.encoder(src, mask=src_mask)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask)
'''

STUB_CLASSES = ("TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder", "Transformer")

# Building blocks of torchvision (torchvision.ops, and the helpers its model files import),
# described the same way, for code that imports them from an installed torchvision (never
# followed) or from a copy of torchvision's model files whose package is not there.  Only
# what forward hooks observe is modelled: the submodules, their names and calling order.
TV_STUB_SOURCE = '''
import torch
import torch.nn as nn


def _log_api_usage_once(obj):
    return None


def _make_divisible(v, divisor, min_value=None):
    floor = divisor if min_value is None else min_value
    rounded = max(floor, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


def _ovewrite_named_param(kwargs, param, new_value):
    if param not in kwargs:
        kwargs[param] = new_value
    elif kwargs[param] != new_value:
        raise ValueError(param)


class WeightsEnum:
    @classmethod
    def verify(cls, obj):
        if obj is None:
            return None
        return _unknown(obj)


class Weights:
    def __init__(self, url, transforms, meta):
        self.url = url
        self.transforms = transforms
        self.meta = meta


def _same_padding(kernel_size, dilation, dims):
    if isinstance(kernel_size, int) and isinstance(dilation, int):
        return (kernel_size - 1) // 2 * dilation
    ks = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
    ds = (dilation,) * dims if isinstance(dilation, int) else tuple(dilation)
    return tuple((k - 1) // 2 * d for k, d in zip(ks, ds))


class ConvNormActivation(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True,
                 bias=None, conv_layer=nn.Conv2d, dims=2):
        if padding is None:
            padding = _same_padding(kernel_size, dilation, dims)
        if bias is None:
            bias = norm_layer is None
        parts = [conv_layer(in_channels, out_channels, kernel_size, stride, padding,
                            dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            parts.append(norm_layer(out_channels))
        if activation_layer is not None:
            if inplace is None:
                parts.append(activation_layer())
            else:
                parts.append(activation_layer(inplace=inplace))
        super().__init__(*parts)
        self.out_channels = out_channels


class Conv2dNormActivation(ConvNormActivation):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv2d, 2)


class Conv3dNormActivation(ConvNormActivation):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm3d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv3d, 3)


class SqueezeExcitation(nn.Module):
    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def forward(self, input):
        s = self.avgpool(input)
        s = self.activation(self.fc1(s))
        s = self.scale_activation(self.fc2(s))
        return s * input


class MLP(nn.Sequential):
    def __init__(self, in_channels, hidden_channels, norm_layer=None, activation_layer=nn.ReLU,
                 inplace=None, bias=True, dropout=0.0):
        extra = {} if inplace is None else {"inplace": inplace}
        parts = []
        width = in_channels
        for hidden in hidden_channels[:-1]:
            parts.append(nn.Linear(width, hidden, bias=bias))
            if norm_layer is not None:
                parts.append(norm_layer(hidden))
            parts.append(activation_layer(**extra))
            parts.append(nn.Dropout(dropout, **extra))
            width = hidden
        parts.append(nn.Linear(width, hidden_channels[-1], bias=bias))
        parts.append(nn.Dropout(dropout, **extra))
        super().__init__(*parts)


class Permute(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return torch.permute(x, self.dims)


class StochasticDepth(nn.Module):
    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return input


def stochastic_depth(input, p, mode, training=True):
    return input


class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.register_buffer("weight", torch.ones(num_features))
        self.register_buffer("bias", torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        return x
'''

# Where torchvision defines each of these (the last part of the module path).
TV_STUB_MODULES = {
    "_log_api_usage_once": ("utils",),
    "_make_divisible": ("_utils",),
    "_ovewrite_named_param": ("_utils",),
    "WeightsEnum": ("_api",),
    "Weights": ("_api",),
    "Conv2dNormActivation": ("misc", "ops"),
    "Conv3dNormActivation": ("misc", "ops"),
    "SqueezeExcitation": ("misc", "ops"),
    "MLP": ("misc", "ops"),
    "Permute": ("misc", "ops"),
    "FrozenBatchNorm2d": ("misc", "ops"),
    "StochasticDepth": ("stochastic_depth", "ops"),
    "stochastic_depth": ("stochastic_depth", "ops"),
}

_PARSED = None


def stub_module():
    """The parsed stub source (parsed once per process)."""
    global _PARSED
    if _PARSED is None:
        import libcst as cst

        _PARSED = cst.parse_module(STUB_SOURCE)
    return _PARSED


def load_stubs(interp) -> Dict[str, object]:
    """Run the stub source in its own scope of ``interp``; the classes by name."""
    from .evaluator import Builtin, Scope
    from .torch import TModuleBase

    scope = Scope()
    scope.vars["_is_module"] = Builtin("_is_module", lambda v: isinstance(v, TModuleBase))
    interp.exec_block(stub_module().body, scope)
    return {name: scope.vars[name] for name in STUB_CLASSES if name in scope.vars}


_TV_PARSED = None


def tv_stub_module():
    global _TV_PARSED
    if _TV_PARSED is None:
        import libcst as cst

        _TV_PARSED = cst.parse_module(TV_STUB_SOURCE)
    return _TV_PARSED


def load_tv_stubs(interp) -> Dict[str, object]:
    """Run the torchvision stub source in its own scope; its names by name."""
    from .evaluator import Builtin, Scope, _Unknowable

    def _unknown(*args):
        raise _Unknowable()

    scope = Scope()
    scope.vars["_unknown"] = Builtin("_unknown", _unknown)
    interp.exec_block(tv_stub_module().body, scope)
    return {name: scope.vars[name] for name in TV_STUB_MODULES if name in scope.vars}


def tv_stub_name(module: str, name: str) -> bool:
    """Whether ``name`` imported from ``module`` (a dotted path, absolute or the part of a
    relative one after its dots) is one of the torchvision names described above."""
    where = TV_STUB_MODULES.get(name)
    if where is None:
        return False
    tail = module.split(".")[-1] if module else ""
    return tail in where


# torch.nn classes and their torch.nn base classes (nn.Module left out), as PyTorch 2.x
# defines them: isinstance(m, nn.Conv2d) / isinstance(m, nn.modules.conv._ConvNd) in
# weight-init loops are decided with it.
NN_CLASSES = frozenset(
    """
    AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveLogSoftmaxWithLoss
    AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d AlphaDropout AvgPool1d AvgPool2d
    AvgPool3d BCELoss BCEWithLogitsLoss BatchNorm1d BatchNorm2d BatchNorm3d Bilinear CELU
    CTCLoss ChannelShuffle CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d
    ConstantPad3d Container Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d
    CosineEmbeddingLoss CosineSimilarity CrossEntropyLoss CrossMapLRN2d DataParallel Dropout
    Dropout1d Dropout2d Dropout3d ELU Embedding EmbeddingBag FeatureAlphaDropout Flatten Fold
    FractionalMaxPool2d FractionalMaxPool3d GELU GLU GRU GRUCell GaussianNLLLoss GroupNorm
    Hardshrink Hardsigmoid Hardswish Hardtanh HingeEmbeddingLoss HuberLoss Identity
    InstanceNorm1d InstanceNorm2d InstanceNorm3d KLDivLoss L1Loss LPPool1d LPPool2d LPPool3d
    LSTM LSTMCell LayerNorm LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d LazyConv1d
    LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d
    LazyInstanceNorm1d LazyInstanceNorm2d LazyInstanceNorm3d LazyLinear LeakyReLU Linear
    LinearCrossEntropyLoss LocalResponseNorm LogSigmoid LogSoftmax MSELoss MarginRankingLoss
    MaxPool1d MaxPool2d MaxPool3d MaxUnpool1d MaxUnpool2d MaxUnpool3d Mish Module ModuleDict
    ModuleList MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss MultiheadAttention
    NLLLoss NLLLoss2d PReLU PairwiseDistance ParameterDict ParameterList PixelShuffle
    PixelUnshuffle PoissonNLLLoss RMSNorm RNN RNNBase RNNCell RNNCellBase RReLU ReLU ReLU6
    ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d
    ReplicationPad3d SELU Sequential SiLU Sigmoid SmoothL1Loss SoftMarginLoss Softmax Softmax2d
    Softmin Softplus Softshrink Softsign SyncBatchNorm Tanh Tanhshrink Threshold Transformer
    TransformerDecoder TransformerDecoderLayer TransformerEncoder TransformerEncoderLayer
    TripletMarginLoss TripletMarginWithDistanceLoss Unflatten Unfold Upsample
    UpsamplingBilinear2d UpsamplingNearest2d ZeroPad1d ZeroPad2d ZeroPad3d
    """.split()
)
NN_BASES = {
    'AdaptiveAvgPool1d': ('_AdaptiveAvgPoolNd',),
    'AdaptiveAvgPool2d': ('_AdaptiveAvgPoolNd',),
    'AdaptiveAvgPool3d': ('_AdaptiveAvgPoolNd',),
    'AdaptiveMaxPool1d': ('_AdaptiveMaxPoolNd',),
    'AdaptiveMaxPool2d': ('_AdaptiveMaxPoolNd',),
    'AdaptiveMaxPool3d': ('_AdaptiveMaxPoolNd',),
    'AlphaDropout': ('_DropoutNd',),
    'AvgPool1d': ('_AvgPoolNd',),
    'AvgPool2d': ('_AvgPoolNd',),
    'AvgPool3d': ('_AvgPoolNd',),
    'BCELoss': ('_WeightedLoss', '_Loss'),
    'BCEWithLogitsLoss': ('_Loss',),
    'BatchNorm1d': ('_BatchNorm', '_NormBase'),
    'BatchNorm2d': ('_BatchNorm', '_NormBase'),
    'BatchNorm3d': ('_BatchNorm', '_NormBase'),
    'CTCLoss': ('_Loss',),
    'CircularPad1d': ('_CircularPadNd',),
    'CircularPad2d': ('_CircularPadNd',),
    'CircularPad3d': ('_CircularPadNd',),
    'ConstantPad1d': ('_ConstantPadNd',),
    'ConstantPad2d': ('_ConstantPadNd',),
    'ConstantPad3d': ('_ConstantPadNd',),
    'Conv1d': ('_ConvNd',),
    'Conv2d': ('_ConvNd',),
    'Conv3d': ('_ConvNd',),
    'ConvTranspose1d': ('_ConvTransposeNd', '_ConvNd'),
    'ConvTranspose2d': ('_ConvTransposeNd', '_ConvNd'),
    'ConvTranspose3d': ('_ConvTransposeNd', '_ConvNd'),
    'CosineEmbeddingLoss': ('_Loss',),
    'CrossEntropyLoss': ('_WeightedLoss', '_Loss'),
    'Dropout': ('_DropoutNd',),
    'Dropout1d': ('_DropoutNd',),
    'Dropout2d': ('_DropoutNd',),
    'Dropout3d': ('_DropoutNd',),
    'FeatureAlphaDropout': ('_DropoutNd',),
    'GRU': ('RNNBase',),
    'GRUCell': ('RNNCellBase',),
    'GaussianNLLLoss': ('_Loss',),
    'HingeEmbeddingLoss': ('_Loss',),
    'HuberLoss': ('_Loss',),
    'InstanceNorm1d': ('_InstanceNorm', '_NormBase'),
    'InstanceNorm2d': ('_InstanceNorm', '_NormBase'),
    'InstanceNorm3d': ('_InstanceNorm', '_NormBase'),
    'KLDivLoss': ('_Loss',),
    'L1Loss': ('_Loss',),
    'LPPool1d': ('_LPPoolNd',),
    'LPPool2d': ('_LPPoolNd',),
    'LPPool3d': ('_LPPoolNd',),
    'LSTM': ('RNNBase',),
    'LSTMCell': ('RNNCellBase',),
    'LazyBatchNorm1d': ('_LazyNormBase', '_BatchNorm', '_NormBase'),
    'LazyBatchNorm2d': ('_LazyNormBase', '_BatchNorm', '_NormBase'),
    'LazyBatchNorm3d': ('_LazyNormBase', '_BatchNorm', '_NormBase'),
    'LazyConv1d': ('Conv1d', '_ConvNd'),
    'LazyConv2d': ('Conv2d', '_ConvNd'),
    'LazyConv3d': ('Conv3d', '_ConvNd'),
    'LazyConvTranspose1d': ('ConvTranspose1d', '_ConvTransposeNd', '_ConvNd'),
    'LazyConvTranspose2d': ('ConvTranspose2d', '_ConvTransposeNd', '_ConvNd'),
    'LazyConvTranspose3d': ('ConvTranspose3d', '_ConvTransposeNd', '_ConvNd'),
    'LazyInstanceNorm1d': ('_LazyNormBase', '_InstanceNorm', '_NormBase'),
    'LazyInstanceNorm2d': ('_LazyNormBase', '_InstanceNorm', '_NormBase'),
    'LazyInstanceNorm3d': ('_LazyNormBase', '_InstanceNorm', '_NormBase'),
    'LazyLinear': ('Linear',),
    'LinearCrossEntropyLoss': ('_WeightedLoss', '_Loss'),
    'MSELoss': ('_Loss',),
    'MarginRankingLoss': ('_Loss',),
    'MaxPool1d': ('_MaxPoolNd',),
    'MaxPool2d': ('_MaxPoolNd',),
    'MaxPool3d': ('_MaxPoolNd',),
    'MaxUnpool1d': ('_MaxUnpoolNd',),
    'MaxUnpool2d': ('_MaxUnpoolNd',),
    'MaxUnpool3d': ('_MaxUnpoolNd',),
    'MultiLabelMarginLoss': ('_Loss',),
    'MultiLabelSoftMarginLoss': ('_WeightedLoss', '_Loss'),
    'MultiMarginLoss': ('_WeightedLoss', '_Loss'),
    'NLLLoss': ('_WeightedLoss', '_Loss'),
    'NLLLoss2d': ('NLLLoss', '_WeightedLoss', '_Loss'),
    'PoissonNLLLoss': ('_Loss',),
    'RNN': ('RNNBase',),
    'RNNCell': ('RNNCellBase',),
    'ReLU6': ('Hardtanh',),
    'ReflectionPad1d': ('_ReflectionPadNd',),
    'ReflectionPad2d': ('_ReflectionPadNd',),
    'ReflectionPad3d': ('_ReflectionPadNd',),
    'ReplicationPad1d': ('_ReplicationPadNd',),
    'ReplicationPad2d': ('_ReplicationPadNd',),
    'ReplicationPad3d': ('_ReplicationPadNd',),
    'SmoothL1Loss': ('_Loss',),
    'SoftMarginLoss': ('_Loss',),
    'SyncBatchNorm': ('_BatchNorm', '_NormBase'),
    'TripletMarginLoss': ('_Loss',),
    'TripletMarginWithDistanceLoss': ('_Loss',),
    'UpsamplingBilinear2d': ('Upsample',),
    'UpsamplingNearest2d': ('Upsample',),
    'ZeroPad1d': ('ConstantPad1d', '_ConstantPadNd'),
    'ZeroPad2d': ('ConstantPad2d', '_ConstantPadNd'),
    'ZeroPad3d': ('ConstantPad3d', '_ConstantPadNd'),
}


def nn_mro(name: str):
    """``name`` and its torch.nn base classes (``nn.Module`` included), or None when
    ``name`` is not a torch.nn class shapelint knows."""
    if name == "Module":
        return ("Module",)
    if name not in NN_CLASSES:
        return None
    return (name,) + NN_BASES.get(name, ()) + ("Module",)


# Attributes every nn.Module has (PyTorch 2.x), for getattr(m, name, default) on modules.
NN_MODULE_ATTRS = frozenset(
    """
    T_destination __annotations__ __call__ __class__ __delattr__ __dict__ __dir__ __doc__ __eq__
    __format__ __ge__ __getattr__ __getattribute__ __getstate__ __gt__ __hash__ __init__
    __init_subclass__ __le__ __lt__ __module__ __ne__ __new__ __reduce__ __reduce_ex__ __repr__
    __setattr__ __setstate__ __sizeof__ __str__ __subclasshook__ __weakref__ _apply
    _backward_hooks _backward_pre_hooks _buffers _call_impl _compiled_call_impl _forward_hooks
    _forward_hooks_always_called _forward_hooks_with_kwargs _forward_pre_hooks
    _forward_pre_hooks_with_kwargs _get_backward_hooks _get_backward_pre_hooks _get_name
    _is_full_backward_hook _load_from_state_dict _load_state_dict_post_hooks
    _load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules _named_members
    _non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook
    _register_state_dict_hook _replicate_for_data_parallel _save_to_state_dict _slow_forward
    _state_dict_hooks _state_dict_pre_hooks _version _wrapped_call_impl add_module apply
    bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval
    extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu
    load_state_dict modules mtia named_buffers named_children named_modules named_parameters
    parameters register_backward_hook register_buffer register_forward_hook
    register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook
    register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
    register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu
    zero_grad
    """.split()
)
