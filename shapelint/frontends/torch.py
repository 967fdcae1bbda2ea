"""The PyTorch front-end: ``nn.Module`` classes, their ``__init__`` and ``forward()``.

Instances of ``nn.Module`` subclasses defined in the analysed file are built by running
``__init__`` in the interpreter (``self.conv = nn.Conv2d(...)`` registers a child module);
calling an instance runs ``forward()``.  Leaf modules (``nn.Conv2d``...) and functional ops
(``F.relu``, ``torch.cat``, ``x.view``) called on tensors add nodes to the layer graph, and the
shape engine computes their output shapes at once.

Where the input comes from, in order: ``summary --input``; a ``# shapelint: input=(...)``
comment on the class or on the line that builds the model; a call in the file on
``torch.randn/zeros/ones/rand(...)``; ``torchinfo.summary(model, input_size=...)``.  A model
with none of these is still run, on a symbolic input whose layout is read from the first
layer it meets (a ``Conv2d(3, ...)`` gets ``(N, 3, H, W)``), so channel and feature chains
are checked with spatial sizes as symbols.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from ..diagnostics import Span
from ..engine.registry import LayerConfig, Options, ShapeIssue, TensorArg, Unresolved, infer, lookup
from ..engine.shapes import Shape, format_shape, known, parse_shape
from ..engine.values import UNKNOWN, contains_unknown
from ..graph import CallNode, LayerGraph, LayerInfo, ModelInfo
from ..flow import torch_flow
from .evaluator import _ABSENT as _ABSENT_CLASS, BoundMethod, ClassVal, Frontend, Function, Instance, ModuleRef, Obj
from .evaluator import _deep_ok, flatten_each_once
from .torch_stubs import NN_MODULE_ATTRS, STUB_CLASSES, load_stubs, load_tv_stubs, nn_mro, tv_stub_name

FRAMEWORK = "torch"

TENSOR_FACTORIES = {"eye", "randn", "rand", "zeros", "ones", "empty", "randint", "full", "rand_like", "randn_like", "zeros_like", "ones_like", "empty_like", "full_like", "tensor", "as_tensor", "arange", "Tensor", "FloatTensor", "LongTensor"}
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}
# What nn.Sequential/ModuleList/ModuleDict add to nn.Module's attributes (PyTorch 2.x).
CONTAINER_ATTRS = {"_get_abs_string_index", "_get_item_by_idx", "append", "clear", "extend", "insert", "items", "keys", "pop", "update", "values"}
SHAPE_NEUTRAL_KWARGS = {
    "training", "inplace", "p", "negative_slope", "alpha", "mode", "align_corners", "antialias",
    "dtype", "device", "non_blocking", "memory_format", "approximate", "eps", "momentum", "value",
    "min", "max", "beta", "threshold", "lambd", "generator", "out", "copy", "recompute_scale_factor",
}
# Ops and tensor methods whose result is an integer tensor when their tensor inputs are
# (index arithmetic: torch.stack(torch.meshgrid(...)).flatten(1), coords[:, :, None] - ...).
INT_KEEPING_OPS = {
    "view", "reshape", "permute", "flatten", "getitem", "transpose", "unsqueeze", "squeeze", "sum",
    "add", "sub", "mul", "stack", "cat", "repeat", "expand", "flip", "roll", "t", "unflatten",
    "movedim", "repeat_interleave", "narrow", "select", "index_select", "gather",
}
INT_KEEPING_METHODS = {"contiguous", "clone", "detach", "cpu", "cuda", "abs", "neg", "clamp", "clamp_", "zero_", "fill_", "add_", "sub_", "mul_"}
# Positional arguments of functional ops that never change the output shape.
SHAPE_NEUTRAL_ARGS = {"bias", "eps", "momentum", "training", "running_mean", "running_var", "inplace"}
# Reductions that return (values, indices) when given a dim.
VALUES_INDICES_OPS = {"max", "min", "median", "mode", "sort", "topk", "kthvalue", "nanmedian", "cummax", "cummin"}
# How many leading positional arguments of a module call are shape inputs.
MULTI_INPUT = {"EmbeddingBag": 2, "Bilinear": 2, "MultiheadAttention": 3, "TransformerDecoderLayer": 2, "TransformerDecoder": 2, "Transformer": 2}
INPUT_COMMENT = re.compile(r"#\s*shapelint:\s*input\s*=\s*(.+)$")
# Tensor methods that are not ops on the shape (queries handled here).
SAME_SHAPE_METHODS = {
    "contiguous", "clone", "detach", "float", "double", "half", "bfloat16", "long", "int", "bool",
    "to", "cpu", "cuda", "type_as", "requires_grad_", "relu", "relu_", "sigmoid", "tanh", "exp",
    "log", "abs", "neg", "sqrt", "rsqrt", "clamp", "clamp_", "clip", "round", "floor", "ceil",
    "sign", "zero_", "fill_", "normal_", "uniform_", "masked_fill", "masked_fill_", "add_", "mul_",
    "sub_", "div_", "sin", "cos", "softmax", "log_softmax", "type", "pin_memory", "cumsum",
}


# In-place tensor methods that change the tensor's shape (every other one keeps it).
RESHAPING_INPLACE = {
    "resize_", "resize_as_", "squeeze_", "unsqueeze_", "transpose_", "t_", "swapaxes_", "swapdims_",
    "as_strided_", "set_", "share_memory_", "requires_grad_", "unsqueeze_", "put_",
}


class SymDim(Obj):
    """A symbolic size read from a tensor (``x.size(0)`` of a symbolic batch)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return "SymDim(%s)" % self.name


class UnknownDim(Obj):
    """A size read from a tensor that the analysis does not know (``x.size(0)`` of an
    unknown batch): unknown in arithmetic, but passed on as an unknown dimension to
    ``view``/``reshape``/``expand`` so the other sizes still count."""

    def __repr__(self) -> str:
        return "UnknownDim"


def dim_value(d):
    if known(d):
        return d
    if isinstance(d, str):
        return SymDim(d)
    return UnknownDim()


# --------------------------------------------------------------------------- tensors


class TTensor(Obj):
    integer = False  # certainly of an integer dtype (an index: torch.arange(n), x.long())

    def __init__(self, node: CallNode, index: int, shape: Shape, fe: "TorchFrontend"):
        self.node = node
        self.index = index
        self.shape = shape
        self.fe = fe

    def __repr__(self) -> str:
        return "TTensor(%s %s)" % (self.node.type, format_shape(self.shape))

    def truth(self):
        return UNKNOWN

    def shape_tuple(self):
        if self.shape is None:
            return UNKNOWN
        return tuple(dim_value(d) for d in self.shape)

    def attr(self, name, interp):
        fe = self.fe
        if name == "shape":
            return self.shape_tuple()
        if name == "ndim":
            return len(self.shape) if self.shape is not None else UNKNOWN
        if name == "T":
            return fe.op(interp, "t", [self], {}, None)
        if name in ("size", "dim", "numel", "ndimension", "nelement"):
            return BoundMethod(lambda it, a, k, n: self.query(name, a, k), name)
        if name in SAME_SHAPE_METHODS or (name.endswith("_") and not name.startswith("_") and name not in RESHAPING_INPLACE):
            # in-place methods keep the tensor's shape (noise.bernoulli_(p), x.div_(y))
            return BoundMethod(lambda it, a, k, n: fe.same_shape(it, name, self, n), name)
        if name in ("dtype", "device", "is_cuda", "requires_grad", "data", "grad"):
            return self if name in ("data",) else UNKNOWN
        return BoundMethod(lambda it, a, k, n: fe.op(it, name, [self] + list(a), k, n), name)

    def query(self, name, args, kwargs):
        if self.shape is None:
            return UNKNOWN
        if name == "size":
            if args or "dim" in kwargs:
                i = args[0] if args else kwargs["dim"]
                if not isinstance(i, int) or not -len(self.shape) <= i < len(self.shape):
                    return UNKNOWN
                return dim_value(self.shape[i])
            return self.shape_tuple()
        if name in ("dim", "ndimension"):
            return len(self.shape)
        n = 1
        for d in self.shape:
            if not known(d):
                return UNKNOWN
            n *= d
        return n

    def getitem(self, key, interp):
        if isinstance(key, TTensor) and key.integer:
            # table[index]: an integer index tensor picks whole rows
            shape = None
            if self.shape is not None and len(self.shape) >= 1 and key.shape is not None:
                shape = tuple(key.shape) + tuple(self.shape[1:])
            return self.fe.custom_op(interp, "getitem", [self, key], shape, self.node.span)
        return self.fe.op(interp, "getitem", [self, key], {}, None)

    def unpack(self, n: int):
        if self.shape is not None and len(self.shape) >= 1 and known(self.shape[0]) and self.shape[0] == n:
            return [self.fe.op(None, "getitem", [self, i], {}, None, span=self.node.span) for i in range(n)]
        return None

    def merge_with(self, other):
        if not isinstance(other, TTensor):
            return UNKNOWN
        if other.node is self.node and other.index == self.index:
            return self
        shape: Shape = None
        if self.shape is not None and other.shape is not None and len(self.shape) == len(other.shape):
            shape = tuple(x if x == y else None for x, y in zip(self.shape, other.shape))
        node = self.fe.graph.add("op", "branch", self.node.span, None, [(self.node, self.index), (other.node, other.index)], framework=FRAMEWORK)
        node.input_shapes = [self.shape, other.shape]
        node.outputs = [shape]
        return TTensor(node, 0, shape, self.fe)


# --------------------------------------------------------------------------- modules


class TModuleBase(Obj):
    """Anything that is an nn.Module: leaf layers, containers, user-defined classes."""

    type = "Module"
    unroll_fully = True  # loops over modules() run to their end (see evaluator)

    def init_module(self, fe: "TorchFrontend", span: Span):
        self.fe = fe
        self.span = span
        self.children: Dict[str, "TModuleBase"] = {}
        self.parents = 0
        self.own_params: Optional[int] = 0
        self.calls: List[CallNode] = []
        self.tainted = False
        self.called = False
        self.frozen = False  # requires_grad switched off for its own parameters
        self.maybe_unregistered = False  # may hold a submodule the analysis cannot see
        self.input_hint: Optional[Tuple] = None  # from a "# shapelint: input=(...)" comment
        self.tied_numel = 0  # parameters shared with another module (counted there)
        # made by a function nobody calls, run on its own with invented arguments
        self.on_its_own = bool(getattr(getattr(fe, "interp", None), "on_its_own", 0))

    def add_child(self, name: str, module: "TModuleBase") -> None:
        self.children[name] = module
        module.parents += 1

    def taint(self):
        self.tainted = True

    def is_leaf(self) -> bool:
        return not self.children

    def named_modules(self, prefix: str = "", memo=None) -> List[Tuple[str, "TModuleBase"]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return []
        memo.add(id(self))
        out = [(prefix, self)]
        for name, child in self.children.items():
            out.extend(child.named_modules(prefix + ("." if prefix else "") + name, memo))
        return out

    def params_unknown(self) -> bool:
        """Its own parameter count is unknown, or it may hold modules not followed (the
        result of an unknown call stored on it; a container given something unknown)."""
        return self.own_params is None or self.maybe_unregistered or (isinstance(self, TContainer) and self.tainted)

    def total_params(self) -> Optional[int]:
        """Unique parameters of the module tree (a tied weight counts once)."""
        total = 0
        for _, m in self.named_modules():
            if m.params_unknown():
                return None
            total += m.own_params - m.tied_numel
        return total

    def call_params(self) -> Optional[int]:
        """The parameters a forward hook sees on this module: its own, plus those of
        children it never calls (MultiheadAttention's out_proj); tied ones included."""
        total = 0
        for _, m in self.named_modules():
            if m.params_unknown():
                return None
            total += m.own_params
        return total

    def frozen_params(self) -> Optional[int]:
        frozen = 0
        for _, m in self.named_modules():
            if getattr(m, "partly_frozen", False):
                return None  # layer.weight.requires_grad = False: which of its parameters
            if m.frozen:
                if m.params_unknown():
                    return None
                frozen += m.own_params - m.tied_numel
        return frozen

    def common_attr(self, name, interp):
        if name in ("modules", "children", "named_modules", "named_children", "parameters", "named_parameters"):
            def listing(it, a, k, n):
                if name == "children":
                    return list(self.children.values())
                if name == "named_children":
                    return list(self.children.items())
                if name == "modules":
                    return [m for _, m in self.named_modules()]
                if name == "named_modules":
                    return self.named_modules()
                handles = [ParamHandle(m) for _, m in self.named_modules() if m.own_params != 0]
                if name == "parameters":
                    return handles
                return UNKNOWN
            return BoundMethod(listing, name)
        if name == "requires_grad_":
            def requires_grad_(it, a, k, n):
                flag = a[0] if a else k.get("requires_grad", True)
                if isinstance(flag, bool):
                    for _, m in self.named_modules():
                        m.frozen = not flag
                else:
                    for _, m in self.named_modules():
                        m.own_params = m.own_params if not it.speculative else m.own_params
                    self.tainted = True
                return self
            return BoundMethod(requires_grad_, name)
        if name == "add_module" or name == "register_module":
            def add_module(it, a, k, n):
                if len(a) >= 2 and isinstance(a[0], str) and isinstance(a[1], TModuleBase):
                    self.set_attr(a[0], a[1], it)
                else:
                    self.tainted = True
                return None
            return BoundMethod(add_module, name)
        if name in ("to", "cuda", "cpu", "train", "eval", "float", "double", "half", "apply", "zero_grad", "share_memory"):
            return BoundMethod(lambda it, a, k, n: self, name)
        if name in ("register_buffer", "register_parameter", "load_state_dict", "state_dict", "register_forward_hook"):
            def reg(it, a, k, n):
                if name in ("register_parameter", "register_buffer") and len(a) >= 2 and isinstance(a[0], str):
                    value = a[1]
                    if name == "register_buffer" and isinstance(value, TParam):
                        value = TTensor(value.node, 0, value.shape, value.fe)  # a buffer is not a parameter
                    if isinstance(self, TInstance):
                        self.set_attr(a[0], value, it)
                return None
            return BoundMethod(reg, name)
        return _MISSING

    def set_attr(self, name, value, interp):
        pass

    def clone(self, memo: dict) -> "TModuleBase":
        """``copy.deepcopy(module)``: the same configuration, new identities."""
        if id(self) in memo:
            return memo[id(self)]
        twin = self._shallow_twin()
        memo[id(self)] = twin
        twin.children = {}
        for name, child in self.children.items():
            twin.add_child(name, child.clone(memo))
        twin.parents = 0
        twin.calls = []
        twin.called = False
        self.fe.add_module_object(twin)
        return twin

    def _shallow_twin(self):
        import copy as _copy

        return _copy.copy(self)


_MISSING = object()


class ParamHandle(Obj):
    """What ``module.parameters()`` yields, per module: ``p.requires_grad = False``
    freezes that module's own parameters."""

    unroll_fully = True

    def __init__(self, module: "TModuleBase"):
        self.module = module

    def set_attr(self, name, value, interp):
        if name == "requires_grad":
            if isinstance(value, bool) and not interp.speculative:
                self.module.frozen = not value
            else:
                self.module.tainted = True

    def attr(self, name, interp):
        if name == "requires_grad_":
            return BoundMethod(lambda it, a, k, n: self.set_attr("requires_grad", a[0] if a else True, it), name)
        return UNKNOWN


class WeightRef(Obj):
    """``layer.weight`` (or ``layer.bias``) of a known leaf layer: for weight tying, and as
    a tensor of the parameter's shape when passed to a functional op
    (``F.linear(x, self.qkv.weight, self.qkv.bias)``)."""

    def __init__(self, owner: "TLayer", name: str, numel: Optional[int]):
        self.owner = owner
        self.name = name
        self.numel = numel
        self.shape: Shape = param_shape(owner, name)

    def attr(self, name, interp):
        if name == "shape":
            return tuple(self.shape) if self.shape is not None else UNKNOWN
        if name == "ndim":
            return len(self.shape) if self.shape is not None else UNKNOWN
        if self.shape is not None and name not in ("data", "grad", "requires_grad") and not name.endswith("_"):
            # self.conv.bias.view(1, -1, 1, 1): the parameter as a tensor of its shape
            return self.as_tensor(self.owner.fe).attr(name, interp)
        return UNKNOWN

    def set_attr(self, name, value, interp):
        if name == "requires_grad":
            owner = self.owner
            if isinstance(value, bool) and not interp.speculative and self.numel is not None and self.numel == owner.own_params:
                owner.frozen = not value  # the layer's only parameter (an Embedding's weight)
            else:
                owner.partly_frozen = True  # self.fc.weight.requires_grad = False: which part

    def as_tensor(self, fe: "TorchFrontend") -> Optional["TTensor"]:
        """The parameter as a tensor of its shape (None when the shape is unknown)."""
        if self.shape is None:
            return None
        node = fe.graph.add("input", "Parameter", self.owner.span, framework=FRAMEWORK)
        node.outputs = [self.shape]
        return TTensor(node, 0, self.shape, fe)


def param_shape(layer: "TLayer", name: str) -> Shape:
    """The shape PyTorch gives ``layer.weight``/``layer.bias`` (None when not certain)."""
    def arg(key, pos):
        if key in layer.kwargs:
            return layer.kwargs[key]
        return layer.args[pos] if pos < len(layer.args) else _MISSING

    def ints(*vs):
        return all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in vs)

    t = layer.type
    if t == "Linear":
        fin, fout = arg("in_features", 0), arg("out_features", 1)
        if ints(fin, fout):
            return (fout, fin) if name == "weight" else (fout,)
    elif t == "Embedding" and name == "weight":
        n, d = arg("num_embeddings", 0), arg("embedding_dim", 1)
        if ints(n, d):
            return (n, d)
    elif t in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"):
        cin, cout, k = arg("in_channels", 0), arg("out_channels", 1), arg("kernel_size", 2)
        groups = arg("groups", 6)
        groups = 1 if groups is _MISSING else groups
        nd = int(t[-2])
        if isinstance(k, int) and not isinstance(k, bool):
            k = (k,) * nd
        if ints(cin, cout, groups) and isinstance(k, (tuple, list)) and len(k) == nd and ints(*k):
            if name == "bias":
                return (cout,)
            if t.startswith("ConvTranspose"):
                return (cin, cout // groups) + tuple(k) if cout % groups == 0 else None
            return (cout, cin // groups) + tuple(k) if cin % groups == 0 else None
    return None


def weight_numel(layer: "TLayer") -> Optional[int]:
    """Elements of ``layer.weight`` for the layers whose weights people tie."""
    def arg(name, pos):
        if name in layer.kwargs:
            return layer.kwargs[name]
        return layer.args[pos] if pos < len(layer.args) else None

    ints = lambda *v: all(isinstance(x, int) and not isinstance(x, bool) for x in v)  # noqa: E731
    if layer.type == "Linear":
        a, b = arg("in_features", 0), arg("out_features", 1)
        return a * b if ints(a, b) else None
    if layer.type == "Embedding":
        a, b = arg("num_embeddings", 0), arg("embedding_dim", 1)
        return a * b if ints(a, b) else None
    return None


class TLayer(TModuleBase, LayerConfig):
    """A leaf module from torch.nn (``nn.Conv2d(3, 16, 3)``)."""

    def __init__(self, fe, type_: str, args, kwargs, span: Span):
        LayerConfig.__init__(self, FRAMEWORK, type_, tuple(args), dict(kwargs))
        self.init_module(fe, span)
        self.ldef = lookup(FRAMEWORK, type_)
        self.own_params = fe.static_params(self) if self.ldef is not None else None
        self.type = type_

    __hash__ = LayerConfig.__hash__
    __eq__ = LayerConfig.__eq__

    def __repr__(self) -> str:
        return "TLayer(%s)" % self.type

    def call(self, interp, args, kwargs, node):
        return self.fe.call_leaf(interp, self, args, kwargs, node)

    def set_attr(self, name, value, interp):
        if name == "weight" and isinstance(value, WeightRef) and value.owner is not self:
            mine = weight_numel(self)
            if mine is not None and mine == value.numel and not interp.speculative:
                self.tied_numel = mine  # one Parameter in two modules: counted once
            else:
                self.own_params = None
        elif name in ("weight", "bias"):
            self.tainted = True

    def attr(self, name, interp):
        v = self.common_attr(name, interp)
        if v is not _MISSING:
            return v
        if name == "weight":
            return WeightRef(self, name, weight_numel(self))
        if name == "bias" and self.type.startswith(("Conv", "Linear", "Bilinear", "LazyConv", "LazyLinear")):
            # a Parameter, or None when built with bias=False (not the constructor flag)
            flag = self.kwargs.get("bias", UNKNOWN)
            if flag is UNKNOWN and self.ldef is not None and "bias" in self.ldef.signature:
                i = self.ldef.signature.index("bias")
                flag = self.args[i] if i < len(self.args) else True
            if flag is False:
                return None
            return WeightRef(self, name, None) if flag is True else UNKNOWN
        if self.ldef is not None:
            v = _MISSING
            if name in self.kwargs:
                v = self.kwargs[name]
            elif name in self.ldef.signature:
                i = self.ldef.signature.index(name)
                if i < len(self.args):
                    v = self.args[i]
            if v is not _MISSING:
                if name == "normalized_shape" and isinstance(v, int) and not isinstance(v, bool):
                    return (v,)  # nn.LayerNorm keeps it as a tuple
                return v
        return UNKNOWN


class TContainer(TModuleBase):
    """nn.Sequential, nn.ModuleList, nn.ModuleDict."""

    def __init__(self, fe, type_: str, span: Span):
        self.init_module(fe, span)
        self.type = type_

    def __repr__(self) -> str:
        return "TContainer(%s, %d)" % (self.type, len(self.children))

    def is_leaf(self) -> bool:
        return False  # an empty container is not a layer

    def append(self, module) -> None:
        if isinstance(module, TModuleBase):
            self.add_child(str(len(self.children)), module)
        else:
            self.tainted = True

    def iterate(self):
        if self.tainted:
            return None
        if self.type == "ModuleDict":
            return list(self.children.keys())
        return list(self.children.values())

    def getitem(self, key, interp):
        if self.tainted:
            return UNKNOWN
        if self.type == "ModuleDict":
            return self.children.get(key, UNKNOWN) if isinstance(key, str) else UNKNOWN
        mods = list(self.children.values())
        if isinstance(key, int) and not isinstance(key, bool):
            try:
                return mods[key]
            except IndexError:
                return UNKNOWN
        if isinstance(key, slice):
            sub = TContainer(self.fe, self.type, self.span)
            for i, m in zip(range(len(mods))[key], mods[key]):
                sub.children[str(i)] = m  # a view: no new parents
            return sub
        return UNKNOWN

    def set_attr(self, name, value, interp):
        if isinstance(value, TModuleBase):
            self.add_child(name, value)

    def setitem(self, key, value, interp):
        if interp.speculative or not isinstance(value, TModuleBase):
            self.tainted = True
            return
        if self.type == "ModuleDict" and isinstance(key, str):
            self.children.pop(key, None)
            self.add_child(key, value)
        elif isinstance(key, int) and not isinstance(key, bool) and -len(self.children) <= key < len(self.children):
            name = list(self.children)[key]
            self.children[name] = value
            value.parents += 1
        else:
            self.tainted = True

    def delitem(self, key, interp):
        """``del seq[i]`` / ``del seq[a:b]`` (renumbered, as PyTorch does), ``del d["k"]``."""
        if self.tainted:
            return
        names = list(self.children)
        if self.type == "ModuleDict":
            if isinstance(key, str) and key in self.children:
                self.children.pop(key).parents -= 1
            else:
                self.tainted = True
            return
        if isinstance(key, int) and not isinstance(key, bool) and -len(names) <= key < len(names):
            gone = [names[key]]
        elif isinstance(key, slice):
            gone = names[key]
        else:
            self.tainted = True
            return
        for n in gone:
            self.children.pop(n).parents -= 1
        self.children = {str(i): m for i, m in enumerate(self.children.values())}

    def contains(self, key):
        if self.tainted or self.type != "ModuleDict" or not isinstance(key, str):
            return UNKNOWN
        return key in self.children

    def attr(self, name, interp):
        v = self.common_attr(name, interp)
        if v is not _MISSING:
            return v
        if name in ("append", "extend", "insert"):
            def method(it, a, k, n):
                if it.speculative:
                    self.tainted = True
                if name == "append" and a:
                    self.append(a[0])
                elif name == "extend" and a:
                    seq = it.iterate(a[0])
                    if seq is None:
                        self.tainted = True
                    else:
                        for m in seq:
                            self.append(m)
                else:
                    self.tainted = True
                return self
            return BoundMethod(method, name)
        if self.type == "ModuleDict" and name in ("items", "keys", "values"):
            def listing(it, a, k, n):
                if self.tainted:
                    return UNKNOWN
                if name == "items":
                    return list(self.children.items())
                if name == "keys":
                    return list(self.children.keys())
                return list(self.children.values())
            return BoundMethod(listing, name)
        if name == "__len__":
            return len(self.children)
        if name in self.children:
            return self.children[name]
        return UNKNOWN

    def call(self, interp, args, kwargs, node):
        if self.type != "Sequential":
            return UNKNOWN
        if self.tainted:
            interp.taint_args(args, kwargs)
            return UNKNOWN
        self.called = True

        def run():
            x = args[0] if args else UNKNOWN
            for child in list(self.children.values()):
                x = child.call(interp, [x], {}, node)
            return x

        return self.fe.recorded(self, run, args=args)


class TInstance(Instance, TModuleBase):
    """An instance of an nn.Module subclass defined in the analysed code."""

    def __init__(self, fe, cls: ClassVal, span: Span, interp):
        Instance.__init__(self, cls, interp)
        self.init_module(fe, span)
        self.type = cls.name
        self.input_hint: Optional[Tuple] = None
        self.stub = False
        self.container_kind: Optional[str] = None  # subclass of nn.Sequential/ModuleList
        self.leaf_kind: Optional[str] = None  # subclass of a torch.nn layer (class LayerNorm2d(nn.LayerNorm))
        self.base_layer: Optional[TLayer] = None  # that layer, as its constructor configured it
        self.dict_exposed = False
        self.unknown_args = False  # built with an unknown (or missing) constructor argument

    def __repr__(self) -> str:
        return "TInstance(%s)" % self.type

    def set_attr(self, name, value, interp):
        if value is UNKNOWN and (self.unknown_args or interp.steps - getattr(interp, "last_unknown_call", -10) <= 1):
            # self.fpn = FeaturePyramidNetwork(...) from code not followed, or
            # self.backbone = backbone given an unknown value: it may be a module
            self.maybe_unregistered = True
        if isinstance(value, TModuleBase):
            if name in self.children:
                self.children.pop(name)
            if interp.speculative > self.spec_level:
                self.tainted = True  # a submodule registered on an uncertain path
            self.add_child(name, value)
        elif isinstance(value, TParam):
            if self.own_params is not None:
                self.own_params = None if value.numel is None else self.own_params + value.numel
            value.owner = self
            if not value.trainable:
                self.partly_frozen = True  # frozen parameters of a module with others
        elif name in self.children and value is None:
            self.children.pop(name)
        Instance.set_attr(self, name, value, interp)

    def attr_absent(self, name) -> bool:
        """The module certainly has no attribute ``name``: its constructor ran on certain
        paths, its classes are all known, and nothing set or defines it."""
        if self.tainted or self.uncertain_attrs or self.dict_exposed or name in self.attrs or name in self.children:
            return False
        if name.startswith("__") or name in NN_MODULE_ATTRS or self.base_layer is not None or self.leaf_kind is not None:
            return False
        if name in CONTAINER_ATTRS or self.cls.lookup(name) is not _ABSENT_CLASS:
            return False
        if self.cls.lookup("__getattr__") is not _ABSENT_CLASS or self.cls.lookup("__getattribute__") is not _ABSENT_CLASS:
            return False  # attributes computed on demand
        for c in self.cls.mro():
            for b in c.bases:
                if isinstance(b, ClassVal):
                    continue
                if not (isinstance(b, ModuleRef) and (b.path == "object" or (torch_parts(b.path) or [""])[-1] in ("Module",) + tuple(CONTAINERS))):
                    return False
        return True

    def del_attr(self, name, interp):
        """``del self.fc``: the submodule (or parameter) is no longer registered."""
        if name in self.children:
            self.children.pop(name).parents -= 1
        elif isinstance(self.attrs.get(name), TParam):
            self.own_params = None  # which parameter count is left is not tracked
        Instance.del_attr(self, name, interp)

    def base_attr(self, name, interp):
        if name == "__dict__":
            self.dict_exposed = True  # self.__dict__.update(...): attributes not followed
        v = self.common_attr(name, interp)
        if v is not _MISSING:
            return v
        if self.base_layer is not None:
            return self.base_layer.attr(name, interp)
        kind = self.container_kind
        if kind == "ModuleDict" and name in ("items", "keys", "values"):
            def listing(it, a, k, n):
                if self.tainted:
                    return UNKNOWN
                if name == "items":
                    return list(self.children.items())
                return list(self.children.keys()) if name == "keys" else list(self.children.values())
            return BoundMethod(listing, name)
        if kind in ("ModuleList", "Sequential") and name in ("append", "extend"):
            def method(it, a, k, n):
                seq = [a[0]] if name == "append" and a else (it.iterate(a[0]) if a else None)
                if it.speculative > self.spec_level or seq is None:
                    self.tainted = True
                for m in seq or []:
                    if isinstance(m, TModuleBase):
                        self.add_child(str(len(self.children)), m)
                    else:
                        self.tainted = True
                return self
            return BoundMethod(method, name)
        return UNKNOWN

    def init_base_layer(self, args, kwargs) -> None:
        """The torch.nn layer this class derives from, configured by ``super().__init__``."""
        layer = TLayer(self.fe, self.leaf_kind, args, kwargs, self.span)
        self.base_layer = layer
        self.own_params = layer.own_params

    def super_attr(self, name, interp):
        if name == "__init__" and self.leaf_kind is not None:
            def init_leaf(it, args, kwargs, node):
                self.init_base_layer(args, kwargs)
                return None
            return BoundMethod(init_leaf, name)
        if name == "__init__" and self.container_kind is not None:
            def init(it, args, kwargs, node):
                proto = self.fe.container(it, self.container_kind, args, kwargs, self.span)
                for key, child in list(proto.children.items()):
                    child.parents -= 1
                    self.add_child(key, child)
                self.fe.modules.remove(proto)
                if proto.tainted:
                    self.tainted = True
                return None
            return BoundMethod(init, name)
        return Instance.super_attr(self, name, interp)

    def iterate(self):
        if self.container_kind is None or self.tainted:
            return None
        if self.container_kind == "ModuleDict":
            return list(self.children.keys())
        return list(self.children.values())

    def getitem(self, key, interp):
        if self.container_kind is None or self.tainted:
            return UNKNOWN
        if self.container_kind == "ModuleDict":
            return self.children.get(key, UNKNOWN) if isinstance(key, str) else UNKNOWN
        mods = list(self.children.values())
        if isinstance(key, int) and not isinstance(key, bool) and -len(mods) <= key < len(mods):
            return mods[key]
        return UNKNOWN

    def clone(self, memo: dict) -> "TModuleBase":
        twin = TModuleBase.clone(self, memo)
        twin.attrs = {k: (v.clone(memo) if isinstance(v, TModuleBase) else v) for k, v in self.attrs.items()}
        return twin

    def call(self, interp, args, kwargs, node):
        return self.fe.call_instance(interp, self, args, kwargs, node)

    def is_leaf(self) -> bool:
        return not self.children


class TParam(TTensor):
    """``nn.Parameter(torch.zeros(...))``: a learnable tensor of a module."""

    trainable = True
    owner = None  # the module it is registered on

    def set_attr(self, name, value, interp):
        if name == "requires_grad":
            self.trainable = False
            if self.owner is not None:
                self.owner.partly_frozen = True  # self.cls_token.requires_grad = False

    def attr(self, name, interp):
        if name == "requires_grad_":
            def requires_grad_(it, a, k, n):
                self.set_attr("requires_grad", a[0] if a else k.get("requires_grad", True), it)
                return self
            return BoundMethod(requires_grad_, name)
        return TTensor.attr(self, name, interp)

    def __init__(self, node, shape, fe):
        super().__init__(node, 0, shape, fe)
        self.numel = None
        if shape is not None and all(known(d) for d in shape):
            n = 1
            for d in shape:
                n *= d
            self.numel = n


# --------------------------------------------------------------------------- the front-end


def torch_parts(path: str) -> Optional[List[str]]:
    parts = path.split(".")
    if parts[0] != "torch":
        return None
    return parts


class TorchFrontend(Frontend):
    def __init__(self, graph: LayerGraph, options: Options, input_override: Optional[List[Tuple]] = None, source_lines=None):
        self.graph = graph
        self.options = options
        self.input_override = [tuple(s) for s in (input_override or [])]
        self.modules: List[TModuleBase] = []  # every module built, in order
        self.recording: Optional[dict] = None  # the top-level model call being recorded
        self.runs: Dict[int, dict] = {}  # id(root module) -> its last recorded top-level run
        self.stack: List[dict] = []  # module calls under way
        self.anchor: List[Span] = []  # while running stub code: the user's line
        self.stubs: Optional[Dict[str, ClassVal]] = None
        self.constructing = 0  # depth of nn.Module constructors under way
        self.notes: Dict[int, List[str]] = {}  # per model: facts for the summary
        self.internal: set = set()  # ids of modules built inside another module's constructor
        self.source_lines = source_lines or []
        self.has_input_comments = any("shapelint:" in l for l in self.source_lines)
        self.call_depth = 0

    def where(self, interp, node) -> Span:
        """Where a node of the code being run is reported: inside torch.nn composites
        (stub code) that is the user's line that built or called the composite."""
        if self.anchor:
            return self.anchor[-1]
        if interp is None or node is None:
            return Span(1, 0, 1, 0)
        return interp.span(node)

    def stub_class(self, interp, name) -> Optional[ClassVal]:
        if name not in STUB_CLASSES:
            return None
        if self.stubs is None:
            self.anchor.append(Span(1, 0, 1, 0))
            try:
                self.stubs = load_stubs(interp)
            finally:
                self.anchor.pop()
            self.stub_ids = {id(c) for c in self.stubs.values()}
        return self.stubs.get(name)

    def tv_stub(self, interp, name):
        """A torchvision building block or helper described in torch_stubs."""
        if getattr(self, "tv_stubs", None) is None:
            self.anchor.append(Span(1, 0, 1, 0))
            try:
                self.tv_stubs = load_tv_stubs(interp)
            finally:
                self.anchor.pop()
            if self.stubs is None:
                self.stubs = {}
                self.stub_ids = set()
            self.stub_ids |= {id(v) for v in self.tv_stubs.values() if isinstance(v, ClassVal)}
        return self.tv_stubs.get(name, UNKNOWN)

    def resolve_path(self, interp, path):
        parts = torch_parts(path)
        if parts is not None and len(parts) >= 3 and parts[1] == "nn" and parts[-1] in STUB_CLASSES:
            # nn.Transformer* as classes: so that user classes can derive from them
            stub = self.stub_class(interp, parts[-1])
            if stub is not None:
                return stub
        if path.startswith("torchvision."):
            module, _, name = path.rpartition(".")
            if tv_stub_name(module, name):
                return self.tv_stub(interp, name)
        return NotImplemented

    def unresolved_import(self, interp, module, name):
        """``from ..ops.misc import Conv2dNormActivation`` in a copy of torchvision's model
        files without the rest of its package: the names torch_stubs describes."""
        if tv_stub_name(module, name):
            return self.tv_stub(interp, name)
        return NotImplemented

    # -- paths ----------------------------------------------------------------------

    def knows_path(self, path: str) -> bool:
        parts = torch_parts(path)
        return bool(parts and len(parts) >= 3 and parts[1] == "nn" and lookup(FRAMEWORK, parts[-1]) is not None)

    def call_path(self, interp, path, args, kwargs, node):
        parts = torch_parts(path)
        if parts is None:
            if path in ("copy.deepcopy", "copy.copy") and len(args) == 1 and isinstance(args[0], TModuleBase):
                return args[0].clone({}) if path == "copy.deepcopy" else args[0]
            if path.split(".")[0] == "torchinfo" and parts is None and path.endswith("summary"):
                return self.torchinfo_summary(interp, args, kwargs, node)
            if path in ("collections.OrderedDict", "OrderedDict"):
                return self.ordered_dict(args)
            return NotImplemented
        name = parts[-1]
        span = self.where(interp, node)
        if len(parts) >= 3 and parts[1] == "nn" and parts[2] not in ("functional", "init", "utils"):
            stub = self.stub_class(interp, name)
            if stub is not None:
                return stub.call(interp, list(args), dict(kwargs), node)
            if name in CONTAINERS:
                return self.container(interp, name, args, kwargs, span)
            if name == "Parameter":
                t = args[0] if args else kwargs.get("data", UNKNOWN)
                shape = t.shape if isinstance(t, TTensor) else None
                pnode = self.graph.add("input", "Parameter", span, framework=FRAMEWORK)
                pnode.outputs = [shape]
                param = TParam(pnode, shape, self)
                grad = args[1] if len(args) > 1 else kwargs.get("requires_grad", True)
                param.trainable = grad is True  # nn.Parameter(t, requires_grad=False): frozen
                return param
            if name == "Module":
                return UNKNOWN
            if name[:1].isupper():
                return self.make_layer(interp, name, args, kwargs, span)
            return UNKNOWN
        if len(parts) >= 3 and parts[1] == "nn" and parts[2] in ("init", "utils"):
            return None if parts[2] == "init" else UNKNOWN
        if len(parts) == 2 and name in TENSOR_FACTORIES or (len(parts) == 2 and name in ("Size",)):
            if name == "Size":
                return tuple(args[0]) if args and isinstance(args[0], (tuple, list)) else UNKNOWN
            return self.factory(interp, name, args, kwargs, span)
        if name == "meshgrid" and len(parts) == 2:
            return self.meshgrid(interp, args, kwargs, node)
        if name in ("no_grad", "inference_mode", "manual_seed", "set_grad_enabled", "device", "set_default_dtype"):
            return None
        tensors = [a for a in _flatten(list(args) + list(kwargs.values())) if isinstance(a, TTensor)]
        if tensors or (args and isinstance(args[0], (list, tuple)) and any(isinstance(t, TTensor) for t in _flatten(args[0]))):
            return self.op(interp, _FUNCTIONAL_ALIASES.get(name, name), list(args), kwargs, node)
        return UNKNOWN

    def binary_op(self, interp, op, left, right, node):
        lt, rt = isinstance(left, TTensor), isinstance(right, TTensor)
        if op == "+" and isinstance(left, TContainer) and left.type in ("ModuleList", "Sequential"):
            return self.concat_container(interp, left, right)
        if not (lt or rt):
            return NotImplemented
        name = _OP_NAMES.get(op)
        if name is None:
            return self.opaque(interp, op, [t for t in (left, right) if isinstance(t, TTensor)], node)
        if op in ("+", "-", "*", "/", "**", "//", "%") and not (lt and rt):
            t = left if lt else right
            other = right if lt else left
            if isinstance(other, (int, float)) and not isinstance(other, bool) or isinstance(other, SymDim):
                integer = t.integer and isinstance(other, int) and op in ("+", "-", "*", "//", "%")
                return self.same_shape(interp, name, t, node, integer=integer)
        return self.op(interp, name, [left, right], {}, node)

    def isinstance_of(self, interp, obj, cls):
        """``isinstance`` against torch classes (weight-init loops over ``self.modules()``,
        ``isinstance(x, torch.Tensor)``), from the class table in torch_stubs."""
        parts = torch_parts(cls.path) if isinstance(cls, ModuleRef) else None
        if parts is None:
            if isinstance(obj, (TModuleBase, TTensor)) and isinstance(cls, ClassVal):
                if isinstance(obj, TInstance):
                    return NotImplemented  # the evaluator compares local classes
                return False  # a torch.nn layer or a tensor is no instance of a local class
            return NotImplemented
        name = parts[-1]
        tensor_class = name in ("Tensor", "FloatTensor", "LongTensor", "Parameter") and (len(parts) == 2 or parts[1] == "nn")
        if tensor_class:
            if isinstance(obj, TTensor):
                return True if name != "Parameter" else isinstance(obj, TParam)
            if isinstance(obj, TModuleBase) or obj is None or isinstance(obj, (int, float, str, bool, list, tuple, dict)):
                return False
            return UNKNOWN
        if len(parts) < 3 or parts[1] != "nn":
            return UNKNOWN
        if not isinstance(obj, TModuleBase):
            if isinstance(obj, TTensor) or obj is None or isinstance(obj, (int, float, str, bool, list, tuple, dict)):
                return False
            return UNKNOWN
        mro = module_mro(obj, interp)
        if mro is None:
            return UNKNOWN
        return name in mro

    def concat_container(self, interp, left: "TContainer", right) -> "TContainer":
        """``layers + [block]`` / ``self.layers += [block]`` on a ModuleList or Sequential:
        a container of both (PyTorch's ``+=`` extends in place; the result is the same)."""
        items = interp.iterate(right) if not isinstance(right, TContainer) else right.iterate()
        out = TContainer(self, left.type, left.span)
        self.add_module_object(out)
        seq = left.iterate()
        if seq is None or items is None:
            out.tainted = True
            return out
        for m in list(seq) + list(items):
            out.append(m)
        if interp.speculative:
            out.tainted = True
        return out

    def instantiate_class(self, interp, cls: ClassVal, args, kwargs, node):
        bases = [torch_parts(p) for p in cls.base_paths(interp)]
        leaf_bases = [b[-1] for b in bases if b is not None and len(b) >= 3 and b[1] == "nn" and b[-1] not in CONTAINERS and lookup(FRAMEWORK, b[-1]) is not None]
        if not leaf_bases and not any(b is not None and len(b) >= 2 and b[1] == "nn" and b[-1] in ("Module", "Sequential", "ModuleList", "ModuleDict") for b in bases):
            return NotImplemented
        span = self.where(interp, node)
        inst = TInstance(self, cls, span, interp)
        inst.stub = self.stubs is not None and id(cls) in self.stub_ids
        for b in bases:
            if b is not None and len(b) >= 2 and b[1] == "nn" and b[-1] in CONTAINERS:
                inst.container_kind = b[-1]
        if leaf_bases and len(bases) == 1:
            inst.leaf_kind = leaf_bases[0]
            inst.own_params = None  # known once the layer's constructor has run
        elif leaf_bases:
            inst.tainted = True  # mixins over a torch.nn layer: not followed
        self.add_module_object(inst)
        if not self.anchor:
            inst.input_hint = self.comment_input(cls.node, node, interp)
        init = cls.lookup("__init__")
        inst.unknown_args = contains_unknown(list(args)) or contains_unknown(list(kwargs.values())) or _missing_required(init, args, kwargs)
        if inst.leaf_kind is not None and not isinstance(init, Function):
            inst.init_base_layer(list(args), dict(kwargs))  # the layer's own constructor
        elif inst.container_kind is not None and not isinstance(init, Function):
            # class Stack(nn.Sequential) without an __init__: nn.Sequential's constructor
            # registers the arguments
            inst.super_attr("__init__", interp).call(interp, list(args), dict(kwargs), node)
        if isinstance(init, Function):
            if inst.stub:
                self.anchor.append(span)
            self.constructing += 1
            try:
                init.bind(inst).call(interp, list(args), dict(kwargs), node)
            finally:
                self.constructing -= 1
                if inst.stub:
                    self.anchor.pop()
        return inst

    # -- construction ---------------------------------------------------------------

    def make_layer(self, interp, name, args, kwargs, span) -> TLayer:
        layer = TLayer(self, name, args, kwargs, span)
        self.add_module_object(layer)
        return layer

    def add_module_object(self, m) -> None:
        self.modules.append(m)
        self._count("structure_events")  # a loop that builds modules is never cut short
        if self.constructing or self.anchor or getattr(getattr(self, "interp", None), "importing", 0):
            self.internal.add(id(m))

    def _count(self, what: str) -> None:
        interp = getattr(self, "interp", None)
        if interp is not None:
            setattr(interp, what, getattr(interp, what) + 1)

    def static_params(self, layer: TLayer) -> Optional[int]:
        try:
            return infer(layer, [None] * max(1, MULTI_INPUT.get(layer.type, 1)), self.options).params
        except (ShapeIssue, Unresolved):
            return None
        except Exception:
            return None

    def container(self, interp, name, args, kwargs, span) -> TContainer:
        c = TContainer(self, name, span)
        self.add_module_object(c)
        if id(c) not in self.internal:
            c.input_hint = self.comment_on_line(span.line) if self.has_input_comments else None
        if name == "Sequential":
            if len(args) == 1 and isinstance(args[0], dict):
                for k, m in args[0].items():
                    if isinstance(m, TModuleBase) and isinstance(k, str):
                        c.add_child(k, m)
                    else:
                        c.tainted = True
            else:
                for m in args:
                    c.append(m)
        elif name == "ModuleList":
            items = args[0] if args else kwargs.get("modules", [])
            seq = interp.iterate(items) if items is not None else []
            if seq is None:
                c.tainted = True
            else:
                for m in seq:
                    c.append(m)
        elif name == "ModuleDict":
            items = args[0] if args else kwargs.get("modules", {})
            if isinstance(items, dict):
                for k, m in items.items():
                    if isinstance(m, TModuleBase):
                        c.add_child(str(k), m)
            elif isinstance(items, (list, tuple)):
                for pair in items:
                    if isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[1], TModuleBase):
                        c.add_child(str(pair[0]), pair[1])
            elif items is not None:
                c.tainted = True
        return c

    def ordered_dict(self, args):
        if not args:
            return {}
        seq = args[0]
        if isinstance(seq, dict):
            return dict(seq)
        if isinstance(seq, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in seq):
            return {p[0]: p[1] for p in seq}
        return UNKNOWN

    def factory(self, interp, name, args, kwargs, span):
        shape = _factory_shape(name, args, kwargs)
        node = self.graph.add("input", "Tensor", span, framework=FRAMEWORK)
        node.outputs = [shape]
        t = TTensor(node, 0, shape, self)
        t.integer = _factory_integer(name, args, kwargs)
        return t

    def comment_input(self, cls_node, call_node, interp) -> Optional[Tuple]:
        """``# shapelint: input=(1, 3, 32, 32)`` on the class line or the call line."""
        if not self.has_input_comments:
            return None  # most files have none: do not compute positions for them
        for node in (cls_node, call_node):
            try:
                hint = self.comment_on_line(interp.span(node).line) if self.has_input_comments else None
            except Exception:
                hint = None
            if hint is not None:
                return hint
        return None

    def comment_on_line(self, line: int) -> Optional[Tuple]:
        if not self.has_input_comments or not 1 <= line <= len(self.source_lines):
            return None
        m = INPUT_COMMENT.search(self.source_lines[line - 1])
        return _parse_shape_text(m.group(1)) if m else None

    # -- calls ----------------------------------------------------------------------

    def call_instance(self, interp, inst: TInstance, args, kwargs, node):
        fwd = inst.cls.lookup("forward")
        if inst.leaf_kind is not None and not isinstance(fwd, Function) and not inst.tainted:
            if inst.base_layer is None:
                interp.taint_args(args, kwargs)
                return UNKNOWN
            inst.called = True
            base = inst.base_layer
            return self.recorded(inst, lambda: self._call_leaf(interp, base, args, kwargs, node)[0], args=args)
        if inst.container_kind == "Sequential" and not isinstance(fwd, Function) and not inst.tainted:
            inst.called = True

            def run_children():
                x = args[0] if args else UNKNOWN
                for child in list(inst.children.values()):
                    x = child.call(interp, [x], {}, node)
                return x

            return self.recorded(inst, run_children, args=args)
        if not isinstance(fwd, Function) or inst.tainted:
            interp.taint_args(args, kwargs)
            return UNKNOWN
        inst.called = True
        if inst.stub:
            self.anchor.append(self.where(interp, node))

        def run():
            try:
                return fwd.bind(inst).call(interp, list(args), dict(kwargs), node)
            finally:
                if inst.stub:
                    self.anchor.pop()

        return self.recorded(inst, run, args=args)

    def recorded(self, module, run, node: Optional[CallNode] = None, args=None):
        """Run the module call ``run``.

        A call made outside any other module call is a top-level run of ``module``; its
        summary lists the *leaf calls* made during it -- calls during which no other module
        call starts (as PyTorch's forward hooks would see them) -- and the last top-level
        run of a model is the one summarized."""
        top = self.recording is None
        if top:
            # a call on something that is not a tensor (a batch from a data loader) says
            # nothing about the model's input: finish() then runs it on a symbolic one
            blind = args is not None and not any(isinstance(a, TTensor) for a in _flatten(list(args)))
            self.recording = {"root": module, "calls": [], "blind": blind}
            interp = getattr(self, "interp", None)
            events = interp.structure_events if interp is not None else 0
        if self.stack:
            self.stack[-1]["nested"] = True
        frame = {"module": module, "nested": False, "first": self.graph._next}
        self.stack.append(frame)
        result = UNKNOWN
        try:
            result = run()
            return result
        finally:
            self.stack.pop()
            if not frame["nested"] and self.recording is not None:
                self.recording["calls"].append((module, first_tensor_shape(result), node))
                # the graph nodes the call made and what it returned: the summary's pictures
                self.recording.setdefault("flow", []).append((frame["first"], self.graph._next, result))
            if top:
                self.recording["span"] = (frame["first"], self.graph._next, result, args)
                record, self.recording = self.recording, None
                self.runs[id(module)] = record
                if interp is not None:
                    # a whole model call is one computation to a loop around it (a
                    # generation loop is cut short); loops inside forward() saw its layers
                    interp.structure_events = events
                    interp.op_events += 1

    def call_leaf(self, interp, layer: TLayer, args, kwargs, node):
        holder = {}

        def run():
            out, holder["node"] = self._call_leaf(interp, layer, args, kwargs, node)
            return out

        return self.recorded(layer, run, node=None, args=args)

    def _call_leaf(self, interp, layer: TLayer, args, kwargs, node):
        span = self.where(interp, node) if node is not None else layer.span
        n_in = MULTI_INPUT.get(layer.type, 1)
        positional = list(args[:n_in])
        if layer.type == "MultiheadAttention":
            for key in ("query", "key", "value"):
                if key in kwargs:
                    positional.append(kwargs[key])
        if layer.type in ("TransformerDecoderLayer", "TransformerDecoder") and "memory" in kwargs:
            positional.append(kwargs["memory"])
        if not positional and "input" in kwargs:
            positional = [kwargs["input"]]
        tensors = [t for t in positional if isinstance(t, TTensor)]
        extra = [t for t in _flatten(list(args[n_in:]) + list(kwargs.values())) if isinstance(t, TTensor)]
        complete = len(tensors) == len(positional) and bool(tensors)
        if complete and tensors[0].shape is None and tensors[0].node.type == "SymbolicInput":
            self.materialize(tensors[0], layer)
        gnode = self.graph.add(
            "layer", layer.type, span, layer, [(t.node, t.index) for t in tensors],
            framework=FRAMEWORK, extra_inputs=[(t.node, t.index) for t in extra],
        )
        gnode.input_shapes = [t.shape for t in tensors]
        layer.calls.append(gnode)
        # a layer called inside a model's forward is model structure (a loop over blocks);
        # one called on its own at the top level is a computation (a sampling loop)
        self._count("structure_events" if len(self.stack) > 1 else "op_events")
        layer.called = True
        outputs: List[Shape] = [None]
        if layer.ldef is not None:
            shapes = gnode.input_shapes if complete else [None] * n_in
            try:
                result = infer(layer, shapes, self.options)
                outputs = list(result.outputs) or [None]
                if layer.own_params is None and result.params is not None:
                    layer.own_params = result.params  # LazyLinear: known once called
            except ShapeIssue as issue:
                gnode.issue = issue
            except (Unresolved, RecursionError):
                pass
        if layer.type.startswith("MaxUnpool") and "output_size" in kwargs and outputs[0] is not None:
            outputs = [unpool_output(outputs[0], kwargs["output_size"])]
        gnode.outputs = outputs
        if layer.type.startswith("Lazy") and layer.own_params is not None:
            layer.type = layer.type[4:]  # PyTorch turns a called LazyConv2d into a Conv2d
        return self.structure(layer.type, [TTensor(gnode, i, s, self) for i, s in enumerate(outputs)]), gnode

    @staticmethod
    def structure(type_: str, outs: List[TTensor]):
        """PyTorch's output structure: LSTM -> (out, (h, c)), RNN/GRU -> (out, h) ..."""
        if type_ == "LSTM":
            while len(outs) < 3:
                outs.append(TTensor(outs[0].node, len(outs), None, outs[0].fe))
            return (outs[0], (outs[1], outs[2]))
        if type_ in ("RNN", "GRU", "MultiheadAttention", "LSTMCell"):
            while len(outs) < 2:
                outs.append(TTensor(outs[0].node, len(outs), None, outs[0].fe))
            return (outs[0], outs[1])
        if len(outs) > 1:
            return tuple(outs)  # pools with return_indices=True: (values, indices)
        return outs[0]

    def materialize(self, t: TTensor, layer: TLayer) -> None:
        """Give the symbolic model input the layout its first layer expects."""
        shape = symbolic_input_for(layer)
        if shape is not None:
            t.shape = shape
            t.node.outputs = [shape]
            t.materialized_for = layer.type

    def same_shape(self, interp, name, t: TTensor, node, integer: Optional[bool] = None):
        out = self.op(interp, "relu", [t], {}, node, label=name)
        if isinstance(out, TTensor):
            if integer is None:
                integer = name in ("long", "int") or (t.integer and name in INT_KEEPING_METHODS)
            out.integer = integer
        return out

    def custom_op(self, interp, name, tensors, shape: Shape, span) -> TTensor:
        """A graph node whose output shape the front-end computed itself."""
        gnode = self.graph.add("op", name, span, None, [(t.node, t.index) for t in tensors], framework=FRAMEWORK)
        gnode.input_shapes = [t.shape for t in tensors]
        gnode.outputs = [shape]
        self._count("op_events")
        return TTensor(gnode, 0, shape, self)

    def meshgrid(self, interp, args, kwargs, node):
        """torch.meshgrid(a, b, indexing="ij"): one (len(a), len(b)) grid per input."""
        tensors = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
        if not tensors or not all(isinstance(t, TTensor) for t in tensors):
            return UNKNOWN
        sizes = []
        for t in tensors:
            if t.shape is not None and len(t.shape) == 0:
                sizes.append(1)
            elif t.shape is not None and len(t.shape) == 1:
                sizes.append(t.shape[0])
            else:
                sizes.append(None)
        indexing = kwargs.get("indexing", "ij")
        if indexing == "xy" and len(sizes) >= 2:
            sizes[0], sizes[1] = sizes[1], sizes[0]
        elif indexing != "ij":
            sizes = [None] * len(sizes)
        span = self.where(interp, node)
        outs = []
        for t in tensors:
            out = self.custom_op(interp, "meshgrid", tensors, tuple(sizes), span)
            out.integer = t.integer
            outs.append(out)
        return tuple(outs)

    def opaque(self, interp, name, tensors, node):
        span = self.where(interp, node) if (interp is not None and node is not None) else (tensors[0].node.span if tensors else Span(1, 0, 1, 0))
        gnode = self.graph.add("op", name, span, None, [(t.node, t.index) for t in tensors], framework=FRAMEWORK)
        gnode.input_shapes = [t.shape for t in tensors]
        gnode.outputs = [None]
        return TTensor(gnode, 0, None, self)

    def op(self, interp, name, args, kwargs, node, label=None, span=None):
        """A functional op or tensor method: a graph node with the op registry's shapes."""
        tensors: List[TTensor] = []

        def mark(v):
            if isinstance(v, TTensor):
                tensors.append(v)
                return TensorArg(len(tensors) - 1)
            if isinstance(v, SymDim):
                return v.name
            if isinstance(v, UnknownDim):
                return None
            if isinstance(v, WeightRef) and v.shape is not None:
                return mark(v.as_tensor(self))
            if isinstance(v, list):
                return [mark(x) for x in v]
            if isinstance(v, tuple):
                return tuple(mark(x) for x in v)
            return v

        self._count("op_events")
        opdef = lookup("torch_op", name)
        signature = list(opdef.signature) if opdef is not None else []
        neutral = SHAPE_NEUTRAL_ARGS | ({"weight"} if "norm" in name else set())

        def mark_arg(i, a):
            # a module's own weight/bias/eps passed positionally (F.layer_norm(x, self.normalized_shape,
            # self.weight, self.bias, self.eps)) never change the shape: unknown ones are left out
            if i < len(signature) and signature[i] in neutral and (a is UNKNOWN or isinstance(a, WeightRef)):
                return None
            return mark(a)

        margs = tuple(mark_arg(i, a) for i, a in enumerate(args))
        # arguments that never change a shape may be unknown (training=self.training)
        mkwargs = {k: mark(v) for k, v in kwargs.items() if not ((k in SHAPE_NEUTRAL_KWARGS or k in neutral) and (v is UNKNOWN or isinstance(v, WeightRef)))}
        if span is None:
            span = self.where(interp, node) if (interp is not None and node is not None) else (tensors[0].node.span if tensors else Span(1, 0, 1, 0))
        gnode = self.graph.add("op", label or name, span, None, [(t.node, t.index) for t in tensors], framework=FRAMEWORK)
        gnode.input_shapes = [t.shape for t in tensors]
        outputs: List[Shape] = [None]
        config = LayerConfig("torch_op", name, margs, mkwargs)
        if lookup("torch_op", name) is not None and not _has_unknown_structure(margs, mkwargs):
            try:
                result = infer(config, gnode.input_shapes, self.options)
                outputs = list(result.outputs) or [None]
            except ShapeIssue as issue:
                gnode.issue = issue
            except (Unresolved, RecursionError, Exception):
                pass
        gnode.outputs = outputs
        outs = [TTensor(gnode, i, s, self) for i, s in enumerate(outputs)]
        if name in INT_KEEPING_OPS and tensors and all(t.integer for t in tensors) and "dtype" not in kwargs and all(
            not isinstance(a, float) for a in _flatten(list(args) + list(kwargs.values()))
        ):
            for o in outs:
                o.integer = True  # arithmetic and reshaping of index tensors stays integer
        if len(outs) > 1:
            return tuple(outs)
        if name in VALUES_INDICES_OPS and (name in ("sort", "topk", "kthvalue", "aminmax") or len(args) >= 2 or "dim" in kwargs):
            # (values, indices) named tuples; indices have the values' shape
            return (outs[0], TTensor(gnode, 1, outputs[0], self))
        if name in ("split", "chunk", "unbind") :
            return tuple(outs) if len(outputs) > 1 or outputs[0] is not None else UNKNOWN
        return outs[0]

    def torchinfo_summary(self, interp, args, kwargs, node):
        model = args[0] if args else kwargs.get("model")
        size = kwargs.get("input_size", args[1] if len(args) > 1 else None)
        if isinstance(model, TModuleBase) and isinstance(size, (tuple, list)) and size:
            sizes = [tuple(size)] if not isinstance(size[0], (tuple, list)) else [tuple(s) for s in size]
            tensors = [self.input_tensor(s, interp.span(node)) for s in sizes]
            model.call(interp, tensors, {}, node)
        return UNKNOWN

    def input_tensor(self, shape, span: Span, label="Tensor") -> TTensor:
        dims = tuple(d if isinstance(d, int) and not isinstance(d, bool) and d >= 0 else None for d in shape) if shape is not None else None
        node = self.graph.add("input", label, span, framework=FRAMEWORK)
        node.outputs = [dims]
        return TTensor(node, 0, dims, self)

    # -- after the module ran ------------------------------------------------------

    def instantiate_unused_classes(self, interp) -> None:
        """nn.Module classes the file defines but never builds: build those whose
        constructor needs no argument, so their certain bugs are still found."""
        built = {id(m.cls) for m in self.modules if isinstance(m, TInstance)}
        # classes this file defines (not those it imports: a package's __init__.py that
        # re-exports its models would report each of them again)
        own = {id(s) for s in interp.module.body if isinstance(s, cst.ClassDef)}
        for name, value in list(interp.globals.vars.items()):
            if not isinstance(value, ClassVal) or id(value) in built or id(value.node) not in own:
                continue
            bases = [torch_parts(p) for p in value.base_paths(interp)]
            if not any(b is not None and len(b) >= 2 and b[1] == "nn" and b[-1] == "Module" for b in bases):
                continue
            if any(id(m.cls) is not None and value in m.cls.mro()[1:] for m in self.modules if isinstance(m, TInstance)):
                continue  # a base class of a model that was built
            init = value.lookup("__init__")
            if isinstance(init, Function):
                p = init.node.params
                required = [q for q in list(p.params)[1:] if q.default is None] + [q for q in p.kwonly_params if q.default is None]
                if required:
                    continue
            value.call(interp, [], {}, value.node)

    def roots(self) -> List[TModuleBase]:
        return [
            m for m in self.modules
            if m.parents == 0
            and id(m) not in self.internal
            and not isinstance(m, TLayer)
            and not (isinstance(m, TContainer) and not m.children)
        ]

    def finish(self, interp, selected: Optional[List[TModuleBase]] = None) -> None:
        """Run models the file never called: on --input, a comment's input, or a symbolic one."""
        roots = selected if selected is not None else self.roots()
        # [tool.shapelint] inputs: model variable or class name -> input shapes, used like a
        # "# shapelint: input=" comment (which wins), and also over a run on unknown data
        named = {} if self.input_override else (getattr(self, "named_inputs", None) or {})
        variables = {id(v): k for k, v in interp.globals.vars.items()} if named else {}
        for m in roots:
            shapes = None
            configured = named.get(variables.get(id(m), ""), named.get(m.type)) if named else None
            if self.input_override:
                shapes = self.input_override
            elif m.input_hint is not None:
                shapes = [m.input_hint]
            elif configured is not None and (id(m) not in self.runs or self.runs[id(m)].get("blind")):
                self.runs.pop(id(m), None)
                shapes = configured
            if shapes is not None and (self.input_override or id(m) not in self.runs):
                self.runs.pop(id(m), None)
                tensors = [self.input_tensor(s, m.span) for s in shapes]
                self.run_top(interp, m, tensors)
            elif id(m) not in self.runs or self.runs[id(m)].get("blind"):
                self.runs.pop(id(m), None)
                mark = self.graph._next
                node = self.graph.add("input", "SymbolicInput", m.span, framework=FRAMEWORK)
                node.outputs = [None]
                t = TTensor(node, 0, None, self)
                self.run_top(interp, m, [t])
                if getattr(t, "materialized_for", None) in RANK_FREE and t.shape is not None:
                    self.keep_rank_free_issues(interp, m, t.shape, mark)
                # a note for the summaries (not for `check`, whose output shows none)
                note = self.fitting_input_note(interp, m, t.shape) if getattr(self, "layer_lines", True) else None
                if note:
                    self.notes.setdefault(id(m), []).append(note)

    # -- "fits only 32x32 inputs" ---------------------------------------------------

    MAX_FIT_TRIALS = 24

    def fitting_input_note(self, interp, m, symbolic: Shape) -> Optional[str]:
        """For a model with no input whose Linear after a flatten depends on the spatial
        size: the square input sizes it fits, found by running the model on candidate
        sizes (each answer is verified by a run; nothing is reported when unsure)."""
        if symbolic is None or len(symbolic) not in (3, 4) or not known(symbolic[1]):
            return None
        spatial = symbolic[2:]
        if not all(isinstance(d, str) for d in spatial):
            return None
        target = None
        for module, _, _ in self.runs.get(id(m), {}).get("calls", []):
            if isinstance(module, TLayer) and module.type == "Linear" and module.calls:
                shape = module.calls[-1].input_shapes[0] if module.calls[-1].input_shapes else None
                if shape is None or len(shape) != 2:
                    continue  # a Linear over the last dim of a map (ConvNeXt) fits any size
                if per_sample_elements(module.calls[-1]) is None:
                    target = module
                break
        if target is None:
            return None
        want = target.args[0] if target.args else target.kwargs.get("in_features")
        if not isinstance(want, int) or isinstance(want, bool):
            return None
        trials = {}

        def features(size: int) -> Optional[int]:
            if size not in trials:
                if len(trials) >= self.MAX_FIT_TRIALS:
                    raise _GiveUp()
                trials[size] = self._trial(interp, m, (1, symbolic[1]) + (size,) * len(spatial), target)
            return trials[size]

        try:
            lo, hi = 1, 1024
            while lo < hi:  # smallest size whose feature count reaches the target
                mid = (lo + hi) // 2
                f = features(mid)
                if f is None or f < want:
                    lo = mid + 1
                else:
                    hi = mid
            if features(lo) != want:
                return None
            top = lo
            while top < 1024 and features(top + 1) == want:
                top += 1
            if lo > 1 and features(lo - 1) == want:
                return None  # not monotonic: unsure
        except _GiveUp:
            return None
        dims = "×".join([str(lo)] * len(spatial))
        if top == lo:
            return "%s at line %d fits only %s inputs" % (target.type, target.span.line, dims)
        return "%s at line %d fits inputs from %s to %s" % (
            target.type, target.span.line, dims, "×".join([str(top)] * len(spatial)))

    def keep_rank_free_issues(self, interp, m, symbolic: Shape, mark: int) -> None:
        """A model whose first layer is a Linear or an Embedding ran on a symbolic input of
        the smallest rank that layer takes, (N, in_features) -- but those layers take any
        number of leading dimensions, and forward() may well expect (N, T, in_features).
        What went wrong only at that guessed rank is no finding: each issue is kept only when
        runs with one and two more leading dimensions raise it at the same place too."""
        def issues(first):
            return {
                (n.type, n.span.line, n.span.column, n.issue.kind): n
                for n in self.graph.nodes()
                if n.id >= first and n.issue is not None and n.framework == FRAMEWORK
            }

        found = issues(mark)
        if not found:
            return
        keep = set(found)
        for extra in (("S",), ("S", "R")):
            shape = tuple(symbolic[:1]) + extra + tuple(symbolic[1:])
            keep &= set(self._trial(interp, m, shape, None, collect=lambda first: issues(first)) or ())
            if not keep:
                break
        for key, n in found.items():
            if key not in keep:
                n.issue = None

    def _trial(self, interp, m, shape, target, collect=None) -> Optional[int]:
        """Run ``m`` on a concrete ``shape`` and take back everything the run added."""
        mark = self.graph._next
        saved_runs = dict(self.runs)
        saved_calls = {id(x): len(x.calls) for x in self.modules}
        n_modules = len(self.modules)
        try:
            self.run_top(interp, m, [self.input_tensor(shape, m.span)])
            if collect is not None:
                return collect(mark)
            new = target.calls[saved_calls.get(id(target), 0):]
            return per_sample_elements(new[-1]) if new else None
        finally:
            self.graph.g.remove_nodes_from([n for n in list(self.graph.g.nodes) if n >= mark])
            for x in self.modules:
                keep = saved_calls.get(id(x))
                if keep is not None:
                    del x.calls[keep:]
            del self.modules[n_modules:]
            self.runs = saved_runs

    def run_top(self, interp, m, tensors):
        if isinstance(m, TInstance) or (isinstance(m, TContainer) and m.type == "Sequential"):
            m.call(interp, tensors, {}, None)

    def _graph_facts(self):
        """(some torch call of the file has an issue, the spans of its symbolic inputs):
        read once per graph size, not once per model (files with hundreds of models)."""
        size = len(self.graph.g)
        cached = getattr(self, "_facts_cache", None)
        if cached is not None and cached[0] == size:
            return cached[1]
        any_issue = False
        spans = []
        for n in self.graph.nodes():
            if n.framework != FRAMEWORK:
                continue
            if n.issue is not None:
                any_issue = True
            if n.kind == "input" and n.type == "SymbolicInput":
                spans.append(n.span)
        facts = (any_issue, spans)
        self._facts_cache = (size, facts)
        return facts

    def summarize(self, m: TModuleBase, path: str, variable: Optional[str]) -> ModelInfo:
        names = {}
        for name, sub in m.named_modules():
            names.setdefault(id(sub), name)
        run = self.runs.get(id(m))
        rows: List[LayerInfo] = []
        row_modules: List[TModuleBase] = []
        resolved = run is not None and not m.tainted
        for module, shape, _ in (run["calls"] if run else []):
            if id(module) not in names:
                continue  # a module of another model called from this forward
            params = module.call_params()
            if shape is None or any(d is None or isinstance(d, str) for d in shape) or params is None:
                resolved = False
            rows.append(LayerInfo(names[id(module)], module.type, module.span.line if getattr(self, 'layer_lines', True) else 0, shape, params))
            row_modules.append(module)
        any_issue, symbolic_spans = self._graph_facts()
        if any_issue:
            resolved = False
        total = m.total_params()
        frozen = m.frozen_params()
        if total is None:
            resolved = False
        if run is not None and any(span is m.span for span in symbolic_spans):
            resolved = False
        return ModelInfo(
            name=variable or m.type,
            framework=FRAMEWORK,
            path=path,
            line=m.span.line if getattr(self, 'layer_lines', True) else 0,
            variable=variable,
            layers=rows,
            total_params=total,
            trainable_params=None if total is None or frozen is None else total - frozen,
            non_trainable_params=frozen if total is not None else None,
            resolved=resolved,
            notes=list(self.notes.get(id(m), [])),
            extra={"layer_objects": row_modules},
            # the picture (summary --format mermaid/dot): the calls of the run, in call order
            flow=torch_flow(self.graph, run, rows, set(names), complete=run is not None and not m.tainted)
            if getattr(self, "layer_lines", True) else None,  # `check` shows no picture
        )


def module_mro(m: TModuleBase, interp):
    """The torch.nn class names a module is an instance of, or None when not all known."""
    if isinstance(m, TInstance):
        if m.stub and nn_mro(m.type) is not None:
            return nn_mro(m.type)
        names = set()
        for c in m.cls.mro():
            for b in c.bases:
                if isinstance(b, ClassVal):
                    continue
                parts = torch_parts(b.path) if isinstance(b, ModuleRef) else None
                if isinstance(b, ModuleRef) and b.path == "object":
                    continue
                base = nn_mro(parts[-1]) if parts is not None and len(parts) >= 3 and parts[1] == "nn" else None
                if base is None:
                    return None
                names.update(base)
        return names
    if isinstance(m, TLayer) and m.type.startswith("Lazy") and m.own_params is not None:
        return nn_mro(m.type[4:])
    return nn_mro(m.type)


def unpool_output(shape, size) -> Shape:
    """MaxUnpool's forward(output_size=...): its last entries are the spatial sizes."""
    if isinstance(size, (tuple, list)):
        n = len(shape) - 2
        tail = [d if isinstance(d, int) and not isinstance(d, bool) else None for d in list(size)[-n:]]
        if len(tail) == n:
            return tuple(shape[:2]) + tuple(tail)
    return tuple(shape[:2]) + (None,) * (len(shape) - 2)


class _GiveUp(Exception):
    pass


def per_sample_elements(call: CallNode) -> Optional[int]:
    """Elements per sample reaching a Linear, read before the flatten/view that feeds it
    (a ``view(-1, 400)`` keeps 400 features whatever the input size: the batch absorbs
    the difference, so the count before the view is the one that must fit)."""
    shape = call.input_shapes[0] if call.input_shapes else None
    if call.inputs:
        producer = call.inputs[0][0]
        if producer.type in ("view", "reshape", "flatten", "Flatten") and producer.input_shapes:
            shape = producer.input_shapes[0]
    if shape is None or len(shape) < 2 or not all(known(d) for d in shape[1:]):
        return None
    n = 1
    for d in shape[1:]:
        n *= d
    return n


def first_tensor_shape(value) -> Shape:
    """The shape PyTorch's hooks report for a module's output: the first tensor of a
    tuple/list/dict output."""
    if isinstance(value, TTensor):
        return value.shape
    if isinstance(value, (tuple, list)):
        for v in value:
            if isinstance(v, (TTensor, tuple, list, dict)):
                return first_tensor_shape(v)
        return None
    if isinstance(value, dict):
        return first_tensor_shape(list(value.values()))
    return None


# first layers that take any number of leading dimensions: a symbolic input's rank is a guess
RANK_FREE = ("Linear", "Embedding")


def symbolic_input_for(layer: TLayer) -> Shape:
    """The input layout a first layer expects, with symbolic sizes: (N, C, H, W) for Conv2d."""
    t = layer.type
    a = layer.args
    k = layer.kwargs

    def arg(name, pos):
        if name in k:
            return k[name]
        return a[pos] if pos < len(a) else None

    spatial = {"1d": ("L",), "2d": ("H", "W"), "3d": ("D", "H", "W")}
    for suffix, dims in spatial.items():
        if t.endswith(suffix) and (t.startswith("Conv") or t.startswith("BatchNorm") or t.startswith("InstanceNorm")):
            c = arg("in_channels", 0) if t.startswith("Conv") else arg("num_features", 0)
            if isinstance(c, int) and not isinstance(c, bool):
                return ("N", c) + dims
            return None
    if t in ("Linear",):
        f = arg("in_features", 0)
        return ("N", f) if isinstance(f, int) and not isinstance(f, bool) else None
    if t in ("Embedding",):
        return ("N", "T")
    if t in ("LSTM", "GRU", "RNN"):
        f = arg("input_size", 0)
        if not isinstance(f, int) or isinstance(f, bool):
            return None
        return ("N", "T", f) if k.get("batch_first") is True else ("T", "N", f)
    return None


def _parse_shape_text(text: str) -> Optional[Tuple]:
    """The shape in a ``# shapelint: input=(...)`` comment, or None if it is not one."""
    try:
        return parse_shape(text)
    except ValueError:
        return None


def _factory_shape(name, args, kwargs) -> Shape:
    if name in ("rand_like", "randn_like", "zeros_like", "ones_like", "empty_like", "full_like"):
        src = args[0] if args else None
        return src.shape if isinstance(src, TTensor) else None
    if name == "arange":
        nums = [a for a in args if not isinstance(a, TTensor)]
        if "end" in kwargs:
            nums = [kwargs.get("start", nums[0] if nums else 0), kwargs["end"], kwargs.get("step", 1)]
        if not nums or len(nums) > 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in nums):
            return None
        start, end, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) == 3 else 1)
        if step == 0:
            return None
        return (max(0, -((start - end) // step)),)
    if name in ("tensor", "as_tensor"):
        return _data_shape(args[0]) if args else None
    if name == "eye":
        n = args[0] if args else kwargs.get("n")
        m = args[1] if len(args) > 1 else kwargs.get("m", n)
        ok = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (n, m))
        return (n, m) if ok else None
    if name == "randint":
        size = kwargs.get("size")
        if size is None:
            rest = [a for a in args if isinstance(a, (tuple, list))]
            size = rest[0] if rest else None
        sizes = size
    elif name == "full":
        sizes = args[0] if args else kwargs.get("size")
    else:
        if "size" in kwargs:
            sizes = kwargs["size"]
        elif len(args) == 1 and isinstance(args[0], (tuple, list)):
            if name in ("Tensor", "FloatTensor", "LongTensor"):
                return _data_shape(args[0])  # torch.FloatTensor([[1, 2], [3, 4]]): data
            sizes = args[0]
        elif len(args) == 1 and not isinstance(args[0], (int, SymDim, UnknownDim)) or isinstance(args[0] if args else None, bool):
            # one argument that is not a size: torch.zeros(shape) with an unknown shape,
            # torch.FloatTensor(array) -- even the rank is unknown
            return None
        else:
            sizes = args
    if not isinstance(sizes, (tuple, list)):
        return None
    dims = []
    for d in sizes:
        if isinstance(d, int) and not isinstance(d, bool) and d >= 0:
            dims.append(d)
        elif isinstance(d, SymDim):
            dims.append(d.name)
        else:
            dims.append(None)
    return tuple(dims)


def _data_shape(data) -> Shape:
    """The shape of a tensor built from nested lists of numbers (``None`` when unsure)."""
    if isinstance(data, (list, tuple)):
        if not data:
            return (0,)
        inner = [_data_shape(x) for x in data]
        if any(s is None for s in inner) or any(s != inner[0] for s in inner):
            return None
        return (len(data),) + inner[0]
    if isinstance(data, (int, float)):
        return ()
    return None


def _missing_required(init, args, kwargs) -> bool:
    """A required constructor parameter not given (bound to an unknown value)."""
    if not isinstance(init, Function):
        return False
    p = init.node.params
    positional = (list(getattr(p, "posonly_params", [])) + list(p.params))[1:]
    for i, q in enumerate(positional):
        if q.default is None and i >= len(args) and q.name.value not in kwargs:
            return True
    return any(q.default is None and q.name.value not in kwargs for q in p.kwonly_params)


def _factory_integer(name, args, kwargs) -> bool:
    """Whether a factory certainly makes an integer tensor."""
    if "dtype" in kwargs:
        d = kwargs["dtype"]
        return isinstance(d, ModuleRef) and d.path in ("torch.long", "torch.int64", "torch.int", "torch.int32", "torch.int16", "torch.int8", "torch.uint8")
    if name in ("LongTensor", "randint"):
        return True
    if name == "arange":
        nums = list(args) + [kwargs[k] for k in ("start", "end", "step") if k in kwargs]
        return bool(nums) and all(isinstance(v, int) and not isinstance(v, bool) for v in nums)
    if name in ("tensor", "as_tensor") and args:
        flat = _flatten([args[0]]) if isinstance(args[0], (list, tuple)) else [args[0]]
        return bool(flat) and all(isinstance(v, int) and not isinstance(v, bool) for v in flat)
    return False


def _has_unknown_structure(args, kwargs) -> bool:
    return contains_unknown(args) or contains_unknown(kwargs)


def _flatten(values, _top=True) -> List[Any]:
    if _top and not _deep_ok(values):  # nested data repeated by reference: each container once
        return flatten_each_once(values)
    out: List[Any] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v, False))
        else:
            out.append(v)
    return out


_OP_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "**": "pow", "//": "div", "%": "div"}
_FUNCTIONAL_ALIASES = {"concat": "cat", "concatenate": "cat", "multiply": "mul", "subtract": "sub", "divide": "div", "true_divide": "div", "swapaxes": "transpose", "swapdims": "transpose"}
