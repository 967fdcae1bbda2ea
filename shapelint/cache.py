"""The result cache: ``.shapelint_cache/``, one JSON entry per analysed file.

An entry is found by a key: the SHA-256 of everything the analysis of a file depends on --
the file's bytes, the path it is reported under and its absolute path (imports resolve from
it), the working directory (a source root), every field of the file's effective
:class:`~shapelint.analysis.Settings`, what the command asks of the analysis (whether the
file is analysed without a framework import, ``--model``, ``--input``), and a fingerprint of
the program: the shapelint version and the size and time of each of its source files, the
Python version, and the installed libcst and keras packages (Keras applications are read
from the installed keras).

The analysis also reads the project's own modules that the file imports
(:mod:`shapelint.project`).  Each entry records every such path the analysis read or looked
for, with the SHA-256 of its content (``null``: it was not a file); an entry whose
dependency changed, appeared or disappeared is stale.

Entries are JSON (never pickle), one file each under ``v1/<2 hex>/<62 hex>.json``, written
to a temporary file in the same directory and renamed over the entry, so concurrent runs
never see half an entry.  An entry that cannot be read or decoded is a miss, never an
error; a cache directory that cannot be written is simply not written.  Results with an
internal error (SL003) and files the byte pre-filter skipped are not stored.

The directory holds a ``CACHEDIR.TAG`` (backup tools skip it) and a ``.gitignore`` of ``*``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import __version__

DIR_NAME = ".shapelint_cache"
ENV_DIR = "SHAPELINT_CACHE_DIR"
FORMAT = "v1"  # the layout and encoding of entries; a change starts a new subdirectory

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by shapelint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
GITIGNORE = "# Automatically created by shapelint.\n*\n"


# --------------------------------------------------------------------------- the key


_PROGRAM: Optional[str] = None


def program_fingerprint() -> str:
    """What identifies the analysing program: shapelint's version and sources, Python,
    libcst and keras (computed once per process; no package is imported)."""
    global _PROGRAM
    if _PROGRAM is None:
        h = hashlib.sha256()
        h.update(("shapelint %s|%s|%s\n" % (__version__, sys.version, sys.implementation.cache_tag)).encode())
        here = os.path.dirname(os.path.abspath(__file__))
        for root, dirs, files in os.walk(here):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    _stat_line(h, os.path.join(root, name))
        for package in ("libcst", "keras"):
            h.update(("%s:" % package).encode())
            try:
                import importlib.util

                spec = importlib.util.find_spec(package)  # locates it, runs nothing
            except (ImportError, ValueError):
                spec = None
            if spec is not None and spec.origin:
                _stat_line(h, spec.origin)
        _PROGRAM = h.hexdigest()
    return _PROGRAM


def _stat_line(h, path: str) -> None:
    try:
        st = os.stat(path)
        h.update(("%s %d %d\n" % (path, st.st_mtime_ns, st.st_size)).encode())
    except OSError:
        h.update(("%s -\n" % path).encode())


def _canonical(value: Any) -> Any:
    """A JSON-able, order-independent form of a settings value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return sorted(([repr(k), _canonical(v)] for k, v in value.items()), key=lambda kv: kv[0])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return repr(value)


def settings_fingerprint(settings) -> Any:
    """Every field of the settings (fields added later are part of the key on their own)."""
    return _canonical(settings)


def file_key(path: str, digest: str, settings, analysis_args: Tuple, cwd: Optional[str] = None) -> str:
    """The cache key of analysing the bytes of SHA-256 ``digest`` as the file ``path``.
    ``analysis_args`` is what the command passes to the analysis besides the file: (force,
    model expression, inputs)."""
    parts = [
        FORMAT,
        program_fingerprint(),
        path,
        os.path.abspath(path),
        os.path.abspath(cwd or os.getcwd()),
        digest,
        settings_fingerprint(settings),
        _canonical(list(analysis_args)),
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --------------------------------------------------------------------------- dependencies


def content_hash(path: str) -> Optional[str]:
    """SHA-256 of a file's bytes; None when it is not a file; ``"unreadable"`` when it cannot
    be read."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return "unreadable"


def dependency_hashes(paths: Iterable[str], memo: Optional[Dict[str, Optional[str]]] = None) -> List[List[Any]]:
    """``[[path, content hash or None], ...]``, sorted by path."""
    out = []
    for p in sorted(set(paths)):
        if memo is not None and p in memo:
            digest = memo[p]
        else:
            digest = content_hash(p)
            if memo is not None:
                memo[p] = digest
        out.append([p, digest])
    return out


# --------------------------------------------------------------------------- results as JSON


class Opaque:
    """A value the encoding does not know (never expected in a result): kept as its text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


_CLASSES: Optional[Dict[str, type]] = None


def _classes() -> Dict[str, type]:
    """The dataclasses a result is made of, by name: the only types an entry can create."""
    global _CLASSES
    if _CLASSES is None:
        from . import diagnostics, graph
        from .analysis import FileResult

        _CLASSES = {
            c.__name__: c
            for c in (
                FileResult,
                diagnostics.Diagnostic, diagnostics.Span, diagnostics.Related, diagnostics.TraceStep,
                graph.ModelInfo, graph.LayerInfo, graph.Flow, graph.FlowNode, graph.FlowEdge,
            )
        }
    return _CLASSES


def _field_value(obj, cls: type, name: str):
    """A field as it is stored: a result's layer graph and a model's layer objects (live
    analysis objects, used only inside the analysis and by the editor) are left out."""
    value = getattr(obj, name)
    if cls.__name__ == "FileResult" and name == "graph":
        return None
    if cls.__name__ == "ModelInfo" and name == "extra" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "layer_objects"}
    return value


def encode(value: Any, depth: int = 0) -> Any:
    """Plain JSON data for a result: lists stay lists; tuples, dicts, sets and the result
    dataclasses are tagged objects (``{"t": [...]}``, ``{"c": "Span", "f": {...}}``)."""
    if depth > 200:
        raise ValueError("result nested too deeply to encode")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return {"x": repr(value)}  # exact, and NaN/inf stay valid JSON
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"t": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        tag = "s" if isinstance(value, set) else "fs"
        return {tag: [encode(v, depth + 1) for v in value]}
    classes = _classes()
    for cls in type(value).__mro__:  # a subclass (the evaluator's lazy Span) is stored as its dataclass
        if classes.get(cls.__name__) is cls:
            fields = dataclasses.fields(cls)
            return {"c": cls.__name__, "f": {f.name: encode(_field_value(value, cls, f.name), depth + 1) for f in fields}}
    return {"o": str(value)}


def decode(data: Any) -> Any:
    """The inverse of :func:`encode` (raises on anything :func:`encode` does not write)."""
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError("not an encoded value")
    if "t" in data:
        return tuple(decode(v) for v in data["t"])
    if "d" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["d"]}
    if "x" in data:
        return float(data["x"])
    if "s" in data:
        return {_hashable(decode(v)) for v in data["s"]}
    if "fs" in data:
        return frozenset(_hashable(decode(v)) for v in data["fs"])
    if "o" in data:
        return Opaque(str(data["o"]))
    if "c" in data:
        cls = _classes()[data["c"]]
        values = {k: decode(v) for k, v in data["f"].items()}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if set(values) != set(fields):
            raise ValueError("fields of %s differ" % cls.__name__)
        obj = cls(**{k: v for k, v in values.items() if fields[k].init})
        for k, v in values.items():
            if not fields[k].init:
                object.__setattr__(obj, k, v)
        return obj
    raise ValueError("not an encoded value")


def _hashable(value):
    if isinstance(value, list):
        raise ValueError("a list cannot be a key")
    return value


def encode_result(result) -> Dict[str, Any]:
    return encode(result)


def decode_result(data: Dict[str, Any]):
    from .analysis import FileResult

    result = decode(data)
    if not isinstance(result, FileResult):
        raise ValueError("not a file result")
    return result


def cacheable(result) -> bool:
    """Whether a result may be stored: not an internal error, not skipped by the byte
    pre-filter (the runner applies that one before it looks in the cache).  A file the
    model filter dropped is stored, with the project files the filter read."""
    return not result.internal_error and (not result.skipped or result.filtered)


# --------------------------------------------------------------------------- the directory


def default_directory(options, resolver, cwd: Optional[str] = None) -> str:
    """``--cache-dir``, else $SHAPELINT_CACHE_DIR, else ``.shapelint_cache`` in the project
    root: the directory of the configuration in use (``--config``, or the one found from
    the working directory), else the working directory."""
    cwd = os.path.abspath(cwd or os.getcwd())
    if getattr(options, "cache_dir", None):
        return os.path.abspath(options.cache_dir)
    if os.environ.get(ENV_DIR):
        return os.path.abspath(os.environ[ENV_DIR])
    root = cwd
    if not options.isolated:
        cfg = resolver.fixed if resolver.fixed is not None else resolver.fallback()
        if cfg is not None:
            root = cfg.root
    return os.path.join(root, DIR_NAME)


class Cache:
    """One run's view of a cache directory."""

    def __init__(self, directory: str) -> None:
        self.directory = os.path.abspath(directory)
        self.hashes: Dict[str, Optional[str]] = {}  # dependency path -> content hash, this run
        self._ready = False
        self.writable = True

    def _entry_path(self, key: str) -> str:
        return os.path.join(self.directory, FORMAT, key[:2], key[2:] + ".json")

    def lookup(self, key: str) -> Optional[Dict[str, Any]]:
        """The stored result (encoded) of ``key`` when its dependencies are unchanged."""
        try:
            with open(self._entry_path(key), "rb") as fh:
                entry = json.loads(fh.read().decode("utf-8"))
            if entry.get("key") != key:
                return None
            for path, digest in entry["deps"]:
                if path not in self.hashes:
                    self.hashes[path] = content_hash(path)
                if self.hashes[path] != digest:
                    return None
            return entry["result"]
        except Exception:  # missing, unreadable, truncated, not ours: a miss
            return None

    def store(self, key: str, encoded: Dict[str, Any], deps: List[List[Any]]) -> None:
        """Write an entry (atomically); a failure to write is not an error."""
        if not self.writable:
            return
        entry = {"key": key, "deps": deps, "result": encoded}
        path = self._entry_path(key)
        try:
            self._prepare()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _write_atomic(path, json.dumps(entry, separators=(",", ":")))
        except (OSError, ValueError, TypeError):
            self.writable = False  # read-only or full: stop trying for this run

    def _prepare(self) -> None:
        if self._ready:
            return
        os.makedirs(self.directory, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
            target = os.path.join(self.directory, name)
            if not os.path.exists(target):
                _write_atomic(target, text)
        self._ready = True


def _write_atomic(path: str, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
