"""The PyTorch fixture corpus: shapelint's static summary against real PyTorch.

Two tiers:

* fast (always runs, torch not needed): for every ``fixtures/torch/*.py``, take the report
  of ``python -m shapelint summary --format json FIXTURE`` and compare the LAST model with
  ``"framework": "torch"`` it reports with the committed snapshot
  ``fixtures/torch/expected/<fixture>.json`` (produced by real PyTorch, see
  tests/make_expected_torch.py and tests/oracle_torch.py): layer count; per layer (in call
  order, one row per leaf-module call) the type, output shape and parameter count; total and
  trainable parameter counts.  These working fixtures must also get no diagnostic of severity
  "error".
* oracle (``-m oracle``; skipped without torch): runs every fixture with real PyTorch in ONE
  child process (tests/oracle_torch.py), checks that the snapshots are still exactly what
  PyTorch says, then compares shapelint with the live result.

Shape comparison (shared with the Keras corpus, ``test_fixtures_keras.shape_matches``): an
expected int needs the same int; an expected ``null`` accepts ``null`` or a symbolic string.
PyTorch snapshots hold concrete ints only, since every fixture calls its model on a
constant-size input.

shapelint runs once per fixture, cached for both tiers; the whole corpus goes through the
CLI in a couple of multi-path runs started the first time a result is needed (see
:func:`run_shapelint`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

_TESTS_DIR = Path(__file__).resolve().parent
if str(_TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(_TESTS_DIR))

import oracle_torch  # noqa: E402
import fixture_compare  # noqa: E402
from fixture_compare import _fmt, shape_matches  # noqa: E402  (shared comparison rules)

REPO_ROOT = oracle_torch.REPO_ROOT
FIXTURES = oracle_torch.fixture_paths()
FIXTURE_IDS = [p.stem for p in FIXTURES]
SHAPELINT_TIMEOUT = 120
FRAMEWORK = "torch"

REGEN_HINT = "regenerate with: .venv/bin/python tests/make_expected_torch.py"


# ---------------------------------------------------------------------------------------
# Comparison helpers (return human-readable problems instead of raising)
# ---------------------------------------------------------------------------------------


def compare_model(expected: Dict[str, Any], got: Dict[str, Any]) -> List[str]:
    return fixture_compare.compare_model(expected, got, "PyTorch")


def first_difference(expected: Dict[str, Any], live: Dict[str, Any]) -> Optional[str]:
    return fixture_compare.first_difference(expected, live, "PyTorch")


# ---------------------------------------------------------------------------------------
# Running shapelint: every fixture once, in parallel, cached for both tiers
# ---------------------------------------------------------------------------------------

_SHAPELINT_CACHE: Dict[Path, Dict[str, Any]] = {}


def _shapelint_cmd(paths: List[Path]) -> List[str]:
    return [sys.executable, "-m", "shapelint", "summary", "--format", "json"] + [
        os.path.relpath(p, REPO_ROOT) for p in paths
    ]


def _run_cli(paths: List[Path]) -> Dict[str, Any]:
    """One ``shapelint summary --format json PATH...`` run: its JSON, or ``__failure__``."""
    cmd = _shapelint_cmd(paths)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    timeout = SHAPELINT_TIMEOUT * max(1, len(paths) // 10)
    shown = " ".join(cmd[1:7] + (["..."] if len(cmd) > 7 else []))
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"__failure__": f"`{shown}` timed out after {timeout}s"}
    try:
        result = json.loads(proc.stdout)
        if not isinstance(result, dict):
            raise ValueError("top level is not an object")
    except ValueError as exc:
        return {
            "__failure__": (
                f"`{shown}` did not print a JSON object (exit {proc.returncode}, {exc}).\n"
                f"stdout: {proc.stdout[-1500:]!r}\nstderr: {proc.stderr[-3000:]}"
            )
        }
    return result


def _split_by_path(out: Dict[str, Any], paths: List[Path]) -> Optional[Dict[Path, Dict[str, Any]]]:
    """Cut a several-file JSON report into per-file reports (None if it cannot be done)."""
    models, diagnostics = out.get("models"), out.get("diagnostics")
    if not isinstance(models, list) or not isinstance(diagnostics, list):
        return None
    per: Dict[Path, Dict[str, Any]] = {p: {"models": [], "diagnostics": []} for p in paths}
    for key, entries in (("models", models), ("diagnostics", diagnostics)):
        for entry in entries:
            where = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(where, str):
                return None
            target = (REPO_ROOT / where).resolve()
            if target not in per:
                return None
            per[target][key].append(entry)
    return per


def run_shapelint(path: Path) -> Dict[str, Any]:
    """shapelint's JSON summary of one fixture, or ``{"__failure__": message}``.

    Equivalent to ``python -m shapelint summary --format json FIXTURE`` for each fixture,
    but starting one interpreter per fixture costs about a second each on a busy CI machine,
    so the first call runs the whole corpus through the same CLI command with many paths
    (a couple of processes in parallel) and splits the report by each entry's ``path``.
    A batch whose output cannot be split falls back to one run per fixture.
    """
    if path not in _SHAPELINT_CACHE:
        todo = [p for p in FIXTURES if p not in _SHAPELINT_CACHE]
        if path not in todo:
            todo.append(path)
        workers = max(1, min(4, os.cpu_count() or 1, len(todo)))
        chunks = [todo[i::workers] for i in range(workers)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for chunk, out in zip(chunks, pool.map(_run_cli, chunks)):
                per = None if "__failure__" in out else _split_by_path(out, chunk)
                if per is None:
                    for p, single in zip(chunk, pool.map(lambda q: _run_cli([q]), chunk)):
                        _SHAPELINT_CACHE[p] = single
                else:
                    _SHAPELINT_CACHE.update(per)
    return _SHAPELINT_CACHE[path]


def last_torch_model(path: Path) -> Dict[str, Any]:
    """The last torch model shapelint reports for ``path``; fails the test with a message."""
    out = run_shapelint(path)
    if "__failure__" in out:
        pytest.fail(f"{path.name}: {out['__failure__']}", pytrace=False)
    models = out.get("models")
    if not isinstance(models, list):
        pytest.fail(f"{path.name}: output has no 'models' list (got {_fmt(models)[:200]})",
                    pytrace=False)
    torch_models = [m for m in models if isinstance(m, dict) and m.get("framework") == FRAMEWORK]
    if not torch_models:
        frameworks = [m.get("framework") if isinstance(m, dict) else m for m in models]
        pytest.fail(
            f"{path.name}: shapelint reported no model with \"framework\": \"torch\" "
            f"(models' frameworks: {_fmt(frameworks)}); "
            f"diagnostics: {_fmt(out.get('diagnostics'))[:1500]}",
            pytrace=False,
        )
    return torch_models[-1]


def assert_matches(path: Path, expected: Dict[str, Any], source: str) -> None:
    problems = compare_model(expected, last_torch_model(path))
    if problems:
        pytest.fail(f"{path.name}: shapelint disagrees with {source}\n  - "
                    + "\n  - ".join(problems), pytrace=False)


def _expected_or_fail(path: Path) -> Dict[str, Any]:
    expected = oracle_torch.load_expected(path)
    if expected is None:
        pytest.fail(f"{path.name}: no snapshot "
                    f"{oracle_torch.expected_path(path).relative_to(REPO_ROOT)}; {REGEN_HINT}",
                    pytrace=False)
    return expected


# ---------------------------------------------------------------------------------------
# Fast tier
# ---------------------------------------------------------------------------------------


def test_corpus_is_large_enough_and_snapshots_are_in_sync():
    assert len(FIXTURES) >= 45, f"only {len(FIXTURES)} PyTorch fixtures"
    fixture_stems = {p.stem for p in FIXTURES}
    snapshot_stems = {p.stem for p in oracle_torch.EXPECTED_DIR.glob("*.json")}
    assert not fixture_stems - snapshot_stems, (
        f"fixtures without snapshot: {sorted(fixture_stems - snapshot_stems)}; {REGEN_HINT}")
    assert not snapshot_stems - fixture_stems, (
        f"snapshots without fixture: {sorted(snapshot_stems - fixture_stems)}; {REGEN_HINT}")
    for path in FIXTURES:
        snap = oracle_torch.load_expected(path)
        assert snap["fixture"] == path.name
        assert snap["framework"] == FRAMEWORK
        assert snap["layers"], f"{path.name}: snapshot has no layers"
        assert snap["total_params"] == snap["trainable_params"] + snap["non_trainable_params"]
        for layer in snap["layers"]:
            shape = layer["output_shape"]
            assert isinstance(shape, list) and all(isinstance(d, int) for d in shape), (
                f"{path.name}: layer {layer['name']} has a non-concrete shape {shape}")


# Every module class the corpus promises to exercise, as spelled when built in a fixture.
REQUIRED_LAYERS = """
Linear Bilinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d
MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d AdaptiveAvgPool1d
AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d
BatchNorm1d BatchNorm2d BatchNorm3d GroupNorm LayerNorm InstanceNorm1d InstanceNorm2d
LocalResponseNorm Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout
ReLU ReLU6 LeakyReLU PReLU ELU SELU GELU SiLU Mish Sigmoid Tanh Softmax LogSoftmax Hardswish
Hardtanh Softplus GLU Flatten Unflatten Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell
GRUCell Identity Upsample PixelShuffle ZeroPad2d ConstantPad1d ReflectionPad2d
ReplicationPad2d MultiheadAttention TransformerEncoderLayer TransformerEncoder
TransformerDecoderLayer Sequential ModuleList ModuleDict
""".split()

REQUIRED_PATTERNS = {
    "import torch.nn as nn": r"^import torch\.nn as nn$",
    "from torch import nn": r"^from torch import nn$",
    "import torch.nn.functional as F": r"^import torch\.nn\.functional as F$",
    "from torch.nn import Conv2d, Linear": r"^from torch\.nn import .*\bConv2d\b.*\bLinear\b",
    "Sequential(OrderedDict(...))": r"Sequential\(\s*OrderedDict\(",
    "nn.Sequential(*layers)": r"nn\.Sequential\(\*\w+\)",
    "layers.append in a loop": r"^([ \t]*)for [^\n]*:\n(?:\1[ \t]+[^\n]*\n)*?\1[ \t]+\w+\.append\(",
    "add_module": r"\.add_module\(",
    "_make_layer": r"def _make_layer\(",
    "downsample Sequential": r"downsample = nn\.Sequential\(",
    "if self.downsample is not None": r"if self\.downsample is not None:",
    "use_res_connect": r"self\.use_res_connect\b",
    "torch.cat": r"\btorch\.cat\(",
    "class BasicBlock": r"^class BasicBlock\(",
    "class Bottleneck": r"^class Bottleneck\(",
    "base class in the same file": r"^class \w+\((?!nn\.|Module\b|torch\.)\w+\):",
    "module called twice": r"self\.encoder\(left\)[\s\S]*self\.encoder\(right\)",
    "tuple return": r"return \(?[\w.()]+, [\w.()]+\)?$",
    "several inputs": r"^out = model\([^\n]*\), torch\.",
    "x.view(x.size(0), -1)": r"\.view\(\w+\.size\(0\), -1\)",
    "F.relu": r"\bF\.relu\(",
    "F.max_pool2d": r"\bF\.max_pool2d\(",
    "F.avg_pool2d": r"\bF\.avg_pool2d\(",
    "F.adaptive_avg_pool2d": r"\bF\.adaptive_avg_pool2d\(",
    "F.interpolate": r"\bF\.interpolate\(",
    "F.dropout": r"\bF\.dropout\(",
    "F.pad": r"\bF\.pad\(",
    "torch.flatten": r"\btorch\.flatten\(",
    "torch.reshape": r"\btorch\.reshape\(",
    "torch.stack": r"\btorch\.stack\(",
    "torch.add": r"\btorch\.add\(",
    "torch.mul": r"\btorch\.mul\(",
    "torch.matmul": r"\btorch\.matmul\(",
    "torch.bmm": r"\btorch\.bmm\(",
    ".view(": r"\.view\(",
    ".reshape(": r"\.reshape\(",
    ".flatten(": r"\w\.flatten\(",
    ".permute(": r"\.permute\(",
    ".transpose(": r"\.transpose\(",
    ".squeeze(": r"\.squeeze\(",
    ".unsqueeze(": r"\.unsqueeze\(",
    ".contiguous()": r"\.contiguous\(\)",
    ".size()": r"\.size\(\)",
    ".shape[...]": r"\.shape\[",
    ".mean(dim, keepdim=True)": r"\.mean\([^)\n]*keepdim=True",
    ".expand(": r"\.expand\(",
    "Embedding input from torch.randint": r"torch\.randint\(0, \w+, \(",
    "long input from torch.zeros(dtype=torch.long)": r"torch\.zeros\([^)\n]*dtype=torch\.long\)",
    "batch_first=True": r"\bbatch_first=True",
    "num_layers": r"\bnum_layers=",
    "bidirectional=True": r"\bbidirectional=True",
    "proj_size": r"\bproj_size=",
    "output_padding": r"\boutput_padding=",
    "dilation": r"\bdilation=",
    "groups": r"\bgroups=",
    "ceil_mode=True": r"\bceil_mode=True",
    "pooling padding": r"(?:MaxPool|AvgPool)\dd\([^)\n]*padding=",
    "constructor params with defaults": r"def __init__\(self, [^)\n]*=",
}


def test_corpus_covers_required_layers_and_styles():
    sources = {p.name: p.read_text(encoding="utf-8") for p in FIXTURES}
    everything = "\n".join(sources.values())
    missing_layers = [name for name in REQUIRED_LAYERS
                      if not re.search(r"\b" + re.escape(name) + r"\(", everything)]
    missing_styles = [label for label, pattern in REQUIRED_PATTERNS.items()
                      if not re.search(pattern, everything, re.MULTILINE)]
    undocumented = [name for name, src in sources.items()
                    if not src.lstrip().startswith('"""')]
    no_model_call = [name for name, src in sources.items()
                     if not re.search(r"^out = model\(", src, re.MULTILINE)]
    assert not missing_layers, f"modules never built in a fixture: {missing_layers}"
    assert not missing_styles, f"styles/arguments never used in a fixture: {missing_styles}"
    assert not undocumented, f"fixtures without a module docstring: {undocumented}"
    assert not no_model_call, f"fixtures without a bottom `out = model(...)` call: {no_model_call}"


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_shapelint_summary_matches_snapshot(path: Path):
    assert_matches(path, _expected_or_fail(path), "the committed real-PyTorch snapshot")


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_shapelint_reports_no_error_on_working_fixture(path: Path):
    out = run_shapelint(path)
    if "__failure__" in out:
        pytest.fail(f"{path.name}: {out['__failure__']}", pytrace=False)
    diagnostics = out.get("diagnostics")
    if not isinstance(diagnostics, list):
        pytest.fail(f"{path.name}: output has no 'diagnostics' list", pytrace=False)
    errors = [d for d in diagnostics if isinstance(d, dict) and d.get("severity") == "error"]
    if errors:
        lines = [f"{d.get('code')} line {d.get('line')}:{d.get('column')}: {d.get('message')}"
                 for d in errors]
        pytest.fail(f"{path.name} runs fine in real PyTorch, yet shapelint reports "
                    f"{len(errors)} error(s):\n  " + "\n  ".join(lines), pytrace=False)


# ---------------------------------------------------------------------------------------
# Oracle tier: real PyTorch, all fixtures run once in one child process
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_torch() -> Dict[str, Dict[str, Any]]:
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed (pip install -e '.[oracle]')")
    try:
        return oracle_torch.run_oracle(FIXTURES)
    except oracle_torch.OracleError as exc:
        pytest.fail(str(exc), pytrace=False)


def _live_or_fail(live: Dict[str, Dict[str, Any]], path: Path) -> Dict[str, Any]:
    result = live.get(path.name)
    if result is None:
        pytest.fail(f"{path.name}: the oracle returned no result", pytrace=False)
    if "error" in result:
        pytest.fail(f"{path.name} does not run with real PyTorch:\n{result['error']}",
                    pytrace=False)
    return result


@pytest.mark.oracle
@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_oracle_snapshot_is_what_torch_says(live_torch, path: Path):
    live = _live_or_fail(live_torch, path)
    expected = _expected_or_fail(path)
    diff = first_difference(expected, live)
    if diff:
        pytest.fail(f"{path.name}: committed snapshot drifted from real PyTorch; {diff}\n"
                    f"{REGEN_HINT}", pytrace=False)


@pytest.mark.oracle
@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_oracle_shapelint_matches_real_torch(live_torch, path: Path):
    assert_matches(path, _live_or_fail(live_torch, path), "real PyTorch")
