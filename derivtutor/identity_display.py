"""Display forms for identity steps: the shapes a teacher writes that SymPy would evaluate away.

SymPy turns ``(e^-x + (1 - 1))/(1 + e^-x)`` into ``e^-x/(1 + e^-x)`` the moment it
is built, and printing unevaluated trees is unreliable. These four small nodes keep
the shape for display; ``value`` gives the ordinary SymPy expression they stand for.

>>> from sympy import Symbol, exp
>>> x = Symbol("x")
>>> value(Frac(Terms(((1, exp(-x)), (1, Terms(((1, 1), (-1, 1)))))), 1 + exp(-x)))
exp(-x)/(1 + exp(-x))
"""
from __future__ import annotations

from dataclasses import dataclass

from sympy import Add, Derivative, Expr, Mul, Symbol


@dataclass(frozen=True)
class Prod:
    """factors[0] * factors[1] * ..., shown with a multiplication dot."""

    factors: tuple


@dataclass(frozen=True)
class Frac:
    """numer / denom, shown as a fraction."""

    numer: object
    denom: object


@dataclass(frozen=True)
class Terms:
    """A sum shown term by term: ``items`` are (sign +1 or -1, node) pairs."""

    items: tuple


@dataclass(frozen=True)
class Deriv:
    """d/dvar expr, left unevaluated."""

    expr: object
    var: Symbol


def value(node) -> Expr:
    """The SymPy expression a display node stands for."""
    if isinstance(node, Prod):
        return Mul(*(value(f) for f in node.factors))
    if isinstance(node, Frac):
        return value(node.numer) / value(node.denom)
    if isinstance(node, Terms):
        return Add(*(sign * value(item) for sign, item in node.items))
    if isinstance(node, Deriv):
        return Derivative(value(node.expr), node.var)
    return node
