"""Mistake diagnosis: every code, the exact piece named, both languages, the whole table."""
from __future__ import annotations

import random

import pytest
import sympy

from derivtutor.catalogue import catalogue, placeholders
from derivtutor.checking.checker import check_answer
from derivtutor.checking.mistakes import CODES, MISTAKES, candidates, show
from derivtutor.input.parsing import parse

x = sympy.Symbol("x")


def differs_from_derivative(function: str, answer: str) -> bool:
    """Independent witness: the answer is not d/dx of the function (SymPy diff + evalf)."""
    d = sympy.diff(parse(function), x)
    a = parse(answer)
    rng = random.Random(7)
    for _ in range(20):
        p = sympy.Float(rng.uniform(0.2, 1.4), 30)
        others = {s: sympy.Float(0.7) for s in a.free_symbols - {x}}  # e.g. a constant C
        dv, av = complex(d.subs(x, p).evalf(30)), complex(a.subs({x: p, **others}).evalf(30))
        if abs(dv - av) > 1e-9 * max(1, abs(dv)):
            return True
    return False


# (id, function, wrong answer, expected code, fragments the message must name)
CASES = [
    ("inner-arctg", "arctg^2 x^3", "2 arctg(x^3)/(1+x^6)", "missing-inner-derivative", ["x^3", "3x^2"]),
    ("inner-sin", "sin(x^3)", "cos(x^3)", "missing-inner-derivative", ["x^3", "3x^2"]),
    ("inner-ln", "ln(x^2+1)", "1/(x^2+1)", "missing-inner-derivative", ["x^2 + 1", "2x"]),
    ("inner-tg", "tg x^2", "1/cos^2 x^2", "missing-inner-derivative", ["x^2", "2x"]),
    ("sign-cos", "cos(x^2)", "2x sin(x^2)", "sign-error", ["cos(x^2)", "-sin(x^2)"]),
    ("sign-ctg", "ctg x", "1/sin^2 x", "sign-error", ["ctg"]),
    ("sign-arccos", "arccos x", "1/sqrt(1-x^2)", "sign-error", ["arccos"]),
    ("sign-fallback", "x^2 + e^x", "-2x - e^x", "sign-error", ["opposite sign"]),
    ("factor-sqrt", "sqrt(x^2+1)", "2x/sqrt(x^2+1)", "constant-factor", ["1/2", "sqrt(x^2 + 1)"]),
    ("factor-power", "x^3", "x^2", "constant-factor", ["x^3", "3"]),
    ("factor-square", "sin^2 x", "sin x cos x", "constant-factor", ["sin(x)^2", "2"]),
    ("factor-constant", "5 cos x", "-sin x", "constant-factor", ["5"]),
    ("factor-fallback", "x^2 + x", "6x + 3", "constant-factor", ["3"]),
    ("product-of-derivatives", "x^2 sin x", "2x cos x", "product-rule", ["x^2*sin(x)"]),
    ("product-dropped-term", "x^2 sin x", "x^2 cos x", "product-rule", ["2x*sin(x)"]),
    ("quotient-swapped", "sin(x)/x", "(sin x - x cos x)/x^2", "quotient-rule", ["sin(x)/x"]),
    ("quotient-of-derivatives", "sin(x)/x", "cos x", "quotient-rule", ["sin(x)/x"]),
    ("quotient-no-square", "sin(x)/x", "(x cos x - sin x)/x", "quotient-rule", ["(x)^2"]),
    ("power-up", "x^3", "3x^4", "power-rule", ["x^3", "3x^2", "3x^4"]),
    ("power-same", "x^3", "3x^3", "power-rule", ["x^3", "3x^2"]),
    ("outer-tg", "tg x^2", "2x/sin^2 x^2", "wrong-outer-derivative", ["tg(x^2)"]),
    ("outer-exponential", "2^x", "x 2^(x-1)", "wrong-outer-derivative", ["2^x", "power"]),
    ("outer-exp", "e^(3x)", "9x e^(3x-1)", "wrong-outer-derivative", ["exp(3x)"]),
    ("outer-sigmoid", "sigmoid(x)", "sigmoid(x)", "wrong-outer-derivative", ["σ(x)"]),
    ("lost-ln-a", "3^x", "3^x", "constant-factor", ["ln 3"]),
    ("integrated", "x^3", "x^4/4", "integrated-instead", ["x^3"]),
    ("integrated-constant", "x^3", "x^4/4 + C", "integrated-instead", ["x^3"]),
    ("integrated-exp", "e^(2x)", "e^(2x)/2", "integrated-instead", ["exp(2x)"]),
]


@pytest.mark.parametrize("function, answer, code, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_diagnosis(function, answer, code, fragments):
    assert differs_from_derivative(function, answer)
    result = check_answer(function, answer)
    assert result.verdict == "incorrect"
    assert result.diagnosis[0] == code
    for fragment in fragments:
        assert fragment in result.message


@pytest.mark.parametrize("function, answer, codes", [
    ("sin(x)/x", "(sin x - x cos x)/x^2", ["quotient-rule", "sign-error"]),
    ("x^3", "x^2", ["constant-factor", "power-rule"]),
    ("sin(3x)", "cos(3x)", ["missing-inner-derivative", "constant-factor"]),
], ids=["swapped-quotient", "lost-exponent", "constant-inner-derivative"])
def test_a_slip_that_is_two_things_gets_both_codes(function, answer, codes):
    assert differs_from_derivative(function, answer)
    assert check_answer(function, answer).diagnosis == codes


def test_every_code_is_covered():
    assert {c[3] for c in CASES} == set(CODES)


def test_message_names_the_inner_function_in_russian():
    result = check_answer("arctg^2 x^3", "2 arctg(x^3)/(1+x^6)", lang="ru")
    assert "внутренней функции x^3" in result.message and "3x^2" in result.message


def test_wrong_variable():
    result = check_answer("x^2", "2y")
    assert result.verdict == "incorrect" and result.diagnosis == ["wrong-variable"]
    assert "y" in result.message and "x" in result.message


CORPUS = ["tg x^2", "arctg^2 x^3", "ln cos^2(sin sqrt x)", "1/(1+e^(-x))", "x^2 sin x", "sin(x)/x",
          "3*2^x", "e^(x^2) cos x", "lg(x^2+1)", "arccos(2x)", "ctg(x^3)", "sqrt(x) ln x"]


@pytest.mark.parametrize("function", CORPUS, ids=CORPUS)
def test_every_generated_mistake_is_recognised(function):
    f = parse(function)
    d = sympy.diff(f, x)
    for mistake in candidates(f, x):
        if not differs_from_derivative(function, show(mistake.expr)):
            continue  # this slip happens to give the right derivative here
        result = check_answer(f, mistake.expr)
        assert result.verdict == "incorrect", (mistake, d)
        assert mistake.code in result.diagnosis, (mistake, result.diagnosis)


def test_mistake_table_is_consistent_with_the_catalogue():
    entries = catalogue()
    keys = {key for variants in MISTAKES.values() for _, key, _ in variants} | {
        "forgot-inner", "fallback-sign", "fallback-constant", "integrated-instead"}
    for key in keys:
        code = f"check.mistake.{key}"
        assert code in entries
        assert placeholders(code, "en") == placeholders(code, "ru")
    for variants in MISTAKES.values():
        for code, _, _ in variants:
            assert set([code] if isinstance(code, str) else code) <= set(CODES)


def test_all_check_messages_have_both_languages():
    for code, entry in catalogue().items():
        if code.startswith("check."):
            assert set(entry) >= {"en", "ru"}, code
            assert placeholders(code, "en") == placeholders(code, "ru"), code
            assert any("а" <= ch <= "я" for ch in entry["ru"].lower()), code


@pytest.mark.parametrize("function", CORPUS, ids=CORPUS)
def test_shown_expressions_read_back_as_the_same_function(function):
    d = sympy.diff(parse(function), x)
    for expr in [d] + [m.expr for m in candidates(parse(function), x)]:
        text = show(expr)
        assert "**" not in text
        back = parse(text)
        for point in ("0.37", "1.3", "2.9"):  # the witness is SymPy's evalf, not the checker's compare
            want, got = (complex(e.subs(x, sympy.Float(point, 30)).evalf(30)) for e in (expr, back))
            assert abs(want - got) <= 1e-12 * max(1.0, abs(want)) or (want != want and got != got), text
