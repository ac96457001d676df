"""Both sides at a set of points: agreement, confirmed counterexamples, and what was unreliable.

``compare_at(reference, answer, variables, points, digits)`` evaluates in float64
when both sides fit it and the constants need no extra digits, otherwise in mpmath
with ``30 + digits`` digits. A point counts only where the reference is real and
finite. A float disagreement (or an overflow on either side) never decides: the
point is *confirmed* at two higher precisions. A value is resolved when the two
agree; then the point is a counterexample if the answer differs (or is not real,
or is undefined at many points -- see ``skipped``), agreement otherwise. A value
that keeps moving as digits grow (cancellation, underflow of a difference) makes
the point *unreliable*: it counts for neither side.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> out = compare_at(sympy.cos(x), sympy.cos(x) + sympy.Rational(1, 10**50), (x,), ((0.5,),), 50)
>>> out.counterexample is not None
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy

from derivtutor.checking.numeric import (
    Unsupported, compile_expr, evaluate, float_close, float_compile, float_eval, float_real, is_real,
    relative_close, stable, tier,
)
from derivtutor.checking.sampling import columns

MAX_DPS = 1000   # no confirmation beyond this many digits (or 4x the working digits)
MAX_CONFIRM = 12  # doubtful points confirmed per comparison; the rest count as unreliable
HUGE = "too large"  # a guard refused the value: neither undefined nor a number to compare


@dataclass
class Outcome:
    """What the points said."""

    agreed: list = field(default_factory=list)      # points where both sides agree
    skipped: list = field(default_factory=list)     # the answer alone is undefined there
    unreliable: int = 0
    counterexample: tuple | None = None              # (point, reference value, answer value or None)
    dropped: int = 0                                 # the reference is not real or not finite there
    confirmed: int = 0                               # points sent to confirmation


def compare_at(reference, answer, variables, points, digits: int = 0, constant: bool = False) -> Outcome:
    """See the module docstring; ``constant`` compares complex values too (no variables)."""
    out = Outcome()
    if digits == 0 and _fits_float(reference, variables) and _fits_float(answer, variables):
        cols = columns(points, len(variables))
        rv, av = (float_eval(float_compile(e, variables), cols) for e in (reference, answer))
        # The masks of every point at once (elementwise, so each point's entry is what the
        # same test on that point alone gives), read as Python booleans in the loop.
        real_r, real_a = float_real(rv).tolist(), float_real(av).tolist()
        finite_r, finite_a = numpy.isfinite(rv).tolist(), numpy.isfinite(av).tolist()
        with numpy.errstate(all="ignore"):  # NaN where undefined: no warning, never close
            close = float_close(av, rv).tolist()
        for i, p in enumerate(points):
            both = constant and finite_r[i] and finite_a[i]
            if (both or (real_r[i] and real_a[i])) and close[i]:
                out.agreed.append(p)
            elif not finite_r[i] and not finite_a[i]:
                out.dropped += 1  # both beyond float64: other points decide
            elif finite_r[i] and not real_r[i] and not constant:
                out.dropped += 1
            elif _confirm(out, reference, answer, variables, p, 30, constant):
                return out
        return out
    low = tier(30 + digits)
    ref_f, ans_f = compile_expr(reference, variables, low), compile_expr(answer, variables, low)
    for p in points:
        r, a = evaluate(ref_f, p, low, HUGE), evaluate(ans_f, p, low, HUGE)
        if r is not None and a is not None and r is not HUGE and a is not HUGE \
                and (constant or (is_real(r, low) and is_real(a, low))) and relative_close(a, r, low):
            out.agreed.append(p)
        elif _confirm(out, reference, answer, variables, p, 30 + digits, constant):
            return out
    return out


def _fits_float(expr, variables) -> bool:
    try:
        float_compile(expr, variables)
    except Unsupported:
        return False
    return True


@lru_cache(maxsize=8192)
def resolved_value(expr, variables, point, dps: int):
    """(value, tier) at ``point`` once two precisions agree (dps, 2 dps, ...), or (False, None).

    Cached: the reference is confirmed at the same first points (x = 1/2, ...) for every
    wrong answer to an exercise; the values are immutable mpmath numbers.
    """
    previous, top = None, max(MAX_DPS, 4 * dps)
    while dps <= top:
        t = tier(dps)
        value = evaluate(compile_expr(expr, variables, t), point, t, HUGE)
        if value is HUGE:
            return False, None
        if previous is not None and stable(previous[0], value, previous[1]):
            return value, previous[1]
        previous, dps = (value, t), dps * 2
    return False, None


def _false_zero(value, expr) -> bool:
    """An exact 0 from an expression of the variables: cancellation, not a resolved value."""
    return value == 0 and bool(expr.free_symbols)


def _confirm(out: Outcome, reference, answer, variables, point, dps: int, constant: bool) -> bool:
    """Settle one doubtful point; True when it is a counterexample (recorded in ``out``)."""
    out.confirmed += 1
    if out.confirmed > MAX_CONFIRM:
        out.unreliable += 1  # a correct but ill-conditioned answer: enough points were tried
        return False
    r, rt = resolved_value(reference, variables, point, dps)
    if r is False:
        out.unreliable += 1
        return False
    if r is None or not (constant or is_real(r, rt)):
        out.dropped += 1
        return False
    a, at = resolved_value(answer, variables, point, dps)
    if a is False:
        out.unreliable += 1
        return False
    if a is None:
        out.skipped.append(point)
        return False
    coarse = rt if rt.dps <= at.dps else at
    if (constant or is_real(a, at)) and relative_close(a, r, coarse):
        out.agreed.append(point)
        return False
    if _false_zero(r, reference) or _false_zero(a, answer):
        out.unreliable += 1  # 1 - tanh^2(e^9) is 0 until 7000 digits: an exact 0 proves nothing
        return False
    if a != 0 and r != 0 and abs(a - r) <= coarse.tol * 1e3 * max(abs(a), abs(r)):
        out.unreliable += 1  # within a hair of the tolerance: not a counterexample to show
        return False
    out.counterexample = (point, r, a)
    return True
