"""Output formats of ``shapelint check`` (the summary's are in :mod:`shapelint.summary_formats`).

Coordinates are converted from the internal model (1-based lines, 0-based columns) only here:
text and JSON print 1-based columns, LSP 0-based lines and characters.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from . import __version__
from .diagnostics import Diagnostic, Span

# LSP DiagnosticSeverity
LSP_SEVERITY = {"error": 1, "warning": 2, "info": 3, "hint": 4}


def concise(diags: List[Diagnostic]) -> str:
    lines = [
        "%s:%d:%d: %s %s" % (d.path, d.span.line, d.span.column + 1, d.code, d.message) for d in diags
    ]
    return "\n".join(lines)


def diagnostics_json(diags: List[Diagnostic]) -> str:
    return json.dumps({"diagnostics": [d.to_json() for d in diags]}, indent=2)



def lsp_range(span: Span) -> Dict[str, Any]:
    """An LSP Range: 0-based lines and characters.  (Characters are counted in code points;
    LSP's default is UTF-16 code units, which differ only beyond the Basic Multilingual Plane.)"""
    return {
        "start": {"line": max(span.line - 1, 0), "character": max(span.column, 0)},
        "end": {"line": max(span.end_line - 1, 0), "character": max(span.end_column, 0)},
    }


def path_uri(path: str) -> str:
    import os
    import pathlib

    if path == "-":
        return "untitled:stdin"
    return pathlib.Path(os.path.abspath(path)).as_uri()


def lsp_diagnostic(d: Diagnostic) -> Dict[str, Any]:
    """One LSP ``Diagnostic`` object (a plain dict, the JSON the protocol sends)."""
    from .rules import RULES

    out: Dict[str, Any] = {
        "range": lsp_range(d.span),
        "severity": LSP_SEVERITY.get(d.severity, 1),
        "code": d.code,
        "source": "shapelint",
        "message": d.message,
    }
    rule = RULES.get(d.code)
    if rule is not None:
        out["codeDescription"] = {"href": rule.url}
    if d.related:
        out["relatedInformation"] = [
            {"location": {"uri": path_uri(r.path), "range": lsp_range(r.span)}, "message": r.message} for r in d.related
        ]
    return out


# --format NAME -> function(diagnostics) -> text.  ``concise`` prints nothing for no findings.
FORMATS = {
    "concise": concise,
    "json": diagnostics_json,
}
