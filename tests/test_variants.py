"""Randomised exercises: enough distinct, admissible variants, each reference right by
sympy.diff, the same variant for a student on every run, and copied answers graded wrong."""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
import sympy

from derivtutor.cli import main
from derivtutor.course.bank import ExerciseError, load_exercises, validate
from derivtutor.course.variants import (DOMAIN_POINTS, for_student, instantiate, is_randomised, variant_label,
                                        variant_labels)
from derivtutor.grading.grader import grade
from derivtutor.grading.submissions import Submission
from derivtutor.input.parsing import parse

BANK = load_exercises()
RANDOMISED = [ex for ex in BANK.values() if is_randomised(ex)]
TOPICS = ("table", "chain", "product", "quotient", "explog", "trig", "ml")
SAMPLE = 4   # variants per exercise checked against sympy.diff


def _plain(text):
    return parse(text, syntax="plain")


def test_at_least_thirty_randomised_exercises_across_the_topics():
    assert len(RANDOMISED) >= 30
    assert {ex.id.split("-")[0] for ex in RANDOMISED} >= set(TOPICS)


@pytest.mark.parametrize("exercise", RANDOMISED, ids=[ex.id for ex in RANDOMISED])
def test_variants_are_many_distinct_and_not_degenerate(exercise):
    labels = variant_labels(exercise)
    assert len(labels) == len(set(labels)) >= 20
    functions = [_plain(instantiate(exercise, label).get("function")) for label in labels]
    assert len(set(functions)) == len(labels)            # no two variants are the same function
    x = sympy.Symbol(exercise.get("variable"))
    rng = random.Random(exercise.id)
    for label in rng.sample(labels, SAMPLE):
        variant = instantiate(exercise, label)
        function, answer = _plain(variant.get("function")), _plain(variant.get("answer"))
        witness = sympy.diff(function, x)
        others = sorted(function.free_symbols - {x}, key=str)
        point = {x: sympy.Rational(7, 10), **{s: sympy.Rational(3 + i, 5) for i, s in enumerate(others)}}
        value = complex(sympy.N(witness.subs(point), 30))
        assert abs(value - complex(sympy.N(answer.subs(point), 30))) < 1e-12 * max(1, abs(value)), label
        assert abs(value) > 1e-9 or any(abs(complex(sympy.N(witness.subs({**point, x: p}), 20))) > 1e-9
                                        for p in DOMAIN_POINTS), label


def test_degenerate_and_constrained_assignments_are_excluded():
    data = {"id": "t", "kind": "derivative", "topic": "t", "difficulty": 1, "points": 1.0,
            "title": {"en": "T {{a}}", "ru": "Т {{a}}"}, "prompt": {"en": "$y = {{function}}$", "ru": "$y = {{function}}$"},
            "function": "x^{{a}} + ln({{b}} - x)", "variable": "x",
            "parameters": {"a": {"range": [0, 3]}, "b": {"choices": [-1, 5]}, "constraints": ["a != 2"]}}
    labels = variant_labels(validate(data, "t.toml"))
    # a = 0 with b = 5 is still a function of x; b = -1 is undefined where x > 0; a = 2 breaks the constraint.
    assert labels == ("a=0,b=5", "a=1,b=5", "a=3,b=5")
    data["function"], data["parameters"] = "{{a}}*x^0", {"a": {"range": [1, 3]}}
    assert variant_labels(validate(data, "t.toml")) == ()      # every derivative is 0


@pytest.mark.parametrize("change, expected", [
    ({"parameters": {"a": {"range": [3, 1]}}}, "empty range"),
    ({"parameters": {"a": {"choices": ["sin(x)"]}}}, "must be an integer or a name"),
    ({"parameters": {"a": {"range": [1, 3], "default": 7}}}, "default 7"),
    ({"parameters": {"a": {"range": [1, 3]}, "constraints": ["a ~ 2"]}}, "LEFT OP RIGHT"),
    ({"function": "x^{{c}}", "parameters": {"a": {"range": [1, 3]}}}, "slot(s) c"),
], ids=["empty-range", "bad-choice", "bad-default", "bad-constraint", "unknown-slot"])
def test_bad_parameter_tables_are_clear(change, expected):
    data = {"id": "t", "kind": "derivative", "topic": "t", "difficulty": 1, "points": 1.0,
            "title": {"en": "T", "ru": "Т"}, "prompt": {"en": "P", "ru": "П"}, "function": "x^{{a}}", "variable": "x"}
    data.update(change)
    with pytest.raises(ExerciseError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        validate(data, "t.toml")


STUDENTS = [f"s{n:03d}" for n in range(40)]
PROBE = """
import json, sys
from derivtutor.course.bank import load_exercises
from derivtutor.course.variants import variant_label
bank = load_exercises()
print(json.dumps([variant_label(bank[i], s, sys.argv[1]) for i in sys.argv[2].split(",") for s in sys.argv[3].split(",")]))
"""


def test_the_variant_is_the_same_in_another_process_and_differs_across_students():
    ids = ["chain-sin-3x", "ml-softplus", "quotient-x-over-x2p1"]
    here = [variant_label(BANK[i], s, "fall-2026") for i in ids for s in STUDENTS]
    there = subprocess.run([sys.executable, "-c", PROBE, "fall-2026", ",".join(ids), ",".join(STUDENTS)],
                           capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert json.loads(there.stdout) == here
    for k, exercise_id in enumerate(ids):
        mine = here[k * len(STUDENTS):(k + 1) * len(STUDENTS)]
        assert len(set(mine)) >= 10                  # 40 students spread over the variants
    other_seed = [variant_label(BANK[i], s, "spring-2027") for i in ids for s in STUDENTS]
    assert other_seed != here


def test_the_seed_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DERIVTUTOR_COURSE_SEED", "from-env")
    assert variant_label(BANK["chain-sin-3x"], "s001") == variant_label(BANK["chain-sin-3x"], "s001", "from-env")


def _two_students_with_different_variants(exercise_id, seed="copy"):
    seen = {}
    for student in STUDENTS:
        seen.setdefault(variant_label(BANK[exercise_id], student, seed), student)
        if len(seen) == 2:
            return list(seen.values())
    raise AssertionError("all students share a variant")


@pytest.mark.parametrize("exercise_id", ["chain-sin-3x", "product-x2-sin", "ml-sigmoid-neuron"])
def test_a_copied_answer_is_graded_incorrect(exercise_id):
    owner, copier = _two_students_with_different_variants(exercise_id)
    x = sympy.Symbol(BANK[exercise_id].get("variable"))
    mine = for_student(BANK[exercise_id], owner, "copy")
    answer = str(sympy.diff(_plain(mine.get("function")), x)).replace("**", "^")   # the owner's right answer
    rows = [Submission(owner, exercise_id, answer, source="c.csv", line=2),
            Submission(copier, exercise_id, answer, source="c.csv", line=3)]
    items = {i.student: i for i in grade(rows, jobs=1, progress=False, seed="copy").items}
    assert (items[owner].verdict, items[copier].verdict) == ("correct", "incorrect")
    assert items[owner].variant != items[copier].variant


def test_cli_show_and_check_use_the_students_variant(capsys):
    owner, copier = _two_students_with_different_variants("chain-sin-3x", "cli")
    assert main(["exercises", "show", "chain-sin-3x", "--student", owner, "--seed", "cli", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"function", "variable", "answer", "variant", "prompt"} <= set(shown)
    x = sympy.Symbol(shown["variable"])
    assert sympy.simplify(sympy.diff(_plain(shown["function"]), x) - _plain(shown["answer"])) == 0
    args = ["check", "chain-sin-3x", "--answer", shown["answer"], "--seed", "cli", "--student"]
    assert main([*args, owner]) == 0
    assert main([*args, copier]) == 1
    capsys.readouterr()
    assert main(["exercises", "list", "--json"]) == 0
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["chain-sin-3x"]["randomised"] is True and listed["table-const"]["randomised"] is False


def test_gradescope_takes_the_student_from_the_metadata(tmp_path, capsys):
    owner, copier = _two_students_with_different_variants("chain-sin-3x", "gs")
    answer = for_student(BANK["chain-sin-3x"], owner, "gs").get("answer")
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "answers.txt").write_text(f"chain-sin-3x: {answer}\n", encoding="utf-8")
    verdicts = {}
    for student in (owner, copier):
        users = [{"email": f"{student}@uni.example", "id": 1, "sid": student, "name": "S"}]
        (tmp_path / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": users}), encoding="utf-8")
        results = tmp_path / f"{student}.json"
        assert main(["gradescope", "--submission", str(submission), "--metadata", str(tmp_path / "submission_metadata.json"),
                     "--results", str(results), "--seed", "gs"]) == 0
        verdicts[student] = json.loads(results.read_text())["tests"][0]["status"]
    assert verdicts == {owner: "passed", copier: "failed"}


def test_roster_worksheets_and_the_key(tmp_path, capsys):
    (tmp_path / "roster.csv").write_text("student,name\n" + "".join(f"{s},N\n" for s in STUDENTS[:5]), encoding="utf-8")
    out = tmp_path / "sheets"
    assert main(["worksheet", "chain-sin-3x", "table-power-5", "--roster", str(tmp_path / "roster.csv"),
                 "--out", str(out), "--seed", "ws"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{s}.tex" for s in STUDENTS[:5]] + ["key.csv", "key.md"])
    key = (out / "key.csv").read_text().splitlines()
    assert len(key) == 1 + 5 * 2
    for line in key[1:]:
        student, exercise_id, *_ = line.split(",")
        mine = for_student(BANK[exercise_id], student, "ws")
        assert mine.get("answer") in line and mine.get("function") in line
        latex = (out / f"{student}.tex").read_text()
        assert f"Student: {student}" in latex
