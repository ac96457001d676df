"""Derivative rules, part 3: the ReLU family, functions with a kink.

The kink convention (shared with the backprop engine): at a kink the derivative is
the left-hand one, so with the step H(x) (H(0) = 0)::

    relu'(x)          = H(x)                 relu'(0) = 0
    leaky_relu'(x, a) = a + (1 - a) H(x)     leaky_relu'(0, a) = a
    H'(x)             = 0                    (x != 0; at 0 the step has no derivative)
    softplus'(x)      = sigma(x)             (smooth: no kink)

``relu(x)`` and ``max(0, x)`` are one expression, SymPy's ``Max(0, x)``.
``kink_finders(finder)`` gives the finder-table entries for these expression types.

>>> from sympy import Symbol
>>> from derivtutor.functions import relu
>>> from derivtutor.steps.engine import derive
>>> x = Symbol("x")
>>> derive(relu(x**2 - 1), x).eval()
2*x*Heaviside(x**2 - 1, 0)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sympy import Expr, Heaviside, Integer, Max

from derivtutor.functions import leaky_relu, relu, sigmoid, softplus, step
from derivtutor.steps.rules_core import DontKnowRule, Rule


@dataclass(frozen=True)
class ReluRule(Rule):
    """relu'(x) = H(x): 1 for x > 0, 0 for x < 0, and 0 at the kink (H(0) = 0)."""

    rule_id: ClassVar[str] = "relu"
    formula: ClassVar[str] = "relu'(x) = H(x), H(0) = 0"

    def eval(self) -> Expr:
        return step(self.var)


@dataclass(frozen=True)
class LeakyReluRule(Rule):
    """leaky_relu'(x, a) = a + (1 - a) H(x): 1 for x > 0, a for x <= 0.  Field: ``slope`` (a)."""

    slope: Expr
    rule_id: ClassVar[str] = "leaky_relu"
    formula: ClassVar[str] = "leaky_relu'(x, a) = a + (1 - a) H(x), H(0) = 0"

    def eval(self) -> Expr:
        return self.slope + (1 - self.slope) * step(self.var)


@dataclass(frozen=True)
class HeavisideRule(Rule):
    """H'(x) = 0 for x != 0 (the step is constant on each side; at 0 it has no derivative)."""

    rule_id: ClassVar[str] = "heaviside"
    formula: ClassVar[str] = "H'(x) = 0"

    def eval(self) -> Expr:
        return Integer(0)


@dataclass(frozen=True)
class SoftplusRule(Rule):
    """softplus'(x) = sigma(x), for softplus(x) = ln(1 + e^x)."""

    rule_id: ClassVar[str] = "softplus"
    formula: ClassVar[str] = "softplus'(x) = sigma(x)"

    def eval(self) -> Expr:
        return sigmoid(self.var)


KINK_RULES = (ReluRule, LeakyReluRule, HeavisideRule, SoftplusRule)


def kink_finders(finder) -> dict:
    """Finder-table entries (expression type -> method) for the ReLU family.

    ``finder`` is the engine's finder: its ``_chain`` builds f(g(x)) from the rule for f(u).
    """
    def find_max(expr, var):
        if len(expr.args) != 2 or Integer(0) not in expr.args:
            return DontKnowRule(expr, var)  # max of two functions: not a ReLU
        (inner,) = [a for a in expr.args if a != 0]
        return finder._chain(expr, var, inner, lambda u: ReluRule(relu(u), u))

    def find_heaviside(expr, var):
        return finder._chain(expr, var, expr.args[0], lambda u: HeavisideRule(step(u), u))

    def find_leaky(expr, var):
        x, a = expr.args
        if var in a.free_symbols:
            return DontKnowRule(expr, var)  # a slope that varies is not the leaky ReLU rule
        return finder._chain(expr, var, x, lambda u: LeakyReluRule(leaky_relu(u, a), u, a))

    def find_softplus(expr, var):
        return finder._chain(expr, var, expr.args[0], lambda u: SoftplusRule(softplus(u), u))

    return {Max: find_max, Heaviside: find_heaviside, leaky_relu: find_leaky, softplus: find_softplus}
