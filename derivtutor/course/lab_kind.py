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
#: A submission travelling through the class grader as one whitespace-free answer (the grader
#: normalises the spaces of answers, which would break Python's indentation).
ENCODED_PREFIX = "lab-source:"
#: The lab a submission file answers unless its first lines say "# lab: ID".
DEFAULT_LAB = "lab-ownframework"
#: Largest submission source carried as an answer.
MAX_SOURCE_CHARS = 2_000_000


def encode_submission(path) -> tuple[str, str]:
    """(lab id, answer) for a .py or .ipynb file, for ``derivtutor grade`` and ``gradescope``.

    The answer is the file's Python source (a notebook's code cells) in base64,
    so that no whitespace in it can be changed on the way.
    """
    import base64

    from derivtutor.lab import read_submission

    code = read_submission(path)
    if len(code) > MAX_SOURCE_CHARS:
        from derivtutor.lab import SubmissionError

        raise SubmissionError("the code is too long")
    return lab_id_of(code), ENCODED_PREFIX + base64.b64encode(code.encode("utf-8")).decode("ascii")


def lab_id_of(code: str) -> str:
    """The lab named by a ``# lab: ID`` comment in the first lines, else DEFAULT_LAB.

    >>> lab_id_of("# lab: lab-sigmoid-mse\\nimport numpy as np"), lab_id_of("x = 1")
    ('lab-sigmoid-mse', 'lab-ownframework')
    """
    for line in code.splitlines()[:5]:
        text = line.strip()
        if text.startswith("#") and text[1:].strip().lower().startswith("lab:"):
            return text[1:].strip()[4:].strip() or DEFAULT_LAB
    return DEFAULT_LAB


def _decoded(answer: str) -> str:
    import base64
    import binascii

    if not answer.startswith(ENCODED_PREFIX):
        return answer
    try:
        return base64.b64decode(answer[len(ENCODED_PREFIX):], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        from derivtutor.lab import SubmissionError

        raise SubmissionError("the encoded submission is damaged") from None


def spec_of(exercise):
    """The LabSpec of a lab exercise (an Exercise or a plain dict)."""
    from derivtutor.lab.spec import read_spec

    return read_spec(exercise.get("lab"), exercise.get("id") or "lab")


def check_report(exercise, answer: str, lang: str = "en"):
    """The full LabReport for ``answer`` (the submission's text)."""
    from derivtutor.lab import check_submission, code_from_text

    return check_submission(spec_of(exercise), code_from_text(_decoded(answer)), lang)


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
