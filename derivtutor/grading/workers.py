"""Isolated worker processes that check answers under a time and a memory limit.

Each worker is a long-lived process that checks one task at a time and sends
the outcome back through a pipe. The parent enforces a hard deadline: a worker
that is still busy after using ``timeout * 1.5 + 1`` CPU seconds on a task (or
after ``budget.WALL_FACTOR`` times that of wall time, if it is stuck without
using the CPU) is killed, its task scored as a time-out, and a fresh worker takes its place. A
worker also leaves after a cooperative time-out or a MemoryError (its memory
may be in a bad state), and one that dies (a crash) is replaced likewise.
Workers are *not* restarted per task: forking per answer would cost more than
checking it. Workers get the exercises from the grader when they are forked
(nothing is reloaded from disk), and they die with the grader, however it ends
(``die_with_parent``).

Tasks are routed by exercise (``derivtutor.grading.routing``): a worker keeps
getting the tasks of the exercises (or variants) it has checked before, because
the first check of an exercise pays its set-up and the worker's caches keep it.
The tasks are read as the workers need them, and read ahead while they are busy:
a grader that finds its tasks as it reads the class reads and checks at once.
A worker is forked when there is a first batch for it.

A worker is given its next batch while it still holds a few tasks (``LOW_WATER``),
so it never waits for the grader between batches; each outcome carries the
worker's own CPU clock, from which the grader times the next task without reading
/proc. The grader's objects are frozen out of the garbage collector before the
workers fork (``gc.freeze``), so a worker's collections do not copy the grader's
memory page by page.

``check_tasks`` reads its tasks lazily and reports each outcome as it comes;
``run_tasks`` is the list-in, list-out form:

>>> outcomes = run_tasks([("table-sin", "cos(x)", "auto")], jobs=1)   # doctest: +SKIP
>>> outcomes[0]["verdict"]                                             # doctest: +SKIP
'correct'
"""
from __future__ import annotations

import gc
import math
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import wait

from derivtutor.budget import WALL_FACTOR, WALL_SLACK, process_cpu_seconds
from derivtutor.grading.routing import LOOKAHEAD, _Router  # noqa: F401 -- LOOKAHEAD: this module's contract

#: Outcome statuses besides "graded" (the checker returned a verdict).
TIMEOUT, MEMORY, CRASH, ERROR = "timeout", "memory", "crash", "error"
#: Most tasks a worker holds at a time (each outcome still comes back as soon as it is known).
BATCH = 32
#: Tasks read from the source per turn of the loop while the workers are busy.
READ_STEP = 16
#: A worker holding this many tasks or fewer is given its next batch (so it never sits idle
#: while the grader answers); it holds at most one batch more than that.
LOW_WATER = 4
#: prctl option: the signal a process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def set_memory_limit(memory_mb: int | None) -> None:
    """Cap this process's address space at its current size plus ``memory_mb``."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover -- not on Windows
        return
    try:
        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        current = 0
    limit = current + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _outcome(status: str, verdict: str = "invalid", score: float = 0.0, **fields) -> dict:
    return {"status": status, "verdict": verdict, "score": score, "diagnosis": fields.get("diagnosis") or [],
            "message": fields.get("message", ""), "expected": fields.get("expected"), "reason": fields.get("reason", "")}


#: Diagnosis codes of a check that gave up, mapped to the outcome status they mean.
GAVE_UP = {"check.timeout": TIMEOUT, "backprop.timeout": TIMEOUT}


def outcome_from_result(result) -> dict:
    """The JSON-able part of a CheckResult that a gradebook needs (diagnosis as a list of codes)."""
    expected = getattr(result, "expected", None)
    diagnosis = getattr(result, "diagnosis", None) or []
    codes = [diagnosis] if isinstance(diagnosis, str) else [str(code) for code in diagnosis]
    status = next((GAVE_UP[c] for c in codes if c in GAVE_UP), "graded")
    return _outcome(status, result.verdict, float(result.score or 0.0), diagnosis=codes,
                    message=getattr(result, "message", "") or "", expected=None if expected is None else str(expected))


def check_one(exercises: dict, task: tuple, lang: str, timeout: float) -> tuple[dict, bool]:
    """Check one (exercise id, answer, syntax) task; returns (outcome, worker must leave)."""
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.course.bank import check_exercise

    exercise_id, answer, syntax = task  # exercise_id: a key of ``exercises``
    try:
        # The checker's own limit fires first; ours (a little later) catches checkers without one.
        with time_limit(timeout + 0.25):
            result = check_exercise(exercises[exercise_id], answer, lang=lang, syntax=syntax, timeout=timeout)
        outcome = outcome_from_result(result)
        return outcome, outcome["status"] != "graded"  # an interrupted check may leave caches half-built
    except TimeLimitExceeded:
        return _outcome(TIMEOUT, reason="time limit"), True
    except MemoryError:
        return _outcome(MEMORY, reason="memory limit"), True
    except RecursionError:
        return _outcome(ERROR, reason="RecursionError"), True
    except Exception as exc:  # a checker bug must cost one item, not the batch
        return _outcome(ERROR, reason=f"{type(exc).__name__}: {str(exc)[:200]}"), False


def die_with_parent(parent_pid: int) -> None:
    """Make this worker end when the grader does, however the grader ends (even SIGKILL).

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere a watcher thread polls the parent. A worker idle on its pipe also leaves
    at end-of-file, which is what a dead parent's pipe gives.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


def _worker_main(conn, exercises: dict, lang: str, timeout: float, memory_mb: int | None, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    set_memory_limit(memory_mb)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for index, task in batch:  # each outcome is sent as soon as it is known, with our CPU clock
            outcome, leave = check_one(exercises, task, lang, timeout)
            conn.send((index, outcome, leave, time.process_time()))
            if leave:
                return


class _Worker:
    """One worker and the tasks it holds, oldest first; its deadline moves with every outcome."""

    def __init__(self, context, config: tuple):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, *config), daemon=True)
        self.process.start()
        child.close()
        self.held = deque()
        self.deadline = None
        self.poller = select.poll() if hasattr(select, "poll") else None  # one per worker, not per message
        if self.poller is not None:
            self.poller.register(self.conn.fileno(), select.POLLIN)

    def has_message(self) -> bool:
        """Whether an outcome (or the end of the pipe) is waiting to be read."""
        return bool(self.poller.poll(0)) if self.poller is not None else self.conn.poll()

    def give(self, batch: list, hard_limit: float) -> None:
        idle = not self.held
        self.held.extend(batch)
        if idle:  # a worker already busy keeps the clock of the task it is on
            self.restart_clock(hard_limit)
        self.conn.send(batch)

    def restart_clock(self, hard_limit: float, cpu: float | None = None) -> None:
        """A new task starts: it may use ``hard_limit`` CPU seconds, within a wall-clock ceiling.

        ``cpu``: the worker's CPU clock as it reported it with its last outcome (else read from /proc)."""
        now = time.monotonic()
        self.deadline, self.hard_limit = now + hard_limit, hard_limit
        self.cpu_mark = cpu if cpu is not None else process_cpu_seconds(self.process.pid)
        self.ceiling = now + hard_limit * WALL_FACTOR + WALL_SLACK

    def out_of_time(self, now: float) -> bool:
        """Past the deadline by CPU (a loaded machine's slow wall clock is not the task's fault)."""
        if now < self.deadline:
            return False
        cpu = process_cpu_seconds(self.process.pid)
        if cpu is None or self.cpu_mark is None or now >= self.ceiling:
            return True
        left = self.hard_limit - (cpu - self.cpu_mark)
        if left <= 0:
            return True
        self.deadline = min(now + left, self.ceiling)
        return False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _context():
    # fork starts a worker in milliseconds with SymPy already imported; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(tasks: list, *, exercises: dict | None = None, exercises_dir=None, jobs: int | None = None,
              lang: str = "en", timeout: float = 2.0, memory_mb: int | None = 1024, on_done=None) -> list[dict]:
    """Check every task in isolated workers; returns one outcome dict per task, in task order.

    ``exercises`` maps the tasks' exercise keys to exercises (default: the bank in ``exercises_dir``).
    """
    if exercises is None:
        from derivtutor.course.bank import load_exercises

        exercises = load_exercises(exercises_dir)
    outcomes: list = [None] * len(tasks)

    def keep(index: int, outcome: dict) -> None:
        outcomes[index] = outcome
        if on_done is not None:
            on_done()

    check_tasks(enumerate(tasks), exercises=exercises, jobs=jobs, lang=lang, timeout=timeout,
                memory_mb=memory_mb, on_outcome=keep, total=len(tasks))
    return outcomes


def check_tasks(tasks, *, exercises: dict, on_outcome, jobs: int | None = None, lang: str = "en",
                timeout: float = 2.0, memory_mb: int | None = 1024, total: int | None = None) -> None:
    """Check ``tasks`` (an iterable of (index, task), read lazily) in isolated workers and call
    ``on_outcome(index, outcome)`` as each one ends, in any order.

    Tasks go to a worker up to ``BATCH`` at a time, all of one exercise, the one
    it set up before when there is one (``_Router``). ``tasks`` is read as far as an
    idle worker needs, and further (up to ``LOOKAHEAD`` in hand) while the workers
    are busy, so a source that does work as it is read runs beside the checks.
    """
    if total == 0:
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, total or jobs or os.cpu_count() or 1))
    context, config = _context(), (exercises, lang, timeout, memory_mb, os.getpid())
    hard_limit = timeout * 1.5 + 1.0
    router = _Router(iter(tasks), eager=False)
    frozen = hasattr(gc, "freeze") and context.get_start_method() == "fork"
    workers: list = [None] * jobs   # a slot's worker is forked with its first batch
    try:
        while True:
            # batches of a quarter of each worker's share: of the total, else of the tasks read so far
            size = max(1, min(BATCH, (total or router.count) // (4 * jobs)))
            router.steal_from = 2 * size
            _hand_out(workers, router, size, context, config, hard_limit, frozen)
            if not any(w is not None and w.held for w in workers):
                if router.done:
                    return
                _hand_out(workers, router, size, context, config, hard_limit, frozen, force=True)
                continue
            read = router.read(READ_STEP)  # read on while the workers check, then look at them again
            _collect(workers, context, config, on_outcome, router, hard_limit, block=not read)
    finally:
        for worker in workers:
            if worker is not None:
                worker.stop()
        if frozen:
            gc.unfreeze()


def _hand_out(workers: list, router: _Router, size: int, context, config: tuple, hard_limit: float,
              frozen: bool, force: bool = False) -> None:
    """Give each worker low on tasks its next batch (an idle one may have tasks read for it).

    While the source is still read (the grader may be busy reading for a while), a worker
    is kept a whole batch ahead."""
    low = LOW_WATER if router.exhausted else max(LOW_WATER, size)
    for slot, worker in enumerate(workers):
        if worker is not None and len(worker.held) > low:
            continue
        idle = worker is None or not worker.held
        batch = router.batch(slot, size, steal=idle, force=force and idle)
        if not batch:
            continue
        if worker is None:
            if frozen:
                gc.freeze()  # the grader's objects stay out of the workers' collections: fewer copied pages
            worker = workers[slot] = _Worker(context, config)
        try:
            worker.give(batch, hard_limit)
        except OSError:  # it died while idle: replace it, the tasks wait
            worker.stop()
            workers[slot] = _Worker(context, config)
            router.put_back(batch)


def _ready(busy: list, timeout: float) -> set:
    """The connections of ``busy`` workers with something to read, waiting up to ``timeout`` seconds
    (a poll object is cheap to build; ``multiprocessing.connection.wait`` builds a selector)."""
    if not hasattr(select, "poll"):
        return set(wait([w.conn for w in busy], timeout=timeout))
    poller, by_fd = select.poll(), {}
    for worker in busy:
        by_fd[worker.conn.fileno()] = worker.conn
        poller.register(worker.conn.fileno(), select.POLLIN)
    return {by_fd[fd] for fd, _ in poller.poll(math.ceil(timeout * 1000))}


def _collect(workers: list, context, config: tuple, on_outcome, router: _Router, hard_limit: float,
             block: bool = True) -> None:
    """Take the outcomes the workers have sent (waiting for one, or a deadline, when ``block``)."""
    busy = [w for w in workers if w is not None and w.held]
    soonest = min(w.deadline for w in busy)
    ready = _ready(busy, max(0.0, soonest - time.monotonic()) if block else 0.0)
    now = time.monotonic()
    for slot, worker in enumerate(workers):
        if worker is None or not worker.held:
            continue
        leave = False
        if worker.conn in ready:
            try:
                while worker.held and not leave and worker.has_message():
                    index, outcome, leave, cpu = worker.conn.recv()
                    worker.held.popleft()
                    worker.restart_clock(hard_limit, cpu)
                    on_outcome(index, outcome)
            except (EOFError, OSError):
                worker.process.join(1.0)
                index, _ = worker.held.popleft()
                on_outcome(index, _outcome(CRASH, reason=f"worker exited with code {worker.process.exitcode}"))
                leave = True
        elif worker.out_of_time(now):
            index, _ = worker.held.popleft()
            on_outcome(index, _outcome(TIMEOUT, reason="time limit (worker stopped)"))
            leave = True
        if leave:
            # The tasks it still held were never started (or are lost with it): they go to another worker.
            router.put_back(worker.held)
            worker.held.clear()
            worker.stop()
            workers[slot] = _Worker(context, config)
