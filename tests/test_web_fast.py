"""web.fast: the job routes answered in uvicorn's protocol send the very bytes that the
Starlette path (api.JobEndpoint through uvicorn's ASGI cycle) sends, request for request.

The witness is the same app served by plain uvicorn: every raw request below goes to both
servers and the raw responses (status line, headers, body; no date header) must be equal.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager

import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

import derivtutor.web.jobs as jobs  # noqa: E402
from derivtutor.web.__main__ import http_protocol  # noqa: E402
from derivtutor.web.api import MAX_BODY  # noqa: E402
from derivtutor.web.app import create_app  # noqa: E402
from derivtutor.web.fast import JobProtocol, protocol, supported  # noqa: E402
from derivtutor.web.pool import NO_ANSWER, CommandPool  # noqa: E402

pytestmark = pytest.mark.skipif(not supported(), reason="the installed uvicorn is no release web.fast was "
                                "checked against: the server runs uvicorn's own protocol")


@pytest.fixture(scope="module")
def pool():
    pool = CommandPool(size=2, timeout=2.0)
    yield pool
    pool.close()


@contextmanager
def serving(app, fast: bool, root_path: str = ""):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = {"http": protocol(app)} if fast else {"http": "httptools"}
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False, date_header=False,
                            root_path=root_path, **extra)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def exchange(port: int, data: bytes, timeout: float = 30) -> bytes:
    """Everything the server sends back for ``data`` until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(1 << 16):
                out += chunk
        except ConnectionResetError:
            out += b"<reset>"
    return out


def post(path: str, body, *, close: bool = True, headers: bytes = b"") -> bytes:
    body = body if isinstance(body, bytes) else json.dumps(body).encode()
    return (b"POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n%s%sContent-Length: %d\r\n\r\n"
            % (path.encode(), b"Connection: close\r\n" if close else b"", headers, len(body))) + body


def chunked(path: str, parts: list[bytes]) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    return b"POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" % path.encode() + body


REQUESTS = {
    "check correct": post("/api/check", {"function": "tg x^2", "answer": "2x/cos^2 x^2"}),
    "check incorrect ru": post("/api/check", {"function": "x^3", "answer": "3x", "lang": "ru"}),
    "check exercise": post("/api/check", {"exercise": "chain-tg-x2", "answer": "2x/cos(x^2)"}),
    "check exercise typo": post("/api/check", {"exercise": "chain-tg-x2", "answer": "cso x", "lang": "ru"}),
    "check student": post("/api/check", {"exercise": "chain-sin-3x", "answer": "6cos 6x", "student": "petrov"}),
    "check unknown exercise": post("/api/check", {"exercise": "no-such-one", "answer": "1"}),
    "check invalid answer": post("/api/check", {"function": "sin x", "answer": "(" * 50}),
    "check script": post("/api/check", {"function": "sin x", "answer": "<script>alert(1)</script>"}),
    "check overflow": post("/api/check", {"function": "x", "answer": "2.9e573*x"}),
    "parse": post("/api/parse", {"text": "\\frac{1}{x}", "syntax": "latex"}),
    "parse error": post("/api/parse", {"text": "sin(x"}),
    "diff": post("/api/diff", {"function": "x^2 sin x", "lang": "ru"}),
    "bad json": post("/api/check", b"{"),
    "not an object": post("/api/parse?lang=ru", b"[1]"),
    "bad field": post("/api/check", {"function": "x", "answer": 5}),
    "bad lang": post("/api/check?lang=ru", {"function": "x", "answer": "1", "lang": "fr"}),
    "declared too large": b"POST /api/check HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
                          % (MAX_BODY + 1),
    "sent too large": chunked("/api/check", [b"x" * 20000, b"y" * 20000]),
    "chunked": chunked("/api/check", [b'{"function": "x', b'^2", "answer": "2x"}']),
    "escaped path": post("/api/%63heck", {"function": "x^2", "answer": "2x"}),
    "query": post("/api/check?lang=ru&x=1", {"function": "x^2", "answer": "2x"}),
    "http/1.0": post("/api/parse", {"text": "sin x"}, close=False).replace(b"HTTP/1.1", b"HTTP/1.0"),
    "expect 100-continue": post("/api/parse", {"text": "sin x"}, headers=b"Expect: 100-continue\r\n"),
    "keep-alive then close": post("/api/check", {"function": "x^2", "answer": "2x"}, close=False)
                             + post("/api/parse", {"text": "cos x"}),
    "pipelined": post("/api/check", {"function": "x^2", "answer": "2x"}, close=False)
                 + post("/api/check", {"exercise": "chain-tg-x2", "answer": "cso x"}, close=False)
                 + b"GET /api/exercises?lang=ru HTTP/1.1\r\nHost: t\r\n\r\n"
                 + post("/api/diff", {"function": "x^3"}),
    "get on a job route": b"GET /api/check HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    "no such route": post("/api/nothing", {}),
    "page": b"GET /?lang=ru HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
}


@pytest.mark.parametrize("root_path", ["", "/tutor"])
def test_the_protocol_sends_the_bytes_the_starlette_path_sends(pool, root_path):
    app = create_app(pool=pool)
    with serving(app, fast=False, root_path=root_path) as plain, serving(app, fast=True, root_path=root_path) as fast:
        for name, request in REQUESTS.items():
            expected = exchange(plain, request)
            assert expected.startswith(b"HTTP/1.1 "), name
            assert exchange(fast, request) == expected, name


def test_the_job_routes_do_not_go_through_the_asgi_app(pool, monkeypatch):
    # a witness that the fast path is the one taken: the ASGI app never sees a job route
    app = create_app(pool=pool)
    seen = []
    real = type(app).__call__

    async def spy(self, scope, receive, send):
        seen.append((scope["type"], scope.get("method"), scope.get("path")))
        return await real(self, scope, receive, send)

    monkeypatch.setattr(type(app), "__call__", spy)
    with serving(app, fast=True) as port:
        reply = exchange(port, REQUESTS["check correct"])
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b'"verdict": "correct"' in reply
        assert exchange(port, REQUESTS["page"]).startswith(b"HTTP/1.1 200 OK\r\n")
    assert ("http", "POST", "/api/check") not in seen and ("http", "GET", "/") in seen


class AskOnly:
    """A pool with only ``ask`` (no ``submit``): the protocol awaits it in a task."""

    def __init__(self, answer):
        self.answer, self.jobs = answer, []

    async def ask(self, job):
        self.jobs.append(job)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def close(self):
        pass


def test_a_pool_with_only_ask_and_an_unanswered_job(pool):
    for answer in (NO_ANSWER, (0, False, b'{"ok": 1}\n'), RuntimeError("the pool broke")):
        app = create_app(pool=AskOnly(answer))
        with serving(app, fast=False) as plain, serving(app, fast=True) as fast:
            request = post("/api/check", {"function": "x^2", "answer": "2x"})
            expected = exchange(plain, request)
            assert exchange(fast, request) == expected
        assert app.state.pool.jobs[0] == ("check", {"lang": "en", "exercise": None, "var": None, "function": "x^2",
                                                    "answer": "2x"})
    assert expected.startswith(b"HTTP/1.1 500 ")


def _spinning(real):
    def answer(job, bank):
        if job[1].get("answer") == "spin":
            while True:
                pass
        return real(job, bank)
    return answer


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "starlette"])
def test_a_stalled_worker_costs_its_own_request_only(monkeypatch, fast):
    # and the worker forked in its place holds no socket of the server's: the connection closes
    monkeypatch.setattr(jobs, "answer", _spinning(jobs.answer))   # the workers are forked with it
    pool = CommandPool(size=1, timeout=0.2)
    try:
        app = create_app(pool=pool)
        with serving(app, fast=fast) as port:
            first = pool.workers[0].process.pid
            start = time.monotonic()
            reply = exchange(port, post("/api/check", {"function": "x^2", "answer": "spin"}))
            assert time.monotonic() - start < 30
            assert reply.startswith(b"HTTP/1.1 422 ") and b'"check.timeout"' in reply
            assert pool.workers[0].process.pid != first    # the stalled worker was replaced
            reply = exchange(port, post("/api/check", {"function": "x^2", "answer": "2x"}))
            assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b'"verdict": "correct"' in reply
    finally:
        pool.close()


def test_the_protocol_is_uvicorns():
    assert issubclass(http_protocol(object())["http"], JobProtocol)


def test_requests_beyond_the_idle_workers_wait_for_one(pool):
    # more connections at once than workers: the ones that find no idle worker wait (``ask``)
    # and every answer is the one the Starlette path gives for the same request
    import concurrent.futures

    app = create_app(pool=pool)
    answers = [f"{k}x^{k - 1}" for k in range(2, 10)] + ["cso x", "(" * 20]
    requests = [post("/api/check", {"function": "x^9", "answer": a}) for a in answers]
    with serving(app, fast=False) as plain, serving(app, fast=True) as fast:
        expected = [exchange(plain, r) for r in requests]
        with concurrent.futures.ThreadPoolExecutor(len(requests)) as threads:
            got = list(threads.map(lambda r: exchange(fast, r), requests))
    assert got == expected
    assert sum(b'"verdict": "correct"' in e for e in expected) == 1
