"""Root finding and the doubts of derivtutor/checking/trust.py that mutation testing needed pinned.

Fast on purpose: bench/mutation.sh runs these once per mutant (``bench/mutation.sh trust``,
``bench/mutation.sh unresolved``). Only module-level entry points are called (feature_points,
scan, unresolved, the Scan record). Witnesses: numpy.roots and closed-form zeros, term sizes
computed by mpmath at 50 digits, hand-derived argument values.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

from derivtutor.checking import trust
from derivtutor.functions import sigmoid
from test_checker_mutants import fresh_caches  # noqa: F401 -- autouse: no cache hides a mutant

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


# --- unresolved(): sums with a term below resolution, saturating functions -------------

def doubt(sums=(), saturating=(), points=((0.5,), (1.0,), (2.0,)), variables=(x,)):
    return trust.unresolved(trust.Scan(0, False, (), tuple(sums), tuple(saturating)), variables, points)


def resolved_at(terms, points):
    """The witness: at how many points each term is at least 1e-7 of the largest (mpmath, 50 digits)."""
    counts = []
    for t in terms:
        n = 0
        for (p,) in points:
            sizes = [abs(mpmath.mpmathify(sympy.N(u.subs(x, sympy.Rational(p)), 50))) for u in terms]
            n += bool(max(sizes) > 0 and abs(sizes[terms.index(t)]) >= mpmath.mpf("1e-7") * max(sizes))
        counts.append(n)
    return counts


def test_a_term_lost_at_every_point_is_a_doubt():
    tiny = sympy.exp(-sympy.exp(x**2 + 9))   # e^(-8103) and less: below float64's reach
    assert resolved_at([sympy.cos(x), tiny], ((0.5,), (1.0,), (2.0,))) == [3, 0]
    assert doubt([sympy.cos(x) + tiny]) == "unresolved"
    assert doubt([sympy.cos(x) + sympy.exp(-x**2)]) is None


@pytest.mark.parametrize("points, counts, verdict", [
    (((0.0,), (0.25,), (0.5,)), [3, 1], "unresolved"),     # x^2/10^6: 0, 6.25e-8, 2.5e-7 against cos x
    (((0.25,), (0.5,), (0.75,)), [3, 2], None),
    (((0.5,),), [1, 1], None),                              # one point: resolved there is enough
    (((0.25,),), [1, 0], "unresolved"),
], ids=["one-of-three", "two-of-three", "one-of-one", "none-of-one"])
def test_a_term_must_be_resolved_at_two_points(points, counts, verdict):
    terms = [sympy.cos(x), x**2 / 10**6]
    assert resolved_at(terms, points) == counts
    assert doubt([sympy.Add(*terms)], points=points) == verdict


def test_a_point_where_every_term_is_zero_resolves_none():
    assert doubt([x + x**3], points=((0.0,), (1.0,))) == "unresolved"   # x = 0: both terms 0
    assert doubt([x + x**3], points=((0.0,), (1.0,), (2.0,))) is None


def test_an_undefined_term_value_counts_as_unresolved_there():
    # 1/x at x = 0 is undefined: there only cos x counts
    assert doubt([sympy.cos(x) + 1 / x], points=((0.0,), (1.0,))) == "unresolved"
    assert doubt([sympy.cos(x) + 1 / x], points=((0.0,), (1.0,), (2.0,))) is None


def test_a_term_float64_cannot_evaluate_is_a_doubt():
    assert doubt([sympy.cos(x) + x / 10**7]) == "unresolved"   # 10^7: beyond the float tier
    assert doubt(saturating=[sympy.tanh(x / 10**7)]) == "unresolved"


def test_every_sum_and_every_saturating_node_is_looked_at():
    ok, lost = sympy.cos(x) + sympy.sin(x), sympy.cos(x) + sympy.exp(-sympy.exp(x**2 + 9))
    assert doubt([ok, lost]) == "unresolved"
    assert doubt([ok], [sympy.tanh(x), sympy.tanh(100 * x)]) == "unresolved"
    assert doubt([ok], [sympy.tanh(x), sympy.atan(x)]) is None


def test_no_points_or_no_variables_raise_no_doubt():
    lost = sympy.cos(x) + sympy.exp(-sympy.exp(x**2 + 9))
    assert doubt([lost], points=()) is None
    assert doubt([lost], variables=()) is None


@pytest.mark.parametrize("func, limit", [
    (sympy.tanh, 15.0), (sympy.coth, 15.0), (sigmoid, 30.0), (sympy.atan, 1e7), (sympy.acot, 1e7),
], ids=["tanh", "coth", "sigmoid", "arctg", "arcctg"])
def test_a_saturating_function_needs_its_argument_below_the_limit_at_two_points(func, limit):
    def at(*scales):  # the argument x at these multiples of the limit (hand-chosen)
        return doubt(saturating=[func(x)], points=tuple((s * limit,) for s in scales))

    assert at(0.49, -0.49, 0.98) is None                 # calm at all three
    assert at(1.01, -1.01, 2.02) == "unresolved"         # calm at none
    assert at(0.505, -0.505, 1.01) is None               # calm at two of three
    assert at(1.01, 0.505, -0.505) is None
    assert at(1.01, 1.5, 0.99) == "unresolved"           # calm at one of three
    assert at(1.01) == "unresolved" and at(0.99) is None  # one point: it decides
    assert at(1.0, -1.0) == "unresolved"                  # exactly at the limit is not calm


def test_the_limit_is_on_the_real_part_of_the_argument():
    # tanh(sqrt x) at x = -400, -900: arguments 20i and 30i -- tanh(20i) = i tg 20 does not saturate
    assert doubt(saturating=[sympy.tanh(sympy.sqrt(x))], points=((-400.0,), (-900.0,))) is None
    assert doubt(saturating=[sympy.tanh(sympy.sqrt(x))], points=((400.0,), (900.0,))) == "unresolved"


def test_an_undefined_argument_is_not_calm():
    assert doubt(saturating=[sympy.tanh(1 / x)], points=((0.0,), (1.0,))) == "unresolved"
    assert doubt(saturating=[sympy.tanh(1 / x)], points=((0.0,), (1.0,), (2.0,))) is None


def test_each_point_has_its_own_largest_term():
    # 1 + x^10: at x = 0.5, 1 both terms count; at x = 100 (1e20) the 1 is lost, at one point only
    assert doubt([1 + x**10], points=((0.5,), (1.0,), (100.0,))) is None
    assert doubt([1 + x**10], points=((100.0,), (200.0,))) == "unresolved"  # 1 against 1e20, 1e23


def test_a_term_exactly_at_the_resolution_counts():
    # x at x = 1e-7 against 1: exactly 1e-7 of the largest term -- resolved (>=)
    assert doubt([1 + x], points=((1e-7,), (1.0,))) is None
    assert doubt([1 + x], points=((1e-8,), (1.0,))) == "unresolved"


def test_an_undefined_term_does_not_hide_the_others_at_that_point():
    # e^(-100 x^2) + 1/x at x = 0, 0.1, 2: 1/x is undefined at 0 (counted as 0), where e^0 = 1 is
    # the largest term; at 2, e^-400 is lost against 1/2 -- so each term counts at two points
    assert doubt([sympy.exp(-100 * x**2) + 1 / x], points=((0.0,), (0.1,), (2.0,))) is None


# --- scan(): what the answer has that the reference does not ---------------------------

def test_scan_lists_the_new_nodes_only():
    c = sympy.cos(x)
    found = trust.scan(c, c * sympy.Abs(x - 1) + sympy.sign(x) * sympy.tanh(x) + sympy.atan(x))
    assert set(found.features) == {x - 1, x}
    assert set(found.saturating) == {sympy.tanh(x), sympy.atan(x)}
    assert set(found.sums) == {c * sympy.Abs(x - 1) + sympy.sign(x) * sympy.tanh(x) + sympy.atan(x), x - 1}
    same = trust.scan(sympy.Abs(x - 1) + sympy.tanh(x), sympy.Abs(x - 1) + sympy.tanh(x) + 0 * x)
    assert (same.features, same.saturating, same.sums) == ((), (), ())  # all in the reference
    assert trust.scan(c, c * (1 + sympy.sqrt(2))).sums == ()   # a constant sum is not a term to resolve
    assert trust.scan(c, sigmoid(x) + sympy.coth(x) + sympy.acot(x)).saturating != ()


@pytest.mark.parametrize("answer, extreme", [
    (sympy.cos(x) + sympy.Rational(1, 10**50), True),     # a tiny constant
    (sympy.Rational(999999, 10**6) * sympy.cos(x), True),  # a fraction a hair below 1
    (sympy.cos(x) + sympy.exp(-999), True),                # e^-999 ~ 1e-434
    (x / 10**5, True),                                     # a fraction below 10^-4
    (sympy.sin(10**5) * x, True),                          # 10^5 inside a function
    (sympy.exp(-sympy.Integer(10) ** 100) * x, True),      # too small to size: as large as allowed
    (20971520 * x**19, False),                             # a big coefficient: a term of its own
    (10**5 * x, False), (-10**5 * x, False), (x + 3 * 10**5, False), (sympy.Rational(100001, 2) * x, False),
    (sympy.cos(x) + sympy.Rational(1, 10**3), False),      # 10^-3: within four digits of 1
    (10**4 * sympy.sin(sympy.Rational(1, 10**4) + x), False),   # exactly 10^4 and 10^-4: not beyond
    (x / 10001, True),                                     # just beyond 10^4
    (sympy.Rational(10001, 10**4) * x, False),             # a coefficient: above 1, denominator up to 10^4
    (sympy.Rational(12001, 12000) * x, True),              # denominator beyond 10^4: sized, 4.08 digits
    (x ** sympy.Rational(1000001, 1000), True),            # an exponent: numerator 10^6 (not a coefficient)
    (x ** sympy.Rational(1001, 10**6), True),              # an exponent: denominator 10^6
    (sympy.Rational(999, 1000) * sympy.cos(x), False),     # three digits each way: not extreme
    (x + 3 * sympy.exp(-50), True), (sympy.cos(x) * (1 + sympy.exp(-50)), True),  # inside a constant too
], ids=lambda v: str(v) if isinstance(v, bool) else None)
def test_scan_flags_extreme_constants_the_reference_lacks(answer, extreme):
    assert trust.scan(sympy.cos(x), answer).extreme is extreme
    assert trust.scan(answer, answer).extreme is False   # shared with the reference: evaluated alike


@pytest.mark.parametrize("size", [50, 200, 1000])
def test_scan_asks_for_the_digits_that_resolve_a_tiny_constant(size):
    # a relative difference 10^-size is seen at 30 + d digits when two thirds of them exceed size
    tiny = sympy.Rational(1, 10**size)
    found = trust.scan(sympy.cos(x), sympy.cos(x) + tiny)
    assert found.digits == math.ceil(1.6 * size) + 20   # the formula of trust._constants
    assert 2 * (30 + found.digits) // 3 > size
    assert trust.scan(sympy.cos(x) + tiny, sympy.cos(x)).digits == found.digits  # either side
    assert trust.scan(sympy.cos(x), sympy.cos(x) * (1 + sympy.exp(-size))).digits == \
        math.ceil(1.6 * size / math.log(10)) + 20


def test_scan_digits_are_capped_for_unsizable_constants():
    found = trust.scan(sympy.cos(x), sympy.exp(-sympy.Integer(10) ** 100) * x)
    assert found.digits == math.ceil(1.6 * (trust.MAX_DIGITS + 1)) + 20
    assert trust.scan(sympy.cos(x), sympy.cos(x) + sympy.Rational(1, 10**5000)).digits == found.digits
    assert trust.scan(sympy.cos(x), sympy.cos(x)).digits == 0


def test_close_zeros_are_told_apart_anywhere_on_the_grid():
    # zeros 3% apart (the grid's step is 2.3%) at eight places on the negative side
    scales = [sympy.Rational(1, 100), sympy.Rational(1, 50), sympy.Rational(7, 10), 1, 2, 5, 30, 300]
    g = (2 + sympy.sin(x)) * sympy.Mul(*[(x + a) * (x + a * sympy.Rational(103, 100)) for a in scales])
    got = zeros_between(trust.feature_points((g,), (x,), KEY))
    zeros = sorted(-float(a) * f for a in scales for f in (1, 1.03))
    assert got == pytest.approx(zeros, rel=0.05)
    assert len(got) == 16


def test_exactly_max_roots_zeros_are_visited_one_more_is_a_doubt():
    # cos(x/26): zeros (k + 1/2) 26 pi, 24 of them within |x| <= 1000; cos(x/25): 26 of them
    zeros = sorted(s * (k + 0.5) * 26 * math.pi for k in range(12) for s in (-1, 1))
    got = zeros_between(trust.feature_points((sympy.cos(x / 26),), (x,), KEY))
    assert len(zeros) == trust.MAX_ROOTS and got == pytest.approx(zeros, rel=1e-6)
    assert trust.feature_points((sympy.cos(x / 25),), (x,), KEY) is None


def test_a_tiny_constant_inside_a_constant_sum_is_not_missed():
    # the bug these tests found: (1 + e^-50) is about 1 as a whole, and e^-50 is no Rational, so
    # the tiny part went unseen and cos(x)(1 + e^-50) was graded correct for (sin x)' = cos x
    from derivtutor.checking.checker import check_answer

    with mpmath.workdps(60):  # the witness: they differ by cos(1/2) e^-50 ~ 1.7e-22 at x = 1/2
        assert mpmath.cos(0.5) * mpmath.exp(-50) > 1e-23
    r = check_answer("sin x", "cos(x)(1 + e^(-50))")
    assert r.verdict == "incorrect" and r.counterexample is not None
    assert check_answer("sin x", "cos(x)(1 + e^(-50)) - e^(-50) cos(x)").verdict == "correct"


def test_a_new_extreme_constant_counts_even_beside_the_references_own():
    reference = sympy.cos(x) + sympy.Rational(1, 10**50)
    assert trust.scan(reference, sympy.cos(x) + sympy.Rational(1, 10**60)).extreme is True
    assert trust.scan(reference, reference + 0 * x).extreme is False
