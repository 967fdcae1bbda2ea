"""Real-Keras oracle for the Keras fixture corpus (a helper module, not a test file).

Every fixture in ``fixtures/keras/*.py`` builds a Keras model at module level and binds the
final one to ``model``.  This module runs fixtures with the real Keras 3 (torch backend) in
a child process and turns the model into the summary that shapelint must reproduce
statically::

    {
      "fixture": "cnn_mnist_classic.py",
      "name": "<model.name>", "type": "Sequential" | "Functional" | ..., "framework": "keras",
      "layers": [
        {"name": ..., "type": <class name>, "output_shape": [null, 26, 26, 32], "params": 320},
        ...
      ],
      "total_params": ..., "trainable_params": ..., "non_trainable_params": ...
    }

Rules of the summary:

* ``layers`` is ``model.layers`` in order, without ``InputLayer`` objects.
* ``output_shape`` is the output of the layer's *first* call (its node 0), with ``None``
  written as JSON ``null``.  For an ordinary layer that is exactly ``layer.output``.  A layer
  that returns several tensors (``LSTM(return_state=True)``, ``MultiHeadAttention(...,
  return_attention_scores=True)``, a sub-model with several outputs) gets a list of shapes.
  A functional sub-model is the one place where Keras 3's ``layer.output`` differs: it
  returns the sub-model's own graph output, not the output of its call in the outer model;
  the summary uses the call (node 0), like for every other layer.
* ``params`` is ``layer.count_params()``; ``total_params`` is ``model.count_params()``;
  ``trainable_params`` / ``non_trainable_params`` are the summed sizes of
  ``model.trainable_weights`` / ``model.non_trainable_weights``.

Fixtures that spell TensorFlow imports (``import tensorflow as tf``, ``from tensorflow.keras
import layers``, ``from tensorflow.keras.layers import *``) run against a fake ``tensorflow``
package whose ``keras`` is Keras 3; TensorFlow itself is never needed.

Use :func:`run_oracle` to build many fixtures in ONE child process (importing Keras and torch
costs a few seconds; a fixture builds in well under a second).  Running this file directly
is the child side: ``python tests/oracle_keras.py --child OUT.json FIXTURE.py ...``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = REPO_ROOT / "fixtures" / "keras"
EXPECTED_DIR = FIXTURE_DIR / "expected"

PathLike = Union[str, "os.PathLike[str]"]


class OracleError(RuntimeError):
    """The real-Keras build of one or more fixtures failed."""


# ---------------------------------------------------------------------------------------
# Parent side: helpers shared by the tests and tests/make_expected.py
# ---------------------------------------------------------------------------------------


def fixture_paths() -> List[Path]:
    """Every Keras fixture, sorted by file name."""
    return sorted(FIXTURE_DIR.glob("*.py"))


def expected_path(fixture: PathLike) -> Path:
    """Where the committed snapshot of ``fixture`` lives."""
    return EXPECTED_DIR / (Path(fixture).stem + ".json")


def load_expected(fixture: PathLike) -> Optional[Dict[str, Any]]:
    """The committed snapshot of ``fixture``, or None when it has none yet."""
    path = expected_path(fixture)
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def dump_summary(summary: Dict[str, Any]) -> str:
    """Stable JSON text for a summary: one layer per line, easy to diff in review."""
    lines = ["{"]
    head = [k for k in summary if k != "layers" and not k.endswith("_params")]
    tail = [k for k in summary if k.endswith("_params")]
    for key in head:
        lines.append(f"  {json.dumps(key)}: {json.dumps(summary[key])},")
    lines.append('  "layers": [')
    layer_lines = ["    " + json.dumps(layer) for layer in summary.get("layers", [])]
    lines.append(",\n".join(layer_lines))
    lines.append("  ],")
    for i, key in enumerate(tail):
        comma = "," if i < len(tail) - 1 else ""
        lines.append(f"  {json.dumps(key)}: {json.dumps(summary[key])}{comma}")
    lines.append("}")
    return "\n".join(line for line in lines if line != "") + "\n"


def run_oracle(
    fixtures: Iterable[PathLike],
    python: Optional[str] = None,
    timeout: float = 900.0,
) -> Dict[str, Dict[str, Any]]:
    """Build every fixture with real Keras in ONE child process.

    Returns ``{fixture file name: summary}``.  A fixture that failed to build maps to
    ``{"fixture": name, "error": "<traceback>"}`` instead of a summary, so one broken
    fixture does not hide the results of the others.  Raises :class:`OracleError` when the
    child process itself dies (Keras missing, crash, timeout).
    """
    paths = [Path(p).resolve() for p in fixtures]
    if not paths:
        return {}
    env = dict(os.environ)
    env["KERAS_BACKEND"] = "torch"
    env.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory(prefix="shapelint-oracle-") as tmp:
        out = Path(tmp) / "oracle.json"
        cmd = [python or sys.executable, str(Path(__file__).resolve()), "--child", str(out)]
        cmd += [str(p) for p in paths]
        try:
            proc = subprocess.run(
                cmd,
                cwd=tmp,  # never let the repository shadow a module (e.g. a local ./keras)
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise OracleError(f"real-Keras oracle timed out after {timeout:.0f}s") from exc
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or "")[-4000:]
            raise OracleError(
                f"real-Keras oracle child failed (exit {proc.returncode}):\n{tail}"
            )
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)


def oracle_summary(fixture: PathLike, python: Optional[str] = None) -> Dict[str, Any]:
    """The real-Keras summary of one fixture; raises OracleError if it does not build."""
    name = Path(fixture).name
    result = run_oracle([fixture], python=python)[name]
    if "error" in result:
        raise OracleError(f"{name} does not build with real Keras:\n{result['error']}")
    return result


# ---------------------------------------------------------------------------------------
# Child side: runs inside the subprocess, with Keras imported
# ---------------------------------------------------------------------------------------


def install_tensorflow_shims() -> None:
    """Make ``tensorflow`` / ``tensorflow.keras...`` / ``tf.keras`` resolve to Keras 3."""
    import types

    import keras
    from keras.src.utils import module_utils

    # Keras probes for a real TensorFlow through a lazy module; pin it to "absent" before
    # the fake package appears in sys.modules, so Keras never tries to use the fake one.
    module_utils.tensorflow._available = False

    class _FakeTensorFlow(types.ModuleType):
        def __getattr__(self, attr: str) -> Any:
            if attr.startswith("__"):
                raise AttributeError(attr)
            raise AttributeError(
                f"shapelint oracle: the fake 'tensorflow' only provides tensorflow.keras "
                f"(Keras 3); tensorflow.{attr} is not available"
            )

    fake = _FakeTensorFlow("tensorflow")
    fake.__path__ = []  # a package, so "tensorflow.keras" can be imported from it
    fake.__version__ = "2.99.0-shapelint-shim"
    fake.keras = keras
    # Keras' own in_tf_graph() asks tf.executing_eagerly() once "tensorflow" is imported.
    fake.executing_eagerly = lambda: True
    sys.modules["tensorflow"] = fake
    for name, module in list(sys.modules.items()):
        if module is None:
            continue
        if name == "keras" or (
            name.startswith("keras.")
            and not name.startswith("keras.src")
            and not name.startswith("keras._tf_keras")
        ):
            sys.modules["tensorflow." + name] = module


def _shape(tensor: Any) -> List[Optional[int]]:
    return [None if d is None else int(d) for d in tensor.shape]


def _first_call_outputs(layer: Any) -> List[Any]:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if nodes:
        return list(nodes[0].output_tensors)
    # Never called in any graph (should not happen inside a built model).
    import keras

    return list(keras.tree.flatten(layer.output))


def summarize_model(model: Any) -> Dict[str, Any]:
    """The summary of a built Keras model (see the module docstring)."""
    layer_rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        outputs = _first_call_outputs(layer)
        if len(outputs) == 1:
            shape: Any = _shape(outputs[0])
        else:
            shape = [_shape(t) for t in outputs]
        layer_rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": shape,
                "params": int(layer.count_params()),
            }
        )
    trainable = sum(int(_size(w)) for w in model.trainable_weights)
    non_trainable = sum(int(_size(w)) for w in model.non_trainable_weights)
    total = int(model.count_params())
    if total != trainable + non_trainable:
        raise OracleError(
            f"count_params()={total} != trainable {trainable} + non-trainable {non_trainable}"
        )
    return {
        "name": model.name,
        "type": type(model).__name__,
        "framework": "keras",
        "layers": layer_rows,
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
    }


def _size(weight: Any) -> int:
    n = 1
    for d in weight.shape:
        n *= int(d)
    return n


def build_fixture(path: PathLike) -> Dict[str, Any]:
    """Run one fixture (in this process; Keras must be importable) and summarize ``model``."""
    import contextlib
    import runpy
    import warnings

    import keras

    keras.backend.clear_session()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        # e.g. "Do not pass an `input_shape`/`input_dim` argument to a layer" -- fixtures
        # use that spelling on purpose.
        warnings.simplefilter("ignore")
        namespace = runpy.run_path(str(path), run_name="__shapelint_fixture__")
    model = namespace.get("model")
    if not isinstance(model, keras.Model):
        raise OracleError(
            f"{Path(path).name}: module-level name 'model' is {type(model).__name__}, "
            "not a keras.Model"
        )
    if not model.built:
        raise OracleError(f"{Path(path).name}: 'model' is not built (no input shape)")
    summary = {"fixture": Path(path).name}
    summary.update(summarize_model(model))
    return summary


def _child_main(argv: List[str]) -> int:
    import traceback

    out_path, fixtures = argv[0], argv[1:]
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras  # noqa: F401  (import once, before any fixture)

    install_tensorflow_shims()
    results: Dict[str, Dict[str, Any]] = {}
    for fixture in fixtures:
        name = Path(fixture).name
        try:
            results[name] = build_fixture(fixture)
        except BaseException as exc:  # noqa: BLE001 - report, go on with the others
            if isinstance(exc, KeyboardInterrupt):
                raise
            results[name] = {"fixture": name, "error": traceback.format_exc()}
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        # The child must not import from the tests/ directory by accident.
        if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
            sys.path.pop(0)
        sys.exit(_child_main(sys.argv[2:]))
    print(__doc__)
    sys.exit(2)
