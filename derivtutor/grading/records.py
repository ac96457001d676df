"""The records a class file is read into: one ``Submission`` per answer, one ``Problem`` per
row that could not be read as given.

>>> checked(Submission("a", "table-sin", "cos x", "mathml", "s.csv", 2)).code
'grading.bad-syntax'
"""
from __future__ import annotations

from dataclasses import dataclass

SYNTAXES = ("auto", "plain", "latex")
REQUIRED_COLUMNS = ("student", "exercise", "answer")
#: Longest answer we check at all; the parser has its own, smaller limits.
MAX_ANSWER_CHARS = 20_000


class SubmissionError(ValueError):
    """The submissions cannot be read at all (no file, no header, a missing column)."""


@dataclass(frozen=True)
class Submission:
    """One answer of one student to one exercise, with where it came from."""

    student: str
    exercise: str
    answer: str
    syntax: str = "auto"
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class Problem:
    """A row that could not be read as given; ``code`` is a catalogue code, ``fields`` fill it."""

    source: str
    line: int
    code: str
    fields: tuple = ()
    student: str = ""
    exercise: str = ""

    def field_dict(self) -> dict:
        return dict(self.fields)


def checked(row: Submission) -> Submission | Problem:
    """The row itself, or the problem that keeps it from being checked (a zero for that answer)."""
    if row.syntax not in SYNTAXES:
        return Problem(row.source, row.line, "grading.bad-syntax", (("syntax", row.syntax[:20]),), row.student, row.exercise)
    if len(row.answer) > MAX_ANSWER_CHARS:
        return Problem(row.source, row.line, "grading.answer-too-long", (("limit", MAX_ANSWER_CHARS),), row.student, row.exercise)
    return row
