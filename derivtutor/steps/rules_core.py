"""Derivative rules, part 1: the structural rules (sum, product, quotient, chain, powers).

Each rule is a frozen dataclass whose fields are the expression it differentiates
(``expr``), the variable (``var``) and, for composite rules, the rules of its parts.
``eval()`` returns the derivative and is computed from the children's ``eval()``
only (never by ``sympy.diff``), so replacing one child with
``dataclasses.replace`` gives the derivative a student gets with that one local
mistake:

>>> from sympy import Symbol, sin
>>> from derivtutor.steps.engine import derive
>>> x = Symbol("x")
>>> rule = derive(x**2 * sin(x), x)
>>> rule.rule_id, rule.eval()
('product', x**2*cos(x) + 2*x*sin(x))

The elementary functions (exp, log, trigonometric, ...) are in ``rules_elementary``;
``derivtutor.steps.rules`` re-exports both.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import sympy
from sympy import Add, Expr, Integer, Mul, Symbol, log, sqrt


@dataclass(frozen=True)
class Rule:
    """A rule that differentiates ``expr`` with respect to ``var``.

    Fields: ``expr`` (the SymPy expression differentiated), ``var`` (the Symbol).
    Class attributes: ``rule_id`` (stable id) and ``formula`` (the rule in maths).
    """

    expr: Expr
    var: Symbol
    rule_id: ClassVar[str] = "rule"
    formula: ClassVar[str] = ""

    def eval(self) -> Expr:
        raise NotImplementedError

    def children(self) -> tuple[Rule, ...]:
        """The sub-rules, in field order (tuples of rules are flattened)."""
        out: list[Rule] = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Rule):
                out.append(value)
            elif isinstance(value, tuple):
                out.extend(v for v in value if isinstance(v, Rule))
        return tuple(out)

    def contains_dont_know(self) -> bool:
        """True when this rule or any sub-rule is the "cannot explain" fallback."""
        return any(child.contains_dont_know() for child in self.children())


def iter_rules(rule: Rule) -> Iterator[Rule]:
    """Every node of a rule tree, in pre-order (the rule first, then its children)."""
    yield rule
    for child in rule.children():
        yield from iter_rules(child)


@dataclass(frozen=True)
class ConstantRule(Rule):
    """c' = 0 for any ``expr`` free of ``var``."""

    rule_id: ClassVar[str] = "constant"
    formula: ClassVar[str] = "c' = 0"

    def eval(self) -> Expr:
        return Integer(0)


@dataclass(frozen=True)
class VariableRule(Rule):
    """x' = 1 (``expr`` is ``var`` itself)."""

    rule_id: ClassVar[str] = "variable"
    formula: ClassVar[str] = "x' = 1"

    def eval(self) -> Expr:
        return Integer(1)


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """(c f)' = c f'.  Fields: ``constant`` (c), ``rule`` (the rule for f)."""

    constant: Expr
    rule: Rule
    rule_id: ClassVar[str] = "constant_multiple"
    formula: ClassVar[str] = "(c f)' = c f'"

    def eval(self) -> Expr:
        return self.constant * self.rule.eval()


@dataclass(frozen=True)
class SumRule(Rule):
    """(f + g + ...)' = f' + g' + ...  Field: ``terms`` (tuple of the terms' rules)."""

    terms: tuple[Rule, ...]
    rule_id: ClassVar[str] = "sum"
    formula: ClassVar[str] = "(f + g)' = f' + g'"

    def eval(self) -> Expr:
        return Add(*(term.eval() for term in self.terms))


@dataclass(frozen=True)
class PowerRule(Rule):
    """(x^n)' = n x^(n-1) for a constant n.  Fields: ``base`` (x), ``exp`` (n).

    ``base`` is the variable itself; a power of a function is a ChainRule whose
    ``outer`` is a PowerRule in the substitution symbol.
    """

    base: Expr
    exp: Expr
    rule_id: ClassVar[str] = "power"
    formula: ClassVar[str] = "(x^n)' = n x^(n-1)"

    def eval(self) -> Expr:
        return self.exp * self.base ** (self.exp - 1)


@dataclass(frozen=True)
class SqrtRule(PowerRule):
    """(sqrt x)' = 1/(2 sqrt x), the power rule with n = 1/2.  Fields as PowerRule."""

    rule_id: ClassVar[str] = "sqrt"
    formula: ClassVar[str] = "(sqrt x)' = 1/(2 sqrt x)"

    def eval(self) -> Expr:
        return 1 / (2 * sqrt(self.base))


@dataclass(frozen=True)
class ProductRule(Rule):
    """(f g h)' = f' g h + f g' h + f g h'.

    Fields: ``factors`` (tuple of the factor expressions) and ``substeps`` (tuple of
    their rules, same order; also available as ``factor_rules``).
    """

    factors: tuple[Expr, ...]
    substeps: tuple[Rule, ...]
    rule_id: ClassVar[str] = "product"
    formula: ClassVar[str] = "(f g)' = f' g + f g'"

    @property
    def factor_rules(self) -> tuple[Rule, ...]:
        return self.substeps

    def eval(self) -> Expr:
        terms = []
        for i, rule in enumerate(self.substeps):
            others = self.factors[:i] + self.factors[i + 1:]
            terms.append(Mul(rule.eval(), *others))
        return Add(*terms)


@dataclass(frozen=True)
class QuotientRule(Rule):
    """(f/g)' = (f' g - f g') / g^2.

    Fields: ``numer`` (f), ``denom`` (g), ``numer_rule`` (rule for f), ``denom_rule``
    (rule for g).
    """

    numer: Expr
    denom: Expr
    numer_rule: Rule
    denom_rule: Rule
    rule_id: ClassVar[str] = "quotient"
    formula: ClassVar[str] = "(f/g)' = (f' g - f g')/g^2"

    def eval(self) -> Expr:
        f, g = self.numer, self.denom
        return (self.numer_rule.eval() * g - f * self.denom_rule.eval()) / g**2


@dataclass(frozen=True)
class ChainRule(Rule):
    """(f(g(x)))' = f'(u) g'(x) with u = g(x).

    Fields: ``outer`` (the rule for f(u), differentiated with respect to ``u``),
    ``inner`` (the rule for g(x)), ``u`` (the substitution Symbol, named so that it
    clashes with nothing in the expression), ``inner_expr`` (g(x)).
    """

    outer: Rule
    inner: Rule
    u: Symbol
    inner_expr: Expr
    rule_id: ClassVar[str] = "chain"
    formula: ClassVar[str] = "(f(g(x)))' = f'(g(x)) g'(x)"

    def eval(self) -> Expr:
        # u is a fresh symbol, so a plain replacement is exact (and faster than subs).
        return self.outer.eval().xreplace({self.u: self.inner_expr}) * self.inner.eval()


@dataclass(frozen=True)
class LogDiffRule(Rule):
    """(f^g)' = f^g (g' ln f + g f'/f), by logarithmic differentiation.

    Fields: ``base`` (f), ``exp`` (g), ``base_rule`` (rule for f), ``exp_rule`` (rule for g).
    """

    base: Expr
    exp: Expr
    base_rule: Rule
    exp_rule: Rule
    rule_id: ClassVar[str] = "log_diff"
    formula: ClassVar[str] = "(f^g)' = f^g (g' ln f + g f'/f)"

    def eval(self) -> Expr:
        f, g = self.base, self.exp
        return f**g * (self.exp_rule.eval() * log(f) + g * self.base_rule.eval() / f)


@dataclass(frozen=True)
class DontKnowRule(Rule):
    """The "cannot explain" fallback: no named rule applies to ``expr``.

    ``eval()`` still returns the right derivative (from SymPy), so a result is
    always correct; the renderers say the step is not explained.
    """

    rule_id: ClassVar[str] = "dont_know"
    formula: ClassVar[str] = ""

    def eval(self) -> Expr:
        return sympy.diff(self.expr, self.var)

    def contains_dont_know(self) -> bool:
        return True
