"""The rule pages in ``rules/``: one per rule, fixed layout, and every example executed.

Each ```python block of a page is analysed by shapelint with every rule selected; the
diagnostics it reports, as (line, code) pairs, must be exactly the ones its
``# error: [CODE]`` markers announce (a marker may list several codes:
``# error: [SL101, SL102]``).  A block without markers must report nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Dict, List, Set, Tuple

import pytest

from shapelint.analysis import Settings, analyze_bytes
from shapelint.docs import RULES_DIR, page_path
from shapelint.rules import RULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## References",
)

# the rules the pipeline reports about the file itself, not about model code: their pages
# may show the problem as plain text instead of a Python example
FILE_LEVEL = {"SL001", "SL002", "SL003", "SL004"}

FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"#\s*error:\s*\[([^\]]*)\]\s*$")
CODE = re.compile(r"^SL\d{3}$")


def page_name(rule) -> str:
    return "%s-%s.md" % (rule.code, rule.name)


def read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def pages() -> List[Tuple[str, str]]:
    """(file name, text) of every page present."""
    if not os.path.isdir(RULES_DIR):
        return []
    return [(n, read(os.path.join(RULES_DIR, n))) for n in sorted(os.listdir(RULES_DIR)) if n.endswith(".md")]


def section_list(text: str) -> List[Tuple[str, str]]:
    """(heading, body) of each ``## `` section in order; lines inside code blocks are not headings."""
    out: List[Tuple[str, str]] = []
    in_fence = False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            out.append((line.rstrip(), ""))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line)
    return out


def sections(text: str) -> Dict[str, str]:
    return dict(section_list(text))


def blocks(text: str, lang: str = "python") -> List[str]:
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == lang]


def expected_markers(source: str) -> Set[Tuple[int, str]]:
    found = set()
    for lineno, line in enumerate(source.splitlines(), 1):
        m = MARKER.search(line)
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            assert codes, "line %d: an empty marker" % lineno
            for code in codes:
                assert CODE.match(code) and code in RULES, "line %d: %r is not a rule code" % (lineno, code)
                found.add((lineno, code))
    return found


def python_examples():
    """One pytest param per ```python block of every page: id ``<page>-<index>``."""
    params = []
    for name, text in pages():
        for i, src in enumerate(blocks(text)):
            params.append(pytest.param(name, i, src, id="%s-%d" % (name[:-3], i)))
    return params


# -- (a) one page per rule ---------------------------------------------------------------


def test_rules_dir_is_where_docs_look():
    assert os.path.realpath(RULES_DIR) == os.path.realpath(os.path.join(ROOT, "rules"))


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_exactly_one_page(code):
    rule = RULES[code]
    assert os.path.isfile(page_path(rule)), "missing page rules/%s" % page_name(rule)
    same_code = [n for n, _ in pages() if n.startswith(code + "-") or n == code + ".md"]
    assert same_code == [page_name(rule)]


def test_every_page_belongs_to_a_rule():
    expected = {page_name(r) for r in RULES.values()}
    stray = [n for n, _ in pages() if n not in expected]
    assert not stray, "pages that belong to no rule: %s" % stray


# -- (b) layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_page_layout(code):
    rule = RULES[code]
    text = read(page_path(rule))
    assert text.splitlines()[0] == "# %s %s" % (rule.code, rule.name)
    found = [h for h, _ in section_list(text)]
    assert found == list(HEADINGS), "headings of %s: %s" % (page_name(rule), found)
    for heading, body in section_list(text):
        assert body.strip(), "%s: empty section %r" % (page_name(rule), heading)
    # every fence is closed, and every block says what it holds
    assert text.count("\n```") % 2 == 0
    for m in FENCE.finditer(text):
        assert m.group(1), "%s: a code block without a language" % page_name(rule)


@pytest.mark.parametrize("code", sorted(RULES))
def test_examples_show_the_rule_and_fixes_are_clean(code):
    rule = RULES[code]
    secs = sections(read(page_path(rule)))
    bad = blocks(secs["## Example"])
    good = blocks(secs["## Use instead"])
    if code in FILE_LEVEL and not bad:
        assert blocks(secs["## Example"], "text"), "%s: no example at all" % code
        return
    assert bad, "%s: no ```python block under ## Example" % code
    for src in bad:
        assert any(c == code for _, c in expected_markers(src)), "%s: an example without a %s marker" % (code, code)
    assert good, "%s: no ```python block under ## Use instead" % code
    for src in good:
        assert not expected_markers(src), "%s: a marker in a fixed example" % code


@pytest.mark.parametrize("code", sorted(RULES))
def test_options_and_references(code):
    secs = sections(read(page_path(RULES[code])))
    refs = secs.get("## References", "")
    assert re.search(r"https://\S+", refs), "%s: References name no URL" % code
    options = secs.get("## Options", "")
    if RULES[code].always_on:
        return
    assert "--select" in options and "--ignore" in options, "%s: Options must say how to select/ignore it" % code
    if not RULES[code].default_enabled:
        assert "--extend-select" in options, "%s is off by default: Options must say how to enable it" % code


# -- (c) every example, analysed -------------------------------------------------------------


def reported(name: str, src: str) -> Set[Tuple[int, str]]:
    result = analyze_bytes("rules/" + name + ".example.py", src.encode("utf-8"), Settings(select=["ALL"]), force=True)
    return {(d.span.line, d.code) for d in result.diagnostics}


@pytest.mark.parametrize("name,index,src", python_examples())
def test_python_example(name, index, src):
    expected = expected_markers(src)
    assert re.search(r"^(import|from) ", src, re.M), "an example must be a complete file, imports included"
    if not any(code == "SL001" for _, code in expected):
        compile(src, "%s block %d" % (name, index), "exec")  # only SL001's example may be invalid Python
    got = reported(name, src)
    assert got == expected, "\n".join(
        ["%s block %d:" % (name, index)]
        + ["  reported but not marked: line %d %s" % p for p in sorted(got - expected)]
        + ["  marked but not reported: line %d %s" % p for p in sorted(expected - got)]
    )


def test_marker_parsing():
    src = "x = 1  # error: [SL101, SL102]\ny = 2\nz = 3  # error: [SL105]\n"
    assert expected_markers(src) == {(1, "SL101"), (1, "SL102"), (3, "SL105")}
    assert expected_markers("a = 1  # errors: SL101\n") == set()


def test_a_marker_must_match_what_is_reported():
    """The check is not vacuous: a marker on the wrong line is caught."""
    src = "import keras\nfrom keras import layers\n\nm = keras.Sequential([keras.Input(shape=(8,)), layers.LSTM(4)])\n"
    assert reported("x", src) == {(4, "SL103")}
    assert reported("x", src) != expected_markers(src.replace("\nm =", "  # error: [SL103]\nm =", 1))


# -- (d) `shapelint rule CODE` ----------------------------------------------------------------


def shapelint(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shapelint", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_command_prints_the_page(code):
    proc = shapelint("rule", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip("\n") == read(page_path(RULES[code])).rstrip("\n")


def test_rule_command_is_case_insensitive():
    proc = shapelint("rule", "sl103")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# SL103 rank-mismatch\n")


def test_rule_command_unknown_code_exits_2():
    proc = shapelint("rule", "SL999")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "SL999" in proc.stderr


# -- (e) `shapelint rules` -----------------------------------------------------------------


def test_rules_command_lists_every_code():
    proc = shapelint("rules")
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert listed == sorted(RULES)
    for line in proc.stdout.splitlines():
        code, name = line.split()[:2]
        assert name == RULES[code].name
