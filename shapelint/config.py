"""``[tool.shapelint]`` in ``pyproject.toml``, or the same keys at the top of ``shapelint.toml``.

As in ruff, each file is checked with the configuration closest to it: the first
``shapelint.toml``, or ``pyproject.toml`` with a ``[tool.shapelint]`` table, found walking up
from the file's directory (in one directory ``shapelint.toml`` wins; a ``pyproject.toml``
without the table is passed over).  Files with none above them use the one found from the
working directory.  Configurations are not merged: the closest one is the whole story.
``--config PATH`` uses one file for every file checked, ``--isolated`` none at all.

Paths in a configuration (``src``, ``exclude``, ``per-file-ignores`` patterns) are relative to
the directory of the file that holds it.  Unknown keys and values of the wrong type are
errors that name the file, the key and the expected type.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

CONFIG_FILES = ("shapelint.toml", "pyproject.toml")  # in one directory, the first wins
SEVERITY_NAMES = ("error", "warning", "info")


class ConfigError(Exception):
    pass


# -- checks for the values of each key ------------------------------------------------------------

CODES = "a list of rule codes or prefixes"
PATTERNS = "a list of gitignore-style patterns (strings)"
SHAPE = "an input shape as a list of positive integers (e.g. [1, 3, 32, 32]) or a list of such shapes"


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _str_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _shape(v) -> bool:
    return isinstance(v, list) and bool(v) and all(_is_int(d) and d > 0 for d in v)


def _shapes(v) -> bool:
    return _shape(v) or (isinstance(v, list) and bool(v) and all(_shape(s) for s in v))


def _table(v) -> bool:
    return isinstance(v, dict)


# key -> (check, expected type in words)
KEYS: Dict[str, Tuple[Callable[[Any], bool], str]] = {
    "src": (_str_list, "a list of directories"),
    "select": (_str_list, CODES),
    "extend-select": (_str_list, CODES),
    "ignore": (_str_list, CODES),
    "extend-ignore": (_str_list, CODES),
    "per-file-ignores": (_table, 'a table of pattern = list of codes (e.g. "tests/**" = ["SL201"])'),
    "exclude": (_str_list, PATTERNS),
    "extend-exclude": (_str_list, PATTERNS),
    "respect-gitignore": (lambda v: isinstance(v, bool), "true or false"),
    "image-data-format": (lambda v: v in ("channels_last", "channels_first"), '"channels_last" or "channels_first"'),
    "param-explosion-min-params": (lambda v: _is_int(v) and v >= 0, "a non-negative integer"),
    "param-explosion-min-share": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
        "a number between 0 and 1",
    ),
    "severity": (_table, 'a table of code = "error", "warning" or "info"'),
    "inputs": (_table, "a table of model or class name = input shape (e.g. Net = [1, 3, 32, 32])"),
}


def _check_codes(path: str, key: str, codes: List[str]) -> None:
    from .rules import RULES

    for code in codes:
        up = code.upper()
        if up != "ALL" and not any(c.startswith(up) for c in RULES):
            raise ConfigError("%s: %r: %r matches no rule (see `shapelint rules`)" % (path, key, code))


def validate(path: str, table: Dict[str, Any]) -> Dict[str, Any]:
    """The table, checked; ``src`` made absolute (relative to the file's directory)."""
    from .discovery import compile_pattern

    for key, value in table.items():
        if key not in KEYS:
            hint = ""
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            if close:
                hint = "; did you mean %r?" % close[0]
            elif key == "tool" and os.path.basename(path) == "shapelint.toml":
                hint = "; shapelint.toml takes the keys at its top level, without [tool.shapelint]"
            raise ConfigError(
                "%s: unknown key %r in the shapelint settings%s (known: %s)" % (path, key, hint, ", ".join(sorted(KEYS)))
            )
        check, expected = KEYS[key]
        if not check(value):
            raise ConfigError("%s: %r must be %s, not %r" % (path, key, expected, value))
        if key in ("select", "extend-select", "ignore", "extend-ignore"):
            _check_codes(path, key, value)
        elif key in ("exclude", "extend-exclude"):
            for pat in value:
                try:
                    compile_pattern(pat)
                except ValueError as exc:
                    raise ConfigError("%s: %r: pattern %s" % (path, key, exc))
        elif key == "per-file-ignores":
            for pat, codes in value.items():
                where = "per-file-ignores.%s" % _toml_key(pat)
                if not _str_list(codes):
                    raise ConfigError("%s: %r must be %s, not %r" % (path, where, CODES, codes))
                _check_codes(path, where, codes)
                try:
                    compile_pattern(pat)
                except ValueError as exc:
                    raise ConfigError("%s: %r: pattern %s" % (path, where, exc))
        elif key == "severity":
            for code, level in value.items():
                where = "severity.%s" % _toml_key(code)
                _check_codes(path, where, [code])
                if level not in SEVERITY_NAMES:
                    raise ConfigError('%s: %r must be "error", "warning" or "info", not %r' % (path, where, level))
        elif key == "inputs":
            for name, shape in value.items():
                where = "inputs.%s" % _toml_key(name)
                if not _shapes(shape):
                    raise ConfigError("%s: %r must be %s, not %r" % (path, where, SHAPE, shape))
    if "src" in table:
        base = os.path.dirname(os.path.abspath(path))
        table = dict(table, src=[os.path.join(base, d) for d in table["src"]])
    return table


def _toml_key(k: str) -> str:
    bare = k and all(c.isalnum() or c in "-_" for c in k) and k.isascii()
    return k if bare else '"%s"' % k.replace("\\", "\\\\").replace('"', '\\"')


# -- files -----------------------------------------------------------------------------------------


def load_table(path: str) -> Optional[Dict[str, Any]]:
    """The raw shapelint table of a file (None: a pyproject.toml without [tool.shapelint])."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError("%s: cannot read: %s" % (path, exc.strerror or exc))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("%s: invalid TOML: %s" % (path, exc))
    if os.path.basename(path) != "pyproject.toml":
        return data
    tool = data.get("tool", {})
    table = tool.get("shapelint") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError("%s: [tool.shapelint] must be a table" % path)
    return table


@dataclass
class Config:
    """One configuration file, validated."""

    path: str  # absolute
    table: Dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The directory its relative paths and patterns start from."""
        return os.path.dirname(self.path)


def load_config(path: str) -> Optional[Config]:
    """The validated configuration in ``path``, or None for a pyproject.toml without
    [tool.shapelint]."""
    path = os.path.abspath(path)
    table = load_table(path)
    if table is None:
        return None
    return Config(path, validate(path, table))


def find_config(start: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    """(path, raw table) of the closest configuration at or above ``start`` (a file or a
    directory)."""
    d = os.path.abspath(start)
    if os.path.isfile(d):
        d = os.path.dirname(d)
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                table = load_table(path)
                if table is not None:
                    return path, table
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


class Resolver:
    """Which configuration applies where, each directory looked up once per run."""

    def __init__(self, config_path: Optional[str] = None, isolated: bool = False, cwd: Optional[str] = None):
        self.isolated = isolated
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.fixed: Optional[Config] = None
        self._dirs: Dict[str, Optional[Config]] = {}
        self._files: Dict[str, Optional[Config]] = {}
        self._fallback: Any = _UNSET
        if config_path and not isolated:
            if not os.path.isfile(config_path):
                raise ConfigError("--config: no such file: %s" % config_path)
            self.fixed = load_config(config_path) or Config(os.path.abspath(config_path), {})

    def _load(self, path: str) -> Optional[Config]:
        if path not in self._files:
            self._files[path] = load_config(path) if os.path.isfile(path) else None
        return self._files[path]

    def nearest(self, directory: str) -> Optional[Config]:
        """The closest configuration at or above ``directory`` (absolute), ignoring --config."""
        d = os.path.abspath(directory)
        walked = []
        found: Optional[Config] = None
        while True:
            if d in self._dirs:
                found = self._dirs[d]
                break
            walked.append(d)
            hit = None
            for name in CONFIG_FILES:
                hit = self._load(os.path.join(d, name))
                if hit is not None:
                    break
            if hit is not None:
                found = hit
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for w in walked:
            self._dirs[w] = found
        return found

    def fallback(self) -> Optional[Config]:
        """For files with no configuration above them: the working directory's."""
        if self._fallback is _UNSET:
            self._fallback = self.nearest(self.cwd)
        return self._fallback

    def for_directory(self, directory: str) -> Optional[Config]:
        """The configuration for files in ``directory``."""
        if self.isolated:
            return None
        if self.fixed is not None:
            return self.fixed
        found = self.nearest(directory)
        return found if found is not None else self.fallback()

    def for_file(self, path: str) -> Optional[Config]:
        if path == "-":
            return self.for_directory(self.cwd)
        return self.for_directory(os.path.dirname(os.path.abspath(path)))


_UNSET = object()
