"""derivtutor serve: the students' practice page on a local web server.

    derivtutor serve                          # http://127.0.0.1:8000
    derivtutor serve --host 0.0.0.0 --port 8080 --lang ru --root-path /derivtutor

The web package sits above the CLI (its workers run CLI commands), so this command
does not import it: it replaces itself with ``python -m derivtutor.web``.
"""
from __future__ import annotations

import os
import sys

from derivtutor.cli.common import add_json_flag, add_lang_flag


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="the students' web page: practice, live preview, steps",
                              description="Serve the practice page and its JSON API (needs the 'web' extra).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 behind a reverse proxy)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--exercises", metavar="DIR", help="the exercise bank (default: the installed one)")
    p.add_argument("--workers", type=int, default=None, help="checking processes (default: one per core)")
    p.add_argument("--root-path", default="", help="the path prefix a reverse proxy serves the page under")
    add_lang_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def argv(args) -> list[str]:
    """The ``python -m derivtutor.web`` command line for ``args``."""
    out = [sys.executable, "-m", "derivtutor.web", "--host", args.host, "--port", str(args.port), "--lang", args.lang]
    if args.exercises:
        out += ["--exercises", args.exercises]
    if args.workers:
        out += ["--workers", str(args.workers)]
    if args.root_path:
        out += ["--root-path", args.root_path]
    if args.json:
        out.append("--json")
    return out


def run(args) -> int:
    sys.stdout.flush()
    os.execv(sys.executable, argv(args))
    return 0  # pragma: no cover -- execv does not return
