"""Grading a class: submissions in, one graded item per (student, exercise) out.

The order of work, and why:

1. read the submissions (``derivtutor.grading.submissions``); unreadable rows become
   problems with a line number, and a zero for that student where we know who;
2. an answer to an unknown exercise is a problem and a zero, never a crash;
3. answers are normalised (whitespace only: ``x + 1`` and ``x+1`` are the same
   answer, ``sin x`` and ``sinx`` are not) and each distinct
   (exercise, answer, syntax) is checked once -- a class repeats its answers;
4. the distinct checks run in isolated worker processes (``derivtutor.grading.workers``)
   under a time and a memory limit; a hostile, slow or crashing answer scores 0
   with a reason and touches nothing else;
5. items are sorted by student, exercise and line, so a re-run gives the same
   output whatever the number of workers.

When a student answers an exercise twice, the last row counts; the earlier one
is reported as superseded.

>>> report = grade_file("answers.csv", jobs=2)    # doctest: +SKIP
>>> report.total("ivanova")                        # doctest: +SKIP
17.5
"""
from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass, field
from functools import cached_property

from derivtutor.catalogue import message
from derivtutor.course.bank import Exercise, checker_for, load_exercises
from derivtutor.course.variants import student_variants, variant_of
from derivtutor.grading.submissions import Problem, Submission, read_submissions
from derivtutor.grading.workers import run_tasks

DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY_MB = 1024
#: Outcome status -> catalogue code of the reason given to the student.
STATUS_REASONS = {
    "timeout": "grading.timeout",
    "memory": "grading.memory",
    "crash": "grading.crash",
    "error": "grading.crash",
}


@dataclass(frozen=True)
class GradedItem:
    """The grade of one answer: points out of ``max_score`` and why."""

    student: str
    exercise: str
    answer: str
    status: str            # graded | timeout | memory | crash | error | malformed | unknown-exercise | missing
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

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GradeReport:
    """Every graded item, the gradebook columns and the problems met on the way."""

    exercises: list            # Exercise objects: the gradebook columns, in order
    items: list                # GradedItem, sorted by (student, exercise, line)
    problems: list = field(default_factory=list)   # (Problem, message) pairs
    lang: str = "en"

    @property
    def students(self) -> list[str]:
        return sorted(self._by_student)

    @cached_property
    def _by_student(self) -> dict:
        """student -> {exercise: the item that counts}; items are sorted, so the last line wins."""
        table: dict = {}
        for item in self.items:
            if item.status != "superseded":
                table.setdefault(item.student, {})[item.exercise] = item
        return table

    def counted(self, student: str) -> list[GradedItem]:
        """The student's item for each column (a 'missing' zero where they gave none)."""
        latest = self._by_student.get(student, {})
        return [latest.get(ex.id) or _missing(student, ex, self.lang) for ex in self.exercises]

    def extra(self, student: str) -> list[GradedItem]:
        """The student's rows outside the columns (unknown exercises), for their feedback."""
        columns = {ex.id for ex in self.exercises}
        return [i for e, i in self._by_student.get(student, {}).items() if e not in columns]

    def total(self, student: str) -> float:
        return round(sum(item.score for item in self.counted(student)), 6)

    def max_total(self) -> float:
        return round(sum(ex.points for ex in self.exercises), 6)


def _missing(student: str, exercise: Exercise, lang: str) -> GradedItem:
    return GradedItem(student, exercise.id, "", "missing", "invalid", 0.0, exercise.points,
                      message=message("grading.missing-answer", lang))


def normalise(answer: str) -> str:
    """The answer with spaces that cannot matter removed.

    >>> normalise("  x ^ 2 +  sin x ")
    'x^2+sin x'
    """
    text = re.sub(r"\s+", " ", answer.strip())
    return re.sub(r" ?([-+*/^(),=\[\]{}|]) ?", r"\1", text)


def grade_file(path, exercises_dir=None, **options) -> GradeReport:
    """Read submissions from ``path`` (CSV or folder) and grade them; see ``grade``."""
    rows, problems = read_submissions(path)
    return grade(rows, problems, exercises_dir=exercises_dir, **options)


def grade(rows: list[Submission], problems: list[Problem] = (), *, exercises_dir=None, bank=None,
          assignment=None, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int | None = DEFAULT_MEMORY_MB, lang: str = "en", progress: bool | None = None,
          seed: str | None = None) -> GradeReport:
    """Grade ``rows``; ``assignment`` (exercise ids) fixes the columns, else those answered.

    A randomised exercise is checked against each student's own variant, picked by
    the course ``seed`` (default: $DERIVTUTOR_COURSE_SEED)."""
    bank = bank if bank is not None else load_exercises(exercises_dir)
    rows = _latest_rows(rows)
    items, notes = [], [(p, _problem_text(p, lang)) for p in problems]
    items += [_malformed(p, bank, lang) for p in problems if p.student and p.exercise in bank]
    known = []
    for row in rows["kept"]:
        if row.exercise in bank:
            known.append(row)
            continue
        problem = Problem(row.source, row.line, "grading.unknown-exercise", (("exercise", row.exercise),), row.student, row.exercise)
        notes.append((problem, _problem_text(problem, lang)))
        items.append(GradedItem(row.student, row.exercise, row.answer, "unknown-exercise", "invalid", 0.0, 0.0,
                                message=notes[-1][1], source=row.source, line=row.line))
    items += [_superseded(row, bank, lang) for row in rows["dropped"]]
    items += _check_rows(known, bank, exercises_dir, jobs, timeout, memory_mb, lang, progress, seed)
    items.sort(key=lambda i: (i.student, i.exercise, i.line, i.source))
    return GradeReport(_columns(bank, items, assignment), items, sorted(notes, key=lambda n: (n[0].source, n[0].line)), lang)


def _latest_rows(rows) -> dict:
    """Keep each student's last answer to an exercise; return kept and dropped rows."""
    last = {}
    rows = sorted(rows, key=lambda r: (r.source, r.line))
    for row in rows:
        last[(row.student, row.exercise)] = row
    kept = set(map(id, last.values()))
    return {"kept": [r for r in rows if id(r) in kept], "dropped": [r for r in rows if id(r) not in kept]}


def _superseded(row: Submission, bank: dict, lang: str) -> GradedItem:
    points = bank[row.exercise].points if row.exercise in bank else 0.0
    return GradedItem(row.student, row.exercise, row.answer, "superseded", "invalid", 0.0, points,
                      message=message("grading.superseded", lang), source=row.source, line=row.line)


def _malformed(problem: Problem, bank: dict, lang: str) -> GradedItem:
    return GradedItem(problem.student, problem.exercise, "", "malformed", "invalid", 0.0, bank[problem.exercise].points,
                      message=_problem_text(problem, lang), source=problem.source, line=problem.line)


def _problem_text(problem: Problem, lang: str) -> str:
    where = message("grading.where", lang, source=problem.source, line=problem.line)
    return f"{where}: {message(problem.code, lang, **problem.field_dict())}"


def _columns(bank: dict, items: list, assignment) -> list:
    if assignment:
        missing = [i for i in assignment if i not in bank]
        if missing:
            raise KeyError(", ".join(missing))
        return [bank[i] for i in assignment]
    answered = {item.exercise for item in items if item.exercise in bank}
    return [bank[i] for i in sorted(answered)]


def _check_rows(rows, bank, exercises_dir, jobs, timeout, memory_mb, lang, progress, seed=None) -> list[GradedItem]:
    # The one place a (student, exercise) pair meets its exercise: a randomised one is
    # the student's variant, and the variant is part of the dedup key.
    labels = student_variants(rows, bank, seed)
    row_keys = [(row.exercise, normalise(row.answer), row.syntax) + ((label,) if label else ())
                for row, label in zip(rows, labels)]
    keys = {}
    for key in row_keys:
        keys.setdefault(key, len(keys))
    tasks = sorted(keys, key=keys.get)
    _preload({bank[task[0]].kind for task in tasks})
    _warm({(task[0], _label(task)): variant_of(bank[task[0]], _label(task)) for task in tasks}, timeout)
    bar = _progress_bar(len(tasks), progress)
    try:
        outcomes = run_tasks(tasks, exercises_dir=_bank_dir(bank, exercises_dir), jobs=jobs, lang=lang,
                             timeout=timeout, memory_mb=memory_mb, on_done=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return [_item(row, bank[row.exercise], outcomes[keys[key]], lang, _label(key)) for row, key in zip(rows, row_keys)]


def _label(task: tuple) -> str | None:
    """The variant label of a task (exercise id, answer, syntax[, label])."""
    return task[3] if len(task) > 3 else None


def _preload(kinds: set) -> None:
    """Import the checkers before workers fork, so every worker starts warm and with the same code."""
    for kind in sorted(kinds):
        try:
            checker_for(kind)
        except ImportError:
            pass  # each worker will meet the same error and score its items 0 with the reason


def _warm(exercises: dict, timeout: float) -> None:
    """Check a fixed, harmless answer to each exercise once, here, before the workers fork.

    The per-exercise work (the reference derivative, its simplest form) lands in
    the checkers' caches, which every forked worker -- a replacement too -- inherits.
    Only bank texts and the answer "0" are checked in this process, never a student's.
    """
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.course.bank import check_exercise

    for key in sorted(exercises, key=lambda k: (k[0], k[1] or "")):
        try:
            with time_limit(timeout):
                check_exercise(exercises[key], "0", timeout=timeout)
        except (Exception, TimeLimitExceeded):
            pass  # a bank problem shows up in the workers, item by item, with its reason


def _bank_dir(bank: dict, exercises_dir):
    # Workers reload the bank from disk; all exercises of one bank share a folder.
    from pathlib import Path

    if exercises_dir is not None:
        return exercises_dir
    paths = {Path(ex.path).parent for ex in bank.values() if ex.path}
    return paths.pop() if len(paths) == 1 else None


def _item(row: Submission, exercise: Exercise, outcome: dict, lang: str, variant: str | None = None) -> GradedItem:
    fraction = min(1.0, max(0.0, float(outcome["score"])))
    text, diagnosis = outcome["message"], tuple(outcome["diagnosis"])
    if outcome["status"] in STATUS_REASONS:
        # Whichever limit fired (the checker's, the worker's, the parent's kill), the item reads the same.
        code = STATUS_REASONS[outcome["status"]]
        text, diagnosis, fraction = message(code, lang), (code,), 0.0
    return GradedItem(row.student, row.exercise, row.answer, outcome["status"], outcome["verdict"],
                      round(fraction * exercise.points, 6), exercise.points, diagnosis, text,
                      outcome["expected"], row.source, row.line, outcome["reason"] if outcome["status"] == "error" else "",
                      variant or "")


def _progress_bar(total: int, progress: bool | None):
    """A tqdm bar on stderr when it is a terminal (or when asked); None otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress or total == 0:
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked while the bar runs
    return tqdm(total=total, unit="answer", file=sys.stderr, leave=False)
