"""Grading a class: submissions in, one graded item per (student, exercise) out.

The order of work, and why:

1. the submissions are read as a stream (``derivtutor.grading.submissions``) into a
   private SQLite file (``derivtutor.grading.store``), a chunk of rows at a time
   (``_Intake``), so memory stays flat whatever the class; unreadable rows become
   problems with a line number, and a zero for that student where we know who. The
   distinct checks first met in a chunk go to the workers at once, so the class is
   checked while it is still being read;
2. each (student, exercise id) pair is resolved to an exercise in one place,
   ``exercise_for``; an answer to an unknown exercise is a problem and a zero;
3. when a student answers an exercise twice, the last row counts, the earlier one
   is superseded, and a warning names both lines;
4. answers are normalised (whitespace only, line breaks kept: ``x + 1`` and ``x+1``
   are the same answer, ``sin x`` and ``sinx`` are not) and each distinct
   (exercise or variant, answer, syntax) is checked once -- a class repeats its
   answers -- and its outcome given to every row that wrote it (``items``: the
   outcome's part of an item is worked out once per check, and SQLite joins the
   rows to it);
5. the distinct checks run in isolated worker processes (``derivtutor.grading.workers``)
   under a time and a memory limit; a hostile, slow or crashing answer is not graded,
   with a reason, and touches nothing else. An answer that cannot be read or decided
   (a typo, a parse error, ``check.undecided``, a time-out, a checker error) is not
   graded: it counts neither for nor against the student, and the instructor is
   warned of it with its line. They go out grouped by exercise, and a
   worker keeps the exercises it has set up (``_Router``); a variant is built in
   the worker that checks it (``Variants``), so the grader itself only reads,
   routes and writes;
6. items are kept in (student, exercise, line) order, so a re-run gives the same
   output whatever the number of workers. The gradebook's columns are the
   ``assignment``, else the exercises answered, in the order they first appear.

>>> report = grade_file("answers.csv", jobs=2)    # doctest: +SKIP
>>> report.total("ivanova")                        # doctest: +SKIP
17.5
"""
from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Mapping
from itertools import chain

from derivtutor.catalogue import catalogue, message
from derivtutor.course.bank import Exercise, checker_for, load_exercises
from derivtutor.course.variants import pick_label, variant_labels, variant_of
from derivtutor.grading.gradebook import GradedItem, GradeReport, problem_reason, problem_text
from derivtutor.grading.items import (ITEMS_SQL, NOT_GRADED_SQL, SET_OUTCOME, STATUS_REASONS,  # noqa: F401
                                      task_columns, variant_label)
from derivtutor.grading.records import Problem, Submission
from derivtutor.grading.store import Store
from derivtutor.grading.submissions import Submissions
from derivtutor.grading.workers import check_tasks

DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY_MB = 1024
#: Outcomes written to the store at a time.
PAGE = 2000
#: Rows read before the tasks first met in them go to the workers: a few at first, so that the
#: first checks start early, then up to CHUNK.
FIRST_CHUNK, CHUNK = 8, 256


def exercise_for(bank: dict, student: str, exercise_id: str, seed: str | None = None,
                 cache: dict | None = None) -> Exercise | None:
    """The exercise that ``student`` answered under ``exercise_id``, or None if there is none.

    The one place where a (student, exercise id) pair becomes an exercise: a
    per-student variant of an exercise belongs here. Tasks are keyed by the
    returned exercise's ``id``, so a variant must carry an id of its own.

    A randomised exercise gives ``student`` their own variant (``course.variants``, by
    the course ``seed``), with the id ``ID@LABEL``; ``cache`` keeps built variants.

    >>> exercise_for({}, "ivanova", "table-sin") is None
    True
    """
    key = task_key(bank, student, exercise_id, seed)
    if key is None or "@" not in key:
        return bank.get(exercise_id)
    return (Variants(bank) if cache is None else _Cache(bank, cache))[key]


def task_key(bank: dict, student: str, exercise_id: str, seed: str | None = None,
             labels: dict | None = None) -> str | None:
    """The key of the exercise ``exercise_for`` gives (``ID`` or ``ID@LABEL``), without building it.

    ``labels`` keeps each exercise's variant labels for the next call (a class asks once a row).

    >>> task_key({}, "ivanova", "table-sin") is None
    True
    """
    base = bank.get(exercise_id)
    if base is None:
        return None
    if not student:
        return base.id
    labels = {} if labels is None else labels
    if exercise_id not in labels:
        labels[exercise_id] = variant_labels(base)
    label = pick_label(labels[exercise_id], base.id, student, seed)
    return base.id if label is None else f"{base.id}@{label}"


class Variants(Mapping):
    """Exercises by task key, built on first use: ``ID`` is the bank's, ``ID@LABEL`` that variant.

    Building a variant derives its answer with the step engine; the grader hands this
    mapping to the workers, so each variant is built by the worker that checks it.

    >>> from derivtutor.course.bank import load_exercises
    >>> Variants(load_exercises())["table-sin"].id
    'table-sin'
    """

    def __init__(self, bank: dict, keys=()):
        self.bank, self.built, self._keys = bank, {}, dict.fromkeys(keys)

    def __getitem__(self, key: str) -> Exercise:
        if key not in self.built:
            exercise_id, _, label = key.partition("@")
            base = self.bank[exercise_id]
            self.built[key] = dataclasses.replace(variant_of(base, label), id=key) if label else base
        return self.built[key]

    def add(self, key: str) -> None:
        self._keys[key] = None

    def base(self, key: str) -> Exercise:
        """The bank's exercise a key names (what its points and kind are)."""
        return self.bank[key.partition("@")[0]]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class _Cache(Variants):
    """``Variants`` keeping what it builds in a caller's dict (``exercise_for``'s ``cache``)."""

    def __init__(self, bank: dict, cache: dict):
        super().__init__(bank)
        self.built = cache


def normalise(answer: str) -> str:
    """The answer with spaces that cannot matter removed; line breaks are kept, blank lines dropped.

    >>> normalise("  x ^ 2 +  sin x ")
    'x^2+sin x'
    >>> normalise("y' = 2 x\\n\\n  = 2x ")
    "y'=2 x\\n=2x"
    """
    words = answer.split()
    if len(words) == 1 and len(words[0]) == len(answer):  # no whitespace at all (most answers): as it is
        return answer
    lines = (_unspaced(_SPACES.sub(" ", line.strip())) for line in answer.splitlines())
    return "\n".join(line for line in lines if line)


_SPACES = re.compile(r"\s+")
_OPERATOR = re.compile(r" ?([-+*/^(),=\[\]{}|]) ?")


def _unspaced(line: str) -> str:
    """The line without the spaces around operators (most answers have no space at all)."""
    return _OPERATOR.sub(lambda m: m[1], line) if " " in line else line


def grade_file(path, exercises_dir=None, **options) -> GradeReport:
    """Read submissions from ``path`` (CSV or folder) as a stream and grade them; see ``grade``."""
    entries = Submissions(path)
    report = grade(entries, (), exercises_dir=exercises_dir, **options)
    report.sources = entries.sources
    return report


def grade(rows, problems=(), *, exercises_dir=None, bank=None,
          assignment=None, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int | None = DEFAULT_MEMORY_MB, lang: str = "en", progress: bool | None = None,
          seed: str | None = None, variants: bool = True) -> GradeReport:
    """Grade ``rows`` (and ``problems``: any iterable of Submission and Problem entries will do).

    ``assignment`` (exercise ids) fixes the columns, else those answered, in the order
    they first appear; an id not in the bank raises KeyError before anything is read.
    A randomised exercise is checked against each student's own variant, picked by
    the course ``seed`` (default: $DERIVTUTOR_COURSE_SEED); ``variants=False`` grades
    everyone on the default variants (a submission whose student is not known).
    """
    bank = bank if bank is not None else load_exercises(exercises_dir)
    if assignment:
        missing = [i for i in assignment if i not in bank]
        if missing:
            raise KeyError(", ".join(missing))
    store = Store()
    intake = _Intake(store, chain(rows, problems), bank, lang, seed, variants)
    _check(store, intake, jobs, timeout, memory_mb, lang, progress)
    columns = [bank[i] for i in assignment] if assignment else [
        bank[i] for i in sorted(intake.first_seen, key=intake.first_seen.get)]
    _mark_counted(store, columns)
    return GradeReport(store, columns, lang, bank_ids=bank)


class _Intake:
    """The entries written to the store a chunk of rows at a time, with the items known without a check.

    Iterating gives (task id, task key, normalised answer, syntax) of each distinct task
    the first time a row has it, while the rest is still being read, so the workers
    check as the class is read; when the last row is in, duplicates are superseded.
    ``exercises``: the ``Variants`` of every task key met; ``first_seen``: exercise id ->
    where it first appears.
    """

    def __init__(self, store: Store, entries, bank: dict, lang: str, seed: str | None = None, variants: bool = True):
        self.store, self.entries, self.bank, self.lang, self.seed, self.variants = \
            store, entries, bank, lang, seed, variants
        self.exercises, self.first_seen, self.labels, self.kinds = Variants(bank), {}, {}, set()

    def __iter__(self):
        rows, problems, items, chunk = [], [], [], FIRST_CHUNK
        for entry in self.entries:
            self._take(entry, rows, problems, items)
            if len(rows) + len(problems) >= chunk:
                yield from self._flush(rows, problems, items)
                chunk = min(CHUNK, 2 * chunk)
        yield from self._flush(rows, problems, items)
        self.store.supersede()

    def _take(self, entry, rows: list, problems: list, items: list) -> None:
        bank, lang, where = self.bank, self.lang, (entry.source, entry.line)
        student = entry.student if self.variants else ""  # "": the default variant for everyone
        key = task_key(bank, student, entry.exercise, self.seed, self.labels) if entry.student else None
        exercise = None if key is None else bank[entry.exercise]
        if exercise is not None and (entry.exercise not in self.first_seen or where < self.first_seen[entry.exercise]):
            self.first_seen[entry.exercise] = where
        if isinstance(entry, Problem):
            problems.append(_problem_row(entry))
            if exercise is not None:
                items.append(_malformed(entry, exercise, lang).to_dict())
        elif exercise is None:
            problem = Problem(entry.source, entry.line, "grading.unknown-exercise", (("exercise", entry.exercise),),
                              entry.student, entry.exercise)
            problems.append(_problem_row(problem))
            items.append(GradedItem(entry.student, entry.exercise, entry.answer, "unknown-exercise", "invalid", 0.0, 0.0,
                                    message=problem_text(problem, lang), source=entry.source, line=entry.line,
                                    graded=False, not_graded=problem.code).to_dict())
        else:
            if exercise.kind not in self.kinds:  # imported before a worker meets it, so later forks start warm
                self.kinds.add(exercise.kind)
                _preload({exercise.kind})
            self.exercises.add(key)
            rows.append((entry.student, entry.exercise, entry.answer, entry.syntax, entry.source, entry.line,
                         key, normalise(entry.answer)))

    def _flush(self, rows: list, problems: list, items: list):
        """Write the batches, and give the tasks first met in them (a query that ends before anything is given)."""
        store, db = self.store, self.store.db
        last_row, last_task = db.execute("SELECT (SELECT COALESCE(MAX(seq), 0) FROM rows), "
                                         "(SELECT COALESCE(MAX(id), 0) FROM tasks)").fetchone()
        store.insert("rows", ("student", "exercise", "answer", "syntax", "source", "line", "task_key", "norm"), rows)
        store.insert("problems", ("source", "line", "code", "fields", "student", "exercise"), problems)
        store.add_items(items)
        for batch in (rows, problems, items):
            batch.clear()
        db.execute("INSERT OR IGNORE INTO tasks (task_key, norm, syntax) SELECT task_key, norm, syntax FROM rows "
                   "WHERE seq > ? ORDER BY seq", (last_row,))
        new = db.execute("SELECT id, task_key, norm, syntax FROM tasks WHERE id > ? ORDER BY id", (last_task,)).fetchall()
        db.commit()
        return new


def _problem_row(problem: Problem) -> tuple:
    return (problem.source, problem.line, problem.code, json.dumps([list(f) for f in problem.fields], ensure_ascii=False),
            problem.student, problem.exercise)


def _check(store: Store, intake: _Intake, jobs, timeout, memory_mb, lang, progress) -> None:
    """Check each distinct task once in the workers, as the intake finds it, then write every row's item.

    The workers are handed the tasks as the class is read (``check_tasks`` reads on while
    they check); each goes to the worker that set up its exercise. A blank answer needs
    no worker: it is a missing one."""
    db, exercises = store.db, intake.exercises
    bar, done, waiting = None, [], {}   # waiting: task id -> (key, norm) being checked
    show = sys.stderr.isatty() if progress is None else progress

    def flush():
        db.executemany(SET_OUTCOME, done)
        db.commit()
        done.clear()

    def record(index: int, key: str, norm: str, outcome: dict | None) -> None:
        done.append((*task_columns(outcome, exercises.base(key).points, key, norm, lang), index))
        if len(done) >= PAGE:
            flush()

    def on_outcome(index: int, outcome: dict) -> None:
        key, norm = waiting.pop(index)
        record(index, key, norm, outcome)
        if bar:
            bar.update()

    def tasks():
        nonlocal bar
        for index, key, norm, syntax in intake:
            if not norm:
                record(index, key, norm, None)
                continue
            if show:
                bar = bar or _progress_bar(True)
                bar.total = len(waiting) + bar.n + 1
            waiting[index] = (key, norm)
            yield index, (key, norm, syntax)

    stream = tasks()
    try:
        check_tasks(stream, exercises=exercises, jobs=jobs, lang=lang, timeout=timeout, memory_mb=memory_mb,
                    on_outcome=on_outcome)
    finally:
        if bar:
            bar.close()
    for _ in stream:  # the whole class is read even if the workers stopped asking
        pass
    flush()
    db.execute(ITEMS_SQL)
    db.commit()
    store.add_items(_superseded_items(store, exercises, lang))


def _superseded_items(store: Store, exercises: Variants, lang: str):
    sql = "SELECT student, exercise, answer, syntax, source, line, task_key FROM rows WHERE superseded = 1 ORDER BY seq"
    for student, exercise_id, answer, syntax, source, line, key in store.query(sql):
        row = Submission(student, exercise_id, answer, syntax, source, line)
        yield _superseded(row, exercises.base(key), key, lang).to_dict()


def _mark_counted(store: Store, columns: list) -> None:
    """Flag the items the totals are made of: a column's exercise, the student's last live row."""
    db = store.db
    db.execute("CREATE TEMP TABLE columns (id TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO columns VALUES (?)", [(ex.id,) for ex in columns])
    db.execute("""UPDATE items SET counts = 1 WHERE rowid IN (SELECT item FROM (
        SELECT rowid AS item, ROW_NUMBER() OVER (PARTITION BY student, exercise ORDER BY line DESC, source DESC) AS rank
        FROM items WHERE status != 'superseded' AND exercise IN (SELECT id FROM columns)) WHERE rank = 1)""")
    db.execute(NOT_GRADED_SQL)
    db.commit()
    store.index()


def _superseded(row: Submission, exercise: Exercise, key: str, lang: str) -> GradedItem:
    return GradedItem(row.student, row.exercise, row.answer, "superseded", "invalid", 0.0, exercise.points,
                      message=message("grading.superseded", lang), source=row.source, line=row.line,
                      variant=variant_label(key), graded=False, not_graded="grading.superseded")


def _malformed(problem: Problem, exercise: Exercise, lang: str) -> GradedItem:
    text = message("grading.line-unreadable", lang, line=problem.line, reason=problem_reason(problem, lang))
    return GradedItem(problem.student, problem.exercise, "", "malformed", "invalid", 0.0, exercise.points,
                      message=text, source=problem.source, line=problem.line, graded=False, not_graded=problem.code)


def _preload(kinds: set) -> None:
    """Import the checkers (and read the message catalogue, which every check's feedback and every
    item needs) before workers fork, so every worker starts warm and with the same code."""
    catalogue()
    for kind in sorted(kinds):
        try:
            checker_for(kind)
        except ImportError:
            pass  # each worker will meet the same error and score its items 0 with the reason


def _progress_bar(progress: bool | None):
    """A tqdm bar on stderr when it is a terminal (or when asked); None otherwise. Its total
    grows as the class is read."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked while the bar runs
    return tqdm(total=1, unit="answer", file=sys.stderr, leave=False)
