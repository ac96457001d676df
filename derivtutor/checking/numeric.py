"""Evaluators for the equivalence check: a fast float tier and two mpmath tiers.

**Float tier.** ``float_compile(expr, variables)`` turns a SymPy tree into nested
closures over numpy complex128 arrays, one node class -> one numpy function
(``FLOAT_FUNCS``), and evaluates all sample points in one call. Complex-safe:
sqrt(-3) is i sqrt 3.
Before a branch cut (sqrt, log, non-integer powers) a negative zero imaginary part
is turned into +0, so -x at x = 2 takes SymPy's principal branch, not the other.

**mpmath tiers.** ``compile_expr(expr, variables, tier)`` builds the same kind of
closures over mpmath functions bound to two private mpmath contexts of fixed
precision (``LOW`` 30 digits, ``HIGH`` 60 digits, ``tier(d)`` for more); a node outside the table falls
back to ``sympy.lambdify`` with the same functions. SymPy's principal branches
exactly, no float overflow, and thread-safe (nobody changes these contexts'
precision, unlike the global ``mpmath.mp``). Values beyond e^(10^8) (or powers of
more than 10^6 bits) count as undefined rather than being computed with millions
of digits. These tiers decide wherever float64 could be wrong: numbers float64
cannot hold (long decimals, big integers or exponents), nodes without a float
implementation, constants, and every float disagreement before it counts.

Why not ``lambdify`` for everything: it prints and compiles Python source for each
expression (0.5-2.5 ms here), while every student answer is new; the closures are
built in tens of microseconds, and nothing is printed or executed as code.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> f = float_compile(sympy.sqrt(-x), (x,))
>>> f([numpy.array([2.0 + 0j])])
array([0.+1.41421356j])
>>> to_complex(evaluate(compile_expr(x**2, (x,), LOW), (0.5,), LOW))
(0.25+0j)
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy
import sympy

from derivtutor.functions import sigmoid, softplus

FLOAT_TOL = 1e-10      # float tier: relative agreement
BIG = 10**6            # rationals with larger numerator/denominator need mpmath
BIG_EXPONENT = 64      # integer powers beyond this need mpmath (float64 overflows)


class Unsupported(Exception):
    """A node the float tier has no function for (the mpmath tiers take the expression)."""


def _cut(z):
    # z + 0j turns a negative zero imaginary part into +0 (IEEE: -0 + 0 = +0).
    return z + 0j


def _cut_above_one(z):
    # SymPy's asin and acos continue from below on the cut x > 1 (asin 2 = pi/2 - 1.317i);
    # numpy's arcsin(2+0j) takes the other side, so give such points a -0 imaginary part.
    z = _cut(z)
    return numpy.where((z.imag == 0) & (z.real > 1), numpy.conj(z), z)


def _complex_sign(z):
    # SymPy's sign: z/|z| (so sign of a non-real u is not real, as in the mpmath tiers), 0 at 0.
    size = numpy.abs(z)
    return numpy.where(size == 0, 0j, z / numpy.where(size == 0, 1, size))


FLOAT_FUNCS = {
    sympy.exp: numpy.exp, sympy.log: lambda z: numpy.log(_cut(z)),
    sympy.sin: numpy.sin, sympy.cos: numpy.cos, sympy.tan: numpy.tan,
    sympy.cot: lambda z: 1 / numpy.tan(z), sympy.sec: lambda z: 1 / numpy.cos(z),
    sympy.csc: lambda z: 1 / numpy.sin(z),
    sympy.asin: lambda z: numpy.arcsin(_cut_above_one(z)),
    sympy.acos: lambda z: numpy.arccos(_cut_above_one(z)),
    sympy.atan: lambda z: numpy.arctan(_cut(z)), sympy.acot: lambda z: numpy.arctan(1 / _cut(z)),
    sympy.sinh: numpy.sinh, sympy.cosh: numpy.cosh, sympy.tanh: numpy.tanh,
    sympy.Abs: lambda z: numpy.abs(z) + 0j, sympy.sign: lambda z: _complex_sign(z),
    sigmoid: lambda z: 1 / (1 + numpy.exp(-z)),
    softplus: lambda z: numpy.log(1 + numpy.exp(z)),
}


@lru_cache(maxsize=4096)
def float_compile(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]):
    """A function of the variables' value arrays (complex128) -> values array.

    Raises Unsupported for a node without a float implementation and for numbers
    float64 cannot hold faithfully (decimals, rationals with more than 6 digits,
    exponents beyond 64): those expressions are evaluated in mpmath instead.
    """
    index = {v: i for i, v in enumerate(variables)}
    return _build(expr, index, _FLOAT)


class _FloatBackend:
    """How the float tier takes constants, functions and powers."""

    funcs = FLOAT_FUNCS

    @staticmethod
    def const(expr):
        if expr.is_Integer and abs(expr.p) <= BIG:
            return complex(expr.p)  # exactly what evalf gives for it, without evalf
        for a in expr.atoms(sympy.Number):
            if isinstance(a, sympy.Float) or (a.is_Rational and max(abs(a.p), abs(a.q)) > BIG):
                raise Unsupported(a)  # float64 would round it: mpmath decides
        try:
            return complex(expr.evalf(20))
        except (TypeError, ValueError, OverflowError):  # zoo, nan, beyond float64
            raise Unsupported(expr) from None

    @staticmethod
    def pow(expr, base, exponent):
        return _build_pow(expr, base, exponent)


_FLOAT = _FloatBackend()


def _build(expr, index, backend, free: dict | None = None):
    """Nested closures computing ``expr`` from ``cols`` (the variables' values, by position)."""
    if expr.is_Symbol:
        i = index[expr]
        return lambda cols: cols[i]
    free = {} if free is None else free
    if not _has_free(expr, free):
        c = backend.const(expr)
        return lambda cols: c
    args = [_build(a, index, backend, free) for a in expr.args]
    if expr.is_Add:
        return lambda cols: sum(f(cols) for f in args)
    if expr.is_Mul:
        def product(cols):
            out = args[0](cols)
            for f in args[1:]:
                out = out * f(cols)
            return out
        return product
    if expr.is_Pow:
        return backend.pow(expr, *args)
    func = backend.funcs.get(expr.func)
    if func is None or len(args) != 1:
        raise Unsupported(expr.func)
    (arg,) = args
    return lambda cols: func(arg(cols))


_BASIC_FREE_SYMBOLS = vars(sympy.Basic)["free_symbols"]


@lru_cache(maxsize=None)
def _default_free_symbols(cls) -> bool:
    """Does ``cls`` take SymPy's default free_symbols (the union of the args')? Found in the
    MRO as an instance finds it (``cls.free_symbols`` would ask FunctionClass, the metaclass)."""
    for klass in cls.__mro__:
        if "free_symbols" in vars(klass):
            return vars(klass)["free_symbols"] is _BASIC_FREE_SYMBOLS
    return False


def _has_free(expr, memo: dict) -> bool:
    """``bool(expr.free_symbols)``, each node asked once (SymPy does not cache free_symbols;
    asked at every node it costs size x depth): from the args for SymPy's default
    free_symbols, else (Symbol, Derivative, ...) by the node's own. ``memo``: id -> (node, answer)."""
    entry = memo.get(id(expr))
    if entry is not None and entry[0] is expr:
        return entry[1]
    if _default_free_symbols(type(expr)):
        known = any(_has_free(a, memo) for a in expr.args)
    else:
        known = bool(expr.free_symbols)
    memo[id(expr)] = (expr, known)
    return known


def _build_pow(expr, base, exponent):
    n = expr.exp
    if n.is_Number and abs(n) > BIG_EXPONENT:
        raise Unsupported(expr)  # float64 overflows or underflows: mpmath decides
    if n.is_Integer:
        k = int(n)
        return lambda cols: base(cols) ** k
    if n == sympy.Rational(1, 2):
        return lambda cols: numpy.sqrt(_cut(base(cols)))
    if n == sympy.Rational(-1, 2):
        return lambda cols: 1 / numpy.sqrt(_cut(base(cols)))
    return lambda cols: numpy.power(_cut(base(cols)), exponent(cols))


def float_eval(func, cols) -> numpy.ndarray:
    """Values at every point as complex128, NaN where undefined or overflowing."""
    with numpy.errstate(all="ignore"):
        try:
            out = func(cols)
        except (ZeroDivisionError, OverflowError, ValueError):
            out = numpy.full(len(cols[0]) if cols else 1, numpy.nan + 0j)
        out = numpy.broadcast_to(numpy.asarray(out, dtype=complex), (len(cols[0]) if cols else 1,)).copy()
    out[~numpy.isfinite(out)] = numpy.nan
    return out


def float_real(values: numpy.ndarray) -> numpy.ndarray:
    """Mask: finite and real up to rounding."""
    return numpy.isfinite(values) & (numpy.abs(values.imag) <= FLOAT_TOL * numpy.abs(values))


def float_close(a: numpy.ndarray, b: numpy.ndarray) -> numpy.ndarray:
    """Mask: a and b agree to FLOAT_TOL (relative, with a tiny absolute floor)."""
    return numpy.abs(a - b) <= FLOAT_TOL * numpy.maximum(numpy.abs(a), numpy.abs(b)) + 1e-300


# --- mpmath tiers ---------------------------------------------------------------

#: Beyond these magnitudes a value is treated as undefined (overflow), because mpmath
#: would need millions of digits (exp(exp(exp(x))) at x = 3 has 10^(10^8) in it).
EXP_LIMIT = 10**8        # |Re u| for e^u, sinh u, cosh u (mpmath's exponents are unbounded)
TRIG_LIMIT = 10**15      # |u| for sin u, cos u, ... (argument reduction cost)
POW_BITS_LIMIT = 10**9   # |e| * log2|b| for b^e


def _guard(ctx, func, limit, part=lambda z: z):
    def guarded(z):
        if abs(part(z)) > limit:
            raise OverflowError("value too large to evaluate")
        return func(z)
    return guarded


def _make_context(dps: int) -> tuple[mpmath.MPContext, dict]:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    namespace = {name: getattr(ctx, name) for name in dir(mpmath)
                 if not name.startswith("_") and hasattr(ctx, name)}
    real = ctx.re
    for name in ("exp", "sinh", "cosh"):
        namespace[name] = _guard(ctx, getattr(ctx, name), EXP_LIMIT, real)
    for name in ("sin", "cos", "tan", "cot", "sec", "csc"):
        namespace[name] = _guard(ctx, getattr(ctx, name), TRIG_LIMIT)
    exp = namespace["exp"]
    namespace["sigmoid"] = lambda a: 1 / (1 + exp(-a))
    namespace["softplus"] = lambda a: ctx.log(1 + exp(a))
    # x > 0 is a TypeError for a complex x: the point is then undefined, as for max(0, x).
    namespace["leaky_relu"] = lambda x, a: x if x > 0 else a * x

    def power(b, e):
        if b != 0 and abs(e) * (abs(ctx.log(abs(b), 2)) + 1) > POW_BITS_LIMIT:
            raise OverflowError("power too large to evaluate")
        return ctx.power(b, e)
    namespace["_guarded_pow"] = power
    return ctx, namespace


class Tier:
    """One mpmath precision: a private context and the lambdify namespace bound to it."""

    def __init__(self, dps: int):
        self.dps = dps
        self.ctx, self.namespace = _make_context(dps)
        self.tol = self.ctx.mpf(10) ** (-(2 * dps // 3))   # agreement: two thirds of the digits
        self.backend = _MpBackend(self)


class _MpBackend:
    """How an mpmath tier takes constants, functions and powers (guarded, see _make_context)."""

    def __init__(self, tier: Tier):
        ctx, ns = tier.ctx, tier.namespace
        self.ctx, self.dps, self.power = ctx, tier.dps, ns["_guarded_pow"]
        self.funcs = {
            sympy.exp: ns["exp"], sympy.log: ctx.log, sympy.sin: ns["sin"], sympy.cos: ns["cos"],
            sympy.tan: ns["tan"], sympy.cot: ns["cot"], sympy.sec: ns["sec"], sympy.csc: ns["csc"],
            sympy.asin: ctx.asin, sympy.acos: ctx.acos, sympy.atan: ctx.atan, sympy.acot: ctx.acot,
            sympy.sinh: ns["sinh"], sympy.cosh: ns["cosh"], sympy.tanh: ctx.tanh,
            sympy.Abs: abs, sympy.sign: ctx.sign, sigmoid: ns["sigmoid"], softplus: ns["softplus"],
        }

    def const(self, expr):
        if expr.is_Rational:
            return self.ctx.mpf(expr.p) / expr.q
        re, im = expr.evalf(self.dps + 10).as_real_imag()
        if not (re.is_Float or re.is_Rational) or not (im.is_Float or im.is_Rational):
            raise Unsupported(expr)  # zoo, nan, or a value evalf cannot give
        value = self.ctx.mpf(str(re))
        return value if im == 0 else self.ctx.mpc(value, self.ctx.mpf(str(im)))

    def pow(self, expr, base, exponent):
        power = self.power
        if expr.exp.is_Integer:
            k = int(expr.exp)
            return lambda cols: power(base(cols), k)
        return lambda cols: power(base(cols), exponent(cols))


LOW, HIGH = Tier(30), Tier(60)


@lru_cache(maxsize=2048)
def compile_expr(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], tier: Tier):
    """A Python function of the variables that evaluates ``expr`` in ``tier``'s context.

    Built like the float tier, as closures over a table of (guarded) mpmath functions;
    a node outside the table falls back to ``sympy.lambdify`` with the same functions.
    """
    try:
        closure = _build(expr, {v: i for i, v in enumerate(variables)}, tier.backend)
    except Unsupported:
        return _lambdify(expr, variables, tier)
    return lambda *args: closure(args)


def _lambdify(expr, variables, tier: Tier):
    # "mpmath" in the modules selects SymPy's mpmath printer (plain names such as
    # sin, mpf); the namespace dict in front binds those names to this tier's context.
    # Powers go through a guarded function (the printer writes b**e, which no namespace catches).
    guarded = expr.replace(lambda e: e.is_Pow and not e.exp.is_Integer, lambda e: _GUARDED_POW(*e.args))
    return sympy.lambdify(variables, guarded, modules=[tier.namespace, "mpmath"], docstring_limit=0)


_GUARDED_POW = sympy.Function("_guarded_pow")


def evaluate(func, point: tuple, tier: Tier, too_large=None):
    """The value at ``point`` (a tuple of Fractions/floats), or None where undefined;
    ``too_large`` where a guard refused a value too large to compute (not undefined)."""
    ctx = tier.ctx
    args = [ctx.mpf(c.numerator) / c.denominator if isinstance(c, Fraction) else ctx.mpf(c)
            for c in point]
    try:
        value = func(*args)
    except OverflowError:
        return too_large
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
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
    return complex(value) if value is not None else complex("nan")


def show_number(value, digits: int = 6) -> str:
    """A short human-readable form of a value (real or complex)."""
    if value is None:
        return "undefined"
    return mpmath.nstr(value, digits)


def tier(dps: int) -> Tier:
    """An mpmath tier of ``dps`` digits (rounded up to a multiple of 10; LOW and HIGH reused).

    Cached by the rounded precision: answers ask for every odd number of digits, and a
    new context costs about 2 ms (a cache keyed by the raw digits kept building them).

    >>> tier(101) is tier(110), tier(25) is LOW
    (True, True)
    """
    return _tier(max(30, -(-int(dps) // 10) * 10))


@lru_cache(maxsize=256)
def _tier(dps: int) -> Tier:
    return {30: LOW, 60: HIGH}.get(dps) or Tier(dps)


def stable(v1, v2, tier_: Tier) -> bool:
    """Two evaluations at different precisions agree to the coarser one's tolerance
    (both undefined counts as stable): the value is resolved, not rounding noise."""
    if v1 is None or v2 is None:
        return v1 is None and v2 is None
    return abs(v1 - v2) <= tier_.tol * abs(v2)


def relative_close(a, b, tier_: Tier) -> bool:
    """a and b agree to the tier's relative tolerance (no absolute floor: a tiny but
    resolved difference is a difference)."""
    return abs(a - b) <= tier_.tol * max(abs(a), abs(b))
