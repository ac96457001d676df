"""``derivtutor lab check SUBMISSION``: autograde a framework lab (.py or .ipynb).

The student's code runs in a sandboxed child process (see derivtutor.lab.sandbox);
this command prints one line per test (status, name, points, feedback) and the
total, or the report as JSON, or writes Gradescope's results.json.

Exit codes: 0 full marks, 1 points lost, 2 unreadable submission or usage.
"""
from __future__ import annotations

import argparse

from derivtutor.cli.common import EXIT_INCORRECT, EXIT_OK, add_json_flag, add_lang_flag, fail, print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser("lab", help="autograde a framework lab: a student's own numpy MLP")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="grade one submission (.py or .ipynb) of a lab")
    check.add_argument("submission", metavar="SUBMISSION", help="the student's .py file or notebook")
    check.add_argument("--lab", metavar="ID",
                       help="the lab's exercise id (default: the file's '# lab: ID' line, else lab-ownframework)")
    check.add_argument("--exercises", metavar="DIR", help="exercise folder (default: the bundled bank)")
    check.add_argument("--format", choices=("text", "gradescope"), default="text",
                       help="text on stdout, or Gradescope's results.json (with --results)")
    check.add_argument("--results", metavar="PATH", help="where --format gradescope writes results.json")
    check.add_argument("--tests", metavar="IDS", help="comma-separated test ids to run (default: all), e.g. linear-dW,ce-dp")
    add_json_flag(check)
    add_lang_flag(check)
    check.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from derivtutor.catalogue import message
    from derivtutor.course.bank import ExerciseError, load_exercises
    from derivtutor.lab import LabSpecError, SubmissionError, check_submission, read_submission
    from derivtutor.lab.feedback import gradescope_results, render_text, write_json

    lang = args.lang
    if args.format == "gradescope" and not args.results:
        return fail(args, "lab.usage", "--format gradescope needs --results PATH")
    try:
        bank = load_exercises(args.exercises)
    except ExerciseError as exc:
        return fail(args, "exercises.bank", str(exc))
    from derivtutor.course.lab_kind import lab_id_of, spec_of

    try:
        code = read_submission(args.submission)
    except FileNotFoundError:
        return _unreadable(args, "lab.no-file", message("lab.no-file", lang, path=args.submission))
    except SubmissionError as exc:
        return _unreadable(args, "lab.bad-file", message("lab.bad-file", lang, detail=str(exc)))
    lab = args.lab or lab_id_of(code)
    labs = sorted(i for i, ex in bank.items() if ex.kind == "lab")
    if lab not in labs:
        return fail(args, "lab.unknown-lab", message("lab.unknown-lab", lang, id=lab, labs=", ".join(labs)))
    try:
        spec = spec_of(bank[lab])
    except LabSpecError as exc:
        return fail(args, "lab.spec-error", message("lab.spec-error", lang, detail=str(exc)))
    only = {t.strip() for t in args.tests.split(",") if t.strip()} if args.tests else None
    unknown = sorted(only - {t.id for t in spec.tests}) if only else []
    if unknown:
        return fail(args, "lab.usage", f"unknown test id(s): {', '.join(unknown)}")
    report = check_submission(spec, code, lang, only=only)
    if args.format == "gradescope":
        write_json(args.results, gradescope_results(report, lang))
    if args.json:
        print_json(report.to_dict())
    elif args.format == "text":
        print(render_text(report, lang))
    return EXIT_OK if report.total >= report.max_total else EXIT_INCORRECT


def _unreadable(args, code: str, text: str) -> int:
    """An unreadable submission: exit 2, and with --results a zero results.json that says why."""
    if args.format == "gradescope":
        from derivtutor.lab.feedback import write_json

        write_json(args.results, {"score": 0.0, "output": text, "tests": [], "visibility": "visible"})
    return fail(args, code, text)
