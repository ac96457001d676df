"""``derivtutor grade SUBMISSIONS``: grade a class and write a gradebook or Gradescope results."""
from __future__ import annotations

import argparse
import sys

from derivtutor.cli.common import EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "grade", help="grade a CSV (student,exercise,answer[,syntax]) or a folder of <student>.txt files")
    parser.add_argument("submissions", help="CSV file, or a folder with one <student>.txt per student")
    add_grading_options(parser)
    parser.add_argument("--format", choices=("gradescope", "csv", "json"), default="csv",
                        help="gradescope results.json, a CSV gradebook, or every item as JSON (default: csv)")
    parser.add_argument("--out", metavar="PATH",
                        help="output file (default: stdout); with --format gradescope, a folder (existing, "
                             "or ending in /) gets one <student>.json each and index.csv, "
                             "written whole or not at all")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: the number of cores)")
    parser.add_argument("--report", metavar="DIR", help="also write the class report (report.json, .md, .html) to DIR")
    parser.add_argument("--seed", metavar="SEED",
                        help="course seed that picks each student's variants (default: $DERIVTUTOR_COURSE_SEED)")
    add_json_flag(parser)  # --json: a short machine-readable summary on stdout
    add_lang_flag(parser)
    parser.set_defaults(func=run)


def add_grading_options(parser) -> None:
    """Options shared with ``derivtutor gradescope``."""
    parser.add_argument("--exercises", metavar="DIR", help="exercise folder (default: the bundled bank)")
    parser.add_argument("--assignment", metavar="IDS",
                        help="comma-separated exercise ids that make up the assignment (default: those answered)")
    parser.add_argument("--timeout", type=float, default=2.0, metavar="S", help="time limit per answer (default: 2)")
    parser.add_argument("--memory", type=int, default=1024, metavar="MB",
                        help="memory a worker may add while checking (default: 1024 MB; 0: no limit)")


def assignment_ids(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from derivtutor.course.bank import ExerciseError
    from derivtutor.grading.grader import grade_file
    from derivtutor.grading.submissions import SubmissionError

    if args.jobs is not None and args.jobs < 1 or args.timeout <= 0:
        return fail(args, "grading.usage", "--jobs must be at least 1 and --timeout positive")
    try:
        report = grade_file(args.submissions, exercises_dir=args.exercises, assignment=assignment_ids(args.assignment),
                            jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory or None, lang=args.lang,
                            seed=args.seed)
    except (SubmissionError, ExerciseError) as exc:
        return fail(args, "grading.input", str(exc))
    except KeyError as exc:
        return fail(args, "grading.assignment", f"unknown exercise id(s) in --assignment: {exc.args[0]}")
    try:
        written = _write(report, args, Path) + _class_report(report, args)
    except FileExistsError as exc:
        return fail(args, "grading.output", str(exc))
    _tell(report, args.lang)
    if args.json:
        print_json({"students": len(report.students), "items": sum(1 for _ in report.iter_items()),
                    "not_graded": sum(count for *_, count in report.summaries()),
                    "problems": sum(1 for _ in report.iter_problems()), "sources": report.sources,
                    "written": [str(p) for p in written]})
    return EXIT_OK


def _tell(report, lang: str) -> None:
    """How each file was read (when it is worth saying), then every problem, on stderr."""
    from derivtutor.catalogue import message

    for source in report.sources:
        if source["delimiter"] is None and source["encoding"] == "utf-8":
            continue  # a plain UTF-8 answers file: nothing to say
        separator = ""
        if source["delimiter"] is not None:
            name = message(f"grading.separator-{SEPARATOR_NAMES[source['delimiter']]}", lang)
            separator = message("grading.separator", lang, name=name)
        text = message("grading.read-as", lang, source=source["source"], encoding=encoding_label(source["encoding"]),
                       separator=separator)
        print(message("grading.note", lang, text=text), file=sys.stderr)
    for _, text in report.iter_problems():
        print(message("grading.warning", lang, text=text), file=sys.stderr)


SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def encoding_label(encoding: str) -> str:
    from derivtutor.grading.decoding import encoding_name

    return encoding_name(encoding)


def _write(report, args, Path) -> list:
    from derivtutor.grading import reports

    if args.out is None:
        if not args.json:
            reports.WRITERS[args.format](report, sys.stdout)
        return []
    out = Path(args.out)
    if args.format == "gradescope" and (out.is_dir() or args.out.endswith(("/", "\\"))):
        return reports.write_per_student(report, out)
    return [reports.write_report(report, args.format, out)]


def _class_report(report, args) -> list:
    """``--report DIR``: the class report of the same run, from the same items as --format json."""
    import json

    from derivtutor.grading import reports

    if not args.report:
        return []
    from derivtutor.report.write import write_report

    return write_report(json.loads(reports.items_json(report)), args.report, lang=args.lang)
