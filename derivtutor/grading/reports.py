"""Writers for a GradeReport: Gradescope results.json, a CSV gradebook, item-level JSON.

Each writer writes to a text stream, a student or an item at a time, so a large
class is never held as one string; ``render`` gives the text. On disk, every
output is whole or absent (``derivtutor.grading.outputs``): a file through a
temporary file and a rename, a folder of per-student results through a
temporary folder and a rename. Every CSV cell is neutralised against formula
injection.

Gradescope's results.json (https://gradescope-autograders.readthedocs.io,
"Autograder Specifications") has a top-level ``score`` and ``output`` and one
entry in ``tests`` per exercise, each with ``name``, ``score``, ``max_score``,
``status`` ("passed" | "failed"), ``output`` and ``visibility``. A line of the
answers file that could not be read is a test of its own, worth nothing.

An answer that is not graded (a typo, a parse error, an undecided check, a time-out)
is a visible test worth 0 of 0 with the status "failed" (Gradescope shows a 0-point
test as failing only when ``status`` says so), whose output says what could not be read
and to correct it and submit again; the summary counts such answers. In the CSV
gradebook its cell is empty, ``total`` and ``max`` leave it out, and ``not_graded``
counts it; in the JSON items it has ``"graded": false``, ``not_graded`` (the reason
code) and 0 of 0.

>>> format_points(2.5), format_points(1.0), format_points(1/3)
('2.5', '1', '0.3333')
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from derivtutor.catalogue import format_points, message
from derivtutor.grading.outputs import (INDEX_NAME, replace_folder, safe_cell, safe_file_name,  # noqa: F401
                                        unique_names, write_atomic, write_atomic_with)

FORMATS = ("gradescope", "csv", "json")
#: Problems that are not about reading a line (they have items of their own).
_NOT_READING = ("grading.unknown-exercise", "grading.duplicate", "grading.not-graded")


def _points(value: float) -> float:
    return round(value, 4)


def _test_output(item, lang: str) -> str:
    """The answer, then one verdict sentence: the checker's, said once (partial credit says how much)."""
    lines = [message("grading.your-answer", lang, answer=item.answer)] if item.answer else []
    text = item.message
    if not item.graded:
        text = message("grading.not-graded-test", lang, text=text or message("grading.verdict-invalid", lang))
    elif item.status == "graded":
        text = text or message(f"grading.verdict-{item.verdict}", lang)
        if 0 < item.score < item.max_score:
            text = message("grading.partial", lang, score=format_points(item.score),
                           max_score=format_points(item.max_score), text=text)
    if text:
        lines.append(text)
    return "\n".join(lines)


def _test(item, counts: bool, titles: dict, lang: str, visibility: str) -> dict:
    output = _test_output(item, lang)
    if not counts:  # answered, but outside the assignment: shown for feedback, worth nothing
        output = "\n".join((output, message("grading.not-in-assignment", lang)))
    counts = counts and item.graded  # not graded: neither earns nor costs points
    title = titles.get(item.exercise)
    return {
        "name": message("grading.test-name", lang, id=item.exercise, title=title) if title else item.exercise,
        "score": _points(item.score) if counts else 0.0,
        "max_score": _points(item.max_score) if counts else 0.0,
        "status": "passed" if counts and item.max_score and item.score >= item.max_score else "failed",
        "output": output,
        "visibility": visibility,
    }


def _line_tests(report, student: str, lang: str, visibility: str) -> list[dict]:
    """A test, worth nothing, for each line of the student's that could not be read as an answer."""
    from derivtutor.grading.gradebook import problem_reason

    tests = []
    for problem in report.student_problems(student):
        if problem.code in _NOT_READING or problem.exercise in report.bank_ids:
            continue
        tests.append({"name": message("grading.line-test-name", lang, source=problem.source, line=problem.line),
                      "score": 0.0, "max_score": 0.0, "status": "failed", "visibility": visibility,
                      "output": message("grading.line-unreadable", lang, line=problem.line,
                                        reason=problem_reason(problem, lang))})
    return tests


def gradescope_results(report, student: str, *, visibility: str = "visible") -> dict:
    """One student's results.json as a dict (Gradescope's specification)."""
    lang = report.lang
    titles = {ex.id: ex.title[lang] for ex in report.exercises}
    tests = [_test(item, True, titles, lang, visibility) for item in report.counted(student)]
    tests += [_test(item, False, titles, lang, visibility) for item in report.extra(student)]
    tests += _line_tests(report, student, lang, visibility)
    total, max_total, not_graded = report.summary(student)
    summary = message("grading.summary-not-graded" if not_graded else "grading.summary", lang, score=format_points(total),
                      max_score=format_points(max_total), count=not_graded)
    return {
        "score": _points(total),
        "output": summary,
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_gradescope_combined(report, fh) -> None:
    """Every student's results.json in one JSON object keyed by student."""
    fh.write("{")
    for n, student in enumerate(report.students):
        fh.write(("," if n else "") + "\n  " + json.dumps(student, ensure_ascii=False) + ": ")
        fh.write(json.dumps(gradescope_results(report, student), ensure_ascii=False))
    fh.write("\n}\n")


def gradescope_text(report, student: str) -> str:
    return to_json(gradescope_results(report, student))


def write_gradebook(report, fh) -> None:
    """One row per student: a column per exercise with the points (empty: not graded, 0: no answer),
    then total and max over the graded items, and how many are not graded."""
    writer = csv.writer(fh, lineterminator="\n")
    ids = [ex.id for ex in report.exercises]
    writer.writerow([safe_cell(c) for c in ["student", *ids, "total", "max", "not_graded"]])
    for (student, cells), (_, total, max_total, not_graded) in zip(report.score_rows(), report.summaries()):
        scores = [cells.get(i, (0.0, True)) for i in ids]
        writer.writerow([safe_cell(student), *(format_points(score) if graded else "" for score, graded in scores),
                         format_points(total), format_points(max_total), not_graded])


def write_items_json(report, fh) -> None:
    """Every item's verdict, score, diagnosis and feedback, with the problems met.

    An item that does not count (outside the columns, or superseded) or is not graded
    shows a score of 0 out of 0, so each student's item scores add up to their total
    and the max_scores of their counted items to their max_total.
    """
    head = {
        "exercises": [{"id": ex.id, "points": ex.points} for ex in report.exercises],
        "students": [{"student": s, "total": _points(total), "max_total": _points(max_total), "not_graded": count}
                     for s, total, max_total, count in report.summaries()],
        "max_total": _points(report.max_total()),
        "sources": report.sources,
    }
    fh.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "items": [')
    for n, item in enumerate(report.iter_items()):
        if not item["counts"] or not item.get("graded", True):
            item = {**item, "score": 0.0, "max_score": 0.0}
        fh.write(("," if n else "") + "\n    " + json.dumps(item, ensure_ascii=False))
    fh.write('\n  ],\n  "problems": [')
    for n, (p, text) in enumerate(report.iter_problems()):
        entry = {"source": p.source, "line": p.line, "code": p.code, "message": text}
        fh.write(("," if n else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
    fh.write("\n  ]\n}\n")


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


WRITERS = {"gradescope": write_gradescope_combined, "csv": write_gradebook, "json": write_items_json}


def render(report, fmt: str) -> str:
    """The whole report in one of FORMATS (gradescope: every student, combined)."""
    out = io.StringIO(newline="")
    WRITERS[fmt](report, out)
    return out.getvalue()


def gradebook_csv(report) -> str:
    return render(report, "csv")


def items_json(report) -> str:
    return render(report, "json")


def gradescope_combined(report) -> str:
    return render(report, "gradescope")


def write_report(report, fmt: str, path: str | os.PathLike) -> Path:
    """The report in ``fmt`` written atomically to ``path``."""
    return write_atomic_with(path, lambda fh: WRITERS[fmt](report, fh))


def write_per_student(report, folder: str | os.PathLike) -> list[Path]:
    """One ``<student>.json`` (Gradescope results) per student, and ``index.csv`` (id -> file),
    in ``folder``, which appears whole or not at all."""
    folder, names = Path(folder), unique_names(report.students)

    def fill(temp: Path) -> None:
        for student, name in names.items():
            (temp / f"{name}.json").write_text(gradescope_text(report, student), encoding="utf-8")
        with (temp / INDEX_NAME).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["student", "file"])
            writer.writerows([safe_cell(student), safe_cell(f"{name}.json")] for student, name in names.items())

    replace_folder(folder, fill)
    return [folder / f"{name}.json" for name in names.values()] + [folder / INDEX_NAME]
