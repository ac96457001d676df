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
    from derivtutor.course.bank import ExerciseError
    from derivtutor.grading import reports
    from derivtutor.grading.grader import grade
    from derivtutor.grading.submissions import SubmissionError, read_submission

    try:
        # Links are never followed and at most MAX_FILE_BYTES are read: the file is the student's.
        rows, problems, _ = read_submission(args.submission)
        report = grade(rows, problems, exercises_dir=args.exercises, assignment=assignment_ids(args.assignment),
                       jobs=1, timeout=args.timeout, memory_mb=args.memory or None, lang=args.lang, progress=False)
    except (SubmissionError, ExerciseError, KeyError, OSError) as exc:
        # Gradescope shows results.json to the student: explain there too, with a zero.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        results = {"score": 0.0, "output": f"error: {reason}", "tests": [], "visibility": "visible"}
        reports.write_atomic(args.results, reports.to_json(results))
        print(f"error: {reason}", file=sys.stderr)
        return EXIT_INVALID
    results = reports.gradescope_results(report, "student")
    reports.write_atomic(args.results, reports.to_json(results))
    if args.json:
        print_json(results)
    return EXIT_OK
