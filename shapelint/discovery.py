"""Finding the files to check."""

from __future__ import annotations

import os
from typing import Iterable, List, Sequence, Tuple

# Directories never descended into (explicitly named paths are always checked).
DEFAULT_EXCLUDE_DIRS = {
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "__pycache__",
    "node_modules", "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".shapelint_cache", "__pypackages__", ".ipynb_checkpoints",
}
PYTHON_SUFFIXES = (".py", ".pyi")


def discover(paths: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(files to check, paths that do not exist).  Directories are walked for *.py/*.pyi."""
    files: List[str] = []
    missing: List[str] = []
    seen = set()
    for p in paths:
        if p == "-":
            files.append(p)
            continue
        if os.path.isdir(p):
            for f in _walk(p):
                if f not in seen:
                    seen.add(f)
                    files.append(f)
        elif os.path.exists(p) or os.path.islink(p):
            if p not in seen:
                seen.add(p)
                files.append(p)
        else:
            missing.append(p)
    return files, missing


def _walk(root: str) -> Iterable[str]:
    out = []
    visited = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        try:
            key = os.stat(dirpath).st_ino, os.stat(dirpath).st_dev
        except OSError:
            continue
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if d not in DEFAULT_EXCLUDE_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                full = os.path.join(dirpath, name)
                if os.path.isdir(full):
                    continue
                out.append(full)
    return out
