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
DEFAULT_METADATA = "/autograder/submission_metadata.json"
#: Which field of a Gradescope user names the student for the variants, in order of preference.
STUDENT_FIELDS = ("sid", "email", "id")


def register(subparsers) -> None:
    parser = subparsers.add_parser("gradescope", help="grade one Gradescope submission into results.json")
    parser.add_argument("--submission", metavar="DIR", default=DEFAULT_SUBMISSION,
                        help=f"folder with the student's answers.txt (default: {DEFAULT_SUBMISSION})")
    parser.add_argument("--results", metavar="PATH", default=DEFAULT_RESULTS,
                        help=f"where to write results.json (default: {DEFAULT_RESULTS})")
    parser.add_argument("--metadata", metavar="PATH", default=DEFAULT_METADATA,
                        help="Gradescope's submission_metadata.json, whose first user is the student whose "
                             f"variants are graded (default: {DEFAULT_METADATA}; its sid, else email, else id)")
    parser.add_argument("--student", metavar="ID", help="the student id (instead of the metadata file)")
    parser.add_argument("--seed", metavar="SEED", help="course seed (default: $DERIVTUTOR_COURSE_SEED)")
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
        # No id (no metadata, no --student): the default variants, as for a fixed assignment.
        known = args.student or _metadata_student(args)
        student = known or "student"
        # Links are never followed and at most MAX_FILE_BYTES are read: the file is the student's.
        rows, problems, _ = read_submission(args.submission, student)
        report = grade(rows, problems, exercises_dir=args.exercises, assignment=assignment_ids(args.assignment),
                       jobs=1, timeout=args.timeout, memory_mb=args.memory or None, lang=args.lang, progress=False,
                       seed=args.seed, variants=bool(known))
    except (SubmissionError, ExerciseError, KeyError, OSError) as exc:
        # Gradescope shows results.json to the student: explain there too, with a zero.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        results = {"score": 0.0, "output": f"error: {reason}", "tests": [], "visibility": "visible"}
        reports.write_atomic(args.results, reports.to_json(results))
        print(f"error: {reason}", file=sys.stderr)
        return EXIT_INVALID
    results = reports.gradescope_results(report, student)
    reports.write_atomic(args.results, reports.to_json(results))
    if args.json:
        print_json(results)
    return EXIT_OK


def _metadata_student(args) -> str | None:
    # Inside Gradescope the metadata sits beside the submission folder; look there too.
    from pathlib import Path

    found = metadata_student(args.metadata)
    if found is None and args.metadata == DEFAULT_METADATA:
        found = metadata_student(Path(args.submission).parent / "submission_metadata.json")
    return found


def metadata_student(path) -> str | None:
    """The student id in Gradescope's submission_metadata.json: the first user's sid, else
    email, else id (a group submission is graded as its first member's variants); None when
    the file is absent.

    >>> import json, os, tempfile; p = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> _ = open(p, "w").write(json.dumps({"users": [{"email": "a@b.c", "id": 7, "name": "A"}]}))
    >>> metadata_student(p)
    'a@b.c'
    """
    import json
    from pathlib import Path

    from derivtutor.grading.submissions import SubmissionError

    path = Path(path)
    if not path.is_file():
        return None
    try:
        users = json.loads(path.read_text(encoding="utf-8-sig")).get("users") or []
    except (ValueError, AttributeError) as exc:
        raise SubmissionError(f"{path.name}: not Gradescope submission metadata ({exc})") from None
    first = next((user for user in users if isinstance(user, dict)), {})
    return next((str(first[f]) for f in STUDENT_FIELDS if first.get(f) not in (None, "")), None)
