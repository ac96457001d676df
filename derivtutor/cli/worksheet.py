"""``derivtutor worksheet ID...``: a standalone LaTeX worksheet, optionally with solutions."""
from __future__ import annotations

import argparse
import sys

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json
from derivtutor.cli.variant_flags import add_student_flags


def register(subparsers) -> None:
    parser = subparsers.add_parser("worksheet", help="write a LaTeX worksheet for some exercises")
    parser.add_argument("ids", nargs="*", metavar="ID", help="exercise ids (see 'exercises list')")
    parser.add_argument("--topic", help="add every exercise of this topic")
    parser.add_argument("--solutions", action="store_true", help="include step-by-step solutions")
    parser.add_argument("--out", metavar="FILE.tex", help="output file (default: stdout)")
    parser.add_argument("--exercises", metavar="DIR", help="exercise folder (default: the bundled bank)")
    parser.add_argument("--roster", metavar="ROSTER.csv",
                        help="one worksheet per student of the roster (a 'student' column) into --out DIR, "
                             "with the instructor's key (key.csv, key.md)")
    add_student_flags(parser)
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
    if args.roster:
        return _roster(args, [bank[i] for i in ids])
    from derivtutor.course.variants import for_student

    chosen = [for_student(bank[i], args.student, args.seed) for i in ids]
    tex = worksheet_latex(chosen, lang=args.lang, solutions=args.solutions, student=args.student)
    if args.out:
        write_atomic(args.out, tex)
    if args.json:
        print_json({"out": args.out, "exercises": ids, "latex": None if args.out else tex})
    elif not args.out:
        sys.stdout.write(tex)
    return EXIT_OK


def _roster(args, exercises: list) -> int:
    """``--roster R --out DIR``: DIR/<student>.tex for each student, and the key of all variants."""
    from pathlib import Path

    from derivtutor.catalogue import message
    from derivtutor.course.roster import RosterError, key_csv, key_markdown, key_rows, read_roster
    from derivtutor.course.variants import for_student
    from derivtutor.course.worksheet import worksheet_latex
    from derivtutor.grading.reports import safe_file_name, write_atomic

    if not args.out:
        return fail(args, "variants.roster-needs-out", message("variants.roster-needs-out", args.lang))
    try:
        students = read_roster(args.roster)
    except RosterError as exc:
        return fail(args, "variants.bad-roster", message("variants.bad-roster", args.lang, reason=str(exc)))
    out, written = Path(args.out), []
    for student in students:
        sheet = [for_student(ex, student, args.seed) for ex in exercises]
        tex = worksheet_latex(sheet, lang=args.lang, solutions=args.solutions, student=student)
        written.append(write_atomic(out / f"{safe_file_name(student)}.tex", tex))
    rows = key_rows(students, exercises, args.seed)
    written += [write_atomic(out / "key.csv", key_csv(rows)), write_atomic(out / "key.md", key_markdown(rows, args.lang))]
    if args.json:
        print_json({"out": str(out), "students": students, "written": [str(p) for p in written]})
    return EXIT_OK
