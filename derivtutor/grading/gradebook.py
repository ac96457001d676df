"""The graded items of a class and the questions a report asks of them (columns, totals).

Items live in the run's ``Store`` on disk and are read back in order, a
student at a time, so a report on half a million answers stays small in memory.
An item *counts* when its exercise is a column and it is the student's last
non-superseded item for that exercise; only those make up the totals. An item is
*graded* unless its answer could not be read or decided (``is_graded``): a typo, a
parse error, ``check.undecided``, a time-out or a checker error is never graded, and
a counted item that is not graded is left out of both the student's total and their
maximum (``max_total(student)``), and named in a warning with its line.

>>> GradedItem("a", "table-sin", "cos x", "graded", "correct", 1.0, 1.0).to_dict()["verdict"]
'correct'
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

from derivtutor.catalogue import message
from derivtutor.grading.records import Problem


@dataclass(frozen=True)
class GradedItem:
    """The grade of one answer: points out of ``max_score`` and why."""

    student: str
    exercise: str
    answer: str
    status: str            # graded | timeout | memory | crash | error | malformed | unknown-exercise | missing | superseded
    verdict: str           # correct | incorrect | invalid
    score: float
    max_score: float
    diagnosis: tuple = ()     # the checker's diagnosis codes
    message: str = ""
    expected: str | None = None
    source: str = ""
    line: int = 0
    reason: str = ""          # for the instructor: why a check gave no verdict (time, memory, error)
    variant: str = ""         # the student's variant of a randomised exercise (its label), else ""
    graded: bool = True       # False: the answer could not be read or decided; it neither earns nor costs points
    not_graded: str = ""      # why not (a catalogue or diagnosis code: parse.typo, check.undecided, grading.timeout)

    def to_dict(self) -> dict:
        # What ``dataclasses.asdict`` gives, field by field: its deep copy costs more than the rest of a row.
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    @classmethod
    def from_dict(cls, data: dict) -> "GradedItem":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        return cls(**{**values, "diagnosis": tuple(values.get("diagnosis") or ())})


_FIELD_NAMES = tuple(f.name for f in fields(GradedItem))


def is_graded(verdict: str, status: str) -> bool:
    """Whether an answer is graded: every verdict but ``invalid``; a missing (or blank) answer is a graded 0.

    >>> is_graded("incorrect", "graded"), is_graded("invalid", "graded"), is_graded("invalid", "missing")
    (True, False, True)
    """
    return verdict != "invalid" or status == "missing"


class GradeReport:
    """Every graded item, the gradebook columns and the problems met on the way.

    ``sources`` says how each file was read: ``{"source", "encoding", "delimiter"}``.
    """

    def __init__(self, store, exercises: list, lang: str = "en", sources: list | None = None, bank_ids=()):
        self.store, self.exercises, self.lang = store, exercises, lang
        self.sources = sources if sources is not None else []
        self.bank_ids = frozenset(bank_ids)   # a problem naming one of these has an item of its own

    @cached_property
    def students(self) -> list[str]:
        sql = "SELECT DISTINCT student FROM items WHERE status != 'superseded' ORDER BY student"
        return [student for (student,) in self.store.query(sql)]

    def iter_items(self):
        """Item dicts (``GradedItem`` fields and ``counts``) in (student, exercise, line) order."""
        return self.store.items()

    @property
    def items(self) -> list[GradedItem]:
        """Every item, as ``GradedItem``s (for small classes; writers use ``iter_items``)."""
        return [GradedItem.from_dict(item) for item in self.iter_items()]

    def _latest(self, student: str) -> dict:
        """exercise -> the student's item that counts or would (the last non-superseded one)."""
        table = {}
        for item in self.store.items(student):
            if item["status"] != "superseded":
                table[item["exercise"]] = item
        return table

    def counted(self, student: str) -> list[GradedItem]:
        """The student's item for each column (a 'missing' zero where they gave none)."""
        latest = self._latest(student)
        return [GradedItem.from_dict(latest[ex.id]) if ex.id in latest else _missing(student, ex, self.lang)
                for ex in self.exercises]

    def extra(self, student: str) -> list[GradedItem]:
        """The student's rows outside the columns (unknown exercises, others), for their feedback."""
        columns = {ex.id for ex in self.exercises}
        return [GradedItem.from_dict(i) for e, i in self._latest(student).items() if e not in columns]

    def total(self, student: str) -> float:
        """The student's points over the items that count (an item not graded adds nothing)."""
        return self.summary(student)[0]

    def max_total(self, student: str | None = None) -> float:
        """The assignment's points; for ``student``, less the points of their items not graded."""
        return self.summary(student)[1] if student is not None else round(sum(ex.points for ex in self.exercises), 6)

    def not_graded(self, student: str) -> int:
        """How many of the student's counted items are not graded."""
        return self.summary(student)[2]

    def summary(self, student: str) -> tuple[float, float, int]:
        """(total, maximum, items not graded) of one student."""
        found = [tuple(row[1:]) for row in self._sums(" AND student = ?", (student,))]
        return found[0] if found else (0.0, self.max_total(), 0)

    def summaries(self):
        """(student, total, maximum, items not graded) of every student, in order."""
        known = {row[0]: tuple(row[1:]) for row in self._sums()}
        for student in self.students:
            yield (student, *known.get(student, (0.0, self.max_total(), 0)))

    def _sums(self, where: str = "", args: tuple = ()):
        full = self.max_total()
        sql = ("SELECT student, COALESCE(SUM(score), 0), COALESCE(SUM(CASE WHEN graded THEN 0 ELSE max_score END), 0), "
               f"COALESCE(SUM(1 - graded), 0) FROM items WHERE counts = 1{where} GROUP BY student")
        for student, total, lost, count in self.store.query(sql, args):
            yield student, round(total, 6), round(full - lost, 6), int(count)

    def score_rows(self):
        """(student, {exercise id: (score, graded)}) of every student, in order: the gradebook's cells."""
        sql = "SELECT student, exercise, score, graded FROM items WHERE counts = 1 ORDER BY student"
        rows = iter(self.store.query(sql))
        pending = next(rows, None)
        for student in self.students:
            cells = {}
            while pending is not None and pending[0] == student:
                cells[pending[1]] = (pending[2], bool(pending[3]))
                pending = next(rows, None)
            yield student, cells

    def iter_problems(self):
        """(Problem, the sentence for the instructor) in (source, line) order."""
        sql = "SELECT source, line, code, fields, student, exercise FROM problems ORDER BY source, line, seq"
        for row in self.store.query(sql):
            problem = _problem(row)
            yield problem, problem_text(problem, self.lang)

    def student_problems(self, student: str) -> list[Problem]:
        sql = ("SELECT source, line, code, fields, student, exercise FROM problems WHERE student = ? "
               "ORDER BY source, line, seq")
        return [_problem(row) for row in self.store.query(sql, (student,))]

    @property
    def problems(self) -> list:
        return list(self.iter_problems())


def _problem(row: tuple) -> Problem:
    import json

    source, line, code, fields_json, student, exercise = row
    return Problem(source, line, code, tuple(tuple(pair) for pair in json.loads(fields_json)), student, exercise)


def problem_reason(problem: Problem, lang: str) -> str:
    """What went wrong, without where."""
    return message(problem.code, lang, **problem.field_dict())


def problem_text(problem: Problem, lang: str) -> str:
    """"s.csv, line 3: ..." (a problem with the whole file has no line)."""
    if problem.line:
        where = message("grading.where", lang, source=problem.source, line=problem.line)
    else:
        where = problem.source
    return f"{where}: {problem_reason(problem, lang)}"


def _missing(student: str, exercise, lang: str) -> GradedItem:
    """No answer: a graded 0."""
    return GradedItem(student, exercise.id, "", "missing", "invalid", 0.0, exercise.points,
                      message=message("grading.missing-answer", lang))
