"""The JSON API behind the page: the same JSON as the CLI, computed in the worker pool.

Each request becomes one job for ``web.pool`` (its fields by the CLI's option names,
see ``web.jobs``); the body of the answer is the JSON the command printed.

    POST /api/parse  {"text", "syntax"}                          -> parse --json (422 on an error)
    POST /api/diff   {"function", "var", "lang"}                 -> diff --json
    POST /api/check  {"function" | "exercise", "answer", "var", "lang", "student"} -> check --json
                     (or "derivation" instead of "answer": the derivation checker's JSON)
    GET  /api/exercises?lang=ru                                  -> the bank, with hints

Bodies are bounded (``MAX_BODY``) and every field is checked before a worker sees it.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from derivtutor.catalogue import message

MAX_BODY = 32 * 1024          # bytes of one request body
MAX_FIELD = 4000              # characters of one text field
LANGS, SYNTAXES = ("en", "ru"), ("auto", "plain", "latex")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}$")
_STUDENT = re.compile(r"^[\w.@+-]{1,120}$")


class BadRequest(Exception):
    def __init__(self, status: int, code: str, text: str):
        super().__init__(code)
        self.status, self.code, self.text = status, code, text


class Disconnected(Exception):
    """The client went away before its body was in: nothing to answer."""


def error_body(code: str, text: str, position=None) -> bytes:
    """``{"error": {"code", "message", "position"}}`` as the bytes Starlette's JSONResponse sends."""
    return json.dumps({"error": {"code": code, "message": text, "position": position}}, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":")).encode()


async def respond(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def query_lang(scope) -> str:
    return lang_of_query(scope.get("query_string"))


def lang_of_query(query) -> str:
    lang = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True)).get("lang") if query else None
    return lang if lang in LANGS else "en"


def too_large(declared, lang: str) -> None:
    """413 if a request's declared Content-Length is over MAX_BODY."""
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(413, "web.request-too-large", message("web.request-too-large", lang))


async def read_body(scope, receive, lang: str) -> dict:
    """The JSON object of the body, at most MAX_BODY bytes, read as it comes."""
    too_large(next((value for name, value in scope["headers"] if name == b"content-length"), None), lang)
    body = b""
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            raise Disconnected
        body += event.get("body", b"")
        if len(body) > MAX_BODY:
            raise BadRequest(413, "web.request-too-large", message("web.request-too-large", lang))
        if not event.get("more_body", False):
            break
    return json_object(body, lang)


def json_object(body: bytes, lang: str) -> dict:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadRequest(400, "web.bad-request", message("web.bad-request", lang, detail="JSON")) from None
    if not isinstance(data, dict):
        raise BadRequest(400, "web.bad-request", message("web.bad-request", lang, detail="JSON object"))
    return data


def field(data: dict, name: str, *, default=None, choices=None, pattern=None, lang="en"):
    value = data.get(name, default)
    if value is None:
        return None
    ok = isinstance(value, str) and len(value) <= MAX_FIELD
    ok = ok and (choices is None or value in choices) and (pattern is None or pattern.match(value))
    if not ok:
        raise BadRequest(400, "web.bad-request", message("web.bad-request", lang, detail=name))
    return value


def language(data: dict) -> str:
    return field(data, "lang", default="en", choices=LANGS) or "en"


class JobEndpoint:
    """A POST route as a bare ASGI app (no Request or Response objects on the hot path): the
    body's fields become one job for the pool (``build(data, lang, state)``), and the answer
    is the JSON the command printed, as its bytes (422 for an error). ``job`` and ``response``
    are the same two steps for a server that reads the request itself (``web.fast``)."""

    def __init__(self, build):
        self.build = build

    def job(self, data: dict, state) -> tuple[str, tuple]:
        """(the language of the answer, the job) for the body's JSON object; BadRequest if refused."""
        lang = language(data)
        return lang, self.build(data, lang, state)

    @staticmethod
    def response(lang: str, answer: tuple) -> tuple[int, bytes]:
        """(status, body) for the pool's answer to the job."""
        code, failed, body = answer
        if body is None:
            return 422, error_body("check.timeout", message("web.timeout", lang))
        return (422 if failed else 200), body

    async def __call__(self, scope, receive, send) -> None:
        lang = query_lang(scope)
        state = scope["app"].state
        try:
            lang, job = self.job(await read_body(scope, receive, lang), state)
        except BadRequest as exc:
            return await respond(send, exc.status, error_body(exc.code, exc.text))
        except Disconnected:
            return None
        return await respond(send, *self.response(lang, await state.pool.ask(job)))


def _parse(data: dict, lang: str, state) -> tuple:
    text = field(data, "text", default="", lang=lang)
    syntax = field(data, "syntax", default="auto", choices=SYNTAXES, lang=lang)
    return "parse", {"text": text, "syntax": syntax, "lang": lang}


def _diff(data: dict, lang: str, state) -> tuple:
    function = field(data, "function", default="", lang=lang)
    var = field(data, "var", pattern=_NAME, lang=lang)
    return "diff", {"expr": function, "var": var, "lang": lang}


def _check(data: dict, lang: str, state) -> tuple:
    exercise = field(data, "exercise", pattern=_ID, lang=lang)
    fields = {"lang": lang, "exercise": exercise, "var": field(data, "var", pattern=_NAME, lang=lang),
              "function": None if exercise else field(data, "function", default="", lang=lang)}
    student = field(data, "student", pattern=_STUDENT, lang=lang)
    if student and "--student" in state.check_options:
        fields["student"] = student
    derivation = field(data, "derivation", lang=lang)
    if derivation is not None and "--derivation" in state.check_options:
        fields["derivation"] = derivation
    else:
        fields["answer"] = field(data, "answer", default="", lang=lang)
    return "check", fields


parse, diff, check = JobEndpoint(_parse), JobEndpoint(_diff), JobEndpoint(_check)


async def exercises(request: Request):
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in LANGS else "en"
    return JSONResponse([_exercise(e, lang) for e in request.app.state.bank.values()])


def _exercise(exercise, lang: str) -> dict:
    data = exercise.data
    return {"id": exercise.id, "kind": exercise.kind, "topic": exercise.topic, "difficulty": exercise.difficulty,
            "title": exercise.text("title", lang), "prompt": exercise.text("prompt", lang),
            "hints": [hint[lang] for hint in exercise.hints],
            "function": data.get("function") if exercise.kind == "derivative" else None,
            "variable": data.get("variable")}
