"""The floor of each hop of /api/check, measured the way bench/serve.py measures the whole.

    python bench/serve_hops.py [--rounds 3] [--requests 1000]

Each line is a median over ``--rounds`` interleaved rounds (p50 of each round), in microseconds:

* HTTP: an empty POST route (uvicorn + Starlette, as ``derivtutor serve`` runs them, answering
  a check's JSON at once), with a bare keep-alive socket and with http.client;
* + API: the real app with a pool that answers at once (the route's own code, no IPC);
* pool: the pool's round trip with a job the worker answers at once, blocking (``run``)
  and on uvloop (``ask``);
* HTTP + API + pool: the real app and pool, the worker answering at once;
* the same two with uvicorn's protocol answering the job routes itself (``web.fast``, as
  ``derivtutor serve`` runs);
* worker: ``web.jobs.answer`` (the CLI command's run, its JSON printed and read back) over
  ``check_answer`` / ``check_exercise`` called directly, paired per answer, CPU time;
* direct: ``check_answer`` itself, for scale.

Nothing is cached: the "answering at once" stubs return one fixed JSON text.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time

from serve import Client, HttpClient, ordinary

from derivtutor.checking.checker import check_answer
from derivtutor.course.bank import check_exercise, load_exercises

REPLY = json.dumps(check_answer("tg x^2", "2x/cos^2 x^2").to_dict(), ensure_ascii=False, indent=2) + "\n"
ITEM = {"function": "tg x^2", "var": "x", "answer": "2x/cos^2 x^2"}


def stub_answer(job, bank):
    return (0, False, REPLY), False


class StubPool:
    async def ask(self, job):
        return 0, False, REPLY.encode()

    def close(self):
        pass


def serve(kind: str, port: int) -> None:
    """The server of one hop, in a process of its own."""
    import uvicorn

    from derivtutor.web.__main__ import UVICORN

    if kind == "empty":
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        async def empty(request):
            await request.body()
            return Response(REPLY, media_type="application/json")

        app = Starlette(routes=[Route("/api/check", empty, methods=["POST"])])
    else:
        import derivtutor.web.jobs as jobs
        from derivtutor.web.app import create_app

        if kind.endswith("chain"):
            jobs.answer = stub_answer     # the workers are forked with it
        app = create_app(pool=StubPool() if kind.endswith("api") else None)
    if kind.startswith("fast"):
        from derivtutor.web.__main__ import http_protocol

        return uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN, **http_protocol(app))
    uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN)


def start(kind: str):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(port)], stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the {kind} server did not start")


def p50(times: list) -> float:
    return 1e6 * statistics.median(times)


def over_http(client, n: int) -> float:
    for _ in range(50):
        client.check(ITEM)
    return p50([client.check(ITEM) for _ in range(n)])


def pool_hops(n: int) -> tuple[float, float]:
    import uvloop

    import derivtutor.web.jobs as jobs
    from derivtutor.web.pool import CommandPool

    real, jobs.answer = jobs.answer, stub_answer
    try:
        pool = CommandPool(size=1)
    finally:
        jobs.answer = real
    job = ("check", {"function": ITEM["function"], "answer": ITEM["answer"], "var": "x", "lang": "en"})

    def blocking():
        start = time.perf_counter()
        pool.run(job)
        return time.perf_counter() - start

    async def on_loop():
        times = []
        for _ in range(n):
            start = time.perf_counter()
            await pool.ask(job)
            times.append(time.perf_counter() - start)
        return times

    try:
        for _ in range(50):
            blocking()
        return p50([blocking() for _ in range(n)]), p50(uvloop.run(on_loop()))
    finally:
        pool.close()


def worker_hop(items: list[dict], bank: dict) -> dict:
    from derivtutor.web.jobs import answer
    from derivtutor.web.pool import _warm

    _warm(bank)
    pairs = {
        "function": (lambda it: check_answer(it["function"], it["answer"], it["var"]),
                     lambda it: answer(("check", {"function": it["function"], "answer": it["answer"],
                                                  "var": it["var"], "lang": "en"}), bank)),
        "exercise": (lambda it: check_exercise(bank[it["exercise"]], it["answer"]),
                     lambda it: answer(("check", {"exercise": it["exercise"], "answer": it["answer"], "lang": "en"}),
                                       bank)),
    }
    out = {}
    for by, (direct, job) in pairs.items():
        own, extra = [], []
        for it in items * 5:
            start = time.thread_time()
            direct(it)
            middle = time.thread_time()
            job(it)
            own.append(middle - start)
            extra.append(time.thread_time() - middle - (middle - start))
        out[by] = (p50(own), p50(extra))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        return serve(opts.serve[0], int(opts.serve[1]))
    items, bank = ordinary(), load_exercises()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {opts.rounds} rounds of "
          f"{opts.requests} requests", flush=True)
    servers = {kind: start(kind) for kind in ("empty", "api", "chain", "fast-api", "fast-chain")}
    runs: dict = {}
    try:
        for _ in range(opts.rounds):
            for kind, (_, port) in servers.items():
                runs.setdefault((kind, "socket"), []).append(over_http(Client(port), opts.requests))
            runs.setdefault(("empty", "http.client"), []).append(over_http(HttpClient(servers["empty"][1]),
                                                                           opts.requests))
            blocking, on_loop = pool_hops(opts.requests)
            runs.setdefault("run", []).append(blocking)
            runs.setdefault("ask", []).append(on_loop)
            for by, (own, extra) in worker_hop(items, bank).items():
                runs.setdefault(("direct", by), []).append(own)
                runs.setdefault(("worker", by), []).append(extra)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(30)
    m = {key: statistics.median(values) for key, values in runs.items()}
    print(f"HTTP, empty route (uvicorn + Starlette): p50 {m['empty', 'socket']:.0f} us with a bare socket, "
          f"{m['empty', 'http.client']:.0f} us with http.client")
    print(f"HTTP + the API's route, a pool answering at once: p50 {m['api', 'socket']:.0f} us "
          f"(+{m['api', 'socket'] - m['empty', 'socket']:.0f} us)")
    print(f"pool round trip, the worker answering at once: p50 {m['run']:.0f} us blocking, {m['ask']:.0f} us on uvloop")
    print(f"HTTP + API + pool, the worker answering at once: p50 {m['chain', 'socket']:.0f} us")
    print(f"the same with the job routes in the protocol (web.fast): p50 {m['fast-api', 'socket']:.0f} us with a pool "
          f"answering at once, {m['fast-chain', 'socket']:.0f} us with the real pool")
    print(f"worker, jobs.answer over the direct call (CPU, paired): +{m['worker', 'function']:.0f} us by function, "
          f"+{m['worker', 'exercise']:.0f} us by exercise")
    print(f"direct (CPU): check_answer p50 {m['direct', 'function']:.0f} us, check_exercise p50 "
          f"{m['direct', 'exercise']:.0f} us; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
