"""The project's own modules: finding them from imports, parsing each once per run.

``from .blocks import ResidualBlock`` or ``from models.backbone import make_encoder`` in an
analysed file is followed into the project's source: relative imports against the file's
package, absolute ones against the source roots (configured ``src``, the top of the file's
package tree, and the working directory).  Installed third-party packages are never
followed.  Parsed modules are cached for the whole run, so a module imported by many files
is parsed once.
"""

from __future__ import annotations

import os
from collections import OrderedDict
import re
from typing import Dict, List, Optional, Sequence, Tuple

# path -> (mtime, size, parsed module or None when it cannot be parsed)
_PARSED: Dict[str, Tuple[float, int, object]] = {}
PARSE_COUNT = {"n": 0}  # for the tests: how many parses the cache did
MAX_MODULE_BYTES = 2_000_000
# When a set: every project path the analysis reads or looks for is added to it (the result
# cache records them as the analysed file's dependencies; see shapelint.cache).
READS = None


def _note(path: str) -> None:
    if READS is not None:
        READS.add(path)


# source text -> its LibCST module, the most recently used first out: a file checked by the
# run and imported by others is parsed once (trees are immutable, so they are shared)
_BY_TEXT: "OrderedDict[str, object]" = OrderedDict()
MAX_TREES = 256


def cached_module(text: str):
    module = _BY_TEXT.get(text)
    if module is not None:
        _BY_TEXT.move_to_end(text)
    return module


def remember_module(text: str, module) -> None:
    _BY_TEXT[text] = module
    while len(_BY_TEXT) > MAX_TREES:
        _BY_TEXT.popitem(last=False)


def parse_project_module(path: str):
    """The LibCST module of ``path`` (parsed once per run), or None."""
    _note(path)
    try:
        st = os.stat(path)
    except OSError:
        return None
    hit = _PARSED.get(path)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    module = None
    if st.st_size <= MAX_MODULE_BYTES:
        try:
            import ast

            import libcst as cst

            from .analysis import decode_source

            with open(path, "rb") as fh:
                text = decode_source(fh.read())
            module = cached_module(text)
            if module is None:
                from .analysis import parse_skeleton

                tree = ast.parse(text)  # screens what would crash LibCST's parser
                module = parse_skeleton(text, tree)  # function bodies parsed when called
                remember_module(text, module)
                PARSE_COUNT["n"] += 1
        except Exception:  # an unreadable or invalid module just stays unknown
            module = None
    _PARSED[path] = (st.st_mtime, st.st_size, module)
    return module


def package_root(path: str) -> str:
    """The directory above the top package that contains ``path``."""
    d = os.path.dirname(os.path.abspath(path))
    while _note(os.path.join(d, "__init__.py")) or os.path.isfile(os.path.join(d, "__init__.py")):
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return d


class Project:
    """Where the project's modules are, for one analysed file."""

    def __init__(self, path: str, src_roots: Sequence[str] = ()):
        self.path = os.path.abspath(path) if path not in ("-", "") else ""
        self.src_roots = list(src_roots)
        roots: List[str] = [os.path.abspath(r) for r in src_roots]
        if self.path:
            roots.append(package_root(self.path))
        roots.append(os.getcwd())
        self.roots = []
        for r in roots:
            if r not in self.roots and os.path.isdir(r):
                self.roots.append(r)

    @staticmethod
    def _module_file(base: str, dotted: str) -> Optional[str]:
        parts = [p for p in dotted.split(".") if p]
        target = os.path.join(base, *parts) if parts else base
        for candidate in (target + ".py", os.path.join(target, "__init__.py")):
            _note(candidate)
            if os.path.isfile(candidate):
                return candidate
        return None

    def find_absolute(self, dotted: str) -> Optional[str]:
        for root in self.roots:
            found = self._module_file(root, dotted)
            if found is not None:
                return found
        return None

    def find_relative(self, importer: str, level: int, dotted: str) -> Optional[str]:
        if not importer:
            return None
        base = os.path.dirname(os.path.abspath(importer))
        for _ in range(level - 1):
            base = os.path.dirname(base)
        return self._module_file(base, dotted)


# path -> (mtime, size, (names, star imports)) for star_names
_STAR: Dict[str, Tuple[float, int, object]] = {}
_TOP_DEF = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_]\w*)", re.M)
_TOP_ASSIGN = re.compile(r"^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)
_TOP_IMPORT = re.compile(r"^import[ \t]+([^\n#;]+)", re.M)
_TOP_FROM = re.compile(r"^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)", re.M)
_ALL = re.compile(r"^__all__[ \t]*=[ \t]*[\[(]([^\])]*)[\])]", re.M)
_STRING = re.compile(r"""['"]([A-Za-z_]\w*)['"]""")


def star_names(path: str):
    """What ``from module import *`` binds, read from the text of ``path`` without parsing it:
    ``(names, star imports)`` where names is ``__all__`` when it is a literal list, else the
    public names the module's unindented statements bind, and star imports the
    ``(level, module)`` of its own ``from x import *`` lines.  Names bound only in indented
    code are missed (they stay unknown to the importer, which is safe), or None when the
    file cannot be read."""
    _note(path)
    try:
        st = os.stat(path)
    except OSError:
        return None
    hit = _STAR.get(path)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    result = None
    try:
        from .analysis import decode_source

        with open(path, "rb") as fh:
            text = decode_source(fh.read())
        names: List[str] = []
        stars: List[Tuple[int, str]] = []
        explicit = _ALL.search(text)
        if explicit is not None and re.search(r"^__all__[ \t]*(\+=|\.|\[)", text, re.M):
            explicit = None  # __all__ built up by code: read the module's names instead
        if explicit is not None:
            names = _STRING.findall(explicit.group(1))
        else:
            names.extend(_TOP_DEF.findall(text))
            names.extend(_TOP_ASSIGN.findall(text))
            for m in _TOP_IMPORT.finditer(text):
                for part in m.group(1).split(","):
                    bits = part.split()
                    if len(bits) == 3 and bits[1] == "as":
                        names.append(bits[2])
                    elif bits:
                        names.append(bits[0].split(".")[0])
        for m in _TOP_FROM.finditer(text):
            what = m.group(3).strip().strip("()")
            if what == "*":
                stars.append((len(m.group(1)), m.group(2)))
            elif explicit is None:
                for part in what.replace("\\\n", " ").split(","):
                    bits = part.split()
                    if len(bits) == 3 and bits[1] == "as":
                        names.append(bits[2])
                    elif len(bits) == 1:
                        names.append(bits[0])
        result = ([n for n in dict.fromkeys(names) if n.isidentifier() and not n.startswith("_")], [] if explicit is not None else stars)
    except Exception:  # unreadable or undecodable: the names stay unknown
        result = None
    _STAR[path] = (st.st_mtime, st.st_size, result)
    return result
