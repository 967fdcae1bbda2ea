"""Analysing files in worker processes (``--jobs``).

Workers are forked where the platform allows it (they start with shapelint, libcst and
the front-ends already imported), else spawned.  Each receives chunks of jobs over its
own pipe and answers each file with plain data: the result encoded by
:func:`shapelint.cache.encode_result` (no layer graph, no analysis objects) and the
project files its analysis read.  Results are put back in the files' order by the caller.
A job names its file and the SHA-256 the cache key was made from: a file that changed
since is analysed as it is now, and that result is not stored.

A worker that dies (a crash of the interpreter, a killed process) loses nothing but the
file it was analysing: the answers are sent file by file, so the first unanswered file of
its chunk is the one that killed it.  That file gets an SL003 diagnostic; the rest of the
chunk goes to a new worker.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from multiprocessing.connection import wait
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

# (path, its bytes or None to read it, the SHA-256 of the bytes the cache key was made
# from or None, settings, force, model expression, inputs)
Job = Tuple[str, Optional[bytes], Optional[str], Any, bool, Optional[str], Any]


def analyse(path: str, data: Optional[bytes], digest: Optional[str], settings, force: bool, model_expr, inputs):
    """(FileResult, the project paths its analysis read or looked for -- None when they
    were not recorded: no ``digest`` given, or the file no longer has it).  Raises
    :class:`~shapelint.analysis.ModelSelectionError`."""
    import gc

    from . import analysis

    _fresh_heap()
    analysis.AFTER_PARSE = _freeze_tree if gc.isenabled() else None
    try:
        return _analyse(path, data, digest, settings, force, model_expr, inputs)
    finally:
        analysis.AFTER_PARSE = None


def _analyse(path, data, digest, settings, force, model_expr, inputs):
    from . import analysis, project

    if data is None:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return analysis.analyze_file(path, settings), None  # the SL002 diagnostic
    record = digest is not None and hashlib.sha256(data).hexdigest() == digest
    if not record:
        return analysis.analyze_bytes(path, data, settings, model_expr, inputs, force=force), None
    project.READS = set()
    try:
        result = analysis.analyze_bytes(path, data, settings, model_expr, inputs, force=force)
        reads = project.READS
    finally:
        project.READS = None
    return result, reads


# The garbage collector, tuned for a run that analyses file after file: Python's default
# (a young collection every 700 allocations, the old generations re-walked as they grow)
# spent 40 % of a cold run walking the LibCST trees and interpreter objects, which are many
# and mostly long-lived while a file is analysed.  Before each file, what is still alive (the
# run's results and caches) is collected once and frozen out of later walks; during a file,
# a collection runs every 500,000 allocations, which still bounds the cyclic garbage.  The
# file's own tree is frozen as soon as it is parsed (_freeze_tree).
GC_THRESHOLD = (500_000, 1000, 1000)
# ... unless fewer objects than this were allocated (net) since the last collection
FRESH_MIN_ALLOCATIONS = 50_000
_STATE = {"interpreted": False}  # a file was interpreted since the last collection


def _fresh_heap() -> None:
    import gc

    if not gc.isenabled():
        return  # the embedding program manages collection itself
    if gc.get_threshold()[0] < GC_THRESHOLD[0]:
        gc.set_threshold(*GC_THRESHOLD)
    elif not _STATE["interpreted"] and gc.get_count()[0] < FRESH_MIN_ALLOCATIONS:
        return  # the previous file (skipped, filtered, small) left little: a young collection will do
    gc.collect()  # the previous file's interpreter objects, now unreachable
    gc.freeze()
    _STATE["interpreted"] = False


def _freeze_tree() -> None:
    """Called once the analysed file is parsed, before anything runs: its LibCST tree (half
    of what a collection walked, and alive until the file is done) is frozen too.  What is
    frozen here is the tree, the texts and what survived the collection before the file;
    nothing the interpreter builds (cycles that die with the file) is made yet."""
    import gc

    gc.freeze()
    _STATE["interpreted"] = True  # the freeze reset the counts: collect before the next file


def crash_result(path: str, settings, reason: str):
    """The result of a file whose analysis killed its worker process (its suppression
    comments apply as to any internal error)."""
    from .analysis import FileResult, decode_source
    from .diagnostics import Diagnostic, file_span
    from .rules import RULES
    from .suppression import finish

    try:
        with open(path, "rb") as fh:
            text = decode_source(fh.read())
    except Exception:
        text = None
    diag = Diagnostic("SL003", RULES["SL003"].severity, "Internal error while analysing this file: %s" % reason, path, file_span())
    return FileResult(path, finish([diag], text, settings, path), internal_error=True)


def _answer(index: int, job: Job):
    """What a worker sends back for one job."""
    from .analysis import ModelSelectionError
    from .cache import cacheable, dependency_hashes, encode_result

    try:
        result, reads = analyse(*job)
    except ModelSelectionError as exc:
        return ("usage", index, str(exc))
    deps = dependency_hashes(reads, _HASHES) if reads is not None and cacheable(result) else None
    return ("ok", index, encode_result(result), deps)


_HASHES: Dict[str, Optional[str]] = {}  # a worker's dependency hashes, for its run


def _worker_main(conn) -> None:
    from . import stackroom

    stackroom.run(_serve, conn)  # a forked worker has the parent's room already; a spawned one not


def _serve(conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
    _HASHES.clear()
    try:
        conn.send(("ready",))
    except (OSError, ValueError):
        return
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for index, job in chunk:
            try:
                answer = _answer(index, job)
            except Exception as exc:  # outside the analysis (encoding the result): this file only
                answer = ("error", index, "%s: %s" % (type(exc).__name__, exc))
            try:
                conn.send(answer)
            except (OSError, ValueError):
                return


def context():
    """Fork where available (workers inherit the imported modules), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def preload() -> None:
    """Import what every analysis needs, once, before forking the workers."""
    import libcst  # noqa: F401

    from .frontends import evaluator, keras, torch  # noqa: F401
    from . import flow, suppression  # noqa: F401


class WorkersUnavailable(Exception):
    """A worker process could not start: the caller analyses the rest itself."""


class _Worker:
    def __init__(self, ctx) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        # a forked child closes its sys.stdin first, which fails for a stand-in without
        # close() (the CLI's copy of piped input): the workers never read it
        saved, sys.stdin = sys.stdin, None
        try:
            self.process.start()
        finally:
            sys.stdin = saved
        child.close()  # only the worker holds its end: its death is an EOF here
        self.conn = parent
        self.ready = False  # it reached its loop (a death before that blames no file)
        self.pending: Deque[Tuple[int, Job]] = deque()
        self.region = 0  # the part of the jobs it works through first (run_jobs)

    def give(self, chunk: List[Tuple[int, Job]]) -> bool:
        self.pending.extend(chunk)
        try:
            self.conn.send(chunk)
        except (OSError, ValueError):
            return False
        return True

    def end(self, how: str) -> str:
        """Stop the worker; the reason it stopped (for a worker that died)."""
        if how == "ask":  # it has finished its work: let it leave
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        try:
            self.conn.close()
        except OSError:
            pass
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return "killed by signal %s" % signal.Signals(-code).name
            except ValueError:
                return "killed by signal %d" % -code
        return "exit code %s" % code


def guided_chunks(jobs: List, workers: int) -> List[List]:
    """The jobs in order, cut into chunks that shrink as the work left does (a fraction of
    what is left per worker, at most 16, at least 1): few messages at the start, and no
    worker left alone with a long last chunk at the end."""
    chunks, i = [], 0
    while i < len(jobs):
        size = max(1, min(16, (len(jobs) - i) // (workers * 4)))
        chunks.append(jobs[i:i + size])
        i += size
    return chunks


def region_chunks(jobs: List, workers: int) -> List[Deque[List]]:
    """The jobs cut into one contiguous region per worker (files of a directory tree mostly
    stay with one worker, which then parses the project modules they import once, not
    each worker again), each region cut into guided chunks."""
    n = len(jobs)
    regions = []
    for k in range(workers):
        part = jobs[k * n // workers:(k + 1) * n // workers]
        if part:
            regions.append(deque(guided_chunks(part, 1)))
    return regions


def run_jobs(
    jobs: Sequence[Tuple[int, Job]],
    workers: int,
    on_answer: Callable[[int, Tuple], None],
    stop_after: Callable[[], Optional[int]] = lambda: None,
) -> None:
    """Analyse ``jobs`` (index, job) in up to ``workers`` processes.  ``on_answer(index,
    answer)`` receives ``("ok", index, encoded result, deps)``, ``("usage", index, message)``,
    ``("error", index, reason)`` or ``("crash", index, reason)`` for every job, in the order
    they finish.  Chunks whose first index is past ``stop_after()`` are not started (a usage
    error was met)."""
    ctx = context()
    if ctx.get_start_method() == "fork":
        preload()
    # Each worker takes chunks from the front of its own region; one whose region is done
    # takes them from the back of the region with the most work left.
    regions = region_chunks(list(jobs), workers)
    live: Dict[Any, _Worker] = {}

    def left(r: Deque[List]) -> int:
        return sum(len(c) for c in r)

    def next_chunk(worker: _Worker) -> Optional[List[Tuple[int, Job]]]:
        while True:
            own = regions[worker.region]
            if own:
                chunk = own.popleft()
            else:
                busy = [r for r in regions if r]
                if not busy:
                    return None
                chunk = max(busy, key=left).pop()
            limit = stop_after()
            if limit is None or chunk[0][0] < limit:
                return chunk

    def feed(worker: _Worker) -> None:
        """Give the worker its next chunk, or end it when there is none."""
        while True:
            chunk = next_chunk(worker)
            if chunk is None:
                live.pop(worker.conn, None)
                worker.end("ask")
                return
            if worker.give(chunk):
                return
            lost(worker)  # it died before taking the chunk
            return

    def lost(worker: _Worker) -> None:
        """A worker died: its current file is the culprit, the rest of its chunk is redone."""
        live.pop(worker.conn, None)
        reason = worker.end("kill")
        if not worker.ready:
            raise WorkersUnavailable("a worker process ended before it started (%s)" % reason)
        if worker.pending:
            index, _ = worker.pending.popleft()
            on_answer(index, ("crash", index, "the worker process analysing it died (%s)" % reason))
            if worker.pending:
                regions[worker.region].appendleft(list(worker.pending))
        if any(regions):
            start(worker.region)

    def start(region: int) -> None:
        worker = _Worker(ctx)
        worker.region = region
        live[worker.conn] = worker
        feed(worker)

    try:
        for region in range(len(regions)):
            start(region)
        while live:
            for conn in wait(list(live)):
                worker = live.get(conn)
                if worker is None:
                    continue
                try:
                    answer = conn.recv()
                except (EOFError, OSError):
                    lost(worker)
                    continue
                if answer[0] == "ready":
                    worker.ready = True
                    continue
                index = answer[1]
                if worker.pending and worker.pending[0][0] == index:
                    worker.pending.popleft()
                on_answer(index, answer)
                if not worker.pending:
                    feed(worker)
    finally:
        for worker in list(live.values()):
            worker.end("kill")


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1
