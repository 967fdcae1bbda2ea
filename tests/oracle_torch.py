"""Real-PyTorch oracle for the PyTorch fixture corpus (a helper module, not a test file).

Every fixture in ``fixtures/torch/*.py`` defines its ``nn.Module`` classes, binds the model
to the module-level name ``model`` and, at the bottom, calls it once on constant-size inputs
(``out = model(torch.randn(2, 3, 32, 32))``).  This module runs fixtures with the real
PyTorch in a child process and records what the model did during that call, which is the
summary shapelint must reproduce statically::

    {
      "fixture": "lenet5_mnist.py",
      "name": "LeNet5", "type": "LeNet5", "framework": "torch",
      "input_shapes": [[2, 1, 28, 28]],
      "layers": [
        {"name": "conv1", "type": "Conv2d", "output_shape": [2, 6, 28, 28], "params": 156},
        ...
      ],
      "total_params": ..., "trainable_params": ..., "non_trainable_params": ...
    }

How the calls are recorded
--------------------------

Before the fixture runs (``runpy.run_path``), a *global* forward pre-hook and forward hook
are installed (``torch.nn.modules.module.register_module_forward_pre_hook`` /
``register_module_forward_hook``; they fire for every ``nn.Module.__call__`` in the
process).  They keep a stack of the module calls under way:

* A call made while the stack is empty is a *root call*; it opens a new group, keyed by the
  root module.  Every call nested in it belongs to that group.
* A call during which no other module call starts is a *leaf call*.  Leaf calls are recorded
  when they return (for leaves that is also the order in which they started).  This is "a
  module with no children" in practice, and it also covers modules whose children are never
  *called*: ``nn.MultiheadAttention`` owns an ``out_proj`` Linear but only uses its weight
  inside ``F.multi_head_attention_forward``, so the MultiheadAttention call is the leaf.

After the run, the recorded layers are the leaf calls of the LAST root call whose root module
is the module-level ``model`` -- i.e. the ``model(...)`` call at the bottom of the file.  Calls
made before (a warm-up, a sub-module called on its own at module level), and calls of modules
that are not sub-modules of ``model`` (a global ``nn.ReLU()`` used inside ``forward``) are
dropped.  Depth tracking never depends on the fixture's code: the hooks only see calls.

Rules of the summary:

* ``name`` is the module's dotted name in ``model.named_modules()`` (the first name when a
  module is registered twice); a module called twice appears twice, with the same name.
* ``type`` is ``type(module).__name__`` when the call returned (a ``LazyLinear`` has become
  a ``Linear`` by then).
* ``output_shape`` is the shape of the output; for a tuple/list output (``nn.LSTM``:
  ``(output, (h, c))``; ``nn.MultiheadAttention``: ``(attn_output, attn_weights)``;
  ``nn.LSTMCell``: ``(h, c)``) it is the FIRST tensor in depth-first order.
* ``params`` is ``sum(p.numel() for p in module.parameters())``.  For a childless module that
  is exactly ``parameters(recurse=False)``; for a leaf call of a module with (uncalled)
  children, i.e. MultiheadAttention, it includes ``out_proj``, because the call is reported
  as one layer.
* ``total_params`` / ``trainable_params`` / ``non_trainable_params`` sum ``numel`` over
  ``model.parameters()`` (shared parameters counted once; buffers such as BatchNorm running
  statistics are not parameters in PyTorch, unlike Keras) / those with ``requires_grad`` /
  the others.  Parameters owned by non-leaf modules (a ViT's ``cls_token``) count in the
  totals but in no layer row; a tied weight counts in both layer rows but once in the totals.
* ``input_shapes`` lists the shapes of the tensor arguments of the recorded ``model(...)``
  call, for the reader (shapelint does not report it).

Use :func:`run_oracle` to run many fixtures in ONE child process (importing torch costs a few
seconds; a fixture runs in milliseconds).  A fixture that raises maps to ``{"fixture": name,
"error": "<traceback>"}`` -- the bug fixtures (``fixtures/torch_bugs``) rely on that.  Running
this file directly is the child side: ``python tests/oracle_torch.py --child OUT.json F.py ...``.
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
FIXTURE_DIR = REPO_ROOT / "fixtures" / "torch"
EXPECTED_DIR = FIXTURE_DIR / "expected"
BUG_DIR = REPO_ROOT / "fixtures" / "torch_bugs"

PathLike = Union[str, "os.PathLike[str]"]

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_keras import dump_summary  # noqa: E402,F401  (same snapshot layout as Keras)


class OracleError(RuntimeError):
    """The real-PyTorch run of one or more fixtures failed."""


# ---------------------------------------------------------------------------------------
# Parent side: helpers shared by the tests and tests/make_expected_torch.py
# ---------------------------------------------------------------------------------------


def fixture_paths() -> List[Path]:
    """Every working PyTorch fixture, sorted by file name."""
    return sorted(FIXTURE_DIR.glob("*.py"))


def bug_fixture_paths() -> List[Path]:
    """Every buggy PyTorch fixture, sorted by file name."""
    return sorted(BUG_DIR.glob("*.py"))


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


def run_oracle(
    fixtures: Iterable[PathLike],
    python: Optional[str] = None,
    timeout: float = 600.0,
) -> Dict[str, Dict[str, Any]]:
    """Run every fixture with real PyTorch in ONE child process.

    Returns ``{fixture file name: summary}``.  A fixture that raised maps to
    ``{"fixture": name, "error": "<traceback>"}`` instead, so one broken fixture does not
    hide the results of the others.  Raises :class:`OracleError` when the child process
    itself dies (torch missing, crash, timeout).
    """
    paths = [Path(p).resolve() for p in fixtures]
    if not paths:
        return {}
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("OMP_NUM_THREADS", "1")  # tiny models: threads only cost start-up time
    with tempfile.TemporaryDirectory(prefix="shapelint-torch-oracle-") as tmp:
        out = Path(tmp) / "oracle.json"
        cmd = [python or sys.executable, str(Path(__file__).resolve()), "--child", str(out)]
        cmd += [str(p) for p in paths]
        try:
            proc = subprocess.run(
                cmd,
                cwd=tmp,  # never let the repository shadow a module
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise OracleError(f"real-PyTorch oracle timed out after {timeout:.0f}s") from exc
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or "")[-4000:]
            raise OracleError(
                f"real-PyTorch oracle child failed (exit {proc.returncode}):\n{tail}"
            )
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)


def oracle_summary(fixture: PathLike, python: Optional[str] = None) -> Dict[str, Any]:
    """The real-PyTorch summary of one fixture; raises OracleError if it does not run."""
    name = Path(fixture).name
    result = run_oracle([fixture], python=python)[name]
    if "error" in result:
        raise OracleError(f"{name} does not run with real PyTorch:\n{result['error']}")
    return result


# ---------------------------------------------------------------------------------------
# Child side: runs inside the subprocess, with torch imported
# ---------------------------------------------------------------------------------------


class CallRecorder:
    """Global forward (pre-)hooks that group module calls by root call (see the docstring)."""

    def __init__(self) -> None:
        self.stack: List[List[Any]] = []  # [module, had_a_nested_call]
        self.roots: List[Dict[str, Any]] = []  # {"module", "inputs", "leaves": [(mod, out)]}
        self._handles: List[Any] = []

    def install(self) -> "CallRecorder":
        from torch.nn.modules import module as module_mod

        self._handles = [
            module_mod.register_module_forward_pre_hook(self._pre),
            module_mod.register_module_forward_hook(self._post),
        ]
        return self

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _pre(self, module: Any, args: Any) -> None:
        if not self.stack:
            self.roots.append({"module": module, "inputs": _tensor_shapes(args), "leaves": []})
        else:
            self.stack[-1][1] = True
        self.stack.append([module, False])

    def _post(self, module: Any, args: Any, output: Any) -> None:
        if not any(frame[0] is module for frame in self.stack):
            return  # a call whose pre-hook we did not see (cannot happen with global hooks)
        while self.stack[-1][0] is not module:
            # Nested calls that raised and were caught inside forward() never returned.
            self.stack.pop()
        _, nested = self.stack.pop()
        if not nested and self.roots:
            self.roots[-1]["leaves"].append((module, type(module).__name__, output))


def _tensor_shapes(args: Any) -> List[List[int]]:
    import torch

    return [list(map(int, a.shape)) for a in args if isinstance(a, torch.Tensor)]


def _first_tensor(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def summarize_call(model: Any, root: Dict[str, Any]) -> Dict[str, Any]:
    """The summary of ``model`` from the recorded root call (see the module docstring)."""
    names: Dict[int, str] = {}
    for name, sub in model.named_modules():
        names.setdefault(id(sub), name)
    rows = []
    for module, type_name, output in root["leaves"]:
        if id(module) not in names:
            continue  # a module that is not part of the model
        tensor = _first_tensor(output)
        rows.append(
            {
                "name": names[id(module)],
                "type": type_name,
                "output_shape": None if tensor is None else [int(d) for d in tensor.shape],
                "params": int(sum(p.numel() for p in module.parameters())),
            }
        )
    params = list(model.parameters())
    total = int(sum(p.numel() for p in params))
    trainable = int(sum(p.numel() for p in params if p.requires_grad))
    return {
        "name": type(model).__name__,
        "type": type(model).__name__,
        "framework": "torch",
        "input_shapes": root["inputs"],
        "layers": rows,
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": total - trainable,
    }


def run_fixture(path: PathLike) -> Dict[str, Any]:
    """Run one fixture (in this process; torch must be importable) and summarize ``model``."""
    import contextlib
    import runpy
    import warnings

    import torch

    torch.manual_seed(0)
    recorder = CallRecorder().install()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")  # e.g. TransformerEncoder's nested-tensor note
            namespace = runpy.run_path(str(path), run_name="__shapelint_fixture__")
    finally:
        recorder.remove()
    model = namespace.get("model")
    if not isinstance(model, torch.nn.Module):
        raise OracleError(
            f"{Path(path).name}: module-level name 'model' is {type(model).__name__}, "
            "not a torch.nn.Module"
        )
    calls = [r for r in recorder.roots if r["module"] is model]
    if not calls:
        raise OracleError(f"{Path(path).name}: 'model' is never called at module level")
    summary = {"fixture": Path(path).name}
    summary.update(summarize_call(model, calls[-1]))
    if not summary["layers"]:
        raise OracleError(f"{Path(path).name}: the model call recorded no layer")
    return summary


def _child_main(argv: List[str]) -> int:
    import traceback

    out_path, fixtures = argv[0], argv[1:]
    import torch

    torch.set_num_threads(1)
    results: Dict[str, Dict[str, Any]] = {}
    for fixture in fixtures:
        name = Path(fixture).name
        try:
            results[name] = run_fixture(fixture)
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
