"""``derivtutor gradescope``: the autograder entry point inside Gradescope's container.

Reads one student's answers file (``answers.txt``: ``EXERCISE-ID: ANSWER`` per
line) from the submission folder and writes Gradescope's results.json.
"""
from __future__ import annotations

import argparse
import sys

from derivtutor.cli.common import EXIT_INVALID, EXIT_OK, add_json_flag, add_lang_flag, print_json
from derivtutor.cli.grade import add_grading_options, assignment_ids

DEFAULT_SUBMISSION = "/autograder/submission"
DEFAULT_RESULTS = "/autograder/results/results.json"


def register(subparsers) -> None:
    parser = subparsers.add_parser("gradescope", help="grade one Gradescope submission into results.json")
    parser.add_argument("--submission", metavar="DIR", default=DEFAULT_SUBMISSION,
                        help=f"folder with the student's answers.txt (default: {DEFAULT_SUBMISSION})")
    parser.add_argument("--results", metavar="PATH", default=DEFAULT_RESULTS,
                        help=f"where to write results.json (default: {DEFAULT_RESULTS})")
    add_grading_options(parser)
    add_json_flag(parser)  # --json: also print the results on stdout
    add_lang_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from derivtutor.grading import reports
    from derivtutor.course.bank import ExerciseError
    from derivtutor.grading.grader import grade
    from derivtutor.grading.submissions import (LAB_SUFFIXES, SubmissionError, find_answers_file,
                                                parse_answers_text, read_lab_file)

    try:
        path = find_answers_file(args.submission)
        if path.suffix in LAB_SUFFIXES:  # a lab: the file is the whole submission
            rows, problems = read_lab_file(path, "student")
        else:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            rows, problems = parse_answers_text(text, "student", path.name)
        report = grade(rows, problems, exercises_dir=args.exercises, assignment=assignment_ids(args.assignment),
                       jobs=1, timeout=args.timeout, memory_mb=args.memory or None, lang=args.lang, progress=False)
    except (SubmissionError, ExerciseError, KeyError) as exc:
        # Gradescope shows results.json to the student: explain there too, with a zero.
        results = {"score": 0.0, "output": f"error: {exc}", "tests": [], "visibility": "visible"}
        reports.write_atomic(args.results, reports.to_json(results))
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    results = reports.gradescope_results(report, "student")
    reports.write_atomic(args.results, reports.to_json(results))
    if args.json:
        print_json(results)
    return EXIT_OK
