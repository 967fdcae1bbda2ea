"""``shapelint lsp``: the language server (stdio), built on pygls.

What it does:

* diagnostics on ``didOpen``, ``didSave`` and ``didChange`` (debounced; the unsaved buffer
  is analysed), cleared on ``didClose``;
* hover over a layer call, a layer declaration or a model's line: the output shape and the
  parameter count (the editor-side twin of ``shapelint summary``);
* the configuration closest to each file (``[tool.shapelint]`` of a ``pyproject.toml``, or a
  ``shapelint.toml``) applies, as on the command line; saving or changing such a file
  re-lints the open documents; a bad one is reported with ``window/showMessage``.

The analyses run one at a time in a child process (:func:`shapelint.editor.worker_main`),
fed by a thread of the server: the event loop that answers requests never runs an analysis,
so a slow file delays neither hover nor shutdown, and a runaway one is stopped after
``timeout`` seconds.  A result is published only if the document has not changed since its
analysis started (otherwise the newer text is analysed next).

Settings (``initializationOptions``, or ``workspace/didChangeConfiguration`` under a
``shapelint`` key): ``debounce`` (milliseconds, default 250), ``select``, ``ignore``,
``extendSelect`` (lists of codes or prefixes), ``imageDataFormat``, ``config`` (a
``pyproject.toml``/``shapelint.toml`` to use for every file), ``timeout`` (seconds per
analysis, default 60), ``worker`` (``"process"``, the default, or ``"thread"``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.uris import to_fs_path

from . import __version__

logger = logging.getLogger("shapelint.lsp")

CONFIG_FILES = ("pyproject.toml", "shapelint.toml")
PYTHON_SUFFIXES = (".py", ".pyi")
DEFAULT_DEBOUNCE_MS = 250
DEFAULT_TIMEOUT_S = 60.0
HOVER_WAIT_S = 2.0  # a hover on a changed document waits this long for its fresh analysis
STARTUP_TIMEOUT_S = 120.0  # the analysis process's imports and warm-up (not counted in ``timeout``)


# ----------------------------------------------------------------------------- settings


def _codes_setting(key: str, value) -> List[str]:
    from .rules import RULES

    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("%s: expected a list of rule codes, got %r" % (key, value))
    codes = [v.strip().upper() for v in value if v.strip()]
    for code in codes:
        if code != "ALL" and not any(c.startswith(code) for c in RULES):
            raise ValueError("%s: %r matches no rule (see `shapelint rules`)" % (key, code))
    return codes


def parse_settings(raw: Any, base: Optional[Dict[str, Any]] = None, root: Optional[str] = None) -> Tuple[Dict[str, Any], List[str]]:
    """Validated settings from the client, on top of ``base``: (settings, error messages).

    Keys may be spelled ``extendSelect``, ``extend-select`` or ``extend_select``; a bad value
    is reported and the previous value kept.
    """
    settings = dict(base or default_settings())
    errors: List[str] = []
    if raw is None:
        return settings, errors
    if isinstance(raw, dict) and isinstance(raw.get("shapelint"), dict):
        raw = raw["shapelint"]
    if not isinstance(raw, dict):
        return settings, ["shapelint settings: expected an object, got %r" % (raw,)]
    for key, value in raw.items():
        norm = key.replace("-", "").replace("_", "").lower()
        try:
            if norm in ("debounce", "debouncems"):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError("%s: expected a number of milliseconds >= 0, got %r" % (key, value))
                settings["debounce"] = float(value) / 1000.0
            elif norm in ("timeout", "timeouts"):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError("%s: expected a number of seconds > 0, got %r" % (key, value))
                settings["timeout"] = float(value)
            elif norm == "worker":
                if value not in ("process", "thread"):
                    raise ValueError("%s: expected \"process\" or \"thread\", got %r" % (key, value))
                settings["worker"] = value
            elif norm in ("select", "ignore", "extendselect"):
                name = {"extendselect": "extend_select"}.get(norm, norm)
                settings[name] = _codes_setting(key, value) if value is not None else None
            elif norm == "imagedataformat":
                if value not in ("channels_last", "channels_first", None):
                    raise ValueError("%s: expected \"channels_last\" or \"channels_first\", got %r" % (key, value))
                settings["image_data_format"] = value
            elif norm in ("config", "configpath"):
                if value is not None and not isinstance(value, str):
                    raise ValueError("%s: expected a path, got %r" % (key, value))
                if value:
                    value = os.path.expanduser(value)
                    if not os.path.isabs(value) and root:
                        value = os.path.join(root, value)
                settings["config"] = value or None
            else:
                raise ValueError("unknown setting %r" % key)
        except ValueError as exc:
            errors.append("shapelint settings: %s" % exc)
    return settings, errors


def default_settings() -> Dict[str, Any]:
    return {
        "debounce": DEFAULT_DEBOUNCE_MS / 1000.0,
        "timeout": DEFAULT_TIMEOUT_S,
        "worker": "process",
        "select": None,
        "ignore": None,
        "extend_select": None,
        "image_data_format": None,
        "config": None,
    }


# ----------------------------------------------------------------------------- analysis workers


class ThreadWorker:
    """Analyses in the server's own process (the dispatcher thread): no isolation."""

    kind = "thread"

    def warm(self) -> None:
        from .editor import warm_up

        warm_up()

    def run(self, job: Dict[str, Any], timeout: float) -> Dict[str, Any]:
        from .editor import safe_analyse

        return safe_analyse(job)

    def stop(self) -> None:
        pass


class ProcessWorker:
    """Analyses in a child process (``shapelint.editor.worker_main``), restarted after a
    crash or a timeout.  The child ends by itself when the server's end of its pipe closes."""

    kind = "process"

    def __init__(self) -> None:
        self.proc: Optional[subprocess.Popen] = None
        self.answers: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self.lock = threading.Lock()
        self.stopped = False
        self.fallback: Optional[ThreadWorker] = None

    def _command(self) -> List[str]:
        # the child imports this very copy of shapelint, whatever its working directory holds
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = "import sys; sys.path.insert(0, %r); from shapelint.editor import worker_main; worker_main()" % package_parent
        return [sys.executable, "-c", code]

    def _start(self) -> Optional[str]:
        """Start the child and wait until it is warm: None, or why it failed."""
        try:
            self.proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None)
        except OSError as exc:
            # no child processes here: analyse in the server's process from now on
            logger.warning("shapelint: cannot start the analysis process (%s); analysing in the server's process", exc)
            self.proc = None
            self.fallback = ThreadWorker()
            return None
        answers: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self.answers = answers
        out = self.proc.stdout

        def pump() -> None:
            try:
                for line in iter(out.readline, b""):
                    answers.put(line)
            except (OSError, ValueError):
                pass
            answers.put(None)

        threading.Thread(target=pump, name="shapelint-worker-reader", daemon=True).start()
        proc = self.proc
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                line = answers.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                line = None
            if line is None:
                code = proc.poll()
                self._kill()
                return "the analysis process did not start (exit status %s)" % code
            if _message(line).get("ready"):
                return None

    def warm(self) -> None:
        with self.lock:
            if not self.stopped and self.fallback is None and (self.proc is None or self.proc.poll() is not None):
                self._start()
            if self.fallback is not None:
                self.fallback.warm()

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.kill()
            proc.wait(timeout=5)
        except Exception:
            pass

    def run(self, job: Dict[str, Any], timeout: float) -> Dict[str, Any]:
        with self.lock:
            if self.stopped:
                return {"id": job.get("id"), "error": "the server is shutting down"}
            if self.fallback is None and (self.proc is None or self.proc.poll() is not None):
                failure = self._start()
                if failure is not None:
                    return {"id": job.get("id"), "error": failure}
            if self.fallback is not None:
                return self.fallback.run(job, timeout)
            assert self.proc is not None and self.proc.stdin is not None
            try:
                self.proc.stdin.write(json.dumps(job).encode("utf-8") + b"\n")
                self.proc.stdin.flush()
            except (OSError, ValueError):
                self._kill()
                return {"id": job.get("id"), "error": "the analysis process ended unexpectedly"}
            deadline = time.monotonic() + timeout
            while True:
                try:
                    line = self.answers.get(timeout=max(deadline - time.monotonic(), 0.001))
                except queue.Empty:
                    self._kill()
                    return {"id": job.get("id"), "error": "the analysis took longer than %g s and was stopped" % timeout, "timeout": True}
                if line is None:
                    code = self.proc.poll() if self.proc is not None else None
                    self._kill()
                    return {"id": job.get("id"), "error": "the analysis process ended unexpectedly (exit status %s)" % code}
                answer = _message(line)
                if answer.get("id") == job.get("id") and "id" in answer:
                    return answer

    def stop(self) -> None:
        """End the child now: an analysis under way is abandoned (it only computes)."""
        self.stopped = True
        self._kill()


def _message(line: bytes) -> Dict[str, Any]:
    """A line of the analysis process: its JSON object, or {} for anything else (a stray
    print of some start-up hook before the worker took its standard output)."""
    try:
        msg = json.loads(line.decode("utf-8"))
    except ValueError:
        return {}
    return msg if isinstance(msg, dict) else {}


class Dispatcher:
    """One daemon thread running the jobs in order; each result goes to its callback."""

    def __init__(self, worker) -> None:
        self.worker = worker
        self.jobs: "queue.Queue[Optional[Tuple[Dict[str, Any], float, Callable]]]" = queue.Queue()
        self.stopped = False
        from . import stackroom

        # with the "thread" worker the analyses run here: a thread has a frame stack of its own
        self.thread = threading.Thread(target=stackroom.run, args=(self._loop,), name="shapelint-dispatcher", daemon=True)
        self.thread.start()

    def submit(self, job: Dict[str, Any], timeout: float, callback: Callable[[Dict[str, Any]], None]) -> None:
        self.jobs.put((job, timeout, callback))

    def warm(self) -> None:
        """Start (and warm) the worker now rather than on the first document."""
        self.jobs.put((None, 0.0, lambda result: None))

    def _loop(self) -> None:
        while True:
            item = self.jobs.get()
            if item is None or self.stopped:
                return
            job, timeout, callback = item
            if job is None:
                try:
                    self.worker.warm()
                except Exception:
                    logger.exception("shapelint: warm-up failed")
                continue
            try:
                result = self.worker.run(job, timeout)
            except Exception as exc:  # never lose the thread
                result = {"id": job.get("id"), "error": "%s: %s" % (type(exc).__name__, exc)}
            try:
                callback(result)
            except Exception:
                logger.exception("shapelint: result callback failed")

    def stop(self) -> None:
        self.stopped = True
        self.jobs.put(None)
        self.worker.stop()


# ----------------------------------------------------------------------------- stdin without locks


class _FdReader:
    """pygls's reader interface over a raw file descriptor, served by one daemon thread.

    pygls's own stdin reader runs in a thread pool that the interpreter waits for at exit, and
    a thread blocked in a buffered read of sys.stdin can abort the interpreter's shutdown; a
    daemon thread blocked in ``os.read`` does neither.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""
        self.eof = False
        self.requests: "queue.Queue[Tuple[str, int, asyncio.Future, asyncio.AbstractEventLoop]]" = queue.Queue()
        threading.Thread(target=self._loop, name="shapelint-stdin", daemon=True).start()

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _readline(self) -> bytes:
        while b"\n" not in self.buf and self._fill():
            pass
        i = self.buf.find(b"\n")
        end = len(self.buf) if i < 0 else i + 1
        line, self.buf = self.buf[:end], self.buf[end:]
        return line

    def _read(self, n: int) -> bytes:
        while len(self.buf) < n and self._fill():
            pass
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _loop(self) -> None:
        while True:
            what, n, fut, loop = self.requests.get()
            data = self._readline() if what == "line" else self._read(n)
            try:
                loop.call_soon_threadsafe(_resolve, fut, data)
            except RuntimeError:  # the loop is closed: the server has ended
                return

    def _request(self, what: str, n: int = 0) -> "asyncio.Future[bytes]":
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self.requests.put((what, n, fut, loop))
        return fut

    def readline(self):
        return self._request("line")

    def readexactly(self, n: int):
        return self._request("exact", n)


def _resolve(fut: "asyncio.Future", value) -> None:
    if not fut.done():
        fut.set_result(value)


# ----------------------------------------------------------------------------- the server


class DocState:
    """One open Python document."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.seq = 0  # bumped by every change of its text or of the settings that apply
        self.timer: Optional[asyncio.TimerHandle] = None
        self.running = False
        self.result: Optional[Dict[str, Any]] = None  # the published analysis (with its seq and lines)
        self.waiters: List[asyncio.Future] = []


class ShapelintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("shapelint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings: Dict[str, Any] = default_settings()
        self.docs: Dict[str, DocState] = {}
        self.dispatcher: Optional[Dispatcher] = None
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.next_job = 0
        self.shutdown_requested = False
        self.shown: set = set()  # messages already shown (each once per configuration change)
        self.converter = default_converter()

    # ---- helpers

    def root(self) -> Optional[str]:
        try:
            root = self.workspace.root_path
        except RuntimeError:
            return None
        return root or None

    def show(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        if message in self.shown:
            return
        self.shown.add(message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def ensure_dispatcher(self) -> Dispatcher:
        if self.dispatcher is None:
            worker: Any = ThreadWorker()
            if self.settings["worker"] == "process" and sys.executable:
                worker = ProcessWorker()
            self.dispatcher = Dispatcher(worker)
        return self.dispatcher

    @staticmethod
    def is_python(uri: str, language_id: Optional[str] = None) -> bool:
        if language_id is not None and language_id.lower() == "python":
            return True
        return uri.split("?", 1)[0].lower().endswith(PYTHON_SUFFIXES)

    def path_of(self, uri: str) -> str:
        if uri.startswith("file:"):
            path = to_fs_path(uri)
            if path:
                return path
        # an unsaved buffer: analysed as a file at the workspace root (its configuration applies)
        return os.path.join(self.root() or os.getcwd(), "untitled.py")

    # ---- scheduling

    def schedule(self, uri: str, delay: float) -> None:
        state = self.docs.get(uri)
        if state is None or self.shutdown_requested:
            return
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        loop = self.loop or asyncio.get_running_loop()
        if delay <= 0:
            self.start(uri)
        else:
            state.timer = loop.call_later(delay, self.start, uri)

    def start(self, uri: str) -> None:
        state = self.docs.get(uri)
        if state is None or self.shutdown_requested:
            return
        state.timer = None
        if state.running:
            return  # its completion sees the newer seq and starts again
        doc = self.workspace.get_text_document(uri)
        text = doc.source
        self.next_job += 1
        job = {
            "id": self.next_job,
            "uri": uri,
            "path": self.path_of(uri),
            "text": text,
            "settings": {k: self.settings[k] for k in ("select", "ignore", "extend_select", "image_data_format", "config")},
        }
        snapshot = (state.seq, doc.version, text, time.monotonic())
        state.running = True
        loop = self.loop
        assert loop is not None

        def done(result: Dict[str, Any]) -> None:
            loop.call_soon_threadsafe(self.finished, uri, state, snapshot, result)

        self.ensure_dispatcher().submit(job, self.settings["timeout"], done)

    def finished(self, uri: str, state: DocState, snapshot, result: Dict[str, Any]) -> None:
        state.running = False
        seq, version, text, started = snapshot
        if self.docs.get(uri) is not state or self.shutdown_requested:
            return  # closed (and cleared) meanwhile
        if seq != state.seq:
            if state.timer is None:
                self.start(uri)  # changed while running, and no debounce pending: go again
            return
        if result.get("error"):
            first = result["error"].splitlines()[0]
            self.log("shapelint: %s: %s" % (self.path_of(uri), result["error"]), types.MessageType.Error)
            self.show("shapelint could not analyse %s: %s" % (os.path.basename(self.path_of(uri)), first))
            self.wake(state)
            return
        if result.get("config_error"):
            self.show("shapelint: %s (the file is checked with the default settings until it is fixed)" % result["config_error"])
        lines = text.splitlines()
        diagnostics = [self.to_client_diagnostic(d, lines, uri) for d in result.get("diagnostics", [])]
        state.result = {"seq": seq, "version": version, "lines": lines, "hovers": result.get("hovers", [])}
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
        logger.debug("published %s v%s after %.1f ms", uri, version, (time.monotonic() - started) * 1000)
        self.wake(state)

    def wake(self, state: DocState) -> None:
        waiters, state.waiters = state.waiters, []
        for fut in waiters:
            _resolve(fut, None)

    def relint_all(self, new_configuration: bool = True) -> None:
        if new_configuration:
            self.shown.clear()  # a message about the old configuration may be shown again
        for uri, state in self.docs.items():
            state.seq += 1
            self.schedule(uri, 0)

    # ---- positions: the analysis counts code points; the client may count UTF-16 or UTF-8 units

    def _units(self, lines: List[str], line: int, character: int) -> int:
        if 0 <= line < len(lines):
            text = lines[line]
            if not text.isascii():
                return self.workspace.position_codec.client_num_units(text[:character])
        return character

    def to_client_range(self, rng: Dict[str, Any], lines: List[str]) -> Dict[str, Any]:
        start, end = rng["start"], rng["end"]
        return {
            "start": {"line": start["line"], "character": self._units(lines, start["line"], start["character"])},
            "end": {"line": end["line"], "character": self._units(lines, end["line"], end["character"])},
        }

    def to_client_diagnostic(self, d: Dict[str, Any], lines: List[str], uri: str) -> types.Diagnostic:
        d = dict(d)
        d["range"] = self.to_client_range(d["range"], lines)
        related = []
        for rel in d.get("relatedInformation", []):
            loc = rel["location"]
            if loc["uri"] == uri:
                loc = {"uri": uri, "range": self.to_client_range(loc["range"], lines)}
            related.append({"location": loc, "message": rel["message"]})
        if related:
            d["relatedInformation"] = related
        return self.converter.structure(d, types.Diagnostic)

    # ---- hover

    async def hover(self, uri: str, position: types.Position) -> Optional[types.Hover]:
        from .editor import find_hover

        state = self.docs.get(uri)
        if state is None:
            return None
        if state.result is None or state.result["seq"] != state.seq:
            if state.timer is not None:
                self.schedule(uri, 0)  # the user is waiting: no debounce
            fut = asyncio.get_running_loop().create_future()
            state.waiters.append(fut)
            try:
                await asyncio.wait_for(fut, HOVER_WAIT_S)
            except asyncio.TimeoutError:
                pass
        result = state.result
        if result is None or result["seq"] != state.seq or self.docs.get(uri) is not state:
            return None  # no analysis of the current text (yet): no answer rather than a stale one
        lines = result["lines"]
        pos = self.workspace.position_codec.position_from_client_units(lines, types.Position(position.line, position.character))
        entry = find_hover(result["hovers"], pos.line, pos.character)
        if entry is None:
            return None
        l0, c0, l1, c1 = entry["range"]
        rng = self.to_client_range({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}}, lines)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=entry["markdown"]),
            range=self.converter.structure(rng, types.Range),
        )

    # ---- running

    def run_stdio(self, stdin_fd: int, stdout) -> int:
        """Serve until ``exit`` or the end of input: 0 after a ``shutdown`` request, else 1."""
        from threading import Event

        self._stop_event = Event()
        self.protocol.set_writer(StdoutWriter(stdout))
        reader = _FdReader(stdin_fd)

        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await run_async(
                stop_event=self._stop_event,
                reader=reader,
                protocol=self.protocol,
                logger=logging.getLogger("pygls"),
                error_handler=self.report_server_error,
            )

        try:
            asyncio.run(main())
        except (KeyboardInterrupt, SystemExit, BrokenPipeError):
            pass
        finally:
            if self.dispatcher is not None:
                self.dispatcher.stop()
        return 0 if self.shutdown_requested else 1


def create_server() -> ShapelintServer:
    server = ShapelintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ShapelintServer, params: types.InitializeParams) -> None:
        settings, errors = parse_settings(params.initialization_options, root=ls.root())
        ls.settings = settings
        for message in errors:
            ls.show(message)

    @server.feature(types.INITIALIZED)
    def initialized(ls: ShapelintServer, params: types.InitializedParams) -> None:
        ls.loop = asyncio.get_running_loop()
        caps = ls.client_capabilities
        watched = caps.workspace.did_change_watched_files if caps.workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="shapelint-config-files",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[types.FileSystemWatcher(glob_pattern="**/" + name) for name in CONFIG_FILES]
                            ),
                        )
                    ]
                )
            )
        # import and warm the analysis now, not on the first keystroke (~0.5 s)
        ls.ensure_dispatcher().warm()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ShapelintServer, *args) -> None:
        ls.shutdown_requested = True
        for state in ls.docs.values():
            if state.timer is not None:
                state.timer.cancel()
        if ls.dispatcher is not None:
            ls.dispatcher.stop()
            ls.dispatcher = None

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ShapelintServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.loop = asyncio.get_running_loop()
        if not ls.is_python(doc.uri, doc.language_id):
            return
        state = ls.docs.get(doc.uri) or DocState(doc.uri)
        ls.docs[doc.uri] = state
        state.seq += 1
        ls.schedule(doc.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ShapelintServer, params: types.DidChangeTextDocumentParams) -> None:
        state = ls.docs.get(params.text_document.uri)
        if state is None:
            return
        state.seq += 1
        ls.schedule(state.uri, ls.settings["debounce"])

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: ShapelintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if os.path.basename(ls.path_of(uri)) in CONFIG_FILES:
            ls.relint_all()
            return
        if uri in ls.docs:
            # saved: the document at once (no debounce), and every other open one, since
            # the analysis follows a file's imports of the project's modules on disk
            ls.relint_all(new_configuration=False)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ShapelintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state = ls.docs.pop(uri, None)
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        ls.wake(state)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ShapelintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(os.path.basename(ls.path_of(change.uri)) in CONFIG_FILES for change in params.changes):
            ls.relint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: ShapelintServer, params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        if not isinstance(raw, dict) or not isinstance(raw.get("shapelint"), dict):
            return  # nothing for shapelint (some clients send every extension's settings)
        worker = ls.settings["worker"]
        settings, errors = parse_settings(raw, ls.settings, root=ls.root())
        settings["worker"] = worker  # chosen once, at start-up
        ls.settings = settings
        ls.relint_all()
        for message in errors:
            ls.show(message)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ShapelintServer, params: types.HoverParams) -> Optional[types.Hover]:
        return await ls.hover(params.text_document.uri, params.position)

    return server


def serve() -> int:
    """Run the server on standard input and output (``shapelint lsp``); the exit code."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="shapelint lsp: %(levelname)s %(message)s")
    # the protocol owns the real standard output; anything printed goes to standard error
    out_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    if sys.platform == "win32":  # no newline translation in the protocol's bytes
        import msvcrt

        msvcrt.setmode(sys.stdin.fileno(), os.O_BINARY)
        msvcrt.setmode(out_fd, os.O_BINARY)
    server = create_server()
    return server.run_stdio(sys.stdin.fileno(), os.fdopen(out_fd, "wb"))
