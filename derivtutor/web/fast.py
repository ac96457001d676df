"""uvicorn's httptools protocol, with the API's POST routes answered in the protocol itself.

``derivtutor serve`` runs the app under uvicorn with ``http=protocol(app)``. A POST to
``/api/check``, ``/api/parse`` or ``/api/diff`` (the requests the page sends on every
keystroke and every check) is read by this protocol and handed to the pool as one job
when its body is in, with no ASGI scope, task, receive or send around it; the response
is written as uvicorn writes the ``api.JobEndpoint`` one (the same status line, uvicorn's
default headers, then ``content-length`` and ``content-type``), so the bytes are the same.
Everything else (the page, the static files, the bank, other methods, a request that must
wait behind one in flight, ``Expect: 100-continue``, any request when the access log is on) goes through uvicorn and Starlette as
before.

The job's steps are the endpoint's own (``api.JobEndpoint.job`` and ``.response``): the
same checks of every field, the same 413 for a body over ``api.MAX_BODY``.

The protocol reads uvicorn's internals (the request cycle, ``STATUS_LINE``, the server's
default headers), which no release promises to keep: ``supported()`` says whether the
installed uvicorn is a release this module was checked against (``CHECKED``), and
``python -m derivtutor.web`` leaves uvicorn its own protocol on any other (every request then
goes through Starlette, as the ones above always do: slower, never different).
"""
from __future__ import annotations

import urllib.parse

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from derivtutor.web import api

_JSON, _TEXT = b"content-type: application/json\r\n", b"content-type: text/plain; charset=utf-8\r\n"
#: uvicorn releases (major, minor) whose internals this protocol was checked against.
CHECKED = frozenset({(0, 55)})


def supported(version: str | None = None) -> bool:
    """Is uvicorn ``version`` (default: the installed one) a release in ``CHECKED``?"""
    if version is None:
        import uvicorn

        version = uvicorn.__version__
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) in CHECKED


def protocol(app) -> type:
    """The protocol class for uvicorn's ``http=`` that answers ``app``'s job routes itself."""
    return type("JobProtocol", (JobProtocol,), {"api_app": app})


class _Job:
    """One job request in flight: what uvicorn's protocol reads of a request cycle
    (``response_complete``, ``disconnected``, ``keep_alive``, ``message_event``), and the body."""

    __slots__ = ("endpoint", "lang", "keep_alive", "body", "response_complete", "disconnected", "message_event")

    def __init__(self, endpoint, lang: str, keep_alive: bool):
        self.endpoint, self.lang, self.keep_alive = endpoint, lang, keep_alive
        self.body, self.response_complete, self.disconnected = b"", False, False
        self.message_event = self

    def set(self) -> None:   # uvicorn sets the cycle's message_event on a disconnect: nothing waits here
        pass


class JobProtocol(HttpToolsProtocol):
    api_app = None   # the Starlette app (its state holds the pool), set by ``protocol(app)``

    def on_headers_complete(self) -> None:
        parser, cycle = self.parser, self.cycle
        if (parser.get_method() == b"POST" and not self.expect_100_continue and self.limit_concurrency is None
                and not self.access_log and (cycle is None or cycle.response_complete) and not parser.should_upgrade()):
            path = httptools.parse_url(self.url)
            route = path.path.decode("ascii")
            if "%" in route:
                route = urllib.parse.unquote(route)
            endpoint = self.api_app.jobs.get(route)
            if endpoint is not None:
                self.scope["method"] = "POST"
                return self._start(endpoint, path.query, parser.get_http_version() != "1.0" and parser.should_keep_alive())
        return super().on_headers_complete()

    def _start(self, endpoint, query, keep_alive: bool) -> None:
        job = self.cycle = _Job(endpoint, api.lang_of_query(query), keep_alive)
        try:
            api.too_large(next((value for name, value in self.headers if name == b"content-length"), None), job.lang)
        except api.BadRequest as exc:
            self._finish(job, exc.status, api.error_body(exc.code, exc.text))

    def on_body(self, body: bytes) -> None:
        job = self.cycle
        if type(job) is not _Job:
            return super().on_body(body)
        if job.response_complete:
            return None
        job.body += body
        if len(job.body) > api.MAX_BODY:
            job.body = b""
            self._finish(job, 413, api.error_body("web.request-too-large", api.message("web.request-too-large", job.lang)))
        return None

    def on_message_complete(self) -> None:
        job = self.cycle
        if type(job) is not _Job:
            return super().on_message_complete()
        if job.response_complete:
            return None
        state = self.api_app.state
        try:
            lang, work = job.endpoint.job(api.json_object(job.body, job.lang), state)
        except api.BadRequest as exc:
            return self._finish(job, exc.status, api.error_body(exc.code, exc.text))
        job.lang, job.body = lang, b""
        pool = state.pool
        if hasattr(pool, "submit"):
            return pool.submit(self.loop, work, lambda answer: self._answered(job, answer))
        task = self.loop.create_task(self._ask(job, pool, work))   # a pool with only ``ask`` (a test's)
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)
        return None

    async def _ask(self, job: _Job, pool, work: tuple) -> None:
        try:
            answer = await pool.ask(work)
        except Exception as exc:   # as uvicorn answers an app's exception: 500, and the connection closed
            self.logger.error("Exception in ASGI application\n", exc_info=exc)
            job.keep_alive = False
            return self._finish(job, 500, b"Internal Server Error", _TEXT)
        self._answered(job, answer)

    def _answered(self, job: _Job, answer: tuple) -> None:
        self._finish(job, *job.endpoint.response(job.lang, answer))

    def _finish(self, job: _Job, status: int, body: bytes, kind: bytes = _JSON) -> None:
        """Write the response as uvicorn writes the endpoint's, and go on to the next request."""
        if job.response_complete:
            return
        job.response_complete = True
        if job.disconnected or self.transport.is_closing():   # the client left (or a pipelined request's cycle saw it)
            return
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-length: %d\r\n" % len(body), kind] if kind is _JSON else [kind, b"content-length: %d\r\n" % len(body)]
        if not job.keep_alive:
            head.append(b"connection: close\r\n")
        head += [b"\r\n", body]
        self.transport.write(b"".join(head))
        if not job.keep_alive:
            self.transport.close()
        self.on_response_complete()
