"""A model's picture (:class:`~shapelint.graph.Flow`) from the file's layer graph.

The front-ends call this from their ``summarize``: every summary row becomes one node, the
model inputs and outputs become nodes, tensor operations between layers (``x + y``,
``torch.flatten``) become small nodes of their own, and every tensor that flows from one of
them to another becomes an edge labelled with its shape.  Only connections present in the
graph are drawn; a part of a model the analysis could not follow leaves connections out
(``Flow.complete`` is then False), it never gets invented ones.

Keras draws one node per layer (a shared layer is one node with several inbound edges, as
``keras.utils.plot_model`` draws it); PyTorch draws one node per module call, as its summary
lists one row per call (a ReLU module used twice is two rows, two nodes).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, Iterable, List, Optional, Sequence, Tuple

from .graph import CallNode, Flow, FlowEdge, FlowNode, LayerInfo

Tensor = Tuple[CallNode, int]  # output ``index`` of a graph node


def _tensors(value, depth: int = 0) -> List[Tensor]:
    """The graph tensors in a value a call returned (a tensor, or tuples, lists, dicts of them)."""
    if depth > 6:
        return []
    node = getattr(value, "node", None)
    if isinstance(node, CallNode) and isinstance(getattr(value, "index", None), int):
        return [(node, value.index)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v, depth + 1)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v, depth + 1)]
    return []


def _shape_of(node: CallNode, index: int):
    return node.outputs[index] if 0 <= index < len(node.outputs) else None


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


class _Builder:
    """Collects picture nodes (keyed by what they stand for) and the edges between them."""

    def __init__(self, rows: Sequence[LayerInfo]):
        self.rows = rows
        self.nodes: Dict[Hashable, FlowNode] = {}
        self.order: Dict[Hashable, Tuple] = {}
        self.edges: Dict[Tuple[Hashable, Hashable, Tuple[int, int]], Tuple[Any, Tuple]] = {}
        self.taken: Dict[str, int] = {}
        for i, row in enumerate(rows):
            self.taken[row.name] = 1

    def unique(self, base: str) -> str:
        """``base``, ``base_1``, ``base_2``... as Keras names layers, skipping taken names."""
        n = self.taken.get(base, 0)
        name = base if n == 0 else "%s_%d" % (base, n)
        while name in self.taken and n:  # "add_1" may be a layer's own name
            n += 1
            name = "%s_%d" % (base, n)
        self.taken[base] = n + 1
        self.taken.setdefault(name, 1)
        return name

    def add(self, key: Hashable, make: Callable[[], FlowNode], order: Tuple) -> Hashable:
        if key not in self.nodes:
            self.nodes[key] = make()
            self.order[key] = order
        elif order < self.order[key]:
            self.order[key] = order
        return key

    def edge(self, source: Hashable, target: Hashable, tensor: Tensor, position: Tuple, output: int) -> None:
        k = (source, target, (tensor[0].id, tensor[1]))
        if k not in self.edges:
            self.edges[k] = (_shape_of(*tensor), position, output)

    def finish(self, complete: bool) -> Flow:
        keys = sorted(self.nodes, key=lambda k: self.order[k])
        index = {k: i for i, k in enumerate(keys)}
        nodes = [self.nodes[k] for k in keys]
        for node in nodes:  # names in drawing order: the first "add" is add, the next add_1
            if node.row is None:
                node.name = self.unique(node.name)
        ordered = sorted(self.edges.items(), key=lambda kv: (index[kv[0][1]], kv[1][1], index[kv[0][0]]))
        edges = [FlowEdge(index[s], index[t], shape, output) for (s, t, _), (shape, _, output) in ordered]
        for i, node in enumerate(nodes):
            if node.row is not None:
                names: List[str] = []
                for e in edges:
                    if e.target == i and nodes[e.source].name not in names:
                        names.append(nodes[e.source].name)
                self.rows[node.row].inputs = names
        return Flow(nodes, edges, complete)


def build_flow(
    rows: Sequence[LayerInfo],
    owner: Dict[int, Tuple[Hashable, Hashable]],
    seeds: Iterable[CallNode],
    outputs: Sequence[Tensor],
    boundary: Callable[[CallNode, int], bool],
    groups: Optional[Dict[Hashable, FlowNode]] = None,
    describe_input: Optional[Callable[[CallNode, int], Tuple[str, str]]] = None,
    complete: bool = True,
    call_outputs: Optional[Dict[Hashable, List[Tuple[int, int]]]] = None,
) -> Flow:
    """The picture of one model.

    ``owner`` maps a graph node id to (group, call): the group is a row index or a key of
    ``groups`` (a call that is not a row); the graph nodes of one call are one picture node,
    and the tensors between them are not drawn.  ``seeds`` are graph nodes of the model the
    walk starts from besides the producers of the ``outputs`` (the model's output tensors);
    it goes back through every node's inputs until ``boundary(node, index)`` says a tensor
    comes from outside the model, or reaches an ``input`` graph node; ``describe_input``
    gives such a tensor's picture kind and name ("input" or "constant", and a base name).
    ``call_outputs`` lists, per call, the (node id, index) of the tensors it returned, in
    order, when that is not simply the output index of the graph node (a module's forward)."""
    groups = groups or {}
    b = _Builder(rows)
    group_first: Dict[Hashable, int] = {}
    for node_id, (group, _) in owner.items():
        group_first[group] = min(node_id, group_first.get(group, node_id))

    def group_node(group) -> FlowNode:
        if isinstance(group, int):
            row = rows[group]
            return FlowNode(row.name, row.type, "layer", row.params, group)
        return groups[group]

    def input_node(node: CallNode, index: int) -> Hashable:
        def make():
            kind, name = describe_input(node, index) if describe_input else ("input", "input")
            return FlowNode(name, node.type, kind)

        return b.add(("input", node.id, index), make, (0, node.id, index))

    def picture(node: CallNode) -> Hashable:
        if node.id in owner:
            group = owner[node.id][0]
            return b.add(("group", group), lambda: group_node(group), (1, group_first[group], -1))
        return b.add(("op", node.id), lambda: FlowNode(_snake(node.type), node.type, "op"), (1, node.id, -1))

    stack: List[CallNode] = []

    def output_of(tensor: Tensor) -> int:
        node, index = tensor
        if node.id in owner and call_outputs:
            outs = call_outputs.get(owner[node.id][1])
            if outs and (node.id, index) in outs:
                return outs.index((node.id, index))
        return index

    def source(tensor: Tensor) -> Hashable:
        node, index = tensor
        if node.kind == "input" or boundary(node, index):
            return input_node(node, index)
        stack.append(node)
        return picture(node)

    # every row is drawn, even one no connection reaches
    for i in range(len(rows)):
        b.add(("group", i), (lambda g: lambda: group_node(g))(i), (1, group_first.get(i, 1 << 60), i))
    for k, tensor in enumerate(outputs):
        src = source(tensor)
        out = b.add(("output", k), lambda: FlowNode("output", "Output", "output"), (2, k))
        b.edge(src, out, tensor, (1 << 60, k), output_of(tensor))
    stack.extend(n for n in seeds if n.kind != "input" and not boundary(n, 0))
    seen = set()
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        target = picture(node)
        for pos, (producer, index) in enumerate(node.inputs + node.extra_inputs):
            if node.id in owner and owner.get(producer.id) == owner[node.id]:
                stack.append(producer)  # inside one call: no edge, but what feeds it counts
                continue
            tensor = (producer, index)
            b.edge(source(tensor), target, tensor, (node.id, pos), output_of(tensor))
    return b.finish(complete)


def _ancestors(outputs: Sequence[Tensor], stop) -> set:
    """Ids of the graph nodes the outputs depend on, not going past ``stop(node, index)``."""
    seen = set()
    stack = [t for t in outputs if not stop(*t)]
    while stack:
        node, _ = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        if node.kind == "input":
            continue
        for producer, index in node.inputs + node.extra_inputs:
            if producer.id not in seen and not stop(producer, index):
                stack.append((producer, index))
    return seen


def keras_flow(model, rows: Sequence[LayerInfo], row_layers: Sequence[Any], input_names: Dict[int, str], complete: bool) -> Optional[Flow]:
    """A Keras ``Sequential`` or functional model: one node per layer, edges between the
    layers' calls in this model (the layers' inbound nodes)."""
    if model.type == "Functional":
        if not model.complete:
            return None
        inputs = [(t.node, t.index) for t in model.inputs]
        outputs = [(t.node, t.index) for t in model.outputs]
    elif model.type == "Sequential":
        if model.tainted:
            return None
        if model.input is None or model.output is None:
            return _chain(rows)
        inputs = [(model.input.node, model.input.index)]
        outputs = [(model.output.node, model.output.index)]
    else:
        return None
    input_keys = {(n.id, i) for n, i in inputs}

    def stop(node: CallNode, index: int) -> bool:
        return (node.id, index) in input_keys

    members = _ancestors(outputs, stop)
    owner: Dict[int, Tuple[Hashable, Hashable]] = {}
    for i, layer in enumerate(row_layers):
        for n in getattr(layer, "nodes", ()):
            if n.id in members:
                owner[n.id] = (i, n.id)

    def describe(node: CallNode, index: int) -> Tuple[str, str]:
        return "input", input_names.get(node.id) or "input"

    return build_flow(rows, owner, [], outputs, stop, describe_input=describe, complete=complete)


def _chain(rows: Sequence[LayerInfo]) -> Flow:
    """A Sequential never called on a known input: its layers in order, shapes unknown."""
    nodes = [FlowNode("input", "InputLayer", "input")]
    nodes += [FlowNode(r.name, r.type, "layer", r.params, i) for i, r in enumerate(rows)]
    nodes.append(FlowNode("output", "Output", "output"))
    edges = [FlowEdge(i, i + 1, None) for i in range(len(nodes) - 1)]
    for i, row in enumerate(rows):
        row.inputs = [nodes[i].name]
    return Flow(nodes, edges, True)


def torch_flow(graph, run: Optional[dict], rows: Sequence[LayerInfo], row_ids: set, complete: bool) -> Optional[Flow]:
    """A PyTorch model's last recorded run: one node per leaf module call (the summary's
    rows), the tensor operations of ``forward`` between them, in call order.

    ``row_ids`` are the ids of the modules that are rows (the model's own submodules)."""
    if not run or "span" not in run or len(run.get("flow", ())) != len(run["calls"]):
        return None
    first, end, result, args = run["span"]
    arguments = {(n.id, i) for n, i in _tensors(args)}
    owner: Dict[int, Tuple[Hashable, Hashable]] = {}
    groups: Dict[Hashable, FlowNode] = {}
    seeds: List[CallNode] = []
    call_outputs: Dict[Hashable, List[Tuple[int, int]]] = {}
    row = 0
    for j, ((module, _, _), (a, b, returned)) in enumerate(zip(run["calls"], run["flow"])):
        call_outputs[j] = [(n.id, i) for n, i in _tensors(returned)]
        if id(module) in row_ids:
            group: Hashable = row
            row += 1
        else:  # a module of another model called from this forward
            group = ("call", j)
            groups[group] = FlowNode(_snake(module.type), module.type, "layer")
        for node_id in range(a, b):
            if graph.g.has_node(node_id):
                owner[node_id] = (group, j)
                seeds.append(graph.node(node_id))
    if row != len(rows):
        return None

    def outside(node: CallNode, index: int) -> bool:
        return not first <= node.id < end

    def describe(node: CallNode, index: int) -> Tuple[str, str]:
        if node.kind == "input" and node.type == "Parameter":
            return "constant", "parameter"
        if (node.id, index) in arguments:
            return "input", "input"
        # made inside forward (torch.zeros(...)), or outside it but not passed to the model
        # (a buffer made in __init__, a module-level tensor)
        return "constant", "tensor"

    return build_flow(rows, owner, seeds, _tensors(result), outside, groups, describe, complete, call_outputs)
