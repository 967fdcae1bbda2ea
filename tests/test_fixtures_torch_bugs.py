"""PyTorch bug fixtures (``fixtures/torch_bugs/*.py``): each line marked ``# error: [CODE]``
must be reported with exactly that code and severity, and nothing else (default rule
selection, ``shapelint.analysis.analyze_bytes``).

Where the marker goes:

* SL107 (Linear/Bilinear in_features), SL108 (conv in_channels), SL109 (BatchNorm / GroupNorm
  / LayerNorm / InstanceNorm size), SL110 (RNN input_size): the layer's declaration line
  (``self.fc1 = nn.Linear(...)`` in ``__init__``, or its line inside ``nn.Sequential(...)``).
* SL101 (torch.cat), SL102 (``out + identity`` that does not broadcast), SL104 (view/reshape
  changing the element count), SL103 (wrong rank, e.g. Conv2d fed a 2-D tensor): the line in
  ``forward`` where the op or the module call is.

The oracle tier checks the premise with real PyTorch (one child process for all files,
tests/oracle_torch.py): every bug fixture must raise a RuntimeError when run, and for the
forward-line codes the innermost line of the fixture in the traceback must be the marked line.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

_TESTS_DIR = Path(__file__).resolve().parent
if str(_TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(_TESTS_DIR))

from shapelint.analysis import Settings, analyze_bytes  # noqa: E402

import oracle_torch  # noqa: E402
from test_fixtures_keras_bugs import markers  # noqa: E402  (same marker syntax as Keras)

FIXTURES = oracle_torch.bug_fixture_paths()
FIXTURE_IDS = [p.stem for p in FIXTURES]
DECLARATION_CODES = {"SL107", "SL108", "SL109", "SL110"}
FORWARD_CODES = {"SL101", "SL102", "SL103", "SL104"}


def _fmt_marks(marks) -> str:
    if not marks:
        return "(none)"
    return ", ".join(f"line {line} {sev} [{code}]" for line, code, sev in sorted(marks))


def test_there_are_bug_fixtures_for_every_code():
    assert len(FIXTURES) >= 8, f"only {len(FIXTURES)} PyTorch bug fixtures"
    codes = set()
    for path in FIXTURES:
        marks = markers(path.read_text(encoding="utf-8"))
        assert marks, f"{path.name} has no `# error: [CODE]` marker"
        for _, code, severity in marks:
            assert severity == "error", f"{path.name}: only error markers are used here"
            assert code in DECLARATION_CODES | FORWARD_CODES, f"{path.name}: unknown code {code}"
            codes.add(code)
    missing = sorted((DECLARATION_CODES | FORWARD_CODES) - codes)
    assert not missing, f"no bug fixture for {missing}"


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_reports_exactly_the_marked_lines(path: Path):
    data = path.read_bytes()
    expected = markers(data.decode("utf-8"))
    result = analyze_bytes(str(path), data, Settings())
    got = {(d.span.line, d.code, d.severity) for d in result.diagnostics}
    if got == expected:
        return
    messages = "\n    ".join(
        f"line {d.span.line} {d.severity} [{d.code}]: {d.message}" for d in result.diagnostics
    ) or "(no diagnostics at all)"
    hint = ""
    if not got:
        hint = ("\n  (nothing reported: the PyTorch front-end / this rule may not have landed "
                "yet; the fixture itself is confirmed by the oracle tier)")
    pytest.fail(
        f"{path.name}: shapelint must report exactly the marked (line, code) pairs\n"
        f"  expected: {_fmt_marks(expected)}\n"
        f"  got:      {_fmt_marks(got)}\n"
        f"  missing:  {_fmt_marks(expected - got)}\n"
        f"  extra:    {_fmt_marks(got - expected)}\n"
        f"  shapelint said:\n    {messages}{hint}",
        pytrace=False,
    )


_TRACE_LINE = re.compile(r'File "([^"]+)", line (\d+)')


@pytest.mark.oracle
def test_real_torch_agrees_that_these_are_bugs():
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed (pip install -e '.[oracle]')")
    results = oracle_torch.run_oracle(FIXTURES)
    problems = []
    for path in FIXTURES:
        result = results.get(path.name, {})
        error = result.get("error")
        if error is None:
            problems.append(f"{path.name} runs without error in real PyTorch, "
                            f"but it is marked as a bug")
            continue
        last = error.strip().splitlines()[-1]
        if not last.startswith("RuntimeError"):
            problems.append(f"{path.name}: expected a shape RuntimeError, got: {last}")
            continue
        forward_marks = {line for line, code, _ in markers(path.read_text(encoding="utf-8"))
                         if code in FORWARD_CODES}
        if forward_marks:
            own = [int(n) for f, n in _TRACE_LINE.findall(error)
                   if Path(f).resolve() == path.resolve()]
            raised_at = own[-1] if own else None
            if raised_at not in forward_marks:
                problems.append(f"{path.name}: real PyTorch raises at line {raised_at}, "
                                f"but the marker is on line(s) {sorted(forward_marks)}: {last}")
    assert not problems, "\n".join(problems)
