"""``shapelint summary`` formats: table (activation memory), markdown, json, mermaid, dot, svg.

The pictures are checked against the fixtures' real-framework snapshots
(``fixtures/*/expected/*.json``): every edge leaving a layer carries the shape Keras or PyTorch
gives that layer's output.  The Mermaid and DOT texts are checked structurally here (every
line parsed, every id declared, labels escaped); DOT is also rendered by Graphviz when it is
installed.  The oracle tier compares the connections with the real frameworks' own graphs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shapelint import cli, summary_formats  # noqa: E402
from shapelint.analysis import Settings, analyze_file
from shapelint.engine.shapes import format_shape

REPO = Path(__file__).resolve().parent.parent
KERAS_FIXTURES = sorted((REPO / "fixtures" / "keras").glob("*.py"))
TORCH_FIXTURES = sorted((REPO / "fixtures" / "torch").glob("*.py"))
ALL_FIXTURES = KERAS_FIXTURES + TORCH_FIXTURES

_CACHE: Dict[Path, list] = {}


def models_of(path: Path):
    if path not in _CACHE:
        _CACHE[path] = analyze_file(str(path), Settings()).models
    return _CACHE[path]


def main_model(path: Path):
    """The model a fixture's snapshot describes: the one bound to ``model`` (else the last)."""
    models = models_of(path)
    named = [m for m in models if m.variable == "model"]
    return (named or models)[-1]


def snapshot(path: Path) -> dict:
    with open(path.parent / "expected" / (path.stem + ".json"), encoding="utf-8") as fh:
        return json.load(fh)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(p)


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def edges_by_name(m) -> Counter:
    """The picture's edges as (source name, target name, shape text), counted."""
    f = m.flow
    return Counter((f.nodes[e.source].name, f.nodes[e.target].name, format_shape(e.shape)) for e in f.edges)


def as_tuple(shape):
    return None if shape is None else tuple(shape)


# --------------------------------------------------------------------------- activation memory

CLEAN = """\
import keras
from keras import layers

inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, activation="relu")(inputs)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
"""


def test_activation_bytes_per_example_in_json_and_table(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    # the batch dimension counts 1; 4 bytes a float32
    assert [l["activation_bytes"] for l in m["layers"]] == [26 * 26 * 8 * 4, 8 * 4, 10 * 4]
    assert m["activation_bytes"] == m["activation_bytes_known"] == (26 * 26 * 8 + 8 + 10) * 4
    assert m["param_bytes"] == 170 * 4
    code, out, _ = run(["summary", path], capsys)
    assert code == 0
    assert re.search(r"│ conv2d \(Conv2D\) +│ \(None, 26, 26, 8\) +│ +80 │ +21\.12 KB │", out)
    assert re.search(r"│ dense \(Dense\) +│ \(None, 10\) +│ +90 │ +40\.00 B │", out)
    assert "Activation memory: 21.20 KB per example" in out
    assert "Parameter memory: 680.00 B" in out
    assert "batch dimension counted as 1" in out and "4 bytes" in out


VGG16 = """\
import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(224, 224, 3))])
for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]):
    for _ in range(convs):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
    model.add(layers.MaxPooling2D(2))
model.add(layers.Flatten())
model.add(layers.Dense(4096, activation="relu"))
model.add(layers.Dense(4096, activation="relu"))
model.add(layers.Dense(1000))
"""


def test_vgg16_activation_memory_matches_the_cs231n_breakdown(tmp_path, capsys):
    """CS231n's VGG16 memory breakdown lists each layer's output per image: CONV3-64 at
    224x224x64 = 3.2M numbers, POOL2 at 112x112x64 = 800K, ..., FC 4096."""
    path = write(tmp_path, "vgg16.py", VGG16)
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    got = [l["activation_bytes"] // 4 for l in m["layers"]]
    expected = []
    side = 224
    for filters, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        expected += [side * side * filters] * convs
        side //= 2
        expected.append(side * side * filters)
    expected += [7 * 7 * 512, 4096, 4096, 1000]  # Flatten, FC, FC, FC
    assert got == expected
    assert got[0] == 3_211_264 and got[2] == 802_816  # "224x224x64=3.2M", "112x112x64=800K"
    assert m["activation_bytes"] == 4 * sum(expected)
    code, out, _ = run(["summary", path], capsys)
    assert "│    12.25 MB │" in out  # one CONV3-64 output: 3.2M numbers x 4 bytes


def test_unknown_sizes_show_question_marks_and_a_lower_bound(tmp_path, capsys):
    path = write(
        tmp_path,
        "seq.py",
        """\
        import keras
        from keras import layers

        inputs = keras.Input(shape=(None, 16))
        x = layers.LSTM(32, return_sequences=True)(inputs)
        x = layers.LSTM(8)(x)
        model = keras.Model(inputs, x)
        """,
    )
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    assert [l["activation_bytes"] for l in m["layers"]] == [None, 8 * 4]
    assert m["activation_bytes"] is None and m["activation_bytes_known"] == 32
    code, out, _ = run(["summary", path], capsys)
    assert re.search(r"│ lstm \(LSTM\) +│ \(None, None, 32\) +│ +6,272 │ +\? │", out)
    assert "Activation memory: ≥ 32.00 B per example" in out
    code, out, _ = run(["summary", "--format", "markdown", path], capsys)
    assert "| **Total** | | **7,584** | **≥ 32.00 B** |" in out


def test_nothing_known_is_a_question_mark_not_zero(tmp_path, capsys):
    path = write(
        tmp_path,
        "unknown.py",
        """\
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
        """,
    )
    code, out, _ = run(["summary", path], capsys)
    assert "Activation memory: ? per example" in out


TORCH_NET = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 16 * 16, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


model = Net()
"""


def test_torch_activations_count_the_batch_the_input_holds(tmp_path, capsys):
    path = write(tmp_path, "net.py", TORCH_NET + "out = model(torch.randn(4, 3, 16, 16))\n")
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    assert [l["activation_bytes"] for l in m["layers"]] == [4 * 8 * 16 * 16 * 4, 4 * 10 * 4]
    code, out, _ = run(["summary", path], capsys)
    assert "at the input (4, 3, 16, 16)" in out
    assert "--input 1,3,16,16 gives one example" in out
    code, out, _ = run(["summary", "--format", "json", "--input", "1,3,16,16", path], capsys)
    (m,) = json.loads(out)["models"]
    assert [l["activation_bytes"] for l in m["layers"]] == [8 * 16 * 16 * 4, 10 * 4]


def test_torch_symbolic_batch_counts_one(tmp_path, capsys):
    path = write(tmp_path, "net.py", TORCH_NET)  # never called: a symbolic (N, 3, H, W) input
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    # the conv output's spatial size is symbolic: unknown; the Linear's (N, 10) is per example
    assert [l["activation_bytes"] for l in m["layers"]] == [None, 10 * 4]
    code, out, _ = run(["summary", path], capsys)
    assert "Activation memory: ≥ 40.00 B per example" in out
    assert "symbolic batch N counted as 1" in out


def test_output_elements_rules():
    oe = summary_formats.output_elements
    assert oe((None, 4, 5), "keras") == 20
    assert oe((32, 4, 5), "keras") == 20  # a fixed batch_size is still the batch
    assert oe((None, None, 5), "keras") is None
    assert oe([(None, 4), (None, 3)], "keras") == 7  # LSTM(return_state=True)
    assert oe([(None, 4), None], "keras") is None
    assert oe((2, 4, 5), "torch") == 40
    assert oe(("N", 4, 5), "torch") == 20
    assert oe(("T", "N", 5), "torch") is None  # a symbolic length is unknown
    assert oe(None, "torch") is None


# --------------------------------------------------------------------------- JSON contract


def test_json_keeps_every_key_and_adds_graph(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    data = json.loads(out)
    assert set(data) == {"version", "models", "diagnostics"}
    (m,) = data["models"]
    old = {"name", "framework", "path", "line", "variable", "layers", "total_params", "trainable_params",
           "non_trainable_params", "resolved", "notes"}
    assert old <= set(m)
    assert {"param_bytes", "activation_bytes", "activation_bytes_known", "graph"} <= set(m)
    for layer in m["layers"]:
        assert {"name", "type", "line", "output_shape", "params", "trainable"} <= set(layer)
    assert [l["inputs"] for l in m["layers"]] == [["input"], ["conv2d"], ["global_average_pooling2d"]]
    g = m["graph"]
    assert [(n["name"], n["kind"], n["layer"]) for n in g["nodes"]] == [
        ("input", "input", None), ("conv2d", "layer", 0), ("global_average_pooling2d", "layer", 1),
        ("dense", "layer", 2), ("output", "output", None),
    ]
    assert [(e["from"], e["to"], e["shape"]) for e in g["edges"]] == [
        (0, 1, [None, 28, 28, 1]), (1, 2, [None, 26, 26, 8]), (2, 3, [None, 8]), (3, 4, [None, 10]),
    ]
    assert g["complete"] is True


# --------------------------------------------------------------------------- edges on real models


def test_sequential_is_a_chain_with_each_layers_output_on_its_edge():
    path = REPO / "fixtures" / "keras" / "cnn_mnist_classic.py"
    m = main_model(path)
    f = m.flow
    kinds = [n.kind for n in f.nodes]
    assert kinds == ["input"] + ["layer"] * len(m.layers) + ["output"]
    assert [(e.source, e.target) for e in f.edges] == [(i, i + 1) for i in range(len(f.nodes) - 1)]
    snap = snapshot(path)
    # edge i+1 leaves layer i: the shape real Keras gives that layer's output
    assert [list(e.shape) for e in f.edges[1:]] == [l["output_shape"] for l in snap["layers"]]
    assert f.edges[0].shape == (None, 28, 28, 1)


def test_resnet_mini_branches_and_merges():
    path = REPO / "fixtures" / "keras" / "resnet_mini.py"
    edges = edges_by_name(main_model(path))
    # the identity shortcut of the first block, and its merge
    assert edges[("activation", "conv2d_1", "(None, 32, 32, 16)")] == 1
    assert edges[("activation", "add", "(None, 32, 32, 16)")] == 1
    assert edges[("batch_normalization_2", "add", "(None, 32, 32, 16)")] == 1
    # the second block's projection shortcut leaves activation_2 beside the main path
    assert edges[("activation_2", "conv2d_3", "(None, 32, 32, 16)")] == 1
    assert edges[("activation_2", "conv2d_5", "(None, 32, 32, 16)")] == 1
    assert edges[("batch_normalization_4", "add_1", "(None, 16, 16, 32)")] == 1
    assert edges[("batch_normalization_5", "add_1", "(None, 16, 16, 32)")] == 1
    assert edges[("dense", "output", "(None, 10)")] == 1
    into = Counter(t for (_, t, _), n in edges.items() for _ in range(n))
    assert into["add"] == into["add_1"] == into["add_2"] == 2
    assert sum(edges.values()) == 34


def test_inception_concatenates_four_branches():
    m = main_model(REPO / "fixtures" / "keras" / "inception_blocks.py")
    f = m.flow
    concats = [i for i, n in enumerate(f.nodes) if n.type == "Concatenate"]
    assert len(concats) == 3
    for i in concats:
        assert len([e for e in f.edges if e.target == i]) == 4
    first = concats[0]
    shapes = sorted(format_shape(e.shape) for e in f.edges if e.target == first)
    assert shapes == ["(None, 32, 32, 16)", "(None, 32, 32, 24)", "(None, 32, 32, 8)", "(None, 32, 32, 8)"]


def test_lstm_states_are_edges_too():
    edges = edges_by_name(main_model(REPO / "fixtures" / "keras" / "seq2seq_lstm_states.py"))
    # the encoder's two states feed the decoder as initial_state
    assert edges[("lstm", "lstm_1", "(None, 64)")] == 2
    assert edges[("input_1", "lstm_1", "(None, None, 50)")] == 1


def test_torch_residual_adds_are_operation_nodes():
    path = REPO / "fixtures" / "torch" / "resnet_basic_cifar.py"
    m = main_model(path)
    f = m.flow
    edges = edges_by_name(m)
    assert edges[("relu", "layer1.0.conv1", "(2, 16, 32, 32)")] == 1
    assert edges[("layer1.0.bn2", "add", "(2, 16, 32, 32)")] == 1
    assert edges[("relu", "add", "(2, 16, 32, 32)")] == 1  # the identity shortcut
    # a downsampling block: the shortcut goes through downsample.0/1
    assert edges[("layer1.1.relu", "layer2.0.downsample.0", "(2, 16, 32, 32)")] == 1
    assert edges[("layer2.0.downsample.1", "add_2", "(2, 32, 16, 16)")] == 1
    assert edges[("layer2.0.bn2", "add_2", "(2, 32, 16, 16)")] == 1
    assert edges[("avgpool", "flatten", "(2, 64, 1, 1)")] == 1
    assert edges[("flatten", "fc", "(2, 64)")] == 1
    adds = [n for n in f.nodes if n.kind == "op" and n.type == "add"]
    assert [n.name for n in adds] == ["add", "add_1", "add_2", "add_3", "add_4", "add_5"]
    # one node per module call: the block's ReLU, called twice, is two nodes
    assert [n.name for n in f.nodes].count("layer1.0.relu") == 2


def _check_edges_against_snapshot(path: Path) -> List[str]:
    """Every edge leaving a layer drawn from a summary row carries that layer's output shape
    in the real-framework snapshot (the first output's edges; a Keras layer with several
    outputs has them all in its snapshot)."""
    m = main_model(path)
    snap = snapshot(path)
    if m.flow is None:
        return ["no picture"]
    if len(snap["layers"]) != len(m.layers):
        return ["%d rows, the snapshot has %d" % (len(m.layers), len(snap["layers"]))]
    problems = []
    for i, node in enumerate(m.flow.nodes):
        if node.row is None:
            continue
        expected = snap["layers"][node.row]["output_shape"]
        candidates = expected if expected and isinstance(expected[0], list) else [expected]
        for e in m.flow.edges:
            if e.source == i and e.output == 0 and (None if e.shape is None else list(e.shape)) not in candidates:
                problems.append("%s -> %s carries %s, real %s" % (
                    node.name, m.flow.nodes[e.target].name, format_shape(e.shape), expected))
    return problems


# a shared layer's row (and snapshot) shows its first call; its other calls' edges differ
SHARED = {"shared_tower_sequential", "siamese_shared_encoder", "attention_qa"}


@pytest.mark.parametrize("path", KERAS_FIXTURES + TORCH_FIXTURES, ids=lambda p: "%s/%s" % (p.parent.name, p.stem))
def test_edge_shapes_match_the_real_framework_snapshot(path):
    if path.stem in SHARED and path.parent.name == "keras":
        pytest.skip("a shared layer's row shows its first call only")
    assert _check_edges_against_snapshot(path) == []


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: "%s/%s" % (p.parent.name, p.stem))
def test_every_row_is_one_node_and_every_fixture_has_a_picture(path):
    for m in models_of(path):
        assert m.flow is not None, m.name
        rows = [n.row for n in m.flow.nodes if n.row is not None]
        assert sorted(rows) == list(range(len(m.layers)))
        assert any(n.kind == "input" for n in m.flow.nodes)
        assert any(n.kind == "output" for n in m.flow.nodes)
        g = nx.MultiDiGraph()
        g.add_nodes_from(range(len(m.flow.nodes)))
        g.add_edges_from((e.source, e.target) for e in m.flow.edges)
        # every node lies on a path from an input or a constant (a parameter used in forward)
        inputs = [i for i, n in enumerate(m.flow.nodes) if n.kind in ("input", "constant")]
        reached = set(inputs).union(*(nx.descendants(g, i) for i in inputs))
        assert reached == set(g.nodes), [m.flow.nodes[i].name for i in set(g.nodes) - reached]


# --------------------------------------------------------------------------- Mermaid and DOT syntax

_MM_NODE = re.compile(r'^ +(?P<id>[a-z0-9]+)(?P<open>\[/"|\["|\(\["|\[\(")(?P<label>[^"]*)(?P<close>"/\]|"\]|"\]\)|"\)\])$')
_MM_EDGE = re.compile(r'^ +(?P<a>[a-z0-9]+) -->\|"(?P<label>[^"]*)"\| (?P<b>[a-z0-9]+)$')
_PAIRS = {'[/"': '"/]', '["': '"]', '(["': '"])', '[("': '")]'}


def parse_mermaid(text: str) -> Tuple[Dict[str, str], List[Tuple[str, str, str]]]:
    """(node id -> label, edges): every line must be a statement this module knows."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart TD"
    nodes: Dict[str, str] = {}
    edges = []
    depth = 0
    for line in lines[1:]:
        if line.strip().startswith("%%"):
            continue
        if re.match(r'^ +subgraph m\d+\["[^"]*"\]$', line):
            depth += 1
            continue
        if line.strip() == "direction TB":
            continue
        if line.strip() == "end":
            depth -= 1
            assert depth >= 0
            continue
        m = _MM_NODE.match(line)
        if m:
            assert _PAIRS[m.group("open")] == m.group("close"), line
            assert m.group("id") not in nodes, line
            nodes[m.group("id")] = m.group("label")
            continue
        m = _MM_EDGE.match(line)
        assert m, "not a Mermaid statement: %r" % line
        assert m.group("a") in nodes and m.group("b") in nodes, line
        edges.append((m.group("a"), m.group("b"), m.group("label")))
    assert depth == 0
    for label in list(nodes.values()) + [e[2] for e in edges]:
        # quotes, tags and entities only as Mermaid entity codes (and our line breaks)
        assert not re.search(r'[<>&"`]', label.replace("<br/>", "")), label
        assert "\n" not in label
        assert not re.search(r"#(?!\d+;)", label), label
    return nodes, edges


_DOT_STR = r'"(?:[^"\\]|\\.)*"'
_DOT_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_DOT_ATTRS = r"\[(?:%s=(?:%s|[A-Za-z0-9_.]+)(?:, )?)*\]" % (_DOT_ID, _DOT_STR)


def parse_dot(text: str) -> nx.MultiDiGraph:
    """A small structural parser for the DOT this module writes: every statement is checked."""
    lines = text.rstrip("\n").split("\n")
    assert re.match(r"^digraph %s \{$" % _DOT_STR, lines[0]), lines[0]
    assert lines[-1] == "}"
    g = nx.MultiDiGraph()
    depth = 1
    for line in lines[1:-1]:
        s = line.strip()
        if s.startswith("//") or s in ("rankdir=TB;",) or re.match(r"^(node|edge) %s;$" % _DOT_ATTRS, s):
            continue
        if re.match(r"^subgraph cluster_\d+ \{$", s):
            depth += 1
            continue
        if s == "}":
            depth -= 1
            continue
        if re.match(r"^label=%s;$" % _DOT_STR, s):
            continue
        m = re.match(r"^(%s) -> (%s) (%s);$" % (_DOT_ID, _DOT_ID, _DOT_ATTRS), s)
        if m:
            assert m.group(1) in g and m.group(2) in g, s
            label = re.search(r"label=(%s)" % _DOT_STR, m.group(3)).group(1)
            g.add_edge(m.group(1), m.group(2), label=_dot_unquote(label))
            continue
        m = re.match(r"^(%s) (%s);$" % (_DOT_ID, _DOT_ATTRS), s)
        assert m, "not a DOT statement: %r" % line
        assert m.group(1) not in g, s
        label = re.search(r"label=(%s)" % _DOT_STR, m.group(2)).group(1)
        g.add_node(m.group(1), label=_dot_unquote(label))
    assert depth == 1
    return g


def _dot_unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s[1:-1])


def flow_graph(m) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for i, n in enumerate(m.flow.nodes):
        g.add_node(i)
    for e in m.flow.edges:
        g.add_edge(e.source, e.target, label=format_shape(e.shape))
    return g


def _same_graph(parsed: nx.MultiDiGraph, m, ids: List[str]) -> None:
    expected = flow_graph(m)
    assert len(ids) == expected.number_of_nodes()
    mapping = dict(zip(range(len(ids)), ids))
    relabelled = nx.relabel_nodes(expected, mapping)
    assert Counter((a, b, d["label"]) for a, b, d in parsed.edges(data=True)) == Counter(
        (a, b, d["label"]) for a, b, d in relabelled.edges(data=True))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: "%s/%s" % (p.parent.name, p.stem))
def test_mermaid_and_dot_are_well_formed_and_draw_the_flow(path):
    models = models_of(path)
    for m in models:
        nodes, edges = parse_mermaid(summary_formats.mermaid([m]))
        assert list(nodes) == ["n%d" % i for i in range(len(m.flow.nodes))]
        parsed = nx.MultiDiGraph()
        parsed.add_nodes_from(nodes)
        parsed.add_edges_from((a, b, {"label": label}) for a, b, label in edges)
        _same_graph(parsed, m, list(nodes))
        for i, n in enumerate(m.flow.nodes):
            assert nodes["n%d" % i].split("<br/>")[0].replace("#35;", "#").startswith(n.name.replace('"', "#34;"))
        g = parse_dot(summary_formats.dot([m]))
        _same_graph(g, m, ["n%d" % i for i in range(len(m.flow.nodes))])
    if len(models) > 1:  # several models: one subgraph / cluster each, ids kept apart
        nodes, _ = parse_mermaid(summary_formats.mermaid(models))
        assert len(nodes) == sum(len(m.flow.nodes) for m in models)
        g = parse_dot(summary_formats.dot(models))
        assert g.number_of_nodes() == len(nodes)


WEIRD = '''\
import keras
from keras import layers

inputs = keras.Input(shape=(8,), name='in "q" [x] #1')
x = layers.Dense(4, name='d "1" (a) [b] {c} #2 <i> & `t` |p| end')(inputs)
y = layers.Dense(4, name="end")(inputs)
z = layers.Add(name="subgraph")([x, y])
out = layers.Dense(2, name="a\\\\nb")(z)
model = keras.Model(inputs, out, name='m "1" -> {x}')
'''


def test_labels_are_escaped(tmp_path, capsys):
    path = write(tmp_path, "weird.py", WEIRD)
    code, out, _ = run(["summary", "--format", "mermaid", path], capsys)
    assert code == 0
    nodes, edges = parse_mermaid(out)
    assert nodes["n0"] == "in #34;q#34; [x] #35;1"
    assert nodes["n1"].startswith("d #34;1#34; (a) [b] {c} #35;2 #60;i#62; #38; #96;t#96; |p| end (Dense)")
    assert ("n1", "n3", "(None, 4)") in edges
    code, out, _ = run(["summary", "--format", "dot", path], capsys)
    g = parse_dot(out)
    assert g.nodes["n1"]["label"] == 'd "1" (a) [b] {c} #2 <i> & `t` |p| end (Dense)\n36 params'
    assert g.nodes["n4"]["label"] == "a\\nb (Dense)\n10 params"  # a backslash stays a backslash
    code, out, _ = run(["summary", "--format", "markdown", path], capsys)
    assert r"| d \"1\" (a) \[b\] {c} \#2 \<i\> & \`t\` \|p\| end (Dense) | (None, 4) | 36 | 16.00 B |".replace('\\"', '"') in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("name", ["keras/resnet_mini.py", "keras/siamese_shared_encoder.py", "torch/resnet_basic_cifar.py"])
def test_graphviz_renders_the_dot(name, tmp_path, capsys):
    path = str(REPO / "fixtures" / name)
    code, out, _ = run(["summary", "--format", "dot", path], capsys)
    proc = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "<svg" in proc.stdout
    code, out, _ = run(["summary", "--format", "svg", path], capsys)
    assert code == 0 and out.lstrip().startswith("<?xml") and "</svg>" in out
    assert "conv2d" in out or "conv1" in out


def test_svg_without_graphviz_is_a_usage_error(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "clean.py", CLEAN)
    monkeypatch.setattr(summary_formats.shutil, "which", lambda name: None)
    code, out, err = run(["summary", "--format", "svg", path], capsys)
    assert code == 2
    assert out == ""
    assert "Graphviz" in err and "--format dot" in err and "install" in err


def test_svg_without_graphviz_fails_before_the_analysis(tmp_path, capsys, monkeypatch):
    from shapelint import analysis

    path = write(tmp_path, "clean.py", CLEAN)
    monkeypatch.setattr(summary_formats.shutil, "which", lambda name: None)
    analysed = []
    monkeypatch.setattr(analysis, "_analyze_text", lambda *a, **k: analysed.append(a))
    code, _, _ = run(["summary", "--format", "svg", path], capsys)
    assert code == 2 and analysed == []


@pytest.mark.parametrize("fmt", ["table", "mermaid", "json"])
def test_summary_output_file(tmp_path, capsys, fmt):
    path = write(tmp_path, "clean.py", CLEAN)
    code, expected, _ = run(["summary", "--format", fmt, path], capsys)
    target = tmp_path / "out" / ("summary." + fmt)
    code2, out, _ = run(["summary", "--format", fmt, "-o", str(target), path], capsys)
    assert code == code2 == 0
    assert out == ""
    assert target.read_text(encoding="utf-8") == expected


# --------------------------------------------------------------------------- markdown and CLI


def test_markdown_is_a_github_table_with_a_mermaid_picture(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run(["summary", "--format", "markdown", path], capsys)
    assert code == 0
    lines = out.splitlines()
    head = lines.index("| Layer (type) | Output shape | Param # | Activations |")
    assert lines[head + 1] == "| --- | --- | ---: | ---: |"
    assert lines[head + 2] == r"| conv2d (Conv2D) | (None, 26, 26, 8) | 80 | 21.12 KB |"
    assert lines[head + 4] == r"| dense (Dense) | (None, 10) | 90 | 40.00 B |"
    assert lines[head + 5] == "| **Total** | | **170** | **21.20 KB** |"
    for row in lines[head:head + 6]:  # every row has the header's four cells
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
    fence = lines.index("```mermaid")
    end = lines.index("```", fence)
    parse_mermaid("\n".join(lines[fence + 1:end]))
    assert "- Activation memory: 21.20 KB per example (the Activations column summed)" in lines


def test_cli_offers_every_format(tmp_path, capsys):
    path = write(tmp_path, "clean.py", CLEAN)
    code, out, err = run(["summary", "--format", "nope", path], capsys)
    assert code == 2
    for name in ("table", "markdown", "json", "mermaid", "dot", "svg"):
        assert name in err
    code, out, _ = run(["summary", "--format", "mermaid", path], capsys)
    assert code == 0 and out.startswith("flowchart TD\n")
    assert '-->|"(None, 26, 26, 8)"|' in out
    code, out, _ = run(["summary", "--format", "dot", path], capsys)
    assert code == 0 and out.startswith("digraph ")


def test_empty_inputs_still_give_valid_text():
    assert summary_formats.mermaid([]).startswith("flowchart TD")
    parse_mermaid(summary_formats.mermaid([]))
    parse_dot(summary_formats.dot([]))
    assert summary_formats.summary_markdown([]) == "No Keras or PyTorch model found."


# --------------------------------------------------------------------------- oracle: real graphs


def keras_connections(m) -> Counter:
    """The picture's edges as the graph oracle writes Keras's (tests/oracle_graphs.py)."""
    f = m.flow
    out = Counter()
    for e in f.edges:
        src, dst = f.nodes[e.source], f.nodes[e.target]
        shape = None if e.shape is None else list(e.shape)
        s = "input:" + json.dumps(shape) if src.kind == "input" else "layer:%d" % src.row if src.row is not None else "op:" + src.name
        out[(s, "OUTPUT" if dst.kind == "output" else "layer:%d" % dst.row, json.dumps(shape))] += 1
    return out


def torch_connections(m) -> set:
    """What each row and output reads, looking through the tensor operations between rows
    (as the graph oracle records PyTorch's calls)."""
    f = m.flow
    into: Dict[int, list] = {}
    for e in f.edges:
        into.setdefault(e.target, []).append(e)

    def expand(i: int, shape, seen=()) -> set:
        node = f.nodes[i]
        if node.row is not None:
            return {"row:%d" % node.row}
        if node.kind == "input":
            return {"input:" + json.dumps(None if shape is None else list(shape))}
        if node.kind == "constant" or not into.get(i) or i in seen:
            return {"constant"}
        return set().union(*(expand(e.source, e.shape, seen + (i,)) for e in into[i]))

    edges = set()
    for i, node in enumerate(f.nodes):
        if node.row is None and node.kind != "output":
            continue
        dst = "OUTPUT" if node.kind == "output" else "row:%d" % node.row
        for e in into.get(i, []):
            edges |= {(s, dst) for s in expand(e.source, e.shape) - {"constant"}}
    return edges


def _oracle(framework):
    import importlib.util

    import oracle_graphs

    for needed in ("torch", "keras") if framework == "keras" else ("torch",):
        if importlib.util.find_spec(needed) is None:
            pytest.skip("%s is not installed (the oracle extra)" % needed)

    fixtures = KERAS_FIXTURES if framework == "keras" else TORCH_FIXTURES
    return oracle_graphs.run_oracle(framework, fixtures)


@pytest.mark.oracle
def test_keras_connections_are_the_real_keras_graph():
    real = _oracle("keras")
    problems = []
    for path in KERAS_FIXTURES:
        got = keras_connections(main_model(path))
        # Keras computes Embedding(mask_zero=True)'s mask with an operation of its own,
        # which the picture does not draw (it draws the tensors, not their masks)
        want = Counter((s, d, json.dumps(shape)) for s, d, shape in real[path.name]["edges"]
                       if not (s.startswith("op:not_equal") or d.startswith("op:not_equal")))
        if got != want:
            problems.append("%s: only shapelint %s; only Keras %s" % (path.name, sorted(got - want), sorted(want - got)))
    assert problems == []


@pytest.mark.oracle
def test_torch_connections_are_the_real_pytorch_calls():
    real = _oracle("torch")
    problems = []
    for path in TORCH_FIXTURES:
        got = torch_connections(main_model(path))
        want = {tuple(e) for e in real[path.name]["edges"]}
        if got != want:
            problems.append("%s: only shapelint %s; only PyTorch %s" % (path.name, sorted(got - want), sorted(want - got)))
    assert problems == []


def test_operations_and_unfollowed_code_in_the_picture(tmp_path, capsys):
    path = write(
        tmp_path,
        "ops.py",
        """\
        import keras
        from keras import layers
        from mystery import transform

        inputs = keras.Input(shape=(8,))
        x = transform(layers.Dense(4)(inputs))
        y = layers.Dense(4)(inputs)
        out = layers.Dense(2)(keras.ops.relu(x + y))
        model = keras.Model(inputs, out)
        """,
    )
    code, out, _ = run(["summary", "--format", "mermaid", path], capsys)
    nodes, edges = parse_mermaid(out)
    assert "%% " + summary_formats.INCOMPLETE in out  # the unknown call may hide connections
    names = {label.split("<br/>")[0]: i for i, label in nodes.items()}
    assert ("transform" in names and "add" in names and "relu" in names)
    assert (names["dense_1 (Dense)"], names["add"], "(None, 4)") in edges
    assert (names["transform"], names["add"], "(?)") in edges  # an unknown shape is never guessed
    code, out, _ = run(["summary", "--format", "json", path], capsys)
    (m,) = json.loads(out)["models"]
    assert m["graph"]["complete"] is False
    assert m["layers"][-1]["inputs"] == ["relu"]


def test_a_model_without_a_known_graph():
    from shapelint.graph import LayerInfo, ModelInfo

    m = ModelInfo("net", "torch", "m.py", 3, "net", [LayerInfo("fc", "Linear", 4, None, None)], None, None, None, False)
    text = summary_formats.mermaid([m])
    parse_mermaid(text)
    assert "its layer graph is not known" in text
    parse_dot(summary_formats.dot([m]))
    assert "```mermaid" not in summary_formats.summary_markdown([m])
    assert json.loads(summary_formats.summary_json([m], []))["models"][0]["graph"] is None
    assert json.loads(summary_formats.summary_json([m], []))["models"][0]["layers"][0]["inputs"] is None
