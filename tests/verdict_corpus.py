"""Generated course functions, their correct forms and adversarial wrong answers.

Used by tests/test_verdicts.py and bench/check.py. The witness for every derivative
is ``sympy.diff``; correct forms are SymPy rewrites of it (expanded, factored,
simplified, over a common denominator, in other notation); wrong answers are
mutations that differ from it by construction (a tiny constant, a bump no sample
may visit, a step at a random place, a wrong factor, a product of (x - p), ...).

>>> funcs = course_functions(3, seed=1)
>>> len(funcs)
3
"""
from __future__ import annotations

import random

import sympy
from sympy import Abs, Rational, atan, cos, exp, log, sign, sin, sqrt, tan, tanh

x = sympy.Symbol("x")

UNARY = (sin, cos, exp, lambda u: log(u**2 + 1), sqrt, tan, atan, tanh, lambda u: Abs(u), lambda u: log(Abs(u) + 2))


def _leaf(rng):
    return rng.choice([x, x, 2 * x, x + rng.randint(1, 4), Rational(rng.randint(1, 5), rng.randint(1, 3)) * x,
                       x**2, x**3 - x])


def course_function(rng, depth: int = 2) -> sympy.Expr:
    """One function of x built like a course exercise: compositions, products, quotients."""
    if depth == 0:
        return _leaf(rng)
    kind = rng.random()
    if kind < 0.35:
        inner = course_function(rng, depth - 1)
        f = rng.choice(UNARY)
        if f is sqrt:
            inner = inner**2 + 1
        return f(inner)
    a, b = course_function(rng, depth - 1), course_function(rng, depth - 1)
    if kind < 0.6:
        return a * b
    if kind < 0.8:
        return a + rng.randint(1, 5) * b
    if kind < 0.9:
        return a / (b**2 + 1)
    return a ** rng.randint(2, 4)


def course_functions(n: int, seed: int = 0) -> list[sympy.Expr]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        f = course_function(rng, rng.choice((1, 2, 2, 3)))
        if f.free_symbols and sympy.count_ops(f) <= 40:
            out.append(f)
    return out


def real_diff(f: sympy.Expr) -> sympy.Expr:
    """sympy.diff with x real, so |u|' is sign(u) u' rather than a Derivative of re/im."""
    r = sympy.Dummy("x", real=True)
    return sympy.diff(f.xreplace({x: r}), r).xreplace({r: x})


def correct_forms(d: sympy.Expr) -> list[sympy.Expr]:
    """The derivative as SymPy rewrites it (the witness itself first)."""
    out = [d]
    for rewrite in (sympy.expand, sympy.factor, sympy.together, sympy.cancel, lambda e: sympy.expand_trig(e),
                    lambda e: e.rewrite(sympy.exp) if e.has(tanh) else e, lambda e: sympy.powsimp(e)):
        try:
            form = rewrite(d)
        except Exception:  # noqa: BLE001 -- a rewrite SymPy cannot do is just not a form
            continue
        if form.free_symbols <= {x} and sympy.count_ops(form) <= 400 and not form.has(sympy.I, sympy.re, sympy.im):
            out.append(form)
    return list(dict.fromkeys(out))


def wrong_answers(d: sympy.Expr, rng: random.Random) -> list[tuple[str, sympy.Expr]]:
    """(class, answer) pairs, each different from ``d`` by construction (d not identically 0)."""
    p = Rational(rng.randint(-900, 900), rng.randint(1, 9))
    points = [Rational(rng.randint(-40, 40), rng.randint(1, 6)) for _ in range(6)]
    return [
        ("tiny-constant", d + Rational(1, 10**rng.randint(20, 80))),
        ("tiny-factor", d * (1 + Rational(1, 10**rng.randint(20, 60)))),
        ("exp-underflow", d + exp(-rng.randint(500, 1500))),
        ("shifted-argument", d.xreplace({x: x + Rational(1, 10**rng.randint(20, 40))})),
        ("tiny-power", x ** Rational(1, 10**rng.randint(50, 120)) * d),
        ("narrow-bump", d + exp(-10**rng.randint(5, 9) * (x - p / 100) ** 2)),
        ("saturated-tanh", d * tanh(10**rng.randint(4, 8) * x**2)),
        ("step-far", d + 1 + sign(x - p)),
        ("step-near", d + 1 - sign(x - Rational(rng.randint(1, 99), 1000))),
        ("product-of-points", d + sympy.Mul(*(x - q for q in points))),
        ("negated", -d),
        ("doubled", 2 * d),
        ("half", d / 2),
        ("plus-one", d + 1),
        ("plus-x", d + x),
        ("squared-off", d + (x - p) ** 2 * exp(-(x - p) ** 2) / 10**6),
        ("nested-exp", d + exp(-exp(exp(x**2 + 3)))),
        ("far-exp", d + exp(x - 2000)),
        ("sign-swap", d.replace(sin, cos) if d.has(sin) else d + sin(x)),
        ("abs-instead", d + Abs(x) - x),
    ]


def nonzero(d: sympy.Expr) -> bool:
    """d is not identically zero (at two points, 30 digits)."""
    for v in (Rational(1, 2), Rational(-7, 3)):
        try:
            value = complex(d.subs(x, v).evalf(30))
        except (TypeError, ValueError):
            continue
        if abs(value) > 1e-12:
            return True
    return False
