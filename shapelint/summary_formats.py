"""Output formats of ``shapelint summary``.

Every format is a function ``(models, diagnostics) -> str`` in :data:`FORMATS` (the CLI's
``--format`` choices come from it):

* ``table`` -- the ``model.summary()``-like table, plus each layer's activation memory;
* ``markdown`` -- the same table in GitHub-flavoured Markdown, with the Mermaid picture;
* ``json`` -- the public contract (keys are only ever added);
* ``mermaid`` / ``dot`` -- the layer graph with the tensor shapes on its edges;
* ``svg`` -- the DOT picture rendered by Graphviz's ``dot``, when it is installed.

Sizes: every number is a float32 (4 bytes).  A layer's activation memory is the size of its
output.  Keras shapes start with the batch dimension, which counts 1: the figure is per
example, as in CS231n's VGG memory count.  PyTorch shapes do not mark the batch, so the
figure is for the input the model runs on (a symbolic batch ``N`` counts 1).  An unknown
dimension makes a layer's figure unknown (``?``) and its model's total a lower bound
(``≥``): nothing is guessed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import __version__
from .diagnostics import Diagnostic
from .engine.shapes import format_shape, known, shape_to_json

if TYPE_CHECKING:  # networkx stays unimported until a file is analysed
    from .graph import Flow, LayerInfo, ModelInfo

BYTES_PER_NUMBER = 4  # float32
BATCH_SYMBOL = "N"  # the batch of a symbolic PyTorch input (see frontends.torch)


# --------------------------------------------------------------------------- sizes


def output_elements(shape, framework: str) -> Optional[int]:
    """Numbers in a layer's output (several outputs: their sum), with the batch counted
    as 1 where it is known to be the batch; None when any size is unknown."""
    if isinstance(shape, list):
        parts = [output_elements(s, framework) for s in shape]
        return None if not parts or any(p is None for p in parts) else sum(parts)
    if shape is None:
        return None
    dims = list(shape)
    if framework == "keras" and dims:
        dims = dims[1:]  # a Keras output shape always starts with the batch
    n = 1
    for d in dims:
        if known(d):
            n *= d
        elif framework == "torch" and d == BATCH_SYMBOL:
            continue
        else:
            return None
    return n


def activation_bytes(layer: "LayerInfo", framework: str) -> Optional[int]:
    n = output_elements(layer.output_shape, framework)
    return None if n is None else n * BYTES_PER_NUMBER


def activation_total(m: "ModelInfo") -> Tuple[int, bool]:
    """(the sum of the known layers' activation bytes, whether every layer's is known)."""
    total, complete = 0, True
    for layer in m.layers:
        b = activation_bytes(layer, m.framework)
        if b is None:
            complete = False
        else:
            total += b
    return total, complete


def param_bytes(m: "ModelInfo") -> Optional[int]:
    return None if m.total_params is None else m.total_params * BYTES_PER_NUMBER


def _count(n: Optional[int]) -> str:
    return "?" if n is None else format(n, ",")


def _size(nbytes: Optional[int]) -> str:
    """``1.50 KB`` (units of 1024, as Keras prints parameter memory)."""
    if nbytes is None:
        return "?"
    size = float(nbytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return "%.2f %s" % (size, unit)
        size /= 1024
    return "?"  # pragma: no cover


def _bytes(n: Optional[int]) -> str:
    """The memory of ``n`` float32 numbers."""
    return _size(None if n is None else n * BYTES_PER_NUMBER)


def _total_text(m: "ModelInfo") -> str:
    """The model's activation total: exact, a lower bound ``≥ …``, or ``?``."""
    total, complete = activation_total(m)
    if complete and m.layers:
        return _size(total)
    if total:
        return "≥ " + _size(total)
    return "?"


def _run_inputs(m: "ModelInfo") -> List[Any]:
    """The shapes of the tensors a model's picture starts from (its inputs)."""
    if m.flow is None:
        return []
    shapes = []
    for e in m.flow.edges:
        node = m.flow.nodes[e.source]
        if node.kind == "input" and e.shape not in shapes:
            shapes.append(e.shape)
    return shapes


def _activation_basis(m: "ModelInfo") -> Tuple[str, str]:
    """What a model's activation figures are measured on: (the words after the total, the
    sentence that explains them)."""
    head = "Sizes: float32, 4 bytes a number; a layer's activations are its output"
    if m.framework != "torch":
        return "per example", head + " for one example (batch dimension counted as 1), as in CS231n's VGG memory count."
    inputs = [s for s in _run_inputs(m) if s is not None]
    if inputs and all(len(s) > 0 and s[0] == BATCH_SYMBOL for s in inputs):
        return "per example", head + " for one example (the symbolic batch N counted as 1)."
    shown = ", ".join(format_shape(s) for s in inputs)
    text = head + " at %s: PyTorch shapes do not mark the batch, so the input's batch is counted" % (
        "that input" if inputs else "the input the model runs on")
    single = inputs[0] if len(inputs) == 1 else None
    if single is not None and len(single) > 1 and known(single[0]) and single[0] > 1 and all(known(d) for d in single):
        text += " (--input %s gives one example)" % ",".join(["1"] + [str(d) for d in single[1:]])
    return ("at the input " + shown if inputs else "at the input the model runs on"), text + "."


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(format_shape(s) for s in shape)
    return format_shape(shape)


def _model_heading(m: "ModelInfo") -> str:
    label = m.variable or m.name
    return 'Model: "%s"  (%s:%d, %s%s)' % (m.name, m.path, m.line, m.framework, "" if label == m.name else ", variable %s" % label)


def _footer(m: "ModelInfo") -> List[str]:
    """The totals and notes under a model's table (plain text lines)."""
    basis, explained = _activation_basis(m)
    lines = [
        "Total params: %s (%s)" % (_count(m.total_params), _bytes(m.total_params)),
        "Trainable params: %s (%s)" % (_count(m.trainable_params), _bytes(m.trainable_params)),
        "Non-trainable params: %s (%s)" % (_count(m.non_trainable_params), _bytes(m.non_trainable_params)),
        "Parameter memory: %s" % _size(param_bytes(m)),
        "Activation memory: %s %s (the Activations column summed)" % (_total_text(m), basis),
        explained,
    ]
    for note in m.notes:
        lines.append("Note: %s." % note)
    if not m.resolved:
        lines.append("Note: some shapes or parameter counts could not be determined statically (shown as None or ?).")
    return lines


# --------------------------------------------------------------------------- table


TABLE_HEAD = ("Layer (type)", "Output Shape", "Param #", "Activations")


def _rows(m: "ModelInfo") -> List[Tuple[str, str, str, str]]:
    return [
        ("%s (%s)" % (l.name, l.type), _shape_text(l.output_shape), _count(l.params), _size(activation_bytes(l, m.framework)))
        for l in m.layers
    ]


def summary_table(models: List["ModelInfo"]) -> str:
    """A model.summary()-like table per model, with each layer's activation memory."""
    out: List[str] = []
    for m in models:
        rows = _rows(m)
        head = TABLE_HEAD
        w = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(4)]
        w = [max(w[0], 28), max(w[1], 22), max(w[2], 10), max(w[3], 11)]

        def line(cells):
            a, b, c, d = cells
            return "│ %s │ %s │ %s │ %s │" % (a.ljust(w[0]), b.ljust(w[1]), c.rjust(w[2]), d.rjust(w[3]))

        def rule(l, mid, r):
            return l + mid.join("─" * (x + 2) for x in w) + r

        out.append(_model_heading(m))
        out.append(rule("┌", "┬", "┐"))
        out.append(line(head))
        out.append(rule("├", "┼", "┤"))
        for r in rows:
            out.append(line(r))
        if not rows:
            out.append(line(("(no layers found)", "", "", "")))
        out.append(rule("└", "┴", "┘"))
        out.extend(" " + text for text in _footer(m))
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- markdown


_MD_SPECIAL = set("\\`*_[]<>|#")


def _md(text: str) -> str:
    """Text for a Markdown table cell: punctuation that Markdown reads is escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def summary_markdown(models: List["ModelInfo"], diags: Sequence[Diagnostic] = ()) -> str:
    """A GitHub-flavoured Markdown table per model, its totals, and its Mermaid picture."""
    if not models:
        return "No Keras or PyTorch model found."
    out: List[str] = []
    for m in models:
        label = m.variable or m.name
        out.append("### %s" % _md(label if label == m.name else "%s (variable %s)" % (m.name, label)))
        out.append("")
        out.append("%s model, %s line %d." % ("Keras" if m.framework == "keras" else "PyTorch", _md(m.path), m.line))
        out.append("")
        out.append("| Layer (type) | Output shape | Param # | Activations |")
        out.append("| --- | --- | ---: | ---: |")
        for cells in _rows(m):
            out.append("| %s |" % " | ".join(_md(c) for c in cells))
        if not m.layers:
            out.append("| (no layers found) | | | |")
        out.append("| **Total** | | **%s** | **%s** |" % (_md(_count(m.total_params)), _md(_total_text(m))))
        out.append("")
        out.extend("- %s" % _md(text) for text in _footer(m))
        out.append("")
        if m.flow is not None:
            out.append("```mermaid")
            out.append(mermaid([m]))
            out.append("```")
            out.append("")
    if diags:
        from .reporters import concise

        out.append("Diagnostics:")
        out.append("")
        out.extend("- %s" % _md(text) for text in concise(list(diags)).splitlines())
        out.append("")
    return "\n".join(out).rstrip("\n")


# --------------------------------------------------------------------------- JSON


def model_json(m: "ModelInfo") -> Dict[str, Any]:
    total, complete = activation_total(m)
    return {
        "name": m.name,
        "framework": m.framework,
        "path": m.path,
        "line": m.line,
        "variable": m.variable,
        "layers": [
            {
                "name": l.name,
                "type": l.type,
                "line": l.line,
                "output_shape": shape_to_json(l.output_shape),
                "params": l.params,
                "trainable": l.trainable,
                "activation_bytes": activation_bytes(l, m.framework),
                "inputs": None if l.inputs is None else list(l.inputs),
            }
            for l in m.layers
        ],
        "total_params": m.total_params,
        "trainable_params": m.trainable_params,
        "non_trainable_params": m.non_trainable_params,
        "resolved": m.resolved,
        "notes": list(m.notes),
        "param_bytes": param_bytes(m),
        "activation_bytes": total if complete else None,
        "activation_bytes_known": total,
        "graph": flow_json(m.flow),
    }


def flow_json(flow: Optional["Flow"]) -> Optional[Dict[str, Any]]:
    if flow is None:
        return None
    return {
        "nodes": [
            {"name": n.name, "type": n.type, "kind": n.kind, "params": n.params, "layer": n.row}
            for n in flow.nodes
        ],
        "edges": [{"from": e.source, "to": e.target, "shape": shape_to_json(e.shape)} for e in flow.edges],
        "complete": flow.complete,
    }


def summary_json(models: List["ModelInfo"], diags: List[Diagnostic]) -> str:
    return json.dumps(
        {
            "version": __version__,
            "models": [model_json(m) for m in models],
            "diagnostics": [d.to_json() for d in diags],
        },
        indent=2,
    )


# --------------------------------------------------------------------------- pictures


INCOMPLETE = "part of the model could not be followed: some connections may be missing"


def _node_lines(node) -> List[str]:
    """The lines of a node's label: ``name (Type)`` and the parameters for a layer."""
    if node.kind == "layer":
        params = "? params" if node.params is None else "%s params" % format(node.params, ",")
        return ["%s (%s)" % (node.name, node.type), params]
    return [node.name]


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: characters Mermaid or HTML would read are
    written as Mermaid entity codes (``#34;`` is a double quote)."""
    out = []
    for ch in text:
        if ch in '#"<>&`':
            out.append("#%d;" % ord(ch))
        elif ch < " " or ch == "\x7f":
            out.append(" ")  # a line break would end the node's statement
        else:
            out.append(ch)
    return "".join(out)


_MERMAID_SHAPES = {"input": ('[/"', '"/]'), "output": ('[/"', '"/]'), "op": ('(["', '"])'), "constant": ('[("', '")]')}


def _mermaid_model(m: "ModelInfo", prefix: str, indent: str) -> List[str]:
    flow = m.flow
    out: List[str] = []
    if flow is None:
        out.append("%s%%%% %s: its layer graph is not known" % (indent, _mermaid_comment(m.name)))
        return out
    if not flow.complete:
        out.append("%s%%%% %s" % (indent, INCOMPLETE))
    for i, node in enumerate(flow.nodes):
        left, right = _MERMAID_SHAPES.get(node.kind, ('["', '"]'))
        label = "<br/>".join(_mermaid_text(t) for t in _node_lines(node))
        out.append("%s%s%d%s%s%s" % (indent, prefix, i, left, label, right))
    for e in flow.edges:
        out.append('%s%s%d -->|"%s"| %s%d' % (indent, prefix, e.source, _mermaid_text(format_shape(e.shape)), prefix, e.target))
    return out


def _mermaid_comment(text: str) -> str:
    return " ".join(str(text).split())


def mermaid(models: List["ModelInfo"], diags: Sequence[Diagnostic] = ()) -> str:
    """A Mermaid ``flowchart TD``: one node per layer, tensor shapes on the edges (several
    models: one subgraph each)."""
    out = ["flowchart TD"]
    if not models:
        out.append("    %% no Keras or PyTorch model found")
    elif len(models) == 1:
        out.extend(_mermaid_model(models[0], "n", "    "))
    else:
        for k, m in enumerate(models):
            title = _mermaid_text("%s (%s, %s:%d)" % (m.variable or m.name, m.framework, m.path, m.line))
            out.append('    subgraph m%d["%s"]' % (k, title))
            out.append("        direction TB")
            out.extend(_mermaid_model(m, "m%dn" % k, "        "))
            out.append("    end")
    return "\n".join(out)


def _dot_string(text: str) -> str:
    """A double-quoted DOT string (``\\n`` between lines of a label)."""
    return '"%s"' % str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_DOT_SHAPES = {"input": "parallelogram", "output": "parallelogram", "op": "ellipse", "constant": "cylinder"}


def _dot_model(m: "ModelInfo", prefix: str, indent: str) -> List[str]:
    flow = m.flow
    if flow is None:
        return ["%s// %s: its layer graph is not known" % (indent, _mermaid_comment(m.name))]
    out = [] if flow.complete else ["%s// %s" % (indent, INCOMPLETE)]
    for i, node in enumerate(flow.nodes):
        attrs = "label=%s" % _dot_string("\n".join(_node_lines(node)))
        if node.kind in _DOT_SHAPES:
            attrs += ", shape=%s" % _DOT_SHAPES[node.kind]
        out.append("%s%s%d [%s];" % (indent, prefix, i, attrs))
    for e in flow.edges:
        out.append("%s%s%d -> %s%d [label=%s];" % (indent, prefix, e.source, prefix, e.target, _dot_string(format_shape(e.shape))))
    return out


def dot(models: List["ModelInfo"], diags: Sequence[Diagnostic] = ()) -> str:
    """Graphviz DOT: the same picture as :func:`mermaid` (several models: one cluster each)."""
    name = (models[0].variable or models[0].name) if len(models) == 1 else "shapelint"
    out = [
        "digraph %s {" % _dot_string(name),
        "    rankdir=TB;",
        '    node [shape=box, fontname="Helvetica", fontsize=10];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    if len(models) == 1:
        out.extend(_dot_model(models[0], "n", "    "))
    for k, m in enumerate(models if len(models) > 1 else []):
        out.append("    subgraph cluster_%d {" % k)
        out.append("        label=%s;" % _dot_string("%s (%s, %s:%d)" % (m.variable or m.name, m.framework, m.path, m.line)))
        out.extend(_dot_model(m, "m%dn" % k, "        "))
        out.append("    }")
    out.append("}")
    return "\n".join(out)


def require_dot() -> str:
    """The path of Graphviz's ``dot``, or a usage error saying what to do without it."""
    from .runner import UsageError

    program = shutil.which("dot")
    if program is None:
        raise UsageError(
            "--format svg needs Graphviz's `dot` program, which is not on PATH: install Graphviz "
            "(apt install graphviz, brew install graphviz, conda install graphviz), or use "
            "--format dot or --format mermaid and render the picture elsewhere"
        )
    return program


def svg(models: List["ModelInfo"], diags: Sequence[Diagnostic] = ()) -> str:
    """The DOT picture rendered by Graphviz's ``dot`` (only where Graphviz is installed)."""
    from .runner import UsageError

    program = require_dot()
    proc = subprocess.run([program, "-Tsvg"], input=dot(models), capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise UsageError("Graphviz's dot failed (exit %d): %s" % (proc.returncode, proc.stderr.strip()[:500]))
    return proc.stdout.rstrip("\n")


# --format NAME -> function(models, diagnostics) -> text
FORMATS: Dict[str, Callable[[List["ModelInfo"], List[Diagnostic]], str]] = {
    "table": lambda models, diags: summary_table(models),
    "markdown": summary_markdown,
    "json": summary_json,
    "mermaid": mermaid,
    "dot": dot,
    "svg": svg,
}
