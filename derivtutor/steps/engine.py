"""Step-by-step differentiation: find the rule tree, evaluate it, explain it.

``derive(expr, var)`` picks a rule through a lookup table keyed on the
expression's type and always returns a Rule (``DontKnowRule`` when nothing
applies). ``differentiate(expr_or_text, var)`` adds the simplification steps and
returns a ``Derivation`` that renders as text, LaTeX, Markdown or JSON.

>>> from sympy import Symbol, tan
>>> x = Symbol("x")
>>> derive(tan(x**2), x).eval()
2*x/cos(x**2)**2
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sympy import (
    Abs, Add, E, Expr, Float, Integer, Mul, Pow, Rational, Symbol, acos, acosh, acot, asin, asinh, atan, atanh,
    cos, cosh, cot, coth, csc, csch, exp, log, sec, sech, sign, sin, sinh, tan, tanh,
)

from derivtutor.functions import sigmoid
from derivtutor.steps.rules import (
    AbsRewriteRule, AbsRule, AcoshRule, AcosRule, AcotRule, AsinhRule, AsinRule, AtanhRule, AtanRule, ChainRule,
    ConstantMultipleRule, ConstantRule, CoshRule, CosRule, CothRule, CotRule, CschRule, CscRule, DontKnowRule,
    ExponentialRule, ExpRule, LogBaseRule, LogDiffRule, LogRule, PowerRule, ProductRule, QuotientRule, Rule,
    SechRule, SecRule, SigmoidRule, SignRule, SinhRule, SinRule, SqrtRule, SumRule, TanhRule, TanRule,
    VariableRule,
)
from derivtutor.steps.rules_elementary import abs_inside_real
from derivtutor.steps.rules_kinks import kink_finders
from derivtutor.steps.simplification import SimplifyStep, chain_factors, simplify_steps

#: Function class -> rule for that function applied to the variable itself.
FUNCTION_RULES: dict[type, type[Rule]] = {
    exp: ExpRule, log: LogRule,
    sin: SinRule, cos: CosRule, tan: TanRule, cot: CotRule, sec: SecRule, csc: CscRule,
    asin: AsinRule, acos: AcosRule, atan: AtanRule, acot: AcotRule,
    sinh: SinhRule, cosh: CoshRule, tanh: TanhRule, coth: CothRule, sech: SechRule, csch: CschRule,
    asinh: AsinhRule, acosh: AcoshRule, atanh: AtanhRule,
    sigmoid: SigmoidRule, Abs: AbsRule, sign: SignRule,
}


def substitution_names(taken: set[str]) -> Iterator[Symbol]:
    """Fresh substitution symbols u, v, w, u1, u2, ... skipping the names in ``taken``.

    >>> [s.name for s, _ in zip(substitution_names({"v"}), range(4))]
    ['u', 'w', 'u1', 'u2']
    """
    def candidates():
        yield from ("u", "v", "w")
        k = 1
        while True:
            yield f"u{k}"
            k += 1

    for name in candidates():
        if name not in taken:
            yield Symbol(name)


class _Finder:
    """Chooses rules; holds the supply of substitution names for one derivation."""

    def __init__(self, expr: Expr, var: Symbol):
        taken = {s.name for s in expr.free_symbols} | {var.name}
        self.names = substitution_names(taken)
        self.table = {Add: self._add, Mul: self._mul, Pow: self._pow, **kink_finders(self)}

    def derive(self, expr: Expr, var: Symbol) -> Rule:
        if var not in expr.free_symbols:
            return ConstantRule(expr, var)
        if expr == var:
            return VariableRule(expr, var)
        if isinstance(expr, Abs):
            rewritten = abs_inside_real(expr)
            if rewritten != expr:  # |x^(3/2)| = |x|^(3/2): sign(u) u' needs a real u
                return AbsRewriteRule(expr, var, rewritten, self.derive(rewritten, var))
        for cls in type(expr).__mro__:
            if cls in self.table:
                return self.table[cls](expr, var)
            if cls in FUNCTION_RULES:
                return self._function(expr, var, FUNCTION_RULES[cls])
        return DontKnowRule(expr, var)

    def _chain(self, expr: Expr, var: Symbol, inner_expr: Expr, make_outer) -> Rule:
        """f(g(x)): ``make_outer(u)`` builds the rule for f(u)."""
        if inner_expr == var:
            return make_outer(var)
        u = next(self.names)
        outer = make_outer(u)
        return ChainRule(expr, var, outer, self.derive(inner_expr, var), u, inner_expr)

    def _function(self, expr: Expr, var: Symbol, rule_cls: type[Rule]) -> Rule:
        if len(expr.args) != 1:
            return DontKnowRule(expr, var)
        return self._chain(expr, var, expr.args[0], lambda u: rule_cls(expr.func(u), u))

    def _add(self, expr: Expr, var: Symbol) -> Rule:
        terms = tuple(self.derive(term, var) for term in expr.as_ordered_terms())
        return SumRule(expr, var, terms)

    def _mul(self, expr: Expr, var: Symbol) -> Rule:
        constant, rest = expr.as_independent(var, as_Add=False)
        log_base = _log_base(constant, rest)
        if log_base is not None:
            base, k = log_base
            a = base
            rule = self._chain(rest * k, var, rest.args[0],
                               lambda u: LogBaseRule(log(u) / log(a), u, a))
            constant = constant / k
            return rule if constant == 1 else ConstantMultipleRule(expr, var, constant, rule)
        if constant != 1:
            return ConstantMultipleRule(expr, var, constant, self.derive(rest, var))
        factors = Mul.make_args(rest)
        denom = [1 / f for f in factors if _is_reciprocal(f)]
        if denom and (len(denom) > 1 or len(denom) < len(factors)):
            numer = Mul(*(f for f in factors if not _is_reciprocal(f)))
            g = Mul(*denom)
            return QuotientRule(expr, var, numer, g, self.derive(numer, var), self.derive(g, var))
        return ProductRule(expr, var, factors, tuple(self.derive(f, var) for f in factors))

    def _pow(self, expr: Expr, var: Symbol) -> Rule:
        base, n = expr.args
        if var in n.free_symbols and var in base.free_symbols:
            return LogDiffRule(expr, var, base, n, self.derive(base, var), self.derive(n, var))
        if var in n.free_symbols:
            if base == E:
                return self._chain(expr, var, n, lambda u: ExpRule(exp(u), u))
            return self._chain(expr, var, n, lambda u: ExponentialRule(base**u, u, base))
        rule_cls = SqrtRule if n == Rational(1, 2) else PowerRule
        return self._chain(expr, var, base, lambda u: rule_cls(u**n, u, u, n))


def _is_reciprocal(factor: Expr) -> bool:
    """A factor g^(-n) with a negative number n: it goes to the denominator."""
    return factor.is_Pow and factor.exp.is_number and bool(factor.exp.is_negative)


def _log_base(constant: Expr, rest: Expr):
    """For c/ln(a) * ln(g) (how log_a g is parsed) return (a, 1/ln a), else None."""
    if not isinstance(rest, log):
        return None
    for factor in Mul.make_args(constant):
        if (factor.is_Pow and factor.exp == -1 and isinstance(factor.base, log)
                and factor.base.args[0].is_number and factor.base.args[0] != E):
            return factor.base.args[0], factor
    return None


def derive(expr: Expr, var: Symbol) -> Rule:
    """The rule tree that differentiates ``expr`` with respect to ``var``.

    Never returns None: an expression no rule explains gives ``DontKnowRule``.

    >>> from sympy import Symbol, atan
    >>> x = Symbol("x")
    >>> rule = derive(atan(x**3)**2, x)
    >>> rule.rule_id, rule.u, rule.inner.u
    ('chain', u, v)
    """
    return _Finder(expr, var).derive(expr, var)


#: Variable names accepted from the command line or the API (validated before Symbol()).
_VAR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


@dataclass(frozen=True)
class Derivation:
    """A derivative with its explanation: the rule tree, then the simplification steps.

    Fields: ``expr``, ``var``, ``rule`` (root of the rule tree), ``simplification``
    (tuple of SimplifyStep) and ``result`` (the final derivative, in the teacher's form).
    ``steps`` is ``(rule, *simplification)``.
    """

    expr: Expr
    var: Symbol
    rule: Rule
    simplification: tuple[SimplifyStep, ...]
    result: Expr

    @property
    def steps(self) -> tuple[Rule, ...]:
        return (self.rule, *self.simplification)

    def contains_dont_know(self) -> bool:
        return self.rule.contains_dont_know()

    def to_text(self, lang: str = "en", detail: str = "full") -> str:
        from derivtutor.render.text import TextPrinter

        return TextPrinter(lang, detail).render(self)

    def to_latex(self, lang: str = "en", detail: str = "full", standalone: bool = False) -> str:
        from derivtutor.render.latex import LatexPrinter

        return LatexPrinter(lang, detail, standalone=standalone).render(self)

    def to_markdown(self, lang: str = "en", detail: str = "full") -> str:
        from derivtutor.render.latex import MarkdownPrinter

        return MarkdownPrinter(lang, detail).render(self)

    def to_dict(self, lang: str = "en", detail: str = "full") -> dict:
        from derivtutor.render.json_dict import derivation_dict

        return derivation_dict(self, lang, detail)

    def to_json(self, lang: str = "en", detail: str = "full") -> str:
        return json.dumps(self.to_dict(lang, detail), ensure_ascii=False, indent=2)

    def _repr_latex_(self) -> str:  # MathJax: one aligned block, no \parbox
        from derivtutor.render.latex import MathJaxPrinter

        return MathJaxPrinter().render(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def variable_symbol(name: str | Symbol) -> Symbol:
    """A Symbol for a validated variable name (raises ValueError for anything else)."""
    if isinstance(name, Symbol):
        return name
    if not isinstance(name, str) or not _VAR_NAME.match(name):
        raise ValueError(f"not a valid variable name: {name!r}")
    return Symbol(name)


def differentiate(expr_or_text: Expr | str, var: str | Symbol | None = "x") -> Derivation:
    """Differentiate with every step explained; text goes through ``derivtutor.input.parsing.parse``.

    ``var=None`` uses the expression's only variable.

    >>> d = differentiate(atan(Symbol("x")**3)**2)
    >>> d.result
    6*x**2*atan(x**3)/(x**6 + 1)
    >>> [step.rule_id for step in d.steps]
    ['chain', 'simplify']
    """
    if isinstance(expr_or_text, str):
        from derivtutor.input.parsing import parse

        expr = parse(expr_or_text)
    else:
        expr = sympify_expr(expr_or_text)
    if var is None:
        names = sorted(expr.free_symbols, key=lambda s: s.name)
        if len(names) > 1:
            raise ValueError("several variables: " + ", ".join(s.name for s in names))
        x = names[0] if names else Symbol("x")
    else:
        x = variable_symbol(var)
    rule = derive(expr, x)
    raw = rule.eval()
    simplification = tuple(simplify_steps(raw, x, chain_factors(rule)))
    result = simplification[-1].result if simplification else raw
    return Derivation(expr, x, rule, simplification, result)


def sympify_expr(expr) -> Expr:
    """Numbers and SymPy objects only (never strings: those go through the parser)."""
    if isinstance(expr, Expr):
        return expr
    if isinstance(expr, (int, float)):
        return Integer(expr) if isinstance(expr, int) else Float(expr)
    raise TypeError(f"expected a SymPy expression or text, got {type(expr).__name__}")
