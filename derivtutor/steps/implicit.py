"""Implicit differentiation: dy/dx for an equation F(x, y) = G(x, y).

Three steps, as the course writes them:

1. differentiate both sides by x, y being a function of x, so each derivative by y
   gets the factor y' (chain rule): F_x + F_y y' = G_x + G_y y';
2. collect the terms with y' on the left: (F_y - G_y) y' = G_x - F_x;
3. solve: y' = (G_x - F_x) / (F_y - G_y).

Each of the four partial derivatives is an ordinary explained Derivation.
The printers are in ``derivtutor.render.implicit``.

>>> from sympy import symbols
>>> x, y = symbols("x y")
>>> implicit(x**2 + y**2, 1, x, y).result
-x/y
"""
from __future__ import annotations

from dataclasses import dataclass

from sympy import Expr, Symbol, cancel, count_ops, simplify

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.steps.engine import Derivation, differentiate, sympify_expr, variable_symbol
from derivtutor.steps.multivariate import Rendered

#: Seconds for sympy.simplify of the solved y' (cancel alone is kept when it runs out).
SIMPLIFY_SECONDS = 0.5


class ImplicitError(ValueError):
    """The equation defines no y' (no y in it, or y' has coefficient 0); ``code`` is a catalogue code."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class ImplicitDerivation(Rendered):
    """dy/dx of ``lhs = rhs``: the four partials ``lhs_x, lhs_y, rhs_x, rhs_y`` and the result."""

    renderer = "derivtutor.render.implicit"

    lhs: Expr
    rhs: Expr
    x: Symbol
    y: Symbol
    lhs_x: Derivation
    lhs_y: Derivation
    rhs_x: Derivation
    rhs_y: Derivation
    solved: Expr      # (G_x - F_x) / (F_y - G_y) as the steps give it
    result: Expr      # the same, simplified

    @property
    def yprime(self) -> Symbol:
        """The symbol printed for dy/dx (y')."""
        return Symbol(self.y.name + "'")

    @property
    def coefficient(self) -> Expr:
        return self.lhs_y.result - self.rhs_y.result

    @property
    def free_part(self) -> Expr:
        return self.rhs_x.result - self.lhs_x.result


def implicit(lhs, rhs, x: str | Symbol = "x", y: str | Symbol = "y") -> ImplicitDerivation:
    """dy/dx for ``lhs = rhs`` (SymPy expressions; text goes through ``implicit_text``).

    Raises ImplicitError when y is not in the equation or its coefficient is zero.
    """
    lhs, rhs = sympify_expr(lhs), sympify_expr(rhs)
    x, y = variable_symbol(x), variable_symbol(y)
    if y not in (lhs - rhs).free_symbols:
        raise ImplicitError("calculus.implicit.no-y")
    parts = [differentiate(side, v) for side in (lhs, rhs) for v in (x, y)]
    coefficient = parts[1].result - parts[3].result
    if cancel(coefficient) == 0:
        raise ImplicitError("calculus.implicit.singular")
    solved = (parts[2].result - parts[0].result) / coefficient
    return ImplicitDerivation(lhs, rhs, x, y, *parts, solved, tidy(solved))


def implicit_text(text: str, x: str = "x", y: str = "y", syntax: str = "auto") -> ImplicitDerivation:
    """dy/dx for an equation typed as text, split at its '=' and parsed safely.

    >>> implicit_text("x y = 1").result
    -y/x
    """
    from derivtutor.input.split import parse_equation

    lhs, rhs = parse_equation(text, syntax, (x, y))
    return implicit(lhs, rhs, x, y)


def tidy(expr: Expr) -> Expr:
    """The shortest of ``expr`` cancelled and simplified (simplify only within SIMPLIFY_SECONDS)."""
    forms = [expr, cancel(expr)]
    expired = None
    try:
        with time_limit(SIMPLIFY_SECONDS) as expired:
            forms.append(simplify(forms[-1]))
    except TimeLimitExceeded as exc:
        if expired is None or not isinstance(exc, expired):
            raise
    return min(forms, key=count_ops)
