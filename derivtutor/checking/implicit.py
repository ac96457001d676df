"""Check dy/dx found by implicit differentiation of an equation F(x, y) = G(x, y).

The answer is compared with -(F - G)_x / (F - G)_y by ``check_answer`` as a function
of x and y. Two answers can differ as functions yet agree on the curve (for
x y = 1, -y/x and -1/x^2), so a difference is earned only on the curve:

1. equal as functions of x and y: correct;
2. otherwise, when F - G is a polynomial that divides the numerator of the
   difference, the answer equals the derivative at every point of the curve: correct;
3. otherwise points of the curve are found numerically (every root y for sample x,
   so both branches of a circle); a disagreement at one of them is the
   counterexample: incorrect; agreement at ``MIN_POINTS`` or more of them, the
   standard of the numeric tier for functions: correct;
4. with fewer points of the curve to decide on: invalid, ``check.undecided``.

>>> check_implicit("x^2 + y^2 = 1", "-x/y").verdict
'correct'
>>> check_implicit("x y = 1", "-1/x^2").verdict
'correct'
>>> check_implicit("x^2 + y^2 = 1", "x/y").verdict
'incorrect'
"""
from __future__ import annotations

import dataclasses

import mpmath
import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.catalogue import message
from derivtutor.checking.checker import CheckResult, check_answer
from derivtutor.input.parsing import parse
from derivtutor.input.split import parse_equation
from derivtutor.steps.implicit import implicit

#: x values at which the curve is sought, and starting guesses for y.
CURVE_X = ("0.3", "-0.45", "0.7", "1.3", "-1.1", "0.05", "2.2", "-2.7", "0.9", "-0.2",
           "0.5", "1.7", "3.1", "0.15")
START_Y = ("0.5", "-0.5", "1.5", "-1.5", "3", "-3")
MIN_POINTS = 8
AGREE = mpmath.mpf("1e-10")


def check_implicit(equation: str, answer: str, x: str = "x", y: str = "y", *, syntax: str = "auto",
                   lang: str = "en", partial_credit: dict | None = None, timeout: float | None = 2.0) -> CheckResult:
    """Check ``answer`` as dy/dx for ``equation`` (text ``F = G``); raises ParseError or
    ImplicitError (``derivtutor.steps.implicit``) when the teacher's equation is unusable."""
    lhs, rhs = parse_equation(equation, "auto", (x, y))
    expected = implicit(lhs, rhs, x, y).result
    result = check_answer(lhs - rhs, answer, x, expected=expected, syntax=syntax, lang=lang,
                          partial_credit=partial_credit, timeout=timeout)
    if result.verdict != "incorrect":
        return result
    expired = None
    try:
        with time_limit(timeout) as expired:
            typed = parse(answer, syntax, (x, y))
            return _on_curve(result, lhs - rhs, typed, expected, sympy.Symbol(x), sympy.Symbol(y), lang)
    except TimeLimitExceeded as exc:
        if expired is None or not isinstance(exc, expired):
            raise
        return CheckResult("invalid", None, ["check.timeout"], message("check.timeout", lang), answer=answer)


def _on_curve(result: CheckResult, F, typed, expected, x, y, lang: str) -> CheckResult:
    difference = sympy.together(typed - expected)
    if _divides(F, sympy.numer(difference), x, y):
        return dataclasses.replace(result, verdict="correct", score=1.0, diagnosis=[],
                                   message=message("check.correct", lang), counterexample=None)
    points = _curve_points(F, x, y)
    f_typed = sympy.lambdify((x, y), typed, "mpmath")
    f_expected = sympy.lambdify((x, y), expected, "mpmath")
    agreed = 0
    for px, py in points:
        try:
            a, b = complex(f_typed(px, py)), complex(f_expected(px, py))
        except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
            continue
        if b.imag != 0:
            continue  # the derivative is not real here: no evidence either way
        agreed += 1
        if abs(a - b) > AGREE * max(1, abs(b)):
            point = f"{x} = {mpmath.nstr(px, 6)}, {y} = {mpmath.nstr(py, 6)}"
            text = message("check.implicit.on-curve", lang, point=point, expected=_show(b), answer=_show(a))
            return dataclasses.replace(result, message=text, counterexample={
                "point": {x.name: float(px), y.name: float(py)}, "expected": _show(b), "answer": _show(a)})
    if agreed >= MIN_POINTS:
        return dataclasses.replace(result, verdict="correct", score=1.0, diagnosis=[],
                                   message=message("check.correct", lang), counterexample=None)
    return CheckResult("invalid", None, ["check.undecided"], message("check.undecided", lang),
                       expected=result.expected, expected_latex=result.expected_latex, answer=result.answer)


def _show(value: complex) -> str:
    return mpmath.nstr(mpmath.mpf(value.real) if value.imag == 0 else mpmath.mpc(value), 6)


def _divides(F, numerator, x, y) -> bool:
    """Whether the polynomial F divides ``numerator`` (False when either is not a polynomial)."""
    try:
        f, n = sympy.Poly(sympy.numer(sympy.together(F)), x, y), sympy.Poly(numerator, x, y)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded):
        return False
    if f.is_ground or not all(c.is_number for c in f.coeffs() + n.coeffs()):
        return False
    return n.rem(f).is_zero


def _curve_points(F, x, y) -> list:
    """Real points (x, y) with F(x, y) = 0 and F_y != 0, found by Newton's method in y."""
    g = sympy.lambdify((x, y), F, "mpmath")
    gy = sympy.lambdify((x, y), sympy.diff(F, y), "mpmath")
    points = []
    for sx in CURVE_X:
        px = mpmath.mpf(sx)
        roots = []
        for sy in START_Y:
            try:
                py = mpmath.findroot(lambda t: g(px, t), mpmath.mpf(sy))
            except (ValueError, ZeroDivisionError, TypeError, ArithmeticError):
                continue
            if (mpmath.im(py) == 0 and abs(g(px, py)) < AGREE and abs(gy(px, py)) > AGREE
                    and all(abs(py - r) > 1e-6 for r in roots)):
                roots.append(mpmath.re(py))
        points += [(px, r) for r in roots]
    return points
