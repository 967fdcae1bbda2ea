"""Function bodies parsed by LibCST only when the analysis runs them.

LibCST's parser is the largest single cost of a run, and most of what it parses is never
read: the methods a model class has besides ``__init__`` and ``forward`` (weight
initialisation, ``get_config``, export helpers), the functions of an imported module other
than the one the file uses.  So before LibCST sees a file, the body of every function defined
at its top level or in a top-level class (at any class depth) is cut out of the text and
replaced by one string literal that spans exactly the same lines::

    def init_weights(self):           def init_weights(self):
        for m in self.modules():          \"\"\"shapelint-lazy:17
            ...                    ->
            nn.init.zeros_(m.bias)        \"\"\"

so every other statement keeps its line and column (a string token costs LibCST a small
fraction of what the same lines of code cost).  The body's text is kept; the first call of
the function parses it on its own (as the block of an ``if 1:``, its lines offset back to
where they are in the file) and the parsed block is reused for every later call.

Only bodies that begin on a line of their own and end a line (CPython's ``ast`` tree of the
file, which the analysis builds anyway to screen the text, says where) are cut, and only
those of a few lines or more: a short body costs less to parse with the rest.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .parsing import parse_module

MARK = "shapelint-lazy:"
_QUOTED_MARK = '"""' + MARK
MIN_LINES = 3  # bodies shorter than this are parsed with the rest of the file
ENABLED = True  # the tests compare the analysis with and without the cuts

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# n -> (the body's source lines, the file line of its first line); the parsed blocks
_SEGMENTS: List[Tuple[str, int]] = []
_BLOCKS: Dict[int, Optional[cst.IndentedBlock]] = {}
_MODULES: Dict[int, cst.Module] = {}
STATS = {"cut": 0, "parsed": 0}


def reset() -> None:
    _SEGMENTS.clear()
    _WORDS.clear()
    _BLOCKS.clear()
    _MODULES.clear()


def skeleton(text: str, tree: ast.Module) -> str:
    """``text`` with the bodies of its top-level functions and methods cut out (see the
    module's documentation); ``text`` itself when nothing is worth cutting."""
    if not ENABLED:
        return text
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return text  # old Mac line ends: not worth the risk of a line count that differs
    cuts: List[Tuple[int, int, str]] = []  # (first line, last line, indentation), 1-based
    lines: Optional[List[str]] = None

    def visit(body) -> None:
        nonlocal lines
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first, last = node.body[0], node.body[-1]
                start, end = first.lineno, getattr(last, "end_lineno", None)
                if end is None or end - start + 1 < MIN_LINES or start <= node.lineno:
                    continue
                if lines is None:
                    lines = _LINE.findall(text)
                if end > len(lines):
                    continue
                head = lines[start - 1]
                indent = head[: len(head) - len(head.lstrip(" \t"))]
                if len(indent.encode("utf-8")) != first.col_offset or not indent:
                    continue  # the body does not start its line
                tail = lines[end - 1].rstrip("\r\n").encode("utf-8")[last.end_col_offset:].strip()
                if tail and not tail.startswith(b"#"):
                    continue  # something else follows on its last line
                cuts.append((start, end, indent))

    visit(tree.body)
    if not cuts or lines is None:
        return text
    out: List[str] = []
    at = 0  # lines[:at] are written
    for start, end, indent in cuts:
        out.extend(lines[at : start - 1])
        segment = "".join(lines[start - 1 : end])
        n = len(_SEGMENTS)
        _SEGMENTS.append((segment, start))
        ending = _ending(lines[end - 1])
        inner = "".join(_ending(l) for l in lines[start - 1 : end - 1])
        out.append('%s"""%s%d%s"""%s' % (indent, MARK, n, inner, ending))
        at = end
        STATS["cut"] += 1
    out.extend(lines[at:])
    return "".join(out)


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def cut_number(block) -> Optional[int]:
    """The number of the cut body a function's block stands for, or None (a real body)."""
    # type tests, not isinstance: LibCST's node classes are final, and isinstance on them
    # goes through ABCMeta (this runs on every call of a function)
    if type(block) is not cst.IndentedBlock or len(block.body) != 1:
        return None
    line = block.body[0]
    if type(line) is not cst.SimpleStatementLine or len(line.body) != 1:
        return None
    expr = line.body[0]
    if type(expr) is not cst.Expr or type(expr.value) is not cst.SimpleString:
        return None
    value = expr.value.value
    if not value.startswith(_QUOTED_MARK):
        return None
    digits = value[len(_QUOTED_MARK) :].split(None, 1)[0].rstrip('"')
    return int(digits) if digits.isdigit() else None


_WORD = re.compile(r"[^\W\d]\w*")
_WORDS: Dict[int, frozenset] = {}


def words(n: int) -> frozenset:
    """Every identifier-like word of cut body ``n``: its names and attributes, and the words
    of its strings and comments (more than the names it uses, never fewer)."""
    found = _WORDS.get(n)
    if found is None:
        found = _WORDS[n] = frozenset(_WORD.findall(_SEGMENTS[n][0]))
    return found


def block(n: int) -> Optional[cst.IndentedBlock]:
    """The parsed body number ``n`` (None when LibCST cannot parse it on its own)."""
    if n in _BLOCKS:
        return _BLOCKS[n]
    segment, _ = _SEGMENTS[n]
    try:
        module = parse_module("if 1:\n" + segment)
        found = module.body[0].body
        _MODULES[n] = module
        STATS["parsed"] += 1
    except Exception:  # the whole file parsed: this should not happen; the body stays unknown
        found = None
    _BLOCKS[n] = found
    return found


def parsed_segment(n: int) -> Tuple[Optional[cst.Module], int]:
    """The module body ``n`` was parsed into, and what to add to its line numbers."""
    return _MODULES.get(n), _SEGMENTS[n][1] - 2
