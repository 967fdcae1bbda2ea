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

The same functions' parameter and return annotations are blanked: the analysis never reads
them (it runs code; ``x: torch.Tensor`` says nothing it can check), and in annotated code
they are a fifth of what is left for LibCST to parse.  Each character of ``: Optional[int]``
or ``-> torch.Tensor`` becomes a space, so every other token keeps its line and column::

    def forward(self, x: Tensor) -> Tensor:   ->   def forward(self, x        )          :

An annotation is left alone when blanking it could make the text invalid: when it is
wrapped in parentheses (``x: (int)``: the closing one would be left), or, for a return
annotation, when it spans lines (the line break after the parameters would end the
statement).
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
    """``text`` with the bodies of its top-level functions and methods cut out and their
    parameter and return annotations blanked (see the module's documentation); ``text``
    itself when there is nothing to change."""
    if not ENABLED:
        return text
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return text  # old Mac line ends: not worth the risk of a line count that differs
    cuts: List[Tuple[int, int, str]] = []  # (first line, last line, indentation), 1-based
    blanks: List[Tuple[int, int, int, int]] = []  # (line, column, end line, end column), 1-based lines, byte columns
    lines: Optional[List[str]] = None

    def visit(body) -> None:
        nonlocal lines
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if lines is None:
                    lines = _LINE.findall(text)
                _annotations(node, lines, blanks)
                first, last = node.body[0], node.body[-1]
                start, end = first.lineno, getattr(last, "end_lineno", None)
                for d in getattr(first, "decorator_list", ()):
                    start = min(start, d.lineno)  # a decorated def's line is after its decorators
                if end is None or end - start + 1 < MIN_LINES or start <= node.lineno:
                    continue
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
    if (not cuts and not blanks) or lines is None:
        return text
    # header lines (never inside a cut body); character columns from the unchanged lines,
    # and a blanked character is one space, so the columns stay right for the next
    spans = []
    for line, col, end_line, end_col in blanks:
        for n in range(line, end_line + 1):
            body = lines[n - 1].rstrip("\r\n")
            spans.append((n, _char_column(body, col) if n == line else 0, _char_column(body, end_col) if n == end_line else len(body)))
    for n, a, b in spans:
        current = lines[n - 1]
        lines[n - 1] = current[:a] + " " * (b - a) + current[b:]
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


def _char_column(line: str, byte_column: int) -> int:
    """The character column of CPython's UTF-8 byte column on ``line``."""
    if line.isascii():
        return byte_column
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))


def _annotations(fn, lines: List[str], out: List[Tuple[int, int, int, int]]) -> None:
    """The text of each parameter annotation of ``fn`` with its colon, and of its return
    annotation with its arrow, when blanking it leaves valid Python: the annotation is not
    wrapped in parentheses (only spaces between it and its colon or arrow, on one line),
    and a return annotation is on one line (a line break after the closing parenthesis of
    the parameters would end the statement)."""
    a = fn.args
    params = a.posonlyargs + a.args + a.kwonlyargs
    if a.vararg is not None:
        params.append(a.vararg)
    if a.kwarg is not None:
        params.append(a.kwarg)
    for p in params:
        ann = p.annotation
        if ann is not None:
            start = _after(lines, ann, ":")
            if start is not None:
                out.append((ann.lineno, start, ann.end_lineno, ann.end_col_offset))
    r = fn.returns
    if r is not None and r.lineno == r.end_lineno:
        start = _after(lines, r, "->")
        if start is not None:
            out.append((r.lineno, start, r.end_lineno, r.end_col_offset))


def _after(lines: List[str], node, token: str) -> Optional[int]:
    """The byte column of ``token`` when only spaces stand between it and ``node`` on the
    node's first line, else None."""
    if node.lineno > len(lines) or node.end_lineno > len(lines):
        return None
    head = lines[node.lineno - 1].encode("utf-8")[: node.col_offset].rstrip(b" \t")
    return len(head) - len(token) if head.endswith(token.encode("ascii")) else None


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
