"""|u| for real variables: |e^x| is e^x, |2^x| is 2^x, never e^re(x).

SymPy's ``Abs`` takes its symbols as complex and writes |e^x| as e^re(x), which
the parser's whitelist then refuses. Every letter of the course is real, so
``real_abs`` evaluates |u| with real stand-ins for the letters and puts the
letters back.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> real_abs(sympy.exp(x)), real_abs(2**x), real_abs(x)
(exp(x), 2**x, Abs(x))
"""
from __future__ import annotations

import sympy


def real_abs(inner: sympy.Expr) -> sympy.Expr:
    """|inner| with every free symbol taken as real."""
    real = {s: sympy.Dummy(s.name, real=True) for s in inner.free_symbols}
    if not real:
        return sympy.Abs(inner)
    back = {d: s for s, d in real.items()}
    return sympy.Abs(inner.xreplace(real)).xreplace(back)
