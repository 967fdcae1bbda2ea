"""Real-framework oracle for the summary's pictures (a helper module, not a test file).

Runs fixtures in a child process with the real Keras 3 (torch backend) or PyTorch and writes,
per fixture, the connections of the module-level ``model`` in a framework-neutral form that
``tests/test_summary_formats.py`` compares with shapelint's picture (``ModelInfo.flow``):

* Keras: every tensor flowing into a layer of the model, from Keras's own graph (the model's
  nodes; a layer's inbound node lists the tensors of its call): ``[source, target, shape]``
  where a source is a layer name or ``input:<shape>``, and a target is a layer name or
  ``OUTPUT`` (the model's outputs).  A tensor given twice to one call counts once.  Layers
  are named by their index in ``model.layers`` (InputLayers left out): the summary's rows.
* PyTorch: global forward hooks see every module call; a ``TorchFunctionMode`` sees every
  tensor function between them.  The function calls made inside a *leaf* call (one during
  which no other module call starts: the summary's rows) belong to that call; the others are
  the forward's tensor operations.  For each row, and for the outputs, the rows, inputs
  (``input:<shape>``) and constants they read, looking through the tensor operations between
  them: ``[source, "row:<index>" | "OUTPUT"]``.  Constants (parameters, buffers, tensors
  made in ``forward``) are left out: the connections compared are those between the inputs,
  the rows and the outputs.

Run ``python tests/oracle_graphs.py keras|torch OUT.json FIXTURE.py ...`` (the child side).
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import subprocess
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent


def run_oracle(framework: str, fixtures: List[Path], timeout: float = 900.0) -> Dict[str, Any]:
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory(prefix="shapelint-graphs-") as tmp:
        out = Path(tmp) / "graphs.json"
        cmd = [sys.executable, str(HERE / "oracle_graphs.py"), framework, str(out)] + [str(Path(p).resolve()) for p in fixtures]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError("graph oracle failed (exit %d):\n%s" % (proc.returncode, proc.stderr[-4000:]))
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)


def _shape(t) -> List[Any]:
    return [None if d is None else int(d) for d in t.shape]


# --------------------------------------------------------------------------- Keras


def keras_edges(path: str) -> List[List[Any]]:
    import keras
    from keras.src.ops.function import make_node_key

    keras.backend.clear_session()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        model = runpy.run_path(path, run_name="__shapelint_fixture__")["model"]
    fn = model._functional if isinstance(model, keras.Sequential) else model
    InputLayer = keras.layers.InputLayer
    rows = {id(l): i for i, l in enumerate(l for l in model.layers if not isinstance(l, InputLayer))}

    def label(op) -> str:
        return "layer:%d" % rows[id(op)] if id(op) in rows else "op:" + op.name

    def source(t) -> str:
        op = t._keras_history[0]
        if isinstance(op, InputLayer):
            return "input:" + json.dumps(_shape(t))
        return label(op)

    edges = []
    for op in fn._operations:
        if isinstance(op, InputLayer):
            continue
        for i, node in enumerate(op._inbound_nodes):
            if make_node_key(op, i) not in fn._nodes:
                continue  # a call of a shared layer in another model
            seen = set()
            for t in node.input_tensors:
                key = (id(t._keras_history[0]),) + tuple(t._keras_history[1:])
                if key not in seen:
                    seen.add(key)
                    edges.append([source(t), label(op), _shape(t)])
    for t in fn.outputs:
        edges.append([source(t), "OUTPUT", _shape(t)])
    return edges


# --------------------------------------------------------------------------- PyTorch


class GraphRecorder:
    """Module calls (global hooks) and tensor functions (a TorchFunctionMode), see above."""

    def __init__(self, torch):
        self.torch = torch
        self.root = None
        self.roots: List[Dict[str, Any]] = []

    def new_root(self, module, args):
        self.root = {"module": module, "stack": [], "src": {}, "keep": [], "ops": [], "calls": [], "inputs": []}
        self.roots.append(self.root)
        for t in self.tensors(args):
            self.root["src"][id(t)] = "input:" + json.dumps(_shape(t))
            self.root["keep"].append(t)

    def tensors(self, value, depth=0):
        torch = self.torch
        if isinstance(value, torch.Tensor):
            return [value]
        if depth < 6 and isinstance(value, (list, tuple)):
            return [t for v in value for t in self.tensors(v, depth + 1)]
        if depth < 6 and isinstance(value, dict):
            return [t for v in value.values() for t in self.tensors(v, depth + 1)]
        return []

    def token(self, t):
        return self.root["src"].get(id(t), "constant")

    def pre(self, module, args):
        if self.root is None or not self.root["stack"]:
            self.new_root(module, args)
        else:
            self.mark_nested()
        self.root["stack"].append({"module": module, "nested": False, "ops": [], "produced": [],
                                   "inputs": [self.token(t) for t in self.tensors(args) if not self.weight(t)]})

    def weight(self, t) -> bool:
        return isinstance(t, self.torch.nn.Parameter)

    def mark_nested(self):
        frame = self.root["stack"][-1]
        if not frame["nested"]:
            frame["nested"] = True  # the ops it made so far are the forward's own

    def post(self, module, args, kwargs, output):
        stack = self.root["stack"] if self.root else []
        if not any(f["module"] is module for f in stack):
            return
        while stack[-1]["module"] is not module:
            stack.pop()
        frame = stack.pop()
        if frame["nested"]:
            if not stack:
                self.root["outputs"] = [self.token(t) for t in self.tensors(output)]
            return
        k = len(self.root["calls"])
        inputs = list(frame["inputs"])
        for t in self.tensors(kwargs):
            if not self.weight(t) and id(t) not in frame["produced"]:
                inputs.append(self.token(t))
        for op in frame["ops"]:  # made inside the leaf call: part of it
            self.root["ops"][op] = None
        token = "call:%d" % k
        for tid in frame["produced"]:
            self.root["src"][tid] = token
        for t in self.tensors(output):
            self.root["src"][id(t)] = token
            self.root["keep"].append(t)
        self.root["calls"].append({"module": module, "inputs": inputs})
        if stack:
            stack[-1]["produced"].extend(id(t) for t in self.tensors(output))
        else:
            self.root["outputs"] = [token for _ in self.tensors(output)]

    def function(self, func, args, kwargs, result):
        root = self.root
        if root is None or not root["stack"]:
            return
        frame = root["stack"][-1]
        outs = self.tensors(result)
        if not outs:
            return
        ins = [self.token(t) for t in self.tensors(list(args) + list(kwargs.values()))]
        k = len(root["ops"])
        root["ops"].append(ins)
        if not frame["nested"]:
            frame["ops"].append(k)  # dropped if the frame turns out to be a leaf
        for t in outs:
            root["src"][id(t)] = "op:%d" % k
            root["keep"].append(t)
            frame["produced"].append(id(t))


def torch_edges(path: str) -> List[List[Any]]:
    import torch
    from torch.nn.modules import module as module_mod
    from torch.overrides import TorchFunctionMode

    torch.manual_seed(0)
    rec = GraphRecorder(torch)

    class Mode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            result = func(*args, **kwargs)
            rec.function(func, args, kwargs, result)
            return result

    handles = [module_mod.register_module_forward_pre_hook(rec.pre),
               module_mod.register_module_forward_hook(rec.post, with_kwargs=True)]
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr), Mode():
            warnings.simplefilter("ignore")
            namespace = runpy.run_path(path, run_name="__shapelint_fixture__")
    finally:
        for h in handles:
            h.remove()
    model = namespace["model"]
    root = [r for r in rec.roots if r["module"] is model][-1]
    names = {id(m) for _, m in model.named_modules()}
    rows = {}
    for k, call in enumerate(root["calls"]):
        if id(call["module"]) in names:
            rows[k] = len(rows)

    def expand(token, depth=0) -> set:
        if token.startswith("op:"):
            ins = root["ops"][int(token[3:])]
            if not ins or depth > 200:
                return {"constant"}
            return set().union(*(expand(t, depth + 1) for t in ins))
        if token.startswith("call:"):
            k = int(token[5:])
            if k in rows:
                return {"row:%d" % rows[k]}
            return set().union(*(expand(t, depth + 1) for t in root["calls"][k]["inputs"])) if root["calls"][k]["inputs"] else {"constant"}
        return {token}

    edges = set()
    for k, call in enumerate(root["calls"]):
        if k in rows:
            for t in call["inputs"]:
                for s in expand(t) - {"constant"}:
                    edges.add((s, "row:%d" % rows[k]))
    for t in root.get("outputs", []):
        for s in expand(t) - {"constant"}:
            edges.add((s, "OUTPUT"))
    return sorted([list(e) for e in edges])


def _child(argv: List[str]) -> int:
    framework, out_path, fixtures = argv[0], argv[1], argv[2:]
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras  # noqa: F401

        sys.path.insert(0, str(HERE))
        import oracle_keras

        oracle_keras.install_tensorflow_shims()
    results: Dict[str, Any] = {}
    for fixture in fixtures:
        try:
            results[Path(fixture).name] = {"edges": (keras_edges if framework == "keras" else torch_edges)(fixture)}
        except Exception:  # noqa: BLE001 - report, go on with the others
            results[Path(fixture).name] = {"error": traceback.format_exc()}
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh)
    return 0


if __name__ == "__main__":
    if sys.path and Path(sys.path[0]).resolve() == HERE:
        sys.path.pop(0)  # never import a test module by accident
    sys.exit(_child(sys.argv[1:]))
