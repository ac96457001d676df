"""When may agreeing numbers be believed? The doubts that send a check to the proof stage.

Agreement at sample points proves nothing about what the points cannot see. These
checks name what the points could miss in the *answer* (a part shared with the
reference is evaluated identically on both sides, so it hides nothing):

- ``extreme``: a constant the reference does not have, beyond 10^4 or below 10^-4
  in magnitude (10^-50, exp(-999), 10^6 in exp(-10^6 x^2), 999999/1000000): it can
  make a difference that lives only on a region no sample visits, or below the
  working precision. Constants also set the precision: ``digits`` extra decimals.
- ``feature``: |g| or sign(g) with g new: the answer may change only across a zero
  of g, so points are added on both sides of each real zero (``feature_points``);
  a g whose zeros cannot be located is a doubt.
- ``unresolved``: a term of a sum that is below resolution against the other terms
  at all but one valid point (exp(-exp(x^2 + 9)) next to cos x), or a saturating
  function (tg-like tanh, sigmoid, arctg) whose argument is huge at all of them.
- ``few-points``: fewer than MIN_POINTS points where both sides were resolved.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> s = scan(sympy.cos(x), sympy.cos(x) + sympy.Rational(1, 10**50))
>>> s.extreme, s.digits >= 50
(True, True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy
import sympy

from derivtutor.checking.numeric import LOW, Unsupported, compile_expr, evaluate, float_compile, float_eval
from derivtutor.checking.sampling import columns
from derivtutor.functions import sigmoid

EXTREME = 4            # |log10| of a constant beyond which it is extreme
MAX_DIGITS = 4000      # beyond this many extra digits numbers alone cannot decide
RESOLVED = 1e-7        # a term is resolved when at least this fraction of the largest term
MIN_RESOLVED = 2       # ... at this many valid points
SATURATING = {sympy.tanh: 15.0, sympy.coth: 15.0, sigmoid: 30.0, sympy.atan: 1e7, sympy.acot: 1e7}
NON_SMOOTH = (sympy.Abs, sympy.sign)
MAX_ROOTS = 24


@dataclass(frozen=True)
class Scan:
    """What the answer has that the points might not resolve (see the module docstring)."""

    digits: int                 # extra decimal digits the constants need
    extreme: bool               # a new extreme constant
    features: tuple             # new arguments of |.| and sign
    sums: tuple                 # new sums (Add nodes) of the answer
    saturating: tuple           # new saturating function nodes


@lru_cache(maxsize=4096)
def _subtrees(expr: sympy.Expr) -> frozenset:
    return frozenset(sympy.preorder_traversal(expr))


@lru_cache(maxsize=4096)
def _constants(expr: sympy.Expr) -> tuple[frozenset, int]:
    """(the extreme constants of ``expr``, the digits its constants need)."""
    extreme, digits = set(), 0
    for node, parent in _maximal_constants(expr, None):
        for c in set(sympy.preorder_traversal(node)):  # 1 + e^-50: the e^-50 inside counts too
            size = _log_size(c)
            if c is node and _coefficient(c, parent):
                continue  # 20971520 x^19: a term of its own, whose resolution ``unresolved`` checks
            if size > EXTREME:  # float64 or 30 digits may not resolve what it does
                # agreement needs two thirds of the digits: resolve a 10^-size part with room to spare
                digits = max(digits, int(math.ceil(1.6 * min(size, MAX_DIGITS + 1))) + 20)
                extreme.add(c)
    return frozenset(extreme), digits


def _maximal_constants(expr, parent):
    """(constant subtree, its parent) for the constant subtrees not inside a larger one."""
    if not expr.free_symbols:
        yield expr, parent
        return
    for a in expr.args:
        yield from _maximal_constants(a, expr)


def _coefficient(c, parent) -> bool:
    """A big integer or fraction above 1 multiplying or added to terms (not inside a function)."""
    return parent is not None and (parent.is_Mul or parent.is_Add) and c.is_Rational and abs(c) >= 1 \
        and abs(c.q) <= 10**4


def _log_size(c) -> float:
    """How far from 1 a constant is, in decimal digits (a rational's numerator and denominator too)."""
    if c == 0:
        return 0.0
    if c.is_Rational:
        return max(math.log10(abs(c.p)), math.log10(c.q), abs(math.log10(abs(c.p)) - math.log10(c.q)))
    try:
        value = abs(sympy.N(c, 15))
        if value == 0:
            return float(MAX_DIGITS + 1)
        return abs(float(sympy.log(value, 10).evalf(15)))
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return float(MAX_DIGITS + 1)


def scan(reference: sympy.Expr, answer: sympy.Expr) -> Scan:
    """The answer's parts that numbers might not resolve, against the reference's."""
    ref_extreme, ref_digits = _constants(reference)
    ans_extreme, ans_digits = _constants(answer)
    known = _subtrees(reference)
    new = [n for n in _subtrees(answer) if n not in known]
    features = tuple(n.args[0] for n in new if isinstance(n, NON_SMOOTH))
    sums = tuple(n for n in new if n.is_Add and n.free_symbols)
    saturating = tuple(n for n in new if type(n) in SATURATING)
    return Scan(max(ref_digits, ans_digits), bool(ans_extreme - ref_extreme), features, sums, saturating)


def unresolved(found: Scan, variables, points) -> str | None:
    """A doubt about the sums and saturating functions at ``points`` (the valid ones), or None."""
    if not points or not variables:
        return None
    cols = columns(points, len(variables))
    for node in found.sums:
        terms = [_values(t, variables, cols) for t in node.args]
        if any(t is None for t in terms):
            return "unresolved"
        sizes = numpy.abs(numpy.array(terms))
        for i, j in zip(*numpy.nonzero(~numpy.isfinite(sizes))):
            sizes[i, j] = _mp_size(node.args[i], variables, points[j])
        top = sizes.max(axis=0)
        resolved = (sizes >= RESOLVED * top) & (top > 0)
        if (resolved.sum(axis=1) < min(MIN_RESOLVED, len(points))).any():
            return "unresolved"
    for node in found.saturating:
        arg = _values(node.args[0], variables, cols)
        if arg is None:
            return "unresolved"
        calm = numpy.isfinite(arg) & (numpy.abs(arg.real) < SATURATING[type(node)])
        if calm.sum() < min(MIN_RESOLVED, len(points)):
            return "unresolved"
    return None


def _mp_size(term, variables, point) -> float:
    """|term| at ``point`` where float64 gave no number: inf when it is beyond float64
    (2x e^(x^2) at x = 30 outweighs every finite term there), 0 where it is undefined."""
    try:
        value = evaluate(compile_expr(term, variables, LOW), point, LOW, too_large=numpy.inf)
    except Unsupported:
        return numpy.inf  # no size known: the other terms there count as unresolved
    if value is None:
        return 0.0
    if value is numpy.inf:
        return numpy.inf
    size = abs(value)
    return float(size) if size < 1e300 else numpy.inf


def _values(expr, variables, cols):
    try:
        return float_eval(float_compile(expr, variables), cols)
    except Unsupported:
        return None


def feature_points(features: tuple, variables, key: bytes) -> list[tuple[tuple, tuple]] | None:
    """(points just left, points just right) of each real zero of each feature argument (one
    variable); None when some zero cannot be located (a doubt)."""
    out = []
    for g in features:
        roots = _real_roots(g, variables)
        if roots is None:
            return None
        for k, r in enumerate(roots[:MAX_ROOTS]):
            scale = max(1.0, abs(r))
            j = 1.0 + key[k % len(key)] / 512
            steps = (1e-3 * j * scale, 3e-2 * j * scale)
            out.append((tuple((r - d,) for d in steps), tuple((r + d,) for d in steps)))
    return out


def _real_roots(g, variables) -> list[float] | None:
    if not g.free_symbols:
        return []
    if len(variables) != 1 or g.free_symbols != set(variables):
        return None
    (x,) = variables
    try:
        poly = sympy.Poly(g, x)
        if poly.degree() <= 6 and all(c.is_Rational for c in poly.all_coeffs()):
            return sorted({float(r) for r in sympy.real_roots(poly)})
    except (sympy.PolynomialError, sympy.polys.polyerrors.PolificationFailed, ValueError, TypeError):
        pass
    return _scan_roots(g, variables)


def _scan_roots(g, variables) -> list[float] | None:
    """Sign changes of g on a grid over |x| in 10^-3 .. 10^3 (and 0), refined by bisection."""
    half = numpy.logspace(-3, 3, 600)
    grid = numpy.concatenate([-half[::-1], [0.0], half])
    try:
        f = float_compile(g, variables)
    except Unsupported:
        return None
    vals = float_eval(f, [grid + 0j])
    if numpy.any(numpy.abs(vals.imag) > 1e-9 * numpy.abs(vals)):
        return None  # complex on part of the line: a sign there is not a plain zero crossing
    v = vals.real
    roots = [float(grid[i]) for i in numpy.flatnonzero(v == 0)]
    for i in numpy.flatnonzero(numpy.isfinite(v[:-1]) & numpy.isfinite(v[1:]) & (v[:-1] * v[1:] < 0)):
        lo, hi = grid[i], grid[i + 1]
        for _ in range(60):
            mid = (lo + hi) / 2
            m = float_eval(f, [numpy.array([mid + 0j])])[0].real
            if (m < 0) == (v[i] < 0):
                lo = mid
            else:
                hi = mid
        roots.append(float((lo + hi) / 2))
    return sorted(roots) if len(roots) <= MAX_ROOTS else None
