"""Bug fixtures: each line marked `# error: [CODE]` / `# warning: [CODE]` must be reported
with exactly that code and severity, and nothing else (default rule selection).

The oracle tier checks the premise against real Keras: a fixture with an error marker must
fail to build, a fixture with only warnings must build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shapelint.analysis import Settings, analyze_bytes

BUG_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "keras_bugs"
FIXTURES = sorted(BUG_DIR.glob("*.py"))
MARKER = re.compile(r"#\s*(error|warning|info):\s*\[([A-Z0-9,\s]+)\]")


def markers(text: str):
    out = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in MARKER.finditer(line):
            for code in m.group(2).split(","):
                out.add((lineno, code.strip(), m.group(1)))
    return out


def test_there_are_bug_fixtures():
    assert len(FIXTURES) >= 8
    assert all(markers(p.read_text()) for p in FIXTURES)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_reports_exactly_the_marked_lines(path):
    data = path.read_bytes()
    result = analyze_bytes(str(path), data, Settings())
    got = {(d.span.line, d.code, d.severity) for d in result.diagnostics}
    assert got == markers(data.decode()), [d.message for d in result.diagnostics]


@pytest.mark.oracle
def test_real_keras_agrees_that_these_are_bugs():
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed (pip install -e '.[oracle]')")
    from oracle_keras import run_oracle

    results = run_oracle(FIXTURES)
    for path in FIXTURES:
        severities = {sev for _, _, sev in markers(path.read_text())}
        built = "error" not in results[path.name]
        if "error" in severities:
            assert not built, "%s builds with real Keras, but shapelint reports an error" % path.name
        else:
            assert built, "%s fails in real Keras:\n%s" % (path.name, results[path.name].get("error"))
