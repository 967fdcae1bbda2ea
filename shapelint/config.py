"""``[tool.shapelint]`` in ``pyproject.toml`` (or a ``shapelint.toml`` without the table).

The closest configuration file to the current directory wins (walking up), or ``--config``.
Unknown keys and values of the wrong type are errors that name the file, the key and the
expected type.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib


class ConfigError(Exception):
    pass


def _codes(v):
    return isinstance(v, list) and all(isinstance(c, str) for c in v)


# key -> (check, expected type in words)
KEYS = {
    "src": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of directories"),
    "select": (_codes, "a list of rule codes or prefixes"),
    "extend-select": (_codes, "a list of rule codes or prefixes"),
    "ignore": (_codes, "a list of rule codes or prefixes"),
    "image-data-format": (lambda v: v in ("channels_last", "channels_first"), '"channels_last" or "channels_first"'),
    "param-explosion-min-params": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a non-negative integer"),
    "param-explosion-min-share": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
        "a number between 0 and 1",
    ),
}


def find_config(start: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    """(path, table) of the closest shapelint.toml or pyproject.toml with [tool.shapelint]."""
    d = os.path.abspath(start)
    if os.path.isfile(d):
        d = os.path.dirname(d)
    while True:
        for name in ("shapelint.toml", "pyproject.toml"):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                table = load_table(path)
                if table is not None:
                    return path, table
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load_table(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError("%s: cannot read: %s" % (path, exc.strerror or exc))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("%s: invalid TOML: %s" % (path, exc))
    if os.path.basename(path) == "shapelint.toml":
        return data
    table = data.get("tool", {}).get("shapelint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError("%s: [tool.shapelint] must be a table" % path)
    return table


def validate(path: str, table: Dict[str, Any]) -> Dict[str, Any]:
    from .rules import RULES

    if isinstance(table.get("src"), list):
        base = os.path.dirname(os.path.abspath(path))
        table = dict(table, src=[os.path.join(base, d) for d in table["src"]] if all(isinstance(d, str) for d in table["src"]) else table["src"])
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError("%s: unknown key %r in shapelint settings (known: %s)" % (path, key, ", ".join(sorted(KEYS))))
        check, expected = KEYS[key]
        if not check(value):
            raise ConfigError("%s: %r must be %s, not %r" % (path, key, expected, value))
        if key in ("select", "extend-select", "ignore"):
            for code in value:
                if code.upper() != "ALL" and not any(c.startswith(code.upper()) for c in RULES):
                    raise ConfigError("%s: %r: %r matches no rule" % (path, key, code))
    return table
