"""The framework-neutral layer graph of one file.

Every layer call, model input and tensor operation the front-end finds becomes a
:class:`CallNode` in a networkx ``MultiDiGraph``: an edge ``producer -> consumer`` per input
tensor (keyed by the consumer's input position).  The shape engine fills each node's output
shapes and parameters as the front-end adds it (shapes are needed while the code is read:
model code reads ``x.shape[-1]``), and the checks read the finished graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import networkx as nx

from .diagnostics import Span
from .engine.registry import ShapeIssue
from .engine.shapes import Shape


@dataclass(eq=False)
class CallNode:
    """One call: a layer applied to tensors, a model input, or a tensor operation."""

    id: int
    kind: str  # "input" | "layer" | "op"
    type: str  # class name ("Conv2D"), "InputLayer", or the op ("add")
    span: Span
    layer: Any = None  # the layer object (shared layers: one object, several nodes)
    inputs: List[Tuple["CallNode", int]] = field(default_factory=list)
    input_shapes: List[Shape] = field(default_factory=list)
    outputs: List[Shape] = field(default_factory=list)
    issue: Optional[ShapeIssue] = None
    framework: str = "keras"
    # further tensors of the call that are not shape inputs (initial_state=, mask=)
    extra_inputs: List[Tuple["CallNode", int]] = field(default_factory=list)

    def describe(self) -> str:
        """How messages name this node: ``Conv2D at line 12``."""
        return "%s at line %d" % ("Input" if self.kind == "input" else self.type, self.span.line)


class LayerGraph:
    """All calls of one file, in the order the code makes them."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()
        self._next = 0

    def add(self, kind: str, type_: str, span: Span, layer=None, inputs=(), framework: str = "keras", extra_inputs=()) -> CallNode:
        node = CallNode(self._next, kind, type_, span, layer, list(inputs), framework=framework, extra_inputs=list(extra_inputs))
        self._next += 1
        self.g.add_node(node.id, call=node)
        for pos, (producer, _index) in enumerate(node.inputs + node.extra_inputs):
            self.g.add_edge(producer.id, node.id, key=pos)
        return node

    def nodes(self) -> Iterator[CallNode]:
        for _, data in self.g.nodes(data="call"):
            yield data

    def node(self, node_id: int) -> CallNode:
        return self.g.nodes[node_id]["call"]

    def producers(self, node: CallNode) -> List[CallNode]:
        return [p for p, _ in node.inputs]

    def ancestors(self, node_ids) -> set:
        out = set(node_ids)
        for n in node_ids:
            out |= nx.ancestors(self.g, n)
        return out

    def __len__(self) -> int:
        return self.g.number_of_nodes()


@dataclass
class LayerInfo:
    """One row of a model summary."""

    name: str
    type: str
    line: int
    output_shape: Any  # Shape, or a list of shapes for several outputs
    params: Optional[int]
    non_trainable: int = 0
    trainable: bool = True
    # names of what feeds this layer (layers, model inputs, tensor operations), in the order
    # of its inputs; None when the model's connections are not known
    inputs: Optional[List[str]] = None


@dataclass
class ModelInfo:
    """A model found in a file, as ``model.summary()`` would describe it."""

    name: str
    framework: str
    path: str
    line: int
    variable: Optional[str]
    layers: List[LayerInfo]
    total_params: Optional[int]
    trainable_params: Optional[int]
    non_trainable_params: Optional[int]
    resolved: bool  # every layer's shape and parameter count is known
    notes: List[str] = field(default_factory=list)  # facts for the reader ("fits only 32×32 inputs")
    extra: Dict[str, Any] = field(default_factory=dict)
    flow: Optional["Flow"] = None  # the layer graph with the shapes between layers, when known


@dataclass
class FlowNode:
    """A node of a model's picture: a model input, a row of the summary, a tensor operation
    between layers (``x + y``, ``torch.flatten``), or a model output."""

    name: str
    type: str
    kind: str  # "input" | "layer" | "op" | "output"
    params: Optional[int] = None
    row: Optional[int] = None  # index of the summary row (ModelInfo.layers) it draws


@dataclass
class FlowEdge:
    """A tensor flowing from one node to another (indices into Flow.nodes)."""

    source: int
    target: int
    shape: Any  # the tensor's Shape
    output: int = 0  # which output of the source it is (an LSTM's states: 1 and 2)


@dataclass
class Flow:
    """The picture of a model: what ``summary --format mermaid/dot`` draws.

    Edges are the connections the analysis followed; ``complete`` is False when part of the
    model could not be followed, so some connections may be missing (none is ever invented)."""

    nodes: List[FlowNode]
    edges: List[FlowEdge]
    complete: bool = True
