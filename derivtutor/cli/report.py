"""``derivtutor report ITEMS.json --out DIR``: the class report of misconceptions.

ITEMS.json is the output of ``derivtutor grade --format json``; DIR gets
report.json, report.md and report.html (charts embedded, opens with no server).

    derivtutor grade answers.csv --format json --out items.json
    derivtutor report items.json --out report/ --lang ru
"""
from __future__ import annotations

import argparse

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="a class report of misconceptions from 'grade --format json'")
    parser.add_argument("items", metavar="ITEMS.json", help="the output of 'derivtutor grade --format json'")
    parser.add_argument("--out", metavar="DIR", required=True, help="folder for report.json, report.md, report.html")
    add_json_flag(parser)
    add_lang_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from derivtutor.catalogue import message
    from derivtutor.report.stats import ItemsError
    from derivtutor.report.write import read_items, write_report

    try:
        written = write_report(read_items(args.items), args.out, lang=args.lang)
    except ItemsError as exc:
        return fail(args, "report.bad-items", message("report.bad-items", args.lang, reason=str(exc)))
    announce(args, written)
    return EXIT_OK


def announce(args, written: list) -> None:
    """Say where the report went (JSON with --json)."""
    from derivtutor.catalogue import message

    if args.json:
        print_json({"written": [str(p) for p in written]})
    else:
        print(message("report.written", args.lang, folder=str(written[0].parent)))
