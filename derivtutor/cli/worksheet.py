"""``derivtutor worksheet ID...``: a standalone LaTeX worksheet, optionally with solutions."""
from __future__ import annotations

import argparse
import sys

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser("worksheet", help="write a LaTeX worksheet for some exercises")
    parser.add_argument("ids", nargs="*", metavar="ID", help="exercise ids (see 'exercises list')")
    parser.add_argument("--topic", help="add every exercise of this topic")
    parser.add_argument("--solutions", action="store_true", help="include step-by-step solutions")
    parser.add_argument("--out", metavar="FILE.tex", help="output file (default: stdout)")
    parser.add_argument("--exercises", metavar="DIR", help="exercise folder (default: the bundled bank)")
    add_json_flag(parser)
    add_lang_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from derivtutor.catalogue import message
    from derivtutor.course.bank import ExerciseError, load_exercises
    from derivtutor.grading.reports import write_atomic
    from derivtutor.course.worksheet import worksheet_latex

    try:
        bank = load_exercises(args.exercises)
    except ExerciseError as exc:
        return fail(args, "exercises.bank", str(exc))
    ids = list(dict.fromkeys([*args.ids, *(i for i, ex in bank.items() if args.topic and ex.topic == args.topic)]))
    unknown = [i for i in ids if i not in bank]
    if unknown:
        return fail(args, "exercises.not-found", message("exercises.not-found", args.lang, id=unknown[0]))
    if not ids:
        return fail(args, "worksheet.empty", message("exercises.none", args.lang))
    tex = worksheet_latex([bank[i] for i in ids], lang=args.lang, solutions=args.solutions)
    if args.out:
        write_atomic(args.out, tex)
    if args.json:
        print_json({"out": args.out, "exercises": ids, "latex": None if args.out else tex})
    elif not args.out:
        sys.stdout.write(tex)
    return EXIT_OK


