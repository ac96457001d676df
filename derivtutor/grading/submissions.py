"""Reading a class's answers: a CSV file, or a folder with one answers file per student.

CSV: a header row with the columns ``student``, ``exercise``, ``answer`` and,
optionally, ``syntax`` (auto | plain | latex); any order, extra columns ignored::

    student,exercise,answer
    ivanova,table-sin,cos(x)
    petrov,chain-tg-x2,"2x/cos^2(x^2)"

Folder: one UTF-8 text file per student, ``<student>.txt``; the file name
(without ``.txt``) is the student. Each line is ``EXERCISE-ID: ANSWER``, or
``EXERCISE-ID [latex]: ANSWER`` to fix the syntax; blank lines and lines that
start with ``#`` are ignored. The answer is everything after the first colon::

    # Ivanova, homework 1
    table-sin: cos x
    chain-tg-x2 [latex]: \\frac{2x}{\\cos^2 x^2}

A row that cannot be read becomes a ``Problem`` with its line number; the rest
is still read.

>>> rows, problems = parse_answers_text("table-sin: cos x\\noops\\n", "ivanova", "ivanova.txt")
>>> rows[0].answer, problems[0].line
('cos x', 2)
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

SYNTAXES = ("auto", "plain", "latex")
REQUIRED_COLUMNS = ("student", "exercise", "answer")
#: Longest answer we read at all; the parser has its own, smaller limits.
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


def read_submissions(path: str | Path) -> tuple[list[Submission], list[Problem]]:
    """Read a CSV file or a folder of answers files.

    >>> read_submissions("no-such-file.csv")
    Traceback (most recent call last):
    ...
    derivtutor.grading.submissions.SubmissionError: submissions not found: no-such-file.csv
    """
    path = Path(path)
    if path.is_dir():
        return read_folder(path)
    if not path.is_file():
        raise SubmissionError(f"submissions not found: {path}")
    return read_csv_text(_read_text(path), path.name)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_csv_text(text: str, source: str = "<csv>") -> tuple[list[Submission], list[Problem]]:
    """Parse CSV text with a header row (see the module docstring)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise SubmissionError(f"{source}: empty file, expected a header row") from None
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SubmissionError(f"{source}: the header lacks the column(s) {', '.join(missing)}")
    column = {name: header.index(name) for name in (*REQUIRED_COLUMNS, "syntax") if name in header}
    rows, problems = [], []
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        _take_row(record, column, source, start, rows, problems)
    return rows, problems


def _take_row(record: list, column: dict, source: str, line: int, rows: list, problems: list) -> None:
    cells = {name: (record[i] if i < len(record) else None) for name, i in column.items()}
    student = (cells["student"] or "").strip()
    exercise = (cells["exercise"] or "").strip()
    for name in REQUIRED_COLUMNS:
        value = cells[name]
        if value is None or (name != "answer" and not value.strip()):
            problems.append(Problem(source, line, "grading.missing-column", (("column", name),), student, exercise))
            return
    syntax = (cells.get("syntax") or "auto").strip().lower() or "auto"
    row = _checked(Submission(student, exercise, cells["answer"], syntax, source, line), problems)
    if row is not None:
        rows.append(row)


def _checked(row: Submission, problems: list) -> Submission | None:
    if row.syntax not in SYNTAXES:
        problems.append(Problem(row.source, row.line, "grading.bad-syntax", (("syntax", row.syntax[:20]),), row.student, row.exercise))
        return None
    if len(row.answer) > MAX_ANSWER_CHARS:
        problems.append(Problem(row.source, row.line, "grading.answer-too-long", (("limit", MAX_ANSWER_CHARS),), row.student, row.exercise))
        return None
    return row


def parse_answers_text(text: str, student: str, source: str) -> tuple[list[Submission], list[Problem]]:
    """Parse one student's answers file (``EXERCISE-ID [syntax]: ANSWER`` per line)."""
    rows, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, colon, answer = line.partition(":")
        if not colon or not key.strip():
            problems.append(Problem(source, number, "grading.no-colon", (), student, ""))
            continue
        exercise, syntax = key.strip(), "auto"
        if exercise.endswith("]") and "[" in exercise:
            exercise, _, syntax = exercise[:-1].partition("[")
            exercise, syntax = exercise.strip(), syntax.strip().lower()
        row = _checked(Submission(student, exercise, answer.strip(), syntax, source, number), problems)
        if row is not None:
            rows.append(row)
    return rows, problems


def read_folder(folder: Path) -> tuple[list[Submission], list[Problem]]:
    """Read every ``<student>.txt`` in ``folder``, in file-name order.

    A ``<student>.py`` or ``<student>.ipynb`` is that student's whole submission to a
    lab (``derivtutor.course.lab_kind``: the lab its ``# lab: ID`` line names, else
    the default one).
    """
    rows, problems = [], []
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".txt",) + LAB_SUFFIXES)
    if not files:
        raise SubmissionError(f"{folder}: no <student>.txt answers files")
    for path in files:
        if path.suffix in LAB_SUFFIXES:
            file_rows, file_problems = read_lab_file(path, path.stem)
        else:
            file_rows, file_problems = parse_answers_text(_read_text(path), path.stem, path.name)
        rows += file_rows
        problems += file_problems
    return rows, problems


#: Files that are one whole lab submission rather than an answers file.
LAB_SUFFIXES = (".py", ".ipynb")


def read_lab_file(path: Path, student: str) -> tuple[list[Submission], list[Problem]]:
    """One lab submission file as one row (its source whitespace-safe), or a Problem."""
    from derivtutor.course.lab_kind import encode_submission

    try:
        lab, answer = encode_submission(path)
    except (ValueError, OSError) as exc:  # SubmissionError of the lab is a ValueError
        return [], [Problem(path.name, 1, "lab.unreadable-file", (("detail", str(exc)),), student, "")]
    return [Submission(student, lab, answer, "auto", path.name, 1)], []


def find_answers_file(folder: str | Path) -> Path:
    """The answers file of one Gradescope submission: ``answers.txt``, else the only ``*.txt``."""
    folder = Path(folder)
    preferred = folder / "answers.txt"
    if preferred.is_file():
        return preferred
    candidates = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    if not candidates:  # a lab: the one .py or .ipynb file of the submission
        candidates = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in LAB_SUFFIXES)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SubmissionError(f"{folder}: no answers.txt in the submission")
    raise SubmissionError(f"{folder}: several .txt files and no answers.txt; name the answers file answers.txt")
