"""Automatic mistake diagnosis: typical wrong derivatives generated from the rule tree.

For each node of the correct rule tree (``derivtutor.steps.engine.derive``) the table
``MISTAKES`` lists the slips students make with that rule. Each slip replaces
that one node with a ``WrongRule`` holding the wrong local result
(``dataclasses.replace`` up the path), and the tree's ``eval()`` then gives the
whole derivative a student gets with exactly that mistake. An answer is matched
against every such candidate with the same numeric engine as the check itself
(values at the reference's sample points), so the diagnosis can name the exact
piece: "you forgot to multiply by the derivative of the inner function x^3,
which is 3x^2".

Fallbacks when no candidate matches: answer = -expected is a sign-error;
answer = c * expected for a constant c is a constant-factor; an answer whose
derivative is the function itself is integrated-instead.

>>> from sympy import Symbol, cos
>>> x = Symbol("x")
>>> [(m.code, m.key, m.expr) for m in candidates(cos(x**2), x)][:2]
[('missing-inner-derivative', 'forgot-inner', -sin(x**2)), ('sign-error', 'cos-sign', 2*x*sin(x**2))]
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, ClassVar

from sympy import Add, Expr, Mul, Pow, Symbol, exp, sin, sqrt

from derivtutor.functions import sigmoid
from derivtutor.render.notation import course_str
from derivtutor.steps.rules import ChainRule, Rule
from derivtutor.steps.engine import derive

#: The stable diagnosis codes.
CODES = (
    "missing-inner-derivative", "sign-error", "constant-factor", "product-rule",
    "quotient-rule", "power-rule", "wrong-outer-derivative", "integrated-instead",
)


@dataclass(frozen=True)
class WrongRule(Rule):
    """A rule that returns a fixed, wrong result: the seam for injecting one mistake."""

    result: Expr = None
    rule_id: ClassVar[str] = "wrong"

    def eval(self) -> Expr:
        return self.result


@dataclass(frozen=True)
class Mistake:
    """One typical wrong derivative: its codes, message key and fields, and the whole result."""

    codes: tuple[str, ...]                 # diagnosis codes, the main one first
    key: str                               # message code in locale/check.toml: check.mistake.<key>
    expr: Expr                             # the whole wrong derivative
    fields: tuple[tuple[str, object], ...]  # message fields: expressions, shown in the student's language

    @property
    def code(self) -> str:
        return self.codes[0]


def show(expr, lang: str = "en") -> str:
    """Plain student notation: x^3 for x**3, 3x^2 for 3*x**2, 1/cos(x)^2, ln and |x| (tg in Russian).

    >>> from sympy import Symbol, cos, log
    >>> x = Symbol("x")
    >>> show(3 * x**2), show(1 / cos(x**2) ** 2), show(log(x) / x)
    ('3x^2', '1/cos(x^2)^2', 'ln(x)/x')
    """
    if isinstance(expr, (Mul, Pow)):
        # Factors with a negative numeric exponent go below the bar; nothing is rewritten.
        factors = Mul.make_args(expr)
        below = [f for f in factors if f.is_Pow and f.exp.is_Number and f.exp < 0]
        numer = Mul(*(f for f in factors if f not in below))
        denom = Mul(*(f.base ** -f.exp for f in below))
        coeff = numer.as_coeff_Mul()[0]
        if below and coeff.is_Rational and coeff.q != 1:  # -1/2/x^(3/2) -> -1/(2x^(3/2))
            numer, denom = numer * coeff.q, Mul(coeff.q, denom)
        if below:
            bottom = _plain(denom, lang)
            if isinstance(denom, Mul) or (isinstance(denom, Add)):
                bottom = f"({bottom})"
            top = _plain(numer, lang)
            if isinstance(numer, Add):
                top = f"({top})"
            return f"{top}/{bottom}"
    return _plain(expr, lang)


def _plain(expr, lang: str = "en") -> str:
    text = course_str(expr, lang)
    # Join a number to a single-letter symbol or a bracket only: 2*atan stays 2*atan.
    return re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z](?![A-Za-z(])|\()", r"\1", text)


# --- The mistake table: rule_id -> ((code or codes, key, make), ...) ------------------
# A slip that is two things at once lists both codes, the main one first: x^(n-1) for
# (x^n)' is a power-rule slip that loses the constant factor n.
# ``make(rule)`` returns the wrong local results, each a (result, extra fields) pair,
# in the rule's own variable (the substitution symbol u inside a chain).

def _one(result, **fields):
    return [(result, fields)]


def _power_up(r):
    return _one(r.exp * r.base ** (r.exp + 1))


def _power_same(r):
    return _one(r.exp * r.base ** r.exp)


def _power_lost_n(r):
    return [] if r.exp in (0, 1, -1) else _one(r.base ** (r.exp - 1), factor=(r.exp))


def _sqrt_lost_half(r):
    return _one(1 / sqrt(r.base))


def _product_of_derivatives(r):
    return _one(Mul(*(rule.eval() for rule in r.substeps)))


def _product_dropped_term(r):
    out = []
    for i, rule in enumerate(r.substeps):
        term = Mul(rule.eval(), *(r.factors[:i] + r.factors[i + 1:]))
        if term != 0:
            out.append((r.eval() - term, {"term": (term)}))
    return out


def _quotient_swapped(r):
    return _one((r.numer * r.denom_rule.eval() - r.numer_rule.eval() * r.denom) / r.denom**2)


def _quotient_of_derivatives(r):
    dg = r.denom_rule.eval()
    return [] if dg == 0 else _one(r.numer_rule.eval() / dg)


def _quotient_no_square(r):
    return _one((r.numer_rule.eval() * r.denom - r.numer * r.denom_rule.eval()) / r.denom,
                denom=(r.denom))


def _flip(r):
    return _one(-r.eval())


def _log_diff_as_power(r):
    return _one(r.exp * r.base ** (r.exp - 1) * r.base_rule.eval())


MISTAKES: dict[str, tuple[tuple[str, str, Callable], ...]] = {
    "power": (("power-rule", "power-up", _power_up), ("power-rule", "power-same", _power_same),
              (("constant-factor", "power-rule"), "power-lost-n", _power_lost_n)),
    "sqrt": (("constant-factor", "sqrt-lost-half", _sqrt_lost_half),),
    "product": (("product-rule", "product-of-derivatives", _product_of_derivatives),
                ("product-rule", "product-dropped-term", _product_dropped_term)),
    "quotient": ((("quotient-rule", "sign-error"), "quotient-swapped", _quotient_swapped),
                 ("quotient-rule", "quotient-of-derivatives", _quotient_of_derivatives),
                 ("quotient-rule", "quotient-no-square", _quotient_no_square)),
    "constant_multiple": (("constant-factor", "lost-constant",
                           lambda r: _one(r.rule.eval(), constant=(r.constant))),),
    "sin": (("sign-error", "sin-sign", _flip),),
    "cos": (("sign-error", "cos-sign", _flip),),
    "cot": (("sign-error", "cot-sign", _flip),),
    "acos": (("sign-error", "acos-sign", _flip),),
    "acot": (("sign-error", "acot-sign", _flip),),
    "tan": (("wrong-outer-derivative", "tan-over-sin", lambda r: _one(1 / sin(r.var) ** 2)),),
    "exp": (("wrong-outer-derivative", "exp-as-power", lambda r: _one(r.var * exp(r.var - 1))),),
    "exponential": (("wrong-outer-derivative", "exp-as-power",
                     lambda r: _one(r.var * r.base ** (r.var - 1))),
                    ("constant-factor", "lost-ln-base", lambda r: _one(r.base ** r.var, base=(r.base)))),
    "log_base": (("constant-factor", "lost-ln-base-log", lambda r: _one(1 / r.var, base=(r.base))),),
    "sigmoid": (("wrong-outer-derivative", "sigmoid-as-itself", lambda r: _one(sigmoid(r.var))),),
    "log_diff": (("power-rule", "power-variable-exponent", _log_diff_as_power),),
}


def _walk(rule: Rule, shown: dict | None = None):
    """(node, {u: inner}) for every node, pre-order; the map shows a chain's outer rule in x."""
    yield rule, shown or {}
    if isinstance(rule, ChainRule):
        yield from _walk(rule.outer, {rule.u: rule.inner_expr})
        yield from _walk(rule.inner)
    else:
        for child in rule.children():
            yield from _walk(child)


def replace_node(root: Rule, target: Rule, new: Rule) -> Rule:
    """``root`` with the node ``target`` (by identity) replaced by ``new``."""
    if root is target:
        return new
    changes = {}
    for f in dataclasses.fields(root):
        value = getattr(root, f.name)
        if isinstance(value, Rule):
            replaced = replace_node(value, target, new)
            if replaced is not value:
                changes[f.name] = replaced
        elif isinstance(value, tuple) and any(isinstance(v, Rule) for v in value):
            items = tuple(replace_node(v, target, new) if isinstance(v, Rule) else v for v in value)
            if any(a is not b for a, b in zip(items, value)):
                changes[f.name] = items
    return dataclasses.replace(root, **changes) if changes else root


def _local_mistakes(node: Rule, shown: dict):
    """(code, key, local wrong result, fields) for one node."""
    if isinstance(node, ChainRule) and not isinstance(node.inner, WrongRule):
        inner_derivative = node.inner.eval()
        if inner_derivative != 1:
            yield ("missing-inner-derivative", "forgot-inner", None,
                   {"inner": (node.inner_expr), "inner_derivative": (inner_derivative)})
    for code, key, make in MISTAKES.get(node.rule_id, ()):
        for wrong, extra in make(node):
            fields = {"piece": (node.expr.xreplace(shown)),
                      "right": (node.eval().xreplace(shown)),
                      "wrong": (wrong.xreplace(shown)), **extra}
            yield code, key, wrong, fields


@lru_cache(maxsize=1024)
def rule_tree(function: Expr, var: Symbol):
    """``derive(function, var)``, once per exercise: the reference and the mistakes share it
    (rule trees are frozen dataclasses)."""
    return derive(function, var)


@lru_cache(maxsize=1024)
def rule_derivative(function: Expr, var: Symbol) -> Expr:
    """``rule_tree(function, var).eval()``, once per function: the checker's reference, the
    variant's answer and the mistakes' "right" result are this one expression."""
    return rule_tree(function, var).eval()


@lru_cache(maxsize=4096)
def candidates(function: Expr, var: Symbol) -> tuple[Mistake, ...]:
    """Every single-mistake wrong derivative of ``function``, outermost rule first."""
    tree = rule_tree(function, var)
    right = rule_derivative(function, var)
    out, seen = [], {right}
    for node, shown in _walk(tree):
        for code, key, wrong, fields in _local_mistakes(node, shown):
            if wrong is None:  # forgot the inner derivative: multiply by 1 instead of g'
                new = dataclasses.replace(node, inner=WrongRule(node.inner_expr, var, result=1))
            else:
                new = WrongRule(node.expr, node.var, result=wrong)
            expr = replace_node(tree, node, new).eval()
            if expr not in seen:
                seen.add(expr)
                codes = (code,) if isinstance(code, str) else tuple(code)
                out.append(Mistake(codes, key, expr, tuple(sorted(fields.items()))))
    return tuple(out)
