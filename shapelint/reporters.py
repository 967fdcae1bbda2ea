"""Output formats of ``shapelint check`` (the summary's are in :mod:`shapelint.summary_formats`).

Coordinates are converted from the internal model (1-based lines, 0-based columns) only here:
text, JSON, SARIF, GitHub and JUnit print 1-based columns, LSP 0-based lines and characters.
Columns count Unicode code points (SARIF says so with ``columnKind``).

Every format is a function ``(diagnostics, context=None) -> str`` in :data:`FORMATS`; an empty
string means "print nothing".  The :class:`ReportContext` carries what some formats need besides
the diagnostics: the files checked (JUnit and LSP list the clean ones too), the source text
(``full`` and ``--show-source``), the working directory (relative paths) and colour.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import __version__
from .diagnostics import Diagnostic, Span

# LSP DiagnosticSeverity
LSP_SEVERITY = {"error": 1, "warning": 2, "info": 3, "hint": 4}
# SARIF result.level
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# GitHub workflow commands
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}

INFORMATION_URI = "https://github.com/shapelint/shapelint"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# formats meant for people: colour, the "Found N" line and the progress bar apply only to these
HUMAN_FORMATS = ("concise", "full")


@dataclass
class ReportContext:
    files: Optional[Sequence[str]] = None  # every file checked, clean ones included
    color: bool = False
    show_source: bool = False  # concise: the source line with a caret under the span
    cwd: Optional[str] = None  # where relative paths start (default: the current directory)
    stdin_text: Optional[str] = None  # the text read from standard input (path "-")
    _sources: Dict[str, Optional[List[str]]] = field(default_factory=dict, repr=False)

    def root(self) -> str:
        return self.cwd or os.getcwd()

    def source_lines(self, path: str) -> Optional[List[str]]:
        """The lines of a checked file as the analysis read them (BOM, coding cookie), or None
        when the file cannot be read or decoded now."""
        if path not in self._sources:
            self._sources[path] = _read_lines(path, self.stdin_text)
        return self._sources[path]


def _read_lines(path: str, stdin_text: Optional[str]) -> Optional[List[str]]:
    from .analysis import decode_source

    if path == "-":
        text = stdin_text
    else:
        try:
            with open(path, "rb") as fh:
                text = decode_source(fh.read())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            text = None
    if text is None:
        return None
    # the line breaks Python's tokenizer knows (str.splitlines also splits at \f, \v, \x1c...)
    return re.split(r"\r\n|\r|\n", text)


def _ctx(context: Optional[ReportContext]) -> ReportContext:
    return context if context is not None else ReportContext()


# --------------------------------------------------------------------------- colour

_STYLE = {
    "bold": "1",
    "dim": "2",
    "error": "1;31",
    "warning": "1;33",
    "info": "1;36",
    "blue": "1;34",
}


def _paint(text: str, style: str, ctx: ReportContext) -> str:
    if not ctx.color or not text:
        return text
    return "\x1b[%sm%s\x1b[0m" % (_STYLE[style], text)


# --------------------------------------------------------------------------- concise and full


def _location(d: Diagnostic) -> str:
    return "%s:%d:%d:" % (d.path, d.span.line, d.span.column + 1)


def _headline(d: Diagnostic, ctx: ReportContext) -> str:
    return "%s %s %s" % (
        _paint(_location(d), "bold", ctx),
        _paint(d.code, d.severity if d.severity in _STYLE else "error", ctx),
        d.message,
    )


def concise(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """``path:line:col: CODE message``, one line each (``--show-source`` adds the snippet)."""
    ctx = _ctx(context)
    out = []
    for d in diags:
        out.append(_headline(d, ctx))
        if ctx.show_source:
            snippet = source_snippet(d, ctx)
            if snippet:
                out.extend(snippet)
    return "\n".join(out)


# a multi-line span shows its first and last lines only when it is longer than this
SNIPPET_MAX_LINES = 6
# longer lines show SNIPPET_MAX_WIDTH characters from SNIPPET_CONTEXT before the span
SNIPPET_MAX_WIDTH = 160
SNIPPET_CONTEXT = 40
TAB_WIDTH = 4


def _char_width(ch: str) -> int:
    if ch == "\t":
        return TAB_WIDTH
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _display(line: str) -> str:
    """The line as printed: tabs as spaces, control characters as U+FFFD."""
    out = []
    for ch in line:
        if ch == "\t":
            out.append(" " * TAB_WIDTH)
        elif unicodedata.category(ch) == "Cc":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _width(text: str) -> int:
    return sum(1 if unicodedata.category(c) == "Cc" and c != "\t" else _char_width(c) for c in text)


def source_snippet(d: Diagnostic, ctx: ReportContext) -> List[str]:
    """The lines of the span with carets under it, ruff-style::

          |
        8 | model.add(layers.LSTM(4))
          |           ^^^^^^^^^^^^^^
          |

    Empty when the source cannot be read (or has changed so the span no longer fits)."""
    lines = ctx.source_lines(d.path)
    span = d.span
    if lines is None or not (1 <= span.line <= len(lines)):
        return []
    last = min(max(span.end_line, span.line), len(lines))
    numbers = list(range(span.line, last + 1))
    if len(numbers) > SNIPPET_MAX_LINES:
        numbers = numbers[:3] + [None] + numbers[-2:]
    gutter = len(str(last))
    bar = _paint(" " * gutter + " |", "blue", ctx)
    out = [bar]
    colour = d.severity if d.severity in _STYLE else "error"
    for n in numbers:
        if n is None:
            out.append(_paint("." * gutter + " |", "blue", ctx))
            continue
        text = lines[n - 1]
        start = span.column if n == span.line else len(text) - len(text.lstrip())
        end = span.end_column if n == span.end_line else len(text.rstrip())
        start = min(max(start, 0), len(text))
        end = min(max(end, start), len(text))
        # a very long line shows a window around the span
        lo, hi, head, tail = 0, len(text), "", ""
        if len(text) > SNIPPET_MAX_WIDTH:
            lo = max(0, min(start - SNIPPET_CONTEXT, len(text) - SNIPPET_MAX_WIDTH))
            hi = lo + SNIPPET_MAX_WIDTH
            head = "..." if lo > 0 else ""
            tail = "..." if hi < len(text) else ""
        shown = text[lo:hi]
        out.append("%s %s" % (_paint(str(n).rjust(gutter) + " |", "blue", ctx), (head + _display(shown) + tail).rstrip()))
        start, end = min(max(start, lo), hi), min(max(end, lo), hi)
        if end == start:
            if n != span.line:
                continue  # a span ending at the start of a line: nothing of it is on this line
            carets = "^"  # an insertion point (a syntax error at the end of a line)
        else:
            carets = "^" * max(_width(text[start:end]), 1)
        indent = len(head) + _width(text[lo:start])
        out.append("%s %s%s" % (bar, " " * indent, _paint(carets, colour, ctx)))
    out.append(bar)
    return out


def _trace_lines(d: Diagnostic, ctx: ReportContext) -> List[str]:
    from .engine.shapes import format_shape

    if not d.trace:
        return []
    out = ["  %s shape trace (oldest first):" % _paint("=", "blue", ctx)]
    if d.trace_truncated:
        out.append("      ...")
    names = ["%s at line %d" % (t.layer, t.span.line) for t in d.trace]
    width = max(len(n) for n in names)
    for name, step in zip(names, d.trace):
        out.append("      %s  -> %s" % (name.ljust(width), format_shape(step.shape)))
    return out


def full(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """Each diagnostic with its source snippet, the shape trace, related locations and the
    rule's page; a blank line between diagnostics."""
    from .rules import RULES

    ctx = _ctx(context)
    blocks = []
    for d in diags:
        out = [_headline(d, ctx)]
        out.extend(source_snippet(d, ctx))
        out.extend(_trace_lines(d, ctx))
        for r in d.related:
            out.append(
                "  %s related: %s:%d:%d: %s" % (_paint("=", "blue", ctx), r.path, r.span.line, r.span.column + 1, r.message)
            )
        rule = RULES.get(d.code)
        if rule is not None:
            out.append("  %s help: %s" % (_paint("=", "blue", ctx), rule.url))
        blocks.append("\n".join(out))
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- JSON


def diagnostics_json(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    return json.dumps({"diagnostics": [d.to_json() for d in diags]}, indent=2)


def json_lines(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """One JSON object per line, the objects of ``--format json``'s ``diagnostics`` list."""
    return "\n".join(json.dumps(d.to_json()) for d in diags)


# --------------------------------------------------------------------------- LSP


def lsp_range(span: Span) -> Dict[str, Any]:
    """An LSP Range: 0-based lines and characters.  (Characters are counted in code points;
    LSP's default is UTF-16 code units, which differ only beyond the Basic Multilingual Plane.)"""
    return {
        "start": {"line": max(span.line - 1, 0), "character": max(span.column, 0)},
        "end": {"line": max(span.end_line - 1, 0), "character": max(span.end_column, 0)},
    }


def path_uri(path: str) -> str:
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


def _by_file(diags: List[Diagnostic], ctx: ReportContext) -> Dict[str, List[Diagnostic]]:
    """Diagnostics per file, in the order files were checked; clean files (when the context
    knows them) with an empty list."""
    grouped: Dict[str, List[Diagnostic]] = {}
    for path in ctx.files or ():
        grouped.setdefault(path, [])
    for d in diags:
        grouped.setdefault(d.path, []).append(d)
    return grouped


def lsp(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """``[{"uri", "path", "diagnostics": [LSP Diagnostic, ...]}, ...]``: one entry per file
    checked, clean files with an empty list (so a client can clear what it showed before)."""
    ctx = _ctx(context)
    return json.dumps(
        [
            {"uri": path_uri(path), "path": path, "diagnostics": [lsp_diagnostic(d) for d in ds]}
            for path, ds in _by_file(diags, ctx).items()
        ],
        indent=2,
    )


# --------------------------------------------------------------------------- SARIF


def _relative(path: str, ctx: ReportContext) -> Optional[str]:
    """``path`` relative to the working directory with ``/`` separators, or None when it lies
    outside it (or is standard input)."""
    if path == "-":
        return None
    root = ctx.root()
    full_path = os.path.abspath(os.path.join(root, path))
    try:
        rel = os.path.relpath(full_path, root)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def _shown_path(path: str, ctx: ReportContext) -> str:
    """GitHub and JUnit name files relative to the working directory (``src/m.py``, not
    ``./src/m.py`` or an absolute path) when they lie inside it."""
    return _relative(path, ctx) or path


def _artifact_location(path: str, ctx: ReportContext) -> Dict[str, Any]:
    import pathlib
    from urllib.parse import quote

    if path == "-":
        return {"description": {"text": "standard input"}}
    rel = _relative(path, ctx)
    if rel is None:
        return {"uri": pathlib.Path(os.path.abspath(os.path.join(ctx.root(), path))).as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": "%SRCROOT%"}


def _region(span: Span) -> Dict[str, int]:
    line = max(span.line, 1)
    column = max(span.column, 0) + 1
    end_line = max(span.end_line, line)
    end_column = max(span.end_column, 0) + 1
    if end_line == line:
        end_column = max(end_column, column)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _physical(path: str, span: Span, ctx: ReportContext) -> Dict[str, Any]:
    return {"artifactLocation": _artifact_location(path, ctx), "region": _region(span)}


def _first_paragraph(page: str, heading: str) -> Optional[str]:
    """The first paragraph under ``## heading`` of a rule page, joined into one line."""
    lines = page.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip().lower() == "## " + heading.lower())
    except StopIteration:
        return None
    para: List[str] = []
    for l in lines[start + 1:]:
        if not l.strip():
            if para:
                break
            continue
        if l.startswith("#"):
            break
        para.append(l.strip())
    return " ".join(para) or None


def sarif_rules() -> List[Dict[str, Any]]:
    """``tool.driver.rules``: every rule, in code order."""
    from .docs import rule_page
    from .rules import all_rules

    out = []
    for rule in all_rules():
        page = rule_page(rule)
        summary = rule.summary.rstrip(".") + "."
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": _first_paragraph(page, "What it does") or summary},
                "help": {"text": page, "markdown": page},
                "helpUri": rule.url,
                "defaultConfiguration": {
                    "level": SARIF_LEVEL.get(rule.severity, "error"),
                    "enabled": bool(rule.default_enabled or rule.always_on),
                },
            }
        )
    return out


def sarif_log(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> Dict[str, Any]:
    """The SARIF 2.1.0 log as a dict (one run)."""
    import pathlib

    ctx = _ctx(context)
    rules = sarif_rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for d in diags:
        result: Dict[str, Any] = {
            "ruleId": d.code,
            "level": SARIF_LEVEL.get(d.severity, "error"),
            "message": {"text": d.message},
            "locations": [{"physicalLocation": _physical(d.path, d.span, ctx)}],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(r.path, r.span, ctx), "message": {"text": r.message}}
                for i, r in enumerate(d.related, 1)
            ]
        if d.trace:
            from .engine.shapes import format_shape

            steps = [
                {
                    "location": {
                        "physicalLocation": _physical(t.path, t.span, ctx),
                        "message": {"text": "%s at line %d produces %s" % (t.layer, t.span.line, format_shape(t.shape))},
                    }
                }
                for t in d.trace
            ]
            steps.append(
                {"location": {"physicalLocation": _physical(d.path, d.span, ctx), "message": {"text": "reported here"}}}
            )
            result["codeFlows"] = [{"message": {"text": "shape trace"}, "threadFlows": [{"locations": steps}]}]
        results.append(result)
    root = pathlib.Path(os.path.abspath(ctx.root())).as_uri()
    run = {
        "tool": {
            "driver": {
                "name": "shapelint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root if root.endswith("/") else root + "/"}},
        "invocations": [{"executionSuccessful": not any(d.code == "SL003" for d in diags)}],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def sarif(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    return json.dumps(sarif_log(diags, context), indent=2)


# --------------------------------------------------------------------------- GitHub Actions


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,endLine=L,endColumn=C,
    title=CODE (name)::message``; warnings become ``::warning``, info ``::notice``.  Columns
    are given only for a span on one line (GitHub ignores them otherwise)."""
    from .rules import RULES

    ctx = _ctx(context)
    out = []
    for d in diags:
        rule = RULES.get(d.code)
        title = "%s (%s)" % (d.code, rule.name) if rule is not None else d.code
        message = d.message
        for r in d.related:
            message += "\n%s:%d:%d: %s" % (_shown_path(r.path, ctx), r.span.line, r.span.column + 1, r.message)
        props = []
        if d.path == "-":
            message = "%s:%d:%d: %s" % (d.path, d.span.line, d.span.column + 1, message)
        else:
            region = _region(d.span)
            props.append(("file", _shown_path(d.path, ctx)))
            props.append(("line", str(region["startLine"])))
            if region["endLine"] != region["startLine"]:
                props.append(("endLine", str(region["endLine"])))
            else:
                props.append(("col", str(region["startColumn"])))
                props.append(("endLine", str(region["endLine"])))
                if region["endColumn"] > region["startColumn"]:
                    props.append(("endColumn", str(region["endColumn"])))
        props.append(("title", title))
        out.append(
            "::%s %s::%s"
            % (
                GITHUB_COMMAND.get(d.severity, "error"),
                ",".join("%s=%s" % (k, _github_property(v)) for k, v in props),
                _github_data(message),
            )
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- JUnit XML

# characters XML 1.0 cannot carry at all, even escaped
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def junit(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """JUnit XML: a ``testsuite`` per file, a failing ``testcase`` per diagnostic, and a passing
    one for each clean file the context lists."""
    import xml.etree.ElementTree as ET

    ctx = _ctx(context)
    grouped = _by_file(diags, ctx)
    total_cases = sum(max(len(ds), 1) for ds in grouped.values())
    root = ET.Element(
        "testsuites",
        {"name": "shapelint", "tests": str(total_cases), "failures": str(len(diags)), "errors": "0"},
    )
    for path, ds in grouped.items():
        name = _xml_text(_shown_path(path, ctx))
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": name, "tests": str(max(len(ds), 1)), "failures": str(len(ds)), "errors": "0", "skipped": "0"},
        )
        if not ds:
            ET.SubElement(suite, "testcase", {"name": "shapelint", "classname": name, "file": name})
            continue
        for d in ds:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "name": _xml_text("%s at line %d, column %d" % (d.code, d.span.line, d.span.column + 1)),
                    "classname": name,
                    "file": name,
                    "line": str(d.span.line),
                },
            )
            body = ["%s:%d:%d: %s %s (%s)" % (name, d.span.line, d.span.column + 1, d.code, d.message, d.severity)]
            body.extend(
                "%s:%d:%d: %s" % (_shown_path(r.path, ctx), r.span.line, r.span.column + 1, r.message) for r in d.related
            )
            failure = ET.SubElement(case, "failure", {"message": _xml_text(d.message), "type": d.code})
            failure.text = _xml_text("\n".join(body))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- --statistics


def statistics_rows(diags: List[Diagnostic]) -> List[Dict[str, Any]]:
    """``[{"code", "name", "count"}]``, most frequent first (then by code)."""
    from .rules import RULES

    counts: Dict[str, int] = {}
    for d in diags:
        counts[d.code] = counts.get(d.code, 0) + 1
    rows = [
        {"code": code, "name": RULES[code].name if code in RULES else "", "count": n} for code, n in counts.items()
    ]
    rows.sort(key=lambda r: (-r["count"], r["code"]))
    return rows


def statistics(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    """A line per code, like ruff: ``count<TAB>code<TAB>name``."""
    rows = statistics_rows(diags)
    if not rows:
        return ""
    width = len(str(rows[0]["count"]))
    return "\n".join("%s\t%s\t%s" % (str(r["count"]).rjust(width), r["code"], r["name"]) for r in rows)


def statistics_json(diags: List[Diagnostic], context: Optional[ReportContext] = None) -> str:
    return json.dumps(statistics_rows(diags), indent=2)


# --format NAME -> function(diagnostics, context=None) -> text.  Empty text prints nothing.
FORMATS: Dict[str, Callable[..., str]] = {
    "concise": concise,
    "full": full,
    "json": diagnostics_json,
    "json-lines": json_lines,
    "sarif": sarif,
    "github": github,
    "junit": junit,
    "lsp": lsp,
}
