"""The table of elementary derivatives (steps/rules_elementary.py) against sympy.diff.

Fast on purpose: bench/mutation.sh runs it once per mutant of the rule table. The
witness is SymPy's own derivative of the function, compared at points inside the
function's domain with 30 digits; nothing here calls the derivation engine.
"""
from __future__ import annotations

import pytest
import sympy
from sympy import Abs, Rational, Symbol

from derivtutor.functions import sigmoid
from derivtutor.steps import rules_elementary as table
from derivtutor.steps.engine import FUNCTION_RULES, derive

x = Symbol("x")
INSIDE = (Rational(3, 10), Rational(-11, 20), Rational(7, 10))   # |x| < 1: asin, acos, atanh
BEYOND = (Rational(17, 10), Rational(23, 10), Rational(-13, 10))  # |x| > 1: acosh needs x > 1
EVERYWHERE = INSIDE + BEYOND
DOMAINS = {sympy.acosh: BEYOND[:2], sympy.asin: INSIDE, sympy.acos: INSIDE, sympy.atanh: INSIDE,
           sympy.log: (Rational(3, 10), Rational(7, 10), Rational(17, 10))}


def exact(expr):
    """sympy.diff with x real (|x| and sign(x) have a derivative for real x only), off x = 0."""
    r = Symbol("r", real=True)
    return sympy.diff(expr.subs(x, r), r).subs(sympy.DiracDelta(r), 0).subs(r, x)


def same_values(ours, exact, points) -> None:
    for p in points:
        a, b = sympy.N(ours.subs(x, p), 30), sympy.N(exact.subs(x, p), 30)
        assert abs(complex(a) - complex(b)) < 1e-20, (ours, exact, p)


@pytest.mark.parametrize("function", sorted(FUNCTION_RULES, key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_each_rule_is_sympys_derivative(function):
    rule = FUNCTION_RULES[function](function(x), x)
    same_values(rule.eval(), exact(function(x)),
                DOMAINS.get(function, EVERYWHERE))


@pytest.mark.parametrize("base", [2, Rational(1, 3), 10], ids=["2", "1/3", "10"])
def test_exponential_and_log_base(base):
    same_values(table.ExponentialRule(base**x, x, base).eval(), sympy.diff(base**x, x), EVERYWHERE)
    ln_over = sympy.log(x) / sympy.log(base)
    same_values(table.LogBaseRule(ln_over, x, base).eval(), sympy.diff(ln_over, x), DOMAINS[sympy.log])


def test_sigmoid_rule_against_its_definition():
    definition = 1 / (1 + sympy.exp(-x))
    same_values(table.SigmoidRule(sigmoid(x), x).eval(), sympy.diff(definition, x), EVERYWHERE)


def test_sign_has_slope_zero_off_the_origin():
    assert table.SignRule(sympy.sign(x), x).eval() == 0


def test_abs_rewrite_uses_the_rule_of_the_rewritten_form():
    inner = table.SinRule(sympy.sin(x), x)
    assert table.AbsRewriteRule(Abs(sympy.sin(x)), x, sympy.sin(x), inner).eval() == sympy.cos(x)


@pytest.mark.parametrize("text, rewritten", [
    ("Abs(x**(3/2))", "Abs(x)**(3/2)"),
    ("Abs(3*x**(1/3))", "3*Abs(x)**(1/3)"),
    ("Abs(x**(5/2)*y)", "Abs(x)**(5/2)*Abs(y)"),
    ("Abs(x**2*y)", "Abs(x**2*y)"),          # an integer power: nothing to rewrite
    ("Abs(x**y)", "Abs(x**y)"),              # a symbolic power: not a real number
    ("Abs(x**I)", "Abs(x**I)"),              # not real
    ("sin(Abs(x**(1/2))) + Abs(x)", "sin(Abs(x)**(1/2)) + Abs(x)"),
], ids=["3/2", "coefficient", "two-factors", "integer", "symbolic", "imaginary", "nested"])
def test_abs_inside_real(text, rewritten):
    y = Symbol("y")
    got = table.abs_inside_real(sympy.sympify(text, locals={"x": x, "y": y}))
    assert got == sympy.sympify(rewritten, locals={"x": x, "y": y})


@pytest.mark.parametrize("text", ["Abs(x**(3/2))", "Abs(2*x**(1/3))"], ids=["3/2", "1/3"])
def test_abs_inside_real_keeps_the_value_for_negative_x(text):
    expr = sympy.sympify(text, locals={"x": x})
    same_values(table.abs_inside_real(expr), expr, (Rational(-3, 2), Rational(1, 2)))


@pytest.mark.parametrize("text", ["Abs(x**(3/2))", "Abs(sin(x)**(1/3))", "Abs(cos(x)*x**(5/2))"],
                         ids=["power", "sin", "product"])
def test_derivative_through_abs_is_sympys_where_real(text):
    expr = sympy.sympify(text, locals={"x": x})
    points = (Rational(1, 2), Rational(13, 10))  # x > 0: every form real and differentiable
    same_values(derive(expr, x).eval(), exact(expr), points)
