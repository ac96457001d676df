"""The Starlette application: the practice page, its static files (KaTeX inside) and the API.

>>> app = create_app(pool=None)     # doctest: +SKIP
"""
from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from derivtutor.catalogue import catalogue, message
from derivtutor.web import api

STATIC = Path(__file__).with_name("static")


def page_strings(lang: str) -> dict:
    """Every web.* sentence of the catalogue in ``lang``, for the page's script."""
    return {code: message(code, lang) for code in catalogue() if code.startswith("web.")
            and "{" not in catalogue()[code]["en"]}


def _script_json(data) -> str:
    # inside <script>, "</" would end the element: escape it (and the other HTML specials)
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


async def page(request: Request) -> HTMLResponse:
    lang = request.query_params.get("lang", request.app.state.lang)
    lang = lang if lang in api.LANGS else "en"
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    html = html.replace("__LANG__", lang).replace("__TITLE__", message("web.title", lang))
    html = html.replace("__STRINGS__", _script_json({"lang": lang, "strings": page_strings(lang)}))
    return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline';"
                                       " img-src 'self' data:; font-src 'self' data:; object-src 'none'",
                                       "X-Content-Type-Options": "nosniff"})


def _check_options() -> frozenset:
    """Which optional features ``derivtutor check`` has (--student, --derivation), so the
    page offers only what the CLI does."""
    from derivtutor.cli import build_parser

    parser, found = build_parser(), set()
    for option in ("--student", "--derivation"):
        try:
            _, unknown = parser.parse_known_args(["check", "--function", "x", "--answer", "1", option, "a"])
        except SystemExit:
            continue
        if option not in unknown:
            found.add(option)
    return frozenset(found)


class App(Starlette):
    """Starlette, with the API's POST routes (``api.JobEndpoint``, bare ASGI apps) called
    before the middleware and the router: the same routes, matched by the same path below
    the root path, for the requests the page sends on every keystroke and every check.
    Everything else (and a POST to them that is not this) goes through Starlette."""

    jobs = {"/api/check": api.check, "/api/parse": api.parse, "/api/diff": api.diff}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path, root = scope["path"], scope.get("root_path", "")
            endpoint = self.jobs.get(path[len(root):] if root and path.startswith(root + "/") else path)
            if endpoint is not None:
                scope["app"] = self
                return await endpoint(scope, receive, send)
        return await super().__call__(scope, receive, send)


def create_app(pool=None, exercises_dir=None, lang: str = "en", workers: int | None = None) -> Starlette:
    """The web app; ``pool`` defaults to a CommandPool of ``workers`` processes."""
    from derivtutor.course.bank import load_exercises

    bank = load_exercises(exercises_dir)

    @asynccontextmanager
    async def lifespan(app):
        own = None
        if app.state.pool is None:
            from derivtutor.web.pool import CommandPool

            own = app.state.pool = CommandPool(size=workers, bank=bank)
        try:
            yield
        finally:
            if own is not None:
                own.close()

    routes = [  # the busiest first: routes are matched in order
        Route("/api/check", api.check, methods=["POST"]),
        Route("/api/parse", api.parse, methods=["POST"]),
        Route("/", page),
        Route("/api/diff", api.diff, methods=["POST"]),
        Route("/api/exercises", api.exercises),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = App(routes=routes, lifespan=lifespan)
    app.state.pool, app.state.bank, app.state.lang = pool, bank, lang
    app.state.check_options = _check_options()
    return app
