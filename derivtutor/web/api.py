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

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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


def error(status: int, code: str, text: str, position=None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": text, "position": position}}, status_code=status)


async def read_body(request: Request) -> dict:
    """The JSON object of the body, at most MAX_BODY bytes, read as a stream."""
    lang = request.query_params.get("lang", "en") if request.query_params.get("lang") in LANGS else "en"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(413, "web.request-too-large", message("web.request-too-large", lang))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(413, "web.request-too-large", message("web.request-too-large", lang))
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


async def run(request: Request, job: tuple, lang: str) -> Response:
    """The worker's answer to ``job``: the CLI's JSON as it printed it (422 for an error)."""
    code, failed, text = await request.app.state.pool.ask(job)
    if text is None:
        return error(422, "check.timeout", message("web.timeout", lang))
    return Response(text, status_code=422 if failed else 200, media_type="application/json")


def endpoint(handler):
    """Turn BadRequest into its JSON answer."""
    async def wrapped(request: Request):
        try:
            return await handler(request)
        except BadRequest as exc:
            return error(exc.status, exc.code, exc.text)
    wrapped.__name__ = handler.__name__
    return wrapped


@endpoint
async def parse(request: Request):
    data = await read_body(request)
    lang = language(data)
    text = field(data, "text", default="", lang=lang)
    syntax = field(data, "syntax", default="auto", choices=SYNTAXES, lang=lang)
    return await run(request, ("parse", {"text": text, "syntax": syntax, "lang": lang}), lang)


@endpoint
async def diff(request: Request):
    data = await read_body(request)
    lang = language(data)
    function = field(data, "function", default="", lang=lang)
    var = field(data, "var", pattern=_NAME, lang=lang)
    return await run(request, ("diff", {"expr": function, "var": var, "lang": lang}), lang)


@endpoint
async def check(request: Request):
    data = await read_body(request)
    lang = language(data)
    exercise = field(data, "exercise", pattern=_ID, lang=lang)
    fields = {"lang": lang, "exercise": exercise, "var": field(data, "var", pattern=_NAME, lang=lang),
              "function": None if exercise else field(data, "function", default="", lang=lang)}
    student = field(data, "student", pattern=_STUDENT, lang=lang)
    if student and "--student" in request.app.state.check_options:
        fields["student"] = student
    derivation = field(data, "derivation", lang=lang)
    if derivation is not None and "--derivation" in request.app.state.check_options:
        fields["derivation"] = derivation
    else:
        fields["answer"] = field(data, "answer", default="", lang=lang)
    return await run(request, ("check", fields), lang)


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
