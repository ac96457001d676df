"""A step hidden where the other terms are astronomically large is never "correct".

``2x e^(x^2) + sign(x - 30) + 1`` for (e^(x^2))' is off by 2 for every x > 30, where the
derivative is about 10^393: no relative comparison can see it, float64 overflows there,
and agreement beside the step proves nothing. The witness that each answer is wrong (or
right) is SymPy: the exact difference from ``sympy.diff`` at points on both sides of the step.
"""
from __future__ import annotations

import pytest
import sympy

from derivtutor import check_answer, parse

X = sympy.Symbol("x")
REAL = sympy.Symbol("x", real=True)   # |x|' = sign(x) for SymPy only when x is real


def _difference(function: str, answer: str, at) -> float:
    exact = sympy.diff(parse(function).xreplace({X: REAL}), REAL) - parse(answer).xreplace({X: REAL})
    return float(sympy.N(exact.subs(REAL, at), 50))


@pytest.mark.parametrize("function, answer, wrong_at", [
    ("e^(x^2)", "2x e^(x^2) + sign(x - 300) + 1", 301),
    ("e^(x^2)", "2x e^(x^2) + sign(x - 30) + 1", 31),
    ("e^(x^2)", "2x e^(x^2)*(1 + (sign(x - 30) + 1)*e^(-x^2))", 31),
    ("e^(x^2)", "2x e^(x^2) + |x - 40| + x - 40", 41),
])
def test_a_step_lost_against_huge_terms_is_not_correct(function, answer, wrong_at):
    assert abs(_difference(function, answer, wrong_at)) > 1  # SymPy: wrong beyond the step
    assert abs(_difference(function, answer, sympy.Rational(1, 2))) < 1e-30  # ... and right before it
    assert check_answer(function, answer).verdict != "correct"


@pytest.mark.parametrize("function, answer", [
    ("x|x|", "2x sign(x)"),
    ("|x| + x^2", "sign(x) + 2x"),
    ("|x^2 - 4|", "2x sign(x^2 - 4)"),
    ("e^x + |x - 5|", "e^x + sign(x - 5)"),
    ("e^(x^2) + |x - 30|", "2x e^(x^2) + sign(x - 30)"),
])
def test_correct_answers_with_steps_stay_correct(function, answer):
    for at in (sympy.Rational(-7, 2), sympy.Rational(1, 3), 6, 31):
        assert abs(_difference(function, answer, at)) < 1e-30
    assert check_answer(function, answer).verdict == "correct"
