"""The layer registry: one shape-and-parameter function per layer type.

A front-end describes each layer it finds as a :class:`LayerConfig` (framework, class name,
constructor arguments).  When the layer is called on tensors, the engine looks up the
layer's :class:`LayerDef` and calls its function with a :class:`LayerCall`, which gives
access to the constructor arguments by name (positional arguments are mapped through the
definition's signature) and to the input shapes.  The function returns a
:class:`LayerResult` or raises:

* :class:`ShapeIssue` -- the input is certainly incompatible with the layer (a bug);
* :class:`Unresolved` -- something it needs is unknown; the output becomes unknown.

Registering a layer::

    @register("keras", "Dense", signature=("units", "activation", "use_bias"))
    def dense(call):
        units = call.int("units")
        x = call.input(min_rank=2)
        ...
        return LayerResult([x[:-1] + (units,)], params=...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .shapes import Dim, Shape, format_shape, known
from .values import UNKNOWN, contains_unknown


class Unresolved(Exception):
    """A value the shape function needs is not known statically."""


class ShapeIssue(Exception):
    """A certain incompatibility between a layer and what it receives.

    ``kind`` selects the rule that reports it:

    ========== ===================================================================
    concat     concatenated inputs differ outside the concatenation axis
    merge      Add/Subtract/Multiply/... inputs that do not match or broadcast
    rank       wrong number of dimensions for the layer
    reshape    a reshape/view target whose size differs from the input's
    nonpositive a window or kernel larger than what is left of the feature map
    input      any other certain incompatibility of an input with the layer
    in_features  Linear/Bilinear in_features differs from the input's last dim
    in_channels  ConvNd in_channels differs from the input's channel dim
    num_features BatchNorm/InstanceNorm/GroupNorm/LayerNorm size differs from the input
    rnn_input    RNN input_size differs from the input's feature dim
    ========== ===================================================================

    ``message`` is a full sentence in shape terms, *without* the producer (the front-end
    appends "from <layer> at line N").  ``input_index`` names the offending input when
    there are several.  ``hint`` is an optional second sentence suggesting the usual fix.
    """

    def __init__(self, kind: str, message: str, hint: Optional[str] = None, input_index: Optional[int] = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint
        self.input_index = input_index


@dataclass
class LayerConfig:
    """A layer as its constructor call describes it (framework-neutral)."""

    framework: str
    type: str
    args: Tuple[Any, ...] = ()
    kwargs: Dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # layers are identities, not values
        return id(self)

    def __eq__(self, other) -> bool:
        return self is other


@dataclass
class LayerResult:
    """Output shape(s) and parameter counts of one layer call.

    ``params`` counts every weight (trainable + non-trainable), as ``count_params()``
    does; ``non_trainable`` is the non-trainable part (e.g. BatchNormalization's moving
    statistics).  ``params=None`` means unknown.
    """

    outputs: List[Shape]
    params: Optional[int] = 0
    non_trainable: int = 0
    notes: List[str] = field(default_factory=list)


@dataclass
class Options:
    """Analysis options the shape functions depend on."""

    image_data_format: str = "channels_last"


ShapeFn = Callable[["LayerCall"], LayerResult]


@dataclass
class LayerDef:
    framework: str
    name: str
    fn: ShapeFn
    signature: Tuple[str, ...]
    # Expected input ranks (for documentation and the rank check), e.g. (3,) for LSTM.
    ranks: Tuple[int, ...] = ()
    multi_input: bool = False


REGISTRY: Dict[Tuple[str, str], LayerDef] = {}


def register(
    framework: str,
    *names: str,
    signature: Sequence[str] = (),
    ranks: Sequence[int] = (),
    multi_input: bool = False,
) -> Callable[[ShapeFn], ShapeFn]:
    """Register ``fn`` as the shape function of the layer class(es) ``names``."""

    def deco(fn: ShapeFn) -> ShapeFn:
        for name in names:
            key = (framework, name)
            if key in REGISTRY:
                raise ValueError("layer %s/%s registered twice" % key)
            REGISTRY[key] = LayerDef(framework, name, fn, tuple(signature), tuple(ranks), multi_input)
        return fn

    return deco


def lookup(framework: str, name: str) -> Optional[LayerDef]:
    _load(framework)
    return REGISTRY.get((framework, name))


_LOADED = set()


def _load(framework: str) -> None:
    if framework in _LOADED:
        return
    _LOADED.add(framework)
    if framework == "keras":
        from . import keras_layers  # noqa: F401  (registers on import)
    elif framework in ("torch", "torch_op"):
        _LOADED.update(("torch", "torch_op"))
        import importlib

        for name in ("torch_layers", "torch_ops"):
            try:
                importlib.import_module("%s.%s" % (__package__, name))
            except ModuleNotFoundError as exc:  # TEMPORARY while torch support is written
                if exc.name != "%s.%s" % (__package__, name):
                    raise


_MISSING = object()


class LayerCall:
    """One call of a layer: its constructor arguments and its input shapes."""

    def __init__(self, config: LayerConfig, inputs: List[Shape], options: Options, ldef: LayerDef):
        self.config = config
        self.inputs = inputs
        self.options = options
        self.ldef = ldef

    # -- constructor arguments -------------------------------------------------------

    @property
    def type(self) -> str:
        return self.config.type

    def has(self, name: str) -> bool:
        return self.get(name, _MISSING) is not _MISSING

    def get(self, name: str, default: Any = None) -> Any:
        """The constructor argument ``name`` (keyword, or positional by the signature)."""
        if name in self.config.kwargs:
            return self.config.kwargs[name]
        sig = self.ldef.signature
        if name in sig:
            i = sig.index(name)
            if i < len(self.config.args):
                return self.config.args[i]
        return default

    def value(self, name: str, default: Any = None) -> Any:
        """Like :meth:`get`, but raises :class:`Unresolved` if the value is unknown."""
        v = self.get(name, default)
        if contains_unknown(v):
            raise Unresolved(name)
        return v

    def int(self, name: str, default: Any = _MISSING) -> int:
        v = self.value(name, None if default is _MISSING else default)
        if v is None and default is _MISSING:
            raise Unresolved(name)
        if isinstance(v, bool) or not isinstance(v, int):
            raise Unresolved(name)
        return v

    def ints(self, name: str, n: int, default: Any = _MISSING) -> Tuple[int, ...]:
        """An int-or-tuple argument (kernel_size, strides, ...) as an ``n``-tuple."""
        v = self.value(name, None if default is _MISSING else default)
        if v is None:
            raise Unresolved(name)
        if isinstance(v, int) and not isinstance(v, bool):
            return (v,) * n
        if isinstance(v, (tuple, list)) and len(v) == n and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
            return tuple(v)
        if isinstance(v, (tuple, list)) and len(v) == 1 and n > 1 and isinstance(v[0], int):
            return (v[0],) * n
        raise Unresolved(name)

    def str(self, name: str, default: Any = None) -> str:
        v = self.value(name, default)
        if not isinstance(v, str):
            raise Unresolved(name)
        return v.lower()

    def bool(self, name: str, default: bool) -> bool:
        v = self.value(name, default)
        if not isinstance(v, (bool, int)):
            raise Unresolved(name)
        return bool(v)

    def data_format(self) -> str:
        v = self.get("data_format", None)
        if v is None:
            return self.options.image_data_format
        if not isinstance(v, str):
            raise Unresolved("data_format")
        return v

    # -- inputs ------------------------------------------------------------------------

    def input(self, index: int = 0, rank: Optional[int] = None, min_rank: Optional[int] = None, what: str = "") -> Tuple[Dim, ...]:
        """The shape of input ``index``; raises Unresolved if unknown and ShapeIssue on a wrong rank."""
        if index >= len(self.inputs):
            raise Unresolved("input %d" % index)
        shape = self.inputs[index]
        if shape is None:
            raise Unresolved("input %d" % index)
        if rank is not None and len(shape) != rank:
            raise ShapeIssue(
                "rank",
                "%s expects %d-D input%s but receives %s" % (self.type, rank, (" " + what) if what else "", format_shape(shape)),
                input_index=index,
            )
        if min_rank is not None and len(shape) < min_rank:
            raise ShapeIssue(
                "rank",
                "%s expects input of at least %d dimensions%s but receives %s"
                % (self.type, min_rank, (" " + what) if what else "", format_shape(shape)),
                input_index=index,
            )
        return shape

    # -- wrapped layers (TimeDistributed, Bidirectional) -------------------------------

    def apply(self, inner: Any, inputs: List[Shape]) -> LayerResult:
        """Run the shape function of a wrapped layer on ``inputs``."""
        if not isinstance(inner, LayerConfig):
            raise Unresolved("wrapped layer")
        return infer(inner, inputs, self.options)


class TensorArg:
    """Marks where a tensor stood in an op's arguments: ``torch.cat([a, b], 1)`` has
    ``args == ([TensorArg(0), TensorArg(1)], 1)`` and ``inputs == [shape_a, shape_b]``."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self) -> str:
        return "TensorArg(%d)" % self.index


def infer(config: LayerConfig, inputs: List[Shape], options: Optional[Options] = None) -> LayerResult:
    """Output shapes and parameters of ``config`` called on ``inputs``.

    Raises ShapeIssue for a certain incompatibility and Unresolved when the layer type is
    not registered or something it needs is unknown.
    """
    ldef = lookup(config.framework, config.type)
    if ldef is None:
        raise Unresolved("layer type %s" % config.type)
    return ldef.fn(LayerCall(config, list(inputs), options or Options(), ldef))


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


__all__ = [
    "UNKNOWN",
    "Dim",
    "LayerCall",
    "LayerConfig",
    "LayerDef",
    "LayerResult",
    "Options",
    "REGISTRY",
    "Shape",
    "ShapeIssue",
    "Unresolved",
    "infer",
    "is_int",
    "known",
    "lookup",
    "register",
]
