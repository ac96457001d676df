"""python -m derivtutor.web: run the practice page under uvicorn (``derivtutor serve`` execs this)."""
from __future__ import annotations

import argparse
import json
import sys

from derivtutor.catalogue import message

#: How uvicorn runs the app (bench/serve_hops.py runs its floors the same way): httptools and
#: uvloop when installed (the web extra), no access log (uvicorn formats each line's fields
#: even when the level drops it).
UVICORN = {"proxy_headers": True, "log_level": "warning", "access_log": False}


def http_protocol(app) -> dict:
    """uvicorn's ``http=`` option: its httptools protocol with the API's job routes answered in
    the protocol (``web.fast``), where httptools is installed and uvicorn is a release that
    protocol was checked against; uvicorn's own choice otherwise."""
    try:
        from derivtutor.web.fast import protocol, supported
    except ImportError:
        return {}
    return {"http": protocol(app)} if supported() else {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="derivtutor serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--exercises")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--root-path", default="")
    parser.add_argument("--lang", choices=("en", "ru"), default="en")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        import uvicorn

        from derivtutor.web.app import create_app
    except ImportError:
        print(message("web.missing-extra", args.lang), file=sys.stderr)
        return 2
    if args.exercises:
        import os

        os.environ["DERIVTUTOR_EXERCISES"] = args.exercises  # the workers read the same bank
    url = f"http://{args.host}:{args.port}{args.root_path}/"
    if args.json:
        print(json.dumps({"url": url, "host": args.host, "port": args.port, "lang": args.lang}), flush=True)
    else:
        print(message("web.serving", args.lang, url=url), flush=True)
    app = create_app(exercises_dir=args.exercises, lang=args.lang, workers=args.workers)
    uvicorn.run(app, host=args.host, port=args.port, root_path=args.root_path, **UVICORN, **http_protocol(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
