"""Derivative rules, part 2: the table of elementary derivatives.

Each rule differentiates one function applied to the variable itself,
``expr = F(var)``; a function of a function is a ChainRule whose ``outer`` is one
of these rules in the substitution symbol. Fields: ``expr``, ``var`` (and ``base``
for a^x and log_a x).

>>> from sympy import Symbol, atan
>>> x = Symbol("x")
>>> AtanRule(atan(x), x).eval()
1/(x**2 + 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sympy import (Abs, Expr, Integer, Mul, cos, cosh, cot, coth, csc, csch, exp, log, sec, sech, sign, sin, sinh,
                   sqrt, tan, tanh)

from derivtutor.functions import sigmoid
from derivtutor.steps.rules_core import Rule


@dataclass(frozen=True)
class ExpRule(Rule):
    """(e^x)' = e^x."""

    rule_id: ClassVar[str] = "exp"
    formula: ClassVar[str] = "(e^x)' = e^x"

    def eval(self) -> Expr:
        return exp(self.var)


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """(a^x)' = a^x ln a for a constant a > 0.  Field: ``base`` (a)."""

    base: Expr
    rule_id: ClassVar[str] = "exponential"
    formula: ClassVar[str] = "(a^x)' = a^x ln a"

    def eval(self) -> Expr:
        return self.base**self.var * log(self.base)


@dataclass(frozen=True)
class LogRule(Rule):
    """(ln x)' = 1/x."""

    rule_id: ClassVar[str] = "log"
    formula: ClassVar[str] = "(ln x)' = 1/x"

    def eval(self) -> Expr:
        return 1 / self.var


@dataclass(frozen=True)
class LogBaseRule(Rule):
    """(log_a x)' = 1/(x ln a); ``expr`` is ln x / ln a (lg x = ln x / ln 10).  Field: ``base`` (a)."""

    base: Expr
    rule_id: ClassVar[str] = "log_base"
    formula: ClassVar[str] = "(log_a x)' = 1/(x ln a)"

    def eval(self) -> Expr:
        return 1 / (self.var * log(self.base))


@dataclass(frozen=True)
class SinRule(Rule):
    """(sin x)' = cos x."""

    rule_id: ClassVar[str] = "sin"
    formula: ClassVar[str] = "(sin x)' = cos x"

    def eval(self) -> Expr:
        return cos(self.var)


@dataclass(frozen=True)
class CosRule(Rule):
    """(cos x)' = -sin x."""

    rule_id: ClassVar[str] = "cos"
    formula: ClassVar[str] = "(cos x)' = -sin x"

    def eval(self) -> Expr:
        return -sin(self.var)


@dataclass(frozen=True)
class TanRule(Rule):
    """(tg x)' = 1/cos^2 x."""

    rule_id: ClassVar[str] = "tan"
    formula: ClassVar[str] = "(tan x)' = 1/cos^2 x"

    def eval(self) -> Expr:
        return 1 / cos(self.var) ** 2


@dataclass(frozen=True)
class CotRule(Rule):
    """(ctg x)' = -1/sin^2 x."""

    rule_id: ClassVar[str] = "cot"
    formula: ClassVar[str] = "(cot x)' = -1/sin^2 x"

    def eval(self) -> Expr:
        return -1 / sin(self.var) ** 2


@dataclass(frozen=True)
class SecRule(Rule):
    """(sec x)' = sec x tg x."""

    rule_id: ClassVar[str] = "sec"
    formula: ClassVar[str] = "(sec x)' = sec x tan x"

    def eval(self) -> Expr:
        return sec(self.var) * tan(self.var)


@dataclass(frozen=True)
class CscRule(Rule):
    """(csc x)' = -csc x ctg x."""

    rule_id: ClassVar[str] = "csc"
    formula: ClassVar[str] = "(csc x)' = -csc x cot x"

    def eval(self) -> Expr:
        return -csc(self.var) * cot(self.var)


@dataclass(frozen=True)
class AsinRule(Rule):
    """(arcsin x)' = 1/sqrt(1 - x^2)."""

    rule_id: ClassVar[str] = "asin"
    formula: ClassVar[str] = "(arcsin x)' = 1/sqrt(1 - x^2)"

    def eval(self) -> Expr:
        return 1 / sqrt(1 - self.var**2)


@dataclass(frozen=True)
class AcosRule(Rule):
    """(arccos x)' = -1/sqrt(1 - x^2)."""

    rule_id: ClassVar[str] = "acos"
    formula: ClassVar[str] = "(arccos x)' = -1/sqrt(1 - x^2)"

    def eval(self) -> Expr:
        return -1 / sqrt(1 - self.var**2)


@dataclass(frozen=True)
class AtanRule(Rule):
    """(arctg x)' = 1/(1 + x^2)."""

    rule_id: ClassVar[str] = "atan"
    formula: ClassVar[str] = "(arctan x)' = 1/(1 + x^2)"

    def eval(self) -> Expr:
        return 1 / (1 + self.var**2)


@dataclass(frozen=True)
class AcotRule(Rule):
    """(arcctg x)' = -1/(1 + x^2)."""

    rule_id: ClassVar[str] = "acot"
    formula: ClassVar[str] = "(arccot x)' = -1/(1 + x^2)"

    def eval(self) -> Expr:
        return -1 / (1 + self.var**2)


@dataclass(frozen=True)
class SinhRule(Rule):
    """(sh x)' = ch x."""

    rule_id: ClassVar[str] = "sinh"
    formula: ClassVar[str] = "(sinh x)' = cosh x"

    def eval(self) -> Expr:
        return cosh(self.var)


@dataclass(frozen=True)
class CoshRule(Rule):
    """(ch x)' = sh x."""

    rule_id: ClassVar[str] = "cosh"
    formula: ClassVar[str] = "(cosh x)' = sinh x"

    def eval(self) -> Expr:
        return sinh(self.var)


@dataclass(frozen=True)
class TanhRule(Rule):
    """(th x)' = 1 - th^2 x (= 1/ch^2 x)."""

    rule_id: ClassVar[str] = "tanh"
    formula: ClassVar[str] = "(tanh x)' = 1 - tanh^2 x"

    def eval(self) -> Expr:
        return 1 - tanh(self.var) ** 2


@dataclass(frozen=True)
class CothRule(Rule):
    """(cth x)' = -1/sh^2 x."""

    rule_id: ClassVar[str] = "coth"
    formula: ClassVar[str] = "(coth x)' = -1/sinh^2 x"

    def eval(self) -> Expr:
        return -1 / sinh(self.var) ** 2


@dataclass(frozen=True)
class SechRule(Rule):
    """(sech x)' = -sech x th x  (sech x = 1/ch x)."""

    rule_id: ClassVar[str] = "sech"
    formula: ClassVar[str] = "(sech x)' = -sech x tanh x"

    def eval(self) -> Expr:
        return -sech(self.var) * tanh(self.var)


@dataclass(frozen=True)
class CschRule(Rule):
    """(csch x)' = -csch x cth x  (csch x = 1/sh x)."""

    rule_id: ClassVar[str] = "csch"
    formula: ClassVar[str] = "(csch x)' = -csch x coth x"

    def eval(self) -> Expr:
        return -csch(self.var) * coth(self.var)


@dataclass(frozen=True)
class AsinhRule(Rule):
    """(arsh x)' = 1/sqrt(x^2 + 1)."""

    rule_id: ClassVar[str] = "asinh"
    formula: ClassVar[str] = "(arsinh x)' = 1/sqrt(x^2 + 1)"

    def eval(self) -> Expr:
        return 1 / sqrt(self.var**2 + 1)


@dataclass(frozen=True)
class AcoshRule(Rule):
    """(arch x)' = 1/sqrt(x^2 - 1), for x > 1."""

    rule_id: ClassVar[str] = "acosh"
    formula: ClassVar[str] = "(arcosh x)' = 1/sqrt(x^2 - 1)"

    def eval(self) -> Expr:
        return 1 / sqrt(self.var**2 - 1)


@dataclass(frozen=True)
class AtanhRule(Rule):
    """(arth x)' = 1/(1 - x^2), for |x| < 1."""

    rule_id: ClassVar[str] = "atanh"
    formula: ClassVar[str] = "(artanh x)' = 1/(1 - x^2)"

    def eval(self) -> Expr:
        return 1 / (1 - self.var**2)


@dataclass(frozen=True)
class SigmoidRule(Rule):
    """sigma'(x) = sigma(x) (1 - sigma(x)), for sigma(x) = 1/(1 + e^(-x))."""

    rule_id: ClassVar[str] = "sigmoid"
    formula: ClassVar[str] = "sigma'(x) = sigma(x) (1 - sigma(x))"

    def eval(self) -> Expr:
        s = sigmoid(self.var)
        return s * (1 - s)


@dataclass(frozen=True)
class AbsRule(Rule):
    """|x|' = sign x (for x != 0)."""

    rule_id: ClassVar[str] = "abs"
    formula: ClassVar[str] = "|x|' = sign(x)"

    def eval(self) -> Expr:
        return sign(self.var)



@dataclass(frozen=True)
class AbsRewriteRule(Rule):
    """|u^a| = |u|^a and |e^u| = e^u for real letters: afterwards what stands inside |.| is real,
    so |.|' = sign is right where the power of a negative number is not real (|x^(3/2)| at x < 0).
    Fields: ``rewritten`` (the equal form), ``rule`` (the rule for it)."""

    rewritten: Expr
    rule: Rule
    rule_id: ClassVar[str] = "abs_rewrite"
    formula: ClassVar[str] = "|u^a| = |u|^a"

    def eval(self) -> Expr:
        return self.rule.eval()


def abs_inside_real(expr: Expr) -> Expr:
    """``expr`` with |b^a| written |b|^a (a a real number) inside every |.|: the same value
    for every real value of the letters, principal branches included.

    >>> from sympy import Abs, Rational, Symbol
    >>> x = Symbol("x")
    >>> abs_inside_real(Abs(x**Rational(3, 2)))
    Abs(x)**(3/2)
    """
    def rewrite(node):
        arg = node.args[0]
        factors = Mul.make_args(arg)
        out = []
        for f in factors:
            if f.is_Pow and f.exp.is_number and f.exp.is_extended_real and not f.exp.is_integer:
                out.append(Abs(f.base) ** f.exp)
            else:
                out.append(Abs(f))
        return Mul(*out)

    return expr.replace(lambda e: isinstance(e, Abs) and any(
        f.is_Pow and f.exp.is_number and f.exp.is_extended_real and not f.exp.is_integer
        for f in Mul.make_args(e.args[0])), rewrite)


@dataclass(frozen=True)
class SignRule(Rule):
    """sign'(x) = 0 for x != 0 (sign is constant on each side of zero; at 0 it has no derivative)."""

    rule_id: ClassVar[str] = "sign"
    formula: ClassVar[str] = "sign'(x) = 0"

    def eval(self) -> Expr:
        return Integer(0)
