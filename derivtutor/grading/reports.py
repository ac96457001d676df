"""Writers for a GradeReport: Gradescope results.json, a CSV gradebook, item-level JSON.

Every writer returns text; ``write_atomic`` puts text on disk through a
temporary file in the same folder and ``os.replace``, so an interrupted run
leaves either the old file or the new one, never half a gradebook.

Gradescope's results.json (https://gradescope-autograders.readthedocs.io,
"Autograder Specifications") has a top-level ``score`` and ``output`` and one
entry in ``tests`` per exercise, each with ``name``, ``score``, ``max_score``,
``status`` ("passed" | "failed"), ``output`` and ``visibility``.

>>> format_points(2.5), format_points(1.0), format_points(1/3)
('2.5', '1', '0.3333')
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

from derivtutor.catalogue import format_points, message

FORMATS = ("gradescope", "csv", "json")


def _points(value: float) -> float:
    return round(value, 4)


def _test_output(item, lang: str) -> str:
    lines = []
    if item.answer:
        lines.append(message("grading.your-answer", lang, answer=item.answer))
    verdict = message(f"grading.verdict-{item.verdict}", lang) if item.status == "graded" else ""
    for text in (verdict, item.message):
        if text and text not in lines:
            lines.append(text)
    return "\n".join(lines)


def gradescope_results(report, student: str, *, visibility: str = "visible") -> dict:
    """One student's results.json as a dict (Gradescope's specification)."""
    lang, tests = report.lang, []
    titles = {ex.id: ex.title[lang] for ex in report.exercises}
    counted = [(item, True) for item in report.counted(student)]
    for item, counts in counted + [(item, False) for item in report.extra(student)]:
        output = _test_output(item, lang)
        if not counts:  # answered, but outside the assignment: shown for feedback, worth nothing
            output = "\n".join((output, message("grading.not-in-assignment", lang)))
        title = titles.get(item.exercise)
        test = {
            "name": message("grading.test-name", lang, id=item.exercise, title=title) if title else item.exercise,
            "score": _points(item.score) if counts else 0.0,
            "max_score": _points(item.max_score) if counts else 0.0,
            "status": "passed" if counts and item.max_score and item.score >= item.max_score else "failed",
            "output": output,
            "visibility": visibility,
        }
        tests.append(test)
    total = report.total(student)
    return {
        "score": _points(total),
        "output": message("grading.summary", lang, score=format_points(total), max_score=format_points(report.max_total())),
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradescope_combined(report) -> str:
    """Every student's results.json in one JSON object keyed by student."""
    data = {student: gradescope_results(report, student) for student in report.students}
    return to_json(data)


def gradescope_text(report, student: str) -> str:
    return to_json(gradescope_results(report, student))


def gradebook_csv(report) -> str:
    """One row per student: a column per exercise with the points, then total and max."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *(ex.id for ex in report.exercises), "total", "max"])
    max_total = format_points(report.max_total())
    for student in report.students:
        scores = [format_points(item.score) for item in report.counted(student)]
        writer.writerow([student, *scores, format_points(report.total(student)), max_total])
    return out.getvalue()


def items_json(report) -> str:
    """Every item's verdict, score, diagnosis and feedback, with the problems met."""
    data = {
        "exercises": [{"id": ex.id, "points": ex.points} for ex in report.exercises],
        "students": [{"student": s, "total": _points(report.total(s))} for s in report.students],
        "max_total": _points(report.max_total()),
        "items": [item.to_dict() for item in report.items],
        "problems": [{"source": p.source, "line": p.line, "code": p.code, "message": text}
                     for p, text in report.problems],
    }
    return to_json(data)


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(report, fmt: str) -> str:
    """The whole report in one of FORMATS (gradescope: every student, combined)."""
    writers = {"gradescope": gradescope_combined, "csv": gradebook_csv, "json": items_json}
    return writers[fmt](report)


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename.

    >>> import tempfile, os; folder = tempfile.mkdtemp()
    >>> write_atomic(os.path.join(folder, "g.csv"), "a,b\\n").read_text()
    'a,b\\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path


def safe_file_name(student: str) -> str:
    """A file name for a student id: letters, digits, '-', '_' and '.' kept, the rest '_'.

    >>> safe_file_name("ivanova a.")
    'ivanova_a.'
    >>> safe_file_name("../../etc")
    '_._.._etc'
    """
    name = re.sub(r"[^\w.-]", "_", student, flags=re.UNICODE).strip() or "_"
    return "_" + name[1:] if name.startswith(".") else name


def write_per_student(report, folder: str | os.PathLike) -> list[Path]:
    """One ``<student>.json`` (Gradescope results) per student in ``folder``."""
    folder, written, used = Path(folder), [], set()
    for student in report.students:
        name = safe_file_name(student)
        stem, n = name, 2
        while name.lower() in used:  # two ids that clean to the same name
            name, n = f"{stem}-{n}", n + 1
        used.add(name.lower())
        written.append(write_atomic(folder / f"{name}.json", gradescope_text(report, student)))
    return written
