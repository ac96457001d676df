"""The cheap paths of the checker keep its verdicts and diagnoses.

Witnesses: ``sympy.integrate`` gives the antiderivatives (an answer that *is* one must
be diagnosed integrated-instead, also when its constants force the mpmath screen),
``sympy.diff`` gives the derivatives that must not be.
"""
from __future__ import annotations

import pytest
import sympy

from derivtutor.checking.checker import check_answer, reference
from derivtutor.checking.diagnosis import _slope_matches
from derivtutor.checking.mistakes import show
from derivtutor.checking.proof import proves_equal

x = sympy.Symbol("x")
FUNCTIONS = ["x^3", "ln(x^2+1)", "x e^x", "cos(2x)", "1/(1+x^2)"]
# Constants outside float64's faithful range: the slope screen runs in mpmath.
SHIFTS = [sympy.Integer(0), sympy.Rational(1, 10**50), sympy.Integer(10**30)]


def _f(text):
    from derivtutor.input.parsing import parse

    return parse(text)


@pytest.mark.parametrize("shift", SHIFTS, ids=["plain", "tiny-constant", "huge-constant"])
@pytest.mark.parametrize("text", FUNCTIONS)
def test_antiderivative_is_diagnosed_integrated_instead(text, shift):
    f = _f(text)
    answer = sympy.integrate(f, x) + shift
    assert sympy.simplify(sympy.diff(answer, x) - f) == 0  # the witness
    result = check_answer(text, show(answer), timeout=20)
    assert result.verdict == "incorrect" and "integrated-instead" in result.diagnosis


@pytest.mark.parametrize("text", FUNCTIONS)
def test_mp_screen_lets_antiderivatives_through_and_stops_others(text):
    f = _f(text)
    ref = reference(f, x, None)
    big = sympy.Rational(1, 10**50)
    assert _slope_matches(ref, sympy.integrate(f, x) * (1 + big))  # mpmath path, still a hit
    assert _slope_matches(ref, sympy.integrate(f, x) + 10**30)
    assert not _slope_matches(ref, (sympy.diff(f, x) + 1) * (1 + big))  # clearly not F' = f


@pytest.mark.parametrize("answer", [
    "cos(x) + exp(-exp(exp(x^2 + 3)))", "cos(x) + exp(-10^6 x^2)", "cos(x) + 10^-40",
], ids=["triple-exp", "narrow-bump", "tiny-constant"])
def test_provably_nonzero_difference_is_never_proved_equal(answer):
    assert not proves_equal(sympy.cos(x), _f(answer))
    assert check_answer("sin x", answer, timeout=20).verdict in ("incorrect", "invalid")


def test_proof_still_proves_rewrites():
    assert proves_equal(sympy.cos(x) ** 2 - sympy.sin(x) ** 2, sympy.cos(2 * x))
    assert proves_equal((x + 1) ** 8, sympy.expand((x + 1) ** 8))


# Parametric functions (the randomised and ML exercises): the screen runs in several variables.
PARAMETRIC = ["tanh(w x)", "a^x", "x^n", "e^(a x) sin(b x)", "x^n ln(x)", "1/(x^2 + a)", "(w x + b - y)^2",
              "ln(a x)/x", "sin(a x) cos(b x)", "x e^(w x)", "1/(1 + e^(-w x))"]


def _antiderivative(f):
    """sympy.integrate with positive parameters, back in plain symbols; of a Piecewise
    (a = 1, n = -1, a = b ...), the generic branch: the one with every parameter."""
    plain = sorted(f.free_symbols - {x}, key=lambda s: s.name)
    positive = {s: sympy.Symbol(s.name, positive=True) for s in plain}
    F = sympy.integrate(f.xreplace(positive), x).xreplace({v: k for k, v in positive.items()})
    if isinstance(F, sympy.Piecewise):
        F = next(e for e, _ in F.args if e.free_symbols >= f.free_symbols)
    assert not F.has(sympy.Integral, sympy.Piecewise)
    assert sympy.simplify(sympy.diff(F, x) - f) == 0  # the witness
    return F


@pytest.mark.parametrize("text", PARAMETRIC)
def test_parametric_screen_never_stops_an_antiderivative(text):
    f = _f(text)
    ref = reference(f, x, None)
    F = _antiderivative(f)
    C = sympy.Symbol("C")
    assert _slope_matches(ref, F) and _slope_matches(ref, F + C) and _slope_matches(ref, 3 * F / 3 + 10**30)
    assert _slope_matches(ref, F * (1 + sympy.Rational(1, 10**50)))  # the mpmath path
    # ... and it does screen: the derivative and a doubled antiderivative are stopped.
    assert not _slope_matches(ref, sympy.diff(f, x))
    assert not _slope_matches(ref, 2 * F)


@pytest.mark.parametrize("text", ["tanh(w x)", "a^x", "x e^(w x)", "sin(a x) cos(b x)"])
def test_parametric_antiderivative_is_diagnosed_integrated_instead(text):
    answer = _antiderivative(_f(text))
    result = check_answer(text, show(answer), timeout=20)
    assert result.verdict == "incorrect" and "integrated-instead" in result.diagnosis
