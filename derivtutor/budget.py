"""Time limits that ``except Exception`` cannot swallow, on any thread.

A check of student input must end in bounded time. ``time_limit`` raises
``TimeLimitExceeded`` -- a ``BaseException``, so a stray ``except Exception`` in
SymPy or in our own code cannot absorb it -- inside the thread that runs the
block, by asking the interpreter to raise it asynchronously. Unlike
``signal.alarm`` this works off the main thread (web servers, Jupyter kernels,
thread pools). It interrupts Python bytecode, not a single long C call; the
parser's limits keep C calls short, and the grader adds a process-level kill
on top.

>>> with time_limit(1.0) as expired:
...     total = sum(range(10))
>>> total
45

Each block raises its own subclass of ``TimeLimitExceeded`` (the value the
``with`` statement binds), so nested limits stay apart: ``except expired``
catches this block's time-out and lets an enclosing block's pass through.
"""
from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager


class TimeLimitExceeded(BaseException):
    """Raised inside a block that ran past its time limit."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)


@contextmanager
def time_limit(seconds: float | None):
    """Run the block with a limit of ``seconds`` (None or <= 0: no limit)."""
    expired = type("TimeLimitExceeded", (TimeLimitExceeded,), {"seconds": seconds})
    if seconds is None or seconds <= 0:
        yield expired
        return
    tid = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire():
        with lock:
            if state["active"]:
                state["fired"] = True
                _set_async_exc(ctypes.c_ulong(tid), ctypes.py_object(expired))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        with lock:
            state["active"] = False
        timer.cancel()
        if state["fired"]:
            # The exception may still be pending if it fired just as the block
            # ended; clear it so it cannot escape into unrelated code.
            _set_async_exc(ctypes.c_ulong(tid), ctypes.py_object())
