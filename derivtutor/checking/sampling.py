"""Where the equivalence check samples: deterministic points across scales.

The generator is seeded from a SHA-256 of the variable names (never Python's
``hash``, which changes per process), so the same variables give the same
points, hence the same verdict and counterexample, on every run and machine.

Points come in two groups, simple fractions first (counterexamples at x = 1/2
read better than at x = 3.8172..., and negative halves and thirds expose branch
choices of powers, such as (a^2)^(1/2) != a at a = -2, that random reals never
hit), then random reals with magnitudes spread over 10^-1 .. 10^1.3 and random
signs.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> sample_points((x,))[:3]
((Fraction(1, 2),), (Fraction(-1, 2),), (Fraction(2, 1),))
"""
from __future__ import annotations

import hashlib
import random
from fractions import Fraction
from functools import lru_cache

import numpy
import sympy

from derivtutor.checking.memo import srepr_of

LATTICE = tuple(Fraction(v) for v in (
    "1/2", "-1/2", "2", "-2", "3/2", "-3/2", "1/3", "-1/3", "3", "-3", "2/3", "-2/3",
    "5/2", "-5/2", "1", "-1",
))
N_LATTICE_ONE = 8      # lattice points for one variable (the first LATTICE values)
N_LATTICE_MULTI = 12   # lattice tuples when there are several variables
N_LATTICE_EXTRA = 96   # extra lattice tuples when the reference has a symbolic exponent
N_RANDOM = 10          # random points per variable set
N_WIDE = 48            # extra points over 10^-3 .. 10^3 for narrow real domains
_SEED_TAG = "derivtutor.checking.sampling.v1"


def _rng(variables: tuple[sympy.Symbol, ...], salt: str) -> random.Random:
    text = "|".join([_SEED_TAG, salt] + [v.name for v in variables])
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


@lru_cache(maxsize=512)
def sample_points(variables: tuple[sympy.Symbol, ...], extra_lattice: bool = False) -> tuple[tuple, ...]:
    """Lattice points (Fractions) first, then random floats across scales.

    ``extra_lattice`` adds many more lattice draws (for powers with a symbolic exponent).
    """
    n = len(variables)
    if n == 0:
        return ((),)
    rng = _rng(variables, "lattice")
    if n == 1:
        lattice = [(v,) for v in LATTICE[:N_LATTICE_ONE]]
    else:
        lattice = [tuple(rng.choice(LATTICE) for _ in range(n)) for _ in range(N_LATTICE_MULTI)]
    if extra_lattice:
        lattice += [tuple(rng.choice(LATTICE) for _ in range(n)) for _ in range(N_LATTICE_EXTRA)]
    rng = _rng(variables, "random")
    strata = [rng.sample(range(N_RANDOM), N_RANDOM) for _ in range(n)]
    randoms = [tuple(_coordinate(rng, strata[j][k]) for j in range(n)) for k in range(N_RANDOM)]
    return tuple(lattice + randoms)


def _coordinate(rng: random.Random, stratum: int) -> float:
    """Magnitude 10^u, u in the stratum-th of N_RANDOM slices of [-1, 1.3]; random sign."""
    u = -1.0 + 2.3 * (stratum + rng.random()) / N_RANDOM
    return rng.choice((-1.0, 1.0)) * 10.0 ** u


@lru_cache(maxsize=64)
def wide_points(variables: tuple[sympy.Symbol, ...]) -> tuple[tuple, ...]:
    """More random points over 10^-3 .. 10^3, for references real on a narrow domain."""
    rng = _rng(variables, "wide")
    return tuple(tuple(rng.choice((-1.0, 1.0)) * 10.0 ** rng.uniform(-3, 3) for _ in variables)
                 for _ in range(N_WIDE))


def columns(points: tuple[tuple, ...], n: int) -> list[numpy.ndarray]:
    """The points as one complex128 array per variable (the float tier's input)."""
    return [numpy.array([complex(p[j]) for p in points]) for j in range(n)]


def has_symbolic_power(expr: sympy.Expr) -> bool:
    """True when some power has variables in both base and exponent: there the branch
    of a negative base matters, and only exact fractions such as -1/2 expose it."""
    return any(p.exp.free_symbols and p.base.free_symbols for p in expr.atoms(sympy.Pow))


def show_coordinate(c) -> str:
    """1/2 for a lattice coordinate, six significant digits for a random one."""
    if isinstance(c, Fraction):
        return str(c)
    return f"{c:.6g}"


# --- Points keyed on the answer ---------------------------------------------------
# The points that decide a verdict depend on the problem AND the answer (and on a
# course secret when one is set), so an answer cannot be built to vanish at its own
# points: changing the answer changes the points. Still deterministic: SHA-256 of text.

N_SPREAD = 36          # log-uniform points over 10^-3 .. 10^3 per answer
SECRET_VARIABLE = "DERIVTUTOR_COURSE_SECRET"
ANCHORS = (1e-3, 1e3)  # the ends of the scale range are always visited, both signs


def answer_key(reference: sympy.Expr, answer: sympy.Expr) -> bytes:
    """A digest of the problem, the normalised answer and the course secret (if set).

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> answer_key(x, x) == answer_key(x, x), answer_key(x, x) == answer_key(x, 2 * x)
    (True, False)
    """
    text = "\x00".join((_SEED_TAG, "answer", course_secret(), srepr_of(reference), srepr_of(answer)))
    return hashlib.sha256(text.encode()).digest()


def course_secret() -> str:
    """The course secret mixed into the answer's points ($DERIVTUTOR_COURSE_SECRET, or none)."""
    import os

    return os.environ.get(SECRET_VARIABLE, "")


def keyed_points(variables: tuple[sympy.Symbol, ...], key: bytes) -> tuple[tuple, ...]:
    """Lattice points (readable counterexamples), the scale anchors, then points drawn
    from ``key`` over |x| in 10^-3 .. 10^3 with both signs (stratified per variable).

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> pts = keyed_points((x,), b"k")
    >>> len(pts), min(abs(float(p[0])) for p in pts) < 0.002, max(abs(float(p[0])) for p in pts) > 500
    (48, True, True)
    """
    n = len(variables)
    if n == 0:
        return ((),)
    rng = random.Random(int.from_bytes(key[:16], "big"))
    lattice = list(sample_points(variables))[: (N_LATTICE_ONE if n == 1 else N_LATTICE_MULTI)]
    jitter = lambda: 1.0 + 0.05 * rng.random()  # noqa: E731 -- anchors move a little per answer
    anchors = [tuple(s * a * jitter() if j == k else rng.choice(LATTICE_FLOATS) for k in range(n))
               for a in ANCHORS for s in (-1.0, 1.0) for j in range(n)]
    strata = [rng.sample(range(N_SPREAD), N_SPREAD) for _ in range(n)]
    spread = [tuple(_spread(rng, strata[j][k]) for j in range(n)) for k in range(N_SPREAD)]
    return tuple(lattice + anchors + spread)


LATTICE_FLOATS = tuple(float(v) for v in LATTICE[:8])


def _spread(rng: random.Random, stratum: int) -> float:
    """Magnitude 10^u, u in the stratum-th of N_SPREAD slices of [-3, 3]; random sign."""
    u = -3.0 + 6.0 * (stratum + rng.random()) / N_SPREAD
    return rng.choice((-1.0, 1.0)) * 10.0 ** u


def probe_points(variables: tuple[sympy.Symbol, ...], key: bytes) -> tuple[tuple, ...]:
    """A deeper search for a counterexample: very near 0 and very far out, both signs."""
    rng = random.Random(int.from_bytes(key[16:], "big"))
    scales = [10.0 ** -k for k in range(3, 13)] + [10.0 ** k for k in range(3, 7)]
    out = []
    for s in scales:
        for sign in (-1.0, 1.0):
            out.append(tuple(sign * s * (1 + rng.random()) if j == 0 else rng.choice(LATTICE_FLOATS)
                             for j in range(len(variables))))
    return tuple(out)
