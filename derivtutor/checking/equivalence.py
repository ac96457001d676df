"""Are two expressions equal as functions? A verdict is earned: proved, or beyond doubt.

``compare(reference, answer)`` (fields: ``equal`` True/False/None, ``method``,
``counterexample``, ``points``):

1. **Structural**: identical trees, or a difference SymPy's evaluation makes 0.
2. **Numeric** at points keyed on the problem *and* the answer
   (``derivtutor.checking.sampling.keyed_points``: |x| over 10^-3 .. 10^3, both signs,
   from a SHA-256 that a course secret may join), so an answer cannot be built to
   vanish at its own points; deterministic across runs and machines. Evaluation is
   float64, or mpmath with the digits the constants need
   (``derivtutor.checking.pointwise``). A point counts where the reference is real and
   finite; a disagreement is confirmed at two higher precisions before it becomes the
   counterexample (not equal); values that move with the precision are unreliable and
   decide nothing. Beside each zero of a new |.| or sign argument, points on both sides.
3. **Trust** (``derivtutor.checking.trust``): agreement at >= 8 points is "equal" only
   without doubts -- a new extreme constant, an unlocated or unconfirmed step, a term
   below resolution, a saturated function, too few points.
4. **Symbolic stage** on a doubt: a deeper numeric search for a counterexample, then a
   bounded proof (``derivtutor.checking.proof``). If neither decides: ``equal`` None,
   method "undecided" -- never "equal". An internal failure is method "error".

Letters are real numbers (not positive ones): sqrt(k/m)*sqrt(m/k) is -1 where k
and m have opposite signs, so it is not equal to 1. Powers of negative numbers
take principal branches: (-8)^(1/3) is 1 + 1.73i, not -2. An answer undefined at
up to 2 isolated points (or a quarter of them) is forgiven as a removable singularity.

>>> from sympy import Symbol, cos, sin
>>> x = Symbol("x")
>>> compare(cos(x)**2 + sin(x)**2, 1 + 0*x).equal
True
>>> c = compare(sin(x), -sin(x)).counterexample
>>> c.point, c.expected, c.answer
({'x': 0.5}, 0.479425538604203, -0.479425538604203)
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy
import sympy

from derivtutor.checking.memo import volatile_error
from derivtutor.checking.numeric import (
    FLOAT_TOL, LOW, Unsupported, compile_expr, evaluate, float_compile, float_eval, float_real, is_real,
)
from derivtutor.checking.pointwise import compare_at, resolved_value
from derivtutor.checking.proof import own_timeout, proves_equal
from derivtutor.checking.sampling import (
    answer_key, columns, has_symbolic_power, keyed_points, probe_points, sample_points, show_coordinate, wide_points,
)
from derivtutor.checking.trust import MAX_DIGITS, feature_points, scan, unresolved

__all__ = ["compare", "Comparison", "Counterexample", "own_timeout", "probably_equal", "variables_of"]

MIN_POINTS = 8
MAX_SKIPPED = 2        # points where the answer alone may be undefined (removable singularities)


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
    method: str                      # "structural" | "numeric" | "symbolic" | "undecided" | "error"
    counterexample: Counterexample | None = None
    points: int = 0                  # comparable points that agreed
    symbolic_stage: bool = False     # numbers alone could not decide: the proof stage ran


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
    try:
        return _compare(reference, answer, variables)
    except Exception as exc:  # noqa: BLE001 -- SymPy or mpmath failing on an odd tree decides nothing
        volatile_error(exc)
        return Comparison(None, "error")


def _compare(reference, answer, variables) -> Comparison:
    if answer == reference or reference - answer == 0:
        return Comparison(True, "structural")
    variables = variables_of(reference, answer, extra=tuple(variables or ()))
    found = scan(reference, answer)
    if found.digits > MAX_DIGITS:
        return _decide_symbolically(reference, answer, variables, found, 0)
    key = answer_key(reference, answer)
    sides = feature_points(found.features, variables, key)
    out = compare_at(reference, answer, variables, keyed_points(variables, key), found.digits,
                     constant=not variables)
    features_ok = sides is not None
    for left, right in (sides or ()) if out.counterexample is None else ():
        # Beside a step, a difference may be small against the values: decide it in mpmath.
        near = compare_at(reference, answer, variables, left + right, max(found.digits, 1))
        if near.counterexample is not None:
            out.counterexample = near.counterexample
            break
        features_ok &= any(p in near.agreed for p in left) and any(p in near.agreed for p in right)
        # Agreement beside a step proves nothing if the step's term is lost against the
        # others there (sign(x - 30) beside 2x e^(x^2)): each side must resolve every term.
        features_ok &= all(unresolved(found, variables, tuple(p for p in side if p in near.agreed)) is None
                           for side in (left, right))
    if len(out.agreed) < MIN_POINTS and variables and out.counterexample is None:
        more = compare_at(reference, answer, variables, _domain_points(variables, key, out.agreed),
                          found.digits)
        _merge(out, more)
    if variables and not (out.agreed or out.skipped or out.unreliable or out.counterexample):
        # Real nowhere (sqrt(-1 - x^2)): then, and only then, complex values are compared.
        out = compare_at(reference, answer, variables, keyed_points(variables, key), found.digits, constant=True)
    if out.counterexample is not None:
        return Comparison(False, "numeric", _counterexample(variables, *out.counterexample), len(out.agreed))
    agreed = len(out.agreed)
    undefined = _undefined(reference, variables, out)
    if undefined is not None:
        return undefined
    doubt = _doubt(found, features_ok, variables, out)
    if doubt is None:
        return Comparison(True, "numeric", None, agreed)
    return _decide_symbolically(reference, answer, variables, found, agreed)


def _doubt(found, features_ok: bool, variables, out) -> str | None:
    """Why agreeing numbers cannot be believed here (``derivtutor.checking.trust``), or None."""
    needed = MIN_POINTS if variables else 1
    if len(out.agreed) < needed:
        return "few-points"
    if found.extreme:
        return "extreme"
    if found.features and not features_ok:
        return "feature"
    return unresolved(found, variables, tuple(out.agreed))


def _undefined(reference, variables, out) -> Comparison | None:
    """Not equal when the answer is undefined at too many of the reference's points to be
    removable singularities (more than 2 and a quarter of them), or at all of them."""
    skipped = out.skipped
    total = len(out.agreed) + len(skipped)
    if not skipped or (len(skipped) <= max(MAX_SKIPPED, total // 4) and out.agreed):
        return None
    point = skipped[0]
    r, _ = resolved_value(reference, variables, point, 60)
    return Comparison(False, "numeric", _counterexample(variables, point, r, None), len(out.agreed))


def _decide_symbolically(reference, answer, variables, found, agreed: int) -> Comparison:
    """Numbers agree but cannot be trusted: a bounded proof, else a deeper search for a
    counterexample (near 0, far out, at more digits), else undecided -- never "equal"."""
    if variables and found.digits <= MAX_DIGITS:
        key = answer_key(reference, answer)
        out = compare_at(reference, answer, variables, probe_points(variables, key), max(found.digits, 40))
        if out.counterexample is not None:
            return Comparison(False, "numeric", _counterexample(variables, *out.counterexample), agreed,
                              symbolic_stage=True)
    if proves_equal(reference, answer):
        return Comparison(True, "symbolic", None, agreed, symbolic_stage=True)
    return Comparison(None, "undecided", None, agreed, symbolic_stage=True)


def _domain_points(variables, key: bytes, agreed: list) -> tuple:
    """More points for a reference real on a narrow domain: a second keyed draw, and
    points scattered around those already found valid."""
    import random

    rng = random.Random(int.from_bytes(key[8:24], "big"))
    more = list(keyed_points(variables, key[::-1]))
    for p in agreed[:8]:
        more += [tuple(float(c) * (1 + 0.3 * (rng.random() - 0.5)) for c in p) for _ in range(4)]
    return tuple(more)


def _merge(out, more) -> None:
    out.agreed += more.agreed
    out.skipped += more.skipped
    out.unreliable += more.unreliable
    out.counterexample = out.counterexample or more.counterexample


def _counterexample(variables, point, expected, answer) -> Counterexample:
    return Counterexample(tuple((v.name, c) for v, c in zip(variables, point)), expected, answer)


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
