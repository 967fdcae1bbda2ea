"""Room on CPython's frame stack for the analysis's deep, up-and-down recursion.

Since Python 3.11, the frames of Python functions live on a per-thread stack made of chunks
(16 KiB at first).  A call that does not fit in the current chunk gets a new chunk from
``mmap``; the return from the first frame of a chunk gives the chunk back with ``munmap``.
The analysis evaluates code by recursion (an expression in a call in a block in a function
...) whose depth goes up and down by tens of frames thousands of times per file, so each time
it crossed the end of a chunk it paid for an ``mmap``, a ``munmap`` and the page faults of a
fresh chunk: over the benchmark corpus, 440,000 page faults and about 3 s of system time in
a one-process run, 5 % of it.

:func:`run` calls a function from a frame that reserves a large value stack.  CPython gives
that frame a chunk of its own (512 KiB), and the frames called from it fill the rest of that
chunk (about 220 KiB: a thousand frames or more) before they need another.  The reserve is
never written to, so it costs one ``mmap``.  On Python 3.9 and 3.10 the frame is allocated
once, and nothing else changes.
"""

from __future__ import annotations

import types

ROOM = 36_000  # value-stack slots (8 bytes each) the calling frame reserves


def _call(fn, args, kwargs):
    return fn(*args, **kwargs)


_ROOMY = types.FunctionType(
    _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + ROOM), {"__builtins__": __builtins__}, "_call"
)


def run(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, with the frames it calls in one large chunk."""
    return _ROOMY(fn, args, kwargs)
