"""Identity derivations: a chain of named rewrites from the left side to the right.

``prove_identity(lhs, rhs, var, derivative=True)`` shows d/dx lhs = rhs (or lhs = rhs
without ``derivative``) as steps, each one a named move (definition, a rule of
differentiation, split a fraction, Pythagorean identity, recognise the sigmoid,
...) and each checked equal to the one before. The search tries the moves
breadth-first; when no chain reaches the right side it says so (``found`` is
False) and shows no steps: the tutor never invents one.

>>> from sympy import Symbol, tanh
>>> x = Symbol("x")
>>> proof = prove_identity(tanh(x), 1 - tanh(x)**2, x, derivative=True)
>>> proof.found, [s.kind for s in proof.steps]
(True, ['definition-tanh', 'differentiate', 'combine', 'pythagorean', 'sec-square'])
"""
from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass

import sympy
from sympy import (Add, Derivative, Expr, Pow, Symbol, cos, cosh, exp, expand, fraction, sin, sinh, tan,
                   tanh)

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.functions import sigmoid
from derivtutor.identity.display import Deriv, Frac, Prod, Terms, value
from derivtutor.steps.rules import ChainRule, ProductRule, QuotientRule, Rule
from derivtutor.steps.simplification import chain_factors, pythagorean, quotients_to_tan
from derivtutor.steps.engine import derive

#: Breadth-first search limits: moves deep, expressions visited.
MAX_DEPTH = 6
MAX_NODES = 300


@dataclass(frozen=True)
class IdentityStep:
    """One step: ``kind`` (catalogue code under identity.step.*), ``display`` (the form shown),
    ``value`` (the same expression, evaluated) and ``rule`` (for a differentiation step)."""

    kind: str
    display: object
    value: Expr
    rule: Rule | None = None


@dataclass(frozen=True)
class IdentityDerivation:
    """``start`` (the left side as shown), ``rhs``, ``var``, ``steps``; ``found`` says whether a
    chain was found; ``sides_equal`` whether the two sides are equal at all (numerically)."""

    start: object
    rhs: Expr
    var: Symbol
    steps: tuple[IdentityStep, ...]
    found: bool
    sides_equal: bool
    definitions: tuple = ()  # (symbol, expression) pairs the steps use, e.g. s1 = e^a1 / S
    via: tuple = ()  # intermediate sides the chain passes through (tg' = 1/cos^2 = 1 + tg^2)

    def to_text(self, lang: str = "en") -> str:
        from derivtutor.identity.render import IdentityTextPrinter

        return IdentityTextPrinter(lang).render(self)

    def to_latex(self, lang: str = "en", standalone: bool = False) -> str:
        from derivtutor.identity.render import IdentityLatexPrinter

        return IdentityLatexPrinter(lang, standalone=standalone).render(self)

    def to_markdown(self, lang: str = "en") -> str:
        from derivtutor.identity.render import IdentityMarkdownPrinter

        return IdentityMarkdownPrinter(lang).render(self)

    def to_dict(self, lang: str = "en") -> dict:
        from derivtutor.identity.render import identity_dict

        return identity_dict(self, lang)


# -- checking ---------------------------------------------------------------------------


def equal(a: Expr, b: Expr, definitions=(), seconds: float = 5.0) -> bool:
    """a == b: exact when expansion or simplification proves it, else at 5 random points."""
    subs = dict(definitions)
    a, b = a.doit().xreplace(subs), b.doit().xreplace(subs)
    difference = (a - b).rewrite(exp)
    if expand(difference) == 0:
        return True
    start = time.monotonic()
    try:
        with time_limit(seconds):
            if sympy.simplify(difference) == 0:
                return True
    except TimeLimitExceeded:
        if time.monotonic() - start < seconds * 0.9:
            raise  # an enclosing limit fired, not ours: let it end the whole run

    rng = random.Random(1)
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    for _ in range(5):
        point = {s: sympy.Float(rng.uniform(0.1, 0.9)) for s in symbols}
        if abs(complex(difference.subs(point).evalf(30))) > 1e-12:
            return False
    return True


# -- the moves ------------------------------------------------------------------------


DEFINITIONS = {
    sigmoid: ("definition-sigmoid", lambda a: 1 / (1 + exp(-a))),
    tanh: ("definition-tanh", lambda a: sinh(a) / cosh(a)),
    tan: ("definition-tan", lambda a: sin(a) / cos(a)),
}


def differentiation_steps(f: Expr, x: Symbol) -> list[IdentityStep]:
    """Differentiate f by the step engine: the raw form of the rule, then the product multiplied out."""
    return rule_steps(derive(f, x))


def rule_steps(rule: Rule) -> list[IdentityStep]:
    """The raw form a rule produces, then (when it differs) the form SymPy multiplies it out to."""
    result = rule.eval()
    show = DIFF_DISPLAY.get(type(rule), lambda r: r.eval())(rule)
    steps = [IdentityStep("differentiate", show, result, rule)]
    if show != result:
        steps.append(IdentityStep("combine", result, result))
    return steps


def _show_chain(rule: ChainRule):
    factors = [f for f in chain_factors(rule) if f != 1]
    return Prod(tuple(factors)) if len(factors) > 1 else rule.eval()


def _show_quotient(rule: QuotientRule):
    f, g = rule.numer, rule.denom
    numer = Terms(((1, Prod((rule.numer_rule.eval(), g))), (-1, Prod((f, rule.denom_rule.eval())))))
    return Frac(numer, g**2)


def _show_product(rule: ProductRule):
    terms = []
    for i, sub in enumerate(rule.substeps):
        terms.append((1, Prod((sub.eval(), *rule.factors[:i], *rule.factors[i + 1:]))))
    return Terms(tuple(terms))


DIFF_DISPLAY = {ChainRule: _show_chain, QuotientRule: _show_quotient, ProductRule: _show_product}


def _split_fraction(expr: Expr):
    numer, denom = fraction(expr)
    if not numer.is_Add or denom == 1:
        return None
    terms = tuple((-1, Frac(-t, denom)) if t.could_extract_minus_sign() else (1, Frac(t, denom))
                  for t in numer.as_ordered_terms())
    after = Add(*(t / denom for t in numer.args))
    return [IdentityStep("split-fraction", Terms(terms), after), IdentityStep("cancel", after, after)]


def _ratio(expr: Expr):
    new = quotients_to_tan(expr)
    return None if new is None or new == expr else [IdentityStep("ratio", new, new)]


def _pythagorean(expr: Expr):
    new = pythagorean(expr)
    return None if new is None else [IdentityStep("pythagorean", new, new)]


def _sec_square(expr: Expr):
    mapping = {}
    for p in expr.atoms(Pow):
        if p.exp == -2 and isinstance(p.base, cos):
            mapping[p] = 1 + tan(p.base.args[0]) ** 2
        elif p.exp == -2 and isinstance(p.base, cosh):
            mapping[p] = 1 - tanh(p.base.args[0]) ** 2
    if not mapping:
        return None
    new = expr.xreplace(mapping)
    return [IdentityStep("sec-square", new, new)]


def _sigmoid_seed(expr: Expr):
    """e^(-a)/(1 + e^(-a))^2 = sigma(a)(1 - sigma(a)), step by step as the seed slides do."""
    for e in expr.atoms(exp):
        a = -e.args[0]
        A = 1 + exp(-a)
        if not e.args[0].could_extract_minus_sign() or expand(expr - exp(-a) / A**2) != 0:
            continue
        one = Terms(((1, 1), (-1, 1)))
        s = sigmoid(a)
        shown = [
            ("split-product", Prod((1 / A, exp(-a) / A))),
            ("add-subtract-one", Prod((1 / A, Frac(Terms(((1, exp(-a)), (1, one))), A)))),
            ("regroup", Prod((1 / A, Frac(Terms(((1, Terms(((1, 1), (1, exp(-a))))), (-1, 1))), A)))),
            ("split-fraction", Prod((1 / A, Terms(((1, Frac(A, A)), (-1, Frac(1, A))))))),
            ("cancel", Prod((1 / A, Terms(((1, 1), (-1, Frac(1, A))))))),
            ("recognise-sigmoid", s * (1 - s)),
        ]
        return [IdentityStep(kind, show, value(show)) for kind, show in shown]
    return None


def _recognise_sigmoid(expr: Expr):
    from derivtutor.steps.simplification import simplify_steps

    for step in simplify_steps(expr, Symbol("x")):
        if step.kind == "sigmoid":
            return [IdentityStep("recognise-sigmoid", step.result, step.result)]
    return None


MOVES = (_sigmoid_seed, _pythagorean, _sec_square, _split_fraction, _ratio, _recognise_sigmoid)


# -- the search -------------------------------------------------------------------------


def _reaches(current: Expr, rhs: Expr) -> list[IdentityStep] | None:
    """[] when current is the right side, [rearrange] when expansion shows it, else None."""
    if current == rhs:
        return []
    if expand(current - rhs) == 0:
        return [IdentityStep("rearrange", rhs, rhs)]
    return None


def search(start: Expr, rhs: Expr) -> list[IdentityStep] | None:
    """The shortest chain of moves from ``start`` to ``rhs`` (breadth-first), or None."""
    queue = deque([(start, [])])
    seen = {start}
    while queue and len(seen) < MAX_NODES:
        current, steps = queue.popleft()
        tail = _reaches(current, rhs)
        if tail is not None:
            return steps + tail
        if len(steps) >= MAX_DEPTH:
            continue
        for move in MOVES:
            new_steps = move(current)
            if new_steps and new_steps[-1].value not in seen:
                seen.add(new_steps[-1].value)
                queue.append((new_steps[-1].value, steps + new_steps))
    return None


def _starts(lhs: Expr, x: Symbol, derivative: bool):
    """Candidate opening sequences: by definition first (more instructive), then directly."""
    if not derivative:
        yield lhs, []
        return
    if type(lhs) in DEFINITIONS and lhs.args[0] == x:
        kind, define = DEFINITIONS[type(lhs)]
        f = define(x)
        yield Derivative(f, x), [IdentityStep(kind, Deriv(f, x), Derivative(f, x)), *differentiation_steps(f, x)]
    yield Derivative(lhs, x), differentiation_steps(lhs, x)


def prove_identity(lhs: Expr, rhs: Expr, var: Symbol | None = None, derivative: bool = False,
                   via: tuple[Expr, ...] = ()) -> IdentityDerivation:
    """A checked chain of steps from ``lhs`` (or d/dvar lhs) through each of ``via`` to ``rhs``.

    ``found`` is False (and there are no steps) when no chain is found.
    """
    x = var if var is not None else _only_symbol(lhs)
    start_display = Deriv(lhs, x) if derivative else lhs
    left = Derivative(lhs, x) if derivative else lhs
    sides_equal = all(equal(left, side) for side in (*via, rhs))
    for _, opening in _starts(lhs, x, derivative):
        steps = list(opening)
        current = opening[-1].value if opening else lhs
        for target in (*via, rhs):
            rest = search(current, target)
            if rest is None:
                break
            steps += rest
            current = target
        else:
            if _checked(left, steps):
                return IdentityDerivation(start_display, rhs, x, tuple(steps), True, sides_equal, via=tuple(via))
    return IdentityDerivation(start_display, rhs, x, (), False, sides_equal, via=tuple(via))


def _checked(left: Expr, steps: list[IdentityStep], definitions=()) -> bool:
    previous = left
    for step in steps:
        if not equal(previous, step.value, definitions):
            return False
        previous = step.value
    return True


def _only_symbol(expr: Expr) -> Symbol:
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(symbols) != 1:
        raise ValueError("give the variable: the expression has " + str(len(symbols)) + " symbols")
    return symbols[0]


def softmax_identity(n: int = 3, i: int = 1, j: int = 2) -> IdentityDerivation:
    """d s_i / d a_j = s_i (delta_ij - s_j) for the softmax of n inputs, for one pair (i, j).

    >>> softmax_identity(3, 1, 2).found
    True
    """
    if not (2 <= n <= 9 and 1 <= i <= n and 1 <= j <= n):
        raise ValueError("need 2 <= n <= 9 and 1 <= i, j <= n")
    a = [Symbol(f"a{k}") for k in range(1, n + 1)]
    s = [Symbol(f"s{k}") for k in range(1, n + 1)]
    delta = Symbol(f"delta{i}{j}")
    S = Add(*(exp(ak) for ak in a))
    softmax = tuple((s[k], exp(a[k]) / S) for k in range(n))
    definitions = softmax + ((delta, sympy.Integer(int(i == j))),)
    e_i, e_j = exp(a[i - 1]), exp(a[j - 1])
    f = e_i / S
    rhs_display = Prod((s[i - 1], Terms(((1, delta), (-1, s[j - 1])))))
    # The quotient rule even for i != j (where e^a_i is a constant): the course derives both cases alike.
    quotient = QuotientRule(f, a[j - 1], e_i, S, derive(e_i, a[j - 1]), derive(S, a[j - 1]))
    steps = [
        *rule_steps(quotient),
        IdentityStep("split-product", Prod((Frac(e_i, S), Frac(Terms(((1, Prod((delta, S))), (-1, e_j))), S))),
                     e_i / S * (delta * S - e_j) / S),
        IdentityStep("split-fraction", Prod((Frac(e_i, S), Terms(((1, delta), (-1, Frac(e_j, S)))))),
                     e_i / S * (delta - e_j / S)),
        IdentityStep("recognise-softmax", rhs_display, value(rhs_display)),
    ]
    kronecker = value(rhs_display).xreplace({delta: definitions[-1][1]})
    steps.append(IdentityStep("kronecker", kronecker, kronecker))
    left = Derivative(f, a[j - 1])
    found = _checked(left, steps, definitions)
    return IdentityDerivation(Deriv(Frac(e_i, S), a[j - 1]), value(rhs_display), a[j - 1],
                              tuple(steps) if found else (), found, found, definitions)


__all__ = ["prove_identity", "softmax_identity", "IdentityDerivation", "IdentityStep", "equal"]
