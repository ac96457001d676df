"""Derivative rules: one frozen dataclass per rule, each with ``eval()`` and a formula.

The structural rules live in ``rules_core`` and the table of elementary
derivatives in ``rules_elementary``; this module is the one place to import them
from. ``RULES_BY_ID`` maps each stable ``rule_id`` to its class.

Composite rules keep their children as fields and compute ``eval()`` from the
children's ``eval()``; swap a child with ``dataclasses.replace`` to see what one
local mistake does to the result:

>>> import dataclasses
>>> from sympy import Symbol, sin, cos
>>> from derivtutor.steps.engine import derive
>>> x = Symbol("x")
>>> rule = derive(sin(x**2), x)                    # ChainRule(outer=SinRule in u, inner=PowerRule)
>>> rule.eval()
2*x*cos(x**2)
>>> forgot_inner = dataclasses.replace(rule, inner=VariableRule(x, x))
>>> forgot_inner.eval()
cos(x**2)
"""
from __future__ import annotations

from derivtutor.steps.rules_core import (
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    DontKnowRule,
    LogDiffRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    Rule,
    SqrtRule,
    SumRule,
    VariableRule,
    iter_rules,
)
from derivtutor.steps.rules_elementary import (
    AbsRewriteRule,
    AbsRule,
    AcoshRule,
    AcosRule,
    AcotRule,
    AsinhRule,
    AsinRule,
    AtanhRule,
    AtanRule,
    CoshRule,
    CosRule,
    CothRule,
    CotRule,
    CschRule,
    CscRule,
    ExponentialRule,
    ExpRule,
    LogBaseRule,
    LogRule,
    SechRule,
    SecRule,
    SigmoidRule,
    SignRule,
    SinhRule,
    SinRule,
    TanhRule,
    TanRule,
)
from derivtutor.steps.rules_kinks import KINK_RULES, HeavisideRule, LeakyReluRule, ReluRule, SoftplusRule

ALL_RULES: tuple[type[Rule], ...] = (
    ConstantRule, VariableRule, ConstantMultipleRule, SumRule, PowerRule, SqrtRule,
    ProductRule, QuotientRule, ChainRule, LogDiffRule, DontKnowRule,
    ExpRule, ExponentialRule, LogRule, LogBaseRule,
    SinRule, CosRule, TanRule, CotRule, SecRule, CscRule,
    AsinRule, AcosRule, AtanRule, AcotRule, SinhRule, CoshRule, TanhRule,
    CothRule, SechRule, CschRule, AsinhRule, AcoshRule, AtanhRule,
    SigmoidRule, AbsRule, AbsRewriteRule, SignRule, *KINK_RULES,
)

#: Stable rule id -> rule class.
RULES_BY_ID: dict[str, type[Rule]] = {cls.rule_id: cls for cls in ALL_RULES}

__all__ = [cls.__name__ for cls in ALL_RULES] + ["Rule", "ALL_RULES", "RULES_BY_ID", "iter_rules"]
