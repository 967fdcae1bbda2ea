"""The second pre-filter: could the analysis find a model or a tensor in this file at all?

The byte test in :mod:`shapelint.analysis` keeps every file that mentions torch, keras or
tensorflow -- about 97% of the lines of an ML repository, most of them data pipelines,
training loops, utilities and tests that build no layer.  Parsing and interpreting those
files is most of a run's cost and never yields a finding.  This filter reads the raw bytes
(no parse) and keeps a file when

* its text builds something the analysis follows: a class whose bases name ``Module``,
  ``Model``, ``Layer`` or ``Sequential``; a layer constructor (``nn.Conv2d(``,
  ``layers.Dense(``, ``Sequential(``, ``Model(``, ``Input(``); an import of layers by name
  (``from torch.nn import Linear``); a tensor factory (``torch.randn(``, ``ops.zeros(``); or
  a layer module under another alias (``import torch.nn as tnn`` and ``tnn.Linear(``); or
* it calls, or subclasses, a name it imports from the project whose definition does so --
  followed through re-exports, ``import *``, module aliases and, for functions and
  assignments, through the names they call (a builder calling a builder).

A file the filter drops gets no analysis and no diagnostic, exactly like a file without a
framework import.  Files named on the command line, ``summary``, stdin and the editor are
never filtered.  When the filter cannot decide within its budget it keeps the file.
``benchmarks/filter_check.py`` runs the full analysis over a corpus and counts the files
where it finds a model or a diagnostic that the filter drops; the tests do the same over
the fixtures and the acceptance files.

Every project file the filter reads is recorded through :mod:`shapelint.project` (so the
result cache knows a skipped file depends on it).
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

from . import project

_FACTORIES = (
    "eye|randn|rand|zeros|ones|empty|randint|full|rand_like|randn_like|zeros_like|ones_like|"
    "empty_like|full_like|tensor|as_tensor|arange|Tensor|FloatTensor|LongTensor|uniform|normal|"
    "truncated_normal|fill|random_uniform|random_normal"
)


class _Anchored:
    """A search for any of several patterns, each anchored at a word start ("word") or at
    the start of a line after indentation ("line").  The anchors are checked in Python:
    Python's regex engine scans fast for a pattern that begins with a literal or a choice of
    literals, and about ten times slower for one that begins with ``^`` or ``\\b``."""

    def __init__(self, parts):
        self.parts = [(re.compile(p.encode() if isinstance(p, str) else p), kind) for p, kind in parts]

    def search(self, data: bytes):
        for rx, kind in self.parts:
            pos = 0
            while True:
                m = rx.search(data, pos)
                if m is None:
                    break
                at = m.start()
                if kind == "word":
                    before = data[at - 1:at]
                    if not at or not (before.isalnum() or before == b"_"):
                        return m
                elif not data[data.rfind(b"\n", 0, at) + 1:at].strip(b" \t"):
                    return m
                pos = at + 1
        return None


# what, in a file's (or a definition's) own text, builds layers
BUILDS = _Anchored(
    [
        (r"class[ \t]+\w+[ \t]*\([^)]*\b(?:Module|Model|Layer|Sequential|ModuleList|ModuleDict)\b", "line"),
        (r"(?:Sequential|Model|Functional|Input|InputLayer)[ \t]*\(", "word"),
        (r"nn[ \t]*\.[ \t]*[A-Z]\w*[ \t]*\(", "word"),
        (r"layers[ \t]*\.[ \t]*[A-Z]\w*[ \t]*\(", "word"),
        (r"from[ \t]+(?:torch\.nn|keras\.layers|tensorflow\.keras\.layers|tf_keras\.layers|keras\.src\.layers|torch\.nn\.modules)\b[\w.]*[ \t]+import", "line"),
        (r"from[ \t]+(?:keras|tensorflow\.keras|tf_keras|keras\.src)[ \t]+import[ \t]+\(?[^)\n]*(?:\n[^)\n]*){0,30}?\b(?:Sequential|Model|Input)\b", "line"),
    ]
)
# a tensor of known shape made from nothing: it matters where the code runs (module level,
# or a function that module-level code calls), as ``torch.zeros(`` is everywhere else too
FACTORY = _Anchored(
    [(re.escape(module) + r"[ \t]*\.[ \t]*(?:" + _FACTORIES + r")[ \t]*\(", "word") for module in ("torch", "tf", "ops", "random", "K", "backend", "keras")]
    + [
        (r"from[ \t]+(?:torch|keras\.ops|keras\.random|tensorflow|keras|keras\.src\.ops)[ \t]+import[ \t]+\(?[^)\n]*(?:\n[^)\n]*){0,30}?\b(?:" + _FACTORIES + r")\b", "line"),
    ]
)
# Patterns for what starts a line are written to begin with the line break before it and are
# run on the text with a line break put in front (:func:`_lined`): Python's regex engine scans
# for a literal first character quickly, and tries a pattern that begins with ``^`` at every
# position (these five took half of the filter's time that way).
# ``import torch.nn as tnn`` / ``from torch import nn as tnn``: the alias used as ``nn``
_LAYER_ALIAS = re.compile(
    rb"\n[ \t]*(?:import[ \t]+(?:torch\.nn|keras\.layers|tensorflow\.keras\.layers|keras\.src\.layers)"
    rb"|from[ \t]+(?:torch|keras|tensorflow\.keras|keras\.src)[ \t]+import[ \t]+(?:nn|layers))[ \t]+as[ \t]+(\w+)"
)
_FROM = re.compile(rb"\n[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#;\\]|\\\n)+)")
_IMPORT = re.compile(rb"\n[ \t]*import[ \t]+([\w. \t,]+)")
# unindented definitions and assignments, each up to the next unindented line that is not a
# comment or a closing bracket
_TOP = re.compile(rb"\n(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)|\n(\w+)[ \t]*(?::[^=\n]*)?=(?!=)")
_NEXT_TOP = re.compile(rb"\n[^\s#)\]}]")  # searched from a line break: the next line starts after it
_CALLED = re.compile(rb"\b([A-Za-z_]\w*)[ \t]*(?:\(|\.[ \t]*[A-Za-z_]\w*[ \t]*\()")
_MODULE_CALL = re.compile(rb"(?<![\w.])((?:[A-Za-z_]\w*[ \t]*\.[ \t]*)+)([A-Za-z_]\w*)[ \t]*\(")
_BASES = re.compile(rb"\n[ \t]*class[ \t]+\w+[ \t]*\(([^)]*)\)")
_CLASS_HEAD = re.compile(rb"class[ \t]+\w+[ \t]*(?:\(([^)]*)\))?")
_IDENT = re.compile(rb"[A-Za-z_]\w*")
_TRIPLE = re.compile(rb'(?s)""".*?"""|\'\'\'.*?\'\'\'')
_MODEL_BASE = re.compile(rb"\b(?:Module|Model|Layer|Sequential|ModuleList|ModuleDict)\b")

def _lined(data: bytes) -> bytes:
    """``data`` with a line break in front: its first line starts after one, as every other
    does (offsets in it are one more than in ``data``)."""
    return b"\n" + data


MAX_VISITS = 4000  # definitions looked at for one file; past it the file is kept
MAX_DEPTH = 24


class _Budget(Exception):
    pass


class _Info:
    """What the filter reads from one file's bytes."""

    __slots__ = ("path", "data", "builds", "_imports", "_modules", "defs", "_running")

    def __init__(self, path: str, data: bytes):
        self.path = path
        self.data = data
        self.builds = BUILDS.search(data) is not None
        self._running = None
        self.defs = None
        if not self.builds:
            for m in _LAYER_ALIAS.finditer(_lined(data)):
                alias = re.escape(m.group(1))
                if re.search(rb"\b" + alias + rb"[ \t]*\.[ \t]*[A-Z]\w*[ \t]*\(", data):
                    self.builds = True
                    break
        self._imports: Optional[Dict[str, Tuple[int, str, str]]] = None  # read when needed
        self._modules: Optional[Dict[str, Tuple[int, str]]] = None

    @property
    def imports(self) -> Dict[str, Tuple[int, str, str]]:
        """alias -> (level, module, name) of each ``from module import name as alias``."""
        if self._imports is None:
            self._read_imports()
        return self._imports

    @property
    def modules(self) -> Dict[str, Tuple[int, str]]:
        """alias -> (level, dotted module) of each ``import module as alias``."""
        if self._modules is None:
            self._read_imports()
        return self._modules

    def _read_imports(self) -> None:
        data = _lined(self.data)
        self._imports, self._modules = {}, {}
        for m in _FROM.finditer(data):
            level, module = len(m.group(1)), m.group(2).decode("latin-1")
            for part in m.group(3).strip(b"()").replace(b"\\\n", b" ").decode("latin-1").split(","):
                bits = part.split("#")[0].split()
                if len(bits) == 3 and bits[1] == "as":
                    self._imports[bits[2]] = (level, module, bits[0])
                elif len(bits) == 1:
                    self._imports[bits[0]] = (level, module, bits[0])
        for m in _IMPORT.finditer(data):
            for part in m.group(1).decode("latin-1").split(","):
                bits = part.split()
                if len(bits) == 3 and bits[1] == "as":
                    self._modules[bits[2]] = (0, bits[0])
                elif len(bits) == 1:
                    # ``import a.b`` binds ``a``
                    self._modules.setdefault(bits[0].split(".")[0], (0, bits[0].split(".")[0]))

    def running_text(self) -> bytes:
        """The text of code that runs when the module is analysed: module-level statements
        (their triple-quoted strings left out) and, transitively, the functions and classes
        of this file that such code calls."""
        if self._running is None:
            d = self.data
            defs = self.top_defs()
            spans = sorted(r for regions in defs.values() for r in regions if d.startswith((b"def", b"async", b"class"), r[0]))
            pieces, at = [], 0
            for a, b in spans:
                if a >= at:
                    pieces.append(d[at:a])
                    at = b
            pieces.append(d[at:])
            todo = [_TRIPLE.sub(b"''", b"".join(pieces))]
            # the file's functions and classes by their name's bytes (most words name none)
            bodies = {}
            for name, regions in defs.items():
                found = [d[a:b] for a, b in regions if d.startswith((b"def", b"async", b"class"), a)]
                if found:
                    bodies[name.encode("latin-1")] = found
            out, seen = [], set()
            while todo:
                text = todo.pop()
                out.append(text)
                # called, or passed on (``app.run(main)``)
                for n in bodies.keys() & set(_IDENT.findall(text)):
                    if n not in seen:
                        seen.add(n)
                        todo.extend(bodies[n])
            self._running = b"\n".join(out)
        return self._running

    def runs_factories(self) -> bool:
        """A tensor factory in code that runs (see running_text)."""
        return FACTORY.search(self.data) is not None and FACTORY.search(self.running_text()) is not None

    def top_defs(self) -> Dict[str, List[Tuple[int, int]]]:
        if self.defs is None:
            d = self.data
            self.defs = {}
            for m in _TOP.finditer(_lined(d)):  # m.start() is the offset in d of the line
                name = (m.group(1) or m.group(2)).decode("latin-1")
                eol = d.find(b"\n", m.end() - 1)
                nxt = _NEXT_TOP.search(d, eol) if eol >= 0 else None
                self.defs.setdefault(name, []).append((m.start(), nxt.start() + 1 if nxt else len(d)))
        return self.defs


class ModelFilter:
    """One run's filter: file reads and answers are shared by every file it judges."""

    def __init__(self, src_roots: Sequence[str] = ()):
        self.src_roots = list(src_roots)
        self._info: Dict[str, Optional[_Info]] = {}
        self._answers: Dict[Tuple[str, str, str], bool] = {}
        self._open: set = set()  # questions being answered (a cycle reads them as "no")
        self._cycle_reads = 0
        self._visits = 0
        self._resolved: Dict[tuple, Tuple[Optional[str], Tuple[str, ...]]] = {}
        self._roots_of: Dict[str, "project.Project"] = {}

    # -- reading ------------------------------------------------------------------------

    def info(self, path: str, data: Optional[bytes] = None) -> Optional[_Info]:
        if path in self._info and data is None:
            project._note(path)
            return self._info[path]
        if data is None:
            project._note(path)
            try:
                with open(path, "rb") as fh:
                    data = fh.read(project.MAX_MODULE_BYTES + 1)
            except OSError:
                self._info[path] = None
                return None
            if len(data) > project.MAX_MODULE_BYTES:
                self._info[path] = None  # the analysis does not follow it either
                return None
        info = _Info(path, data)
        self._info[path] = info
        return info

    def _resolve(self, importer: str, level: int, dotted: str, proj) -> Optional[str]:
        """The file of an import, found as the analysis finds it (``project.Project``), the
        answer kept for the run with the paths it looked at (recorded again on each hit)."""
        key = (os.path.dirname(importer), level, dotted, tuple(proj.roots))
        hit = self._resolved.get(key)
        if hit is None:
            saved = project.READS
            project.READS = set()
            try:
                found = proj.find_relative(importer, level, dotted) if level else proj.find_absolute(dotted)
                hit = self._resolved[key] = (found, tuple(project.READS))
            finally:
                project.READS = saved
        if project.READS is not None:
            project.READS.update(hit[1])
        return hit[0]

    def _roots(self, path: str) -> "project.Project":
        """Where imports from ``path`` resolve (one Project per directory)."""
        d = os.path.dirname(path)
        proj = self._roots_of.get(d)
        if proj is None:
            proj = self._roots_of[d] = project.Project(path, self.src_roots)
        return proj

    # -- judging ------------------------------------------------------------------------

    def keeps(self, path: str, data: bytes) -> bool:
        """Whether the analysis of ``path`` could find anything: see the module docstring."""
        info = self.info(os.path.abspath(path), data)
        if info is None or info.builds or info.runs_factories():
            return True
        return self._within_budget(self._uses_builder, info)

    def builds_when_called(self, path: str, name: str) -> bool:
        """Whether calling ``name``, as the project's module ``path`` binds it, could build
        layers or make a tensor (the question :meth:`keeps` asks of a file's imports; the
        analysis asks it of the names a builder nobody calls uses).  True when unsure."""
        return self._within_budget(self._defines, os.path.abspath(path), name, "call", 0)

    def _within_budget(self, question, *args) -> bool:
        """``question(*args)`` with a fresh budget of visits; True (keep) past the budget."""
        self._visits = 0
        self._open.clear()
        try:
            return question(*args)
        except (_Budget, RecursionError):
            return True

    def _uses_builder(self, info: _Info) -> bool:
        d = info.data
        running = info.running_text()
        roots = self._roots(info.path)
        called = set(x.decode("latin-1") for x in _CALLED.findall(running))
        for name in called:
            if name in info.imports and self._imported(info, name, "call", roots, 0):
                return True
        for bases in _BASES.findall(_lined(d)):
            for n in _IDENT.findall(bases):
                name = n.decode("latin-1")
                if name in info.imports and self._imported(info, name, "base", roots, 0):
                    return True
        return self._module_calls(info, running, roots, 0)

    def _module_calls(self, info: _Info, text: bytes, roots, depth: int) -> bool:
        """``blocks.Encoder(`` where ``blocks`` is a project module (``import blocks``,
        ``from . import blocks``, ``import models.blocks as blocks``)."""
        for m in _MODULE_CALL.finditer(text):
            parts = [p.strip() for p in m.group(1).decode("latin-1").split(".") if p.strip()]
            alias, rest, attr = parts[0], parts[1:], m.group(2).decode("latin-1")
            target = None
            if alias in info.modules:  # ``import pkg.nets`` then ``pkg.nets.Net(``
                level, dotted = info.modules[alias]
                target = self._resolve(info.path, level, ".".join([dotted] + rest), roots)
            elif alias in info.imports:  # ``from pkg import nets`` then ``nets.Net(``
                level, module, name = info.imports[alias]
                sub = ".".join(([module] if module else []) + [name] + rest)
                target = self._resolve(info.path, level, sub, roots)
            if target is not None and self._defines(target, attr, "call", depth + 1):
                return True
        return False

    def _imported(self, info: _Info, alias: str, how: str, roots, depth: int) -> bool:
        level, module, name = info.imports[alias]
        if name == "*":
            return False
        target = self._resolve(info.path, level, module, roots)
        return target is not None and self._defines(target, name, how, depth + 1)

    def _defines(self, path: str, name: str, how: str, depth: int) -> bool:
        """Does ``name``, as module ``path`` binds it, build layers when called (``how`` is
        "call") or make a model class when subclassed ("base")?"""
        key = (path, name, how)
        known = self._answers.get(key)
        if known is not None:
            return known
        if key in self._open:
            self._cycle_reads += 1
            return False  # a cycle back here adds nothing to what is being worked out
        if depth > MAX_DEPTH:
            raise _Budget()
        self._visits += 1
        if self._visits > MAX_VISITS:
            raise _Budget()
        self._open.add(key)
        reads = self._cycle_reads
        try:
            answer = self._defines_now(path, name, how, depth)
        finally:
            self._open.discard(key)
        # a "no" that leaned on an open question may be wrong once that one is answered:
        # it is worked out again when asked again
        if answer or self._cycle_reads == reads:
            self._answers[key] = answer
        return answer

    def _defines_now(self, path: str, name: str, how: str, depth: int) -> bool:
        info = self.info(path)
        if info is None:
            return False
        if info.builds and how == "call" and name not in info.top_defs() and name not in info.imports:
            return True  # bound some other way (a loop, a star import): keep
        roots = self._roots(path)
        regions = info.top_defs().get(name)
        if regions:
            for start, end in regions:
                text = info.data[start:end]
                if text.startswith(b"class"):
                    m = _CLASS_HEAD.match(text)
                    bases = (m.group(1) or b"") if m else b""
                    if _MODEL_BASE.search(bases):
                        return True
                    for n in _IDENT.findall(bases):
                        base = n.decode("latin-1")
                        if base != name and self._bound_builds(info, base, "base", roots, depth):
                            return True
                    if how == "call":
                        if BUILDS.search(text) or FACTORY.search(text):
                            return True
                        # its methods may call the module's builders (``self.net = make_net()``)
                        if self._calls_builders(info, name, text, roots, depth, _CALLED.findall(text)):
                            return True
                elif how == "call":
                    if BUILDS.search(text) or FACTORY.search(text):
                        return True
                    is_def = text.lstrip().startswith((b"def", b"async"))
                    names = _CALLED.findall(text) if is_def else _IDENT.findall(text)
                    if self._calls_builders(info, name, text, roots, depth, names):
                        return True
            return False
        if name in info.imports:
            level, module, orig = info.imports[name]
            target = self._resolve(path, level, module, roots)
            if target is not None and orig != "*" and self._defines(target, orig, how, depth + 1):
                return True
            # ``from . import blocks`` in a package __init__: a submodule, not a definition
            return False
        for alias, (level, module, orig) in info.imports.items():
            if orig == "*":
                target = self._resolve(path, level, module, roots)
                if target is not None and self._defines(target, name, how, depth + 1):
                    return True
        # defined in indented code (under ``if``/``try``): not followed, so kept
        return re.search(rb"^[ \t]+(?:(?:async[ \t]+)?def|class)[ \t]+" + re.escape(name.encode()) + rb"\b", info.data, re.M) is not None

    def _calls_builders(self, info: _Info, name: str, text: bytes, roots, depth: int, names) -> bool:
        """One of ``names`` (read in ``name``'s definition ``text``) builds when called, or
        the text calls a builder of a project module by its module's name."""
        for n in set(names):
            other = n.decode("latin-1")
            if other != name and self._bound_builds(info, other, "call", roots, depth):
                return True
        return self._module_calls(info, text, roots, depth)

    def _bound_builds(self, info: _Info, name: str, how: str, roots, depth: int) -> bool:
        if name in info.top_defs():
            return self._defines(info.path, name, how, depth + 1)
        if name in info.imports:
            return self._imported(info, name, how, roots, depth)
        return False


_RUN_FILTER: Dict[Tuple[str, ...], ModelFilter] = {}


def keeps(path: str, data: bytes, src_roots: Sequence[str] = ()) -> bool:
    """Judged by the filter of the current process for these source roots."""
    return for_roots(src_roots).keeps(path, data)


def for_roots(src_roots: Sequence[str] = ()) -> ModelFilter:
    """The filter of the current process for these source roots (shared by every file)."""
    key = tuple(src_roots)
    f = _RUN_FILTER.get(key)
    if f is None:
        f = _RUN_FILTER[key] = ModelFilter(src_roots)
    return f


def reset() -> None:
    """Forget every file read (the editor's long-lived process, the tests)."""
    _RUN_FILTER.clear()
