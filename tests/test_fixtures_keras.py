"""The Keras fixture corpus: shapelint's static summary against real Keras.

Two tiers:

* fast (always runs, Keras not needed): for every ``fixtures/keras/*.py``, run
  ``python -m shapelint summary --format json FIXTURE`` and compare the LAST model it
  reports with the committed snapshot ``fixtures/keras/expected/<fixture>.json`` (which
  was produced by real Keras, see tests/make_expected.py): layer count; per layer type,
  output shape and parameter count; total and trainable parameter counts.  These working
  fixtures must also get no diagnostic of severity "error".
* oracle (``-m oracle``; skipped without Keras): builds every fixture with real Keras 3
  in ONE child process (tests/oracle_keras.py) and checks that the snapshots are still
  exactly what Keras says, then compares shapelint with the live Keras result.

Shape comparison: a shape is a list of dims; a layer with several outputs has a list of
shapes.  An expected ``null`` dim (unknown to Keras) accepts ``null`` or a symbolic
string from shapelint; an expected int needs the same int.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

_TESTS_DIR = Path(__file__).resolve().parent
if str(_TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(_TESTS_DIR))

import fixture_compare  # noqa: E402
import oracle_keras  # noqa: E402
from fixture_compare import _fmt, shape_matches  # noqa: E402,F401  (also used by the PyTorch tier)

REPO_ROOT = oracle_keras.REPO_ROOT
FIXTURES = oracle_keras.fixture_paths()
FIXTURE_IDS = [p.stem for p in FIXTURES]
SHAPELINT_TIMEOUT = 120

REGEN_HINT = "regenerate with: KERAS_BACKEND=torch .venv/bin/python tests/make_expected.py"


# ---------------------------------------------------------------------------------------
# Comparison helpers (return human-readable problems instead of raising)
# ---------------------------------------------------------------------------------------


def compare_model(expected: Dict[str, Any], got: Dict[str, Any]) -> List[str]:
    return fixture_compare.compare_model(expected, got, "Keras")


def first_difference(expected: Dict[str, Any], live: Dict[str, Any]) -> Optional[str]:
    return fixture_compare.first_difference(expected, live, "Keras")


# ---------------------------------------------------------------------------------------
# Running shapelint (cached: the fast and the oracle tier share one run per fixture)
# ---------------------------------------------------------------------------------------

_SHAPELINT_CACHE: Dict[Path, Dict[str, Any]] = {}


def run_shapelint(path: Path) -> Dict[str, Any]:
    """shapelint's JSON summary of one fixture, or ``{"__failure__": message}``."""
    if path in _SHAPELINT_CACHE:
        return _SHAPELINT_CACHE[path]
    cmd = [sys.executable, "-m", "shapelint", "summary", "--format", "json", str(path)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=SHAPELINT_TIMEOUT)
    except subprocess.TimeoutExpired:
        result: Dict[str, Any] = {
            "__failure__": f"`{' '.join(cmd[1:])}` timed out after {SHAPELINT_TIMEOUT}s"}
    else:
        try:
            result = json.loads(proc.stdout)
            if not isinstance(result, dict):
                raise ValueError("top level is not an object")
        except ValueError as exc:
            result = {
                "__failure__": (
                    f"`shapelint summary --format json` did not print a JSON object "
                    f"(exit {proc.returncode}, {exc}).\n"
                    f"stdout: {proc.stdout[-1500:]!r}\nstderr: {proc.stderr[-3000:]}"
                )
            }
    _SHAPELINT_CACHE[path] = result
    return result


def last_model(path: Path) -> Dict[str, Any]:
    """The last model shapelint reports for ``path``; fails the test with a message."""
    out = run_shapelint(path)
    if "__failure__" in out:
        pytest.fail(f"{path.name}: {out['__failure__']}", pytrace=False)
    models = out.get("models")
    if not isinstance(models, list) or not models:
        pytest.fail(f"{path.name}: shapelint reported no model (models={_fmt(models)[:200]}); "
                    f"diagnostics: {_fmt(out.get('diagnostics'))[:1500]}", pytrace=False)
    model = models[-1]
    if not isinstance(model, dict):
        pytest.fail(f"{path.name}: last model entry is not an object: {_fmt(model)[:200]}",
                    pytrace=False)
    return model


def assert_matches(path: Path, expected: Dict[str, Any], source: str) -> None:
    model = last_model(path)
    problems = compare_model(expected, model)
    if model.get("framework") not in (None, "keras"):
        problems.insert(0, f"framework: expected 'keras', got {_fmt(model.get('framework'))}")
    if problems:
        pytest.fail(f"{path.name}: shapelint disagrees with {source}\n  - "
                    + "\n  - ".join(problems), pytrace=False)


def _expected_or_fail(path: Path) -> Dict[str, Any]:
    expected = oracle_keras.load_expected(path)
    if expected is None:
        pytest.fail(f"{path.name}: no snapshot "
                    f"{oracle_keras.expected_path(path).relative_to(REPO_ROOT)}; {REGEN_HINT}",
                    pytrace=False)
    return expected


# ---------------------------------------------------------------------------------------
# Fast tier
# ---------------------------------------------------------------------------------------


def test_corpus_is_large_enough_and_snapshots_are_in_sync():
    assert len(FIXTURES) >= 45, f"only {len(FIXTURES)} Keras fixtures"
    fixture_stems = {p.stem for p in FIXTURES}
    snapshot_stems = {p.stem for p in oracle_keras.EXPECTED_DIR.glob("*.json")}
    assert not fixture_stems - snapshot_stems, (
        f"fixtures without snapshot: {sorted(fixture_stems - snapshot_stems)}; {REGEN_HINT}")
    assert not snapshot_stems - fixture_stems, (
        f"snapshots without fixture: {sorted(snapshot_stems - fixture_stems)}; {REGEN_HINT}")
    for path in FIXTURES:
        snap = oracle_keras.load_expected(path)
        assert snap["fixture"] == path.name
        assert snap["layers"], f"{path.name}: snapshot has no layers"
        assert snap["total_params"] == snap["trainable_params"] + snap["non_trainable_params"]


# Every layer the corpus promises to exercise, as it is spelled when called in a fixture.
REQUIRED_LAYERS = """
Input Dense EinsumDense Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose
Conv3DTranspose SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D
MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D
GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GlobalAveragePooling1D
GlobalAveragePooling2D GlobalAveragePooling3D Flatten Reshape Permute RepeatVector Dropout
SpatialDropout1D SpatialDropout2D GaussianNoise ActivityRegularization BatchNormalization
LayerNormalization GroupNormalization Activation ReLU LeakyReLU PReLU ELU Softmax Embedding
SimpleRNN LSTM GRU Bidirectional TimeDistributed ConvLSTM2D Concatenate concatenate Add add
Subtract subtract Multiply multiply Average average Maximum maximum Minimum minimum Dot dot
ZeroPadding1D ZeroPadding2D ZeroPadding3D Cropping1D Cropping2D Cropping3D UpSampling1D
UpSampling2D UpSampling3D Rescaling Resizing Attention MultiHeadAttention
""".split()

REQUIRED_PATTERNS = {
    'padding="valid"': r'padding="valid"',
    'padding="same"': r'padding="same"',
    'padding="causal"': r'padding="causal"',
    "strides": r"\bstrides=",
    "dilation_rate": r"\bdilation_rate=",
    "groups": r"\bgroups=",
    "use_bias=False": r"\buse_bias=False",
    'data_format="channels_first"': r'data_format="channels_first"',
    "axis": r"\baxis=",
    "return_sequences": r"\breturn_sequences=True",
    "return_state": r"\breturn_state=True",
    'merge_mode="sum"': r'merge_mode="sum"',
    'merge_mode="ave"': r'merge_mode="ave"',
    'merge_mode="mul"': r'merge_mode="mul"',
    'merge_mode="concat"': r'merge_mode="concat"',
    "import keras": r"^import keras$",
    "from keras import layers": r"^from keras import layers$",
    "from keras.layers import Conv2D, Dense, ...": r"^from keras\.layers import .*\bConv2D\b.*\bDense\b",
    "from tensorflow.keras.layers import *": r"^from tensorflow\.keras\.layers import \*$",
    "import tensorflow as tf": r"^import tensorflow as tf$",
    "tf.keras.layers.X": r"\btf\.keras\.layers\.\w+\(",
    "keras.layers.Conv2D": r"\bkeras\.layers\.Conv2D\(",
    "import keras as K": r"^import keras as K$",
    "from keras import layers as L": r"^from keras import layers as L$",
    "keras.src paths": r"^(?:from|import) keras\.src\.",
    "Sequential() + add": r"= (?:\w+\.)*Sequential\((?:name=[^)]*)?\)\s*$",
    "add in for over range": r"for \w+ in range\([^)]*\):\n(?:\s+.*\n)*?\s+\w+\.add\(",
    "add in for over literal list": r"for \w+ in \[[^\]]*\]:\n\s+\w+\.add\(",
    "add under constant if": r"\n    if [A-Z_]+:\n\s+model\.add\(|\nif [A-Z_]+:\n\s+model\.add\(",
    "input_shape=": r"\binput_shape=",
    "input_dim=": r"\binput_dim=",
    "Input(shape=..., batch_size=...)": r"Input\(shape=[^\n]*batch_size=",
    "keras.Model": r"\bkeras\.Model\(",
    "keras.models.Model": r"\bkeras\.models\.Model\(",
    "Model(inputs=[...], outputs=[...]) keyword": r"Model\(inputs=\[[^\]]*\], outputs=\[",
    "Model([...], [...]) positional": r"Model\(\[[^\]]*\], \[",
    "conv_block helper": r"def conv_block\(x, filters",
    "arithmetic on constants": r"\b\d+ \* [A-Z_]+ \* [A-Z_]+\b",
}


def test_corpus_covers_required_layers_and_styles():
    sources = {p.name: p.read_text(encoding="utf-8") for p in FIXTURES}
    everything = "\n".join(sources.values())
    missing_layers = [name for name in REQUIRED_LAYERS
                      if not re.search(r"\b" + re.escape(name) + r"\(", everything)]
    missing_styles = [label for label, pattern in REQUIRED_PATTERNS.items()
                      if pattern and not re.search(pattern, everything, re.MULTILINE)]
    for pooling in ("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                    "GlobalAveragePooling1D", "GlobalAveragePooling2D",
                    "GlobalAveragePooling3D"):
        if not re.search(pooling + r"\([^)\n]*keepdims=True", everything):
            missing_styles.append(f"{pooling}(keepdims=True)")
    conv_block_calls = len(re.findall(r"\bconv_block\(", everything)) - 1  # minus the def
    if conv_block_calls < 5:
        missing_styles.append(f"conv_block used 5 times (found {conv_block_calls})")
    undocumented = [name for name, src in sources.items()
                    if not src.lstrip().startswith('"""')]
    assert not missing_layers, f"layers never used in a fixture: {missing_layers}"
    assert not missing_styles, f"styles/arguments never used in a fixture: {missing_styles}"
    assert not undocumented, f"fixtures without a module docstring: {undocumented}"


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_shapelint_summary_matches_snapshot(path: Path):
    assert_matches(path, _expected_or_fail(path), "the committed real-Keras snapshot")


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
        pytest.fail(f"{path.name} builds fine in real Keras, yet shapelint reports "
                    f"{len(errors)} error(s):\n  " + "\n  ".join(lines), pytrace=False)


# ---------------------------------------------------------------------------------------
# Oracle tier: real Keras, all fixtures built once in one child process
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_keras() -> Dict[str, Dict[str, Any]]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    try:
        return oracle_keras.run_oracle(FIXTURES)
    except oracle_keras.OracleError as exc:
        pytest.fail(str(exc), pytrace=False)


def _live_or_fail(live: Dict[str, Dict[str, Any]], path: Path) -> Dict[str, Any]:
    result = live.get(path.name)
    if result is None:
        pytest.fail(f"{path.name}: the oracle returned no result", pytrace=False)
    if "error" in result:
        pytest.fail(f"{path.name} does not build with real Keras:\n{result['error']}",
                    pytrace=False)
    return result


@pytest.mark.oracle
@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_oracle_snapshot_is_what_keras_says(live_keras, path: Path):
    live = _live_or_fail(live_keras, path)
    expected = _expected_or_fail(path)
    diff = first_difference(expected, live)
    if diff:
        pytest.fail(f"{path.name}: committed snapshot drifted from real Keras; {diff}\n"
                    f"{REGEN_HINT}", pytrace=False)


@pytest.mark.oracle
@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_oracle_shapelint_matches_real_keras(live_keras, path: Path):
    assert_matches(path, _live_or_fail(live_keras, path), "real Keras")
