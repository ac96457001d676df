"""Higher orders, gradients, Hessians, Jacobians, implicit differentiation and the ReLU family,
each against an independent witness: sympy.diff (of the native SymPy form for the ReLU family),
-F_x/F_y for implicit curves, and the numpy MLP's ReLU backward pass for the kink convention."""
from __future__ import annotations

import random
import shutil
import subprocess

import numpy
import pytest
import sympy
from sympy import Symbol, diff, exp, log, symbols

from derivtutor.catalogue import message
from derivtutor.functions import leaky_relu, relu, sigmoid, softplus, step
from derivtutor.input.parsing import parse
from derivtutor.steps.engine import derive, differentiate
from derivtutor.steps.implicit import ImplicitError, implicit, implicit_text
from derivtutor.steps.multivariate import gradient, hessian, higher_order, jacobian
from derivtutor.steps.rules import RULES_BY_ID, iter_rules

x, y, a, w, b = symbols("x y a w b")


def native(expr):
    """The course functions in SymPy's own terms, so that sympy.diff is an independent witness."""
    return (expr.replace(lambda e: isinstance(e, softplus), lambda e: log(1 + exp(e.args[0])))
            .replace(lambda e: isinstance(e, leaky_relu),
                     lambda e: sympy.Max(0, e.args[0]) + e.args[1] * sympy.Min(0, e.args[0]))
            .replace(lambda e: isinstance(e, sigmoid), lambda e: 1 / (1 + exp(-e.args[0]))))


def close_at(left, right, points, tol=1e-9) -> bool:
    """left == right at every point (dicts Symbol -> number); DiracDelta is 0 away from its kink."""
    names = sorted(set().union(*(p.keys() for p in points)), key=str)
    funcs = [sympy.lambdify(names, sympy.S(native(e).replace(lambda t: isinstance(t, sympy.DiracDelta),
                                                             lambda t: 0)), "mpmath") for e in (left, right)]
    for point in points:
        got, want = (complex(f(*(point[n] for n in names))) for f in funcs)
        if abs(got - want) > tol * max(1.0, abs(want)):
            return False
    return True


def sample_points(symbols_, count=4, seed=1):
    rng = random.Random(seed)
    return [{s: rng.choice([-1, 1]) * rng.uniform(0.3, 1.7) for s in symbols_} for _ in range(count)]


# -- higher orders: every order against sympy.diff --------------------------------------
ORDER_CASES = [
    ("poly", "x^5 - 3x^2 + 1"),
    ("product", "x^3 sin x"),
    ("chain", "e^(x^2)"),
    ("quotient", "x/(x^2 + 1)"),
    ("log", "ln(1 + x^2)"),
    ("sigmoid", "sigmoid(2x)"),
    ("tg", "tg x"),
    ("softplus", "softplus(x)"),
    ("relu-square", "relu(x)^2"),
]


@pytest.mark.parametrize("text", [c[1] for c in ORDER_CASES], ids=[c[0] for c in ORDER_CASES])
def test_every_order_equals_sympy_diff(text):
    expr = parse(text)
    result = higher_order(expr, "x", 5)
    points = sample_points([x])
    assert len(result.orders) == 5
    for k, derivation in enumerate(result.orders, 1):
        assert close_at(derivation.result, diff(native(expr), x, k), points), (k, derivation.result)
    assert result.result == result.orders[-1].result


@pytest.mark.parametrize("order", [0, 6, 2.0, True])
def test_order_outside_one_to_five_is_refused(order):
    with pytest.raises(ValueError):
        higher_order(x**2, "x", order)


# -- gradient, Hessian, Jacobian: every entry against sympy.diff ----------------------------
FIELDS = [
    ("seed002", "(x - 3)^2 + 2(y + 2)^2", "x,y"),
    ("seed003", "1 + e^(w1 x + w0)", "w0,w1"),
    ("mixed", "x^2 y^3 + sin(x y)", "x,y"),
    ("three", "x y z + ln(x^2 + z^2)", "x,y,z"),
    ("relu-neuron", "relu(w x + b)", "w,b"),
]


@pytest.mark.parametrize("text,names", [c[1:] for c in FIELDS], ids=[c[0] for c in FIELDS])
def test_gradient_and_hessian_entries_equal_sympy_diff(text, names):
    expr = parse(text, variables=names.split(","))
    xs = [Symbol(n) for n in names.split(",")]
    points = sample_points(sorted(expr.free_symbols, key=str), 6)
    g, h = gradient(expr, names), hessian(expr, names)
    assert g.variables == tuple(xs) == h.variables
    for xi, d in zip(xs, g.entries):
        assert close_at(d.result, diff(native(expr), xi), points)
    for i, row in enumerate(h.entries):
        for j, d in enumerate(row):
            assert close_at(d.result, diff(native(expr), xs[i], xs[j]), points), (i, j)


def test_jacobian_entries_equal_sympy_diff():
    components = [parse("x^2 y"), parse("sin(x) + y"), parse("e^(x y)")]
    J = jacobian(components)
    points = sample_points([x, y])
    assert [v.name for v in J.variables] == ["x", "y"]
    for i, f in enumerate(components):
        for j, v in enumerate((x, y)):
            assert close_at(J.entries[i][j].result, diff(f, v), points)


def test_gradient_dict_has_the_contract_shape():
    data = gradient(x**2 * y).to_dict()
    assert data["gradient"] == {"x": "2*x*y", "y": "x**2"}
    assert set(data["derivations"]) == {"x", "y"} and data["derivations"]["x"]["steps"]
    hess = hessian(x**2 * y).to_dict()
    assert hess["hessian"] == [["2*y", "2*x"], ["2*x", "0"]]
    assert "pmatrix" in hess["hessian_latex"]


# -- implicit differentiation against -F_x / F_y ------------------------------------------
CURVES = [
    ("circle", "x^2 + y^2 = 1"),
    ("hyperbola", "x y = 1"),
    ("folium", "x^3 + y^3 = 6 x y"),
    ("trig", "sin(x y) = x + y"),
    ("exp", "e^y + x y = e"),
    ("both-sides", "y^2 + x = x^2 y + 3"),
]


@pytest.mark.parametrize("text", [c[1] for c in CURVES], ids=[c[0] for c in CURVES])
def test_implicit_equals_minus_fx_over_fy(text):
    lhs, rhs = (parse(side, variables=("x", "y")) for side in text.split("="))
    F = lhs - rhs
    witness = -diff(F, x) / diff(F, y)
    result = implicit_text(text)
    points = [p for p in sample_points([x, y], 6) if diff(F, y).subs(p) != 0]
    assert close_at(result.result, witness, points)
    assert close_at(result.solved, witness, points)


def test_circle_gives_minus_x_over_y():
    assert implicit_text("x^2 + y^2 = 1").result == -x / y


@pytest.mark.parametrize("lhs,rhs,code", [(x**2, 1, "calculus.implicit.no-y"),
                                          (x + y - y, 2, "calculus.implicit.no-y")], ids=["no-y", "cancelled"])
def test_implicit_without_y_is_refused(lhs, rhs, code):
    with pytest.raises(ImplicitError) as info:
        implicit(lhs, rhs)
    assert info.value.code == code


# -- the ReLU family: steps, sympy.diff of the native form, the kink convention -------------
KINKS = [
    ("relu", "relu(x)", "relu"),
    ("max", "max(0, x)", "relu"),
    ("max-reversed", "max(3x - 1, 0)", "relu"),
    ("relu-chain", "relu(w x + b)", "relu"),
    ("leaky", "leaky_relu(x, 0.1)", "leaky_relu"),
    ("leaky-symbolic", "leaky_relu(x^2 - 1, a)", "leaky_relu"),
    ("softplus", "softplus(x^2)", "softplus"),
    ("heaviside", "heaviside(x - 1)", "heaviside"),
    ("step", "step(x) x^2", "heaviside"),
]


@pytest.mark.parametrize("text,rule_id", [c[1:] for c in KINKS], ids=[c[0] for c in KINKS])
def test_relu_family_has_named_rules_equal_to_sympy_diff(text, rule_id):
    expr = parse(text)
    var = w if text.startswith("relu(w") else x
    rule = derive(expr, var)
    assert not rule.contains_dont_know()
    assert rule_id in {node.rule_id for node in iter_rules(rule)}
    points = [p for p in sample_points(sorted(expr.free_symbols, key=str), 8) if p.get(x, 1) not in (0,)]
    assert close_at(rule.eval(), diff(native(expr), var), points)
    assert close_at(differentiate(expr, var).result, diff(native(expr), var), points)


def test_relu_and_max_are_one_expression():
    assert parse("relu(x)") == parse("max(0, x)") == parse("max(x, 0)") == relu(x)
    assert parse("heaviside(x)") == parse("step(x)") == step(x)


def test_kink_convention_matches_the_backprop_relu():
    """relu'(0) = 0, like the numpy MLP's ReLU backward pass (g * [a > 0]) at a = 0."""
    from derivtutor.backprop.mlp import ReLU

    layer = ReLU()
    layer.forward(numpy.array([0.0, 2.0, -2.0]))
    backprop = layer.backward(numpy.ones(3))
    ours = [derive(relu(x), x).eval().subs(x, v) for v in (0, 2, -2)]
    assert [float(v) for v in ours] == list(backprop)
    assert derive(leaky_relu(x, a), x).eval().subs(x, 0) == a   # the left slope at the kink
    assert step(sympy.Integer(0)) == 0


# -- every new step renders in English and Russian; the LaTeX compiles ---------------------
NEW_RULES = ["relu", "leaky_relu", "heaviside", "softplus"]


@pytest.mark.parametrize("rule_id", NEW_RULES)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_new_rules_render_in_both_languages(rule_id, lang):
    assert rule_id in RULES_BY_ID
    text = {"relu": "relu(x^2)", "leaky_relu": "leaky_relu(x^2, 0.2)", "heaviside": "step(x^2 - 1)",
            "softplus": "softplus(x^2)"}[rule_id]
    d = differentiate(text)
    sentence = message(f"steps.rule.{rule_id}", lang, slope="0.2")
    assert sentence.split(" ")[0] in d.to_text(lang)
    assert "Heaviside" not in d.to_text(lang) and "Max(" not in d.to_text(lang)
    assert "\\theta" not in d.to_latex(lang)


def _documents(lang):
    yield hessian("x^2 y + relu(x y)", "x,y").to_latex(lang)
    yield gradient("(x - 3)^2 + 2(y + 2)^2").to_latex(lang)
    yield jacobian(["x y", "softplus(x) + y"]).to_latex(lang)
    yield higher_order("x leaky_relu(x, 0.1)", "x", 3).to_latex(lang)
    yield implicit_text("sin(x y) = x + y").to_latex(lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_text_and_markdown_render_in_both_languages(lang):
    for result in (gradient("x^2 y"), hessian("x^2 y"), jacobian(["x y", "x + y"]), higher_order("x^3", "x", 2),
                   implicit_text("x^2 + y^2 = 1")):
        for out in (result.to_text(lang), result.to_markdown(lang)):
            assert out.strip() and "{" not in out.replace("{pmatrix}", "").replace("\\frac{", "").split("$")[0]
        if lang == "ru":
            assert any("\u0400" <= ch <= "\u04ff" for ch in result.to_text(lang))


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_multivariate_and_implicit_latex_compiles(tmp_path, lang):
    source = gradient("x^2 y").to_latex(lang, standalone=True)
    source = source.replace("\\end{document}", "\n\n".join(_documents(lang)) + "\n\\end{document}")
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_calculus_messages_have_both_languages_with_the_same_fields():
    import tomllib
    from pathlib import Path

    from derivtutor.catalogue import placeholders

    path = Path(__file__).resolve().parents[1] / "derivtutor" / "locale" / "calculus.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def codes(table, prefix=""):
        for key, value in table.items():
            if "en" in value:
                yield prefix + key
            else:
                yield from codes(value, prefix + key + ".")

    found = list(codes(data))
    assert len(found) > 30
    for code in found:
        assert placeholders(code, "en") == placeholders(code, "ru"), code
