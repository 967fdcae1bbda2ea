"""``shapelint lsp`` in a real client session: the server runs as a subprocess
(``python -m shapelint lsp``) and the test speaks JSON-RPC to it over pipes, with
Content-Length framing, the way an editor does.  Every read is bounded by a timeout, so a
server that hangs fails the test instead of hanging it.

Run as a script (``python tests/test_lsp.py``) to measure the didChange -> publishDiagnostics
latency on a typical model file.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest.importorskip("lsprotocol")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # seconds any single expected message may take (the first analysis imports a lot)


class LspClient:
    """A minimal LSP client over the pipes of a server subprocess."""

    def __init__(self, cmd=None, cwd=None, env=None):
        cmd = cmd or [sys.executable, "-m", "shapelint", "lsp"]
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=full_env
        )
        self.messages: "queue.Queue" = queue.Queue()
        self.notifications = []  # every notification received, in order
        self.server_requests = []  # requests from the server (answered with null)
        self.responses = {}
        self.next_id = 0
        self.stderr_chunks = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- transport

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            assert length is not None, "a message without Content-Length"
            body = out.read(length)
            msg = json.loads(body.decode("utf-8"))
            if "method" in msg and "id" in msg:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.messages.put(msg)

    def _drain_stderr(self):
        try:
            for chunk in iter(self.proc.stderr.readline, b""):
                self.stderr_chunks.append(chunk)
        except (ValueError, OSError):  # the test closed the pipe first: nothing more to read
            pass

    @property
    def stderr(self) -> str:
        return b"".join(self.stderr_chunks).decode("utf-8", "replace")

    def send(self, msg):
        body = json.dumps(msg).encode("utf-8")
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _next(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            msg = self.messages.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError
        if msg is None:
            raise EOFError("the server closed its output; stderr:\n" + self.stderr)
        if "id" in msg and "method" not in msg:
            self.responses[msg["id"]] = msg
        elif "method" in msg and "id" not in msg:
            self.notifications.append(msg)
        else:
            self.server_requests.append(msg)  # already answered by the reader
        return msg

    # -- JSON-RPC

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=TIMEOUT):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while rid not in self.responses:
            try:
                self._next(deadline)
            except TimeoutError:
                raise AssertionError("no response to %s within %s s; stderr:\n%s" % (method, timeout, self.stderr))
        msg = self.responses.pop(rid)
        assert "error" not in msg, msg
        return msg["result"]

    def wait_notification(self, method, predicate=lambda params: True, timeout=TIMEOUT, start=0):
        """The first notification ``method`` (at index >= start) whose params satisfy ``predicate``."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            while seen < len(self.notifications):
                msg = self.notifications[seen]
                seen += 1
                if msg["method"] == method and predicate(msg["params"]):
                    return msg["params"]
            try:
                self._next(deadline)
            except TimeoutError:
                got = [(m["method"], m["params"]) for m in self.notifications[start:]]
                raise AssertionError("no %s within %s s; received: %r; stderr:\n%s" % (method, timeout, got, self.stderr))

    def diagnostics(self, uri, timeout=TIMEOUT, start=None, version=None):
        """The next publishDiagnostics for ``uri`` (received after index ``start``)."""
        start = len(self.notifications) if start is None else start

        def match(p):
            return p["uri"] == uri and (version is None or p.get("version") == version)

        return self.wait_notification("textDocument/publishDiagnostics", match, timeout, start)

    def quiet_for(self, seconds):
        """Every notification that arrives within ``seconds`` (the window is waited out)."""
        start = len(self.notifications)
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._next(deadline)
            except TimeoutError:
                return self.notifications[start:]

    # -- session

    def initialize(self, root: Path, options=None, capabilities=None):
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "capabilities": capabilities or {},
                "initializationOptions": options or {},
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version=1):
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": version, "text": text}},
        )

    def change(self, path: Path, text: str, version: int):
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": path.as_uri(), "version": version}, "contentChanges": [{"text": text}]},
        )

    def shutdown_and_exit(self, timeout=TIMEOUT) -> int:
        assert self.request("shutdown", None, timeout=timeout) is None
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("the server did not exit after shutdown/exit; stderr:\n" + self.stderr)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except Exception:
                pass


@pytest.fixture
def client_factory():
    clients = []

    def make(**kwargs):
        c = LspClient(**kwargs)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.kill()


# ----------------------------------------------------------------------------- model files

KERAS_BUGGY = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(40, 12)),
            layers.Conv1D(32, 5, activation="relu"),
            layers.Flatten(),
            layers.GRU(16),
            layers.Dense(1),
        ]
    )
    """
)
# the fix: no Flatten, the GRU reads the (36, 32) sequence
KERAS_FIXED = KERAS_BUGGY.replace("        layers.Flatten(),\n", "")

TORCH_BUGGY = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)


    model = LeNet()
    out = model(torch.randn(2, 3, 32, 32))
    """
)
TORCH_FIXED = TORCH_BUGGY.replace("16 * 4 * 4", "16 * 5 * 5")


def _codes(params):
    return [d["code"] for d in params["diagnostics"]]


def _rng(d):
    r = d["range"]
    return (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])


# ----------------------------------------------------------------------------- tests


def test_session_keras(tmp_path, client_factory):
    """initialize, didOpen (buggy), didChange (fixed, then broken again), hover, didClose,
    a syntax error, shutdown, exit."""
    model = tmp_path / "model.py"
    model.write_text(KERAS_BUGGY)
    c = client_factory(cwd=str(tmp_path))
    init = c.initialize(tmp_path, options={"debounce": 50})
    caps = init["capabilities"]
    assert caps["hoverProvider"] is True
    assert caps["textDocumentSync"]["openClose"] is True
    assert caps["textDocumentSync"]["change"] == 2  # incremental
    assert caps["textDocumentSync"]["save"] == {"includeText": False}
    assert init["serverInfo"]["name"] == "shapelint"

    uri = model.as_uri()
    start = len(c.notifications)
    c.open(model, KERAS_BUGGY, version=1)
    params = c.diagnostics(uri, start=start)
    assert params["version"] == 1
    assert _codes(params) == ["SL103"]
    d = params["diagnostics"][0]
    # layers.GRU(16) on line 9 (1-based), columns 8..22
    assert _rng(d) == (8, 8, 8, 22)
    assert d["severity"] == 1
    assert d["source"] == "shapelint"
    assert d["codeDescription"]["href"].endswith("rules/SL103-rank-mismatch.md")
    assert "GRU expects 3-D input" in d["message"]
    rel = d["relatedInformation"][0]
    assert rel["location"]["uri"] == uri
    assert (rel["location"]["range"]["start"]["line"], rel["location"]["range"]["start"]["character"]) == (7, 8)
    assert "Flatten" in rel["message"]

    # hover over the Conv1D call: its output shape and parameter count
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 6, "character": 20}})
    assert hover["contents"]["kind"] == "markdown"
    text = hover["contents"]["value"]
    assert "**Conv1D**" in text and "`(None, 36, 32)`" in text and "parameters: 1,952" in text
    assert hover["range"] == {"start": {"line": 6, "character": 8}, "end": {"line": 6, "character": 47}}
    # hover over the model's line: the summary
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 2}})
    assert "Keras model" in hover["contents"]["value"] and "conv1d" in hover["contents"]["value"]
    # nothing to say about a blank line
    assert c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0}}) is None

    # didChange that fixes the bug: diagnostics cleared (the buffer, not the file on disk)
    start = len(c.notifications)
    c.change(model, KERAS_FIXED, version=2)
    params = c.diagnostics(uri, start=start, version=2)
    assert params["diagnostics"] == []
    assert model.read_text() == KERAS_BUGGY
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 12}})
    assert "**GRU**" in hover["contents"]["value"] and "`(None, 16)`" in hover["contents"]["value"]
    assert "parameters: 2,400" in hover["contents"]["value"]  # 3 * (16 * (32 + 16) + 2 * 16)

    # didChange that breaks it again: the diagnostic is back
    start = len(c.notifications)
    c.change(model, KERAS_BUGGY, version=3)
    params = c.diagnostics(uri, start=start, version=3)
    assert _codes(params) == ["SL103"] and _rng(params["diagnostics"][0]) == (8, 8, 8, 22)

    # didSave analyses again (the file on disk has not changed: the same diagnostic)
    start = len(c.notifications)
    c.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert _codes(c.diagnostics(uri, start=start)) == ["SL103"]

    # didClose clears them
    start = len(c.notifications)
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    params = c.diagnostics(uri, start=start)
    assert params["diagnostics"] == []

    # a syntax error: SL001 where Python puts it, and the server is still alive
    broken = tmp_path / "broken.py"
    start = len(c.notifications)
    c.open(broken, "import keras\n\nmodel = keras.Sequential([\n")
    params = c.diagnostics(broken.as_uri(), start=start)
    assert _codes(params) == ["SL001"]
    assert params["diagnostics"][0]["range"]["start"]["line"] == 2
    assert c.request("textDocument/hover", {"textDocument": {"uri": broken.as_uri()}, "position": {"line": 0, "character": 0}}) is None

    assert c.shutdown_and_exit() == 0


def test_session_torch(tmp_path, client_factory):
    """A PyTorch model: SL107 at the Linear's declaration, hover on the declaration and on
    the call in forward(), the fix clears it."""
    model = tmp_path / "lenet.py"
    model.write_text(TORCH_BUGGY)
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 50})
    uri = model.as_uri()
    start = len(c.notifications)
    c.open(model, TORCH_BUGGY)
    params = c.diagnostics(uri, start=start)
    assert _codes(params) == ["SL107"]
    d = params["diagnostics"][0]
    assert _rng(d) == (10, 19, 10, 45)  # nn.Linear(16 * 4 * 4, 120)
    assert "Linear expects 256 input features but receives (2, 400)" in d["message"]
    assert {r["location"]["range"]["start"]["line"] for r in d["relatedInformation"]} == {17, 18}

    # hover on the declaration of fc1: its parameters and what its call produced
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 10, "character": 25}})
    text = hover["contents"]["value"]
    assert "**Linear** `fc1`" in text and "parameters: 30,840" in text
    # ... from anywhere on its line: self.fc1 = ...
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 10, "character": 13}})
    assert "**Linear** `fc1`" in hover["contents"]["value"]
    assert hover["range"] == {"start": {"line": 10, "character": 8}, "end": {"line": 10, "character": 45}}
    # hover on the call self.conv2(x) in forward()
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 16, "character": 36}})
    text = hover["contents"]["value"]
    assert "**Conv2d** `conv2`" in text and "`(2, 16, 10, 10)`" in text and "parameters: 2,416" in text
    assert "input: `(2, 6, 14, 14)`" in text
    # hover on torch.flatten: a tensor operation's output shape
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 17, "character": 14}})
    assert "**flatten**" in hover["contents"]["value"] and "`(2, 400)`" in hover["contents"]["value"]

    start = len(c.notifications)
    c.change(model, TORCH_FIXED, version=2)
    params = c.diagnostics(uri, start=start, version=2)
    assert params["diagnostics"] == []
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 18, "character": 22}})
    assert "**Linear** `fc1`" in hover["contents"]["value"] and "`(2, 120)`" in hover["contents"]["value"]
    assert "parameters: 48,120" in hover["contents"]["value"]
    assert c.shutdown_and_exit() == 0


def test_configuration(tmp_path, client_factory):
    """[tool.shapelint] of the workspace applies; saving a changed configuration re-lints the
    open documents; a bad configuration is a showMessage error, not a crash; initialization
    options select codes too."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.shapelint]\nignore = ["SL103"]\n')
    model = tmp_path / "model.py"
    model.write_text(KERAS_BUGGY)
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 50}, capabilities={"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}})
    uri = model.as_uri()
    start = len(c.notifications)
    c.open(model, KERAS_BUGGY)
    assert c.diagnostics(uri, start=start)["diagnostics"] == []
    # the server asked the client to watch the configuration files
    [reg] = [r for r in c.server_requests if r["method"] == "client/registerCapability"]
    watchers = reg["params"]["registrations"][0]["registerOptions"]["watchers"]
    assert reg["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"
    assert [w["globPattern"] for w in watchers] == ["**/pyproject.toml", "**/shapelint.toml"]

    # the configuration changes on disk; the client reports it
    pyproject.write_text("[tool.shapelint]\n")
    start = len(c.notifications)
    c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": pyproject.as_uri(), "type": 2}]})
    assert _codes(c.diagnostics(uri, start=start)) == ["SL103"]

    # a bad value: a showMessage error naming the file and key; the file is still checked
    pyproject.write_text('[tool.shapelint]\nselect = "SL1"\n')
    start = len(c.notifications)
    c.notify("textDocument/didSave", {"textDocument": {"uri": pyproject.as_uri()}})
    msg = c.wait_notification("window/showMessage", start=start)
    assert msg["type"] == 1
    assert "pyproject.toml" in msg["message"] and "select" in msg["message"]
    assert _codes(c.diagnostics(uri, start=start)) == ["SL103"]
    assert c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 6, "character": 20}}) is not None
    assert c.shutdown_and_exit() == 0


def test_initialization_options(tmp_path, client_factory):
    model = tmp_path / "model.py"
    model.write_text(KERAS_BUGGY)
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"ignore": ["SL1"], "debounce": 0, "bogus": 1})
    msg = c.wait_notification("window/showMessage")
    assert "unknown setting 'bogus'" in msg["message"]
    start = len(c.notifications)
    c.open(model, KERAS_BUGGY)
    assert c.diagnostics(model.as_uri(), start=start)["diagnostics"] == []
    # settings not under "shapelint" are not ours (Helix sends its `config` this way too)
    start = len(c.notifications)
    c.notify("workspace/didChangeConfiguration", {"settings": {"ignore": []}})
    assert c.quiet_for(0.5) == []
    # didChangeConfiguration: the same settings, under "shapelint", re-lint open documents
    start = len(c.notifications)
    c.notify("workspace/didChangeConfiguration", {"settings": {"shapelint": {"ignore": []}}})
    assert _codes(c.diagnostics(model.as_uri(), start=start)) == ["SL103"]
    assert c.shutdown_and_exit() == 0


def test_debounce_and_stale_results(tmp_path, client_factory):
    """Many quick changes publish once, for the last version only."""
    model = tmp_path / "model.py"
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 300})
    uri = model.as_uri()
    start = len(c.notifications)
    c.open(model, KERAS_FIXED)
    assert c.diagnostics(uri, start=start)["diagnostics"] == []
    start = len(c.notifications)
    for v in range(2, 12):
        c.change(model, KERAS_BUGGY if v % 2 else KERAS_FIXED, version=v)
    # version 11 is the buggy text
    params = c.diagnostics(uri, start=start, version=11)
    assert _codes(params) == ["SL103"]
    published = [n for n in c.notifications[start:] if n["method"] == "textDocument/publishDiagnostics"]
    assert [p["params"]["version"] for p in published] == [11]
    assert c.quiet_for(0.5) == []
    # a hover right after a change answers for the new text (it does not wait for the debounce
    # nor answer from the old analysis): line 8 is the GRU in the fixed text, Flatten before
    start = len(c.notifications)
    c.change(model, KERAS_FIXED, version=12)
    hover = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 12}})
    assert "**GRU**" in hover["contents"]["value"] and "`(None, 16)`" in hover["contents"]["value"]
    assert c.diagnostics(uri, start=start, version=12)["diagnostics"] == []
    assert c.shutdown_and_exit() == 0


def slow_model(n):
    """A functional Keras model of ``n`` Dense layers: about a second of analysis per 600."""
    return (
        "import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(8,))\nx = inputs\n"
        + "x = layers.Dense(8)(x)\n" * n
        + "model = keras.Model(inputs, x)\n"
    )


def test_slow_analysis_does_not_block_requests(tmp_path, client_factory):
    """While a slow file is analysed, hover on another file and shutdown answer at once; an
    analysis that outlives ``timeout`` is stopped and reported, and the server goes on."""
    from shapelint.runner import RunOptions, run_text

    run_text(str(tmp_path / "warm.py"), KERAS_BUGGY, RunOptions())  # imports, not counted
    n = 1200
    while True:  # a model slow enough on this machine (and its state of the garbage collector)
        slow_text = slow_model(n)
        t1 = time.perf_counter()
        run_text(str(tmp_path / "slow.py"), slow_text, RunOptions())
        alone = time.perf_counter() - t1
        if alone > 0.8 or n >= 9600:
            break
        n *= 2
    assert alone > 0.8, "the slow model is not slow enough to test anything (%.2f s)" % alone

    fast = tmp_path / "fast.py"
    slow = tmp_path / "slow.py"
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 0, "timeout": 120})
    start = len(c.notifications)
    c.open(fast, KERAS_BUGGY)
    assert _codes(c.diagnostics(fast.as_uri(), start=start)) == ["SL103"]
    c.open(slow, slow_text)
    time.sleep(0.1)  # the slow analysis is under way
    t = time.monotonic()
    hover = c.request("textDocument/hover", {"textDocument": {"uri": fast.as_uri()}, "position": {"line": 6, "character": 20}}, timeout=10)
    hover_time = time.monotonic() - t
    assert "**Conv1D**" in hover["contents"]["value"]
    assert hover_time < alone / 4, "hover waited for the slow analysis: %.3f s (analysis alone: %.3f s)" % (hover_time, alone)
    # the slow file's diagnostics were not published yet: the analysis is still running
    assert not [n for n in c.notifications if n["params"].get("uri") == slow.as_uri()]
    t = time.monotonic()
    code = c.shutdown_and_exit(timeout=10)
    assert code == 0
    assert time.monotonic() - t < alone / 2, "shutdown waited for the slow analysis"


def test_timeout_stops_a_runaway_analysis(tmp_path, client_factory):
    fast = tmp_path / "fast.py"
    slow = tmp_path / "slow.py"
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 0, "timeout": 0.3})  # the worker's start-up is not counted
    start = len(c.notifications)
    c.open(slow, slow_model(2000))
    msg = c.wait_notification("window/showMessage", start=start)
    assert "longer than 0.3 s" in msg["message"]
    # the next analysis runs in a fresh worker
    start = len(c.notifications)
    c.open(fast, KERAS_BUGGY)
    assert _codes(c.diagnostics(fast.as_uri(), start=start)) == ["SL103"]
    assert c.shutdown_and_exit() == 0


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_analysis_process_crash_is_survived(tmp_path, client_factory):
    """The analysis process killed from outside: reported, and the next analysis runs in a
    new one."""
    import signal

    model = tmp_path / "model.py"
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 0})
    start = len(c.notifications)
    c.open(model, KERAS_BUGGY)
    assert _codes(c.diagnostics(model.as_uri(), start=start)) == ["SL103"]
    workers = _children(c.proc.pid)
    assert len(workers) == 1, workers
    os.kill(workers[0], signal.SIGKILL)
    start = len(c.notifications)
    c.change(model, KERAS_FIXED, version=2)
    # the change may reach the dead process first (an error is shown) or start a new one
    c.change(model, KERAS_BUGGY, version=3)
    params = c.diagnostics(model.as_uri(), start=start, version=3)
    assert _codes(params) == ["SL103"]
    new_workers = _children(c.proc.pid)
    assert len(new_workers) == 1 and new_workers != workers
    assert c.shutdown_and_exit() == 0
    assert not _children(c.proc.pid)


def test_thread_worker_and_utf16_positions(tmp_path, client_factory):
    """The in-process worker gives the same answers; columns after a character outside the
    Basic Multilingual Plane are counted in UTF-16 code units (the LSP default)."""
    model = tmp_path / "model.py"
    text = KERAS_BUGGY.replace("layers.Flatten(),", 'layers.Flatten(name="😀"),')
    assert text != KERAS_BUGGY
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path, options={"debounce": 0, "worker": "thread"})
    start = len(c.notifications)
    c.open(model, text)
    params = c.diagnostics(model.as_uri(), start=start)
    assert _codes(params) == ["SL103"]
    rel = params["diagnostics"][0]["relatedInformation"][0]["location"]["range"]
    # layers.Flatten(name="😀") spans code points 8..32: 8..33 in UTF-16 units
    assert (rel["start"]["character"], rel["end"]["character"]) == (8, 33)
    assert c.shutdown_and_exit() == 0


def test_exit_without_shutdown_is_status_1(tmp_path, client_factory):
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path)
    c.notify("exit", None)
    assert c.proc.wait(timeout=TIMEOUT) == 1


def test_end_of_input_ends_the_server(tmp_path, client_factory):
    c = client_factory(cwd=str(tmp_path))
    c.initialize(tmp_path)
    c.proc.stdin.close()
    assert c.proc.wait(timeout=TIMEOUT) == 1


def test_console_script(tmp_path, client_factory):
    """``shapelint lsp`` as the editors launch it: the installed console script."""
    script = Path(sys.executable).with_name("shapelint")
    if not script.exists():
        pytest.skip("no shapelint console script next to %s" % sys.executable)
    model = tmp_path / "model.py"
    c = client_factory(cmd=[str(script), "lsp"], cwd=str(tmp_path))
    assert c.initialize(tmp_path)["serverInfo"]["name"] == "shapelint"
    start = len(c.notifications)
    c.open(model, KERAS_BUGGY)
    assert _codes(c.diagnostics(model.as_uri(), start=start)) == ["SL103"]
    assert c.shutdown_and_exit() == 0


def test_without_pygls_is_a_usage_error():
    code = "import sys; sys.modules['pygls'] = None; from shapelint.cli import main; sys.exit(main(['lsp']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, cwd=str(ROOT))
    assert proc.returncode == 2
    assert "pip install 'shapelint[lsp]'" in proc.stderr


def test_hover_entries_on_every_fixture():
    """Hover data builds for every fixture model (no crash), every layer a summary lists is
    hoverable, and the innermost range wins."""
    from shapelint.editor import find_hover, hover_entries
    from shapelint.runner import RunOptions, run_text

    files = sorted((ROOT / "fixtures").glob("*/*.py"))
    assert len(files) > 40
    for path in files:
        text = path.read_text()
        result = run_text(str(path), text, RunOptions())
        entries = hover_entries(result, text)
        json.dumps(entries)
        lines = {e["range"][0] for e in entries}
        for model in result.models:
            assert model.line - 1 in lines, (path, model.name)
            for layer in model.layers:
                assert layer.line - 1 in lines or layer.type in ("Sequential", "Functional"), (path, layer)
    entries = [
        {"range": [0, 0, 0, 30], "markdown": "outer"},
        {"range": [0, 4, 0, 10], "markdown": "inner"},
        {"range": [0, 0, 2, 0], "markdown": "block"},
    ]
    assert find_hover(entries, 0, 5)["markdown"] == "inner"
    assert find_hover(entries, 0, 10)["markdown"] == "outer"  # the end is exclusive
    assert find_hover(entries, 1, 3)["markdown"] == "block"
    assert find_hover(entries, 3, 0) is None


# ----------------------------------------------------------------------------- latency


def measure_latency(n=30, debounce_ms=250, path=None):
    """didChange -> publishDiagnostics latency on a typical model file, minus the debounce:
    a list of milliseconds (the buffer alternates between a buggy and a fixed version)."""
    import tempfile

    src = Path(path).read_text() if path else None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = tmp / "model.py"
        good = src or TORCH_FIXED
        bad = (src + "\nbad = nn.Linear(3, 4)(torch.randn(2, 5))\n") if src else TORCH_BUGGY
        c = LspClient(cwd=str(tmp))
        try:
            c.initialize(tmp, options={"debounce": debounce_ms})
            start = len(c.notifications)
            c.open(model, good)
            c.diagnostics(model.as_uri(), start=start)
            times = []
            for v in range(2, n + 2):
                start = len(c.notifications)
                t = time.perf_counter()
                c.change(model, bad if v % 2 else good, version=v)
                c.diagnostics(model.as_uri(), start=start, version=v)
                times.append((time.perf_counter() - t) * 1000 - debounce_ms)
            c.shutdown_and_exit()
        finally:
            c.kill()
    return times


def test_latency_after_debounce():
    """The issue's target: median <= 100 ms after the debounce (a loose bound here: the test
    machine is shared; the script measures it properly)."""
    times = measure_latency(n=8, debounce_ms=100)
    assert statistics.median(times) < 1000, times


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--debounce", type=int, default=250)
    ap.add_argument("file", nargs="?")
    a = ap.parse_args()
    ms = measure_latency(a.n, a.debounce, a.file)
    ms.sort()
    print(
        "didChange -> publishDiagnostics, minus the %d ms debounce, %d changes: median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms"
        % (a.debounce, len(ms), statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], ms[0], ms[-1])
    )
