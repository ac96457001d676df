"""The web API under load: /api/check through the worker pool against check_answer called directly.

    python bench/serve.py [--workers 2] [--rounds 3] [--client socket|http.client]

Starts ``python -m derivtutor.web`` (uvicorn, the pool of warm workers) on 127.0.0.1 at a
free port, and sends the bank's reference answers with keep-alive connections (a bare
socket by default: http.client's own header parsing would add about 0.15 ms a request):

* concurrency 1, paired: each request follows a direct ``check_answer`` of the same
  function, answer and variable (the options the API passes) in a warm process of the
  bench's own, so both see the same machine load; the ratio is p50 API / p50 direct;
* the same by exercise id (``{"exercise", "answer"}``, what the page sends) against
  ``check_exercise`` directly;
* concurrency 1 and 8, with and without 2% hostile answers (0.1 s to 1 s of work each,
  or parse bombs), interleaved for ``--rounds`` rounds: requests/s and p50/p99 of the
  ordinary requests only, as medians over the rounds.

Warmth is the same on both sides: before timing, the direct process checks every answer
once, and the server gets every answer in both forms three times at concurrency = workers
(so every worker gets work) and once at concurrency 1 (the pool reuses the worker that
finished last). So the repeated answers above are verdicts remembered on both sides
(``checking.memo``): the direct call is then a lookup of about 0.05 ms, and the ratio
weighs the HTTP and pool round trip against that lookup. Hence one more paired figure:

* concurrency 1, first-time checks: students' answers to the same exercises (the class
  ``bench/grade.py`` generates: common spellings, wrong answers, answers written their own
  way, unreadable ones; no hostile ones), one per distinct parsed answer, each checked
  once on each side, so neither the direct process nor any worker has its verdict (the
  exercises' own set-up is warm on both sides); half by function, the other half by
  exercise, so the two forms share no answer.

Every loop is bounded and all traffic stays on the loopback address.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

import sympy

from derivtutor.checking.checker import check_answer
from derivtutor.course.bank import check_exercise, load_exercises
from derivtutor.web.pool import SPARE

#: Answers that cost a worker 0.2 s to 1 s (the checker works them out), or nothing (parse bombs).
HOSTILE = ["(x+1)^99*(x+2)^99*(x+3)^99*(x+4)^99*(x+5)^99", "sqrt(1-sqrt(1-sqrt(1-sqrt(1-sqrt(1-x)))))^3",
           "(sin x+cos x)^300-(sin x-cos x)^300", "(x+1)^999*(x+2)^999", "(" * 3000, "9^9^9^9^9",
           "sin(" * 500 + "x" + ")" * 500, "<script>alert(1)</script>"]


def ordinary() -> list[dict]:
    bank = [e for e in load_exercises().values() if e.kind == "derivative" and e.data.get("answer")]
    return [{"function": e.data["function"], "var": e.data["variable"], "answer": e.data["answer"],
             "exercise": e.id} for e in bank]


def workload(items: list[dict], total: int, hostile: bool) -> list[dict]:
    out = []
    for k in range(total):
        if hostile and k % 50 == 25:  # 2%
            out.append({"function": "sin x", "var": "x", "answer": HOSTILE[(k // 50) % len(HOSTILE)], "hostile": True})
        else:
            out.append(items[k % len(items)])
    return out


def start_server(workers: int | None):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    size = ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen([sys.executable, "-m", "derivtutor.web", "--port", str(port), *size], stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/exercises")
            conn.getresponse().read()
            conn.close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _body(item: dict, by: str) -> bytes:
    keys = ("exercise", "answer") if by == "exercise" else ("function", "var", "answer")
    return json.dumps({k: item[k] for k in keys}).encode()


class Client:
    """One keep-alive HTTP/1.1 connection on a bare socket; ``check(item, by)`` -> seconds of one
    POST /api/check. The request goes out in one ``sendall`` and the response is read by its
    Content-Length: what a browser's HTTP stack does, at a few microseconds of client time,
    where http.client (``--client http.client``) spends about 0.15 ms per request parsing
    headers in Python, which is no part of the server's latency."""

    def __init__(self, port: int):
        self.port, self.sock, self.buffer = port, None, b""

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _fill(self, size: int) -> None:
        while len(self.buffer) < size:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        if self.sock is None:
            self._connect()
        self.sock.sendall(request)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill(len(self.buffer) + 1)
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
        start, length = end + 4, int(headers["content-length"])
        self._fill(start + length)
        body, self.buffer = self.buffer[start:start + length], self.buffer[start + length:]
        if headers.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return int(head[0].split()[1]), body

    def check(self, item: dict, by: str = "function") -> float:
        body = _body(item, by)
        for attempt in (1, 2):  # the server closes a connection idle for 5 s: open it again, once
            start = time.perf_counter()
            try:
                status, _ = self.post("/api/check", body)
                break
            except (ConnectionError, OSError):
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        assert status in (200, 422), status
        return elapsed


class HttpClient:
    """The same with the standard library's http.client (``--client http.client``)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def check(self, item: dict, by: str = "function") -> float:
        body = _body(item, by)
        for attempt in (1, 2):  # the server closes a connection idle for 5 s: open it again, once
            start = time.perf_counter()
            try:
                self.conn.request("POST", "/api/check", body=body, headers={"content-type": "application/json"})
                response = self.conn.getresponse()
                response.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                self.conn.close()
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        assert response.status in (200, 422), response.status
        return elapsed


CLIENTS = {"socket": Client, "http.client": HttpClient}


def direct(item: dict, by: str, bank: dict) -> float:
    start = time.perf_counter()
    if by == "exercise":
        check_exercise(bank[item["exercise"]], item["answer"])
    else:
        check_answer(item["function"], item["answer"], item["var"])
    return time.perf_counter() - start


def first_time(items: list[dict], students: int = 120, seed: int = 6) -> list[dict]:
    """Students' answers to the exercises of ``items``, one per distinct (function, variable,
    parsed answer; the text for one that does not parse), hostile ones left out, shuffled."""
    import grade   # bench/grade.py, beside this script: its class of students' answers

    from derivtutor.input.parsing import parse

    bank = load_exercises()
    by_id = {item["exercise"]: item for item in items}
    rows = grade.make_class(students, [bank[i] for i in by_id], seed)
    seen, out = set(), []
    for _, exercise, answer in rows:
        if answer in grade.HOSTILE:
            continue
        item = by_id[exercise]
        try:
            tree = sympy.srepr(parse(answer, "auto", (item["var"],)))
        except Exception:   # ParseError, or anything else the checker will refuse: its text
            tree = "text " + answer
        key = (item["function"], item["var"], tree)
        if key not in seen:
            seen.add(key)
            out.append({**item, "answer": answer})
    random.Random(seed).shuffle(out)
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time of the server and its workers, live and reaped (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = fh.read().split()
        for child in children:
            with open(f"/proc/{child}/stat") as fh:
                total += sum(int(v) for v in fh.read().rsplit(")", 1)[1].split()[11:13])
    except (OSError, IndexError, ValueError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


def _direct_process(conn, bank: dict) -> None:
    """Check each (item, form) sent, in this process, warm; send back (wall, CPU) seconds."""
    while (job := conn.recv()) is not None:
        start = time.process_time()
        wall = direct(*job, bank)
        conn.send((wall, time.process_time() - start))


class Direct:
    """The direct calls in a process of their own, so the HTTP client stays as light as a
    browser (a client that also does the checking is scheduled as a CPU hog, and its
    wake-ups after each response then wait longer on a loaded machine)."""

    def __init__(self, bank: dict):
        self.conn, child = multiprocessing.get_context("fork").Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=_direct_process, args=(child, bank))
        self.process.start()

    def __call__(self, item: dict, by: str) -> tuple[float, float]:
        self.conn.send((item, by))
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(30)


def paired(port: int, pid: int, items: list[dict], rounds: int, by: str, own_check: Direct,
           connect=Client) -> tuple[list, list, float]:
    """Wall times (direct, API) and the CPU ratio: server + workers per request / direct."""
    client, api, own, own_cpu, before = connect(port), [], [], 0.0, cpu_seconds(pid)
    for _ in range(rounds):
        for item in items:
            wall, cpu = own_check(item, by)
            own.append(wall)
            own_cpu += cpu
            api.append(client.check(item, by))
    return sorted(own), sorted(api), (cpu_seconds(pid) - before) / own_cpu


def load(port: int, items: list[dict], concurrency: int, connect=Client) -> tuple[float, list]:
    local = threading.local()

    def one(item):
        if not hasattr(local, "client"):
            local.client = connect(port)
        return item.get("hostile", False), local.client.check(item)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, items))
    wall = time.perf_counter() - start
    return len(items) / wall, sorted(t for hostile, t in results if not hostile)


def warm(port: int, items: list[dict], workers: int, connect=Client) -> None:
    """Every answer, both forms, to every worker (in expectation): passes at concurrency
    ``workers`` put them all to work; then one at concurrency 1 warms the one it reuses."""
    jobs = [(item, by) for item in items for by in ("function", "exercise")]
    local = threading.local()

    def one(job):
        if not hasattr(local, "client"):
            local.client = connect(port)
        local.client.check(*job)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for _ in range(3):
            list(pool.map(one, jobs))
    client = connect(port)
    for job in jobs:
        client.check(*job)


def mixes(port: int, items: list[dict], rounds: int, connect=Client) -> None:
    """Concurrency 1 and 8, without and with the hostile 2%, interleaved ``rounds`` times
    (the machine's load drifts between runs): medians over the rounds."""
    runs: dict = {}
    for _ in range(rounds):
        for concurrency in (1, 8):
            for hostile in (False, True):
                runs.setdefault((concurrency, hostile), []).append(load(port, workload(items, 400, hostile), concurrency, connect))
    for (concurrency, hostile), results in runs.items():
        rate = statistics.median(r for r, _ in results)
        p50 = statistics.median(statistics.median(t) for _, t in results)
        p99 = statistics.median(pct(t, 0.99) for _, t in results)
        print(f"concurrency {concurrency}, {'2% hostile' if hostile else 'no hostile'}: {rate:.0f} requests/s, "
              f"ordinary p50 {1000 * p50:.2f} ms, p99 {p99:.2f} ms (medians of {rounds} rounds)")


def pct(values: list, q: float) -> float:
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, help="pool size (default: the server's own)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="socket",
                        help="the HTTP client: a bare keep-alive socket (default) or http.client")
    opts = parser.parse_args()
    connect = CLIENTS[opts.client]
    items, bank = ordinary(), load_exercises()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {len(items)} bank answers; "
          f"{opts.workers or 'default'} workers; client {opts.client}")
    proc, port = start_server(opts.workers)
    own_check = Direct(bank)
    try:
        warm(port, items, opts.workers or (os.cpu_count() or 1) + SPARE, connect)
        for item in items:
            own_check(item, "function"), own_check(item, "exercise")
        for by, name in (("function", "check_answer"), ("exercise", "check_exercise")):
            own, api, cpu = paired(port, proc.pid, items, opts.rounds, by, own_check, connect)
            base, p50 = statistics.median(own), statistics.median(api)
            print(f"concurrency 1 by {by}: direct {name} p50 {1000 * base:.2f} ms, /api/check p50 {1000 * p50:.2f} ms "
                  f"p99 {pct(api, 0.99):.2f} ms, ratio {p50 / base:.2f}x; CPU (server + workers / direct) {cpu:.2f}x")
        fresh = first_time(items)
        for half, (by, name) in enumerate((("function", "check_answer"), ("exercise", "check_exercise"))):
            own, api, cpu = paired(port, proc.pid, fresh[half::2], 1, by, own_check, connect)
            base, p50 = statistics.median(own), statistics.median(api)
            print(f"concurrency 1, first-time checks by {by} ({len(own)} answers): direct {name} p50 {1000 * base:.2f} ms, "
                  f"/api/check p50 {1000 * p50:.2f} ms p99 {pct(api, 0.99):.2f} ms, ratio {p50 / base:.2f}x; "
                  f"CPU (server + workers / direct) {cpu:.2f}x")
        mixes(port, items, opts.rounds, connect)
    finally:
        own_check.close()
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
