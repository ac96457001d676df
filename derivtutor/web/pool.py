"""A pool of warm worker processes that answer the page's jobs on student text, under limits.

Each worker is forked once, with SymPy, the checker and the bank already loaded,
and then lives on: a job costs one round trip on its pipe (the job's fields out,
the exit code and the CLI's JSON back), not a fork, an import or an argv. What a
worker does with a job is ``derivtutor.web.jobs.answer``. As the grader's workers
(``derivtutor.grading.workers``) each one has an address-space limit, dies with
its parent, checks under ``time_limit``, and leaves after a time-out or a
MemoryError (its caches may be half-built); the pool kills a worker still busy at
the hard deadline and forks a fresh one in its place, so the request that
stalled it gets ``NO_ANSWER`` and no other request waits on it. There are SPARE
workers beyond one per core, so slow jobs do not take every worker. (Lowering a
slow job's CPU priority was tried: on a loaded machine it starves the job into
its time limit, and the fresh worker then starts with cold caches.)

The web API awaits ``ask(job)`` on the server's event loop (no thread per request);
``run(job)`` is the same for a caller with no loop.

>>> pool = CommandPool(size=1)                                       # doctest: +SKIP
>>> pool.run(("parse", {"text": "sin x"}))[0]                        # doctest: +SKIP
0
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import threading
from collections import deque

from derivtutor.grading.workers import die_with_parent, set_memory_limit

#: What a job that did not finish answers: (exit code, error, JSON text) with no text.
NO_ANSWER = (2, True, None)
#: Workers beyond one per core, so that a slow job or two (a hostile answer) leave every
#: core a worker for the ordinary ones.
SPARE = 2


def _serve(conn, bank: dict, timeout: float, memory_mb: int | None, parent_pid: int) -> None:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.web.jobs import answer

    die_with_parent(parent_pid)
    set_memory_limit(memory_mb)
    gc.freeze()  # the heap inherited warm: collections skip it (and so leave its pages shared)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            with time_limit(timeout + 0.5):  # the checker's own limit (timeout) fires first
                reply, leave = answer(job, bank)
        except (TimeLimitExceeded, MemoryError, RecursionError):
            reply, leave = NO_ANSWER, True
        except Exception:  # a command's bug costs its own request (and this worker), never the server
            reply, leave = NO_ANSWER, True
        conn.send((reply, leave))
        if leave:
            return


#: Jobs the server answers before forking: the first parse, steps, check, diagnosis and
#: typo suggestion in a process build the parser's and renderers' tables (about a
#: second), which would otherwise come out of each worker's first time limit.
WARM_UP = (("parse", {"text": "\\frac{1}{x} + arctg x"}), ("diff", {"expr": "x^2 sin x"}),
           ("check", {"function": "tg x^2", "answer": "2x/cos^2 x^2"}),
           ("check", {"function": "sin(x^3)", "answer": "cos(x^3)"}),
           ("check", {"function": "e^x ln x", "answer": "cso x"}))


def _warm(bank: dict) -> None:
    """Import the checker, the step engine and every command, and run WARM_UP (and one
    student's variant of a randomised exercise) before forking, so no worker spends its
    first job's time limit on that. Nothing is answered from it: workers check every job."""
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.course.variants import is_randomised
    from derivtutor.web.jobs import answer

    randomised = next((e.id for e in bank.values() if is_randomised(e)), None)
    variant = [("check", {"exercise": randomised, "answer": "0", "student": "warm-up"})] if randomised else []
    for job in [*WARM_UP, *variant]:
        try:
            with time_limit(30):
                answer(job, bank)
        except (TimeLimitExceeded, Exception):  # best effort: a worker meets the same again
            pass


class _Worker:
    def __init__(self, context, config: tuple):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, *config), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class CommandPool:
    """``size`` warm workers (default: one per core and SPARE more); ``ask(job)`` / ``run(job)`` give
    (exit code, whether the JSON is an error, the JSON text), or ``NO_ANSWER``."""

    def __init__(self, size: int | None = None, timeout: float = 2.0, memory_mb: int | None = 1024,
                 bank: dict | None = None):
        if bank is None:
            from derivtutor.course.bank import load_exercises

            bank = load_exercises()  # the bank `derivtutor check ID` reads
        _warm(bank)
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.config = (bank, timeout, memory_mb, os.getpid())
        self.hard_limit = timeout * 1.5 + 1.0
        self.lock = threading.Lock()
        self.workers = [_Worker(self.context, self.config) for _ in range(size or (os.cpu_count() or 1) + SPARE)]
        self.idle, self.waiting = deque(self.workers), deque()

    async def ask(self, job: tuple) -> tuple:
        """Answer ``job`` on the running event loop; waits for an idle worker first."""
        loop = asyncio.get_running_loop()
        worker = await self._acquire(loop)
        try:
            reply = await self._exchange(loop, worker, job)
        except BaseException:      # cancelled mid-job: its late answer must not reach the next job
            self._release(self._replace(worker))
            raise
        if reply is None or reply[1]:
            worker = await loop.run_in_executor(None, self._replace, worker)
        self._release(worker)
        return NO_ANSWER if reply is None else reply[0]

    def run(self, job: tuple) -> tuple:
        """``ask`` for a caller with no event loop: blocks for a worker and its answer."""
        worker = self._acquire_blocking()
        reply = None
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.hard_limit):
                reply = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            reply = None
        if reply is None or reply[1]:
            worker = self._replace(worker)
        self._release(worker)
        return NO_ANSWER if reply is None else reply[0]

    async def _exchange(self, loop, worker: _Worker, job: tuple):
        """Send the job and wait (without blocking the loop) for the reply or the hard deadline."""
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, _settle, ready, True)
        deadline = loop.call_later(self.hard_limit, _settle, ready, False)
        try:
            worker.conn.send(job)
            if await ready:
                return worker.conn.recv()
            return None
        except (EOFError, OSError, ValueError):
            return None
        finally:
            deadline.cancel()
            loop.remove_reader(fd)

    async def _acquire(self, loop) -> _Worker:
        with self.lock:
            if self.idle:
                return self.idle.pop()  # the last to finish: its caches are the warmest
            future = loop.create_future()
            self.waiting.append((loop, future))
        try:
            return await future
        except asyncio.CancelledError:  # cancelled just after a worker was handed over: hand it on
            if future.done() and not future.cancelled():
                self._release(future.result())
            raise

    def _acquire_blocking(self) -> _Worker:
        with self.lock:
            if self.idle:
                return self.idle.pop()
            slot: list = []
            event = threading.Event()
            self.waiting.append((None, (event, slot)))
        event.wait()
        return slot[0]

    def _release(self, worker: _Worker) -> None:
        """Give the worker to the first waiter (on its own loop), or put it back to idle."""
        with self.lock:
            if not self.waiting:
                self.idle.append(worker)
                return
            loop, waiter = self.waiting.popleft()
        if loop is None:
            event, slot = waiter
            slot.append(worker)
            event.set()
        else:
            loop.call_soon_threadsafe(self._hand, waiter, worker)

    def _hand(self, future, worker: _Worker) -> None:
        if future.cancelled():     # the waiter left: the next one (or the idle list) gets the worker
            self._release(worker)
        else:
            future.set_result(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = _Worker(self.context, self.config)
        with self.lock:
            self.workers = [fresh if w is worker else w for w in self.workers]
        return fresh

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.stop()


def _settle(future, value: bool) -> None:
    if not future.done():
        future.set_result(value)
