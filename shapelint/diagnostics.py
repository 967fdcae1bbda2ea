"""Diagnostics and source locations.

One coordinate model inside shapelint -- LibCST's: 1-based lines, 0-based columns, end
exclusive.  Conversions to other conventions happen only in the reporters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines, 0-based columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class Related:
    """A related location: usually the producer of the offending shape."""

    path: str
    span: Span
    message: str


@dataclass
class TraceStep:
    """One layer on the way to the offending shape: the call and the shape it passed on."""

    path: str
    span: Span
    layer: str  # how messages name it: "Conv2D", "Input", "view"
    shape: Any = None  # the output shape that flowed to the next step (engine Shape; None: unknown)


@dataclass
class Diagnostic:
    code: str
    severity: str
    message: str
    path: str
    span: Span
    related: List[Related] = field(default_factory=list)
    # the shape trace, oldest step first, ending with the direct producer of the offending
    # input (the reported node itself is not a step); empty when the rule has no graph node
    trace: List[TraceStep] = field(default_factory=list)
    trace_truncated: bool = False  # the chain goes back further than the steps kept

    def sort_key(self) -> Tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict:
        """The public JSON form (``check/summary --format json``): columns are 1-based."""
        data = {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column + 1,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column + 1,
            "message": self.message,
        }
        if self.related:
            data["related"] = [
                {
                    "path": r.path,
                    "line": r.span.line,
                    "column": r.span.column + 1,
                    "end_line": r.span.end_line,
                    "end_column": r.span.end_column + 1,
                    "message": r.message,
                }
                for r in self.related
            ]
        if self.trace:
            from .engine.shapes import shape_to_json

            data["trace"] = [
                {
                    "layer": t.layer,
                    "path": t.path,
                    "line": t.span.line,
                    "column": t.span.column + 1,
                    "end_line": t.span.end_line,
                    "end_column": t.span.end_column + 1,
                    "output_shape": shape_to_json(t.shape),
                }
                for t in self.trace
            ]
        return data


def file_span(line: int = 1, column: int = 0) -> Span:
    return Span(line, column, line, column)


def dedupe(diags: List[Diagnostic]) -> List[Diagnostic]:
    """Drop repeats of the same code at the same place (a helper called five times)."""
    seen = set()
    out: List[Diagnostic] = []
    for d in diags:
        key = (d.path, d.code, d.span.line, d.span.column)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return out


def worst(diags: List[Diagnostic]) -> Optional[str]:
    for sev in SEVERITIES:
        if any(d.severity == sev for d in diags):
            return sev
    return None
