"""Numeric evaluation for the equivalence check: sample points and mpmath evaluators.

Expressions are compiled with ``sympy.lambdify`` into mpmath code bound to two
private mpmath contexts of fixed precision (30 and 60 significant digits), so
evaluation follows SymPy's principal branches exactly (sqrt(-3) = i sqrt 3),
cannot overflow, never executes student text (the code is printed from a SymPy
tree that already passed the parser's whitelist) and is thread-safe: no one
changes these contexts' precision, unlike the global ``mpmath.mp``.

Sample points are deterministic: the generator is seeded from a SHA-256 of the
variable names (never Python's ``hash``), so the same variables give the same
points on every run and machine.

>>> x = sympy.Symbol("x")
>>> points = sample_points((x,))
>>> points[0]
(Fraction(1, 2),)
>>> to_complex(evaluate(compile_expr(x**2, (x,), LOW), points[0], LOW))
(0.25+0j)
"""
from __future__ import annotations

import hashlib
import random
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy

#: Working precisions (significant digits) of the two evaluation tiers.
LOW_DPS, HIGH_DPS = 30, 60

#: "Nice" coordinates tried first: counterexamples at x = 1/2 read better than at
#: x = 3.8172..., and negative halves and thirds expose branch choices of powers
#: ((a^2)^(1/2) != a at a = -2) that random reals never hit.
LATTICE = tuple(Fraction(v) for v in (
    "1/2", "-1/2", "2", "-2", "3/2", "-3/2", "1/3", "-1/3", "3", "-3", "2/3", "-2/3",
    "5/2", "-5/2", "1", "-1",
))
N_RANDOM = 12          # random points per variable set, spread over 10^-1 .. 10^1.3
N_LATTICE_MULTI = 16   # lattice tuples when there are several variables
N_LATTICE_EXTRA = 96   # extra lattice tuples when the reference has a symbolic exponent
_SEED_TAG = "derivtutor.sampling.v1"


def _make_context(dps: int) -> tuple[mpmath.MPContext, dict]:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    namespace = {name: getattr(ctx, name) for name in dir(mpmath)
                 if not name.startswith("_") and hasattr(ctx, name)}
    namespace["sigmoid"] = lambda a: 1 / (1 + ctx.exp(-a))
    return ctx, namespace


class Tier:
    """One evaluation precision: an mpmath context and the lambdify namespace bound to it."""

    def __init__(self, dps: int):
        self.dps = dps
        self.ctx, self.namespace = _make_context(dps)
        # Agreement tolerance: two thirds of the digits carried.
        self.tol = self.ctx.mpf(10) ** (-(2 * dps // 3))


LOW, HIGH = Tier(LOW_DPS), Tier(HIGH_DPS)


@lru_cache(maxsize=2048)
def compile_expr(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], tier: Tier):
    """A Python function of the variables that evaluates ``expr`` in ``tier``'s context."""
    # "mpmath" in the modules selects SymPy's mpmath printer (plain names such as
    # sin, mpf); the namespace dict in front binds those names to this tier's context.
    return sympy.lambdify(variables, expr, modules=[tier.namespace, "mpmath"], docstring_limit=0)


def evaluate(func, point: tuple, tier: Tier):
    """The value at ``point`` (a tuple of Fractions/floats), or None where undefined."""
    ctx = tier.ctx
    args = [ctx.mpf(c.numerator) / c.denominator if isinstance(c, Fraction) else ctx.mpf(c)
            for c in point]
    try:
        value = func(*args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError, ArithmeticError):
        return None
    if not isinstance(value, (ctx.mpf, ctx.mpc)):
        try:
            value = ctx.convert(value)
        except (TypeError, ValueError):
            return None
    if not ctx.isfinite(value) or ctx.isnan(value):
        return None
    return value


def is_real(value, tier: Tier) -> bool:
    """Real up to rounding: the imaginary part is negligible against the modulus."""
    if isinstance(value, tier.ctx.mpf):
        return True
    return abs(value.imag) <= tier.tol * abs(value)


def close(a, b, tier: Tier) -> bool:
    """a and b agree to the tier's tolerance (relative, with a tiny absolute floor)."""
    diff = abs(a - b)
    return diff <= tier.tol * max(abs(a), abs(b)) or diff <= tier.tol ** 2


def to_complex(value) -> complex:
    return complex(value)


def _seed(variables: tuple[sympy.Symbol, ...], salt: str) -> int:
    text = "|".join([_SEED_TAG, salt] + [v.name for v in variables])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _random_coordinate(rng: random.Random, k: int) -> float:
    """Magnitude 10^u with u stratified over [-1, 1.3] (one stratum per k), random sign."""
    u = -1.0 + 2.3 * (k % N_RANDOM + rng.random()) / N_RANDOM
    return rng.choice((-1.0, 1.0)) * 10.0 ** u


@lru_cache(maxsize=512)
def sample_points(variables: tuple[sympy.Symbol, ...], extra_lattice: bool = False) -> tuple[tuple, ...]:
    """Lattice points first (simple fractions), then random points across scales.

    One variable: every LATTICE value, in order. Several: seeded draws from the
    lattice. ``extra_lattice`` adds many more lattice draws (for symbolic powers).
    """
    n = len(variables)
    if n == 0:
        return ((),)
    rng = random.Random(_seed(variables, "lattice"))
    if n == 1:
        lattice = [(v,) for v in LATTICE]
    else:
        lattice = [tuple(rng.choice(LATTICE) for _ in range(n)) for _ in range(N_LATTICE_MULTI)]
    if extra_lattice:
        lattice += [tuple(rng.choice(LATTICE) for _ in range(n)) for _ in range(N_LATTICE_EXTRA)]
    rng = random.Random(_seed(variables, "random"))
    shuffled = [rng.sample(range(N_RANDOM), N_RANDOM) for _ in range(n)]
    randoms = [tuple(_random_coordinate(rng, shuffled[j][k]) for j in range(n)) for k in range(N_RANDOM)]
    return tuple(lattice + randoms)


@lru_cache(maxsize=64)
def wide_points(variables: tuple[sympy.Symbol, ...]) -> tuple[tuple, ...]:
    """More random points over 10^-3 .. 10^3, for references real on a narrow domain."""
    rng = random.Random(_seed(variables, "wide"))
    return tuple(tuple(rng.choice((-1.0, 1.0)) * 10.0 ** rng.uniform(-3, 3) for _ in variables)
                 for _ in range(48))


def has_symbolic_power(expr: sympy.Expr) -> bool:
    """True when a power has a variable in both base and exponent, or a variable exponent
    over a base that can be negative -- where branch choices of negative bases matter."""
    for p in expr.atoms(sympy.Pow):
        if p.exp.free_symbols and p.base.free_symbols:
            return True
    return False


def show_number(value, digits: int = 6) -> str:
    """A short human-readable form of a sampled value (real or complex)."""
    if value is None:
        return "undefined"
    return mpmath.nstr(value, digits)


def show_coordinate(c) -> str:
    if isinstance(c, Fraction):
        return str(c)
    return mpmath.nstr(mpmath.mpf(c), 6)
