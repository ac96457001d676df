"""Reading a class CSV as a stream of submissions and problems, one row at a time.

The separator is read off the header: comma, semicolon or tab, whichever makes
the required columns appear (an Excel ``sep=;`` first line is honoured). Rows
are then read lazily, so memory stays flat whatever the size of the class.

A row that cannot be read is a ``Problem`` with the line it starts on, and
reading goes on with the next line:

- a line that is not text in the file's encoding;
- a quote that is not closed where a row should end (the rows it would swallow
  are read again as rows, never merged into one answer);
- a field longer than ``MAX_FIELD_CHARS``.

Where the row's first line still names the student and the exercise, the
problem carries them, so that answer scores 0 with its reason.

>>> rows = list(csv_entries(text_lines('student;exercise;answer\\na;table-sin;"cos x\\nb;table-sin;1\\n'), "s.csv"))
>>> [(type(r).__name__, r.line) for r in rows]
[('Problem', 2), ('Submission', 3)]
"""
from __future__ import annotations

import csv
from collections import deque

from derivtutor.grading.decoding import Line
from derivtutor.grading.records import REQUIRED_COLUMNS, Problem, Submission, SubmissionError, checked

DELIMITERS = (",", ";", "\t")
#: Longest field the CSV reader takes; a longer one makes its row unreadable.
MAX_FIELD_CHARS = 1_000_000


def text_lines(text: str):
    """Numbered ``Line``s of a text already decoded (split at newlines only, as csv expects)."""
    pieces = text.split("\n")
    for number, piece in enumerate(pieces, start=1):
        if number < len(pieces):
            yield Line(number, piece + "\n")
        elif piece:
            yield Line(number, piece)


def _header(lines, source: str, info: dict):
    """(delimiter, column names) from the first non-blank line (after an Excel ``sep=`` line)."""
    first = next((line for line in lines if line.text.strip()), None)
    if first is None:
        raise SubmissionError(f"{source}: empty file, expected a header row")
    if first.error:
        raise SubmissionError(f"{source}, line {first.number}: the header is {first.error}")
    text = first.text.strip()
    if text.lower().startswith("sep=") and len(text) == 5:
        return _header_with(next(lines, None), (text[4],), source, info)
    return _header_with(first, DELIMITERS, source, info)


def _header_with(line, delimiters, source: str, info: dict):
    if line is None:
        raise SubmissionError(f"{source}: empty file, expected a header row")
    for delimiter in delimiters:
        names = [name.strip().lower() for name in next(csv.reader([line.text], delimiter=delimiter), [])]
        if all(name in names for name in REQUIRED_COLUMNS):
            info["delimiter"] = delimiter
            return delimiter, names
    names = [name.strip().lower() for name in next(csv.reader([line.text]), [])]
    missing = ", ".join(name for name in REQUIRED_COLUMNS if name not in names)
    tried = "comma, semicolon or tab" if len(delimiters) > 1 else repr(delimiters[0])
    raise SubmissionError(f"{source}: the header lacks the column(s) {missing} "
                          f"(separated by {tried}); the header must name student, exercise and answer")


def csv_entries(lines, source: str = "<csv>", info: dict | None = None):
    """Yield a ``Submission`` or a ``Problem`` per row of CSV ``lines`` (``Line`` objects)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    info = {} if info is None else info
    lines = iter(lines)
    delimiter, header = _header(lines, source, info)
    column = {name: header.index(name) for name in (*REQUIRED_COLUMNS, "syntax") if name in header}
    pending: deque = deque()
    while True:
        consumed, state = [], {}
        reader = csv.reader(_feed(lines, pending, consumed), delimiter=delimiter, strict=True)
        yield from _rows(reader, consumed, pending, state, column, len(header), delimiter, source)
        if "error" not in state:
            return
        # The reader stopped on an error: report the row's first line, read on from the next.
        yield _broken_row(consumed, column, delimiter, source, state["error"])
        pending.extendleft(reversed(consumed[1:]))


def _feed(lines, pending: deque, consumed: list):
    while True:
        line = pending.popleft() if pending else next(lines, None)
        if line is None:
            return
        consumed.append(line)
        yield line.text


def _rows(reader, consumed, pending, state, column, width, delimiter, source):
    """Rows until the end, or a reader error (``state["error"]``; ``consumed`` holds the bad row)."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            state["error"] = str(exc)
            return
        lines = consumed[:]
        consumed.clear()
        if len(lines) > 1 and _swallows_rows(lines[1:], width, delimiter):
            yield _problem(lines, column, delimiter, source, "grading.unclosed-quote", end=lines[-1].number)
            pending.extendleft(reversed(lines[1:]))
            continue
        bad = next((line for line in lines if line.error), None)
        if bad is not None:
            yield _problem(lines, column, delimiter, source, "grading.unreadable-line", number=bad.number, reason=bad.error)
            continue
        if not any(cell.strip() for cell in record):
            continue
        yield from _take_row(record, column, source, lines[0].number)


def _broken_row(consumed, column, delimiter, source, error: str) -> Problem:
    if "field limit" in error:
        return _problem(consumed, column, delimiter, source, "grading.field-too-long", limit=MAX_FIELD_CHARS)
    if len(consumed) > 1 or '"' in consumed[0].text:
        return _problem(consumed, column, delimiter, source, "grading.unclosed-quote", end=consumed[-1].number)
    return _problem(consumed, column, delimiter, source, "grading.bad-row", reason=error)


def _swallows_rows(continuation, width: int, delimiter: str) -> bool:
    """Whether a quoted field's later lines read as rows of their own: then its quote was never
    meant to span lines, and merging them would lose those rows."""
    for line in continuation:
        cells = _cells(line.text, delimiter)
        if len(cells) >= width and all(cell.strip() for cell in cells[:width]):
            return True
    return False


def _cells(text: str, delimiter: str) -> list[str]:
    """One line's cells, read on its own (leniently: this is a guess, never a grade)."""
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        return []


def _problem(lines, column, delimiter, source, code, **fields) -> Problem:
    student, exercise = _who(lines[0].text, column, delimiter)
    return Problem(source, lines[0].number, code, tuple(fields.items()), student, exercise)


def _who(text: str, column: dict, delimiter: str) -> tuple[str, str]:
    """Student and exercise named on a row's first line, when they read cleanly."""
    cells = _cells(text[:4000], delimiter)
    found = []
    for name in ("student", "exercise"):
        i = column[name]
        value = cells[i].strip() if i < len(cells) else ""
        found.append("" if "\ufffd" in value or len(value) > 1000 or '"' in value else value)
    return found[0], found[1] if found[0] else ""


def _take_row(record: list, column: dict, source: str, line: int):
    cells = {name: (record[i] if i < len(record) else None) for name, i in column.items()}
    student = (cells["student"] or "").strip()
    exercise = (cells["exercise"] or "").strip()
    for name in REQUIRED_COLUMNS:
        value = cells[name]
        if value is None or (name != "answer" and not value.strip()):
            yield Problem(source, line, "grading.missing-column", (("column", name),), student, exercise)
            return
    syntax = (cells.get("syntax") or "auto").strip().lower() or "auto"
    yield checked(Submission(student, exercise, cells["answer"], syntax, source, line))
