"""The rule pages in ``rules/``: one per rule, fixed layout, and every example executed.

Each ```python block of a page is analysed by shapelint with every rule selected; the
diagnostics it reports, as (line, code) pairs, must be exactly the ones its
``# error: [CODE]`` markers announce (a marker may list several codes:
``# error: [SL101, SL102]``).  A block without markers must report nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from typing import Dict, List, Set, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

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


def test_rules_command_gives_summary_severity_and_default_state():
    proc = shapelint("rules")
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    for code, rule in RULES.items():
        words = lines[code].split()
        assert words[:3] == [code, rule.name, rule.severity], lines[code]
        assert rule.summary in lines[code]
        off = not (rule.default_enabled or rule.always_on)
        assert ("off by default" in lines[code]) == off, lines[code]


# -- (f) Options: default severity and state, and how to turn the rule off or change its level --

DEFAULT_LINE = re.compile(r"\ADefault severity: `(error|warning|info)`; (enabled by default|off by default|always on)\.\n")
NOQA_WORKS = "Silence one report with a `# noqa: %s` comment"
NOQA_DOES_NOT = "neither `# noqa` nor `# shapelint: disable-file` silences it"


def options_of(code: str) -> str:
    return sections(read(page_path(RULES[code])))["## Options"]


def options_prose(code: str) -> str:
    """The Options section with its line breaks and runs of spaces as single spaces."""
    return " ".join(options_of(code).split())


@pytest.mark.parametrize("code", sorted(RULES))
def test_options_name_the_default_severity_and_state(code):
    from shapelint.docs import default_state

    rule = RULES[code]
    m = DEFAULT_LINE.match(options_of(code).lstrip("\n"))
    assert m, "%s: Options must open with 'Default severity: `...`; <state>.'" % code
    assert m.group(1) == rule.severity, "%s: the page says %s, the rule %s" % (code, m.group(1), rule.severity)
    assert m.group(2) == default_state(rule), "%s: the page says %r, the rule is %r" % (code, m.group(2), default_state(rule))


def test_rule_page_without_its_file_still_names_severity_and_state(monkeypatch, tmp_path):
    from shapelint import docs

    monkeypatch.setattr(docs, "RULES_DIR", str(tmp_path))
    for code in ("SL003", "SL201", "SL301"):
        rule = RULES[code]
        text = docs.rule_page(rule)
        assert text.startswith("# %s %s\n" % (code, rule.name))
        assert "Default severity: `%s`; %s." % (rule.severity, docs.default_state(rule)) in text
        assert rule.url in text


@pytest.mark.parametrize("code", sorted(RULES))
def test_options_say_how_to_turn_it_off_silence_it_and_change_its_severity(code):
    rule = RULES[code]
    options = options_prose(code)
    assert "[tool.shapelint.severity]" in options, code
    assert severity_block(code) is not None, "%s: no ```toml example of [tool.shapelint.severity]" % code
    assert "# noqa" in options, code
    if rule.always_on:
        assert "cannot be deselected" in options, code
    else:
        assert "--ignore %s" % code in options and 'ignore = ["%s"]' % code in options, code
        assert NOQA_WORKS % code in options, code


def toml_blocks(text: str) -> List[str]:
    return blocks(text, "toml")


def severity_block(code: str):
    """The page's example of the severity table: (toml text, parsed table of tool.shapelint)."""
    for src in toml_blocks(options_of(code)):
        table = tomllib.loads(src).get("tool", {}).get("shapelint", {})
        if code in table.get("severity", {}):
            return src, table
    return None


@pytest.mark.parametrize("name,text", pages(), ids=[n[:-3] for n, _ in pages()])
def test_toml_examples_are_valid_configuration(name, text):
    """Every ```toml block of a page is a pyproject.toml fragment shapelint accepts."""
    from shapelint.config import validate

    for src in toml_blocks(text):
        data = tomllib.loads(src)
        assert list(data) == ["tool"] and list(data["tool"]) == ["shapelint"], "%s: %r" % (name, src)
        validate("rules/%s (a toml block)" % name, data["tool"]["shapelint"])


# -- (g) the Options, executed on the page's own examples ---------------------------------------


def bad_examples(code: str) -> List[str]:
    return [src for src in blocks(sections(read(page_path(RULES[code])))["## Example"]) if (code in src)]


def marked(code: str, src: str) -> Set[Tuple[int, str]]:
    return {(line, c) for line, c in expected_markers(src) if c == code}


def run_with_config(tmp_path, src: str, pyproject: str = None) -> List[Tuple[int, str, str]]:
    """(line, code, severity) of what ``shapelint check`` reports for ``src`` with this
    pyproject.toml beside it."""
    from shapelint.runner import RunOptions, run

    work = tmp_path / ("case%d" % len(list(tmp_path.iterdir())))
    work.mkdir()
    (work / "example.py").write_text(src, encoding="utf-8")
    if pyproject is not None:
        (work / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    result = run([str(work / "example.py")], RunOptions())
    return sorted((d.span.line, d.code, d.severity) for d in result.diagnostics)


NOQA_LIST = re.compile(r"#\s*noqa:\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*")


def with_noqa(code: str, src: str) -> str:
    """The example with its markers for ``code`` turned into ``# noqa: CODE`` comments (or
    ``CODE`` added to the line's own ``# noqa:`` list, as SL005's page shows)."""
    out = []
    for line in src.splitlines(keepends=True):
        m = MARKER.search(line.rstrip("\n"))
        if m and code in [c.strip() for c in m.group(1).split(",")]:
            head = line[: m.start()]
            listed = NOQA_LIST.search(head)
            if listed:
                line = head[: listed.end()] + ", %s%s\n" % (code, head[listed.end():].rstrip())
            else:
                line = head + "# noqa: %s\n" % code
        out.append(line)
    return "".join(out)


def test_with_noqa():
    assert with_noqa("SL103", "x = f(y)  # error: [SL103]\n") == "x = f(y)  # noqa: SL103\n"
    assert with_noqa("SL005", "x = f(y)  # noqa: SL103  # error: [SL005]\n") == "x = f(y)  # noqa: SL103, SL005\n"
    assert with_noqa("SL005", "x = 1  # error: [SL101]\n") == "x = 1  # error: [SL101]\n"


def with_python_examples():
    return [c for c in sorted(RULES) if bad_examples(c)]


@pytest.mark.parametrize("code", with_python_examples())
def test_severity_example_changes_the_reported_severity(code, tmp_path):
    toml_src, table = severity_block(code)
    level = table["severity"][code]
    assert level != RULES[code].severity, "%s: the example should show another severity than the default" % code
    for src in bad_examples(code):
        got = [(line, c, sev) for line, c, sev in run_with_config(tmp_path, src, toml_src) if c == code]
        assert {(line, c) for line, c, _ in got} == marked(code, src)
        assert {sev for _, _, sev in got} == {level}


@pytest.mark.parametrize("code", with_python_examples())
def test_ignore_in_configuration_works_as_the_page_says(code, tmp_path):
    rule = RULES[code]
    enable = "" if rule.default_enabled else 'extend-select = ["%s"]\n' % code
    for src in bad_examples(code):
        # without the ignore, the markers are what is reported (test_python_example and
        # test_severity_example_changes_the_reported_severity)
        after = [c for _, c, _ in run_with_config(tmp_path, src, '[tool.shapelint]\n%signore = ["%s"]\n' % (enable, code)) if c == code]
        assert len(after) == (len(marked(code, src)) if rule.always_on else 0)


@pytest.mark.parametrize("code", with_python_examples())
def test_suppression_comments_work_as_the_page_says(code, tmp_path):
    options = options_prose(code)
    claims_noqa = NOQA_WORKS % code in options
    assert claims_noqa != (NOQA_DOES_NOT in options), "%s: say whether `# noqa: %s` works" % (code, code)
    toml_src, _ = severity_block(code)  # enables an off-by-default rule
    for src in bad_examples(code):
        n = len(marked(code, src))
        for variant in (with_noqa(code, src), "# shapelint: disable-file\n" + src):
            got = [c for _, c, _ in run_with_config(tmp_path, variant, toml_src) if c == code]
            assert len(got) == (0 if claims_noqa else n), variant


INPUTS_ENTRY = re.compile(r"`([A-Za-z_]\w*) = (\[[0-9, ]+\])`")


def configured_inputs(code: str) -> Dict[str, List[int]]:
    """The ``[tool.shapelint.inputs]`` entries a page's Options show (toml blocks, or inline
    as `Name = [1, 3, 32, 32]`)."""
    options = options_of(code)
    found: Dict[str, List[int]] = {}
    for src in toml_blocks(options):
        found.update(tomllib.loads(src).get("tool", {}).get("shapelint", {}).get("inputs", {}))
    if "[tool.shapelint.inputs]" in options:
        for name, shape in INPUTS_ENTRY.findall(options):
            found[name] = json.loads(shape)
    return found


def pages_with_inputs():
    return [c for c in sorted(RULES) if configured_inputs(c)]


def test_some_pages_show_the_inputs_table():
    assert {"SL107", "SL108", "SL109", "SL110"} <= set(pages_with_inputs())


@pytest.mark.parametrize("code", pages_with_inputs())
def test_inputs_table_stands_in_for_the_input_in_the_file(code, tmp_path):
    """The example with its input call removed, and the page's [tool.shapelint.inputs] entry
    instead, reports what the example reports."""
    inputs = configured_inputs(code)
    used = 0
    for src in bad_examples(code):
        names = [n for n in inputs if re.search(r"^class %s\b" % re.escape(n), src, re.M)]
        if not names:
            continue
        lines = src.splitlines(keepends=True)
        calls = [i for i, l in enumerate(lines) if not l[:1].isspace() and re.search(r"torch\.rand(n|int)\(", l)]
        assert calls, "%s: the example gives no input in the file" % code
        for i in calls:
            lines[i] = "\n"  # keep the line numbers
        stripped = "".join(lines)
        table = "[tool.shapelint.inputs]\n" + "".join("%s = %s\n" % (n, inputs[n]) for n in names)
        got = {(line, c) for line, c, _ in run_with_config(tmp_path, stripped, table) if c == code}
        assert got == marked(code, src), "%s: %s" % (code, table)
        used += 1
    assert used, "%s: no example defines a class the inputs entry names (%s)" % (code, sorted(inputs))


# -- (h) the SL002 page's sample output is what shapelint prints --------------------------------


def test_sl002_sample_output_is_current(tmp_path):
    """The two files the page describes, rebuilt byte for byte: the printed lines match."""
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "cnn.py").write_bytes(
        b"import keras\nfrom keras import layers\n\n# couche d'entr\xe9e\n"
        b"model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])\n"
    )
    (legacy / "rnn.py").write_bytes(b"# -*- coding: latin-9 -*-\nimport torch\n")
    text = read(page_path(RULES["SL002"]))
    shown = [l for src in blocks(sections(text)["## Example"], "text") for l in src.splitlines() if l.startswith("legacy/")]
    assert len(shown) == 2
    for line in shown:
        path = line.split(":", 1)[0]
        proc = subprocess.run(
            [sys.executable, "-m", "shapelint", "check", path], cwd=str(tmp_path),
            capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=ROOT),
        )
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.strip() == line


# -- (i) the pages ship in the wheel: `shapelint rule CODE` from an installed wheel -------------


def source_copy(dest: str) -> None:
    """The project's files (tracked, and new ones git does not ignore) without build leftovers."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for rel in filter(None, listed):
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src) or rel.startswith(("tests/", "fixtures/", "benchmarks/")):
            continue
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)


def test_wheel_holds_every_page_and_rule_command_prints_it(tmp_path):
    src = tmp_path / "src"
    source_copy(str(src))
    out = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(out), "-q"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("shapelint-*.whl")
    with zipfile.ZipFile(str(wheel)) as zf:
        names = set(zf.namelist())
        for rule in RULES.values():
            member = "shapelint/rule_pages/%s" % page_name(rule)
            assert member in names, "%s is not in the wheel" % member
            assert zf.read(member).decode("utf-8") == read(page_path(rule))
        site = tmp_path / "site"
        zf.extractall(str(site))  # what pip install puts in site-packages
    env = dict(os.environ, PYTHONPATH=str(site))
    where = subprocess.run(
        [sys.executable, "-c", "import shapelint, sys; sys.stdout.write(shapelint.__file__)"],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=60,
    )
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    for code in ("SL001", "SL103", "SL201"):
        proc = subprocess.run(
            [sys.executable, "-m", "shapelint", "rule", code],
            cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.rstrip("\n") == read(page_path(RULES[code])).rstrip("\n")
