"""derivtutor check: exit codes, JSON exactly as documented, exercise ids, usage errors."""
from __future__ import annotations

import json

import pytest
import sympy

from derivtutor.cli import main
from derivtutor.input.parsing import ParseError, parse

KEYS = ["verdict", "score", "diagnosis", "message", "expected", "expected_latex", "answer", "counterexample"]


def run_json(capsys, *argv):
    code = main(["check", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


CASES = [
    ("correct-plain", ["--function", "tg x^2", "--answer", "2x/cos^2 x^2"], 0, "correct"),
    ("correct-latex", ["--function", "tg x^2", "--answer", r"\frac{2x}{\cos^2 x^2}", "--syntax", "latex"], 0, "correct"),
    ("incorrect", ["--function", "arctg^2 x^3", "--answer", "2 arctg(x^3)/(1+x^6)"], 1, "incorrect"),
    ("invalid", ["--function", "x^2", "--answer", "__import__('os')"], 2, "invalid"),
    ("other-variable", ["--function", "t^3", "--var", "t", "--answer", "3t^2"], 0, "correct"),
]


@pytest.mark.parametrize("argv, exit_code, verdict", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_exit_codes_and_json(capsys, argv, exit_code, verdict):
    code, data = run_json(capsys, *argv)
    assert code == exit_code
    assert list(data) == KEYS
    assert data["verdict"] == verdict


def test_json_expected_is_the_derivative(capsys):
    _, data = run_json(capsys, "--function", "arctg^2 x^3", "--answer", "0")
    x = sympy.Symbol("x")
    witness = sympy.diff(sympy.atan(x**3) ** 2, x)
    assert sympy.simplify(parse(data["expected"]) - witness) == 0
    ce = data["counterexample"]
    assert ce["answer"] == 0.0
    assert ce["expected"] == pytest.approx(float(witness.subs(x, sympy.Float(ce["point"]["x"], 30))))


def test_text_output_in_russian(capsys):
    code = main(["check", "--function", "sin(x^3)", "--answer", "cos(x^3)", "--lang", "ru"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("неверно:") and "внутренней функции x^3" in out


def test_invalid_answer_shows_a_caret(capsys):
    code = main(["check", "--function", "x^2", "--answer", "2x +* 1"])
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    caret = out[-1]
    assert caret.strip() == "^"


def test_exercise_id(capsys):
    from derivtutor.course.bank import check_exercise, find_exercise

    code, data = run_json(capsys, "chain-arctg2-x3", "--answer", "2 arctg(x^3)/(1+x^6)")
    witness = check_exercise(find_exercise("chain-arctg2-x3"), "2 arctg(x^3)/(1+x^6)").to_dict()
    assert code == 1
    assert data == witness
    assert data["score"] == 0.5  # the exercise's partial credit for missing-inner-derivative


@pytest.mark.parametrize("argv, error", [
    (["nope", "--answer", "1"], "check.cli.unknown-exercise"),
    (["--answer", "1"], "check.cli.need-function"),
    (["chain-arctg2-x3", "--function", "x", "--answer", "1"], "check.cli.both"),
    (["--function", "sin(", "--answer", "1"], "parse"),
    (["--function", "x", "--var", "1x", "--answer", "1"], "check.cli.bad-var"),
], ids=["unknown-exercise", "no-function", "both", "bad-function", "bad-var"])
def test_usage_errors_exit_2(capsys, argv, error):
    code, data = run_json(capsys, *argv)
    assert code == 2
    if error == "parse":  # the witness: the parser's own code for the function text
        with pytest.raises(ParseError) as err:
            parse("sin(")
        error = err.value.code
    assert data["error"]["code"] == error
    assert data["error"]["message"]


def test_missing_answer_is_a_usage_error(capsys):
    assert main(["check", "--function", "x"]) == 2
