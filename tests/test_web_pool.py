"""The web pool's round trip: long replies, the worker's own CPU backstop, no pipe shared between
workers, and the API's POST routes dispatched as Starlette would route them."""
from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

import derivtutor.web.jobs as jobs  # noqa: E402
from derivtutor.web.app import create_app  # noqa: E402
from derivtutor.web.pool import NO_ANSWER, CommandPool  # noqa: E402

BIG = 300_000   # characters: several times a pipe's buffer


def _answer(real):
    """The worker's answer, with two test jobs: ``big`` (a long JSON reply) and ``spin``
    (20 CPU seconds before answering, unless something stops it first)."""
    def answer(job, bank):
        command, fields = job
        if command == "big":
            return (0, False, json.dumps({"text": "ж" * BIG})), False
        if command == "spin":
            end = time.process_time() + 20.0
            while time.process_time() < end:
                pass
            return (0, False, "{}"), False
        return real(job, bank)
    return answer


@pytest.fixture
def test_jobs(monkeypatch):
    monkeypatch.setattr(jobs, "answer", _answer(jobs.answer))   # the workers are forked with it


def test_a_reply_longer_than_a_pipe_buffer_arrives_whole(test_jobs):
    pool = CommandPool(size=1)
    try:
        code, failed, body = pool.run(("big", {}))
        assert (code, failed) == (0, False) and json.loads(body)["text"] == "ж" * BIG
        code, failed, body = asyncio.run(pool.ask(("big", {})))
        assert json.loads(body)["text"] == "ж" * BIG
        code, failed, body = pool.run(("parse", {"text": "x^2"}))   # the same worker, in step
        assert json.loads(body)["expression"] == "x**2"
    finally:
        pool.close()


def test_a_job_past_its_cpu_backstop_is_stopped_by_its_own_worker(test_jobs):
    # timeout 0: the backstop is 0.5 CPU seconds; the hard deadline is far, so only the backstop
    # can end the 20 s job (without it the answer would be "{}", not NO_ANSWER)
    pool = CommandPool(size=1, timeout=0.0)
    pool.hard_limit = 600.0
    try:
        first = pool.workers[0].process.pid
        assert pool.run(("spin", {})) == NO_ANSWER
        assert pool.workers[0].process.pid != first
        code, failed, body = pool.run(("parse", {"text": "sin x"}))
        assert (code, json.loads(body)["expression"]) == (0, "sin(x)")
    finally:
        pool.close()


def _pipes(pid: int) -> set:
    folder = f"/proc/{pid}/fd"
    return {os.readlink(f"{folder}/{fd}") for fd in os.listdir(folder) if os.readlink(f"{folder}/{fd}").startswith("pipe:")}


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_no_worker_holds_another_workers_pipes():
    # were a reply pipe's write end held by another worker too, a dead worker's pipe would never
    # reach end-of-file and its request would wait for the hard deadline
    pool = CommandPool(size=3)

    async def every_worker():                                   # three at once: each worker gets one
        await asyncio.gather(*(pool.ask(("parse", {"text": "x"})) for _ in pool.workers))

    try:
        pool.idle[-1].process.kill()                            # the next one to be used
        assert pool.run(("parse", {"text": "x"})) == NO_ANSWER  # a crash: replaced by a fresh fork
        asyncio.run(every_worker())
        for worker in pool.workers:
            own = {f"pipe:[{os.fstat(fd).st_ino}]" for fd in (worker.jobs, worker.replies)}
            others = {f"pipe:[{os.fstat(fd).st_ino}]" for w in pool.workers if w is not worker
                      for fd in (w.jobs, w.replies)}
            held = _pipes(worker.process.pid)
            assert own <= held and not held & others
    finally:
        pool.close()


@pytest.fixture(scope="module")
def pool():
    pool = CommandPool(size=1)
    yield pool
    pool.close()


def test_the_api_routes_below_a_root_path_and_refuse_other_methods(pool):
    with TestClient(create_app(pool=pool), root_path="/tutor") as client:
        response = client.post("/tutor/api/check", json={"function": "x^3", "answer": "3x^2"})
        assert response.status_code == 200 and response.json()["verdict"] == "correct"
        assert client.post("/tutor/api/parse", json={"text": "sin x"}).json()["expression"] == "sin(x)"
    with TestClient(create_app(pool=pool)) as client:
        assert client.get("/api/check").status_code == 405
        assert client.post("/api/nothing", json={}).status_code == 404
        assert client.post("/api/diff", json={"function": "x^2"}).json()["derivative"] == "2*x"
