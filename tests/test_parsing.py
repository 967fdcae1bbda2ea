"""LibCST's parse without its per-node checks (shapelint.parsing): the same trees as
LibCST's own parse, and the checks are back on for every tree built afterwards."""

from __future__ import annotations

import glob
import os

import libcst as cst
import pytest

from shapelint import parsing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = sorted(
    glob.glob(os.path.join(ROOT, "fixtures", "**", "*.py"), recursive=True)
    + glob.glob(os.path.join(ROOT, "shapelint", "**", "*.py"), recursive=True)
)


def test_the_checks_can_be_switched_off_on_this_libcst():
    # else the module silently parses with the checks and saves nothing
    assert parsing.SKIP_CHECKS


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: os.path.relpath(p, ROOT))
def test_the_same_tree_as_libcsts_checking_parse(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    fast = parsing.parse_module(text)
    assert fast.deep_equals(cst.parse_module(text))
    assert fast.code == text


def test_the_checks_are_back_after_a_parse():
    parsing.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")


def test_the_checks_are_back_after_a_parse_that_fails():
    with pytest.raises(cst.ParserSyntaxError):
        parsing.parse_module("def f(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")


def test_the_checks_are_off_during_the_parse(monkeypatch):
    # what the saving comes from: the parser's nodes skip __post_init__'s validation
    seen = []
    monkeypatch.setattr(cst.Name, "_validate", lambda self: seen.append(self.value))
    parsing.parse_module("alpha = beta\n")
    assert seen == []
    cst.parse_module("alpha = beta\n")
    assert seen == ["alpha", "beta"]


def test_the_minimum_libcst_is_a_current_release():
    """pyproject.toml asks for a LibCST whose parser is as fast as the current one (older
    releases parse the same files 1.2-1.4x slower), and the installed one meets it."""
    import re
    from importlib.metadata import version

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "pyproject.toml"), encoding="utf-8") as fh:
        found = re.search(r'"libcst>=(\d+)\.(\d+)"', fh.read())
    assert found is not None
    minimum = (int(found.group(1)), int(found.group(2)))
    assert minimum >= (1, 8)
    installed = tuple(int(x) for x in version("libcst").split(".")[:2])
    assert installed >= minimum
