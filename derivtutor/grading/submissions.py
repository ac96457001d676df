"""Reading a class's answers: a CSV file, or a folder with one answers file per student.

CSV: a header row with the columns ``student``, ``exercise``, ``answer`` and,
optionally, ``syntax`` (auto | plain | latex); any order, extra columns
ignored; comma, semicolon or tab as the separator (see
``derivtutor.grading.csvfile``). A quoted field may hold newlines: a multi-line
answer::

    student,exercise,answer
    ivanova,table-sin,cos(x)
    petrov,chain-tg-x2,"2x/cos^2(x^2)"

Folder: one text file per student, ``<student>.txt``; the file name (without
``.txt``) is the student. Each entry is ``EXERCISE-ID: ANSWER``, or
``EXERCISE-ID [latex]: ANSWER`` to fix the syntax; blank lines and lines that
start with ``#`` are ignored. The answer is everything after the first colon.
Lines indented deeper than the entry that follow it continue its answer, which
then has one line per physical line (each stripped); a blank line ends it::

    # Ivanova, homework 1
    table-sin: cos x
    chain-tg-x2 [latex]: \\frac{2x}{\\cos^2 x^2}
    chain-sin-x2: y' = cos(x^2) * (x^2)'
        = 2x cos(x^2)

Every file's encoding is found on its own (``derivtutor.grading.decoding``). A
row that cannot be read becomes a ``Problem`` with its line number, a file that
cannot be read a ``Problem`` of its own; the rest is still read.

>>> rows, problems = parse_answers_text("table-sin: cos x\\noops\\nd: y'\\n  = 1\\n", "ivanova", "ivanova.txt")
>>> [r.answer for r in rows], problems[0].line
(['cos x', "y'\\n= 1"], 2)
"""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from derivtutor.grading.csvfile import csv_entries, text_lines
from derivtutor.grading.decoding import Line, read_lines
from derivtutor.grading.records import (MAX_ANSWER_CHARS, REQUIRED_COLUMNS, SYNTAXES, Problem,  # noqa: F401
                                        Submission, SubmissionError, checked)

#: Most bytes read from one student's answers file; the rest is reported, not read.
MAX_FILE_BYTES = 1024 * 1024


class Submissions:
    """The entries (``Submission`` or ``Problem``) of a CSV file or a folder, read lazily.

    ``sources`` fills in as files are read: ``{"source", "encoding", "delimiter"}`` each.
    """

    def __init__(self, path: str | Path):
        self.path, self.sources = Path(path), []
        if not self.path.is_dir() and not self.path.is_file():
            raise SubmissionError(f"submissions not found: {self.path}")
        if self.path.is_dir() and not _answer_files(self.path):
            raise SubmissionError(f"{self.path}: no <student>.txt answers files")

    def __iter__(self):
        if self.path.is_dir():
            yield from self._folder()
            return
        with self.path.open("rb") as fh:
            lines = read_lines(fh)
            info = {"source": self.path.name, "encoding": lines.encoding, "delimiter": None}
            self.sources.append(info)
            yield from csv_entries(lines, self.path.name, info)

    def _folder(self):
        for path in _answer_files(self.path):
            if path.suffix in LAB_SUFFIXES:  # a student's whole lab (derivtutor.course.lab_kind)
                rows, problems = read_lab_file(path, path.stem)
                yield from problems + rows
                continue
            try:
                lines, encoding = read_limited(path, MAX_FILE_BYTES)
            except (OSError, SubmissionError) as exc:
                yield Problem(path.name, 0, "grading.file-unreadable", (("reason", _reason(exc)),), path.stem, "")
                continue
            self.sources.append({"source": path.name, "encoding": encoding, "delimiter": None})
            yield from answer_entries(lines, path.stem, path.name)


def _answer_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".txt",) + LAB_SUFFIXES and p.is_file()
                  and not p.is_symlink())


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def read_submissions(path: str | Path) -> tuple[list[Submission], list[Problem]]:
    """Read a CSV file or a folder of answers files into (rows, problems).

    >>> read_submissions("no-such-file.csv")
    Traceback (most recent call last):
    ...
    derivtutor.grading.records.SubmissionError: submissions not found: no-such-file.csv
    """
    return split_entries(Submissions(path))


def split_entries(entries) -> tuple[list[Submission], list[Problem]]:
    rows, problems = [], []
    for entry in entries:
        (problems if isinstance(entry, Problem) else rows).append(entry)
    return rows, problems


def read_csv_text(text: str, source: str = "<csv>") -> tuple[list[Submission], list[Problem]]:
    """Parse CSV text with a header row (see the module docstring)."""
    return split_entries(csv_entries(text_lines(text.removeprefix("\ufeff")), source))


def parse_answers_text(text: str, student: str, source: str) -> tuple[list[Submission], list[Problem]]:
    """Parse one student's answers text (``EXERCISE-ID [syntax]: ANSWER`` entries)."""
    return split_entries(answer_entries(text_lines(text), student, source))


def answer_entries(lines, student: str, source: str):
    """Yield a ``Submission`` or ``Problem`` per entry of an answers file's ``Line``s."""
    entry = None
    for line in lines:
        raw = line.text.rstrip("\r\n")
        text, indent = raw.strip(), len(raw) - len(raw.lstrip())
        if entry is not None and text and indent > entry["indent"]:
            entry["parts"].append(text)
            entry["error"] = entry["error"] or (line.error and (line.number, line.error))
            continue
        if entry is not None:
            yield _finish(entry, student, source)
        entry = None
        if line.error and not text:
            yield Problem(source, line.number, "grading.unreadable-line", (("number", line.number), ("reason", line.error)), student, "")
            continue
        if not text or text.startswith("#"):
            continue
        key, colon, answer = text.partition(":")
        if line.error and (not colon or "\ufffd" in key):
            yield Problem(source, line.number, "grading.unreadable-line", (("number", line.number), ("reason", line.error)), student, "")
        elif not colon or not key.strip():
            yield Problem(source, line.number, "grading.no-colon", (), student, "")
        else:
            entry = {"line": line.number, "indent": indent, "key": key, "parts": [answer.strip()],
                     "error": line.error and (line.number, line.error)}
    if entry is not None:
        yield _finish(entry, student, source)


def _finish(entry: dict, student: str, source: str):
    exercise, syntax = entry["key"].strip(), "auto"
    if exercise.endswith("]") and "[" in exercise:
        exercise, _, syntax = exercise[:-1].partition("[")
        exercise, syntax = exercise.strip(), syntax.strip().lower()
    if entry["error"]:
        number, reason = entry["error"]
        return Problem(source, entry["line"], "grading.unreadable-line", (("number", number), ("reason", reason)), student, exercise)
    answer = "\n".join(part for part in entry["parts"] if part)
    return checked(Submission(student, exercise, answer, syntax, source, entry["line"]))


def read_limited(path: Path, limit: int, inside: Path | None = None) -> tuple[list[Line], str]:
    """The ``Line``s of at most ``limit`` bytes of a regular file, never through a symlink.

    With ``inside``, the file must also lie in that folder once every link is resolved.
    A file cut at ``limit`` ends with a line whose error says so.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    if inside is not None and not _within(path, inside):
        raise SubmissionError(f"{path.name}: outside the submission folder")
    if path.is_symlink():
        raise SubmissionError(f"{path.name}: a symbolic link, not a file")
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SubmissionError(f"{path.name}: not a regular file")
        data = fh.read(limit + 1)
    cut = len(data) > limit
    if cut:
        data = data[: data.rfind(b"\n", 0, limit) + 1]
    reader = read_lines(io.BytesIO(data))
    lines = list(reader)
    if cut:
        lines.append(Line(len(lines) + 1, "", f"beyond the first {limit} bytes, which is all that is read"))
    return lines, reader.encoding


def _within(path: Path, folder: Path) -> bool:
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, root]) == root


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



def _regular_files(folder: Path, suffixes: tuple) -> list[Path]:
    """The regular files below ``folder`` ending in ``suffixes``, in name order, no link followed."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        found += [Path(root, name) for name in sorted(files) if Path(name).suffix in suffixes
                  and not os.path.islink(os.path.join(root, name)) and os.path.isfile(os.path.join(root, name))]
    return found


def find_answers_file(folder: str | Path) -> Path:
    """The answers file of one Gradescope submission: ``answers.txt``, else the only ``*.txt``.

    Links are never followed, neither to files nor into folders.
    """
    folder = Path(folder)
    preferred = folder / "answers.txt"
    if preferred.is_symlink():
        raise SubmissionError(f"{folder}: answers.txt is a symbolic link; upload the file itself")
    if preferred.is_file():
        return preferred
    # a lab: the one .py or .ipynb file of the submission
    candidates = _regular_files(folder, (".txt",)) or _regular_files(folder, LAB_SUFFIXES)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SubmissionError(f"{folder}: no answers.txt in the submission")
    raise SubmissionError(f"{folder}: several .txt files and no answers.txt; name the answers file answers.txt")


def read_submission(folder: str | Path, student: str = "student") -> tuple[list, list, str]:
    """One Gradescope submission: (rows, problems, encoding) of its answers file, read safely."""
    folder = Path(folder)
    path = find_answers_file(folder)
    if path.suffix in LAB_SUFFIXES:  # a lab: the file is the whole submission
        if not _within(path, folder) or path.stat().st_size > MAX_FILE_BYTES:
            raise SubmissionError(f"{path.name}: outside the submission or too large")
        rows, problems = read_lab_file(path, student)
        return rows, problems, "utf-8"
    lines, encoding = read_limited(path, MAX_FILE_BYTES, inside=folder)
    rows, problems = split_entries(answer_entries(lines, student, path.name))
    return rows, problems, encoding
