"""The "lab" exercise kind: a whole program (a student's framework) graded by derivtutor.lab.

A lab exercise has the common fields and one table, ``[lab]``, the spec read
by ``derivtutor.lab.spec.read_spec`` (roles, conventions, tests with points).
The answer is the submission itself: the text of a .py file or of a notebook.
The score is the fraction of the lab's points earned; the verdict is "correct"
only with full marks. The student's code runs in the lab's sandbox, never here.

>>> exercise = {"id": "mini", "lab": {"roles": {"Tanh": {"kind": "tanh"}},
...             "tests": [{"id": "t", "check": "forward", "role": "Tanh", "points": 1}]}}
>>> result = check(exercise, "import numpy as np\\nclass Tanh:\\n    def forward(self, x): return np.tanh(x)\\n")
>>> result.verdict, result.score
('correct', 1.0)
"""
from __future__ import annotations

from derivtutor.catalogue import format_points, message
from derivtutor.checking.checker import CheckResult

#: Seconds a grader should allow one lab check (loading, gradient checks, training on digits).
MIN_TIMEOUT = 180.0


def spec_of(exercise):
    """The LabSpec of a lab exercise (an Exercise or a plain dict)."""
    from derivtutor.lab.spec import read_spec

    return read_spec(exercise.get("lab"), exercise.get("id") or "lab")


def check_report(exercise, answer: str, lang: str = "en"):
    """The full LabReport for ``answer`` (the submission's text)."""
    from derivtutor.lab import check_submission, code_from_text

    return check_submission(spec_of(exercise), code_from_text(answer), lang)


def check(exercise, answer: str, lang: str = "en") -> CheckResult:
    """Grade one submission (its text) to a lab exercise; a CheckResult with the fraction earned."""
    from derivtutor.lab import LabSpecError, SubmissionError

    try:
        report = check_report(exercise, answer, lang)
    except LabSpecError as exc:
        return _result("invalid", 0.0, [], message("lab.spec-error", lang, detail=str(exc)))
    except SubmissionError as exc:
        return _result("invalid", 0.0, [], message("lab.bad-file", lang, detail=str(exc)))
    fraction = report.total / report.max_total if report.max_total else 0.0
    failed = [t for t in report.tests if not t.passed]
    summary = message("lab.summary", lang, lab=report.lab, score=format_points(report.total),
                      max=format_points(report.max_total))
    text = "\n".join([summary] + [f"- {t.name}: {t.feedback}" for t in failed])
    return _result("correct" if not failed else "incorrect", round(fraction, 6), [t.code for t in failed], text)


check.min_timeout = MIN_TIMEOUT  # read by a grader that runs checks under a deadline


def _result(verdict: str, score: float, diagnosis: list, text: str) -> CheckResult:
    return CheckResult(verdict=verdict, score=score, diagnosis=diagnosis, message=text, answer="")
