"""LibCST's parser, without the checks it runs on every node it builds.

LibCST's native parser builds each node through the node class's constructor, whose
``__post_init__`` runs the node's ``_validate``: checks that a tree built *by hand* is one
that can be printed back as Python (a ``Name`` that is an identifier, parentheses that
match, whitespace where two tokens would otherwise merge).  A tree the parser built from
source CPython's own parser accepted (the analysis screens every text with ``ast.parse``
first) passes them all, and they cost about a tenth of the parse.  So while shapelint
parses, the checks are switched off; every tree built otherwise (by a test, by another
program in the same process) is checked as LibCST always does.
"""

from __future__ import annotations

import libcst as cst

try:
    from libcst._nodes.base import CSTNode as _Node
except ImportError:  # pragma: no cover - a LibCST without that module: parse as it does
    _Node = None

_CHECKED = getattr(_Node, "__dict__", {}).get("__post_init__")
SKIP_CHECKS = _CHECKED is not None  # this LibCST validates in __post_init__, which can be skipped


def _unchecked(self) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)``, without the per-node checks."""
    if not SKIP_CHECKS:
        return cst.parse_module(text)
    _Node.__post_init__ = _unchecked
    try:
        return cst.parse_module(text)
    finally:
        _Node.__post_init__ = _CHECKED
