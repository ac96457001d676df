"""One worksheet per student of a roster, and the instructor's key of everyone's variants.

A roster is a CSV file with a ``student`` column (else its first column is the
student id); blank rows are skipped. The key lists, for every student and
exercise, the variant label, the function and the reference answer.

>>> read_roster_text("student,name\\nivanova,Anna\\n\\npetrov,Pyotr\\n")
['ivanova', 'petrov']
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from derivtutor.catalogue import message
from derivtutor.course.variants import for_student


class RosterError(ValueError):
    """A roster that cannot be read (no file, no rows, a student listed twice)."""


def read_roster_text(text: str) -> list[str]:
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if not rows:
        raise RosterError("the roster is empty")
    header = [c.strip().lower() for c in rows[0]]
    column = header.index("student") if "student" in header else 0
    body = rows[1:] if "student" in header else rows
    students = [r[column].strip() for r in body if column < len(r) and r[column].strip()]
    repeated = sorted({s for s in students if students.count(s) > 1})
    if repeated:
        raise RosterError(f"students listed twice: {', '.join(repeated)}")
    if not students:
        raise RosterError("the roster lists no student")
    return students


def read_roster(path) -> list[str]:
    try:
        return read_roster_text(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(str(exc)) from None


def key_rows(students: list[str], exercises: list, seed: str | None = None) -> list[dict]:
    """student, exercise, variant, function and answer of every student's every exercise."""
    rows = []
    for student in students:
        for exercise in exercises:
            mine = for_student(exercise, student, seed)
            rows.append({"student": student, "exercise": exercise.id, "variant": mine.get("variant") or "",
                         "function": mine.get("function") or "", "answer": mine.get("answer") or ""})
    return rows


def key_csv(rows: list[dict]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, ["student", "exercise", "variant", "function", "answer"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def key_markdown(rows: list[dict], lang: str = "en") -> str:
    cols = ("student", "exercise", "variant", "function", "answer")
    lines = [f"# {message('variants.key-title', lang)}", "",
             "| " + " | ".join(message(f"variants.key-{c}", lang) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]).replace("|", "\\|") or "—" for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"
