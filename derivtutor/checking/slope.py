"""The cheap screen before SymPy differentiates an answer: is it an antiderivative?

``slope_matches(function, answer, var)`` compares central differences of the answer in
``var`` with the function's values at a few fixed points (every other variable of the
answer or the function held at fixed values). It returns False only when some point
*clearly* disagrees, so a true antiderivative always gets through, and most wrong
answers never reach ``sympy.diff`` (about 10 ms each for the parametric variants:
tanh(w x), a^x, x^n ...).

A point can speak against the answer only when it is reliable:

- the function is real and finite there (the comparison that follows counts only
  such points, so a branch of a complex value never decides);
- the two steps h and 2h give the same slope within the tolerance: otherwise the
  truncation error is not small (a singularity nearby, a step across a kink or a
  branch cut) and the point is skipped;
- the answer's own rounding (about 1e-16 |F| / h) is below the tolerance.

Float64 where both sides fit it; otherwise (10^8 x^2, x^(10^-50), ...) mpmath with 50
digits beyond the constants' own and a step of 10^-20, whose truncation and rounding
errors stay far below the tolerance.

>>> import sympy
>>> x, w = sympy.symbols("x w")
>>> slope_matches(sympy.tanh(w * x), sympy.log(sympy.cosh(w * x)) / w, x)
True
>>> slope_matches(sympy.tanh(w * x), w * (1 - sympy.tanh(w * x) ** 2), x)
False
"""
from __future__ import annotations

from fractions import Fraction

import numpy
import sympy

from derivtutor.checking.numeric import Unsupported, compile_expr, evaluate, float_compile, float_eval, tier
from derivtutor.checking.sampling import columns
from derivtutor.checking.trust import MAX_DIGITS, scan

__all__ = ["slope_matches", "slope_points"]

TOLERANCE = 1e-3                 # relative (with 1 added): a clear disagreement
ROUNDING = 1e-13                 # float64 rounding of F, with a margin, against |F| / h
X_POINTS = (Fraction(1, 2), Fraction(-7, 10), Fraction(13, 10))
#: Values of the other variables (parameters such as w, a, n) at the points: one row of
#: positive values (real powers and logarithms), one of mixed signs.
OTHER_ROWS = ((Fraction(3, 5), Fraction(6, 5), Fraction(4, 5), Fraction(11, 10), Fraction(9, 10)),
              (Fraction(-4, 5), Fraction(7, 10), Fraction(-6, 5), Fraction(3, 2), Fraction(2, 5)))
FLOAT_STEP = 1e-5
MP_STEP = Fraction(1, 10**20)


def slope_points(variables: tuple, var) -> tuple[tuple, ...]:
    """The screen's points (Fractions): X_POINTS in ``var``; the other variables from OTHER_ROWS.

    >>> import sympy
    >>> x, w = sympy.symbols("x w")
    >>> slope_points((w, x), x)[:2]
    ((Fraction(3, 5), Fraction(1, 2)), (Fraction(3, 5), Fraction(-7, 10)))
    """
    k = variables.index(var)
    if len(variables) == 1:
        return tuple((p,) for p in X_POINTS)
    return tuple(tuple(p if j == k else row[j % len(row)] for j in range(len(variables)))
                 for row in OTHER_ROWS for p in X_POINTS)


def slope_matches(function: sympy.Expr, answer: sympy.Expr, var: sympy.Symbol) -> bool:
    """False only when the answer's slope in ``var`` clearly differs from ``function``
    at a reliable point (see the module docstring)."""
    variables = tuple(sorted(function.free_symbols | answer.free_symbols | {var}, key=lambda s: s.name))
    points, k = slope_points(variables, var), variables.index(var)
    try:
        values = _float_values(answer, function, variables, points, k)
    except Unsupported:
        try:
            values = _mp_values(answer, function, variables, points, k)
        except Unsupported:
            return True  # not screened: SymPy differentiates
    return not bool(numpy.any(_disagrees(*values)))


def _disagrees(slope, slope2, value, size, rounding) -> numpy.ndarray:
    """Mask of the points that are reliable and clearly disagree."""
    with numpy.errstate(all="ignore"):
        tol = TOLERANCE * (1 + numpy.abs(value))
        known = numpy.isfinite(slope) & numpy.isfinite(slope2) & numpy.isfinite(value) & numpy.isfinite(size)
        real = numpy.abs(value.imag) <= 1e-9 * numpy.abs(value)
        steady = numpy.abs(slope - slope2) <= 0.1 * tol
        resolved = rounding * size <= 0.1 * tol
        return known & real & steady & resolved & (numpy.abs(slope - value) > tol)


def _float_values(answer, function, variables, points, k):
    a, f = float_compile(answer, variables), float_compile(function, variables)
    cols, h = columns(points, len(variables)), FLOAT_STEP

    def at(shift):
        moved = list(cols)
        moved[k] = cols[k] + shift
        return float_eval(a, moved)

    up, down, up2, down2 = at(h), at(-h), at(2 * h), at(-2 * h)
    size = numpy.maximum.reduce([numpy.abs(v) for v in (up, down, up2, down2)])
    return (up - down) / (2 * h), (up2 - down2) / (4 * h), float_eval(f, cols), size, ROUNDING / h


def _mp_values(answer, function, variables, points, k):
    """Central differences in mpmath (NaN where a side is undefined or too large), with at
    least 50 digits beyond what the constants need: F + 10^30 keeps F's digits past the step."""
    # As many digits as the comparison used (scan's 1.6 x size + 20, plus 30): the same
    # tier, already built; big coefficients, which scan leaves out, by the same formula.
    sizes = [0.31 * max(abs(r.p).bit_length(), r.q.bit_length()) for r in answer.atoms(sympy.Rational)]
    digits = max([scan(function, answer).digits, 20] + [int(1.6 * size) + 20 for size in sizes])
    if digits > MAX_DIGITS:
        raise Unsupported("constants beyond the digits numbers can use")
    t, h = tier(30 + digits), MP_STEP
    a, f = compile_expr(answer, variables, t), compile_expr(function, variables, t)
    step = t.ctx.mpf(h.numerator) / h.denominator
    nan = complex("nan")
    slope, slope2, value, size = [], [], [], []
    for p in points:
        sides = [evaluate(a, p[:k] + (p[k] + s,) + p[k + 1:], t) for s in (h, -h, 2 * h, -2 * h)]
        v = evaluate(f, p, t)
        value.append(complex(v) if v is not None else nan)
        if any(s is None for s in sides):
            slope.append(nan), slope2.append(nan), size.append(nan)
            continue
        up, down, up2, down2 = sides
        slope.append(complex((up - down) / (2 * step)))
        slope2.append(complex((up2 - down2) / (4 * step)))
        size.append(float(max(abs(s) for s in sides)))
    # Rounding at 30 + digits digits against |F| / h: the digits past the step are 30 or more.
    rounding = float(t.ctx.mpf(10) ** (-(t.dps - 2)) / step)
    return numpy.array(slope), numpy.array(slope2), numpy.array(value), numpy.array(size), rounding
