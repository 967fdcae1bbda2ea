"""Suppression comments: ``# noqa``, ``# noqa: SL103``, ``# shapelint: disable-file``.

The comments are read with :mod:`tokenize` (a ``# noqa`` inside a string is not a comment),
and only when the text mentions one of them at all: most files pay a single regular
expression search and nothing else.

* ``# noqa: SL103, SL105`` (commas and/or spaces between the codes; exact codes, not
  prefixes, as in ruff) suppresses those codes, and a bare ``# noqa`` every code, on the
  line where the diagnostic is reported: the first line of its span, which is where
  ``path:line:col`` points (for a call spread over several lines, its first line).  A
  ``# noqa`` without a colon before the codes (``# noqa SL103``) and a ``# noqa:`` without
  a code are bare, as in flake8.
* ``# shapelint: disable-file``, a comment on its own line anywhere in the file, suppresses
  everything in the file except SL001 and SL002 -- the file could not be parsed or read, so
  its comments could not be read either -- and SL003, an internal error, which sets the exit
  status to 2 and must never be silent.
* SL005 (unused-noqa, off by default) reports a shapelint code in a ``# noqa: ...`` list that
  suppressed nothing.  Codes of other tools (``E501``) in the same list are not judged, nor
  are codes turned off for the file (the comment might be needed when they are on), and
  nothing is judged in a file whose analysis was incomplete (SL001 to SL004).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Tuple

from .diagnostics import Diagnostic, Span, dedupe

# the codes that say the file was not (completely) analysed
INCOMPLETE = ("SL001", "SL002", "SL003", "SL004")
# what no comment can suppress: the file could not even be read, or shapelint crashed on it
# (an internal error sets the exit status to 2, so its message must always be seen)
UNSUPPRESSIBLE = ("SL001", "SL002", "SL003")

_MAYBE = re.compile(r"noqa|disable-file", re.I)
_NOQA = re.compile(
    r"#\s*noqa\b(?P<colon>\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)?)?",
    re.I,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_DISABLE_FILE = re.compile(r"#\s*shapelint\s*:\s*disable-file\s*$")
_OURS = re.compile(r"SL[0-9]+\Z")


@dataclass
class Noqa:
    """One ``# noqa`` comment."""

    line: int
    column: int  # 0-based, of the "#" that starts "# noqa"
    end_column: int
    # (CODE, 0-based start column, end column) of each listed code; None for a bare noqa
    codes: Optional[List[Tuple[str, int, int]]] = None

    def suppresses(self, code: str) -> bool:
        return self.codes is None or any(c == code for c, _, _ in self.codes)


@dataclass
class Directives:
    noqa: Dict[int, Noqa] = field(default_factory=dict)  # by line
    disable_file: bool = False


def scan(text: str) -> Directives:
    """The suppression comments of a source text (which parsed: it is valid Python)."""
    out = Directives()
    if not _MAYBE.search(text):
        return out
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.COMMENT:
                continue
            line, col = tok.start
            comment = tok.string
            if _DISABLE_FILE.match(comment) and not tok.line[:col].strip():
                out.disable_file = True
                continue
            m = _NOQA.search(comment)
            if m is None:
                continue
            codes = None
            if m.group("codes"):
                base = col + m.start("codes")
                codes = [
                    (c.group(0).upper(), base + c.start(), base + c.end()) for c in _CODE.finditer(m.group("codes"))
                ]
            out.noqa.setdefault(line, Noqa(line, col + m.start(), col + m.end(), codes))
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read before stays valid
    return out


def finish(diags: Sequence[Diagnostic], text: Optional[str], settings, path: str) -> List[Diagnostic]:
    """The diagnostics of a file as reported: the enabled codes only, suppression comments
    applied, SL005 added when enabled, configured severities, sorted and without repeats."""
    codes = settings.codes()
    incomplete = any(d.code in INCOMPLETE for d in diags)
    kept = dedupe(sorted((d for d in diags if d.code in codes), key=Diagnostic.sort_key))
    judge_unused = "SL005" in codes and not incomplete
    if text is not None and (kept or judge_unused) and _MAYBE.search(text):
        directives = scan(text)
        if directives.disable_file:
            kept = [d for d in kept if d.code in UNSUPPRESSIBLE]
        elif directives.noqa:
            kept = _apply_noqa(kept, directives.noqa, codes if judge_unused else None, path)
    overrides = getattr(settings, "severity", None)
    if overrides:
        kept = [_with_severity(d, overrides) for d in kept]
    return kept


def _apply_noqa(diags: List[Diagnostic], noqa: Dict[int, Noqa], judged: Optional[set], path: str) -> List[Diagnostic]:
    from .rules import RULES

    used = set()  # (line, code)
    out = []
    for d in diags:
        n = noqa.get(d.span.line) if d.path == path else None  # comments of this file only
        if n is not None and d.code not in UNSUPPRESSIBLE and n.suppresses(d.code):
            used.add((n.line, d.code))
            continue
        out.append(d)
    if judged is None:
        return out
    unused = []
    for n in noqa.values():
        for code, start, end in n.codes or ():
            if not _OURS.match(code) or code == "SL005" or (n.line, code) in used:
                continue
            if n.suppresses("SL005"):
                continue  # "# noqa: SL103, SL005" keeps the comment on purpose
            if code in RULES and code not in judged:
                continue  # turned off here: whether the comment is needed cannot be told
            if code in RULES:
                msg = "Unused `noqa` directive: no %s diagnostic is reported on this line; remove %s from the comment." % (code, code)
            else:
                msg = "Unused `noqa` directive: %s is not a shapelint rule code (`# noqa` takes exact codes such as SL103; see `shapelint rules`)." % code
            unused.append(Diagnostic("SL005", RULES["SL005"].severity, msg, path, Span(n.line, start, n.line, end)))
    if unused:
        out = sorted(out + unused, key=Diagnostic.sort_key)
    return out


def severity_for(code: str, overrides: Dict[str, str]) -> Optional[str]:
    """The configured severity of ``code``: the longest matching code prefix (or ``ALL``)."""
    best = None
    best_len = -1
    for prefix, level in overrides.items():
        n = 0 if prefix == "ALL" else len(prefix)
        if (prefix == "ALL" or code.startswith(prefix)) and n > best_len:
            best, best_len = level, n
    return best


def _with_severity(d: Diagnostic, overrides: Dict[str, str]) -> Diagnostic:
    level = severity_for(d.code, overrides)
    if level is None or level == d.severity:
        return d
    return replace(d, severity=level)
