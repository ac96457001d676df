"""Are two expressions equal as functions? Structural, then numeric, then symbolic.

The order of attempts (``compare(reference, answer)``):

1. **Structural fast path.** Identical SymPy trees (after SymPy's automatic
   evaluation, so ``2*x*1`` is ``2*x``) are equal.
2. **Seeded numeric sampling** over all free symbols of both sides. Points are
   simple fractions first (1/2, -1/2, 2, -3/2, ...), then random reals spread
   over 10^-1 .. 10^1.3 with random signs (see ``derivtutor.sampling``); at least
   ``MIN_POINTS`` = 8 valid points are required. Values are computed in mpmath
   at 30 significant digits on SymPy's principal branches (complex-safe: sqrt
   of a negative intermediate is imaginary, not an error).
   - A point is **valid** when the reference is finite and real there (real up
     to rounding; complex intermediates are allowed, so sqrt(x-3)*sqrt(x-5) is
     real at x = 0). If fewer than 8 sample points are valid, 48 wider points are
     added; if still fewer, finite complex values of the reference are compared.
   - Two values **agree** when they match to 20 of the 30 digits. A mismatch is
     re-evaluated at 60 digits, so float cancellation never decides: if the
     difference shrinks with the precision it was rounding noise (agreement),
     if it stays, it is real.
   - **Policy.** A disagreement at a valid point means *not equal*, and that
     point (the first in sampling order) is the counterexample. An answer that
     is non-real there disagrees. An answer undefined (division by zero) at an
     isolated valid point -- a removable singularity such as (x^2-1)/(x-1) at
     x = 1 -- is skipped there, not penalised, as long as 8 points remain.
     Agreement at every valid point (at least 8) means *equal*.
3. **Symbolic confirmation** (``sympy.simplify`` of the difference, within a time
   budget) only when sampling is inconclusive (fewer than 8 comparable points).
   If it cannot prove the difference is 0, the result is *undecided* -- never
   "equal".

Letters are real numbers (not positive ones): sqrt(k/m)*sqrt(m/k) is -1 where k
and m have opposite signs, so it is not equal to 1. Verdicts are deterministic:
the points depend only on the variable names, through a SHA-256 seed.

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

import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.sampling import (
    HIGH, LOW, close, compile_expr, evaluate, has_symbolic_power, is_real, sample_points,
    show_coordinate, show_number, wide_points,
)

MIN_POINTS = 8
SYMBOLIC_BUDGET = 1.0  # seconds for the symbolic tier, within the caller's own limit


@dataclass(frozen=True)
class Counterexample:
    """A point where the answer and the reference differ, with both values."""

    coordinates: tuple[tuple[str, object], ...]   # (name, Fraction | float)
    expected_value: object                        # mpmath number
    answer_value: object                          # mpmath number or None (undefined)

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
    """A float for real values, a string such as '1.5+2.0i' for complex, None if undefined."""
    if value is None:
        return None
    z = complex(value)
    if z.imag == 0:
        return float(z.real)
    return show_number(value, 12).replace("j", "i").replace("(", "").replace(")", "").replace(" ", "")


@dataclass(frozen=True)
class Comparison:
    """The outcome: ``equal`` True/False, or None when undecided; how it was decided."""

    equal: bool | None
    method: str                      # "structural" | "numeric" | "symbolic" | "undecided"
    counterexample: Counterexample | None = None
    points: int = 0                  # comparable points that agreed


@dataclass(frozen=True)
class Samples:
    """The reference evaluated at its valid points (cached per reference and variables)."""

    variables: tuple[sympy.Symbol, ...]
    points: tuple[tuple, ...]
    values: tuple                    # LOW-tier values at ``points``
    complex_fallback: bool = False   # True when the reference is real at too few points


def variables_of(*exprs: sympy.Expr, extra: tuple = ()) -> tuple[sympy.Symbol, ...]:
    """All free symbols of ``exprs`` (and ``extra``), sorted by name."""
    names: set = set(extra)
    for e in exprs:
        names |= e.free_symbols
    return tuple(sorted(names, key=lambda s: s.name))


@lru_cache(maxsize=512)
def reference_samples(reference: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> Samples:
    """Valid points of ``reference`` and its values there (the cached, per-exercise work)."""
    func = compile_expr(reference, variables, LOW)
    candidates = sample_points(variables, has_symbolic_power(reference))
    found = _valid(func, candidates, real=True)
    if len(found) < MIN_POINTS:
        found += _valid(func, wide_points(variables), real=True)
    fallback = len(found) < MIN_POINTS
    if fallback:
        found = _valid(func, candidates + wide_points(variables), real=False)
    return Samples(variables, tuple(p for p, _ in found), tuple(v for _, v in found), fallback)


def _valid(func, points, real: bool) -> list:
    out = []
    for point in points:
        value = evaluate(func, point, LOW)
        if value is not None and (not real or is_real(value, LOW)):
            out.append((point, value))
    return out


def answer_values(samples: Samples, answer: sympy.Expr) -> tuple:
    """The answer at the reference's valid points (None where undefined)."""
    func = compile_expr(answer, samples.variables, LOW)
    return tuple(evaluate(func, p, LOW) for p in samples.points)


def compare(reference: sympy.Expr, answer: sympy.Expr, variables: tuple | None = None,
            *, values: tuple | None = None) -> Comparison:
    """Decide whether ``answer`` equals ``reference`` as a function (see the module docstring).

    ``variables`` adds symbols to sample (e.g. the differentiation variable);
    ``values`` passes answer values already computed at the reference's points.

    >>> from sympy import Symbol, sqrt
    >>> x = Symbol("x")
    >>> compare(sqrt(x**2), x).equal
    False
    """
    if answer == reference:
        return Comparison(True, "structural")
    variables = variables_of(reference, answer, extra=tuple(variables or ()))
    samples = reference_samples(reference, variables)
    if values is None:
        values = answer_values(samples, answer)
    agreed = 0
    for point, r, a in zip(samples.points, samples.values, values):
        if a is None:
            continue  # the answer's own isolated singularity: skipped (see the policy)
        if _agrees(reference, answer, samples, point, r, a):
            agreed += 1
            continue
        return Comparison(False, "numeric", _counterexample(reference, answer, samples, point), agreed)
    if agreed >= MIN_POINTS:
        return Comparison(True, "numeric", None, agreed)
    if agreed == 0 and samples.points:
        # Undefined wherever the reference is defined: certainly not the same function.
        return Comparison(False, "numeric", _counterexample(reference, answer, samples, samples.points[0]))
    return _symbolic(reference, answer, agreed)


def _agrees(reference, answer, samples: Samples, point, r, a) -> bool:
    if (samples.complex_fallback or is_real(a, LOW)) and close(a, r, LOW):
        return True
    # Re-evaluate at 60 digits: a difference that shrinks is rounding noise.
    r2 = evaluate(compile_expr(reference, samples.variables, HIGH), point, HIGH)
    a2 = evaluate(compile_expr(answer, samples.variables, HIGH), point, HIGH)
    if r2 is None or a2 is None:
        return a2 is None  # undefined at higher precision too: skipped like a singularity
    if not samples.complex_fallback and not is_real(a2, HIGH):
        return False
    d1, d2 = abs(a - r), abs(a2 - r2)
    return close(a2, r2, HIGH) or d2 < d1 * LOW.tol


def _counterexample(reference, answer, samples: Samples, point) -> Counterexample:
    r = evaluate(compile_expr(reference, samples.variables, HIGH), point, HIGH)
    a = evaluate(compile_expr(answer, samples.variables, HIGH), point, HIGH)
    coords = tuple((v.name, c) for v, c in zip(samples.variables, point))
    return Counterexample(coords, r, a)


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


def constant_ratio(samples: Samples, values: tuple):
    """c when answer = c * reference at every comparable point (c a real constant), else None."""
    ratio = None
    count = 0
    for r, a in zip(samples.values, values):
        if a is None or abs(r) <= LOW.tol:
            continue
        q = a / r
        if ratio is None:
            ratio = q
        elif not close(q, ratio, LOW):
            return None
        count += 1
    if ratio is None or count < MIN_POINTS or not is_real(ratio, LOW):
        return None
    return ratio.real if hasattr(ratio, "imag") else ratio


def simple_fraction(value) -> Fraction | None:
    """``value`` as p/q with q <= 1000 when it is one (to 20 digits), else None."""
    f = Fraction(float(value)).limit_denominator(1000)
    exact = LOW.ctx.mpf(f.numerator) / f.denominator
    return f if abs(value - exact) <= LOW.tol * max(1, abs(value)) else None
