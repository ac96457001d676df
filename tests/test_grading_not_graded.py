"""A typo is never graded (issue 13), nor is an answer the checker cannot decide (issue 11): the
real CLI on a real class file, with the real checker, and every output it writes.

The witness is the class file itself: which rows the parser refuses (``input.parsing.parse``,
not the grader), which the checker leaves undecided (``check_exercise`` run here on that row
alone), and which are right (``sympy.diff``). The totals and maxima are summed here from
those rows, never read from the grader's own sums.
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
from types import SimpleNamespace

import pytest
import sympy

from derivtutor.cli import main
from derivtutor.course import bank as exercises
from derivtutor.course.bank import check_exercise, load_exercises
from derivtutor.input.parsing import ParseError, parse

BANK = load_exercises()
ROWS = [
    ("ivanova", "table-sin", "cos x"),                          # right
    ("ivanova", "table-cos", "sni x"),                          # a typo: "did you mean sin?"
    ("ivanova", "invtrig-arctg", "1/(1 + x^2)"),               # right
    ("petrov", "table-sin", "cos(x)+exp(-exp(exp(x^2+3)))"),    # wrong by 1e-200000000: undecided today
    ("petrov", "table-cos", "sin x"),                           # wrong
    ("petrov", "invtrig-arctg", "cos^2(arctg x)"),             # right
    ("sidorov", "table-sin", "-cos x"),                         # wrong
    ("sidorov", "table-cos", "-sin x"),                         # right
    ("sidorov", "invtrig-arctg", "1/(1 + x^2"),                # a parse error
]
COLUMNS = ("table-sin", "table-cos", "invtrig-arctg")  # fixed exercises: no variants


def _right(exercise_id: str, expr) -> bool:
    exercise = BANK[exercise_id]
    x = sympy.Symbol(exercise.get("variable"))
    reference = sympy.diff(parse(exercise.get("function"), syntax="plain"), x)
    return all(abs(complex((reference - expr).subs(x, sympy.Rational(k, 7)).evalf(50))) < 1e-30 for k in (2, 5, 9))


def _witness():
    """(student, exercise) -> None (not graded) or the points the row earns."""
    table = {}
    for student, exercise_id, answer in ROWS:
        try:
            expr = parse(answer)
        except ParseError:
            table[(student, exercise_id)] = None
            continue
        if check_exercise(BANK[exercise_id], answer, timeout=20).verdict == "invalid":   # undecided
            table[(student, exercise_id)] = None
            continue
        table[(student, exercise_id)] = BANK[exercise_id].points if _right(exercise_id, expr) else 0.0
    return table


@pytest.fixture(scope="module")
def witness():
    table = _witness()
    assert table[("ivanova", "table-cos")] is None and table[("sidorov", "invtrig-arctg")] is None
    assert table[("petrov", "table-sin")] in (None, 0.0)       # never full marks, whatever the checker decides
    return table


@pytest.fixture
def class_csv(tmp_path):
    path = tmp_path / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "exercise", "answer"])
        writer.writerows(ROWS)
    return path


def _line(student, exercise_id) -> int:
    return 2 + ROWS.index(next(r for r in ROWS if r[:2] == (student, exercise_id)))


def test_gradebook_totals_leave_out_what_is_not_graded(witness, class_csv, tmp_path, capsys):
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(class_csv), "--out", str(out), "--jobs", "2", "--timeout", "20"]) == 0
    err = capsys.readouterr().err
    table = {row["student"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert list(next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))) == \
        ["student", *COLUMNS, "total", "max", "not_graded"]
    for student in ("ivanova", "petrov", "sidorov"):
        mine = {ex: witness[(student, ex)] for ex in COLUMNS}
        graded = {ex: points for ex, points in mine.items() if points is not None}
        row = table[student]
        assert float(row["total"]) == sum(graded.values())
        assert float(row["max"]) == sum(BANK[ex].points for ex in graded)
        assert int(row["not_graded"]) == len(mine) - len(graded)
        assert [ex for ex in COLUMNS if row[ex] == ""] == [ex for ex in COLUMNS if ex not in graded]
        for ex, points in mine.items():   # the instructor is told of each, with its line
            said = f"line {_line(student, ex)}: {student}, {ex}: not graded"
            assert (said in err) == (points is None), said


def test_json_items_say_not_graded_and_add_up(witness, class_csv, tmp_path, capsys):
    out = tmp_path / "items.json"
    assert main(["grade", str(class_csv), "--format", "json", "--out", str(out), "--jobs", "1", "--timeout", "20"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    items = {(i["student"], i["exercise"]): i for i in data["items"]}
    for key, points in witness.items():
        item = items[key]
        assert item["graded"] is (points is not None)
        if points is None:
            assert item["verdict"] == "invalid" and (item["score"], item["max_score"]) == (0.0, 0.0)
            assert item["not_graded"].startswith("parse.") or item["not_graded"] == "check.undecided"
        else:
            assert (item["score"], item["max_score"], item["not_graded"]) == (points, BANK[key[1]].points, "")
    assert items[("ivanova", "table-cos")]["not_graded"] == "parse.typo"
    assert items[("petrov", "table-sin")]["not_graded"] in ("", "check.undecided")
    for entry in data["students"]:
        mine = [p for (s, _), p in witness.items() if s == entry["student"]]
        assert entry["total"] == sum(p for p in mine if p is not None)
        assert entry["max_total"] == sum(1.0 for p in mine if p is not None)
        assert entry["not_graded"] == mine.count(None)
        counted = [i for i in data["items"] if i["student"] == entry["student"]]
        assert sum(i["max_score"] for i in counted) == entry["max_total"]


@pytest.mark.parametrize("lang, words", [("en", "Not graded"), ("ru", "Не оценено")])
def test_gradescope_shows_a_not_graded_test_that_costs_nothing(witness, class_csv, tmp_path, lang, words):
    folder = tmp_path / "results"
    assert main(["grade", str(class_csv), "--format", "gradescope", "--out", f"{folder}/", "--jobs", "1",
                 "--timeout", "20", "--lang", lang]) == 0
    for student in ("ivanova", "petrov", "sidorov"):
        data = json.loads((folder / f"{student}.json").read_text(encoding="utf-8"))
        tests = {t["name"].split(":")[0]: t for t in data["tests"]}
        for ex in COLUMNS:
            points, test = witness[(student, ex)], tests[ex]
            assert test["visibility"] == "visible"
            if points is None:
                assert (test["score"], test["max_score"], test["status"]) == (0.0, 0.0, "failed")
                assert test["output"].splitlines()[1].startswith(words)
            else:
                assert (test["score"], test["max_score"]) == (points, BANK[ex].points)
        assert data["score"] == sum(p for (s, _), p in witness.items() if s == student and p is not None)


def test_the_gradescope_command_does_not_grade_a_typo(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "answers.txt").write_text("table-sin: cos x\ntable-cos: sni x\n", encoding="utf-8")
    results = tmp_path / "results.json"
    assert main(["gradescope", "--submission", str(tmp_path / "submission"), "--results", str(results),
                 "--metadata", str(tmp_path / "none.json"), "--assignment", "table-sin,table-cos",
                 "--timeout", "20"]) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    typo = next(t for t in data["tests"] if t["name"].startswith("table-cos"))
    assert (typo["score"], typo["max_score"], typo["status"]) == (0.0, 0.0, "failed")
    assert "sin" in typo["output"] and "Not graded" in typo["output"]
    assert data["score"] == BANK["table-sin"].points and "1 not graded" in data["output"]


def stand_in(exercise, answer, lang="en"):
    """Undecided when the answer says so; correct for 'ok'; wrong otherwise."""
    if answer == "undecided":
        return SimpleNamespace(verdict="invalid", score=None, diagnosis=["check.undecided"],
                               message="The answer could not be decided.", expected=None)
    return SimpleNamespace(verdict="correct" if answer == "ok" else "incorrect", score=float(answer == "ok"),
                           diagnosis=[], message="", expected=None)


def test_an_undecided_check_is_never_graded_and_a_blank_answer_is_a_zero(tmp_path, monkeypatch, capsys):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the stand-in checker reaches workers only through fork")
    monkeypatch.setitem(exercises.KIND_CHECKERS, "derivative", f"{__name__}:stand_in")
    path = tmp_path / "class.csv"
    path.write_text("student,exercise,answer\na,table-sin,ok\na,table-cos,undecided\na,table-tg,\n"
                    "b,table-sin,no\nb,table-cos,ok\nb,table-tg,ok\n", encoding="utf-8")
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(path), "--out", str(out), "--jobs", "2"]) == 0
    assert "line 3: a, table-cos: not graded" in capsys.readouterr().err
    table = {row["student"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    # a: 1 of 2 (the blank answer is a graded 0, the undecided one is left out); b: 2 of 3
    assert [table["a"][c] for c in ("table-sin", "table-cos", "table-tg", "total", "max", "not_graded")] == \
        ["1", "", "0", "1", "2", "1"]
    assert [table["b"][c] for c in ("total", "max", "not_graded")] == ["2", "3", "0"]
