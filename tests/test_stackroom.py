"""shapelint.stackroom: the analysis runs from a frame whose stack chunk has room, so its
recursion does not map and unmap a fresh chunk of CPython's frame stack each time its depth
crosses a chunk's end (Python 3.11 and later)."""

from __future__ import annotations

import sys

import pytest

from shapelint import stackroom


def test_run_calls_the_function_with_its_arguments():
    assert stackroom.run(lambda a, b=0, *, c: (a, b, c), 1, c=3) == (1, 0, 3)
    with pytest.raises(KeyError):
        stackroom.run({}.__getitem__, "missing")


def _oscillate(times: int = 200, depth: int = 600) -> None:
    def down(n):
        return 0 if n == 0 else down(n - 1) + 1

    for _ in range(times):
        assert down(depth) == depth


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and sys.implementation.name == "cpython" and sys.version_info >= (3, 11)),
    reason="the frame stack is made of chunks from CPython 3.11 on; page faults are read from Linux's rusage",
)
def test_recursion_that_goes_up_and_down_takes_no_fresh_pages_inside_run():
    import resource

    def faults(fn) -> int:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        fn()
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    _oscillate(times=5)  # the function's code and objects warmed up
    outside = faults(_oscillate)
    inside = faults(lambda: stackroom.run(_oscillate))
    # 600 small frames (about 60 KiB) cross the end of a 16 KiB chunk on each of the 200
    # descents outside; inside, they fit in the room and touch their pages once
    assert outside > 400
    assert inside * 5 < outside


def test_the_command_line_runs_its_command_in_the_room(monkeypatch, capsys):
    from shapelint import cli

    called = []
    real = stackroom.run

    def recording(fn, *args, **kwargs):
        called.append(fn.__name__)
        return real(fn, *args, **kwargs)

    monkeypatch.setattr(stackroom, "run", recording)
    assert cli.main(["rules"]) == 0
    assert called == ["_dispatch"]
    assert "SL101" in capsys.readouterr().out


def test_the_editor_dispatcher_runs_its_jobs_in_the_room(monkeypatch):
    """With the "thread" worker the analyses run on the dispatcher's thread, which has a
    frame stack of its own: the thread starts in the room."""
    import queue

    from shapelint import lsp

    entered = []
    real = stackroom.run

    def recording(fn, *args, **kwargs):
        entered.append(getattr(fn, "__name__", "?"))
        return real(fn, *args, **kwargs)

    monkeypatch.setattr(stackroom, "run", recording)

    class Worker:
        def run(self, job, timeout):
            return {"id": job["id"], "depth_ok": True}

        def stop(self):
            pass

    done: "queue.Queue[dict]" = queue.Queue()
    dispatcher = lsp.Dispatcher(Worker())
    dispatcher.submit({"id": 7}, 1.0, done.put)
    assert done.get(timeout=10) == {"id": 7, "depth_ok": True}
    dispatcher.stop()
    assert entered == ["_loop"]
