"""A run's graded items, built from each distinct check's outcome without a Python object per row.

Every row that wrote the same (exercise or variant, normalised answer, syntax) shares
one outcome, so the part of an item that the outcome decides -- status, verdict,
points, feedback, whether it is graded -- is worked out once per check
(``task_columns``) and kept in the ``tasks`` table; SQLite then joins each row's own
fields (student, answer, where) to it (``ITEMS_SQL``). A class of 10,000 rows and
2,700 distinct checks costs 2,700 small Python steps, not 10,000.

An answer that could not be read or decided is *not graded* (``gradebook.is_graded``):
``graded`` is false and ``not_graded`` names why (the checker's diagnosis code, such as
``parse.typo`` or ``check.undecided``, or ``grading.timeout``). A blank answer is a
missing one: a graded 0.

>>> columns = task_columns({"status": "graded", "verdict": "invalid", "score": 0.0, "diagnosis": ["parse.typo"],
...     "message": "Did you mean cos?", "expected": None, "reason": ""}, 1.0, "table-sin", "x", "en")
>>> dict(zip(TASK_COLUMNS, columns))["graded"], dict(zip(TASK_COLUMNS, columns))["not_graded"]
(0, 'parse.typo')
"""
from __future__ import annotations

import json

from derivtutor.catalogue import message
from derivtutor.grading.gradebook import _FIELD_NAMES, is_graded

#: Outcome status -> catalogue code of the reason given to the student.
STATUS_REASONS = {
    "timeout": "grading.timeout",
    "memory": "grading.memory",
    "crash": "grading.crash",
    "error": "grading.crash",
}
#: What ``task_columns`` gives, in the order of the ``tasks`` table's outcome columns.
TASK_COLUMNS = ("status", "verdict", "score", "max_score", "diagnosis", "message", "expected", "reason", "variant",
                "graded", "not_graded")
SET_OUTCOME = f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in TASK_COLUMNS)} WHERE id = ?"

#: Each GradedItem field as SQL over a row ``r`` and its check ``t``.
_ROW_FIELDS = ("student", "exercise", "answer", "source", "line")
_SQL_FIELDS = {name: f"r.{name}" if name in _ROW_FIELDS else f"t.{name}" for name in _FIELD_NAMES}
_SQL_FIELDS["diagnosis"] = "json(t.diagnosis)"
_SQL_FIELDS["graded"] = "json(CASE WHEN t.graded THEN 'true' ELSE 'false' END)"
#: Every live (not superseded) row's item, its JSON in GradedItem's field order.
ITEMS_SQL = f"""INSERT INTO items (student, exercise, line, source, status, score, max_score, graded, data)
    SELECT r.student, r.exercise, r.line, r.source, t.status, t.score, t.max_score, t.graded,
           json_object({', '.join(f"'{name}', {_SQL_FIELDS[name]}" for name in _FIELD_NAMES)})
    FROM rows r JOIN tasks t ON t.task_key = r.task_key AND t.norm = r.norm AND t.syntax = r.syntax
    WHERE r.superseded = 0"""
#: A warning for the instructor per counted item that is not graded (a row that could not
#: be read already has its own).
NOT_GRADED_SQL = """INSERT INTO problems (source, line, code, fields, student, exercise)
    SELECT source, line, 'grading.not-graded', json_array(json_array('student', student),
           json_array('exercise', exercise), json_array('reason', substr(json_extract(data, '$.message'), 1, 300))),
           student, exercise
    FROM items WHERE counts = 1 AND graded = 0 AND status != 'malformed'"""


def task_columns(outcome: dict, points: float, key: str, norm: str, lang: str) -> tuple:
    """The ``TASK_COLUMNS`` of one check's outcome, for an exercise worth ``points``."""
    if not norm:  # a blank answer: no answer at all, a graded 0
        return ("missing", "invalid", 0.0, points, "[]", message("grading.missing-answer", lang), None, "",
                variant_label(key), 1, "")
    fraction = min(1.0, max(0.0, float(outcome["score"] or 0.0)))
    text, diagnosis, status = outcome["message"], list(outcome["diagnosis"]), outcome["status"]
    code = diagnosis[0] if diagnosis else "check.invalid"
    if status in STATUS_REASONS:
        # Whichever limit fired (the checker's, the worker's, the parent's kill), the item reads the same.
        code = STATUS_REASONS[status]
        text, diagnosis, fraction = message(code, lang), [code], 0.0
    graded = is_graded(outcome["verdict"], status)
    score = round(fraction * points, 6) if graded else 0.0
    return (status, outcome["verdict"], score, points, json.dumps(diagnosis, ensure_ascii=False), text,
            outcome["expected"], outcome["reason"] if status == "error" else "", variant_label(key), int(graded),
            "" if graded else code)


def variant_label(key: str) -> str:
    """The label of a student's variant of a randomised exercise (its task key is ID@LABEL), else ''."""
    return key.partition("@")[2]
