"""The step engine against SymPy: every rule tree, every step, every corpus function."""
from __future__ import annotations

import dataclasses
import random

import pytest
import sympy
from sympy import Function, Symbol, cos, diff, erf, exp, sin, sqrt, tan

from corpus_functions import CORPUS, SEED_ANSWERS
from derivtutor.functions import sigmoid
from derivtutor.input.parsing import parse
from derivtutor.steps.rules import (RULES_BY_ID, ChainRule, ConstantRule, DontKnowRule, ProductRule,
                              QuotientRule, Rule, VariableRule, iter_rules)
from derivtutor.steps.engine import derive, differentiate, substitution_names, variable_symbol

x = Symbol("x")
CORPUS_IDS = [entry[0] for entry in CORPUS]


def numerically_equal(a, b, points: int = 3, seed: int = 0) -> bool:
    """a == b at random real points in (0.2, 0.9) for every free symbol (complex values allowed)."""
    rng = random.Random(seed)
    symbols = sorted((a.free_symbols | b.free_symbols), key=lambda s: s.name)
    for _ in range(points):
        values = {s: sympy.Float(rng.uniform(0.2, 0.9)) for s in symbols}
        va = complex(a.rewrite(exp).subs(values).evalf(30))
        vb = complex(b.rewrite(exp).subs(values).evalf(30))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


def real_diff(expr, var):
    """sympy.diff over real symbols (the course's setting: |x|' = sign x), mapped back."""
    real = {s: Symbol(s.name, real=True) for s in expr.free_symbols | {var}}
    back = {r: s for s, r in real.items()}
    return diff(expr.xreplace(real), real[var]).xreplace(back)


@pytest.fixture(scope="module")
def corpus():
    """{id: (expr, var, Derivation)} for the whole corpus, computed once."""
    out = {}
    for name, text, var in CORPUS:
        expr = parse(text)
        out[name] = (expr, Symbol(var), differentiate(expr, var))
    return out


def test_corpus_is_large_and_covers_every_rule(corpus):
    assert len(CORPUS) >= 120
    used = {node.rule_id for _, _, d in corpus.values() for node in iter_rules(d.rule)}
    used |= {s.rule_id for _, _, d in corpus.values() for s in d.simplification}
    assert set(RULES_BY_ID) - used == {"dont_know"}


@pytest.mark.parametrize("name", CORPUS_IDS, ids=CORPUS_IDS)
def test_result_equals_sympy_diff(corpus, name):
    expr, var, derivation = corpus[name]
    witness = real_diff(expr, var)
    assert numerically_equal(derivation.rule.eval(), witness)
    assert numerically_equal(derivation.result, witness)


@pytest.mark.parametrize("name", CORPUS_IDS, ids=CORPUS_IDS)
def test_no_fallback(corpus, name):
    _, _, derivation = corpus[name]
    assert not derivation.contains_dont_know()
    assert not any(isinstance(node, DontKnowRule) for node in iter_rules(derivation.rule))


@pytest.mark.parametrize("name", CORPUS_IDS, ids=CORPUS_IDS)
def test_every_step_is_the_derivative_of_its_expression(corpus, name):
    _, _, derivation = corpus[name]
    for node in iter_rules(derivation.rule):
        assert numerically_equal(node.eval(), real_diff(node.expr, node.var)), node
    for step in derivation.simplification:
        assert numerically_equal(step.expr, step.result), step


@pytest.mark.parametrize("name, text, teacher", SEED_ANSWERS, ids=[s[0] for s in SEED_ANSWERS])
def test_seed_answers_reach_the_teachers_form(name, text, teacher):
    derivation = differentiate(text)
    assert derivation.result == parse(teacher)  # the same expression, not merely equivalent
    assert numerically_equal(derivation.result, diff(parse(text), x))


@pytest.mark.parametrize("lang, word", [("en", "Answer"), ("ru", "Ответ")], ids=["en", "ru"])
@pytest.mark.parametrize("name, text, teacher", SEED_ANSWERS, ids=[s[0] for s in SEED_ANSWERS])
def test_seed_answers_in_both_languages(name, text, teacher, lang, word):
    from derivtutor.render.text import course_str

    last = differentiate(text).to_text(lang).splitlines()[-1]
    assert last.startswith(word)
    assert last.endswith(course_str(parse(teacher), lang))


@pytest.mark.parametrize("expr, ids", [
    (sin(cos(tan(sqrt(x)))), ["u", "v", "w"]),
    (sin(Symbol("u") * cos(Symbol("v") * x)), ["w", "u1"]),
    (sympy.atan(x**3) ** 2, ["u", "v"]),
], ids=["deep", "clash", "arctg"])
def test_each_substitution_has_its_own_fresh_name(expr, ids):
    chains = [node for node in iter_rules(derive(expr, x)) if isinstance(node, ChainRule)]
    names = [c.u.name for c in chains]
    assert names == ids
    assert not {c.u for c in chains} & expr.free_symbols


def test_substitution_names_skip_taken():
    names = [s.name for s, _ in zip(substitution_names({"u", "w", "u1"}), range(3))]
    assert names == ["v", "u2", "u3"]


@pytest.mark.parametrize("expr", [Function("f")(x), erf(x), sympy.Max(x, x**2)], ids=["f", "erf", "max"])
def test_unknown_functions_fall_back_and_say_so(expr):
    rule = derive(sin(expr), x)
    assert rule.contains_dont_know()
    assert isinstance(rule.inner, DontKnowRule)


def test_swapping_a_child_gives_the_local_mistake():
    rule = derive(sin(x**2), x)
    forgot_inner = dataclasses.replace(rule, inner=VariableRule(x, x))
    assert forgot_inner.eval() == diff(sin(x**2), x) / diff(x**2, x)


def test_product_and_quotient_children_are_swappable():
    rule = derive(x**2 * sin(x), x)
    assert isinstance(rule, ProductRule) and rule.factor_rules == rule.substeps
    frozen = dataclasses.replace(rule, substeps=(ConstantRule(x**2, x), rule.substeps[1]))
    assert frozen.eval() == x**2 * diff(sin(x), x)
    q = derive(sin(x) / x, x)
    assert isinstance(q, QuotientRule) and (q.numer, q.denom) == (sin(x), x)
    sign_slip = dataclasses.replace(q, denom_rule=ConstantRule(x, x))
    assert sympy.simplify(sign_slip.eval() - diff(sin(x), x) / x) == 0


def test_rules_are_frozen_and_have_ids_and_formulas():
    rule = derive(x**3, x)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.exp = 4
    for rule_id, cls in RULES_BY_ID.items():
        assert issubclass(cls, Rule) and cls.rule_id == rule_id and cls.__doc__
        assert cls.formula or rule_id == "dont_know"


def test_iter_rules_is_preorder():
    rule = derive(exp(sin(x)) + x, x)
    assert [n.rule_id for n in iter_rules(rule)] == ["sum", "variable", "chain", "exp", "sin"]


def test_sigmoid_written_out_is_recognised():
    derivation = differentiate(1 / (1 + exp(-x)), x)
    assert derivation.result == sigmoid(x) * (1 - sigmoid(x))
    assert [s.kind for s in derivation.simplification] == ["sigmoid"]


@pytest.mark.parametrize("bad", ["x y", "1x", "__class__", "x;y", ""], ids=["space", "digit", "dunder", "semi", "empty"])
def test_variable_names_are_validated(bad):
    with pytest.raises(ValueError):
        variable_symbol(bad)


def test_differentiate_accepts_text_and_infers_single_variable():
    d = differentiate("sin(t^2)", var=None)
    assert d.var == Symbol("t") and d.result == diff(sin(Symbol("t") ** 2), Symbol("t"))
    with pytest.raises(ValueError):
        differentiate("x y", var=None)


def test_every_simplification_kind_is_used_by_the_corpus(corpus):
    from derivtutor.steps.simplification import REWRITES

    used = {step.kind for _, _, d in corpus.values() for step in d.simplification}
    assert used == {kind for kind, _ in REWRITES} | {"combine"}


@pytest.mark.parametrize("text, kinds", [
    ("sin(x)/(1 + cos(x))", ["expand", "pythagorean"]),
    ("ln((x - 1)/(x + 1))", ["cancel"]),
    ("(w x + b - y)^2/2", ["combine", "cancel", "common_factor"]),
    ("ln(1 + e^x)", ["sigmoid"]),
], ids=["pythagorean", "cancel", "common-factor", "softplus"])
def test_named_simplification_steps(text, kinds):
    expr = parse(text)
    var = "w" if "w" in text else "x"
    derivation = differentiate(expr, var)
    assert [s.kind for s in derivation.simplification] == kinds
    assert numerically_equal(derivation.result, real_diff(expr, Symbol(var)))


def _function_spellings():
    from derivtutor.input.vocabulary import FUNCTION_ALIASES

    return sorted(FUNCTION_ALIASES)


#: Two-argument functions: the text around the chain's argument (max(0, u), leaky_relu(u, 1/10)).
_OTHER_ARGUMENT = {"max": ("0, ", ""), "leaky_relu": ("", ", 1/10")}


@pytest.mark.parametrize("name", _function_spellings(), ids=_function_spellings())
def test_every_function_the_parser_accepts_has_a_named_rule(name):
    """Each spelling the parser knows, on a chain, is explained without the fallback."""
    from derivtutor.input.vocabulary import FUNCTION_ALIASES

    before, after = _OTHER_ARGUMENT.get(FUNCTION_ALIASES[name], ("", ""))
    expr = parse(f"{name}({before}x^2/2 + 1/3{after})")
    rule = derive(expr, x)
    assert not rule.contains_dont_know(), rule
    assert numerically_equal(rule.eval(), real_diff(expr, x))
    for node in iter_rules(rule):
        assert numerically_equal(node.eval(), real_diff(node.expr, node.var)), node


@pytest.mark.parametrize("text", ["sign x", "sgn(x^2 - 1)", "sign(sin x)"], ids=["x", "chain", "sin"])
def test_sign_derivative_is_zero_away_from_zero(text):
    expr = parse(text)
    assert differentiate(expr, "x").result == 0
    # Independent witness: a central difference at points where the argument is not near zero.
    f = sympy.lambdify(x, expr)
    for point in (-2.3, -0.4, 0.7, 2.9):
        assert (f(point + 1e-6) - f(point - 1e-6)) / 2e-6 == 0
