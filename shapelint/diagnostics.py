"""Diagnostics and source locations.

One coordinate model inside shapelint -- LibCST's: 1-based lines, 0-based columns, end
exclusive.  Conversions to other conventions happen only in the reporters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

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
class Diagnostic:
    code: str
    severity: str
    message: str
    path: str
    span: Span
    related: List[Related] = field(default_factory=list)

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
