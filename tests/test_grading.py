"""The autograder's machinery: reading submissions, isolation, dedup, determinism, reports.

A stand-in checker (``fake_check``) misbehaves on purpose -- it sleeps, spins,
crashes, eats memory, raises -- so these tests do not depend on the real answer
checker; tests/test_grading_real.py grades with the real one.
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import time
from types import SimpleNamespace

import pytest

from derivtutor.course import bank as exercises
from derivtutor.grading import grader as grading, reports
from derivtutor.cli import main
from derivtutor.grading.grader import grade, normalise
from derivtutor.grading.submissions import SubmissionError, parse_answers_text, read_csv_text, read_submissions


def fake_check(exercise, answer, lang="en"):
    """A checker whose behaviour the answer text chooses."""
    if answer == "sleep":
        time.sleep(60)           # blocked in C: only the parent's hard kill ends it
    elif answer == "spin":
        while True:              # pure Python: the cooperative time limit ends it
            pass
    elif answer == "crash":
        os._exit(7)
    elif answer == "memory":
        _ = bytearray(4 * 1024**3)
    elif answer == "boom":
        raise ValueError("checker bug")
    correct = normalise(answer) == "ok"
    return SimpleNamespace(verdict="correct" if correct else "incorrect", score=1.0 if correct else 0.0,
                           diagnosis=None, message=f"{exercise.id}:{answer}", expected="ok")


@pytest.fixture
def fake(monkeypatch):
    # Workers see the patched table only when they are forked from this process.
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the stand-in checker reaches workers only through fork")
    monkeypatch.setitem(exercises.KIND_CHECKERS, "derivative", f"{__name__}:fake_check")


def rows_of(text):
    rows, problems = read_csv_text(text, "s.csv")
    return rows, problems


READ_CASES = [
    ("plain", "student,exercise,answer\na,table-sin,cos x\n", 1, []),
    ("columns-any-order", "answer,student,exercise\ncos x,a,table-sin\n", 1, []),
    ("missing-cell", "student,exercise,answer\na,table-sin\nb,table-cos,-sin x\n", 1, [(2, "grading.missing-column")]),
    ("empty-student", "student,exercise,answer\n,table-sin,cos x\n", 0, [(2, "grading.missing-column")]),
    ("bad-syntax", "student,exercise,answer,syntax\na,table-sin,cos x,mathml\n", 0, [(2, "grading.bad-syntax")]),
    ("multiline-answer", 'student,exercise,answer\na,table-sin,"cos\nx"\nb,table-sin,oops,\n', 2, []),
    ("blank-lines-skipped", "student,exercise,answer\n\na,table-sin,cos x\n\n", 1, []),
]


@pytest.mark.parametrize("text, n_rows, problems", [c[1:] for c in READ_CASES], ids=[c[0] for c in READ_CASES])
def test_read_csv(text, n_rows, problems):
    rows, found = rows_of(text)
    assert len(rows) == n_rows
    assert [(p.line, p.code) for p in found] == problems


def test_csv_line_numbers_count_physical_lines():
    rows, _ = rows_of('student,exercise,answer\na,table-sin,"cos\nx"\nb,table-sin,oops\n')
    assert [r.line for r in rows] == [2, 4]


@pytest.mark.parametrize("text", ["", "name,exercise,answer\n"], ids=["empty", "no-student-column"])
def test_unreadable_csv_is_an_error(text):
    with pytest.raises(SubmissionError):
        read_csv_text(text, "s.csv")


def test_answers_file_format():
    rows, problems = parse_answers_text("# hw\n\ntable-sin: cos x\nchain-tg-x2 [latex]: \\frac{2x}{\\cos^2 x^2}\nno colon here\n",
                                        "ivanova", "ivanova.txt")
    assert [(r.exercise, r.syntax, r.answer, r.line) for r in rows] == [
        ("table-sin", "auto", "cos x", 3), ("chain-tg-x2", "latex", "\\frac{2x}{\\cos^2 x^2}", 4)]
    assert [(p.line, p.code) for p in problems] == [(5, "grading.no-colon")]


def test_folder_of_students(tmp_path):
    (tmp_path / "b.txt").write_text("table-sin: ok\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("table-cos: ok\n", encoding="utf-8")
    rows, _ = read_submissions(tmp_path)
    assert [(r.student, r.exercise) for r in rows] == [("a", "table-cos"), ("b", "table-sin")]


NORMALISE = [("spaces-around-operators", " x ^ 2 +  1 ", "x^2+1"), ("keeps-word-space", "sin  x", "sin x"),
             ("latex", "\\frac {1} {x}", "\\frac{1}{x}"), ("line-breaks-kept", " x \n\n * \ny", "x\n*\ny")]


@pytest.mark.parametrize("text, expected", [c[1:] for c in NORMALISE], ids=[c[0] for c in NORMALISE])
def test_normalise(text, expected):
    assert normalise(text) == expected


HOSTILE = [("sleep", "timeout"), ("spin", "timeout"), ("crash", "crash"), ("memory", "memory"), ("boom", "error")]


@pytest.mark.parametrize("answer, status", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_bad_answer_scores_zero_and_spares_the_others(fake, answer, status):
    text = "student,exercise,answer\n" + "".join(f"s{i},table-sin,{'ok' if i % 2 else 'no'}\n" for i in range(6))
    text += f"evil,table-sin,{answer}\nevil,table-cos,ok\n"
    rows, problems = rows_of(text)
    report = grade(rows, problems, jobs=2, timeout=0.5, memory_mb=256, progress=False)
    by_student = {(i.student, i.exercise): i for i in report.items}
    evil = by_student[("evil", "table-sin")]
    assert (evil.status, evil.score) == (status, 0.0) and evil.message
    assert by_student[("evil", "table-cos")].score == 1.0
    assert [by_student[(f"s{i}", "table-sin")].score for i in range(6)] == [0.0, 1.0] * 3


def test_identical_normalised_answers_are_checked_once(fake, checked_tasks):
    seen = checked_tasks
    rows, _ = rows_of("student,exercise,answer\na,table-sin,o k\nb,table-sin,ok\nc,table-sin, ok \n"
                      "d,table-cos,ok\ne,table-sin,ok,\n")
    report = grade(rows, jobs=1, progress=False)
    assert sorted(seen) == [("table-cos", "ok", "auto"), ("table-sin", "o k", "auto"), ("table-sin", "ok", "auto")]
    assert [i.score for i in report.items] == [0.0, 1.0, 1.0, 1.0, 1.0]


def test_malformed_and_unknown_rows_are_reported_and_graded_zero(fake):
    rows, problems = rows_of("student,exercise,answer\na,table-sin\na,no-such,ok\na,table-cos,ok\n")
    report = grade(rows, problems, jobs=1, progress=False)
    assert [(p.line, p.code) for p, _ in report.problems] == [(2, "grading.missing-column"), (3, "grading.unknown-exercise")]
    assert all("line" in text for _, text in report.problems)
    items = {i.exercise: i for i in report.items}
    assert (items["table-sin"].status, items["table-sin"].score) == ("malformed", 0.0)
    assert (items["no-such"].status, items["no-such"].score) == ("unknown-exercise", 0.0)
    assert items["table-cos"].score == 1.0
    assert report.total("a") == 1.0


def test_last_answer_counts(fake):
    rows, _ = rows_of("student,exercise,answer\na,table-sin,ok\na,table-sin,no\n")
    report = grade(rows, jobs=1, progress=False)
    assert [(i.line, i.status) for i in report.items] == [(2, "superseded"), (3, "graded")]
    assert report.total("a") == 0.0


CLASS = "student,exercise,answer\n" + "".join(
    f"st{i:02d},{ex},{'ok' if (i + j) % 3 else 'wrong ' + str(i % 4)}\n"
    for i in range(20) for j, ex in enumerate(["table-sin", "table-cos", "chain-tg-x2"])
) + "st03,table-sin,boom\nst04,bogus-ex,ok\n"


@pytest.mark.parametrize("fmt", ["csv", "json", "gradescope"])
def test_output_is_the_same_whatever_the_jobs(fake, fmt):
    rows, problems = rows_of(CLASS)
    one = reports.render(grade(rows, problems, jobs=1, progress=False), fmt)
    two = reports.render(grade(list(reversed(rows)), problems, jobs=2, progress=False), fmt)
    assert one == two


def test_gradebook_csv_rows_sum_to_totals(fake):
    rows, problems = rows_of(CLASS)
    report = grade(rows, problems, jobs=2, progress=False)
    table = list(csv.DictReader(io.StringIO(reports.gradebook_csv(report))))
    assert [r["student"] for r in table] == [f"st{i:02d}" for i in range(20)]
    # The witness: the class text itself. The stand-in checker raises on "boom" (a checker error):
    # that answer is not graded -- an empty cell, out of total and max, counted in not_graded.
    last = {}
    for line in CLASS.splitlines()[1:]:
        student, exercise, answer = line.split(",")
        last[(student, exercise)] = answer
    columns = ("chain-tg-x2", "table-cos", "table-sin")
    for row in table:
        mine = {ex: last[(row["student"], ex)] for ex in columns if (row["student"], ex) in last}
        unread = [ex for ex, answer in mine.items() if answer == "boom"]
        assert float(row["total"]) == sum(1.0 for answer in mine.values() if answer == "ok")
        assert [ex for ex in columns if row[ex] == ""] == unread
        assert float(row["total"]) == sum(float(row[ex]) for ex in columns if row[ex] != "")
        assert float(row["max"]) == 3 - len(unread) and int(row["not_graded"]) == len(unread)
    assert any(row["not_graded"] == "1" for row in table)


def test_gradescope_results_follow_the_specification(fake):
    rows, problems = rows_of(CLASS)
    report = grade(rows, problems, jobs=1, progress=False, assignment=["table-sin", "table-cos", "chain-tg-x2", "table-tg"])
    data = reports.gradescope_results(report, "st04")
    assert set(data) >= {"score", "output", "tests"}
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
        assert (test["status"] == "passed") == (test["max_score"] > 0 and test["score"] == test["max_score"])
    assert data["score"] == sum(t["score"] for t in data["tests"])
    names = [t["name"] for t in data["tests"]]
    assert any(n.startswith("table-tg") for n in names) and any(n.startswith("bogus-ex") for n in names)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "gradebook.csv"
    reports.write_atomic(target, "old\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(reports.os, "replace", broken_replace)
    with pytest.raises(OSError):
        reports.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["gradebook.csv"]


@pytest.fixture
def class_csv(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(CLASS, encoding="utf-8")
    return path


def test_cli_grade_csv_gradebook(fake, class_csv, tmp_path, capsys):
    out = tmp_path / "out" / "gradebook.csv"
    assert main(["grade", str(class_csv), "--out", str(out), "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "line 63" in captured.err and "bogus-ex" in captured.err   # the unknown exercise, by line
    assert "\r" not in captured.err                                  # no progress bar off a terminal
    # the columns in the order the file first names them
    assert out.read_text(encoding="utf-8").splitlines()[0] == \
        "student,table-sin,table-cos,chain-tg-x2,total,max,not_graded"


def test_cli_grade_gradescope_per_student(fake, class_csv, tmp_path):
    folder = tmp_path / "results"
    assert main(["grade", str(class_csv), "--format", "gradescope", "--out", f"{folder}/", "--jobs", "1"]) == 0
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["index.csv"] + [f"st{i:02d}.json" for i in range(20)]
    assert json.loads((folder / "st01.json").read_text(encoding="utf-8"))["tests"]


def test_cli_grade_json_items(fake, class_csv, capsys):
    assert main(["grade", str(class_csv), "--format", "json", "--jobs", "1", "--lang", "ru"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["items"]) == 62 and {"verdict", "score", "diagnosis", "message"} <= set(data["items"][0])
    assert any("строка" in p["message"] for p in data["problems"])


BAD_CLI = [("no-file", ["grade", "missing.csv"]), ("bad-assignment", ["grade", "{csv}", "--assignment", "nope"]),
           ("bad-jobs", ["grade", "{csv}", "--jobs", "0"])]


@pytest.mark.parametrize("argv", [c[1] for c in BAD_CLI], ids=[c[0] for c in BAD_CLI])
def test_cli_grade_usage_errors(argv, class_csv, capsys):
    assert main([a.replace("{csv}", str(class_csv)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_cli_gradescope_mode(fake, tmp_path, capsys):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "answers.txt").write_text("table-sin: ok\ntable-cos: no\n", encoding="utf-8")
    results = tmp_path / "results" / "results.json"
    argv = ["gradescope", "--submission", str(submission), "--results", str(results),
            "--assignment", "table-sin,table-cos,table-tg"]
    assert main(argv) == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 1.0 and [t["score"] for t in data["tests"]] == [1.0, 0.0, 0.0]


def test_cli_gradescope_mode_without_answers_still_writes_results(tmp_path):
    results = tmp_path / "results.json"
    assert main(["gradescope", "--submission", str(tmp_path), "--results", str(results)]) == 2
    assert json.loads(results.read_text(encoding="utf-8"))["score"] == 0.0


@pytest.mark.parametrize("progress, shown", [(True, True), (None, False), (False, False)],
                         ids=["forced", "not-a-terminal", "off"])
def test_progress_bar_only_when_asked_or_on_a_terminal(fake, progress, shown, capsys):
    rows, _ = rows_of("student,exercise,answer\na,table-sin,ok\nb,table-sin,no\n")
    grade(rows, jobs=1, progress=progress)
    assert ("answer" in capsys.readouterr().err) == shown
