"""Isolated worker processes that check answers under a time and a memory limit.

Each worker is a long-lived process that checks one task at a time and sends
the outcome back through a pipe. The parent enforces a hard deadline: a worker
that is still busy ``timeout * 1.5 + 1`` seconds after it got a task is
killed, its task scored as a time-out, and a fresh worker takes its place. A
worker also leaves after a cooperative time-out or a MemoryError (its memory
may be in a bad state), and one that dies (a crash) is replaced likewise.
Workers are *not* restarted per task: forking per answer would cost more than
checking it.

``run_tasks`` is the whole interface:

>>> outcomes = run_tasks([("table-sin", "cos(x)", "auto")], jobs=1)   # doctest: +SKIP
>>> outcomes[0]["verdict"]                                             # doctest: +SKIP
'correct'
"""
from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.connection import wait

#: Outcome statuses besides "graded" (the checker returned a verdict).
TIMEOUT, MEMORY, CRASH, ERROR = "timeout", "memory", "crash", "error"


def _set_memory_limit(memory_mb: int | None) -> None:
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


def check_one(bank: dict, task: tuple, lang: str, timeout: float) -> tuple[dict, bool]:
    """Check one (exercise id, answer, syntax[, variant label]) task; returns (outcome, worker must leave)."""
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.course.bank import check_exercise
    from derivtutor.course.variants import variant_of

    exercise_id, answer, syntax, *variant = task
    try:
        # The checker's own limit fires first; ours (a little later) catches checkers without one.
        with time_limit(timeout + 0.25):
            exercise = variant_of(bank[exercise_id], variant[0] if variant else None)
            result = check_exercise(exercise, answer, lang=lang, syntax=syntax, timeout=timeout)
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


def _worker_main(conn, exercises_dir, lang: str, timeout: float, memory_mb: int | None) -> None:
    from derivtutor.course.bank import load_exercises

    bank = load_exercises(exercises_dir)
    _set_memory_limit(memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, task = message
        outcome, leave = check_one(bank, task, lang, timeout)
        conn.send((index, outcome, leave))
        if leave:
            return


class _Worker:
    def __init__(self, context, config: tuple):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, *config), daemon=True)
        self.process.start()
        child.close()
        self.index = None
        self.deadline = None

    def give(self, index: int, task: tuple, hard_limit: float) -> None:
        self.index, self.deadline = index, time.monotonic() + hard_limit
        self.conn.send((index, task))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _context():
    # fork starts a worker in milliseconds with SymPy already imported; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(tasks: list, *, exercises_dir=None, jobs: int | None = None, lang: str = "en",
              timeout: float = 2.0, memory_mb: int | None = 1024, on_done=None) -> list[dict]:
    """Check every task in isolated workers; returns one outcome dict per task, in task order."""
    if not tasks:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    context, config = _context(), (exercises_dir, lang, timeout, memory_mb)
    hard_limit = timeout * 1.5 + 1.0
    outcomes: list = [None] * len(tasks)
    pending = list(range(len(tasks) - 1, -1, -1))  # popped from the end: task order
    workers = [_Worker(context, config) for _ in range(jobs)]
    try:
        while pending or any(w.index is not None for w in workers):
            for slot, worker in enumerate(workers):
                if worker.index is None and pending:
                    index = pending.pop()
                    try:
                        worker.give(index, tasks[index], hard_limit)
                    except OSError:  # it died while idle: replace it, the task waits
                        worker.stop()
                        workers[slot] = _Worker(context, config)
                        pending.append(index)
            _collect(workers, outcomes, context, config, on_done)
    finally:
        for worker in workers:
            worker.stop()
    return outcomes


def _collect(workers: list, outcomes: list, context, config: tuple, on_done) -> None:
    busy = [w for w in workers if w.index is not None]
    soonest = min(w.deadline for w in busy)
    ready = wait([w.conn for w in busy], timeout=max(0.0, soonest - time.monotonic()))
    now = time.monotonic()
    for slot, worker in enumerate(workers):
        if worker.index is None:
            continue
        outcome, leave = None, True
        if worker.conn in ready:
            try:
                _, outcome, leave = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(1.0)
                outcome = _outcome(CRASH, reason=f"worker exited with code {worker.process.exitcode}")
        elif now >= worker.deadline:
            outcome = _outcome(TIMEOUT, reason="time limit (worker stopped)")
        if outcome is None:
            continue
        outcomes[worker.index] = outcome
        worker.index = None
        if on_done is not None:
            on_done()
        if leave:
            worker.stop()
            workers[slot] = _Worker(context, config)
