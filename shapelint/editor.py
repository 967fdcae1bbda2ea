"""What the editor is told about one buffer, computed away from the language server's loop.

:func:`analyse` turns a job (a path, the buffer text, the workspace settings) into plain JSON
data: the LSP diagnostics and the hover entries (every layer call, layer declaration and
model of the file with the markdown the editor shows for it).  Plain data crosses a process
boundary: :func:`worker_main` runs jobs read from standard input in a child process, one
JSON document a line, so a slow or runaway analysis never holds the server's interpreter
(see :mod:`shapelint.lsp`).  Nothing here needs pygls.

Hover ranges are 0-based lines and code-point columns, end exclusive, like
:func:`shapelint.reporters.lsp_range`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from typing import Any, Dict, List, Optional, Tuple

# how many calls one hover lists when a line runs a layer many times (a block used N times)
MAX_HOVER_ITEMS = 12
# how many layers a model's hover lists
MAX_MODEL_ROWS = 60

RangeT = Tuple[int, int, int, int]  # 0-based start line, start column, end line, end column


def run_options(settings: Dict[str, Any]):
    """RunOptions from the workspace settings of a job (already validated by the server)."""
    from .runner import RunOptions

    return RunOptions(
        select=settings.get("select"),
        ignore=settings.get("ignore"),
        extend_select=settings.get("extend_select"),
        image_data_format=settings.get("image_data_format"),
        config=settings.get("config"),
    )


def analyse(job: Dict[str, Any]) -> Dict[str, Any]:
    """One buffer: ``{"diagnostics": [...], "hovers": [...], "config_error": str|None}``.

    A bad configuration file does not stop the analysis: its message is returned in
    ``config_error`` and the buffer is analysed with the default settings.
    """
    from .reporters import lsp_diagnostic, path_uri
    from .runner import UsageError, run_text

    path, text, uri = job["path"], job["text"], job.get("uri")
    options = run_options(job.get("settings") or {})
    config_error = None
    try:
        result = run_text(path, text, options)
    except UsageError as exc:
        config_error = str(exc)
        options.config = None
        options.isolated = True
        result = run_text(path, text, options)
    own_uri = path_uri(path)
    diagnostics = []
    for d in result.diagnostics:
        item = lsp_diagnostic(d)
        if uri:
            for rel in item.get("relatedInformation", []):
                if rel["location"]["uri"] == own_uri:
                    rel["location"]["uri"] = uri  # the client's spelling of the document's URI
        diagnostics.append(item)
    return {"diagnostics": diagnostics, "hovers": hover_entries(result, text), "config_error": config_error}


# ----------------------------------------------------------------------------- hover


def _count(n: Optional[int]) -> str:
    return "unknown" if n is None else format(n, ",")


def _shape(shape) -> str:
    from .engine.shapes import format_shape

    if shape is None:
        return "unknown"
    if isinstance(shape, list):
        return ", ".join(_shape(s) for s in shape)
    return "`%s`" % format_shape(shape)


def _outputs(node) -> str:
    outs = list(node.outputs or [])
    if not outs or all(s is None for s in outs):
        return "unknown" + (" (the layer cannot take its input: see the diagnostic)" if node.issue is not None else "")
    return ", ".join(_shape(s) for s in outs)


def _range(span) -> RangeT:
    return (max(span.line - 1, 0), max(span.column, 0), max(span.end_line - 1, 0), max(span.end_column, 0))


class _LayerFacts:
    """What the model summaries say about each layer object: its name and parameters."""

    def __init__(self, models) -> None:
        self.rows: Dict[int, Any] = {}
        self.objects: List[Tuple[Any, Any]] = []
        for model in models:
            for info, obj in zip(model.layers, model.extra.get("layer_objects", [])):
                if getattr(obj, "type", info.type) != info.type:
                    continue  # not the row of this object (never expected; checked anyway)
                if id(obj) not in self.rows:
                    self.rows[id(obj)] = info
                    self.objects.append((info, obj))

    def name(self, layer) -> Optional[str]:
        info = self.rows.get(id(layer))
        if info is not None:
            return info.name
        name = getattr(layer, "name", None)
        return name if isinstance(name, str) else None

    def params(self, layer) -> Tuple[Optional[int], int]:
        """(parameters, non-trainable ones) as ``shapelint summary`` counts them."""
        info = self.rows.get(id(layer))
        if info is not None:
            return info.params, (info.non_trainable or 0)
        if hasattr(layer, "call_params"):  # a PyTorch module
            frozen = layer.frozen_params() if hasattr(layer, "frozen_params") else 0
            return layer.call_params(), (frozen or 0)
        params = getattr(layer, "params", None)
        if isinstance(params, int) and getattr(layer, "built", False):
            return params, int(getattr(layer, "non_trainable", 0) or 0)
        return None, 0


def _params_text(params: Optional[int], frozen: int) -> str:
    if params is None:
        return "unknown"
    text = format(params, ",")
    if frozen:
        text += " (%s non-trainable)" % format(frozen, ",")
    return text


def _call_markdown(nodes, facts: _LayerFacts) -> str:
    """Hover text of a call site: one layer call, or the same line run several times."""
    first = nodes[0]
    kind = {"input": "model input", "op": "tensor operation"}.get(first.kind)
    if len(nodes) == 1:
        node = first
        name = facts.name(node.layer) if node.layer is not None else None
        head = "**%s**" % node.type + (" `%s`" % name if name else "") + (" (%s)" % kind if kind else "")
        lines = [head, "", "- output shape: %s" % _outputs(node)]
        if node.kind == "layer" and node.layer is not None:
            lines.append("- parameters: %s" % _params_text(*facts.params(node.layer)))
        for producer, index in node.inputs:
            shape = producer.outputs[index] if index < len(producer.outputs) else None
            lines.append("- input: %s from %s" % (_shape(shape), producer.describe()))
        return "\n".join(lines)
    types = sorted({n.type for n in nodes})
    head = "**%s**" % "/".join(types) + (" (%s)" % kind if kind else "") + " — run %d times from this line" % len(nodes)
    lines = [head, ""]
    for node in nodes[:MAX_HOVER_ITEMS]:
        name = facts.name(node.layer) if node.layer is not None else None
        item = "- " + ("`%s`: " % name if name else "") + "output %s" % _outputs(node)
        if node.kind == "layer" and node.layer is not None:
            item += "; parameters: %s" % _params_text(*facts.params(node.layer))
        lines.append(item)
    if len(nodes) > MAX_HOVER_ITEMS:
        lines.append("- … %d more" % (len(nodes) - MAX_HOVER_ITEMS))
    return "\n".join(lines)


def _declaration_markdown(objs, calls_of, facts: _LayerFacts) -> str:
    """Hover text of a layer's constructor call (``self.fc1 = nn.Linear(...)``)."""
    if len(objs) == 1:
        info, obj = objs[0]
        lines = ["**%s** `%s`" % (info.type, info.name), "", "- parameters: %s" % _params_text(*facts.params(obj))]
        calls = calls_of.get(id(obj), [])
        if not calls:
            lines.append("- output shape: %s" % _shape(info.output_shape))
        for node in calls[:MAX_HOVER_ITEMS]:
            lines.append("- called at line %d: output %s" % (node.span.line, _outputs(node)))
        if len(calls) > MAX_HOVER_ITEMS:
            lines.append("- … %d more calls" % (len(calls) - MAX_HOVER_ITEMS))
        return "\n".join(lines)
    types = sorted({info.type for info, _ in objs})
    lines = ["**%s** — %d layers built by this line" % ("/".join(types), len(objs)), ""]
    for info, obj in objs[:MAX_HOVER_ITEMS]:
        lines.append("- `%s`: output %s; parameters: %s" % (info.name, _shape(info.output_shape), _params_text(*facts.params(obj))))
    if len(objs) > MAX_HOVER_ITEMS:
        lines.append("- … %d more" % (len(objs) - MAX_HOVER_ITEMS))
    return "\n".join(lines)


def model_markdown(model) -> str:
    """A model's hover: its totals and its layers, like ``shapelint summary``."""
    framework = {"keras": "Keras", "torch": "PyTorch"}.get(model.framework, model.framework)
    head = "**%s**" % model.name
    if model.variable and model.variable != model.name:
        head += " `%s`" % model.variable
    lines = [head + " (%s model)" % framework, ""]
    lines.append("- total parameters: %s" % _count(model.total_params))
    if model.trainable_params is not None:
        lines.append("- trainable: %s, non-trainable: %s" % (_count(model.trainable_params), _count(model.non_trainable_params)))
    if not model.resolved:
        lines.append("- some shapes or counts are unknown")
    for note in model.notes:
        lines.append("- %s" % note)
    rows = [(l.name, l.type, _plain_shape(l.output_shape), _count(l.params)) for l in model.layers[:MAX_MODEL_ROWS]]
    if rows:
        header = ("layer", "type", "output shape", "params")
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
        fmt = "%%-%ds  %%-%ds  %%-%ds  %%%ds" % tuple(widths)
        lines += ["", "```text", fmt % header] + [fmt % r for r in rows]
        if len(model.layers) > MAX_MODEL_ROWS:
            lines.append("… %d more layers (shapelint summary lists them all)" % (len(model.layers) - MAX_MODEL_ROWS))
        lines.append("```")
    return "\n".join(lines)


def _plain_shape(shape) -> str:
    from .engine.shapes import format_shape

    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_plain_shape(s) for s in shape)
    return format_shape(shape)


def hover_entries(result, text: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every hoverable range of an analysed file: ``{"range": [l0, c0, l1, c1], "markdown": ...}``.

    Ranges: each call site (all graph nodes with the same span together: a block's forward
    run once per instance), each layer declaration whose span is not a call site (PyTorch's
    ``self.conv = nn.Conv2d(...)``, the constructor in Keras's ``Dense(8)(x)``), and the line
    of each model (its summary).
    """
    graph = getattr(result, "graph", None)
    facts = _LayerFacts(result.models)
    entries: List[Dict[str, Any]] = []
    by_span: Dict[RangeT, list] = {}
    calls_of: Dict[int, list] = {}
    if graph is not None:
        for node in graph.nodes():
            if node.span is None or node.span.line <= 0:
                continue
            by_span.setdefault(_range(node.span), []).append(node)
            if node.layer is not None:
                calls_of.setdefault(id(node.layer), []).append(node)
    for rng, nodes in by_span.items():
        entries.append({"range": list(rng), "markdown": _call_markdown(nodes, facts)})
    decls: Dict[RangeT, list] = {}
    for info, obj in facts.objects:
        span = getattr(obj, "span", None)
        if span is None or span.line <= 0:
            continue
        rng = _range(span)
        if rng in by_span:
            continue  # a Sequential's layer: its constructor is its call site
        decls.setdefault(rng, []).append((info, obj))
    lines = text.splitlines() if text is not None else []
    for rng, objs in decls.items():
        entries.append({"range": list(_statement_range(rng, lines)), "markdown": _declaration_markdown(objs, calls_of, facts)})
    for model in result.models:
        if model.line <= 0:
            continue
        source = lines[model.line - 1] if model.line - 1 < len(lines) else ""
        start = len(source) - len(source.lstrip())
        end = max(len(source.rstrip()), start + 1)
        entries.append({"range": [model.line - 1, start, model.line - 1, end], "markdown": model_markdown(model)})
    return entries


_TARGET = re.compile(r"^[A-Za-z_][\w.]*(\[[^\]]*\])?\s*(:[^=]+)?=\s*$")


def _statement_range(rng: RangeT, lines: List[str]) -> RangeT:
    """A declaration ending its line after an assignment target (``self.fc1 = nn.Linear(...)``)
    hovers from the target on: the whole declaration line answers."""
    l0, c0, l1, c1 = rng
    if not (0 <= l0 < len(lines) and 0 <= l1 < len(lines)):
        return rng
    first, last = lines[l0], lines[l1]
    indent = len(first) - len(first.lstrip())
    rest = last[c1:].strip()
    if _TARGET.match(first[indent:c0]) and (not rest or rest.startswith("#")):
        return (l0, indent, l1, c1)
    return rng


def find_hover(entries: List[Dict[str, Any]], line: int, character: int) -> Optional[Dict[str, Any]]:
    """The innermost entry containing the 0-based position (code points), or None."""
    pos = (line, character)
    best = None
    best_key = None
    for entry in entries:
        l0, c0, l1, c1 = entry["range"]
        if not ((l0, c0) <= pos < (l1, c1)):
            continue
        key = (l1 - l0, (c1 - c0) if l0 == l1 else c1 + 10_000_000 - c0)
        if best is None or key < best_key:
            best, best_key = entry, key
    return best


# ----------------------------------------------------------------------------- worker process


def safe_analyse(job: Dict[str, Any]) -> Dict[str, Any]:
    """:func:`analyse` that reports its own crash instead of raising."""
    try:
        out = analyse(job)
    except Exception as exc:  # a bug of shapelint: the server shows it, the session goes on
        out = {"error": "%s: %s\n%s" % (type(exc).__name__, exc, traceback.format_exc())}
    out["id"] = job.get("id")
    return out


WARMUP_TEXT = """import keras
import torch
from torch import nn

model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(2)])
net = nn.Sequential(nn.Linear(8, 2))
out = net(torch.randn(1, 8))
"""


def warm_up() -> None:
    """Import and exercise the whole analysis once (~0.5 s), so the first real file is fast."""
    try:
        from .analysis import Settings, analyze_bytes

        analyze_bytes(os.path.join(os.getcwd(), "__shapelint_warmup__.py"), WARMUP_TEXT.encode(), Settings(), force=True)
    except Exception:
        pass


def worker_main() -> None:
    """Run jobs from standard input, one JSON document a line; answer on standard output.

    The first line out is ``{"ready": true}``, once the analysis is imported and warm.
    Anything the analysis might print goes to standard error, never into the answers.
    Ends when standard input closes (the server ended or died).
    """
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    from . import stackroom

    stackroom.run(_serve, answers)


def _serve(answers) -> None:
    warm_up()
    answers.write(b'{"ready": true}\n')
    answers.flush()
    for raw in sys.stdin.buffer:
        if not raw.strip():
            continue
        job = json.loads(raw.decode("utf-8"))
        answers.write(json.dumps(safe_analyse(job)).encode("utf-8") + b"\n")
        answers.flush()
