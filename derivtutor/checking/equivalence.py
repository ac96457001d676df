"""Are two expressions equal as functions? Structural, then numeric, then symbolic.

The order of attempts (``compare(reference, answer)``):

1. **Structural fast path.** Identical SymPy trees (after SymPy's automatic
   evaluation, so ``2*x*1`` is ``2*x``) are equal.
2. **Seeded numeric sampling** over all free symbols of both sides. Points are
   simple fractions first (1/2, -1/2, 2, -3/2, ...), then random reals spread
   over 10^-1 .. 10^1.3 with random signs (``derivtutor.checking.sampling``); at least
   ``MIN_POINTS`` = 8 valid points are required. Values follow SymPy's principal
   branches (complex-safe: sqrt of a negative intermediate is imaginary, not an
   error). They are computed in float64 (``derivtutor.checking.numeric``), except for
   expressions with numbers float64 cannot hold (decimals, rationals of more than
   6 digits, exponents beyond 64) or without a float implementation, and for
   constants: those are computed in mpmath at 30 digits throughout.
   - A point is **valid** when the reference is finite and real there (real up
     to rounding; complex intermediates are allowed, so sqrt(x-3)*sqrt(x-5) is
     real at x = 0). If fewer than 8 sample points are valid, 48 wider points
     (10^-3 .. 10^3) are added; if still fewer, finite complex values are compared.
   - Two values **agree** when they match to 10 significant digits in float64
     (20 of 30 digits in mpmath). Every mismatch is re-evaluated in mpmath at 60
     digits before it counts, so float cancellation or overflow never decides: a
     difference that shrinks as the precision grows was rounding noise.
   - **Policy.** A disagreement at a valid point means *not equal*, and that
     point (the first in sampling order) is the counterexample, with both values
     at 60 digits. An answer that is non-real there disagrees. An answer undefined
     (division by zero) at an isolated valid point -- a removable singularity
     such as (x^2-1)/(x-1) at x = 1 -- is skipped there, not penalised, but at
     most ``MAX_SKIPPED`` = 2 such points (or a quarter of them) are forgiven.
     Agreement at every valid point (at least 8) means *equal*.
3. **Symbolic confirmation** (``sympy.simplify`` of the difference, within a time
   budget) only when sampling is inconclusive (fewer than 8 comparable points).
   If it cannot prove the difference is 0, the result is *undecided* -- never
   "equal".

Letters are real numbers (not positive ones): sqrt(k/m)*sqrt(m/k) is -1 where k
and m have opposite signs, so it is not equal to 1. Powers of negative numbers
take principal branches: (-8)^(1/3) is 1 + 1.73i, not -2. Verdicts are
deterministic: the points depend only on the variable names, through a SHA-256 seed.

>>> from sympy import Symbol, cos, sin
>>> x = Symbol("x")
>>> compare(cos(x)**2 + sin(x)**2, 1 + 0*x).equal
True
>>> c = compare(sin(x), -sin(x)).counterexample
>>> c.point, c.expected, c.answer
({'x': 0.5}, 0.479425538604203, -0.479425538604203)
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy
import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.checking.numeric import (
    FLOAT_TOL, HIGH, LOW, Unsupported, close, compile_expr, evaluate, float_close, float_compile,
    float_eval, float_real, is_real,
)
from derivtutor.checking.sampling import columns, has_symbolic_power, sample_points, show_coordinate, wide_points

MIN_POINTS = 8
MAX_SKIPPED = 2        # points where the answer alone may be undefined (removable singularities)
SYMBOLIC_BUDGET = 1.0  # seconds for the symbolic tier, within the caller's own limit


@dataclass(frozen=True)
class Counterexample:
    """A point where the answer and the reference differ, with both values (60-digit mpmath)."""

    coordinates: tuple[tuple[str, object], ...]   # (name, Fraction | float)
    expected_value: object                        # mpmath number
    answer_value: object                          # mpmath number, or None where undefined

    @property
    def point(self) -> dict[str, float]:
        return {name: float(c) for name, c in self.coordinates}

    @property
    def expected(self):
        return _json_number(self.expected_value)

    @property
    def answer(self):
        return _json_number(self.answer_value)

    def show_point(self) -> str:
        return ", ".join(f"{name} = {show_coordinate(c)}" for name, c in self.coordinates)

    def to_dict(self) -> dict:
        return {"point": self.point, "expected": self.expected, "answer": self.answer}


def _json_number(value):
    """A float for a real value, a string such as '1.5+2.0i' for a complex one, None if undefined."""
    if value is None:
        return None
    z = complex(value)
    if abs(z.imag) <= 1e-30 * abs(z):  # real up to the rounding of a complex intermediate
        return float(z.real)
    return f"{z.real:.12g}{z.imag:+.12g}i"


@dataclass(frozen=True)
class Comparison:
    """The outcome: ``equal`` True/False, or None when undecided; how it was decided."""

    equal: bool | None
    method: str                      # "structural" | "numeric" | "symbolic" | "undecided"
    counterexample: Counterexample | None = None
    points: int = 0                  # comparable points that agreed


@dataclass(frozen=True, eq=False)
class Samples:
    """The reference at its valid points (cached per reference, variables and mode).

    ``values`` are complex128; in precise mode ``mp_values`` hold the 30-digit values
    that decide, and ``values`` are their float copies (for diagnosis only).
    """

    reference: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    points: tuple[tuple, ...]
    values: numpy.ndarray
    precise: bool
    complex_fallback: bool
    mp_values: tuple | None = None


def variables_of(*exprs: sympy.Expr, extra: tuple = ()) -> tuple[sympy.Symbol, ...]:
    """All free symbols of ``exprs`` (and ``extra``), sorted by name."""
    names: set = set(extra)
    for e in exprs:
        names |= e.free_symbols
    return tuple(sorted(names, key=lambda s: s.name))


def _float_ok(expr: sympy.Expr, variables) -> bool:
    try:
        float_compile(expr, variables)
    except Unsupported:
        return False
    return True


@lru_cache(maxsize=4096)
def reference_samples(reference: sympy.Expr, variables: tuple[sympy.Symbol, ...],
                      precise: bool = False) -> Samples:
    """Valid points of ``reference`` and its values there (the cached, per-exercise work)."""
    precise = precise or not _float_ok(reference, variables)
    candidates = sample_points(variables, has_symbolic_power(reference))
    pools = (candidates, wide_points(variables))
    values_at = _mp_values if precise else _float_values
    points, values = values_at(reference, variables, candidates)
    real = _real_mask(values, precise)
    if real.sum() < MIN_POINTS and variables:
        points = candidates + pools[1]
        points, values = values_at(reference, variables, points)
        real = _real_mask(values, precise)
    fallback = bool(real.sum() < (MIN_POINTS if variables else 1))
    keep = _finite_mask(values, precise) if fallback else real
    chosen = tuple(p for p, k in zip(points, keep) if k)
    kept = [v for v, k in zip(values, keep) if k]
    if precise:
        floats = numpy.array([complex(v) for v in kept], dtype=complex)
        return Samples(reference, variables, chosen, floats, True, fallback, tuple(kept))
    return Samples(reference, variables, chosen, numpy.array(kept, dtype=complex), False, fallback)


def _float_values(expr, variables, points):
    return points, float_eval(float_compile(expr, variables), columns(points, len(variables)))


def _mp_values(expr, variables, points):
    func = compile_expr(expr, variables, LOW)
    return points, [evaluate(func, p, LOW) for p in points]


def _real_mask(values, precise: bool) -> numpy.ndarray:
    if precise:
        return numpy.array([v is not None and is_real(v, LOW) for v in values], dtype=bool)
    return float_real(values)


def _finite_mask(values, precise: bool) -> numpy.ndarray:
    if precise:
        return numpy.array([v is not None for v in values], dtype=bool)
    return numpy.isfinite(values)


def answer_values(samples: Samples, answer: sympy.Expr) -> numpy.ndarray:
    """The answer at the reference's valid points as complex128 (NaN where undefined)."""
    if not samples.points:
        return numpy.array([], dtype=complex)
    if samples.precise or not _float_ok(answer, samples.variables):
        func = compile_expr(answer, samples.variables, LOW)
        return numpy.array([complex(evaluate(func, p, LOW) or numpy.nan) for p in samples.points])
    return float_eval(float_compile(answer, samples.variables), columns(samples.points, len(samples.variables)))


def compare(reference: sympy.Expr, answer: sympy.Expr, variables: tuple | None = None) -> Comparison:
    """Decide whether ``answer`` equals ``reference`` as a function (see the module docstring).

    ``variables`` adds symbols to sample (e.g. the differentiation variable).

    >>> from sympy import Symbol, sqrt
    >>> x = Symbol("x")
    >>> compare(sqrt(x**2), x).equal
    False
    """
    if answer == reference:
        return Comparison(True, "structural")
    variables = variables_of(reference, answer, extra=tuple(variables or ()))
    # Constants have one "point": decide it at 30 digits, not 16.
    precise = not variables or not _float_ok(answer, variables)
    samples = reference_samples(reference, variables, precise)
    if samples.precise:
        return _compare_precise(samples, answer)
    values = answer_values(samples, answer)
    ok = float_close(values, samples.values) & (float_real(values) | samples.complex_fallback)
    agreed, skipped = int(ok.sum()), []
    for i in numpy.flatnonzero(~ok):
        d1 = abs(values[i] - samples.values[i]) if numpy.isfinite(values[i]) else None
        outcome = _escalate(samples, answer, samples.points[i], d1)
        if isinstance(outcome, Counterexample):
            return Comparison(False, "numeric", outcome, agreed)
        if outcome == "skip":
            skipped.append(samples.points[i])
        agreed += outcome == "agree"
    return _conclude(samples, answer, agreed, skipped)


def probably_equal(reference: sympy.Expr, answer: sympy.Expr, variables: tuple | None = None) -> bool:
    """A cheap float-only screen (no 60-digit confirmation): False when the float tier
    already sees a clear difference. Diagnosis uses it before a full ``compare``."""
    variables = variables_of(reference, answer, extra=tuple(variables or ()))
    if not variables or not _float_ok(answer, variables):
        return True
    samples = reference_samples(reference, variables)
    if samples.precise:
        return True
    values = answer_values(samples, answer)
    finite = numpy.isfinite(values)
    gap = numpy.abs(values - samples.values) > 1e-6 * numpy.maximum(numpy.abs(values), numpy.abs(samples.values))
    return not bool(numpy.any(finite & gap))


def _compare_precise(samples: Samples, answer) -> Comparison:
    func = compile_expr(answer, samples.variables, LOW)
    agreed, skipped = 0, []
    for point, r in zip(samples.points, samples.mp_values):
        a = evaluate(func, point, LOW)
        if a is not None and (samples.complex_fallback or is_real(a, LOW)) and close(a, r, LOW):
            agreed += 1
            continue
        outcome = _escalate(samples, answer, point, abs(a - r) if a is not None else None)
        if isinstance(outcome, Counterexample):
            return Comparison(False, "numeric", outcome, agreed)
        if outcome == "skip":
            skipped.append(point)
        agreed += outcome == "agree"
    return _conclude(samples, answer, agreed, skipped)


def _escalate(samples: Samples, answer, point, d1):
    """Re-evaluate one disagreeing point at 60 digits: "agree" (it was rounding noise or
    overflow), "skip" (the answer's own isolated singularity) or a Counterexample."""
    r2 = evaluate(compile_expr(samples.reference, samples.variables, HIGH), point, HIGH)
    a2 = evaluate(compile_expr(answer, samples.variables, HIGH), point, HIGH)
    if r2 is None or a2 is None:
        return "skip"
    if samples.complex_fallback or is_real(a2, HIGH):
        # A difference that shrinks as the precision grows was rounding noise.
        if close(a2, r2, HIGH) or (d1 is not None and abs(a2 - r2) < d1 * 1e-3):
            return "agree"
    coords = tuple((v.name, c) for v, c in zip(samples.variables, point))
    return Counterexample(coords, r2, a2)


def _conclude(samples: Samples, answer, agreed: int, skipped: list) -> Comparison:
    """Equal with enough agreeing points, unless the answer is undefined at too many of
    the reference's points to be a removable singularity (more than 2 and a quarter)."""
    too_many = len(skipped) > max(MAX_SKIPPED, len(samples.points) // 4)
    if not too_many and (agreed >= MIN_POINTS or (not samples.variables and agreed == len(samples.points) == 1)):
        return Comparison(True, "numeric", None, agreed)
    if too_many or (agreed == 0 and samples.points):
        # Undefined where the reference is defined: not the same function.
        point = skipped[0] if skipped else samples.points[0]
        r2 = evaluate(compile_expr(samples.reference, samples.variables, HIGH), point, HIGH)
        coords = tuple((v.name, c) for v, c in zip(samples.variables, point))
        return Comparison(False, "numeric", Counterexample(coords, r2, None))
    return _symbolic(samples.reference, answer, agreed)


def _symbolic(reference, answer, agreed: int) -> Comparison:
    """Try to prove reference - answer == 0 within SYMBOLIC_BUDGET; never guesses "equal"."""
    start = time.monotonic()
    expired = None
    try:
        with time_limit(SYMBOLIC_BUDGET) as expired:
            difference = sympy.simplify(reference - answer)
    except TimeLimitExceeded as exc:
        if not own_timeout(exc, expired, start, SYMBOLIC_BUDGET):
            raise  # an enclosing limit fired: let it through
        return Comparison(None, "undecided", None, agreed)
    if difference == 0:
        return Comparison(True, "symbolic", None, agreed)
    return Comparison(None, "undecided", None, agreed)


def own_timeout(exc: BaseException, expired, start: float, seconds: float | None) -> bool:
    """Whether ``exc`` is the time-out of the block that ``time_limit(seconds) as expired`` opened
    at ``start`` (and not an enclosing block's)."""
    if expired is not None:
        return isinstance(exc, expired)
    # A time_limit that binds nothing: tell the limits apart by the clock.
    return seconds is not None and time.monotonic() - start >= seconds * 0.99


def constant_ratio(samples: Samples, values: numpy.ndarray):
    """c when answer = c * reference at every comparable point (c a real constant), else None."""
    usable = numpy.isfinite(values) & (numpy.abs(samples.values) > 1e-12)
    if usable.sum() < MIN_POINTS:
        return None
    q = values[usable] / samples.values[usable]
    c = q[0]
    if not numpy.all(numpy.abs(q - c) <= 1e3 * FLOAT_TOL * abs(c)) or abs(c.imag) > FLOAT_TOL * abs(c):
        return None
    return float(c.real)


def simple_fraction(value: float) -> Fraction | None:
    """``value`` as p/q with q <= 1000 when it is one (to float precision), else None."""
    f = Fraction(value).limit_denominator(1000)
    return f if abs(value - float(f)) <= 1e3 * FLOAT_TOL * max(1.0, abs(value)) else None
