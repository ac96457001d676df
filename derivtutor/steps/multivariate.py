"""Several derivatives at once: higher orders, the gradient, the Hessian and the Jacobian.

Every entry is an ordinary ``Derivation`` (rule tree, then simplification), so each
one is explained step by step like a single derivative:

- ``higher_order(f, x, n)``: the derivatives of order 1..n, each differentiating the
  previous one's result;
- ``gradient(f, variables)``: one partial derivative per variable;
- ``hessian(f, variables)``: entry (i, j) differentiates gradient entry i by variable j;
- ``jacobian(components, variables)``: row i holds the partials of component i.

The printers are in ``derivtutor.render.multivariate``.

>>> from sympy import symbols
>>> x, y = symbols("x y")
>>> gradient(x**2 * y).result
(2*x*y, x**2)
>>> hessian(x**2 * y).result
((2*y, 2*x), (2*x, 0))
>>> higher_order(x**4, x, 3).result
24*x
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sympy import Expr, Symbol

from derivtutor.steps.engine import Derivation, differentiate, sympify_expr, variable_symbol

MAX_ORDER = 5


def _expr(expr_or_text, variables=None) -> Expr:
    if isinstance(expr_or_text, str):
        from derivtutor.input.parsing import parse

        return parse(expr_or_text, variables=[v.name for v in variables or ()] or None)
    return sympify_expr(expr_or_text)


def variables_of(expr: Expr | tuple, variables=None) -> tuple[Symbol, ...]:
    """The given variable names as Symbols, or every free symbol of ``expr`` by name.

    >>> from sympy import symbols
    >>> w0, w1, x = symbols("w0 w1 x")
    >>> variables_of(x * w1 + w0), variables_of(x, "y,x")
    ((w0, w1, x), (y, x))
    """
    if variables is not None:
        names = variables.split(",") if isinstance(variables, str) else list(variables)
        return tuple(variable_symbol(n.strip() if isinstance(n, str) else n) for n in names)
    exprs = expr if isinstance(expr, tuple) else (expr,)
    return tuple(sorted(set().union(*(e.free_symbols for e in exprs)), key=lambda s: s.name))


class Rendered:
    """The five output forms of a multi-derivation result, printed by the ``renderer`` module."""

    kind = ""
    renderer = "derivtutor.render.multivariate"

    def _render(self, form: str, *args):
        import importlib

        return getattr(importlib.import_module(self.renderer), f"render_{form}")(self, *args)

    def to_text(self, lang: str = "en", detail: str = "full") -> str:
        return self._render("text", lang, detail)

    def to_latex(self, lang: str = "en", detail: str = "full", standalone: bool = False) -> str:
        return self._render("latex", lang, detail, standalone)

    def to_markdown(self, lang: str = "en", detail: str = "full") -> str:
        return self._render("markdown", lang, detail)

    def to_dict(self, lang: str = "en", detail: str = "full") -> dict:
        return self._render("dict", lang, detail)

    def to_json(self, lang: str = "en", detail: str = "full") -> str:
        return json.dumps(self.to_dict(lang, detail), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class HigherOrder(Rendered):
    """Derivatives of order 1..n: ``orders[k]`` differentiates ``orders[k-1].result``."""

    expr: Expr
    var: Symbol
    orders: tuple[Derivation, ...]
    kind = "order"

    @property
    def result(self) -> Expr:
        return self.orders[-1].result


@dataclass(frozen=True)
class Gradient(Rendered):
    """The partial derivatives of ``expr``, one Derivation per variable."""

    expr: Expr
    variables: tuple[Symbol, ...]
    entries: tuple[Derivation, ...]
    kind = "gradient"

    @property
    def result(self) -> tuple[Expr, ...]:
        return tuple(d.result for d in self.entries)


@dataclass(frozen=True)
class Hessian(Rendered):
    """Second partials: ``entries[i][j]`` differentiates ``gradient.entries[i].result`` by variable j."""

    expr: Expr
    variables: tuple[Symbol, ...]
    gradient: Gradient
    entries: tuple[tuple[Derivation, ...], ...]
    kind = "hessian"

    @property
    def result(self) -> tuple[tuple[Expr, ...], ...]:
        return tuple(tuple(d.result for d in row) for row in self.entries)


@dataclass(frozen=True)
class Jacobian(Rendered):
    """``entries[i][j]`` is the partial of ``components[i]`` by ``variables[j]``."""

    components: tuple[Expr, ...]
    variables: tuple[Symbol, ...]
    entries: tuple[tuple[Derivation, ...], ...]
    kind = "jacobian"

    @property
    def result(self) -> tuple[tuple[Expr, ...], ...]:
        return tuple(tuple(d.result for d in row) for row in self.entries)


def higher_order(expr_or_text, var: str | Symbol = "x", order: int = 2) -> HigherOrder:
    """The derivatives of order 1..``order`` (1 to MAX_ORDER), each explained.

    >>> [str(d.result) for d in higher_order("sin(x^2)", "x", 2).orders]
    ['2*x*cos(x**2)', '-4*x**2*sin(x**2) + 2*cos(x**2)']
    """
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be an integer from 1 to {MAX_ORDER}, not {order!r}")
    x = variable_symbol(var)
    expr = _expr(expr_or_text, (x,))
    orders, current = [], expr
    for _ in range(order):
        derivation = differentiate(current, x)
        orders.append(derivation)
        current = derivation.result
    return HigherOrder(expr, x, tuple(orders))


def gradient(expr_or_text, variables=None) -> Gradient:
    """The gradient, one explained partial derivative per variable (default: all, by name).

    >>> gradient("1 + e^(w1 x + w0)", "w0,w1").result
    (exp(w0 + w1*x), x*exp(w0 + w1*x))
    """
    given = variables_of((), variables) if variables is not None else None
    expr = _expr(expr_or_text, given)
    xs = given or variables_of(expr)
    return Gradient(expr, xs, tuple(differentiate(expr, x) for x in xs))


def hessian(expr_or_text, variables=None) -> Hessian:
    """The Hessian: each entry differentiates a gradient entry once more, with its steps."""
    g = gradient(expr_or_text, variables)
    rows = tuple(tuple(differentiate(d.result, x) for x in g.variables) for d in g.entries)
    return Hessian(g.expr, g.variables, g, rows)


def jacobian(components, variables=None) -> Jacobian:
    """The Jacobian of a vector function (a sequence of expressions or texts).

    >>> jacobian(["x*y", "x + y"]).result
    ((y, x), (1, 1))
    """
    given = variables_of((), variables) if variables is not None else None
    exprs = tuple(_expr(c, given) for c in components)
    xs = given or variables_of(exprs)
    rows = tuple(tuple(differentiate(f, x) for x in xs) for f in exprs)
    return Jacobian(exprs, xs, rows)
