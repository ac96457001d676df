"""A pool of warm worker processes that answer the page's jobs on student text, under limits.

Each worker is forked once, with SymPy, the checker and the bank already loaded,
and then lives on: a job costs one round trip on its two pipes (the job's fields
out, the exit code and the CLI's JSON bytes back), not a fork, an import or an
argv. What a worker does with a job is ``derivtutor.web.jobs.answer``. As the
grader's workers (``derivtutor.grading.workers``) each one has an address-space
limit, dies with its parent, checks under ``time_limit``, and leaves after a
time-out or a MemoryError (its caches may be half-built); the pool kills a worker
still busy at the hard deadline and forks a fresh one in its place, so the
request that stalled it gets ``NO_ANSWER`` and no other request waits on it.
There are SPARE workers beyond one per core, so slow jobs do not take every
worker. (Lowering a slow job's CPU priority was tried: on a loaded machine it
starves the job into its time limit, and the fresh worker then starts with cold
caches.)

The round trip is kept to what it must do, since it is paid on every request:
one ``write`` each way, a length-prefixed message (``marshal`` of the job's
strings; the reply's JSON as the bytes of the HTTP body), and one pipe per
direction (a socket pair would wake the idle worker once more when the server
reads the reply). The worker's own backstop limit is the kernel's CPU timer
(``ITIMER_PROF``), not a second ``time_limit``, whose watchdog thread would be
woken on every job.

The web API awaits ``ask(job)`` on the server's event loop (the reply pipe is a
reader on the loop: no thread per request); ``run(job)`` is the same for a caller
with no loop.

>>> pool = CommandPool(size=1)                                       # doctest: +SKIP
>>> pool.run(("parse", {"text": "sin x"}))[0]                        # doctest: +SKIP
0
"""
from __future__ import annotations

import asyncio
import gc
import marshal
import multiprocessing
import os
import select
import struct
import threading
import time
from collections import deque

from derivtutor.web.worker import NO_ANSWER, _decode, _Message, _serve, _write

#: Workers beyond one per core, so that a slow job or two (a hostile answer) leave every
#: core a worker for the ordinary ones.
SPARE = 2
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
    """One worker process and the server's ends of its pipes: ``jobs`` (blocking writes: a
    job is far smaller than a pipe's buffer, and its worker is idle, reading) and
    ``replies`` (non-blocking, read as a reader on the event loop or with poll)."""

    def __init__(self, context, config: tuple, inherited: tuple):
        jobs_in, self.jobs = os.pipe()
        self.replies, replies_out = os.pipe()
        inherited = (*inherited, self.jobs, self.replies)   # the child keeps only its own ends
        self.process = context.Process(target=_serve, args=(jobs_in, replies_out, *config, inherited), daemon=True)
        try:
            self.process.start()
        finally:
            os.close(jobs_in)
            os.close(replies_out)
        os.set_blocking(self.replies, False)

    def send(self, job: tuple) -> None:
        _write(self.jobs, marshal.dumps(job))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        for fd in (self.jobs, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass


class CommandPool:
    """``size`` warm workers (default: one per core and SPARE more); ``ask(job)`` / ``run(job)`` give
    (exit code, whether the JSON is an error, the JSON as bytes), or ``NO_ANSWER``."""

    def __init__(self, size: int | None = None, timeout: float = 2.0, memory_mb: int | None = 1024,
                 bank: dict | None = None):
        if bank is None:
            from derivtutor.course.bank import load_exercises

            bank = load_exercises()  # the bank `derivtutor check ID` reads
        _warm(bank)
        gc.freeze()  # the server's warm heap too: its collections skip it (no long pause mid-request)
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.config = (bank, timeout, memory_mb, os.getpid())
        self.hard_limit = timeout * 1.5 + 1.0
        self.lock, self.forking = threading.Lock(), threading.RLock()
        self.workers: list[_Worker] = []
        for _ in range(size or (os.cpu_count() or 1) + SPARE):
            self.workers.append(self._fork())
        self.idle, self.waiting, self.tasks = deque(self.workers), deque(), set()

    def _fork(self) -> _Worker:
        with self.forking:   # no other fork between a worker's pipes and its start: none leaks to another
            inherited = tuple(fd for w in self.workers for fd in (w.jobs, w.replies))
            return _Worker(self.context, self.config, inherited)

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

    def submit(self, loop, job: tuple, done) -> None:
        """``ask`` with no task or coroutine, for a caller on ``loop`` (``web.fast``): sends ``job``
        to an idle worker now and calls ``done(answer)`` on the loop once it is answered (or
        ``NO_ANSWER``); with no worker idle, it waits as ``ask`` waits."""
        with self.lock:
            worker = self.idle.pop() if self.idle else None
        if worker is None:
            task = loop.create_task(self.ask(job))
            self.tasks.add(task)     # the loop holds its tasks weakly
            task.add_done_callback(lambda task: self._asked(task, done))
            return
        fd, finished = worker.replies, []

        def finish(payload) -> None:
            if finished:
                return
            finished.append(True)
            deadline.cancel()
            loop.remove_reader(fd)
            try:
                reply = _decode(payload) if payload else None
            except struct.error:
                reply = None
            if reply is not None and not reply[1]:
                self._release(worker)
                return done(reply[0])
            replaced = loop.run_in_executor(None, self._replace, worker)   # a fork: off the loop
            replaced.add_done_callback(lambda future: self._replaced(future, reply, done))

        loop.add_reader(fd, _reader(fd, finish))
        deadline = loop.call_later(self.hard_limit, finish, False)
        try:
            worker.send(job)
        except (OSError, ValueError):
            finish(False)

    def _asked(self, task, done) -> None:
        self.tasks.discard(task)
        done(NO_ANSWER if task.cancelled() or task.exception() is not None else task.result())

    def _replaced(self, future, reply, done) -> None:
        if not future.cancelled() and future.exception() is None:
            self._release(future.result())
        done(NO_ANSWER if reply is None else reply[0])

    def run(self, job: tuple) -> tuple:
        """``ask`` for a caller with no event loop: blocks for a worker and its answer."""
        worker = self._acquire_blocking()
        reply = None
        try:
            worker.send(job)
            reply = self._wait(worker, time.monotonic() + self.hard_limit)
        except (EOFError, OSError, ValueError, struct.error):
            reply = None
        if reply is None or reply[1]:
            worker = self._replace(worker)
        self._release(worker)
        return NO_ANSWER if reply is None else reply[0]

    @staticmethod
    def _wait(worker: _Worker, deadline: float):
        message, poller = _Message(), select.poll()
        poller.register(worker.replies, select.POLLIN)
        while (left := deadline - time.monotonic()) > 0:
            if not poller.poll(left * 1000):
                continue
            try:
                payload = message.feed(os.read(worker.replies, 1 << 16))
            except BlockingIOError:
                continue
            if payload is not None:
                return _decode(payload)
        return None

    async def _exchange(self, loop, worker: _Worker, job: tuple):
        """Send the job and wait (without blocking the loop) for the reply or the hard deadline."""
        ready, fd = loop.create_future(), worker.replies
        loop.add_reader(fd, _reader(fd, lambda payload: _settle(ready, payload)))
        deadline = loop.call_later(self.hard_limit, _settle, ready, False)
        try:
            worker.send(job)
            payload = await ready
            return _decode(payload) if payload else None
        except (OSError, ValueError, struct.error):
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
        with self.forking:   # its pipes are closed (and their numbers free) only once no fork can list them
            self.workers = [w for w in self.workers if w is not worker]
            worker.stop()
            fresh = self._fork()
            self.workers = [*self.workers, fresh]
        return fresh

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.send(None)
            except OSError:
                pass
            worker.stop()


def _reader(fd: int, whole):
    """The event loop's reader callback for a worker's reply pipe: reads what is there and calls
    ``whole(payload)`` once the reply is in, or ``whole(False)`` if the pipe fails or the worker
    sends more than one reply."""
    message = _Message()

    def readable() -> None:
        try:
            payload = message.feed(os.read(fd, 1 << 16))
        except BlockingIOError:
            return
        except (EOFError, OSError):
            payload = False
        if payload is not None:
            whole(payload)
    return readable


def _settle(future, value) -> None:
    if not future.done():
        future.set_result(value)
