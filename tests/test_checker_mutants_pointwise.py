"""Both sides at a set of points (derivtutor/checking/pointwise.py): what mutation testing
needed pinned. Only the public ``compare_at`` and ``resolved_value`` are called; each outcome
is witnessed by mpmath at high precision or by a hand-derived value.

Fast on purpose: bench/mutation.sh runs these once per mutant (``bench/mutation.sh pointwise``).
"""
from __future__ import annotations

import mpmath
import pytest
import sympy

from derivtutor.checking import pointwise
from test_checker_mutants import fresh_caches  # noqa: F401 -- autouse: no cache hides a mutant

x = sympy.Symbol("x")
P = ((0.5,), (1.25,), (-0.75,))


def exact(expr, p, digits=120):
    """The witness: the value at the point ``p`` as an exact fraction, by SymPy at ``digits``."""
    return sympy.N(expr.subs(x, sympy.Rational(p)), digits)


def counts(out):
    return (len(out.agreed), len(out.skipped), out.unreliable, out.dropped, out.confirmed)


@pytest.mark.parametrize("answer, agrees", [
    (sympy.cos(x), True),
    (sympy.cos(x) + sympy.Rational(1, 10**40), False),
    (sympy.cos(x) * (1 + sympy.exp(-x**2 - 100)), False),
], ids=["equal", "tiny-constant", "tiny-factor"])
def test_compare_at_with_digits_decides_like_mpmath(answer, agrees):
    out = pointwise.compare_at(sympy.cos(x), answer, (x,), P, digits=60)
    assert (out.counterexample is None) is agrees
    if not agrees:  # the witness: the difference at 120 digits is not 0
        p = out.counterexample[0][0]
        assert abs(exact(answer - sympy.cos(x), p)) > 0
        assert out.counterexample[0] == P[0] and not out.agreed  # the first point decides at once
    else:
        assert out.agreed == list(P) and counts(out) == (3, 0, 0, 0, 0)


@pytest.mark.parametrize("digits", [0, 40])
def test_equal_forms_agree_at_every_point_in_float_and_in_mpmath(digits):
    out = pointwise.compare_at(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x), (x,), P, digits)
    assert out.agreed == list(P)
    assert counts(out) == (3, 0, 0, 0, 0) and out.counterexample is None


@pytest.mark.parametrize("digits", [0, 40])
def test_a_counterexample_is_the_first_differing_point_with_both_values(digits):
    # x^2 against x|x|: equal for x >= 0, opposite for x < 0 (hand-derived)
    points = ((0.5,), (-0.5,), (1.5,))
    out = pointwise.compare_at(x**2, x * sympy.Abs(x), (x,), points, digits)
    point, r, a = out.counterexample
    assert point == (-0.5,) and out.agreed == [(0.5,)]   # (1.5,) is never looked at
    assert complex(r) == pytest.approx(0.25, rel=1e-25) and complex(a) == pytest.approx(-0.25, rel=1e-25)
    assert abs(r - exact(x**2, -0.5)) < 1e-25


def test_float_agreement_is_relative_to_1e_10():
    # without extra digits float64 decides agreement to 1e-10 (relative): e^-30 ~ 9e-14 is
    # below it, e^-20 ~ 2e-9 is above it and goes to mpmath, which finds the difference
    assert pointwise.compare_at(sympy.cos(x), sympy.cos(x) * (1 + sympy.exp(-30)), (x,), P).agreed == list(P)
    out = pointwise.compare_at(sympy.cos(x), sympy.cos(x) * (1 + sympy.exp(-20)), (x,), P)
    assert out.counterexample[0] == P[0] and out.confirmed == 1
    witness = exact(sympy.cos(x) * sympy.exp(-20), 0.5, 60)
    assert abs(out.counterexample[2] - out.counterexample[1] - mpmath.mpf(str(witness))) < 1e-25


def test_a_number_float64_cannot_hold_goes_to_mpmath():
    # 10^-12 has a denominator float64 tier refuses: the check runs in mpmath at 30 digits
    out = pointwise.compare_at(sympy.Integer(1) + 0 * x, 1 + x / 10**12, (x,), P)
    assert out.counterexample[0] == P[0] and out.confirmed == 1
    assert abs(out.counterexample[2] - out.counterexample[1] - sympy.Rational(1, 2 * 10**12)) < 1e-25
    assert pointwise.compare_at(x / 10**12, x / 10**12 + 0 * x, (x,), P).agreed == list(P)


@pytest.mark.parametrize("digits", [0, 40])
def test_where_the_reference_is_undefined_the_point_is_dropped(digits):
    # 1/(x^2 - 1) and 1/((x - 1)(x + 1)) at x = 1 and -1: both undefined; the other points agree
    points = ((1.0,), (0.5,), (-1.0,), (2.0,))
    out = pointwise.compare_at(1 / (x**2 - 1), 1 / ((x - 1) * (x + 1)), (x,), points, digits)
    assert out.counterexample is None and out.agreed == [(0.5,), (2.0,)] and out.dropped == 2
    assert out.skipped == [] and out.unreliable == 0
    assert digits or out.confirmed == 0  # float64 drops them itself: nothing to confirm


@pytest.mark.parametrize("digits", [0, 40])
def test_where_the_reference_is_not_real_the_point_is_dropped(digits):
    # sqrt(x) at x = -4 is 2i: not a value of the real derivative, whatever the answer says
    points = ((-4.0,), (0.25,), (-9.0,), (4.0,))
    out = pointwise.compare_at(sympy.sqrt(x), sympy.sqrt(x**3) / x, (x,), points, digits)
    assert out.agreed == [(0.25,), (4.0,)] and out.dropped == 2 and out.counterexample is None
    assert digits or out.confirmed == 0
    out = pointwise.compare_at(sympy.sqrt(x), sympy.sqrt(x) + 1, (x,), points, digits)
    assert out.counterexample[0] == (0.25,) and out.dropped == 1  # a real difference is still found


@pytest.mark.parametrize("digits", [0, 40])
def test_an_answer_undefined_where_the_reference_is_defined_is_skipped(digits):
    # (x - |x|)/(2x - 2|x|) is 0/0 for x > 0 and 1/2 for x < 0 (hand-derived)
    points = ((0.5,), (-0.5,), (-2.0,))
    answer = x + (x - sympy.Abs(x)) / (2 * x - 2 * sympy.Abs(x)) - sympy.Rational(1, 2)
    out = pointwise.compare_at(x, answer, (x,), points, digits)
    assert out.skipped == [(0.5,)] and out.agreed == [(-0.5,), (-2.0,)]
    assert (out.counterexample, out.dropped, out.unreliable) == (None, 0, 0)


@pytest.mark.parametrize("digits", [0, 40])
def test_an_answer_not_real_where_the_reference_is_real_is_a_counterexample(digits):
    # 1 against sqrt(x) at x = -1: i, not 1 (hand-derived)
    out = pointwise.compare_at(sympy.Integer(1) + 0 * x, sympy.sqrt(x), (x,), ((-1.0,),), digits)
    point, r, a = out.counterexample
    assert point == (-1.0,) and complex(r) == 1 and complex(a) == pytest.approx(1j, abs=1e-25)


@pytest.mark.parametrize("digits", [0, 40])
def test_constants_compare_complex_values(digits):
    two_i = sympy.sqrt(-4)  # 2i
    out = pointwise.compare_at(two_i, 2 * sympy.I, (), ((),), digits, constant=True)
    assert out.agreed == [()] and out.counterexample is None and out.confirmed == 0
    out = pointwise.compare_at(two_i, 3 * sympy.I, (), ((),), digits, constant=True)
    assert out.counterexample is not None and complex(out.counterexample[2]) == pytest.approx(3j)
    out = pointwise.compare_at(two_i, 2 * sympy.I, (), ((),), digits)  # not as a constant: not a real value
    assert out.agreed == [] and out.counterexample is None and out.dropped == 1


def test_float_doubts_are_confirmed_at_most_twelve_times():
    # (x + 1)^2 - x^2 - 1 - x = x exactly, but float64 loses it at x ~ 10^12 (cancellation):
    # every point is a float doubt; mpmath confirms the first 12, the 13th counts as unreliable
    answer = (x + 1) ** 2 - x**2 - 1 - x
    points = tuple((1e12 + k,) for k in range(14))
    out = pointwise.compare_at(x, answer, (x,), points)
    assert all(exact(answer - x, p[0]) == 0 for p in points[:2])
    assert out.confirmed == 14 and out.agreed == list(points[:12]) and out.unreliable == 2
    assert out.counterexample is None
    few = pointwise.compare_at(x, answer, (x,), points[:12])
    assert few.agreed == list(points[:12]) and few.unreliable == 0


def test_a_difference_below_resolution_is_unreliable_not_a_counterexample():
    # cos x + 10^-19 at 30 digits: the relative difference ~1.1e-19 is past the 10^-20 tolerance
    # but within 1000 times it -- no counterexample to show, and not agreement either
    answer = sympy.cos(x) + sympy.Rational(1, 10**19)
    out = pointwise.compare_at(sympy.cos(x), answer, (x,), P[:2])
    assert out.counterexample is None and out.agreed == [] and out.unreliable == 2 and out.confirmed == 2
    assert abs(exact(answer - sympy.cos(x), 0.5)) > 0  # the witness: they do differ
    clear = pointwise.compare_at(sympy.cos(x), sympy.cos(x) + sympy.Rational(1, 10**15), (x,), P[:2])
    assert clear.counterexample is not None and clear.counterexample[0] == P[0]


def test_an_exact_zero_of_an_expression_proves_nothing():
    # 1 - th^2(e^9) is exactly 0 at 30..60 digits (cancellation), 1/ch^2(e^9) ~ 1e-7040 is not
    u = sympy.exp(x)
    rounded, true = 1 - sympy.tanh(u) ** 2, 1 / sympy.cosh(u) ** 2
    assert 0 < abs(exact(true, 9.0, 50)) < sympy.Float("1e-7000")
    for reference, answer in ((rounded, true), (true, rounded)):
        out = pointwise.compare_at(reference, answer, (x,), ((9.0,), (9.5,)), 5)
        assert out.counterexample is None and out.unreliable == 2 and out.agreed == []
    out = pointwise.compare_at(true, sympy.Integer(0), (x,), ((9.0,),), 5)  # a constant 0 is a real claim
    assert out.counterexample is not None and out.counterexample[2] == 0


def test_resolved_value_doubles_the_digits_until_two_agree():
    # cos x - cos(x + 10^-45) at x = 1/2: ~ sin(1/2) 10^-45, lost below 60 digits of cancellation
    expr = sympy.cos(x) - sympy.cos(x + sympy.Rational(1, 10**45))
    value, tier = pointwise.resolved_value(expr, (x,), (0.5,), 30)
    witness = exact(expr, 0.5, 200)
    assert abs(value - witness) <= abs(witness) * 1e-30
    assert tier.dps == 240  # 240 and 480 digits agree to 240's tolerance (30, 60, 120, 240, 480)
    value, tier = pointwise.resolved_value(sympy.cos(x), (x,), (0.5,), 30)
    assert tier.dps == 30 and abs(value - exact(sympy.cos(x), 0.5)) < 1e-25


def test_resolved_value_gives_up_past_a_thousand_digits():
    # cos x - cos(x + 10^-k) at d digits: exactly 0 while d < k, then off by 10^(k - d) relatively;
    # two precisions d, 2d agree once 10^(k - d) <= 10^(-2d/3), i.e. d >= 3k (hand-derived)
    def gap(k):
        return sympy.cos(x) - sympy.cos(x + sympy.Rational(1, 10**k))

    witness = sympy.sin(sympy.Rational(1, 2)) / 10**150
    value, tier = pointwise.resolved_value(gap(150), (x,), (0.5,), 300)     # 300, 600, 1200 = 4 x 300
    assert tier.dps == 600 and abs(value - witness) <= witness * 1e-100
    assert pointwise.resolved_value(gap(400), (x,), (0.5,), 300) == (False, None)  # would need 1200, 2400
    value, tier = pointwise.resolved_value(gap(300), (x,), (0.5,), 30)      # 0 at 30 and 60: a 0 (a false one)
    assert value == 0 and tier.dps == 30


def test_resolved_value_of_undefined_and_of_too_large():
    value, tier = pointwise.resolved_value(1 / x, (x,), (0.0,), 30)
    assert value is None and tier.dps == 30          # undefined at every precision: resolved as undefined
    assert pointwise.resolved_value(sympy.exp(sympy.exp(x)), (x,), (20.0,), 30) == (False, None)  # e^(4.8e8)


def test_a_reference_beyond_float64_is_compared_in_mpmath():
    # e^x at x = 1000 overflows float64 (e^1000 ~ 2e434); the answer x is finite there: a counterexample
    out = pointwise.compare_at(sympy.exp(x), x, (x,), ((1000.0,),))
    point, r, a = out.counterexample
    assert point == (1000.0,) and abs(r / exact(sympy.exp(x), 1000.0) - 1) < 1e-25 and a == 1000


@pytest.mark.parametrize("digits", [0, 40])
def test_values_too_large_to_resolve_are_unreliable_on_either_side(digits):
    # e^(e^x) at x = 20, 21: e^(4.9e8) and more, past the evaluators' guard -- neither a number
    # to compare nor undefined
    huge = sympy.exp(sympy.exp(x))
    points = ((20.0,), (21.0,))
    for reference, answer in ((huge, x), (x, huge)):
        out = pointwise.compare_at(reference, answer, (x,), points, digits)
        assert (out.unreliable, out.counterexample, out.agreed, out.dropped, out.skipped) == (2, None, [], 0, [])


@pytest.mark.parametrize("swap", [False, True], ids=["reference-exact", "answer-exact"])
def test_agreement_is_judged_at_the_coarser_of_the_two_precisions(swap):
    # cos x - cos(x + h), h = e^-104 ~ 7e-46, is h sin x (1 + O(h)): exact at 30 digits on one
    # side, settled only at 240-480 digits on the other (cancellation). Equal at the coarser,
    # 30-digit, tolerance; at 240 digits' tolerance h sin x and the difference would differ.
    h = sympy.exp(-104)
    exact_side, cancelling = h * sympy.sin(x), sympy.cos(x) - sympy.cos(x + h)
    reference, answer = (cancelling, exact_side) if swap else (exact_side, cancelling)
    points = ((0.5,), (1.25,))
    witness = [exact(cancelling / exact_side - 1, p[0], 300) for p in points]
    assert all(0 < abs(w) < 1e-40 for w in witness)   # they do differ, far below 30 digits
    out = pointwise.compare_at(reference, answer, (x,), points)
    assert out.agreed == list(points) and out.counterexample is None and out.unreliable == 0
    assert out.confirmed == 2  # float64 sees 0 against 3e-46: both points went to mpmath


def test_extra_digits_start_the_first_comparison_at_30_plus_digits():
    # a relative difference of 10^-50 is below 70 digits' tolerance (10^-46), above 90 digits' (10^-60)
    answer = sympy.cos(x) * (1 + sympy.Rational(1, 10**50))
    out = pointwise.compare_at(sympy.cos(x), answer, (x,), P, digits=40)
    assert out.agreed == list(P) and out.confirmed == 0
    out = pointwise.compare_at(sympy.cos(x), answer, (x,), P, digits=60)
    assert out.counterexample is not None and out.counterexample[0] == P[0]


@pytest.mark.parametrize("reference, answer", [
    (1 + x / 10**19, sympy.Integer(1)),       # the answer exactly 1
    (sympy.Integer(1), 1 + x / 10**19),       # the reference exactly 1
    (1000 + x / 10**16, sympy.Integer(1000)),  # the window is relative: 5e-17 in 1000
], ids=["answer-one", "reference-one", "thousand"])
def test_a_hair_past_the_tolerance_is_unreliable_whatever_the_values(reference, answer):
    # at x = 1/2 and 5/4 the relative gap is ~5e-20 and ~1.2e-19 at 30 digits (tolerance 10^-20):
    # past it, but within 1000 times it
    out = pointwise.compare_at(reference, answer, (x,), P[:2])
    assert (out.counterexample, out.agreed, out.unreliable) == (None, [], 2)


def test_the_hair_window_ends_at_a_thousand_times_the_tolerance():
    # at x = 1 the relative gaps are 1.0005e-17 and 0.9995e-17 against 1000 x 10^-20 (hand-derived)
    past = pointwise.compare_at(sympy.Integer(1), 1 + x * sympy.Rational(10005, 10**21), (x,), ((1.0,),))
    assert past.counterexample is not None
    within = pointwise.compare_at(sympy.Integer(1), 1 + x * sympy.Rational(9995, 10**21), (x,), ((1.0,),))
    assert within.counterexample is None and within.unreliable == 1


def test_a_float_doubt_is_confirmed_from_30_digits_up_to_960():
    # cos x - cos(x + h) - h sin x - h^2/2 cos x = -h^3/6 sin x (1 + O(h)) ~ 1e-137 for h = e^-104:
    # at d digits it is off by ~10^(137 - d) relatively, so d and 2d agree only from d ~ 410 on:
    # 30, 60, ..., 480, 960 reaches it; starting at 40 (..., 320, 640, then past 1000) would not
    h = sympy.exp(-104)
    answer = sympy.cos(x) - sympy.cos(x + h) - h * sympy.sin(x) - h**2 / 2 * sympy.cos(x)
    reference = -sympy.exp(-312) / 6 * sympy.sin(x)
    with mpmath.workdps(2000):  # the witness, at twice the digits the checker reaches
        t, hh = mpmath.mpf(1) / 2, mpmath.exp(-104)
        true = mpmath.cos(t) - mpmath.cos(t + hh) - hh * mpmath.sin(t) - hh**2 / 2 * mpmath.cos(t)
        assert abs(true / (-mpmath.exp(-312) / 6 * mpmath.sin(t)) - 1) < 1e-40
    out = pointwise.compare_at(reference, answer, (x,), ((0.5,),))
    assert out.agreed == [(0.5,)] and out.confirmed == 1 and out.unreliable == 0
    value, tier = pointwise.resolved_value(answer, (x,), (0.5,), 30)
    assert tier.dps == 480 and abs(value / true - 1) < 1e-100
