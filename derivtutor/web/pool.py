"""A pool of worker processes that run CLI commands on student text, under limits.

Each worker is a long-lived forked process (SymPy already imported) that runs
``derivtutor.cli.main(argv)`` with its output captured and sends back the exit
code and the JSON it printed, so the web API answers exactly what the CLI would.
Like the grader's workers (``derivtutor.grading.workers``) each one has an
address-space limit, dies with its parent, and is killed and replaced when it
overruns the hard deadline; the request then gets a ``check.timeout`` answer and
no other request waits on it.

>>> pool = CommandPool(size=1)                                   # doctest: +SKIP
>>> pool.run(["parse", "--json", "--", "sin x"])[0]              # doctest: +SKIP
0
"""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import queue
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

from derivtutor.grading.workers import die_with_parent, set_memory_limit

MAX_OUTPUT = 1 << 20   # bytes of JSON a command may answer


def _serve(conn, timeout: float, memory_mb: int | None, parent_pid: int) -> None:
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.cli import main

    die_with_parent(parent_pid)
    set_memory_limit(memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        argv, stdin = job
        out, err = io.StringIO(), io.StringIO()
        sys.stdin = io.StringIO(stdin or "")
        try:
            with time_limit(timeout + 0.5), redirect_stdout(out), redirect_stderr(err):
                code = main(argv)
        except TimeLimitExceeded:
            conn.send((2, None))
            return
        except MemoryError:
            conn.send((2, None))
            return
        conn.send((code, out.getvalue()[:MAX_OUTPUT]))


def _warm() -> None:
    """Import the checker, the step engine and every command before forking, so no
    worker spends its first request's time limit on imports."""
    import importlib

    from derivtutor.cli import build_parser

    for module in ("derivtutor.checking.checker", "derivtutor.steps.engine", "derivtutor.course.bank"):
        importlib.import_module(module)
    build_parser()


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
    """``size`` workers; ``run(argv)`` blocks for a free one and returns (exit code, parsed JSON)."""

    def __init__(self, size: int | None = None, timeout: float = 2.0, memory_mb: int | None = 1024):
        _warm()
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.config = (timeout, memory_mb, os.getpid())
        self.hard_limit = timeout * 1.5 + 1.0
        self.idle: queue.Queue = queue.Queue()
        self.workers = [_Worker(self.context, self.config) for _ in range(size or os.cpu_count() or 1)]
        for worker in self.workers:
            self.idle.put(worker)

    def run(self, argv: list[str], stdin: str | None = None) -> tuple[int, dict | None]:
        """Run one command (``stdin``: the text it reads as standard input); (2, None) when
        the worker ran out of time or memory, or died."""
        worker = self.idle.get()
        try:
            worker.conn.send((argv, stdin))
            deadline = time.monotonic() + self.hard_limit
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                code, text = worker.conn.recv()
                if text is not None:
                    return code, json.loads(text) if text.strip() else None
            worker = self._replace(worker)
            return 2, None
        except (EOFError, OSError, ValueError):
            worker = self._replace(worker)
            return 2, None
        finally:
            self.idle.put(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = _Worker(self.context, self.config)
        self.workers = [fresh if w is worker else w for w in self.workers]
        return fresh

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.stop()
