"""Checking vector, implicit and higher-order answers; the calculus options of diff and check;
the gradient, implicit and higher-order exercises of the bank."""
from __future__ import annotations

import json

import pytest

from derivtutor.checking.implicit import check_implicit
from derivtutor.checking.orders import check_order
from derivtutor.checking.vectors import check_gradient
from derivtutor.cli import main
from derivtutor.course.bank import check_exercise, find_exercise
from derivtutor.input.errors import ParseError
from derivtutor.input.split import parse_equation, vector_parts

#: The checks' own limit is 2 s; a loaded CI machine must not turn a diagnosis into a time-out.
SLOW_MACHINE = 20.0

# -- vector answers in the three syntaxes --------------------------------------------------
SYNTAXES = [
    ("parentheses", "(2xy, x^2)"),
    ("brackets", "[2xy, x^2]"),
    ("bare", "2xy, x^2"),
    ("pmatrix", r"\begin{pmatrix} 2xy \\ x^2 \end{pmatrix}"),
    ("bmatrix-row", r"\begin{bmatrix} 2 x y & x^{2} \end{bmatrix}"),
    ("nabla-pmatrix", r"\nabla f = \begin{pmatrix} 2xy \\ x^2 \\ \end{pmatrix}"),
    ("nabla-left", r"\nabla f = \left(2 x y, x^{2}\right)"),
    ("unicode-nabla", "∇f(x, y) = (2xy, x^2)"),
]


@pytest.mark.parametrize("answer", [s[1] for s in SYNTAXES], ids=[s[0] for s in SYNTAXES])
def test_vector_syntaxes_are_all_read(answer):
    result = check_gradient("x^2 y", answer, timeout=SLOW_MACHINE)
    assert result.verdict == "correct", result.message
    assert [c.verdict for c in result.components] == ["correct", "correct"]


@pytest.mark.parametrize("answer,codes", [
    ("(x^2, 2xy)", ["components-swapped"]),
    ("(2xy, 2xy)", ["wrong-partial"]),
    ("(-2xy, x^2)", ["sign-error"]),
], ids=["swapped", "wrong-variable", "sign"])
def test_per_component_diagnosis(answer, codes):
    result = check_gradient("x^2 y", answer, timeout=SLOW_MACHINE)
    assert result.verdict == "incorrect"
    assert result.diagnosis == codes
    assert result.counterexample is not None


def test_one_wrong_component_scores_the_rest():
    result = check_gradient("(x - 3)^2 + 2(y + 2)^2", "(2(x - 3), 2(y + 2))", timeout=SLOW_MACHINE)
    assert result.verdict == "incorrect" and result.score == 0.5
    assert [c.verdict for c in result.components] == ["correct", "incorrect"]
    assert result.to_dict()["components"][1]["variable"] == "y"


@pytest.mark.parametrize("answer,code,position", [
    ("(2xy, x^^2)", "parse.unexpected", 8),
    ("(2xy,, x^2)", "parse.vector-empty", 5),
    ("(2xy, x^2", "parse.vector-unclosed", 9),
    ("(2xy)", "check.vector.wrong-length", None),
    ("(2xy, x^2, 0)", "check.vector.wrong-length", None),
], ids=["bad-component", "empty", "unclosed", "too-short", "too-long"])
def test_invalid_vectors_are_not_graded(answer, code, position):
    result = check_gradient("x^2 y", answer, timeout=SLOW_MACHINE)
    assert result.verdict == "invalid" and result.score is None
    assert result.diagnosis == [code]
    assert result.position == position


def test_variables_set_the_component_order():
    assert check_gradient("x^2 y", "(x^2, 2xy)", "y,x", timeout=SLOW_MACHINE).verdict == "correct"


def test_split_keeps_positions_and_respects_brackets():
    parts = vector_parts("(f(a, b), max(0, x))")
    assert [p.text for p in parts] == ["f(a, b)", " max(0, x)"]
    assert parts[1].start == 9
    with pytest.raises(ParseError) as info:
        parse_equation("x = y = 1")
    assert info.value.position == 6


# -- implicit answers ---------------------------------------------------------------------
@pytest.mark.parametrize("equation,answer,verdict", [
    ("x^2 + y^2 = 1", "-x/y", "correct"),
    ("x^2 + y^2 = 1", "x/y", "incorrect"),
    ("x y = 1", "-1/x^2", "correct"),            # equal on the curve only (polynomial proof)
    ("e^y = x", "1/x", "correct"),               # equal on the curve only (curve points)
    ("x^2 + y^2 = 1", "-x/sqrt(1 - x^2)", "incorrect"),   # right on the upper half only
    ("sin(x y) = x + y", "(1 - y cos(x y))/(x cos(x y) - 1)", "correct"),
    ("x^2 + y^2 = 1", "-x/y^^2", "invalid"),
], ids=["circle", "circle-sign", "hyperbola-on-curve", "exp-on-curve", "upper-branch", "trig", "invalid"])
def test_implicit_answers(equation, answer, verdict):
    assert check_implicit(equation, answer, timeout=SLOW_MACHINE).verdict == verdict


def test_order_answers_diagnose_the_last_step():
    assert check_order("x^3 sin x", "6x sin x + 6x^2 cos x - x^3 sin x", "x", 2).verdict == "correct"
    wrong = check_order("sin(x^2)", "-sin(x^2)", "x", 2)
    assert wrong.verdict == "incorrect"


# -- the bank --------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise_id", ["gradient-seed002-contour", "gradient-seed003-graph",
                                         "higher-x3-ln-second", "implicit-circle", "ml-relu-neuron"])
def test_new_exercises_accept_their_answer(exercise_id):
    exercise = find_exercise(exercise_id)
    assert check_exercise(exercise, exercise.get("answer")).verdict == "correct"


def test_gradient_exercise_gives_partial_credit_for_a_swap():
    exercise = find_exercise("gradient-seed002-contour")
    result = check_exercise(exercise, "(4(y + 2), 2(x - 3))")
    assert result.diagnosis == ["components-swapped"] and result.score == 0.5


# -- the command line ------------------------------------------------------------------------
def run_json(capsys, argv):
    code = main(argv + ["--json"])
    return code, json.loads(capsys.readouterr().out)


def test_diff_order_json(capsys):
    code, data = run_json(capsys, ["diff", "x^4", "--order", "3"])
    assert code == 0 and data["derivative"] == "24*x"
    assert [o["derivative"] for o in data["orders"]] == ["4*x**3", "12*x**2", "24*x"]
    assert all(o["steps"] for o in data["orders"])


@pytest.mark.parametrize("argv,key,value", [
    (["diff", "x^2 y", "--gradient"], "gradient", {"x": "2*x*y", "y": "x**2"}),
    (["diff", "x^2 y", "--gradient", "--vars", "y,x"], "gradient", {"y": "x**2", "x": "2*x*y"}),
    (["diff", "x^2 y", "--hessian"], "hessian", [["2*y", "2*x"], ["2*x", "0"]]),
    (["diff", "x y, x + y", "--jacobian"], "jacobian", [["y", "x"], ["1", "1"]]),
    (["diff", "x^2 + y^2 = 1", "--implicit", "y"], "derivative", "-x/y"),
], ids=["gradient", "gradient-vars", "hessian", "jacobian", "implicit"])
def test_diff_modes_json(capsys, argv, key, value):
    code, data = run_json(capsys, argv)
    assert code == 0 and data[key] == value
    if key == "gradient":
        assert list(data["gradient"]) == argv[-1].split(",") if "--vars" in argv else True


@pytest.mark.parametrize("argv,code", [
    (["diff", "x^2", "--order", "6"], "calculus.cli.bad-order"),
    (["diff", "x^2 y", "--gradient", "--hessian"], "calculus.cli.one-mode"),
    (["diff", "x^2 + y^2", "--implicit", "y"], "calculus.cli.need-equation"),
    (["diff", "x^2 = 1", "--implicit", "y"], "calculus.implicit.no-y"),
    (["diff", "x^2 y", "--gradient", "--vars", "x,2y"], "calculus.cli.bad-vars"),
], ids=["order", "two-modes", "no-equation", "no-y", "bad-vars"])
def test_diff_mode_errors_exit_2(capsys, argv, code):
    exit_code, data = run_json(capsys, argv)
    assert exit_code == 2 and data["error"]["code"] == code


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
@pytest.mark.parametrize("mode", [["--gradient"], ["--hessian"], ["--order", "2", "--var", "x"],
                                  ["--implicit", "y"]], ids=["gradient", "hessian", "order", "implicit"])
def test_diff_modes_print_every_format(capsys, fmt, mode):
    expr = "x^2 + y^2 = 1" if mode[0] == "--implicit" else "x^2 y"
    assert main(["diff", expr, *mode, "--format", fmt, "--lang", "ru"]) == 0
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("argv,exit_code", [
    (["check", "--function", "x^3", "--order", "2", "--answer", "6x"], 0),
    (["check", "--function", "x^3", "--order", "2", "--answer", "3x^2"], 1),
    (["check", "--function", "x^2 y", "--gradient", "--answer", "(2xy, x^2)"], 0),
    (["check", "--function", "x^2 y", "--gradient", "--answer", "[x^2, 2xy]"], 1),
    (["check", "--function", "x^2 y", "--gradient", "--answer", r"\nabla f = \begin{pmatrix} 2xy \\ x^2 \end{pmatrix}"], 0),
    (["check", "--function", "x^2 y", "--gradient", "--answer", "(2xy, x^^2)"], 2),
    (["check", "--function", "x^2+y^2=1", "--implicit", "y", "--answer", "-x/y"], 0),
    (["check", "--function", "x^2+y^2=1", "--implicit", "y", "--answer", "x/y"], 1),
    (["check", "--function", "x^2", "--order", "9", "--answer", "0"], 2),
], ids=["order", "order-wrong", "gradient", "gradient-swapped", "gradient-latex", "gradient-invalid",
        "implicit", "implicit-wrong", "bad-order"])
def test_check_modes_exit_codes(capsys, argv, exit_code):
    assert main(argv) == exit_code
    capsys.readouterr()
