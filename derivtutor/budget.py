"""Time limits that ``except Exception`` cannot swallow, on any thread.

A check of student input must end in bounded time. ``time_limit`` raises
``TimeLimitExceeded`` -- a ``BaseException``, so a stray ``except Exception`` in
SymPy or in our own code cannot absorb it -- inside the thread that runs the
block, by asking the interpreter to raise it asynchronously. Unlike
``signal.alarm`` this works off the main thread (web servers, Jupyter kernels,
thread pools). It interrupts Python bytecode, not a single long C call; the
parser's limits keep C calls short, and the grader adds a process-level kill
on top.

The limit counts the CPU seconds of the thread that runs the block, not the
wall clock, so a verdict does not depend on how loaded the machine is: on a
shared machine a 1 s check may take 8 s of wall time and still be the same
check. A block that waits without using the CPU is stopped after
``WALL_FACTOR`` times its limit of wall time (plus ``WALL_SLACK`` seconds).

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
import heapq
import itertools
import os
import threading
import time
from contextlib import contextmanager


class TimeLimitExceeded(BaseException):
    """Raised inside a block that ran past its time limit."""


#: A block's wall-clock ceiling is WALL_FACTOR * seconds + WALL_SLACK.
WALL_FACTOR, WALL_SLACK = 10.0, 5.0

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)


class _Watchdog:
    """One daemon thread that raises each block's exception when its deadline passes.

    A thread per block (threading.Timer) costs about a millisecond to start,
    more than a whole warm answer check; here entering a block is a heap push.
    """

    def __init__(self):
        self.cond = threading.Condition()
        self.heap: list = []
        self.counter = itertools.count()
        self.thread: threading.Thread | None = None

    def register(self, seconds: float, tid: int, expired: type) -> dict:
        clock = _thread_clock(tid)
        now = time.monotonic()
        entry = {"tid": tid, "exc": expired, "active": True, "fired": False, "clock": clock,
                 "cpu_start": _cpu(clock), "seconds": seconds, "ceiling": now + seconds * WALL_FACTOR + WALL_SLACK}
        with self.cond:
            heapq.heappush(self.heap, (now + seconds, next(self.counter), entry))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="derivtutor-time-limit", daemon=True)
                self.thread.start()
            self.cond.notify()
        return entry

    def cancel(self, entry: dict) -> None:
        with self.cond:  # firing happens under the same lock, so no race with it
            entry["active"] = False

    def run(self) -> None:
        with self.cond:
            while True:
                if not self.heap:
                    self.cond.wait()
                    continue
                deadline, _, entry = self.heap[0]
                if not entry["active"]:
                    heapq.heappop(self.heap)
                    continue
                now = time.monotonic()
                if deadline > now:
                    self.cond.wait(deadline - now)
                    continue
                heapq.heappop(self.heap)
                left = _cpu_left(entry, now)
                if left > 0:  # the thread has not used its CPU seconds yet: look again when it could have
                    heapq.heappush(self.heap, (min(now + left, entry["ceiling"]), next(self.counter), entry))
                    continue
                entry["fired"] = True
                _set_async_exc(ctypes.c_ulong(entry["tid"]), ctypes.py_object(entry["exc"]))


def _thread_clock(tid: int):
    try:
        return time.pthread_getcpuclockid(tid)
    except (AttributeError, OSError):  # no per-thread CPU clocks here: the wall clock alone decides
        return None


def _cpu(clock) -> float | None:
    try:
        return None if clock is None else time.clock_gettime(clock)
    except OSError:
        return None


def _cpu_left(entry: dict, now: float) -> float:
    """CPU seconds the block may still use (0: stop it now)."""
    used = _cpu(entry["clock"])
    if used is None or entry["cpu_start"] is None or now >= entry["ceiling"]:
        return 0.0
    return max(0.0, entry["seconds"] - (used - entry["cpu_start"]))


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux /proc), or None where unknown.

    >>> process_cpu_seconds(os.getpid()) >= 0
    True
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


_watchdog = _Watchdog()


def _reset_after_fork() -> None:
    global _watchdog
    _watchdog = _Watchdog()  # the parent's thread and lock do not exist in a forked child


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


@contextmanager
def time_limit(seconds: float | None):
    """Run the block with a limit of ``seconds`` (None or <= 0: no limit)."""
    expired = type("TimeLimitExceeded", (TimeLimitExceeded,), {"seconds": seconds})
    if seconds is None or seconds <= 0:
        yield expired
        return
    tid = threading.get_ident()
    watchdog = _watchdog
    entry = watchdog.register(seconds, tid, expired)
    try:
        yield expired
    finally:
        watchdog.cancel(entry)
        if entry["fired"]:
            # The exception may still be pending if it fired just as the block
            # ended; clear it so it cannot escape into unrelated code.
            _set_async_exc(ctypes.c_ulong(tid), ctypes.py_object())
