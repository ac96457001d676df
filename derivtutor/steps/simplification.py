"""Simplification as named steps: from the raw chain-rule product to the teacher's form.

Each step is one targeted rewrite with a stable ``kind`` (never a blind call to
``sympy.simplify``, which is slow and explains nothing):

- ``combine``: multiply the factors the rules produced, cancelling common factors
  and combining powers;
- ``tan``: sin a / cos a = tg a, cos a / sin a = ctg a and sh a / ch a = th a;
- ``expand``: expand the numerator and collect like terms;
- ``pythagorean``: sin^2 a + cos^2 a = 1 (and ch^2 a - sh^2 a = 1);
- ``cancel``: cancel a common factor of numerator and denominator;
- ``common_factor``: take a common factor out of the brackets;
- ``sigmoid``: recognise 1/(1 + e^(-a)) = sigma(a);
- ``abs``: for real u, sgn u = u/|u|, |u|^2 = u^2 and sqrt(u^2) = |u| (ln|x| gives 1/x).

>>> from sympy import Symbol, sin, cos, sqrt
>>> x = Symbol("x")
>>> [s.kind for s in simplify_steps(-sin(sin(sqrt(x)))*cos(sqrt(x))/(sqrt(x)*cos(sin(sqrt(x)))), x)]
['tan']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sympy import (Abs, Add, Expr, Integer, Mul, Pow, Symbol, cancel, cos, cosh, cot, count_ops, exp, expand,
                   factor_terms, fraction, sign, sin, sinh, tan, tanh)

from derivtutor.functions import sigmoid
from derivtutor.steps.rules import ChainRule, ConstantMultipleRule, Rule

#: Expressions larger than this (in operations) are not expanded: the step would be slow and unreadable.
EXPAND_LIMIT = 80
#: Fractions larger than this are not cancelled (polynomial gcd grows fast).
CANCEL_LIMIT = 40


@dataclass(frozen=True)
class SimplifyStep(Rule):
    """One named rewrite of a derivative: ``expr`` (before) becomes ``result`` (after).

    Fields: ``result``, ``kind`` (combine or a name in REWRITES) and ``factors``
    (for ``combine``: the factors as the rules produced them, shown as a product).
    ``eval()`` returns ``result``, which equals ``expr``.
    """

    result: Expr
    kind: str
    factors: tuple[Expr, ...] = ()
    rule_id: ClassVar[str] = "simplify"
    formula: ClassVar[str] = ""

    def eval(self) -> Expr:
        return self.result


def chain_factors(rule: Rule) -> tuple[Expr, ...]:
    """The factors of a chain of chain rules before SymPy multiplies them out.

    >>> from sympy import Symbol, tan
    >>> from derivtutor.steps.engine import derive
    >>> x = Symbol("x")
    >>> chain_factors(derive(tan(x**2), x))
    (cos(x**2)**(-2), 2*x)
    """
    if isinstance(rule, ChainRule):
        outer = rule.outer.eval().xreplace({rule.u: rule.inner_expr})
        return (outer, *chain_factors(rule.inner))
    if isinstance(rule, ConstantMultipleRule) and rule.constant.is_number:
        return (rule.constant, *chain_factors(rule.rule))
    return (rule.eval(),)


def simplify_steps(derivative: Expr, var: Symbol, factors: tuple[Expr, ...] = ()) -> list[SimplifyStep]:
    """The named rewrites that take ``derivative`` to the teacher's form (maybe none)."""
    steps: list[SimplifyStep] = []
    current = derivative
    factors = tuple(f for f in factors if f != 1)  # x' = 1 factors add nothing to the product shown
    # Two factors are exactly the chain rule's own line (f'(u) * u'); only a longer chain needs this step.
    if len(factors) > 2:
        steps.append(SimplifyStep(current, var, current, "combine", factors))
    for kind, rewrite in REWRITES:
        new = rewrite(current)
        if new is not None and new != current:
            steps.append(SimplifyStep(current, var, new, kind))
            current = new
    return steps


#: (numerator function, denominator function, their ratio) for the ratio rewrite.
RATIOS = ((sin, cos, tan), (cos, sin, cot), (sinh, cosh, tanh))


def quotients_to_tan(expr: Expr) -> Expr | None:
    """sin^k a / cos^k a -> tg^k a, cos/sin -> ctg, sh/ch -> th, in every product (None: nothing to do).

    >>> from sympy import Symbol, sin, cos
    >>> x = Symbol("x")
    >>> quotients_to_tan(x*sin(x)**2/cos(x)**2)
    x*tan(x)**2
    """
    if not any(expr.has(top) and expr.has(bottom) for top, bottom, _ in RATIOS):
        return None
    return expr.replace(lambda e: e.is_Mul, _tan_in_product)


def _tan_in_product(product: Expr) -> Expr:
    powers: dict[Expr, Expr] = {}
    for factor in Mul.make_args(product):
        base, k = factor.as_base_exp()
        powers[base] = powers.get(base, 0) + k
    changed = False
    for base in list(powers):
        for top, bottom, new in RATIOS:
            if isinstance(base, top) and bottom(base.args[0]) in powers:
                k, j = powers[base], powers[bottom(base.args[0])]
                if k.is_number and k > 0 and k == -j:
                    powers[base] = powers[bottom(base.args[0])] = 0
                    powers[new(base.args[0])] = powers.get(new(base.args[0]), 0) + k
                    changed = True
    if not changed:
        return product
    return Mul(*(Pow(b, k) for b, k in powers.items() if k != 0))


def _sigmoid(expr: Expr) -> Expr | None:
    """Write e^(-a) and e^a through sigma(a) when 1 + e^(-a) or 1 + e^a occurs."""
    for a in _sigmoid_arguments(expr):
        s = sigmoid(a)
        trial = expr.xreplace({exp(-a): (1 - s) / s, exp(a): s / (1 - s)})
        if trial.has(exp):
            continue
        new = _sigmoid_form(cancel(trial), s)
        if count_ops(new) < count_ops(expr):
            return new
    return None


def _sigmoid_arguments(expr: Expr) -> list[Expr]:
    """Every a such that 1 + e^(-a) or 1 + e^a is a sum in ``expr``."""
    found = []
    for add in expr.atoms(Add):
        if len(add.args) == 2 and 1 in add.args:
            other = add.args[0] if add.args[1] == 1 else add.args[1]
            if isinstance(other, exp):
                t = other.args[0]
                a = -t if t.could_extract_minus_sign() else t
                if a not in found:
                    found.append(a)
    return found


def _sigmoid_form(poly: Expr, s: Expr) -> Expr:
    """A polynomial in sigma written as c sigma (1 - sigma) when it has that factor."""
    quotient = cancel(poly / (s * (1 - s)))
    if not quotient.has(s):
        return quotient * s * (1 - s)
    return poly


def _expand(expr: Expr) -> Expr | None:
    """Expand the numerator of a fraction when that makes it shorter."""
    if count_ops(expr) > EXPAND_LIMIT:
        return None
    numer, denom = fraction(expr)
    if not numer.is_Add and not (numer.is_Mul and any(f.is_Add for f in numer.args)):
        return None
    new_numer = expand(numer)
    # Worth it when shorter, or when it lines up sin^2 + cos^2 for the next step.
    if count_ops(new_numer) < count_ops(numer) or pythagorean(new_numer) is not None:
        return new_numer / denom
    return None


def pythagorean(expr: Expr) -> Expr | None:
    """c sin^2 a + c cos^2 a -> c and c ch^2 a - c sh^2 a -> c, in every sum (None: nothing to do).

    >>> from sympy import Symbol, sin, cos
    >>> x = Symbol("x")
    >>> pythagorean((sin(x)**2 + cos(x)**2 + cos(x))/x)
    (cos(x) + 1)/x
    """
    if not (expr.has(sin) and expr.has(cos)) and not (expr.has(sinh) and expr.has(cosh)):
        return None
    new = expr.replace(lambda e: e.is_Add, _pythagorean_in_sum)
    return None if new == expr else new


def _pythagorean_in_sum(add: Expr) -> Expr:
    args = list(add.args)
    for top, bottom, sign in ((sin, cos, 1), (cosh, sinh, -1)):
        for term in args:
            c, rest = term.as_coeff_Mul()
            if rest.is_Pow and rest.exp == 2 and isinstance(rest.base, top):
                partner = sign * c * bottom(rest.base.args[0]) ** 2
                if partner in args:
                    args.remove(term)
                    args.remove(partner)
                    return Add(c, *args)
    return add


def _cancel(expr: Expr) -> Expr | None:
    """Cancel a common factor of numerator and denominator (small fractions, low powers only)."""
    if count_ops(expr) > CANCEL_LIMIT or any(p.exp.is_Integer and abs(p.exp) > 4 for p in expr.atoms(Pow)):
        return None
    numer, denom = fraction(expr)
    if denom == 1:
        return None
    new = cancel(expr)
    return new if count_ops(new) < count_ops(expr) else None


def _common_factor(expr: Expr) -> Expr | None:
    """Take a common factor out of the brackets when that makes the expression shorter."""
    if count_ops(expr) > EXPAND_LIMIT:
        return None
    new = factor_terms(expr, sign=False)  # never just pull out a minus sign
    return new if count_ops(new) < count_ops(expr) else None


def absolute_values(expr: Expr) -> Expr | None:
    """The forms a teacher writes for real u: sgn(u)/|u| -> 1/u, sqrt(u^2) -> |u|, |u|^2 -> u^2.

    >>> from sympy import Symbol, Abs, sign, sqrt
    >>> x = Symbol("x")
    >>> absolute_values(sign(x) / Abs(x)), absolute_values(-x / sqrt(x**2))
    (1/x, -x/Abs(x))
    """
    if not (expr.has(Abs) or expr.has(sign) or any(_even_root(p) for p in expr.atoms(Pow))):
        return None
    new = expr.replace(lambda e: e.is_Pow and _even_root(e), lambda e: Abs(e.base.base) ** (e.base.exp * e.exp))
    new = new.replace(lambda e: isinstance(e, sign), lambda e: e.args[0] / Abs(e.args[0]))
    new = new.replace(lambda e: e.is_Mul, _powers_over_abs)
    new = new.replace(lambda e: e.is_Pow and isinstance(e.base, Abs) and e.exp.is_even,
                      lambda e: e.base.args[0] ** e.exp)
    if new.has(sign) or count_ops(new) > count_ops(expr) + 2:
        return None
    return None if new == expr else new


def _powers_over_abs(product: Expr) -> Expr:
    """u^n/|u| -> u^(n mod 2) |u|^(n-1) for real u, as a teacher cancels: x^2/|x| = |x|, x^3/|x| = x|x|."""
    factors = Mul.make_args(product)
    below = {f.base.args[0] for f in factors if f.is_Pow and isinstance(f.base, Abs) and f.exp.is_negative}
    if not below:
        return product
    out = []
    for f in factors:
        base, n = f.as_base_exp()
        out.append(base ** (n % 2) * Abs(base) ** (n - n % 2) if base in below and n.is_Integer and n >= 2 else f)
    return Mul(*out)


def _even_root(power: Expr) -> bool:
    """(u^(2k))^(1/2k)-like powers: an even power of u under a root, which is |u| to a power."""
    inner = power.base
    return (inner.is_Pow and inner.exp.is_even and power.exp.is_Rational and not power.exp.is_Integer
            and (inner.exp * power.exp).is_Integer and (inner.exp * power.exp) != Integer(0))


#: The rewrites, in the order they are tried.
REWRITES = (("abs", absolute_values), ("tan", quotients_to_tan), ("expand", _expand), ("pythagorean", pythagorean), ("cancel", _cancel),
            ("common_factor", _common_factor), ("sigmoid", _sigmoid))
