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

from sympy import Add, Derivative, Expr, Integer, Mul, Symbol


@dataclass(frozen=True)
class Prod:
    """factors[0] * factors[1] * ..., shown with a multiplication dot."""

    factors: tuple

    def value(self) -> Expr:
        return Mul(*(value(f) for f in self.factors))


@dataclass(frozen=True)
class Frac:
    """numer / denom, shown as a fraction."""

    numer: object
    denom: object

    def value(self) -> Expr:
        return value(self.numer) / value(self.denom)


@dataclass(frozen=True)
class Terms:
    """A sum shown term by term: ``items`` are (sign +1 or -1, node) pairs."""

    items: tuple

    def value(self) -> Expr:
        return Add(*(sign * value(item) for sign, item in self.items))


@dataclass(frozen=True)
class Deriv:
    """d/dvar expr, left unevaluated."""

    expr: object
    var: Symbol

    def value(self) -> Expr:
        return Derivative(value(self.expr), self.var)


def value(node) -> Expr:
    """The SymPy expression a display node (or a plain SymPy expression or int) stands for."""
    if isinstance(node, (Prod, Frac, Terms, Deriv)):
        return node.value()
    return sympify_number(node)


def sympify_number(node) -> Expr:
    """SymPy expressions pass through; Python ints (used for the 1 in 1 - 1) become Integers."""
    return Integer(node) if isinstance(node, int) else node
