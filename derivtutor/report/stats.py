"""The numbers of the class report, counted over the items of ``grade --format json``.

Per exercise of the items' ``exercises`` list, over the items that count (one per
student: superseded rows are left out, as in the gradebook):

- ``answers``: how many; ``graded``: those graded (an answer that could not be read or
  decided -- a typo, ``check.undecided``, a time-out -- is not graded: ``not_graded``);
  ``mean_score`` (points, over the graded answers) and ``max_score``;
- ``share_correct`` and ``share_invalid``: verdicts over ``answers``;
- ``diagnoses``: each diagnosis code of the incorrect answers, with its count (an
  unreadable answer is no misconception: its parse error is counted in ``share_invalid``);
- ``wrong_answers``: incorrect answers, merged when they parse to the same formula
  (``2*x`` and ``x 2``), with counts, most common first;
- ``hardest_students``: the students graded short of full marks, lowest score first.

>>> items = {"exercises": [{"id": "e", "points": 1.0}], "items": [
...     {"student": "a", "exercise": "e", "answer": "2x", "status": "graded", "verdict": "incorrect",
...      "score": 0.0, "max_score": 1.0, "diagnosis": ["sign"], "variant": ""},
...     {"student": "b", "exercise": "e", "answer": "x*2", "status": "graded", "verdict": "incorrect",
...      "score": 0.0, "max_score": 1.0, "diagnosis": ["sign"], "variant": ""}]}
>>> row = class_statistics(items)["exercises"][0]
>>> row["graded"], row["diagnoses"], row["wrong_answers"][0]["count"]
(2, [{'code': 'sign', 'count': 2}], 2)
"""
from __future__ import annotations

from collections import Counter

TOP_WRONG = 10
TOP_STUDENTS = 10
NORMALISE_SECONDS = 0.5


def graded(item: dict) -> bool:
    """Whether an item was graded (items written before ``graded`` existed: by their verdict).

    >>> graded({"verdict": "invalid", "status": "graded"}), graded({"verdict": "invalid", "status": "missing"})
    (False, True)
    """
    if "graded" in item:
        return bool(item["graded"])
    return item.get("verdict") != "invalid" or item.get("status") == "missing"


class ItemsError(ValueError):
    """The file is not the output of ``derivtutor grade --format json``."""


def counted_items(data: dict) -> list[dict]:
    """The items that count: known exercises, superseded rows left out."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not isinstance(data.get("exercises"), list):
        raise ItemsError("expected the JSON of 'derivtutor grade --format json' (with 'exercises' and 'items')")
    ids = {ex.get("id") for ex in data["exercises"] if isinstance(ex, dict)}
    return [item for item in data["items"] if isinstance(item, dict)
            and item.get("exercise") in ids and item.get("status") != "superseded"]


def class_statistics(data: dict) -> dict:
    """The whole report as a JSON-able dict (see the module docstring)."""
    items = counted_items(data)
    rows = []
    for exercise in data["exercises"]:
        mine = [item for item in items if item["exercise"] == exercise["id"]]
        rows.append(exercise_statistics(exercise, mine))
    totals = Counter()
    for item in items:
        totals[item["student"]] += float(item["score"])
    students = sorted({item["student"] for item in items})
    return {
        "students": len(students),
        "items": len(items),
        "max_total": float(sum(float(ex.get("points", 0)) for ex in data["exercises"])),
        "lowest_totals": [{"student": s, "total": round(totals[s], 6)}
                          for s in sorted(students, key=lambda s: (totals[s], s))[:TOP_STUDENTS]],
        "exercises": rows,
    }


def exercise_statistics(exercise: dict, items: list[dict]) -> dict:
    answers = len(items)
    scored = [item for item in items if graded(item)]
    verdicts = Counter(item["verdict"] for item in items)
    diagnoses = Counter(code for item in items if item["verdict"] == "incorrect" for code in item.get("diagnosis") or ())
    wrong = Counter((item.get("variant") or "", normal_form(item["answer"])) for item in items
                    if item["verdict"] == "incorrect" and item["status"] == "graded")
    points = float(exercise.get("points", 0))
    short = [item for item in scored if float(item["score"]) < float(item["max_score"]) or item["verdict"] != "correct"]
    return {
        "id": exercise["id"],
        "max_score": points,
        "answers": answers,
        "graded": len(scored),
        "not_graded": answers - len(scored),
        "mean_score": round(sum(float(i["score"]) for i in scored) / len(scored), 6) if scored else 0.0,
        "share_correct": round(verdicts["correct"] / answers, 6) if answers else 0.0,
        "share_invalid": round(verdicts["invalid"] / answers, 6) if answers else 0.0,
        "verdicts": dict(sorted(verdicts.items())),
        "scores": _score_histogram(scored),
        "diagnoses": [{"code": c, "count": n} for c, n in sorted(diagnoses.items(), key=lambda p: (-p[1], p[0]))],
        "wrong_answers": [{"answer": a, "variant": v, "count": n}
                          for (v, a), n in sorted(wrong.items(), key=lambda p: (-p[1], p[0]))[:TOP_WRONG]],
        "hardest_students": [{"student": i["student"], "score": float(i["score"]), "verdict": i["verdict"]}
                             for i in sorted(short, key=lambda i: (float(i["score"]), i["student"]))[:TOP_STUDENTS]],
    }


def _score_histogram(items: list[dict]) -> list[dict]:
    """How many items got each score, lowest first."""
    scores = Counter(round(float(item["score"]), 6) for item in items)
    return [{"score": s, "count": n} for s, n in sorted(scores.items())]


def normal_form(answer: str) -> str:
    """One spelling per formula: the parsed answer in course notation, else its text with
    spaces that cannot matter removed (an answer the parser does not read).

    >>> normal_form("x 2 + sin x"), normal_form("sin(x) + 2*x")
    ('2*x + sin(x)', '2*x + sin(x)')
    """
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.grading.grader import normalise
    from derivtutor.input.parsing import parse
    from derivtutor.render.text import course_str

    try:
        with time_limit(NORMALISE_SECONDS):
            return course_str(parse(answer))
    except (Exception, TimeLimitExceeded):
        return normalise(answer)
