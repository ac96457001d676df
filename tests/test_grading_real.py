"""Grading with the real answer checker: verdicts agree with sympy.diff, the CLI end to end,
and the Gradescope scripts in docs/gradescope run as an instructor would run them."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sympy

from derivtutor.cli import main
from derivtutor.course.bank import check_exercise, load_exercises
from derivtutor.course.variants import for_student
from derivtutor.input.parsing import ParseError, parse

REPO = Path(__file__).resolve().parent.parent
GRADESCOPE = REPO / "docs" / "gradescope"
BANK = load_exercises()

ANSWERS = [
    ("table-sin", "cos x", "correct"),
    ("table-sin", "-cos x", "incorrect"),
    ("table-sin", "cos(", "invalid"),
    ("table-tg", "1/cos^2 x", "correct"),
    ("table-tg", "1 + tg^2 x", "correct"),
    ("chain-tg-x2", "2x/cos^2(x^2)", "correct"),
    ("chain-tg-x2", "\\frac{2x}{\\cos^2 x^2}", "correct"),
    ("chain-tg-x2", "1/cos^2(x^2)", "incorrect"),
    ("chain-arctg2-x3", "2 arctg(x^3) * 3x^2/(1 + x^6)", "correct"),
    ("chain-arctg2-x3", "2 arctg(x^3)/(1 + x^6)", "incorrect"),
    ("chain-ln-cos2-sin-sqrt", "-tg(sin sqrt x) cos(sqrt x)/sqrt x", "correct"),
    ("sigmoid-derivative", "sigmoid(x)(1 - sigmoid(x))", "correct"),
    ("sigmoid-derivative", "e^(-x)/(1 + e^(-x))", "incorrect"),
    ("graph-partial-w1", "x e^(w1 x + w0)", "correct"),
    ("graph-partial-w1", "e^(w1 x + w0)", "incorrect"),
    ("softmax-ce-a1", "e^a1/(e^a1 + e^a2) - 1", "correct"),
    ("softmax-ce-a1", "-e^a2/(e^a1 + e^a2)", "correct"),
    ("ml-bce-logit", "sigma(z) - y", "correct"),
    ("ml-softplus", "sigmoid(x)", "correct"),
    ("table-sin", "9^9^9^9", "invalid"),
    ("table-sin", "__import__('os').system('ls')", "invalid"),
]


MISSING_INNER = {("chain-tg-x2", "1/cos^2(x^2)"), ("chain-arctg2-x3", "2 arctg(x^3)/(1 + x^6)")}


def _witness_equal(exercise, answer: str):
    """Does the answer equal sympy.diff of the function? None when it cannot be read."""
    try:
        expr = parse(answer)
    except ParseError:
        return None
    x = sympy.Symbol(exercise.get("variable"))
    reference = sympy.diff(parse(exercise.get("function"), syntax="plain"), x).rewrite(sympy.exp)
    difference = (reference - expr.rewrite(sympy.exp))
    symbols = sorted(difference.free_symbols, key=str)
    points = [{s: sympy.Rational(k + 3, 7) for k, s in enumerate(symbols)}, {s: sympy.Rational(2, 3 + k) for k, s in enumerate(symbols)}]
    return all(abs(complex(difference.subs(p).evalf(30))) < 1e-12 for p in points)


@pytest.mark.parametrize("exercise_id, answer, verdict", ANSWERS, ids=[f"{a[0]}:{a[1][:20]}" for a in ANSWERS])
def test_derivative_verdicts_agree_with_sympy(exercise_id, answer, verdict):
    exercise = BANK[exercise_id]
    witness = _witness_equal(exercise, answer)
    assert {None: "invalid", True: "correct", False: "incorrect"}[witness] == verdict
    result = check_exercise(exercise, answer, timeout=20)
    assert result.verdict == verdict
    # the score from the exercise file: 1 when correct and simplified, the file's partial credit of a
    # diagnosed mistake when incorrect (else 0), none when invalid
    credit = [exercise.partial_credit.get(code.rsplit(".", 1)[-1], 0.0) for code in result.diagnosis]
    if verdict == "invalid":
        assert result.score is None
    elif verdict == "correct":
        assert result.score == (1.0 if not credit else max(credit + [0.0]))
    else:
        assert result.score == max(credit, default=0.0)


OTHER_KINDS = [
    ("identity-through-sigma", "sigmoid-identity", "σ(x)(1 - σ(x))", "correct", 1.0),
    ("identity-not-through-sigma", "sigmoid-identity", "e^(-x)/(1 + e^(-x))^2", "incorrect", 0.0),
    ("identity-wrong", "sigmoid-identity", "σ(x)(1 + σ(x))", "incorrect", 0.0),
    ("value-exact", "graph-value-x", "2e^3", "correct", 1.0),
    ("value-rounded", "graph-value-x", "40.17", "correct", 1.0),
    ("value-too-rough", "graph-value-x", "40", "incorrect", 0.0),
    ("value-softmax", "softmax-ce-value", "-3/4", "correct", 1.0),
    ("partial-credit-missing-inner", "chain-tg-x2", "1/cos^2(x^2)", "incorrect", 0.5),
    ("not-simplified", "quotient-x-over-x2p1", "1/(x^2+1) - 2x^2/(x^2+1)^2", "correct", 0.5),
    ("descent-kind", "descent-w-after-3-steps", "2.56", "correct", 1.0),
]


@pytest.mark.parametrize("exercise_id, answer, verdict, score", [o[1:] for o in OTHER_KINDS], ids=[o[0] for o in OTHER_KINDS])
def test_other_kinds(exercise_id, answer, verdict, score):
    if exercise_id not in BANK:
        pytest.skip(f"{exercise_id} is not in the bank")
    exercise = BANK[exercise_id]
    if exercise.kind == "value":   # witness: the stated value
        value = parse(exercise.get("expected"), syntax="plain")
        try:
            close = abs(complex(parse(answer).evalf()) - complex(value.evalf())) <= 1e-3 * abs(complex(value.evalf()))
        except (ParseError, TypeError):
            close = False
        assert close == (verdict == "correct")
    result = check_exercise(exercise, answer, timeout=20)
    assert (result.verdict, result.score or 0.0) == (verdict, score)


def test_cli_grades_a_class_and_totals_match_the_witness(tmp_path, capsys):
    chosen = ANSWERS[:12]
    text = "student,exercise,answer\n" + "".join(
        f"s{i % 3},{ex},\"{a}\"\n" for i, (ex, a, _) in enumerate(chosen))
    (tmp_path / "class.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(tmp_path / "class.csv"), "--out", str(out), "--jobs", "2", "--timeout", "20"]) == 0
    table = {row["student"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    for s in range(3):
        answered = {}
        for i, (ex, a, _) in enumerate(chosen):
            if i % 3 == s:
                answered[ex] = a            # the last answer to an exercise counts
        # A randomised exercise is graded against the student's own variant (the default seed's).
        mine = {ex: for_student(BANK[ex], f"s{s}") for ex in answered}
        witness = sum(1.0 for ex, a in answered.items() if _witness_equal(mine[ex], a))
        # The answers in the table that drop the inner function's derivative earn that partial credit
        # (they were written for the default variant).
        partial = sum(BANK[ex].partial_credit["missing-inner-derivative"] for ex, a in answered.items()
                      if (ex, a) in MISSING_INNER and mine[ex].get("function") == BANK[ex].get("function"))
        assert float(table[f"s{s}"]["total"]) == witness + partial


def test_run_autograder_as_gradescope_would(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.txt").write_text((GRADESCOPE / "answers.txt").read_text(encoding="utf-8"), encoding="utf-8")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), DERIVTUTOR=f"{sys.executable} -m derivtutor",
               EXERCISES=str(REPO / "exercises"), TIME_LIMIT="20")  # a loaded CI machine must not time out
    run = subprocess.run(["bash", str(GRADESCOPE / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert len(results["tests"]) == 7
    assert all(t["status"] == "passed" for t in results["tests"]), results    # the example answers are right
    assert results["score"] == sum(t["max_score"] for t in results["tests"])


def test_make_autograder_zip(tmp_path):
    out = tmp_path / "autograder.zip"
    run = subprocess.run(["bash", str(GRADESCOPE / "make_autograder.sh"), str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    names = set(zipfile.ZipFile(out).namelist())
    assert {"setup.sh", "run_autograder", "derivtutor-src/pyproject.toml", "derivtutor-src/exercises/table-sin.toml",
            "derivtutor-src/derivtutor/grading/grader.py"} <= names
