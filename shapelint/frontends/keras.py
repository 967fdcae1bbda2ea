"""The Keras front-end: reads Keras model code (Keras 3, ``tf.keras``, Keras 1/2 spellings).

It gives the interpreter values for the Keras API: layer classes (constructing a layer
object), ``Input``, ``Sequential`` and ``Model``, the merge functions, and a few backend
helpers.  Calling a layer on tensors adds a node to the file's :class:`LayerGraph`, and the
shape engine computes the node's output shapes and the layer's parameters right away.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from ..diagnostics import Span
from ..engine.registry import LayerConfig, Options, ShapeIssue, Unresolved, infer, lookup
from ..engine.shapes import Shape, conv_output_length, format_shape, known, mul, product
from ..engine.values import UNKNOWN, contains_unknown
from ..graph import CallNode, LayerGraph, LayerInfo, ModelInfo
from ..flow import keras_flow
from .evaluator import _ABSENT as _ABSENT_ATTR
from .evaluator import _numpy_call
from .evaluator import _deep_ok, flatten_each_once
from .evaluator import AnalysisLimit, BoundMethod, ClassVal, ConstArray, Frontend, Function, Instance, Interpreter, ModuleRef, Obj

FRAMEWORK = "keras"

# Functions in keras.layers that build a merge layer and call it at once.
MERGE_FUNCTIONS = {
    "concatenate": "Concatenate",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}

# Keras 1/2 class names that Keras 3 spells differently.
LEGACY_NAMES = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
}

MODEL_CLASSES = {"Model", "Functional", "Sequential"}
INPUT_NAMES = {"Input", "InputLayer"}
# Methods of models and layers that return nothing of interest to shapes.
INERT_METHODS = {
    "compile", "fit", "fit_generator", "evaluate", "predict", "summary", "save", "save_weights",
    "load_weights", "set_weights", "get_weights", "get_config", "to_json", "train_on_batch",
    "predict_on_batch", "test_on_batch", "reset_states", "plot_model",
}


def to_snake_case(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def keras_parts(path: str) -> Optional[List[str]]:
    """The path with ``tensorflow.keras``/``tf_keras``/``tensorflow.python.keras`` mapped to
    ``keras``; None when it is not a Keras path."""
    parts = path.split(".")
    if parts[0] == "tensorflow":
        if len(parts) > 1 and parts[1] == "keras":
            parts = ["keras"] + parts[2:]
        elif parts[1:3] == ["python", "keras"]:
            parts = ["keras"] + parts[3:]
        else:
            return None
    elif parts[0] in ("tf_keras",):
        parts = ["keras"] + parts[1:]
    if parts[0] != "keras":
        return None
    if len(parts) > 1 and parts[1] == "src":
        parts = [parts[0]] + parts[2:]
    return parts


# --------------------------------------------------------------------------- values


class KTensor(Obj):
    """A symbolic tensor: output ``index`` of a graph node."""

    def __init__(self, node: CallNode, index: int, shape: Shape, fe: "KerasFrontend"):
        self.node = node
        self.index = index
        self.shape = shape
        self.fe = fe

    def __repr__(self) -> str:
        return "KTensor(%s#%d %s)" % (self.node.type, self.index, format_shape(self.shape))

    @property
    def batch0(self) -> bool:
        """Dimension 0 is the model's batch (None, the size every input is fed with)."""
        return (
            self.shape is not None
            and len(self.shape) > 0
            and self.shape[0] is None
            and (self.node.id, self.index) in self.fe.batch_dims
        )

    def mark_batch(self, flag: bool = True) -> "KTensor":
        if flag and self.shape is not None and len(self.shape) > 0 and self.shape[0] is None:
            self.fe.batch_dims.add((self.node.id, self.index))
        return self

    def truth(self):
        return UNKNOWN

    def shape_value(self):
        if self.shape is None:
            return UNKNOWN
        return tuple(d if known(d) else UNKNOWN for d in self.shape)

    def attr(self, name, interp):
        if name in ("shape", "_keras_shape"):
            return self.shape_value()
        if name == "ndim":
            return len(self.shape) if self.shape is not None else UNKNOWN
        if name == "get_shape":
            return BoundMethod(lambda it, a, k, n: self.shape_value(), name)
        return UNKNOWN

    def getitem(self, key, interp):
        try:
            shape = _getitem(self.shape, key)
        except (TypeError, ValueError):
            shape = None
        t = self.fe.op_node(interp, "getitem", [self], shape, interp_node=None)
        first = key[0] if isinstance(key, tuple) and key else key
        if self.batch0 and isinstance(first, slice) and first == slice(None):
            t.mark_batch()
        return t

    def unpack(self, n: int):
        if self.shape is None:
            return [KTensor(self.node, i, None, self.fe) for i in range(n)]
        return None

    def merge_with(self, other):
        if not isinstance(other, KTensor):
            return UNKNOWN
        if other.node is self.node and other.index == self.index:
            return self
        return self.fe.phi(self, other)


class KLayer(Obj, LayerConfig):
    """A Keras layer object (one per constructor call)."""

    def __init__(self, fe: "KerasFrontend", type_: str, args, kwargs, span: Span, written: str):
        LayerConfig.__init__(self, FRAMEWORK, type_, tuple(args), dict(kwargs))
        self.fe = fe
        self.span = span
        # made by a function nobody calls, run on its own with invented arguments
        self.on_its_own = bool(getattr(getattr(fe, "interp", None), "on_its_own", 0))
        self.written = written  # the class name as the code spells it
        name = kwargs.get("name")
        self.name = name if isinstance(name, str) else fe.unique_name(to_snake_case(type_))
        self.nodes: List[CallNode] = []
        self.built = False
        self.params: Optional[int] = None
        self.non_trainable = 0
        tr = kwargs.get("trainable", True)
        self.trainable = tr if isinstance(tr, bool) else True
        self.trainable_uncertain = not isinstance(tr, bool)  # set on an uncertain path or to an unknown value
        self.known_type = lookup(FRAMEWORK, type_) is not None
        # whether the layer holds weights even without a call the analysis saw: built
        # explicitly (layer.build(shape)), or perhaps built by code it could not follow
        self.explicit_built = False
        self.build_uncertain = False

    __hash__ = LayerConfig.__hash__
    __eq__ = LayerConfig.__eq__

    def taint(self):
        self.build_uncertain = True  # handed to unknown code, which may build or call it

    def certainly_unbuilt(self) -> bool:
        """Never called nor built: Keras gives it no weights (it counts 0 in its holder)."""
        return not self.nodes and not self.explicit_built and not self.build_uncertain

    def explicit_build(self, interp, shape) -> None:
        """``layer.build(input_shape)``: weights without a call."""
        if self.nodes or self.explicit_built:
            return
        if interp.speculative or not isinstance(shape, (tuple, list)) or contains_unknown(shape) or not self.known_type:
            self.build_uncertain = True
            return
        try:
            result = infer(self, [tuple(shape)], self.fe.options)
        except (ShapeIssue, Unresolved, RecursionError):
            self.build_uncertain = True
            return
        self.explicit_built = True
        self.built = True
        self.params = result.params
        self.non_trainable = result.non_trainable

    def __repr__(self) -> str:
        return "KLayer(%s %s)" % (self.type, self.name)

    def call(self, interp, args, kwargs, node):
        return self.fe.call_layer(interp, self, args, kwargs, node)

    def set_attr(self, name, value, interp):
        if name == "trainable":
            self.set_trainable(value, interp)

    def set_trainable(self, value, interp, uncertain: bool = False) -> None:
        """``layer.trainable = value``: Keras sets it on every layer the layer holds too."""
        uncertain = uncertain or not isinstance(value, bool) or (interp is not None and interp.speculative > 0)
        if uncertain:
            self.trainable_uncertain = True
        if isinstance(value, bool):
            self.trainable = value
        subs = self.tracked() if isinstance(self, KCustomLayer) else (self.sub_layers() if hasattr(self, "sub_layers") else [])
        for sub in subs:
            if isinstance(sub, KLayer) and sub is not self:
                sub.set_trainable(value, interp, uncertain)

    def first_outputs(self) -> Optional[List[Shape]]:
        return self.nodes[0].outputs if self.nodes else None

    def attr(self, name, interp):
        if name in ("output", "input") and self.nodes:
            node = self.nodes[0]
            if name == "input" and node.kind != "input":
                ins = [KTensor(p, i, p.outputs[i] if i < len(p.outputs) else None, self.fe) for p, i in node.inputs]
                return ins[0] if len(ins) == 1 else (ins or UNKNOWN)
            outs = self.fe.tensors_of(node)
            return outs[0] if len(outs) == 1 else outs
        if name == "output_shape" and self.nodes:
            outs = self.nodes[0].outputs
            if len(outs) == 1 and outs[0] is not None:
                return tuple(outs[0])
            return UNKNOWN
        if name == "name":
            return self.name
        if name == "trainable":
            return self.trainable
        if name == "count_params":
            return BoundMethod(lambda it, a, k, n: self.params if self.params is not None else UNKNOWN, name)
        if name in INERT_METHODS:
            return BoundMethod(lambda it, a, k, n: UNKNOWN, name)
        if name in ("units", "filters", "kernel_size", "strides", "padding", "activation", "rate"):
            return self.kwargs.get(name, UNKNOWN)
        if name == "build" and type(self) is KLayer:
            def build(it, a, k, n):
                self.explicit_build(it, a[0] if a else k.get("input_shape", UNKNOWN))
                return None
            return BoundMethod(build, name)
        return UNKNOWN


class KSequential(KLayer):
    """``keras.Sequential``: a list of layers applied in order."""

    def __init__(self, fe, args, kwargs, span, written):
        super().__init__(fe, "Sequential", (), {k: v for k, v in kwargs.items() if k == "name"}, span, written)
        self.layers: List[Any] = []
        self.input: Optional[KTensor] = None
        self.output: Optional[KTensor] = None
        self.tainted = False
        self.deferred = False  # layers were added before any input shape was known
        self.model_span = span

    def taint(self):
        self.tainted = True

    def add(self, interp, layer, span: Span):
        if interp.speculative:
            self.tainted = True
        if isinstance(layer, KTensor) and layer.node.kind == "input":
            if not self.layers:
                self.input = self.output = layer
            return
        if isinstance(layer, KLayer) and layer.type == "InputLayer":
            if not self.layers and layer.nodes:
                self.input = self.output = self.fe.tensors_of(layer.nodes[0])[0]
            return
        if not isinstance(layer, KLayer):
            self.tainted = True
            self.output = None
            return
        if not self.layers and self.output is None:
            declared = self.fe.implicit_input_shape(layer)
            if declared is not None:
                shape, batch = declared
                self.input = self.output = self.fe.make_input(interp, shape, layer.span, batch=batch)
        self.layers.append(layer)
        if self.output is not None and not self.tainted:
            self.output = self.fe.apply(interp, layer, [self.output], layer.span)
            if isinstance(self.output, list):
                self.output = self.output[0] if len(self.output) == 1 else None
        else:
            self.deferred = self.output is None
            self.output = None

    def build(self, interp, shape, explicit: bool = True):
        """``model.build(shape)`` (``explicit``), or Keras building the model on its first call."""
        if self.input is not None or shape is UNKNOWN or contains_unknown(shape):
            return
        if not isinstance(shape, (tuple, list)) or not shape:
            return
        layers, self.layers = self.layers, []
        self.input = self.output = self.fe.make_input(
            interp, tuple(shape)[1:], self.model_span, batch=shape[0], override=explicit
        )
        for layer in layers:
            self.add(interp, layer, layer.span)

    def attr(self, name, interp):
        if name == "add":
            return BoundMethod(lambda it, a, k, n: self.add(it, a[0] if a else k.get("layer", UNKNOWN), it.span(n)), name)
        if name == "build":
            return BoundMethod(lambda it, a, k, n: self.build(it, a[0] if a else k.get("input_shape", UNKNOWN)), name)
        if name == "pop":
            def pop(it, a, k, n):
                if self.layers:
                    self.layers.pop()
                self.tainted = True
                self.output = None
            return BoundMethod(pop, name)
        if name == "layers":
            return list(self.layers) if not self.tainted else UNKNOWN
        if name in ("output", "outputs"):
            if self.output is None or self.tainted:
                return UNKNOWN
            return self.output if name == "output" else [self.output]
        if name in ("input", "inputs"):
            if self.input is None:
                return UNKNOWN
            return self.input if name == "input" else [self.input]
        if name == "output_shape":
            if self.output is None or self.tainted or self.output.shape is None:
                return UNKNOWN
            return tuple(self.output.shape)
        if name == "count_params":
            return BoundMethod(lambda it, a, k, n: self.fe.model_params(self)[0] if self.fe.model_params(self)[0] is not None else UNKNOWN, name)
        return super().attr(name, interp)

    def sub_layers(self) -> List[Any]:
        return list(self.layers)

    def certainly_unbuilt(self) -> bool:
        return self.input is None and not self.nodes and not self.build_uncertain and not self.tainted

    def replay(self, shapes: List[Shape]) -> List[Shape]:
        """Output shapes of the whole model on new input shapes (no diagnostics)."""
        if self.tainted:
            return [None]
        cur = list(shapes)
        for layer in self.layers:
            cur = self.fe.shapes_only(layer, cur)
        return cur


class KFunctional(KLayer):
    """``keras.Model(inputs, outputs)``."""

    def __init__(self, fe, inputs: List[KTensor], outputs: List[KTensor], kwargs, span, written, complete: bool):
        super().__init__(fe, "Functional", (), {k: v for k, v in kwargs.items() if k == "name"}, span, written)
        self.inputs = inputs
        self.outputs = outputs
        self.complete = complete  # inputs and outputs were all known tensors
        self.model_span = span
        self.tainted = not complete

    def taint(self):
        pass  # a built functional model cannot change

    def sub_layers(self) -> List[Any]:
        if not self.complete:
            return []
        return [op for op in self.fe.keras_order(self.inputs, self.outputs) if isinstance(op, KLayer)]

    def attr(self, name, interp):
        if name in ("output", "outputs"):
            if not self.complete:
                return UNKNOWN
            if name == "outputs" or len(self.outputs) != 1:
                return list(self.outputs)
            return self.outputs[0]
        if name in ("input", "inputs"):
            if not self.complete:
                return UNKNOWN
            if name == "inputs" or len(self.inputs) != 1:
                return list(self.inputs)
            return self.inputs[0]
        if name == "layers":
            return self.sub_layers() if self.complete else UNKNOWN
        if name == "output_shape":
            if self.complete and len(self.outputs) == 1 and self.outputs[0].shape is not None:
                return tuple(self.outputs[0].shape)
            return UNKNOWN
        if name == "get_layer":
            def get_layer(it, a, k, n):
                want = a[0] if a else k.get("name")
                index = k.get("index")
                if isinstance(index, int) and not isinstance(index, bool) and want is None:
                    subs = self.sub_layers()
                    return subs[index] if -len(subs) <= index < len(subs) else UNKNOWN
                if not isinstance(want, str):
                    return UNKNOWN
                for layer in self.sub_layers():
                    if layer.name == want:
                        return layer
                for t in self.inputs:  # an Input(name=...)
                    if self.fe.input_names.get(t.node.id) == want and self.complete:
                        layer = KLayer(self.fe, "InputLayer", (), {"name": want}, t.node.span, "InputLayer")
                        layer.nodes.append(t.node)
                        return layer
                return UNKNOWN
            return BoundMethod(get_layer, name)
        return super().attr(name, interp)

    def replay(self, shapes: List[Shape]) -> List[Shape]:
        if not self.complete:
            return [None] * max(1, len(self.outputs))
        own = [t.shape for t in self.inputs]
        if len(own) == len(shapes) and all(_compatible_shape(a, b) for a, b in zip(own, shapes)):
            return [t.shape for t in self.outputs]
        # Re-run the graph on the new shapes.
        values: Dict[Tuple[int, int], Shape] = {}
        for t, s in zip(self.inputs, shapes):
            values[(t.node.id, t.index)] = s
        order = self.fe.topological(self.inputs, self.outputs)
        for node in order:
            if node.kind == "input" or any((node.id, i) in values for i in range(len(node.outputs))):
                continue
            ins = [values.get((p.id, i)) for p, i in node.inputs]
            if node.kind == "layer" and node.layer is not None:
                outs = self.fe.shapes_only(node.layer, ins)
            else:
                outs = [None] * max(1, len(node.outputs))
            for i, s in enumerate(outs):
                values[(node.id, i)] = s
        return [values.get((t.node.id, t.index)) for t in self.outputs]


def _compatible_shape(a: Shape, b: Shape) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(x == y for x, y in zip(a[1:], b[1:]))


class CustomClassLayer(KLayer):
    """An instance of a layer or model class defined in the analysed code: shapes unknown."""


class KCustomLayer(Instance, KLayer):
    """An instance of a ``keras.layers.Layer`` (or ``keras.Model``) subclass of the analysed
    file.  Its ``__init__``, ``build`` and ``call`` are interpreted: layers it creates and
    calls give shapes, ``add_weight`` gives parameters.  Whatever the interpretation cannot
    follow leaves the output shape or the parameter count unknown, never guessed."""

    def __init__(self, fe: "KerasFrontend", cls: ClassVal, interp, kwargs, span: Span):
        Instance.__init__(self, cls, interp)
        KLayer.__init__(self, fe, cls.name, (), {k: v for k, v in kwargs.items() if k in ("name", "trainable")}, span, cls.name)
        self.known_type = False
        self.weights: List[Tuple[Any, bool]] = []  # (shape, trainable) of add_weight() calls
        self.layer_built = False  # build() ran
        self.incomplete = False  # something about its weights could not be followed
        self.calling = 0

    __hash__ = KLayer.__hash__
    __eq__ = KLayer.__eq__

    def __repr__(self) -> str:
        return "KCustomLayer(%s %s)" % (self.type, self.name)

    def call(self, interp, args, kwargs, node):
        return self.fe.call_custom(interp, self, list(args), dict(kwargs), interp.span(node), node)

    def taint(self):
        self.build_uncertain = True  # handed to unknown code: its configuration stays

    def certainly_unbuilt(self) -> bool:
        return not self.nodes and not self.layer_built and not self.build_uncertain

    def truth(self):
        return True

    def attr(self, name, interp):
        if name in self.attrs:
            return self.attrs[name]
        v = self.cls.lookup(name)
        if v is not _ABSENT_ATTR:
            return self.bind_class_value(v, interp)
        return self.base_attr(name, interp)

    def set_attr(self, name, value, interp):
        if name == "trainable":
            self.set_trainable(value, interp)
        if name == "name" and isinstance(value, str):
            self.name = value
        if isinstance(value, KTensor) and value.node.type == "variable":
            self.incomplete = True  # a variable made outside add_weight: its size is not followed
        Instance.set_attr(self, name, value, interp)

    def base_attr(self, name, interp):
        """What ``keras.layers.Layer`` provides to its subclasses."""
        if name in ("add_weight", "add_variable"):
            return BoundMethod(lambda it, a, k, n: self.fe.add_weight(it, self, a, k, n), name)
        if name in ("add_loss", "add_metric", "add_update"):
            return BoundMethod(lambda it, a, k, n: None, name)
        if name == "built":
            return self.layer_built
        if name == "build":
            return BoundMethod(lambda it, a, k, n: self._base_build(), name)
        if name == "call":
            return UNKNOWN
        return KLayer.attr(self, name, interp)

    def _base_build(self):
        self.layer_built = True
        return None

    def super_attr(self, name, interp):
        if name == "__init__":
            def init(it, a, k, n):
                nm = k.get("name")
                if isinstance(nm, str):
                    self.name = nm
                tr = k.get("trainable")
                if isinstance(tr, bool):
                    self.trainable = tr
                if a or any(key in k for key in ("inputs", "outputs", "input", "output")):
                    self.incomplete = True  # a functional model subclass: not followed
                return None
            return BoundMethod(init, name)
        if name == "build":
            return BoundMethod(lambda it, a, k, n: self._base_build(), name)
        if name in ("get_config",):
            return BoundMethod(lambda it, a, k, n: UNKNOWN, name)
        return self.base_attr(name, interp) if name != "call" else UNKNOWN

    def tracked(self) -> List[Any]:
        """Layers and models held in attributes (directly or in lists, tuples, dicts)."""
        out: List[Any] = []
        seen = set()

        def walk(v, depth=0):
            if depth > 4:
                return
            if isinstance(v, KLayer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x, depth + 1)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x, depth + 1)

        for v in self.attrs.values():
            walk(v)
        return out


# --------------------------------------------------------------------------- the front-end


class KerasFrontend(Frontend):
    def __init__(self, graph: LayerGraph, options: Options, input_override: Optional[List[Tuple]] = None):
        self.graph = graph
        self.options = options
        self.uids: Dict[str, int] = {}
        self.models: List[KLayer] = []
        self.input_override = input_override or []
        self.opaque: set = set()  # ids of graph nodes of unknown callables
        self.batch_dims: set = set()  # (node id, output index) whose dimension 0 is the batch
        self.inside_custom = 0  # running a custom layer's __init__, build or call
        self.input_names: Dict[int, str] = {}  # input node id -> Input(name=...)
        self.inputs_made = 0

    # -- names ----------------------------------------------------------------------

    def unique_name(self, base: str) -> str:
        n = self.uids.get(base, 0)
        self.uids[base] = n + 1
        return base if n == 0 else "%s_%d" % (base, n)

    def knows_path(self, path: str) -> bool:
        parts = keras_parts(path)
        if parts is None:
            return False
        name = parts[-1]
        return (
            name in MERGE_FUNCTIONS
            or name in LEGACY_NAMES
            or name in MODEL_CLASSES
            or name in INPUT_NAMES
            or lookup(FRAMEWORK, name) is not None
        )

    # -- resolution -----------------------------------------------------------------

    def call_path(self, interp: Interpreter, path: str, args, kwargs, node):
        parts = keras_parts(path)
        if parts is None:
            return self.foreign_call(interp, path, args, kwargs, node)
        name = parts[-1]
        inner = parts[1:-1]
        span = interp.span(node)
        if name in ("Input",) and (not inner or inner[-1] in ("layers", "input_layer", "engine")):
            return self.input_call(interp, args, kwargs, span)
        if name == "Sequential" and (not inner or "models" in inner or "engine" in inner or "sequential" in inner):
            return self.sequential(interp, args, kwargs, span, name)
        if name in ("Model", "Functional") and (not inner or "models" in inner or "engine" in inner or "functional" in inner or "training" in inner):
            return self.functional(interp, args, kwargs, span, name)
        if "layers" in inner or (inner and inner[0] == "layers"):
            if name in MERGE_FUNCTIONS:
                return self.merge_function(interp, name, args, kwargs, span)
            if name[:1].isupper():
                return self.make_layer(interp, name, args, kwargs, span)
            return UNKNOWN
        if inner and inner[0] == "applications":
            if name == "preprocess_input" and args and isinstance(args[0], KTensor):
                return self.op_node(interp, name, [args[0]], args[0].shape, interp_node=node).mark_batch(args[0].batch0)
            module_name = inner[1] if len(inner) > 1 else None
            if module_name not in ("imagenet_utils",) and (name[:1].isupper() or module_name is not None):
                return self.application_call(interp, name, args, kwargs, node, module_name)
        if inner and inner[0] in ("backend", "config"):
            v = self.backend_call(interp, name, args, kwargs)
            if v is UNKNOWN and inner[0] == "backend":
                return self.op_call(interp, name, args, kwargs, node, "k2")
            return v
        if inner and inner[-1] in ("imagenet_utils", "operation_utils", "layer_utils") or inner[:1] == ["utils"]:
            v = self.helper_call(interp, name, args, kwargs)
            if v is not NotImplemented:
                return v
        if inner and inner[0] in ("ops", "random", "activations"):
            return self.op_call(interp, name, args, kwargs, node, "keras")
        if not inner and name == "Variable":
            return self.op_call(interp, name, args, kwargs, node, "keras")
        if inner and inner[0] in ("utils",) and name == "plot_model":
            return None
        interp.taint_args(args, kwargs)
        return UNKNOWN

    def foreign_call(self, interp, path, args, kwargs, node):
        """A call into another library (tf.*, np.*): unknown; tensors keep the graph connected."""
        tensors = [a for a in _flatten(list(args) + list(kwargs.values())) if isinstance(a, KTensor)]
        if path.split(".", 1)[0] in ("tensorflow", "tf"):
            v = self.op_call(interp, path.rsplit(".", 1)[-1], args, kwargs, node, "tf")
            if isinstance(v, KTensor) and _hands_over_code(args, kwargs):
                self.opaque.add(v.node.id)  # tf.while_loop(cond, body, ...): code not followed
            if v is not UNKNOWN:
                return v
        if tensors:
            t = self.op_node(interp, path.rsplit(".", 1)[-1], tensors, None, interp_node=node)
            if path.split(".", 1)[0] not in WEIGHTLESS_MODULES:
                self.opaque.add(t.node.id)  # another library's function may hold weights
            return t
        if path in ("numpy.prod", "np.prod") or path.endswith(".prod"):
            seq = args[0] if args else UNKNOWN
            if isinstance(seq, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in seq):
                out = 1
                for v in seq:
                    out *= v
                return out
        return NotImplemented

    def unknown_call(self, interp, args, kwargs, node):
        """Something unknown called on tensors (a layer of another library, a function the
        analysis could not follow): an opaque node keeps the graph connected, and makes
        the models through it unresolved, since it may hold weights."""
        tensors = [a for a in _flatten(list(args) + list(kwargs.values())) if isinstance(a, KTensor)]
        if not tensors:
            return NotImplemented
        t = self.op_node(interp, "call", tensors, None, interp_node=node)
        self.opaque.add(t.node.id)
        return t

    def application_call(self, interp, name, args, kwargs, node, module_name=None):
        """``keras.applications.ResNet50(...)``: the builder in the installed Keras's own
        source, read (never imported) and interpreted like the user's code.  Its layers
        join this file's graph; whatever goes wrong leaves the result unknown."""
        path = application_source(name, module_name)
        module = _parse_cached(path) if path is not None else None
        if module is None:
            interp.taint_args(args, kwargs)
            return UNKNOWN
        sub = Interpreter(module, path, _FixedPositions(interp.span(node)), [self])
        sub.depth = interp.depth
        sub.speculative = interp.speculative
        try:
            sub.run_module()
            fn = sub.globals.vars.get(name)
            if not isinstance(fn, Function):
                return UNKNOWN
            return fn.call(sub, list(args), dict(kwargs), node)
        except AnalysisLimit:
            return UNKNOWN
        finally:
            interp.steps += sub.steps // 4  # a share of the work counts against this file
            interp.structure_events += 1

    def helper_call(self, interp, name, args, kwargs):
        """Keras's own helpers that model-building code calls (the applications' builders)."""
        if name in ("obtain_input_shape", "_obtain_input_shape"):
            return obtain_input_shape(args, kwargs, self.options.image_data_format)
        if name == "correct_pad":
            return correct_pad(args, kwargs, self.options.image_data_format)
        if name == "validate_activation":
            return None
        if name == "get_source_inputs":
            t = args[0] if args else kwargs.get("tensor", UNKNOWN)
            return self.source_inputs(t)
        return NotImplemented

    def source_inputs(self, t) -> Any:
        """The model inputs a tensor derives from (``get_source_inputs``)."""
        if not isinstance(t, KTensor):
            return UNKNOWN
        out: List[KTensor] = []
        seen = set()
        stack = [t]
        while stack:
            cur = stack.pop()
            if cur.node.id in seen:
                continue
            seen.add(cur.node.id)
            if cur.node.kind == "input":
                out.append(cur)
                continue
            if not cur.node.inputs:
                return UNKNOWN  # a tensor from an unknown source
            for producer, idx in reversed(cur.node.inputs):
                shape = producer.outputs[idx] if idx < len(producer.outputs) else None
                stack.append(KTensor(producer, idx, shape, self))
        return out

    def backend_call(self, interp, name, args, kwargs):
        if name == "image_data_format":
            return self.options.image_data_format
        if name == "image_dim_ordering":
            return "th" if self.options.image_data_format == "channels_first" else "tf"
        if name == "set_image_data_format" and args and args[0] in ("channels_first", "channels_last"):
            self.options.image_data_format = args[0]
            return None
        if name == "int_shape" and args and isinstance(args[0], KTensor):
            return args[0].shape_value()
        if name == "clear_session":
            return None
        if name == "is_keras_tensor" and args:
            if isinstance(args[0], KTensor):
                return True
            if args[0] is None or isinstance(args[0], (int, float, str, tuple, list, dict)):
                return False
            return UNKNOWN
        if name == "floatx":
            return "float32"
        return UNKNOWN

    def instantiate_class(self, interp, cls: ClassVal, args, kwargs, node):
        bases = [keras_parts(p) for p in cls.base_paths(interp)]
        if not any(b is not None and b[-1] in ("Layer", "Model", "Sequential") for b in bases):
            return NotImplemented
        local = [c for c in cls.mro()]
        keras_bases = [b for b in bases if b is not None]
        if (
            len(keras_bases) == len(bases)
            and all(b[-1] in ("Layer", "Model") for b in keras_bases)
            and all(not c.node.decorators or _harmless_decorators(c) for c in local)
        ):
            layer = KCustomLayer(self, cls, interp, kwargs, interp.span(node))
            init = cls.lookup("__init__")
            if isinstance(init, Function):
                self.inside_custom += 1
                try:
                    init.bind(layer).call(interp, args, kwargs, node)
                finally:
                    self.inside_custom -= 1
            elif args:
                layer.incomplete = True
            return layer
        layer = CustomClassLayer(self, cls.name, args, {k: v for k, v in kwargs.items() if k == "name"}, interp.span(node), cls.name)
        layer.known_type = False
        return layer

    # -- construction ---------------------------------------------------------------

    def make_layer(self, interp, written: str, args, kwargs, span: Span) -> KLayer:
        interp.structure_events += 1
        # a tensor where the layer expects a constant (``Reshape((tf.shape(x)[1], -1))``) is a
        # value the analysis does not know
        args = [_no_tensors(a) for a in args]
        kwargs = {k: _no_tensors(v) for k, v in kwargs.items()}
        type_, args, kwargs = translate_legacy(written, list(args), dict(kwargs))
        if type_ in INPUT_NAMES:
            return self.input_layer(interp, args, kwargs, span)
        return KLayer(self, type_, args, kwargs, span, written)

    def implicit_input_shape(self, layer: KLayer) -> Optional[Tuple[Any, Any]]:
        """The input a first layer declares (``input_shape=``, ``batch_input_shape=``,
        ``input_dim=``...): (shape without the batch, batch size), or None."""
        kw = layer.kwargs
        for key in ("batch_input_shape", "batch_shape"):
            if key in kw:
                v = kw[key]
                if isinstance(v, (tuple, list)) and v:
                    return tuple(v)[1:], v[0]
                return UNKNOWN, None
        if "input_shape" in kw:
            v = kw["input_shape"]
            if isinstance(v, int) and not isinstance(v, bool):
                return (v,), kw.get("batch_size")
            return (tuple(v) if isinstance(v, (tuple, list)) else UNKNOWN), kw.get("batch_size")
        if layer.type != "Embedding" and "input_dim" in kw:
            dim = kw["input_dim"]
            if "input_length" in kw:
                return (kw["input_length"], dim), None
            return (dim,), None
        if layer.type == "Embedding" and "input_length" in kw:
            return (kw["input_length"],), None
        return None

    def make_input(self, interp, shape, span: Span, batch=None, name=None, override: bool = True) -> KTensor:
        if override:
            if self.inputs_made < len(self.input_override):
                shape = tuple(self.input_override[self.inputs_made])
            self.inputs_made += 1
        dims: Optional[Tuple] = None
        if isinstance(shape, (tuple, list)):
            dims = tuple(d if (isinstance(d, int) and not isinstance(d, bool) and d >= 0) else None for d in shape)
        elif isinstance(shape, int) and not isinstance(shape, bool):
            dims = (shape,)
        b = batch if isinstance(batch, int) and not isinstance(batch, bool) else None
        full = None if dims is None else (b,) + dims
        node = self.graph.add("input", "InputLayer", span)
        node.outputs = [full]
        return KTensor(node, 0, full, self).mark_batch()

    def input_call(self, interp, args, kwargs, span) -> Any:
        shape = args[0] if args else kwargs.get("shape", None)
        batch = kwargs.get("batch_size", args[1] if len(args) > 1 else None)
        if "batch_shape" in kwargs and isinstance(kwargs["batch_shape"], (tuple, list)) and kwargs["batch_shape"]:
            bs = tuple(kwargs["batch_shape"])
            shape, batch = bs[1:], bs[0]
        if shape is None and "tensor" in kwargs:
            return kwargs["tensor"] if isinstance(kwargs["tensor"], KTensor) else UNKNOWN
        t = self.make_input(interp, shape if shape is not None else UNKNOWN, span, batch=batch)
        name = kwargs.get("name", args[5] if len(args) > 5 else None)
        if isinstance(name, str):
            self.input_names[t.node.id] = name
        return t

    def input_layer(self, interp, args, kwargs, span):
        shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else UNKNOWN))
        batch = kwargs.get("batch_size")
        bs = kwargs.get("batch_shape", kwargs.get("batch_input_shape"))
        if isinstance(bs, (tuple, list)) and bs:
            shape, batch = tuple(bs)[1:], bs[0]
        t = self.make_input(interp, shape, span, batch=batch)
        layer = KLayer(self, "InputLayer", (), {}, span, "InputLayer")
        layer.nodes.append(t.node)
        t.node.layer = layer
        return layer

    def sequential(self, interp, args, kwargs, span, written):
        interp.structure_events += 1
        seq = KSequential(self, args, kwargs, span, written)
        if not self.inside_custom and not interp.importing:
            # a Sequential a custom layer holds is part of that layer; models an imported
            # module builds at its top level belong to that module's own report
            self.models.append(seq)
        items = args[0] if args else kwargs.get("layers", None)
        if items is None:
            return seq
        if not isinstance(items, (list, tuple)):
            seq.tainted = True
            return seq
        for item in items:
            seq.add(interp, item, span)
        return seq

    def functional(self, interp, args, kwargs, span, written):
        interp.structure_events += 1
        ins = args[0] if args else kwargs.get("inputs", kwargs.get("input", UNKNOWN))
        outs = args[1] if len(args) > 1 else kwargs.get("outputs", kwargs.get("output", UNKNOWN))
        in_list = _flatten_struct(ins)
        out_list = _flatten_struct(outs)
        complete = (
            in_list is not None
            and out_list is not None
            and all(isinstance(t, KTensor) for t in in_list + out_list)
            and bool(out_list)
        )
        model = KFunctional(
            self,
            [t for t in (in_list or []) if isinstance(t, KTensor)],
            [t for t in (out_list or []) if isinstance(t, KTensor)],
            kwargs,
            span,
            written,
            complete,
        )
        if not self.inside_custom and not interp.importing:
            self.models.append(model)
        return model

    def merge_function(self, interp, fname, args, kwargs, span):
        type_ = MERGE_FUNCTIONS[fname]
        inputs = args[0] if args else kwargs.pop("inputs", UNKNOWN)
        ctor_kwargs = {k: v for k, v in kwargs.items() if k != "inputs"}
        ctor_args = list(args[1:])
        if fname == "concatenate" and ctor_args:
            ctor_kwargs.setdefault("axis", ctor_args.pop(0))
        if fname == "dot" and ctor_args:
            ctor_kwargs.setdefault("axes", ctor_args.pop(0))
        layer = KLayer(self, type_, ctor_args, ctor_kwargs, span, fname)
        return self.call_layer_on(interp, layer, [inputs], span)

    # -- calls ----------------------------------------------------------------------

    # -- custom layers ----------------------------------------------------------------

    def add_weight(self, interp, layer: "KCustomLayer", args, kwargs, node):
        """``self.add_weight(...)`` (Keras 3 ``shape`` first; Keras 2 ``name`` first)."""
        if args and isinstance(args[0], str):
            names = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")
        else:
            names = ("shape", "initializer", "dtype")
        kw = dict(kwargs)
        for n_, v in zip(names, args):
            kw.setdefault(n_, v)
        shape = kw.get("shape", None)
        if shape is None:
            shape = ()
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        trainable = kw.get("trainable", True)
        if trainable is None:
            trainable = True
        ok = (
            isinstance(shape, (tuple, list))
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
            and isinstance(trainable, bool)
        )
        if interp.speculative > layer.spec_level:
            layer.incomplete = True  # a weight created on an uncertain path
        if not ok:
            layer.incomplete = True
            layer.weights.append((None, True))
            return self.op_node(interp, "weight", [], None, interp_node=node)
        shape = tuple(shape)
        layer.weights.append((shape, trainable))
        return self.op_node(interp, "weight", [], shape, interp_node=node)

    def call_custom(self, interp, layer: "KCustomLayer", args, kwargs, span: Span, node):
        """Call a custom layer: ``build`` on the first call, then ``call`` interpreted."""
        inputs = args[0] if args else kwargs.pop("inputs", UNKNOWN)
        flat = _flatten([inputs])
        connected = [t for t in flat if isinstance(t, KTensor)]
        result = UNKNOWN
        opaque_before = len(self.opaque)
        interp.structure_events += 1
        if layer.calling < 2:  # a layer calling itself: not followed
            layer.calling += 1
            self.inside_custom += 1
            try:
                if not layer.layer_built:
                    build = layer.cls.lookup("build")
                    if isinstance(build, Function):
                        build.bind(layer).call(interp, [_shape_arg(inputs)], {}, node)
                    layer.layer_built = True
                fn = layer.cls.lookup("call")
                if isinstance(fn, Function):
                    result = fn.bind(layer).call(interp, [inputs] + list(args[1:]), kwargs, node)
                if not _tensor_struct(result):
                    cos = layer.cls.lookup("compute_output_shape")
                    if isinstance(cos, Function):
                        shape = cos.bind(layer).call(interp, [_shape_arg(inputs)], {}, node)
                        result = _shape_struct(shape)
            finally:
                layer.calling -= 1
                self.inside_custom -= 1
        if isinstance(result, KTensor):
            shapes = [result.shape]
        elif isinstance(result, (list, tuple)) and result and all(isinstance(t, (KTensor, tuple)) or t is None for t in result):
            shapes = [t.shape if isinstance(t, KTensor) else t for t in result]
        elif isinstance(result, tuple) and _is_shape(result):
            shapes = [result]
        else:
            shapes = [None]
        if layer.uncertain_attrs or len(self.opaque) != opaque_before:
            layer.incomplete = True
        gnode = self.graph.add("layer", layer.type, span, layer, [(t.node, t.index) for t in connected])
        gnode.input_shapes = [t.shape for t in connected]
        gnode.outputs = shapes
        if len(connected) != len(flat) or not connected:
            gnode.outputs = [None] * len(shapes)
        if not layer.nodes and interp.speculative:
            layer.build_uncertain = True
        layer.nodes.append(gnode)
        layer.built = True
        layer.params, layer.non_trainable = self.model_params(layer)
        tensors = self.tensors_of(gnode)
        results = [result] if isinstance(result, KTensor) else list(result) if isinstance(result, (list, tuple)) else []
        for t, r in zip(tensors, results):
            if isinstance(r, KTensor) and r.batch0:
                t.mark_batch()
        if isinstance(result, (list, tuple)) and not _is_shape(result):
            return type(result)(tensors) if isinstance(result, tuple) else tensors
        return tensors[0] if len(tensors) == 1 else tensors

    def call_layer(self, interp, layer: KLayer, args, kwargs, node):
        span = interp.span(node)
        if isinstance(layer, KCustomLayer):
            return self.call_custom(interp, layer, list(args), dict(kwargs), span, node)
        if layer.type in ATTENTION_LAYERS:
            positional = list(args)
            used = set()
            for key in ("query", "value", "key"):
                if key in kwargs and kwargs[key] is not None:
                    positional.append(kwargs[key])
                    used.add(key)
            extra = _kwarg_tensors(kwargs, used)
            scores = kwargs.get("return_attention_scores") is True
            return self.apply(interp, layer, _flatten(positional), span, extra=extra, scores=scores)
        if not args and "inputs" in kwargs:
            args = [kwargs["inputs"]]
        # Tensors passed otherwise (initial_state=, mask=, constants=) connect the graph,
        # as in Keras, but are not the layer's shape inputs.
        extra = _flatten(list(args[1:])) + _kwarg_tensors(kwargs, {"inputs"})
        return self.apply(interp, layer, _flatten(list(args[:1])), span, extra=[t for t in extra if isinstance(t, KTensor)])

    def call_layer_on(self, interp, layer: KLayer, args: List[Any], span: Span):
        tensors = _flatten(args)
        return self.apply(interp, layer, tensors, span)

    def tensors_of(self, node: CallNode) -> List[KTensor]:
        outs = node.outputs or [None]
        return [KTensor(node, i, s, self) for i, s in enumerate(outs)]

    def apply(self, interp, layer: KLayer, inputs: List[Any], span: Span, extra=(), scores: bool = False):
        """Call ``layer`` on ``inputs``: a graph node, shapes from the engine, the result tensor(s).

        ``extra`` are further tensors of the call (``initial_state=``...): graph edges only.
        ``scores``: an attention layer called with ``return_attention_scores=True``."""
        if isinstance(layer, KCustomLayer):
            # a Sequential adding a custom layer
            return self.call_custom(interp, layer, [inputs[0] if len(inputs) == 1 else list(inputs)], {}, span, None)
        connected = [t for t in inputs if isinstance(t, KTensor)]
        all_known = len(connected) == len(inputs) and bool(inputs)
        if (
            isinstance(layer, KSequential)
            and layer.input is None
            and layer.layers
            and not layer.tainted
            and all_known
            and len(connected) == 1
            and connected[0].shape is not None
        ):
            # Keras builds a Sequential without an input shape on its first call
            layer.build(interp, tuple(connected[0].shape), explicit=False)
        node = self.graph.add(
            "layer", layer.type, span, layer, [(t.node, t.index) for t in connected],
            extra_inputs=[(t.node, t.index) for t in extra],
        )
        node.input_shapes = [t.shape for t in connected]
        if not layer.nodes and interp is not None and interp.speculative:
            layer.build_uncertain = True  # its first call may not happen
        layer.nodes.append(node)
        outputs: List[Shape]
        params = None
        non_trainable = 0
        if not all_known:
            outputs = [None]
        elif isinstance(layer, (KSequential, KFunctional)):
            outputs = layer.replay(node.input_shapes)
            params, non_trainable = self.model_params(layer)
        elif not layer.known_type:
            outputs = [None]
        else:
            try:
                result = infer(layer, node.input_shapes, self.options)
                outputs = list(result.outputs)
                params = result.params
                non_trainable = result.non_trainable
            except ShapeIssue as issue:
                # on a path the analysis is not sure runs, a mismatch is not certain either
                node.issue = None if interp.speculative else issue
                outputs = [None]
            except Unresolved:
                outputs = [None]
            except RecursionError:
                outputs = [None]
        if scores:
            outputs = [outputs[0], attention_scores_shape(layer, node.input_shapes) if outputs[0] is not None else None]
        node.outputs = outputs
        if not layer.built:
            layer.built = True
            layer.params = params
            layer.non_trainable = non_trainable
        tensors = self.tensors_of(node)
        if connected and connected[0].batch0 and layer.type != "Lambda" and (layer.known_type or isinstance(layer, (KSequential, KFunctional))):
            for t in tensors:
                t.mark_batch()  # Keras layers map the batch to the batch
        if len(tensors) == 1:
            return tensors[0]
        return tensors

    def shapes_only(self, layer, shapes: List[Shape]) -> List[Shape]:
        if any(s is None for s in shapes):
            return [None]
        if isinstance(layer, (KSequential, KFunctional)):
            return layer.replay(shapes)
        if not isinstance(layer, KLayer) or not layer.known_type:
            return [None]
        try:
            return list(infer(layer, shapes, self.options).outputs)
        except (ShapeIssue, Unresolved, RecursionError):
            return [None]

    def op_node(self, interp, op: str, tensors: List[KTensor], shape: Shape, interp_node=None, issue=None):
        if interp is not None:
            interp.op_events += 1
        span = interp.span(interp_node) if interp_node is not None else (tensors[0].node.span if tensors else Span(1, 0, 1, 0))
        node = self.graph.add("op", op, span, None, [(t.node, t.index) for t in tensors])
        node.input_shapes = [t.shape for t in tensors]
        node.outputs = [shape]
        node.issue = None if interp is not None and interp.speculative else issue
        return KTensor(node, 0, shape, self)

    def phi(self, a: KTensor, b: KTensor) -> KTensor:
        """The tensor after an uncertain branch: shape kept only where both paths agree."""
        shape: Shape = None
        if a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape):
            shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        node = self.graph.add("op", "branch", a.node.span, None, [(a.node, a.index), (b.node, b.index)])
        node.input_shapes = [a.shape, b.shape]
        node.outputs = [shape]
        return KTensor(node, 0, shape, self)

    def op_call(self, interp, name, args, kwargs, node, flavor: str = "keras"):
        """A tensor function (``keras.ops``, ``tf.*``, ``keras.backend``): a graph node with
        the result shape when the analysis is sure of it; UNKNOWN if nothing is known."""
        tensors = [a for a in _flatten(list(args) + list(kwargs.values())) if isinstance(a, KTensor)]
        if name == "Variable":
            t = self.op_node(interp, "variable", tensors, None, interp_node=node)
            return t
        try:
            res = op_result(name, flavor, list(args), dict(kwargs))
        except (TypeError, ValueError, IndexError, ZeroDivisionError, RecursionError):
            res = None
        if res is None:
            if not tensors:
                return UNKNOWN
            return self.op_node(interp, name, tensors, None, interp_node=node)
        if res[0] == "value":
            return res[1]
        try:
            keeps_batch = op_keeps_batch(name, flavor, list(args), dict(kwargs))
        except (TypeError, ValueError, IndexError):
            keeps_batch = False
        if res[0] == "tensors":
            span = interp.span(node) if node is not None else (tensors[0].node.span if tensors else Span(1, 0, 1, 0))
            gnode = self.graph.add("op", name, span, None, [(t.node, t.index) for t in tensors])
            gnode.input_shapes = [t.shape for t in tensors]
            gnode.outputs = list(res[1])
            return [t.mark_batch(keeps_batch) for t in self.tensors_of(gnode)]
        return self.op_node(interp, name, tensors, res[1], interp_node=node, issue=res[2]).mark_batch(keeps_batch)

    def unary_op(self, interp, op, value, node):
        if not isinstance(value, KTensor):
            return NotImplemented
        out = self.op_node(interp, "negative" if op == "-" else op, [value], value.shape if op in ("-", "+") else None, interp_node=node)
        return out.mark_batch(value.batch0 and op in ("-", "+"))

    def binary_op(self, interp, op, left, right, node):
        lt = isinstance(left, KTensor)
        rt = isinstance(right, KTensor)
        if not (lt or rt):
            return NotImplemented
        tensors = [t for t in (left, right) if isinstance(t, KTensor)]
        if lt and rt:
            shape, issue = broadcast(left.shape, right.shape, op)
            out = self.op_node(interp, _OP_NAMES.get(op, op), tensors, shape, interp_node=node, issue=issue)
            return out.mark_batch(op != "@" and _broadcast_keeps_batch([left, right]))
        t = left if lt else right
        other = right if lt else left
        if isinstance(other, (int, float)) and not isinstance(other, bool) and op in ("+", "-", "*", "/", "**", "//", "%"):
            return self.op_node(interp, _OP_NAMES.get(op, op), tensors, t.shape, interp_node=node).mark_batch(t.batch0)
        return self.op_node(interp, _OP_NAMES.get(op, op), tensors, None, interp_node=node)

    # -- models ---------------------------------------------------------------------

    def keras_order(self, inputs: List[KTensor], outputs: List[KTensor]) -> List[Any]:
        """The operations of a functional model in Keras's order: by decreasing depth
        (distance to the outputs), ties broken by first visit in a depth-first walk from
        the outputs."""
        input_keys = {(t.node.id, t.index) for t in inputs}
        op_index: Dict[Any, int] = {}
        finished = set()
        post: List[CallNode] = []

        def op_of(node: CallNode):
            return node.layer if node.layer is not None else node

        for out in outputs:
            stack = [(out.node, (out.node.id, out.index), False)]
            while stack:
                node, key, expanded = stack.pop()
                if expanded:
                    if node.id not in finished:
                        finished.add(node.id)
                        post.append(node)
                    continue
                if node.id in finished:
                    continue
                op = op_of(node)
                if op not in op_index:
                    op_index[op] = len(op_index)
                stack.append((node, key, True))
                if node.kind != "input" and key not in input_keys:
                    for producer, idx in reversed(node.inputs + node.extra_inputs):
                        if producer.id not in finished:
                            stack.append((producer, (producer.id, idx), False))
        node_depth: Dict[int, int] = {}
        op_depth: Dict[Any, int] = {}
        members = {n.id for n in post}
        for node in reversed(post):
            depth = node_depth.setdefault(node.id, 0)
            op = op_of(node)
            depth = max(depth, op_depth.get(op, 0))
            op_depth[op] = depth
            node_depth[node.id] = depth
            for producer, _ in node.inputs + node.extra_inputs:
                if producer.id in members:
                    node_depth[producer.id] = max(depth + 1, node_depth.get(producer.id, 0))
        for t in inputs:
            op = op_of(t.node)
            if op not in op_depth:
                op_depth[op] = 0
                op_index[op] = -1
        by_depth: Dict[int, List[Any]] = {}
        for op, d in op_depth.items():
            by_depth.setdefault(d, []).append(op)
        ordered: List[Any] = []
        for d in sorted(by_depth, reverse=True):
            ordered.extend(sorted(by_depth[d], key=lambda o: op_index.get(o, -1)))
        return ordered

    def topological(self, inputs, outputs) -> List[CallNode]:
        seen = set()
        order: List[CallNode] = []
        input_keys = {t.node.id for t in inputs}
        for out in outputs:
            stack = [(out.node, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    if node.id not in seen:
                        seen.add(node.id)
                        order.append(node)
                    continue
                if node.id in seen:
                    continue
                stack.append((node, True))
                if node.id not in input_keys:
                    for p, _ in node.inputs:
                        stack.append((p, False))
        return order

    def model_params(self, model) -> Tuple[Optional[int], int]:
        """(total, non-trainable) over the model's unique weights."""
        seen = set()
        total = 0
        frozen = 0
        known_all = True

        def visit(layer, trainable=True):
            nonlocal total, frozen, known_all
            if id(layer) in seen:
                return
            seen.add(id(layer))
            if isinstance(layer, (KSequential, KFunctional)):
                if layer.tainted or (isinstance(layer, KFunctional) and self.has_opaque(layer)):
                    known_all = False
                for sub in layer.sub_layers():
                    visit(sub, trainable and layer.trainable)
                return
            if isinstance(layer, KCustomLayer):
                # its own weights, then the layers it holds (each counted once)
                if layer.incomplete or not layer.nodes:
                    known_all = False
                live = trainable and layer.trainable
                for shape, w_trainable in layer.weights:
                    if shape is None:
                        known_all = False
                        continue
                    n = 1
                    for d in shape:
                        n *= d
                    total += n
                    if not (live and w_trainable):
                        frozen += n
                for sub in layer.tracked():
                    if isinstance(sub, KLayer) and sub.certainly_unbuilt() and not isinstance(sub, KFunctional):
                        continue  # a held layer never built has no weights yet
                    visit(sub, live)
                return
            if not isinstance(layer, KLayer) or layer.params is None:
                known_all = False
                return
            total += layer.params
            frozen += layer.params if not (trainable and layer.trainable) else layer.non_trainable

        visit(model)
        return (total if known_all else None), frozen

    def trainable_uncertain(self, model) -> bool:
        """Some layer's ``trainable`` was set on an uncertain path (or to an unknown value)."""
        seen = set()
        stack = [model]
        while stack:
            layer = stack.pop()
            if id(layer) in seen or not isinstance(layer, KLayer):
                continue
            seen.add(id(layer))
            if layer.trainable_uncertain:
                return True
            if isinstance(layer, KCustomLayer):
                stack.extend(layer.tracked())
            elif isinstance(layer, (KSequential, KFunctional)):
                stack.extend(layer.sub_layers())
        return False

    def has_opaque(self, model: "KFunctional") -> bool:
        """The model's graph goes through something unknown (which may hold weights)."""
        if not model.complete:
            return True
        return any(n.id in self.opaque for n in self.topological(model.inputs, model.outputs))

    def summarize(self, model, path: str, variable: Optional[str]) -> ModelInfo:
        rows: List[LayerInfo] = []
        row_layers: List[Any] = []
        resolved = not model.tainted
        if isinstance(model, KFunctional) and (not model.complete or self.has_opaque(model)):
            resolved = False
        if isinstance(model, KFunctional) and any(t.shape is None for t in model.outputs):
            resolved = False
        for layer in model.sub_layers():
            if not isinstance(layer, KLayer):
                continue
            if isinstance(layer, KCustomLayer):
                params, frozen = self.model_params(layer)
                outs = layer.first_outputs() or [None]
            elif isinstance(layer, (KSequential, KFunctional)):
                params, frozen = self.model_params(layer)
                if layer.nodes:
                    outs = layer.nodes[0].outputs
                else:
                    outs = [t.shape for t in (layer.outputs if isinstance(layer, KFunctional) else [layer.output] if layer.output else [])] or [None]
            else:
                params, frozen = layer.params, layer.non_trainable
                outs = layer.first_outputs() or [None]
            shape = outs[0] if len(outs) == 1 else list(outs)
            if params is None or any(s is None for s in outs) or any(n.issue is not None for n in layer.nodes):
                resolved = False
            rows.append(LayerInfo(layer.name, layer.type, layer.span.line if getattr(self, 'layer_lines', True) else 0, shape, params, frozen, layer.trainable))
            row_layers.append(layer)
        # the picture (summary --format mermaid/dot): the layers' connections in this model
        flow = None
        if getattr(self, "layer_lines", True):  # `check` shows no picture
            opaque = isinstance(model, KFunctional) and model.complete and self.has_opaque(model)
            flow = keras_flow(model, rows, row_layers, self.input_names, complete=not opaque)
        total, frozen = self.model_params(model)
        if total is None:
            resolved = False
        split_known = total is not None and not self.trainable_uncertain(model)
        return ModelInfo(
            name=model.name,
            framework=FRAMEWORK,
            path=path,
            line=model.model_span.line if getattr(self, 'layer_lines', True) else 0,
            variable=variable,
            layers=rows,
            total_params=total,
            trainable_params=total - frozen if split_known else None,
            non_trainable_params=frozen if split_known else None,
            resolved=resolved,
            flow=flow,
        )


_OP_NAMES = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "@": "matmul", "**": "power", "//": "floor_divide", "%": "mod"}


def broadcast(a: Shape, b: Shape, op: str = "+"):
    """NumPy broadcasting of two shapes: (shape, ShapeIssue or None)."""
    if a is None or b is None:
        return None, None
    if op == "@":
        return None, None
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if known(x) and known(y):
            if x == y or y == 1:
                out.append(x)
            elif x == 1:
                out.append(y)
            else:
                return None, ShapeIssue(
                    "merge",
                    "Operands of '%s' have shapes %s and %s, which do not broadcast (dimension %d vs %d)"
                    % (op, format_shape(a), format_shape(b), x, y),
                )
        elif known(x) and x != 1:
            out.append(x)
        elif known(y) and y != 1:
            out.append(y)
        elif x == y and isinstance(x, str):
            out.append(x)
        else:
            out.append(None)
    return tuple(reversed(out)), None


ATTENTION_LAYERS = ("MultiHeadAttention", "Attention", "AdditiveAttention", "GroupQueryAttention")


def _kwarg_tensors(kwargs, skip) -> List[Any]:
    return [t for k, v in kwargs.items() if k not in skip for t in _flatten([v]) if isinstance(t, KTensor)]


def attention_scores_shape(layer, shapes: List[Shape]) -> Shape:
    """The scores an attention layer returns with ``return_attention_scores=True``."""
    if len(shapes) < 2 or shapes[0] is None or shapes[1] is None:
        return None
    q, v = shapes[0], shapes[1]
    if layer.type == "MultiHeadAttention":
        heads = layer.kwargs.get("num_heads", layer.args[0] if layer.args else None)
        if layer.kwargs.get("attention_axes") is not None or len(q) != 3 or len(v) != 3:
            return None
        if not isinstance(heads, int) or isinstance(heads, bool):
            return None
        # Keras 3's symbolic output (what model.summary() shows) uses the query length
        # twice; the tensor computed at run time is (batch, heads, query_len, key_len).
        return (q[0], heads, q[1], q[1])
    if layer.type in ("Attention", "AdditiveAttention") and len(q) == 3 and len(v) == 3:
        return (q[0], q[1], v[1])
    return None


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


def _flatten_struct(v, _top=True) -> Optional[List[Any]]:
    if v is UNKNOWN or (_top and not _deep_ok(v)):
        return None
    if isinstance(v, (list, tuple)):
        out: List[Any] = []
        for x in v:
            f = _flatten_struct(x, False)
            if f is None:
                return None
            out.extend(f)
        return out
    if isinstance(v, dict):
        return _flatten_struct(list(v.values()), False)
    return [v]


# --------------------------------------------------------------------------- tensor operations
#
# Shapes of the tensor functions model code calls (``keras.ops``, ``tf.*``, Keras 2's
# ``keras.backend``).  Each rule returns the exact result shape or None: a rule never
# guesses, since a wrong shape here would become a wrong diagnostic further on.  Only
# broadcasting reports an issue (as the ``+`` operator does).

UNARY_OPS = {
    "abs", "absolute", "negative", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt",
    "square", "sigmoid", "tanh", "relu", "relu6", "gelu", "silu", "swish", "softplus", "softsign", "elu",
    "selu", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "mish", "floor", "ceil", "round", "sign",
    "sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "erf", "erfc",
    "cast", "stop_gradient", "identity", "softmax", "log_softmax", "l2_normalize", "normalize", "clip",
    "clip_by_value", "dropout", "reciprocal", "logical_not", "convert_to_tensor", "zeros_like", "ones_like",
    "full_like", "nan_to_num", "conj", "real", "imag", "sort", "flip", "roll",
    "bias_add", "is_nan", "isnan", "is_finite", "isfinite", "is_inf", "isinf", "reverse", "copy",
    "flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down", "random_brightness",
    "random_contrast", "adjust_brightness", "adjust_contrast", "per_image_standardization", "fake_quant",
    "cast_to_floatx", "sparse_plus", "squareplus", "celu", "log_sigmoid", "hard_tanh", "tanh_shrink",
    "soft_shrink", "hard_shrink", "threshold", "square_root", "trunc", "rint", "angle", "positive",
}
BINARY_OPS = {
    "add", "subtract", "multiply", "divide", "true_divide", "truediv", "maximum", "minimum", "pow", "power",
    "floor_divide", "floordiv", "mod", "floormod", "squared_difference", "equal", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "divide_no_nan",
    "atan2", "arctan2", "hypot", "heaviside", "copysign", "xdivy", "multiply_no_nan",
}
REDUCE_OPS = {
    "mean", "sum", "max", "min", "prod", "reduce_mean", "reduce_sum", "reduce_max", "reduce_min", "reduce_prod",
    "reduce_std", "reduce_variance", "std", "var", "reduce_logsumexp", "logsumexp", "any", "all", "reduce_any",
    "reduce_all", "amax", "amin", "count_nonzero", "reduce_euclidean_norm", "nanmean", "nansum",
}
CREATE_OPS = {"zeros", "ones", "uniform", "normal", "truncated_normal", "empty", "full", "fill", "random_uniform", "random_normal"}


_CONST_BINARY = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "equal": lambda a, b: a == b,
    "not_equal": lambda a, b: a != b,
    "less": lambda a, b: a < b,
    "less_equal": lambda a, b: a <= b,
    "greater": lambda a, b: a > b,
    "greater_equal": lambda a, b: a >= b,
    "maximum": max,
    "minimum": min,
}


_FIRST_ARG_NAMES = ("x", "input", "inputs", "images", "image", "tensor", "value", "input_tensor", "logits", "features", "x1", "a")

_CONST_UNARY = {
    "sqrt": math.sqrt,
    "rsqrt": lambda v: 1.0 / math.sqrt(v),
    "exp": math.exp,
    "log": math.log,
    "square": lambda v: v * v,
    "abs": abs,
    "negative": lambda v: -v,
    "convert_to_tensor": lambda v: v,
    "floor": math.floor,
    "ceil": math.ceil,
}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _dims(v) -> Optional[Tuple]:
    """A shape argument (``(B, 1, 1)``, ``[-1, 8]``) as dims: ints, None where unknown."""
    if isinstance(v, int) and not isinstance(v, bool):
        return (v,)
    if isinstance(v, KTensor) or not isinstance(v, (tuple, list)):
        return None
    out = []
    for d in v:
        if isinstance(d, int) and not isinstance(d, bool):
            out.append(d)
        elif d is None or d is UNKNOWN or isinstance(d, (KTensor, BatchSize)):
            out.append(None)
        else:
            return None
    return tuple(out)


def _axis(a, rank: int) -> Optional[int]:
    if not isinstance(a, int) or isinstance(a, bool) or not -rank <= a < rank:
        return None
    return a % rank


def _merge_dim(a, b):
    """Two sizes that working code makes equal: the known one."""
    return a if known(a) else b


def _reshape(shape: Shape, target) -> Shape:
    dims = _dims(target)
    if dims is None:
        return None
    if sum(1 for d in dims if d == -1) > 1 or any(known(d) and d < -1 for d in dims):
        return None
    if -1 in dims:
        total = product(shape) if shape is not None else None
        rest = [d for d in dims if d != -1]
        if known(total) and all(known(d) for d in rest):
            rp = product(rest)
            if rp == 0 or total % rp:
                return None  # Keras raises; the reshape rule of the layer reports such things
            dims = tuple(total // rp if d == -1 else d for d in dims)
        else:
            dims = tuple(None if d == -1 else d for d in dims)
    return tuple(dims)


def _reduce(shape: Shape, axis, keepdims) -> Shape:
    if shape is None or not isinstance(keepdims, bool):
        return None
    r = len(shape)
    if axis is None:
        return tuple(1 for _ in shape) if keepdims else ()
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    norm = [_axis(a, r) for a in axes]
    if any(a is None for a in norm):
        return None
    if keepdims:
        return tuple(1 if i in norm else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in norm)


def _matmul(a: Shape, b: Shape, ta=False, tb=False) -> Shape:
    if a is None or b is None or len(a) < 2 or len(b) < 2:
        return None
    if ta:
        a = a[:-2] + (a[-1], a[-2])
    if tb:
        b = b[:-2] + (b[-1], b[-2])
    batch, issue = broadcast(a[:-2], b[:-2])
    if batch is None or issue is not None:
        return None
    return tuple(batch) + (a[-2], b[-1])


def _einsum(eq, shapes: List[Shape]) -> Shape:
    if not isinstance(eq, str) or "->" not in eq or "." in eq or any(s is None for s in shapes):
        return None
    lhs, out = eq.replace(" ", "").split("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        return None
    sizes: Dict[str, Any] = {}
    for term, shape in zip(terms, shapes):
        if len(term) != len(shape):
            return None
        for ch, d in zip(term, shape):
            sizes[ch] = _merge_dim(sizes.get(ch), d) if ch in sizes else d
    if any(ch not in sizes for ch in out):
        return None
    return tuple(sizes[ch] for ch in out)


def _concat(shapes: List[Shape], axis) -> Shape:
    if not shapes or any(s is None for s in shapes):
        return None
    r = len(shapes[0])
    if any(len(s) != r for s in shapes):
        return None
    ax = _axis(axis, r)
    if ax is None:
        return None
    out = []
    for i in range(r):
        if i == ax:
            ds = [s[i] for s in shapes]
            out.append(sum(ds) if all(known(d) for d in ds) else None)
        else:
            d = None
            for s in shapes:
                d = _merge_dim(d, s[i])
            out.append(d)
    return tuple(out)


def _stack(shapes: List[Shape], axis) -> Shape:
    if not shapes or any(s is None for s in shapes) or any(len(s) != len(shapes[0]) for s in shapes):
        return None
    base = []
    for i in range(len(shapes[0])):
        d = None
        for s in shapes:
            d = _merge_dim(d, s[i])
        base.append(d)
    ax = _axis(axis, len(base) + 1)
    if ax is None:
        return None
    return tuple(base[:ax]) + (len(shapes),) + tuple(base[ax:])


def _getitem(shape: Shape, key) -> Shape:
    """``x[...]`` with ints, slices, None and Ellipsis."""
    if shape is None:
        return None
    keys = list(key) if isinstance(key, tuple) else [key]
    for k in keys:
        if not (k is None or k is Ellipsis or isinstance(k, slice) or (isinstance(k, int) and not isinstance(k, bool))):
            return None
        if isinstance(k, slice) and any(
            v is not None and (not isinstance(v, int) or isinstance(v, bool)) for v in (k.start, k.stop, k.step)
        ):
            return None
    if sum(1 for k in keys if k is Ellipsis) > 1:
        return None
    used = sum(1 for k in keys if k is not None and k is not Ellipsis)
    if used > len(shape):
        return None
    if Ellipsis in keys:
        i = keys.index(Ellipsis)
        keys = keys[:i] + [slice(None)] * (len(shape) - used) + keys[i + 1 :]
    else:
        keys = keys + [slice(None)] * (len(shape) - used)
    out = []
    pos = 0
    for k in keys:
        if k is None:
            out.append(1)
            continue
        d = shape[pos]
        pos += 1
        if isinstance(k, int):
            if known(d) and not -d <= k < d:
                return None
            continue
        if k.start is None and k.stop is None and k.step in (None, 1):
            out.append(d)
        elif known(d):
            if k.step == 0:
                return None
            out.append(len(range(d)[k]))
        else:
            out.append(None)
    return tuple(out)


def _conv_shape(x: Shape, kernel: Shape, strides, padding, dilations=1, channels_last=True) -> Shape:
    """``tf.nn.conv2d``/``ops.conv``: kernel (*spatial, in, out)."""
    if x is None or kernel is None or len(kernel) != len(x):
        return None
    n = len(x) - 2
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        return None

    def per_axis(v):
        if isinstance(v, int) and not isinstance(v, bool):
            return (v,) * n
        if isinstance(v, (list, tuple)) and all(isinstance(i, int) for i in v):
            if len(v) == n:
                return tuple(v)
            if len(v) == n + 2:
                return tuple(v[1:-1]) if channels_last else tuple(v[2:])
            if len(v) == 1:
                return (v[0],) * n
        return None

    s = per_axis(strides)
    dl = per_axis(dilations)
    if s is None or dl is None:
        return None
    spatial = x[1:-1] if channels_last else x[2:]
    out = tuple(conv_output_length(d, k, st, padding.lower(), dil) for d, k, st, dil in zip(spatial, kernel[:n], s, dl))
    if any(known(d) and d <= 0 for d in out):
        return None
    return (x[0],) + out + (kernel[-1],) if channels_last else (x[0], kernel[-1]) + out


def _patches(x: Shape, size, strides, rates, padding) -> Shape:
    if x is None or len(x) != 4 or not isinstance(padding, str):
        return None
    pads = padding.lower()
    if pads not in ("valid", "same"):
        return None

    def two(v):
        if isinstance(v, int) and not isinstance(v, bool):
            return (v, v)
        if isinstance(v, (list, tuple)) and all(isinstance(i, int) for i in v):
            if len(v) == 2:
                return tuple(v)
            if len(v) == 4:
                return (v[1], v[2])
        return None

    sz, st, rt = two(size), two(strides), two(rates)
    if sz is None or st is None or rt is None:
        return None
    oh = conv_output_length(x[1], sz[0], st[0], pads, rt[0])
    ow = conv_output_length(x[2], sz[1], st[1], pads, rt[1])
    if (known(oh) and oh <= 0) or (known(ow) and ow <= 0):
        return None
    return (x[0], oh, ow, mul(sz[0], sz[1], x[3]))


def op_result(name: str, flavor: str, args: List[Any], kwargs: Dict[str, Any]):
    """The result of tensor function ``name``: ("tensor", shape, issue), ("tensors",
    [shapes]), ("value", v), or None when the analysis cannot tell."""
    if not args:
        # the first argument passed by keyword (tf.image.extract_patches(images=...))
        for key in _FIRST_ARG_NAMES:
            if key in kwargs:
                kwargs = dict(kwargs)
                args = [kwargs.pop(key)]
                break

    def arg(i, key, default=_MISSING_OP):
        if i is not None and i < len(args):
            return args[i]
        return kwargs.get(key, default)

    def shape_of(v) -> Shape:
        if isinstance(v, KTensor):
            return v.shape
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return ()
        return None

    x = args[0] if args else _MISSING_OP
    xs = shape_of(x)
    if name in UNARY_OPS or (flavor == "tf" and name in ("fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d")):
        if _number(x) and len(args) == 1 and name in _CONST_UNARY:
            try:  # tf.sqrt(2 / fan_in): a scalar the analysis can compute
                return ("value", _CONST_UNARY[name](x))
            except (ValueError, ArithmeticError):
                return None
        if not isinstance(x, KTensor):
            return None
        return ("tensor", xs, None)
    if name in ("depth_to_space", "space_to_depth") and isinstance(x, KTensor) and xs is not None and len(xs) == 4:
        b = arg(1, "block_size", None)
        if not isinstance(b, int) or isinstance(b, bool) or b < 1 or arg(2, "data_format", "NHWC") != "NHWC":
            return None
        if name == "depth_to_space":
            c = xs[3] // (b * b) if known(xs[3]) and xs[3] % (b * b) == 0 else None
            if known(xs[3]) and c is None:
                return None
            return ("tensor", (xs[0], mul(xs[1], b), mul(xs[2], b), c), None)
        if any(known(d) and d % b for d in xs[1:3]):
            return None
        return ("tensor", (xs[0],) + tuple(d // b if known(d) else None for d in xs[1:3]) + (mul(xs[3], b * b),), None)
    if name in BINARY_OPS:
        a, b = arg(0, "x", None), arg(1, "y", None)
        if flavor == "tf" and a is None:
            a, b = kwargs.get("a"), kwargs.get("b")
        if _number(a) and _number(b) and name in _CONST_BINARY:
            # on plain numbers (``tf.math.equal(x.shape[-1], filters)``) the value is known
            try:
                return ("value", _CONST_BINARY[name](a, b))
            except (ArithmeticError, ValueError):
                return None
        sa, sb = shape_of(a), shape_of(b)
        if sa is None or sb is None:
            return None
        shape, issue = broadcast(sa, sb, name)
        return ("tensor", shape, issue)
    if name == "where" and len(args) == 3:
        shapes = [shape_of(a) for a in args]
        if any(s is None for s in shapes):
            return None
        s1, i1 = broadcast(shapes[1], shapes[2])
        s2, i2 = broadcast(shapes[0], s1) if s1 is not None else (None, None)
        return ("tensor", s2, None) if i1 is None and i2 is None else None
    if name in REDUCE_OPS or name in ("argmax", "argmin"):
        if not isinstance(x, KTensor):
            return None
        if name in ("argmax", "argmin"):
            axis = arg(1, "axis", 0 if flavor == "tf" else None)
            if flavor == "tf" and axis is None:
                axis = 0
            keep = kwargs.get("keepdims", False)
        else:
            axis = arg(1, "axis", None)
            keep = arg(2, "keepdims", kwargs.get("keep_dims", False))
        return ("tensor", _reduce(xs, axis, keep), None)
    if name == "moments" and isinstance(x, KTensor):
        axes = arg(1, "axes", None)
        keep = arg(3 if flavor == "tf" else 2, "keepdims", False)
        if axes is None:
            return None
        red = _reduce(xs, axes, keep)
        return ("tensors", [red, red]) if red is not None else None
    if name == "norm" and isinstance(x, KTensor):
        if arg(1, "ord", None) not in (None, "euclidean", 2, "fro"):
            return None
        axis = arg(2, "axis", None)
        if flavor == "tf" and axis is None:
            return ("tensor", (), None)
        return ("tensor", _reduce(xs, axis, arg(3, "keepdims", False)), None)
    if name == "swapaxes" and isinstance(x, KTensor) and xs is not None:
        a1, a2 = _axis(arg(1, "axis1", None), len(xs)), _axis(arg(2, "axis2", None), len(xs))
        if a1 is None or a2 is None:
            return None
        out = list(xs)
        out[a1], out[a2] = out[a2], out[a1]
        return ("tensor", tuple(out), None)
    if name in ("reshape",):
        target = arg(1, "shape", arg(None, "newshape", None))
        if not isinstance(x, KTensor):
            return None
        if isinstance(target, (tuple, list)) and target and target[0] is BATCH and x.batch0 and xs is not None:
            # the batch size read from the same batch: the rest reshapes on its own
            rest = _reshape(xs[1:], tuple(target)[1:])
            return ("tensor", None if rest is None else (None,) + tuple(rest), None)
        return ("tensor", _reshape(xs, target), None)
    if name in ("transpose", "permute_dimensions"):
        if not isinstance(x, KTensor) or xs is None:
            return None
        perm = arg(1, "perm" if flavor == "tf" else ("pattern" if name == "permute_dimensions" else "axes"), None)
        if perm is None:
            return ("tensor", tuple(reversed(xs)), None)
        if not isinstance(perm, (list, tuple)) or sorted(p % len(xs) if isinstance(p, int) else -1 for p in perm) != list(range(len(xs))):
            return None
        return ("tensor", tuple(xs[p] for p in perm), None)
    if name in ("matmul",):
        a, b = arg(0, "a" if flavor == "tf" else "x1", None), arg(1, "b" if flavor == "tf" else "x2", None)
        if not (isinstance(a, KTensor) and isinstance(b, KTensor)):
            return None
        ta, tb = kwargs.get("transpose_a", False), kwargs.get("transpose_b", False)
        if not isinstance(ta, bool) or not isinstance(tb, bool):
            return None
        return ("tensor", _matmul(a.shape, b.shape, ta, tb), None)
    if name == "einsum":
        ops_ = args[1:]
        if not ops_ or not all(isinstance(t, KTensor) for t in ops_):
            return None
        return ("tensor", _einsum(args[0] if args else None, [t.shape for t in ops_]), None)
    if name in ("concatenate", "concat", "stack"):
        seq = arg(0, "values" if flavor == "tf" else "xs", None)
        if not isinstance(seq, (list, tuple)) or not seq or not all(isinstance(t, KTensor) for t in seq):
            return None
        default = 0 if (name == "stack" or flavor == "keras") else (-1 if flavor == "k2" else _MISSING_OP)
        axis = arg(1, "axis", default)
        if axis is _MISSING_OP:
            return None
        shapes = [t.shape for t in seq]
        return ("tensor", _stack(shapes, axis) if name == "stack" else _concat(shapes, axis), None)
    if name == "expand_dims":
        axis = arg(1, "axis", None)
        if not isinstance(x, KTensor) or xs is None:
            return None
        ax = _axis(axis, len(xs) + 1)
        return ("tensor", None if ax is None else xs[:ax] + (1,) + xs[ax:], None)
    if name == "squeeze":
        if not isinstance(x, KTensor) or xs is None:
            return None
        axis = arg(1, "axis", None)
        if axis is None:
            if not all(known(d) for d in xs[1:]):
                return None
            return ("tensor", tuple(d for i, d in enumerate(xs) if i == 0 or d != 1), None)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        norm = [_axis(a, len(xs)) for a in axes]
        if any(a is None or (known(xs[a]) and xs[a] != 1) for a in norm):
            return None
        return ("tensor", tuple(d for i, d in enumerate(xs) if i not in norm), None)
    if name == "tile":
        reps = _dims(arg(1, "multiples" if flavor == "tf" else "repeats", None))
        if not isinstance(x, KTensor) or xs is None or reps is None:
            return None
        shape = (1,) * max(0, len(reps) - len(xs)) + tuple(xs)
        reps = (1,) * max(0, len(shape) - len(reps)) + reps
        return ("tensor", tuple(mul(d, r) if r != 1 else d for d, r in zip(shape, reps)), None)
    if name == "repeat" and flavor != "tf":
        reps, axis = arg(1, "repeats", None), arg(2, "axis", None)
        if not isinstance(x, KTensor) or xs is None or not isinstance(reps, int) or axis is None:
            return None
        ax = _axis(axis, len(xs))
        if ax is None:
            return None
        return ("tensor", xs[:ax] + (mul(xs[ax], reps),) + xs[ax + 1 :], None)
    if name == "one_hot":
        depth = arg(1, "depth" if flavor == "tf" else "num_classes", None)
        if not isinstance(x, KTensor) or xs is None or not isinstance(depth, int) or arg(2, "axis", -1) not in (-1, None):
            return None
        return ("tensor", xs + (depth,), None)
    if name in ("cumsum", "cumprod"):
        axis = arg(1, "axis", None)
        if not isinstance(x, KTensor) or (axis is None and flavor == "keras"):
            return None  # numpy-style: no axis flattens
        return ("tensor", xs, None)
    if name in ("gather", "take", "embedding_lookup"):
        params, idx = (arg(0, "params", None), arg(1, "indices" if name != "embedding_lookup" else "ids", None))
        if name == "take":
            axis = arg(2, "axis", None)
        elif name == "gather" and flavor == "tf":
            axis = kwargs.get("axis", None)  # the third positional is validate_indices
            axis = 0 if axis is None else axis
        else:
            axis = 0
        if not isinstance(params, KTensor) or params.shape is None or kwargs.get("batch_dims", 0) != 0:
            return None
        if isinstance(idx, KTensor):
            ish = idx.shape
        elif isinstance(idx, (list, tuple)) and all(isinstance(i, int) and not isinstance(i, bool) for i in idx):
            ish = (len(idx),)
        elif isinstance(idx, int) and not isinstance(idx, bool):
            ish = ()
        else:
            ish = None
        if ish is None:
            return None
        if axis is None:
            return ("tensor", ish, None)
        ax = _axis(axis, len(params.shape))
        if ax is None:
            return None
        return ("tensor", params.shape[:ax] + tuple(ish) + params.shape[ax + 1 :], None)
    if name in CREATE_OPS:
        shape = _dims(arg(0, "shape", None) if name not in ("fill",) else arg(0, "dims", None))
        return ("tensor", shape, None) if shape is not None else None
    if name == "linspace" and flavor == "tf" and not any(isinstance(a, KTensor) for a in args):
        v = _numpy_call("linspace", list(args), dict(kwargs))
        return None if v is NotImplemented else ("value", v)
    if name in ("range", "arange"):
        vals = list(args)
        names = ("start", "stop" if flavor != "tf" else "limit", "step" if flavor != "tf" else "delta")
        for i, key in enumerate(names):
            if key in kwargs:
                if i != len(vals):
                    return None
                vals.append(kwargs[key])
        if kwargs.keys() - set(names) - {"dtype", "name"}:
            return None
        if len(vals) == 3 and vals[1] is None:
            return None
        if len(vals) >= 2 and vals[1] is None:
            vals = vals[:1]
        if not vals or len(vals) > 3:
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            # bounds read from tensors: a 1-D tensor of unknown length
            return ("tensor", (None,), None)
        try:
            return ("tensor", (len(range(*vals)),), None)
        except ValueError:
            return None
    if name == "shape":
        if not isinstance(x, KTensor) or xs is None:
            return None
        dims = tuple(d if known(d) else UNKNOWN for d in xs)
        if x.batch0:
            dims = (BATCH,) + dims[1:]
        # tf.shape and Keras 2's K.shape give a tensor (elementwise arithmetic);
        # keras.ops.shape gives a tuple
        return ("value", ConstArray(dims) if flavor in ("tf", "k2") else dims)
    if name == "rank" and isinstance(x, KTensor) and xs is not None:
        return ("value", len(xs))
    if name == "pad":
        pads = arg(1, "paddings" if flavor == "tf" else "pad_width", None)
        if not isinstance(x, KTensor) or xs is None or not isinstance(pads, (list, tuple)) or len(pads) != len(xs):
            return None
        out = []
        for d, p in zip(xs, pads):
            if not (isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(i, int) for i in p)):
                return None
            out.append(d + p[0] + p[1] if known(d) else None)
        return ("tensor", tuple(out), None)
    if name in ("conv2d", "conv", "convolution", "conv1d", "conv3d") and flavor != "k2":
        kernel = arg(1, "filters" if flavor == "tf" else "kernel", None)
        if not isinstance(x, KTensor) or not isinstance(kernel, KTensor):
            return None
        if flavor == "tf":
            fmt = kwargs.get("data_format", None)
            cl = fmt is None or (isinstance(fmt, str) and fmt.startswith("N") and fmt.endswith("C"))
            strides = arg(2, "strides", arg(None, "stride", 1 if name == "convolution" else _MISSING_OP))
            padding = arg(3, "padding", "VALID" if name == "convolution" else _MISSING_OP)
            if strides is None and name == "convolution":
                strides = 1
            dil = kwargs.get("dilations", 1)
            if dil is None:
                dil = 1
        else:
            fmt = arg(4, "data_format", None)
            cl = fmt in (None, "channels_last")
            strides, padding, dil = arg(2, "strides", 1), arg(3, "padding", "valid"), arg(5, "dilation_rate", 1)
        if strides is _MISSING_OP or padding is _MISSING_OP:
            return None
        return ("tensor", _conv_shape(xs, kernel.shape, strides, padding, dil, channels_last=cl), None)
    if name == "extract_patches":
        if not isinstance(x, KTensor):
            return None
        if flavor == "tf":
            return ("tensor", _patches(xs, arg(1, "sizes", None), arg(2, "strides", None), arg(3, "rates", None), arg(4, "padding", None)), None)
        size = arg(1, "size", None)
        strides = arg(2, "strides", None)
        if arg(5, "data_format", None) not in (None, "channels_last"):
            return None
        return ("tensor", _patches(xs, size, size if strides is None else strides, arg(3, "dilation_rate", 1), arg(4, "padding", "valid")), None)
    if name == "resize" and isinstance(x, KTensor) and xs is not None and len(xs) == 4:
        size = _dims(arg(1, "size", None))
        if size is None or len(size) != 2 or (flavor != "tf" and arg(None, "data_format", None) not in (None, "channels_last")):
            return None
        if flavor == "tf" and kwargs.get("preserve_aspect_ratio"):
            return None
        return ("tensor", (xs[0],) + size + (xs[3],), None)
    if name in ("rgb_to_grayscale",) and isinstance(x, KTensor) and xs is not None:
        return ("tensor", xs[:-1] + (1,), None)
    if name in ("broadcast_to",):
        shape = _dims(arg(1, "shape", None))
        return ("tensor", shape, None) if isinstance(x, KTensor) and shape is not None else None
    if name in ("batch_flatten",) and flavor == "k2" and isinstance(x, KTensor) and xs is not None:
        return ("tensor", (xs[0], product(xs[1:])), None)
    if name in ("flatten",) and flavor == "k2" and isinstance(x, KTensor) and xs is not None:
        return ("tensor", (product(xs),), None)
    if name in ("split", "unstack"):
        if not isinstance(x, KTensor) or xs is None:
            return None
        if name == "unstack":
            ax = _axis(arg(2, "axis", 0), len(xs))
            n = arg(1, "num", None)
            if ax is not None and n is None:
                n = xs[ax]
            if ax is None or not known(n) or (known(xs[ax]) and xs[ax] != n):
                return None
            return ("tensors", [xs[:ax] + xs[ax + 1 :]] * n)
        parts = arg(1, "num_or_size_splits" if flavor == "tf" else "indices_or_sections", None)
        ax = _axis(arg(2, "axis", 0), len(xs))
        if ax is None:
            return None
        if isinstance(parts, int) and not isinstance(parts, bool) and parts > 0:
            d = xs[ax]
            if known(d) and d % parts:
                return None
            size = d // parts if known(d) else None
            return ("tensors", [xs[:ax] + (size,) + xs[ax + 1 :]] * parts)
        if flavor == "tf" and isinstance(parts, (list, tuple)) and all(isinstance(p, int) and p >= 0 for p in parts):
            if known(xs[ax]) and sum(parts) != xs[ax]:
                return None
            return ("tensors", [xs[:ax] + (p,) + xs[ax + 1 :] for p in parts])
        return None
    return None


_MISSING_OP = object()


class BatchSize(Obj):
    """The batch size read from a tensor (``ops.shape(x)[0]``, ``tf.shape(x)[0]``): unknown,
    but the same as the batch dimension of every tensor that carries the model's batch."""

    def __repr__(self) -> str:
        return "<batch size>"

    def truth(self):
        return True


BATCH = BatchSize()


def _broadcast_keeps_batch(operands) -> bool:
    """Dimension 0 of a broadcast result is the batch: some full-rank operand carries it
    there and every other full-rank operand has the batch or 1 there."""
    shapes = [(o, o.shape if isinstance(o, KTensor) else ()) for o in operands]
    if any(sh is None for _, sh in shapes):
        return False
    r = max(len(sh) for _, sh in shapes)
    full = [(o, sh) for o, sh in shapes if len(sh) == r]
    if r == 0 or not any(isinstance(o, KTensor) and o.batch0 for o, _ in full):
        return False
    return all((isinstance(o, KTensor) and o.batch0) or sh[0] == 1 for o, sh in full)


def op_keeps_batch(name: str, flavor: str, args: List[Any], kwargs: Dict[str, Any]) -> bool:
    """Whether dimension 0 of the result of ``name`` is still the batch."""
    x = args[0] if args else None
    xb = isinstance(x, KTensor) and x.batch0

    def axis_arg(i, key, default):
        return args[i] if i < len(args) else kwargs.get(key, default)

    def not_zero(axis, rank) -> bool:
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        norm = [_axis(a, rank) for a in axes]
        return all(a is not None and a != 0 for a in norm)

    rank = len(x.shape) if isinstance(x, KTensor) and x.shape is not None else 0
    if name in ("fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d"):
        return xb and flavor == "tf"
    if name in UNARY_OPS or name in ("cumsum", "cumprod", "one_hot", "conv2d", "conv", "convolution", "conv1d",
                                     "conv3d", "extract_patches", "resize", "rgb_to_grayscale"):
        return xb
    if name in BINARY_OPS:
        return _broadcast_keeps_batch(list(args[:2]))
    if name == "where" and len(args) == 3:
        return _broadcast_keeps_batch(list(args))
    if name in REDUCE_OPS or name in ("argmax", "argmin", "moments", "norm"):
        axis = axis_arg(1 if name != "norm" else 2, "axes" if name == "moments" else "axis", None)
        return xb and axis is not None and not_zero(axis, rank)
    if name == "swapaxes":
        return xb and _axis(axis_arg(1, "axis1", None), rank) not in (0, None) and _axis(axis_arg(2, "axis2", None), rank) not in (0, None)
    if name == "reshape":
        target = axis_arg(1, "shape", kwargs.get("newshape"))
        return xb and isinstance(target, (list, tuple)) and bool(target) and target[0] is BATCH
    if name in ("transpose", "permute_dimensions"):
        perm = axis_arg(1, "perm" if flavor == "tf" else ("pattern" if name == "permute_dimensions" else "axes"), None)
        return xb and isinstance(perm, (list, tuple)) and bool(perm) and perm[0] == 0
    if name in ("concatenate", "concat", "stack"):
        seq = x
        axis = axis_arg(1, "axis", 0 if (name == "stack" or flavor == "keras") else -1)
        if not isinstance(seq, (list, tuple)) or not seq or not all(isinstance(t, KTensor) and t.batch0 for t in seq):
            return False
        r = len(seq[0].shape) + (1 if name == "stack" else 0)
        return not_zero(axis, r)
    if name == "expand_dims":
        return xb and not_zero(axis_arg(1, "axis", None), rank + 1)
    if name == "squeeze":
        axis = axis_arg(1, "axis", None)
        return xb and axis is not None and not_zero(axis, rank)
    if name == "pad":
        pads = axis_arg(1, "paddings" if flavor == "tf" else "pad_width", None)
        return xb and isinstance(pads, (list, tuple)) and bool(pads) and list(pads[0]) == [0, 0]
    if name == "tile":
        reps = axis_arg(1, "multiples" if flavor == "tf" else "repeats", None)
        if not isinstance(reps, (list, tuple)) or len(reps) != rank or not reps:
            return False
        if reps[0] is BATCH:  # a (1, ...) tensor tiled to the batch size
            return isinstance(x, KTensor) and x.shape is not None and x.shape[0] == 1
        return xb and reps[0] == 1
    if name in ("split", "unstack", "repeat"):
        return xb and not_zero(axis_arg(2, "axis", 0), rank)
    if name in CREATE_OPS or name == "broadcast_to":
        shape = axis_arg(0 if name != "broadcast_to" else 1, "shape", None)
        return isinstance(shape, (list, tuple)) and bool(shape) and shape[0] is BATCH
    if name in ("matmul",):
        a, b = (args + [None, None])[:2]
        if not (isinstance(a, KTensor) and isinstance(b, KTensor)) or a.shape is None or b.shape is None:
            return False
        return a.batch0 and len(a.shape) >= 3 and (len(b.shape) < len(a.shape) or b.batch0 or b.shape[0] == 1)
    return False


# --------------------------------------------------------------------------- Keras applications

_APP_INDEX: Optional[Dict[str, str]] = None
_TEXTS: Dict[str, str] = {}
_PARSED: Dict[str, Any] = {}


def application_source(name: str, module_name: Optional[str] = None) -> Optional[str]:
    """The file of the installed Keras that defines application function ``name`` (in
    ``module_name``'s file when that exists, e.g. ``resnet.stack_residual_blocks_v2``)."""
    global _APP_INDEX
    if module_name is not None and _APP_INDEX:
        for path in set(_APP_INDEX.values()):
            if os.path.basename(path) == module_name + ".py":
                text = _source_text(path)
                if text is not None and re.search(r"^def %s\(" % re.escape(name), text, re.M):
                    return path
    if _APP_INDEX is None:
        _APP_INDEX = {}
        try:
            import importlib.util

            spec = importlib.util.find_spec("keras")  # locates the package, runs nothing
            roots = list(spec.submodule_search_locations or []) if spec is not None else []
        except (ImportError, ValueError):
            roots = []
        for root in roots:
            for sub in (os.path.join(root, "src", "applications"), os.path.join(root, "applications")):
                if not os.path.isdir(sub):
                    continue
                for fname in sorted(os.listdir(sub)):
                    if not fname.endswith(".py") or fname.endswith("_test.py"):
                        continue
                    full = os.path.join(sub, fname)
                    try:
                        with open(full, encoding="utf-8") as fh:
                            text = fh.read()
                    except OSError:
                        continue
                    _TEXTS[full] = text
                    for m in re.finditer(r"^def ([A-Z]\w*)\(", text, re.M):
                        _APP_INDEX.setdefault(m.group(1), full)
        if module_name is not None:
            return application_source(name, module_name)
    return _APP_INDEX.get(name) if name[:1].isupper() else None


def _source_text(path: str) -> Optional[str]:
    return _TEXTS.get(path)


def _parse_cached(path: str):
    if path not in _PARSED:
        try:
            with open(path, encoding="utf-8") as fh:
                _PARSED[path] = cst.parse_module(fh.read())
        except (OSError, cst.ParserSyntaxError, UnicodeDecodeError):
            _PARSED[path] = None
    return _PARSED[path]


class _FixedPositions:
    """Positions for code read from the Keras package: everything it builds is reported
    at the user's call of the application."""

    class _Pos:
        def __init__(self, line, column):
            self.line = line
            self.column = column

    class _Range:
        def __init__(self, span: Span):
            self.start = _FixedPositions._Pos(span.line, span.column)
            self.end = _FixedPositions._Pos(span.end_line, span.end_column)

    def __init__(self, span: Span):
        self.range = _FixedPositions._Range(span)

    def __getitem__(self, node):
        return self.range


# --------------------------------------------------------------------------- Keras helpers


# Libraries whose functions applied to tensors hold no weights.
WEIGHTLESS_MODULES = {"tensorflow", "tf", "numpy", "np", "math", "jax", "jnp", "scipy"}


def _no_tensors(v) -> Any:
    if isinstance(v, KTensor):
        return UNKNOWN
    if isinstance(v, tuple):
        return tuple(_no_tensors(x) for x in v)
    if isinstance(v, list):
        return [_no_tensors(x) for x in v]
    return v


def _hands_over_code(args, kwargs) -> bool:
    """A call given functions or layers, which it may run (``tf.map_fn``, ``tf.while_loop``)."""
    for v in list(args) + list(kwargs.values()):
        if isinstance(v, (Function, BoundMethod, KLayer)) or type(v).__name__ == "Partial":
            return True
    return False


def _harmless_decorators(cls: ClassVal) -> bool:
    """Class decorators that leave a layer class as written (serialization registration)."""
    for d in cls.node.decorators:
        expr = d.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        name = Interpreter.dotted(expr).rsplit(".", 1)[-1]
        if name not in ("register_keras_serializable", "keras_export", "export"):
            return False
    return True


def _is_shape(v) -> bool:
    return isinstance(v, tuple) and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in v)


def _tensor_struct(v) -> bool:
    if isinstance(v, KTensor):
        return v.shape is not None
    if isinstance(v, (list, tuple)) and v and not _is_shape(v):
        return all(isinstance(t, KTensor) and t.shape is not None for t in v)
    return False


def _shape_struct(v) -> Any:
    """A ``compute_output_shape`` result: a shape tuple, or a list of them."""
    if isinstance(v, (tuple, list)) and v and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in v):
        return tuple(v)
    return UNKNOWN


def _shape_arg(inputs) -> Any:
    """What Keras hands ``build(input_shape)``: a shape tuple (or a list of them).  Sizes
    the analysis does not know are UNKNOWN, except the batch dimension, which Keras passes
    as None."""
    if isinstance(inputs, KTensor):
        if inputs.shape is None:
            return UNKNOWN
        return tuple(
            d if known(d) else (None if i == 0 and d is None else UNKNOWN) for i, d in enumerate(inputs.shape)
        )
    if isinstance(inputs, (list, tuple)):
        return [_shape_arg(x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: _shape_arg(x) for k, x in inputs.items()}
    return UNKNOWN


def _arg(args, kwargs, i: int, name: str, default: Any = UNKNOWN) -> Any:
    if i < len(args):
        return args[i]
    return kwargs.get(name, default)


def _shape_const(v) -> bool:
    return v is None or (
        isinstance(v, (tuple, list)) and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in v)
    )


def obtain_input_shape(args, kwargs, default_format: str) -> Any:
    """``keras.applications.imagenet_utils.obtain_input_shape``: the input shape an
    application builds for.  Where Keras would raise, or something is unknown, the
    result is unknown (the analysis never guesses)."""
    input_shape = _arg(args, kwargs, 0, "input_shape")
    default_size = _arg(args, kwargs, 1, "default_size")
    min_size = _arg(args, kwargs, 2, "min_size")
    data_format = _arg(args, kwargs, 3, "data_format", default_format)
    require_flatten = _arg(args, kwargs, 4, "require_flatten")
    weights = _arg(args, kwargs, 5, "weights", None)
    if "include_top" in kwargs and 4 >= len(args) and "require_flatten" not in kwargs:
        require_flatten = kwargs["include_top"]  # Keras 2.0's spelling
    if not _shape_const(input_shape) or not isinstance(default_size, int) or not isinstance(require_flatten, bool):
        return UNKNOWN
    if data_format not in ("channels_first", "channels_last") or not (weights is None or isinstance(weights, str)):
        return UNKNOWN
    if input_shape is not None:
        input_shape = tuple(input_shape)
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        if data_format == "channels_first":
            default_shape = (input_shape[0], default_size, default_size)
        else:
            default_shape = (default_size, default_size, input_shape[-1])
    elif data_format == "channels_first":
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            return UNKNOWN  # Keras raises
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            return UNKNOWN
        channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
        spatial = input_shape[1:] if data_format == "channels_first" else input_shape[:2]
        if weights == "imagenet" and channels != 3:
            return UNKNOWN
        if isinstance(min_size, int) and any(d is not None and d < min_size for d in spatial):
            return UNKNOWN
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        return UNKNOWN
    return input_shape


def correct_pad(args, kwargs, data_format: str) -> Any:
    """``imagenet_utils.correct_pad``: ZeroPadding2D padding for a strided convolution."""
    inputs = _arg(args, kwargs, 0, "inputs")
    kernel = _arg(args, kwargs, 1, "kernel_size")
    if not isinstance(inputs, KTensor) or inputs.shape is None or len(inputs.shape) != 4:
        return UNKNOWN
    if isinstance(kernel, int) and not isinstance(kernel, bool):
        kernel = (kernel, kernel)
    if not (isinstance(kernel, (tuple, list)) and len(kernel) == 2 and all(isinstance(k, int) for k in kernel)):
        return UNKNOWN
    size = inputs.shape[2:4] if data_format == "channels_first" else inputs.shape[1:3]
    if all(known(d) for d in size):
        adjust = (1 - size[0] % 2, 1 - size[1] % 2)
    elif not any(known(d) for d in size):
        # Keras's own rule for a None size.  Where the analysis merely does not know the
        # size, the padding only changes dimensions that stay unknown anyway.
        adjust = (1, 1)
    else:
        return UNKNOWN
    correct = (kernel[0] // 2, kernel[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


# --------------------------------------------------------------------------- legacy spellings


def _data_format(dim_ordering):
    if dim_ordering == "th":
        return "channels_first"
    if dim_ordering == "tf":
        return "channels_last"
    return None


def translate_legacy(written: str, args: List[Any], kwargs: Dict[str, Any]):
    """Map Keras 1/2 spellings to Keras 3's class names and arguments."""
    type_ = LEGACY_NAMES.get(written, written)
    kw = dict(kwargs)
    legacy_conv = written.startswith(("Convolution", "AtrousConvolution", "Deconvolution")) or "nb_filter" in kw

    def rename(old, new):
        if old in kw and new not in kw:
            kw[new] = kw.pop(old)
        else:
            kw.pop(old, None)

    if legacy_conv and type_ in ("Conv1D",):
        names = ["nb_filter", "filter_length"]
        for i, n in enumerate(names):
            if i < len(args):
                kw.setdefault(n, args[i])
        if len(args) <= 2 or "nb_filter" in kw:
            args = args[2:] if len(args) >= 2 else []
            rename("nb_filter", "filters")
            rename("filter_length", "kernel_size")
            rename("subsample_length", "strides")
            rename("atrous_rate", "dilation_rate")
    elif legacy_conv and type_ in ("Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose"):
        nd = 3 if type_.startswith("Conv3D") else 2
        names = ["nb_filter", "kernel_dim1", "kernel_dim2", "kernel_dim3"][: nd + 1] if nd == 3 else ["nb_filter", "nb_row", "nb_col"]
        ints = [a for a in args[: nd + 1]]
        if len(ints) == nd + 1 or "nb_filter" in kw or "nb_row" in kw:
            for i, n in enumerate(names):
                if i < len(args):
                    kw.setdefault(n, args[i])
            args = args[nd + 1 :]
            rename("nb_filter", "filters")
            dims = [kw.pop(n, UNKNOWN) for n in names[1:]]
            if "kernel_size" not in kw:
                kw["kernel_size"] = tuple(dims)
            rename("subsample", "strides")
            rename("atrous_rate", "dilation_rate")
            if type_ == "Conv2DTranspose":
                kw.pop("output_shape", None)
    rename("border_mode", "padding")
    if type_ != "Embedding":
        rename("output_dim", "units")
    if "pool_length" in kw:
        rename("pool_length", "pool_size")
    if "stride" in kw:
        rename("stride", "strides")
    if "dim_ordering" in kw:
        df = _data_format(kw.pop("dim_ordering"))
        if df:
            kw.setdefault("data_format", df)
    for dead in ("init", "W_regularizer", "b_regularizer", "W_constraint", "b_constraint", "bias", "inner_init", "consume_less", "weights"):
        if dead in kw:
            if dead == "bias" and isinstance(kw[dead], bool):
                kw["use_bias"] = kw.pop(dead)
            else:
                kw.pop(dead)
    return type_, args, kw
