"""Output formats of ``shapelint summary``: the model.summary()-like table and the JSON contract."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from . import __version__
from .diagnostics import Diagnostic
from .engine.shapes import format_shape, shape_to_json

if TYPE_CHECKING:  # networkx stays unimported until a file is analysed
    from .graph import ModelInfo


def model_json(m: "ModelInfo") -> Dict[str, Any]:
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
            }
            for l in m.layers
        ],
        "total_params": m.total_params,
        "trainable_params": m.trainable_params,
        "non_trainable_params": m.non_trainable_params,
        "resolved": m.resolved,
        "notes": list(m.notes),
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


def _count(n: Optional[int]) -> str:
    return "?" if n is None else format(n, ",")


def _bytes(n: Optional[int]) -> str:
    if n is None:
        return "?"
    size = float(n * 4)  # float32 weights
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return "%.2f %s" % (size, unit)
        size /= 1024
    return "?"  # pragma: no cover


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(format_shape(s) for s in shape)
    return format_shape(shape)


def summary_table(models: List["ModelInfo"]) -> str:
    """A model.summary()-like table per model."""
    out: List[str] = []
    for m in models:
        rows = [("%s (%s)" % (l.name, l.type), _shape_text(l.output_shape), _count(l.params)) for l in m.layers]
        head = ("Layer (type)", "Output Shape", "Param #")
        w = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(3)]
        w = [max(w[0], 28), max(w[1], 22), max(w[2], 10)]

        def line(a, b, c, l="│", s="│", r="│"):
            return "%s %s %s %s %s %s %s" % (l, a.ljust(w[0]), s, b.ljust(w[1]), s, c.rjust(w[2]), r)

        def rule(l, mid, r, fill="─"):
            return l + fill * (w[0] + 2) + mid + fill * (w[1] + 2) + mid + fill * (w[2] + 2) + r

        label = m.variable or m.name
        out.append('Model: "%s"  (%s:%d, %s%s)' % (m.name, m.path, m.line, m.framework, "" if label == m.name else ", variable %s" % label))
        out.append(rule("┌", "┬", "┐"))
        out.append(line(*head))
        out.append(rule("├", "┼", "┤"))
        for r in rows:
            out.append(line(*r))
        if not rows:
            out.append(line("(no layers found)", "", ""))
        out.append(rule("└", "┴", "┘"))
        out.append(" Total params: %s (%s)" % (_count(m.total_params), _bytes(m.total_params)))
        out.append(" Trainable params: %s (%s)" % (_count(m.trainable_params), _bytes(m.trainable_params)))
        out.append(" Non-trainable params: %s (%s)" % (_count(m.non_trainable_params), _bytes(m.non_trainable_params)))
        for note in m.notes:
            out.append(" Note: %s." % note)
        if not m.resolved:
            out.append(" Note: some shapes or parameter counts could not be determined statically (shown as None or ?).")
        out.append("")
    return "\n".join(out)


# --format NAME -> function(models, diagnostics) -> text
FORMATS = {
    "table": lambda models, diags: summary_table(models),
    "json": summary_json,
}
