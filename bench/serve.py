"""The web API under load: /api/check through the worker pool against check_answer called directly.

    python bench/serve.py

Starts the app under uvicorn on 127.0.0.1 (a free port) and sends the bank's reference
answers plus 2% hostile ones, at concurrency 1 and 8, then calls ``check_answer``
directly on the same answers in this process. Prints requests/s, p50 and p99 of the
ordinary requests (the hostile ones apart), and the ratio to the direct cost.
All traffic stays on the loopback address; every loop is bounded.
"""
from __future__ import annotations

import concurrent.futures
import socket
import statistics
import threading
import time

import httpx
import uvicorn

from derivtutor.checking.checker import check_answer
from derivtutor.course.bank import load_exercises
from derivtutor.web.app import create_app

HOSTILE = ["(" * 3000, "x" * 3900, "9^9^9^9^9", "sin(" * 500 + "x" + ")" * 500, "<script>alert(1)</script>",
           "\\frac{" * 400]


def workload(total: int = 400) -> list[dict]:
    bank = [e for e in load_exercises().values() if e.kind == "derivative" and e.data.get("answer")]
    items = []
    for k in range(total):
        if k % 50 == 25:
            items.append({"function": "sin x", "answer": HOSTILE[(k // 50) % len(HOSTILE)], "hostile": True})
        else:
            e = bank[k % len(bank)]
            items.append({"function": e.data["function"], "var": e.data["variable"], "answer": e.data["answer"]})
    return items


def serve():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(workers=2), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def load(url: str, items: list[dict], concurrency: int):
    client = httpx.Client(base_url=url, timeout=30)

    def one(item):
        body = {k: v for k, v in item.items() if k != "hostile"}
        start = time.perf_counter()
        client.post("/api/check", json=body)
        return item.get("hostile", False), time.perf_counter() - start

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, items))
    wall = time.perf_counter() - start
    client.close()
    ordinary = sorted(t for hostile, t in results if not hostile)
    return len(items) / wall, ordinary


def pct(values, q):
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    items = workload()
    server, thread, url = serve()
    try:
        load(url, items[:40], 2)  # warm the workers' caches
        rows = [(c, *load(url, items, c)) for c in (1, 8)]
    finally:
        server.should_exit = True
        thread.join(10)
    direct = []
    for item in items:
        if not item.get("hostile"):
            check_answer(item["function"], item["answer"], item.get("var", "x"))  # warm
    for item in items:
        start = time.perf_counter()
        check_answer(item["function"], item["answer"], item.get("var", "x"))
        if not item.get("hostile"):
            direct.append(time.perf_counter() - start)
    direct.sort()
    base = statistics.median(direct)
    print(f"direct check_answer: median {1000 * base:.2f} ms, p99 {pct(direct, 0.99):.2f} ms")
    for concurrency, rate, ordinary in rows:
        median = statistics.median(ordinary)
        print(f"/api/check concurrency {concurrency}: {rate:.0f} requests/s, p50 {1000 * median:.2f} ms, "
              f"p99 {pct(ordinary, 0.99):.2f} ms (ordinary requests), p50 ratio to direct {median / base:.2f}x")


if __name__ == "__main__":
    main()
