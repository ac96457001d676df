"""The checker's decision code at the places mutation testing found unguarded.

Fast on purpose: bench/mutation.sh runs it once per mutant of the checker. Only the
public entry points are called (check_answer, trust.feature_points, pointwise.compare_at).
Witnesses: numpy.roots and closed-form zeros, mpmath at high precision, the message
catalogue read directly.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from derivtutor.catalogue import message
from derivtutor.checking import checker, pointwise, trust

x = sympy.Symbol("x")
KEY = bytes(range(1, 33))


def zeros_between(pairs):
    """Each (left points, right points) pair brackets one zero: its midpoint."""
    return sorted((left[0][0] + right[0][0]) / 2 for left, right in pairs)


@pytest.mark.parametrize("g, zeros", [
    (x**2 - 2, [-math.sqrt(2), math.sqrt(2)]),
    (x**3 - 6 * x**2 + 11 * x - 6, [1.0, 2.0, 3.0]),
    (x - sympy.Rational(1, 3), [1 / 3]),
], ids=["sqrt2", "cubic", "linear"])
def test_feature_points_bracket_each_polynomial_zero(g, zeros):
    pairs = trust.feature_points((g,), (x,), KEY)
    witness = sorted(r.real for r in np.roots([float(c) for c in sympy.Poly(g, x).all_coeffs()]))
    assert len(pairs) == len(witness) == len(zeros)
    for (left, right), r in zip(sorted(pairs, key=lambda p: p[0][0][0]), witness):
        assert all(p[0] < r < q[0] for p, q in zip(left, right))
        assert all(abs(p[0] - r) < 0.05 * max(1, abs(r)) for p in left + right)  # just beside the zero


@pytest.mark.parametrize("g, zeros", [
    (sympy.sin(x) - sympy.Rational(1, 2), [math.asin(0.5) + 2 * math.pi * k for k in range(-159, 160)]
     + [math.pi - math.asin(0.5) + 2 * math.pi * k for k in range(-160, 159)]),
    (sympy.exp(x) - 3, [math.log(3)]),
    (sympy.log(x**2 + 1) - 1, [-math.sqrt(math.e - 1), math.sqrt(math.e - 1)]),
    (x**7 - 3 * x + 1, None),  # degree 7: found on the grid
], ids=["sin-many", "exp", "log", "degree-7"])
def test_feature_points_of_other_functions_come_from_the_grid(g, zeros):
    pairs = trust.feature_points((g,), (x,), KEY)
    if zeros is None:  # witness: numpy's roots of the polynomial
        zeros = sorted(r.real for r in np.roots([1, 0, 0, 0, 0, 0, -3, 1])
                       if abs(r.imag) < 1e-9)
    zeros = [z for z in zeros if 1e-3 <= abs(z) <= 1e3]
    if len(zeros) > trust.MAX_ROOTS:
        assert pairs is None  # too many zeros to visit: a doubt, never a guess
        return
    got = zeros_between(pairs)
    assert len(got) == len(zeros)
    for a, b in zip(got, sorted(zeros)):
        assert a == pytest.approx(b, rel=0.05, abs=1e-6)
        assert abs(a - b) < 0.05 * max(1.0, abs(b))


def test_feature_points_refine_the_zero_by_bisection():
    pairs = trust.feature_points((sympy.exp(x) - 3,), (x,), KEY)
    (left, right), = pairs
    r = math.log(3)  # steps of 1e-3 and 3e-2 times the zero's scale max(1, |r|), jittered by the key
    assert r - left[0][0] == pytest.approx(1e-3 * (1 + KEY[0] / 512) * r, rel=1e-9)
    assert right[0][0] - r == pytest.approx(1e-3 * (1 + KEY[0] / 512) * r, rel=1e-9)
    assert r - left[1][0] == pytest.approx(3e-2 * (1 + KEY[0] / 512) * r, rel=1e-9)


@pytest.mark.parametrize("g", [sympy.sqrt(x) - 1, x * sympy.Symbol("y"), sympy.sin(1 / x) + sympy.Rational(1, 2)],
                         ids=["complex-left", "two-letters", "too-many"])
def test_feature_points_refuse_what_they_cannot_locate(g):
    assert trust.feature_points((g,), (x,), KEY) is None


def test_feature_points_of_a_constant_and_of_a_zero_on_the_grid():
    assert trust.feature_points((sympy.Integer(3),), (x,), KEY) == []
    pairs = trust.feature_points((x * (2 + sympy.sin(x)),), (x,), KEY)
    assert [round(z, 9) for z in zeros_between(pairs)] == [0.0]  # x = 0 is a grid point


def test_invalid_answers_keep_the_text_and_speak_the_language(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(checker, "compare", broken)
    for lang in ("en", "ru"):
        r = checker.check_answer("x^2", "2 x", lang=lang)
        assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, ["check.error"], "2 x")
        assert r.message == message("check.error", lang)
    assert checker.check_answer("x^2", 2 * x).answer == "2x"  # an expression, in the course's notation


def test_a_check_error_outside_the_comparison_keeps_the_expression_text(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(checker, "_check", broken)
    r = checker.check_answer("x^2", 2 * x**3)  # shown in the course's notation, not SymPy's 2*x**3
    assert (r.verdict, r.diagnosis, r.answer) == ("invalid", ["check.error"], "2x^3")
    assert checker.check_answer("x^2", "2 x^3").answer == "2 x^3"  # text stays as typed


@pytest.mark.parametrize("answer, simplified", [
    ("2x e^(x^2)", True),
    ("2x sqrt(e^(2x^2))", False),
], ids=["shortest", "longer"])
def test_simplified_is_at_most_one_operation_longer(answer, simplified, monkeypatch):
    monkeypatch.setattr(checker, "_short_forms", lambda e: (e,))  # no simplify: the count is the rule's
    r = checker.check_answer("e^(x^2)", answer, require_simplified=True)
    assert r.verdict == "correct"
    assert (r.diagnosis == []) is simplified


def test_simplified_boundary_counts_operations_exactly(monkeypatch):
    expected = 2 * x * sympy.exp(x**2)
    monkeypatch.setattr(checker, "_short_forms", lambda e: (e,))
    one_more, two_more = expected + 1, expected + 2 * x  # only the count matters here
    assert sympy.count_ops(one_more) == sympy.count_ops(expected) + 1
    assert sympy.count_ops(two_more) == sympy.count_ops(expected) + 2
    assert checker._is_simplified(one_more, expected)
    assert not checker._is_simplified(two_more, expected)


@pytest.mark.parametrize("answer, agrees", [
    (sympy.cos(x), True),
    (sympy.cos(x) + sympy.Rational(1, 10**40), False),
    (sympy.cos(x) * (1 + sympy.exp(-x**2 - 100)), False),
], ids=["equal", "tiny-constant", "tiny-factor"])
def test_compare_at_with_digits_decides_like_mpmath(answer, agrees):
    points = ((0.5,), (1.25,), (-0.75,))
    out = pointwise.compare_at(sympy.cos(x), answer, (x,), points, digits=60)
    assert (out.counterexample is None) is agrees
    if not agrees:  # the witness: the difference at 120 digits is not 0
        p = out.counterexample[0][0]
        assert abs(sympy.N((answer - sympy.cos(x)).subs(x, sympy.Rational(p)), 120)) > 0
    else:
        assert len(out.agreed) == 3


@pytest.mark.parametrize("g, zeros", [
    ((x - 1) ** 2, [1.0]),
    ((x**2 - 2) ** 2, [-math.sqrt(2), math.sqrt(2)]),
    ((x**3 - 2) ** 2, [2 ** (1 / 3)]),          # degree 6: still solved exactly
    (x**2 - sympy.pi, [-math.sqrt(math.pi), math.sqrt(math.pi)]),  # an irrational coefficient
], ids=["double", "two-double", "degree-6-double", "pi"])
def test_feature_points_find_zeros_where_the_sign_does_not_change(g, zeros):
    # a double zero has no sign change: only the exact polynomial path sees it
    got = zeros_between(trust.feature_points((g,), (x,), KEY))
    assert got == pytest.approx(zeros, rel=1e-9)
