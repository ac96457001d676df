"""The equivalence engine, checked against SymPy's own evalf as an independent witness."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy
import pytest
import sympy

from derivtutor.checking import equivalence
from derivtutor.checking.equivalence import compare
from derivtutor.checking.numeric import float_compile, float_eval
from derivtutor.input.parsing import parse
from derivtutor.checking.sampling import columns, sample_points


def P(text: str) -> sympy.Expr:
    return parse(text, "plain")


def witness_values(expr, point: dict):
    """SymPy's evalf at ``point`` (exact rationals), or None where it is not a finite number."""
    # 50-digit Floats, not Rationals: (p/q)^6000 in exact arithmetic would be slow.
    subs = {s: sympy.Float(sympy.Rational(v), 50) for s, v in point.items()}
    try:
        value = expr.xreplace(subs).evalf(40)
    except OverflowError:  # exp(exp(exp(...))): too large for evalf itself
        return None
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    return value


def is_real(value) -> bool:
    return abs(sympy.im(value)) <= 1e-12 * max(1, abs(value))


def near(a, b, tol: float) -> bool:
    return bool(abs(a - b) <= tol * max(1, abs(b)))


def witness_equal(ref, ans, tries: int = 12) -> bool:
    """Equal at random points of the reference's real domain, by SymPy evalf only."""
    rng = random.Random(1234)
    symbols = sorted(ref.free_symbols | ans.free_symbols, key=str)
    checked = 0
    for _ in range(200):
        point = {s: rng.choice((-1, 1)) * rng.uniform(0.2, 3.0) for s in symbols}
        r = witness_values(ref, point)
        if r is None or not is_real(r):
            continue
        a = witness_values(ans, point)
        if a is None or not near(a, r, 1e-9):
            return False
        checked += 1
        if checked == tries:
            return True
    raise AssertionError(f"the witness found only {checked} of {tries} points in the domain")


EQUAL = [
    ("pythagoras", "sin(x)^2 + cos(x)^2", "1"),
    ("tan-forms", "2x/cos(x^2)^2", "2x (1 + tan(x^2)^2)"),
    ("abs-sqrt", "abs(x)", "sqrt(x^2)"),
    ("removable-singularity", "x + 1/2", "(x^2 - 1/4)/(x - 1/2)"),
    ("cancellation", "(1 - cos(x))/x^2", "2 sin(x/2)^2/x^2"),
    ("huge-power", "(x - a)^6000", "(a - x)^6000"),
    ("sigmoid-forms", "sigmoid(x)(1 - sigmoid(x))", "e^(-x)/(1 + e^(-x))^2"),
    ("root-reciprocal", "1/sqrt(x)", "sqrt(1/x)"),
    ("exp-log", "e^(x ln 2)", "2^x"),
    ("log-square", "log(x^2)", "2 log(abs(x))"),
    ("several-variables", "(x + y)^2", "x^2 + 2 x y + y^2"),
    ("constant", "atan(1/2)", "pi/2 - atan(2)"),
]

DIFFERENT = [
    ("sqrt-square", "x", "sqrt(x^2)"),
    ("sqrt-product", "sqrt(x - 3) sqrt(x - 5)", "sqrt((x - 3)(x - 5))"),
    ("fifteen-digits", "x^2/3", "0.333333333333333 x^2"),
    ("huge-powers", "(x - a)^5999", "(x - a)^6000"),
    ("power-of-power", "a^(b c)", "(a^b)^c"),
    ("cos-sum", "cos(x + y)", "cos(x) cos(y) + sin(x) sin(y)"),
    ("other-variable", "2x", "2y"),
    ("tiny-term", "x", "x + x^2/10^12"),
    ("overflowing-answer", "cos(x)", "exp(exp(exp(exp(exp(exp(x))))))"),
    ("undefined-answer", "x", "sqrt(-x^2 - 1) + x"),
]


@pytest.mark.parametrize("ref, ans", [c[1:] for c in EQUAL], ids=[c[0] for c in EQUAL])
def test_equal_pairs(ref, ans):
    ref, ans = P(ref), P(ans)
    assert witness_equal(ref, ans)
    result = compare(ref, ans)
    assert result.equal is True
    assert result.counterexample is None


@pytest.mark.parametrize("ref, ans", [c[1:] for c in DIFFERENT], ids=[c[0] for c in DIFFERENT])
def test_different_pairs_have_a_true_counterexample(ref, ans):
    ref, ans = P(ref), P(ans)
    result = compare(ref, ans)
    assert result.equal is False
    ce = result.counterexample
    point = {sympy.Symbol(k): v for k, v in (c for c in ce.coordinates)}
    r = witness_values(ref, point)
    assert r is not None and is_real(r), "the point is in the reference's real domain"
    assert near(sympy.Float(str(ce.expected_value.real), 40), r, 1e-9)
    a = witness_values(ans, point)
    if ce.answer_value is None:
        assert a is None or abs(a) > 1e300 or not near(a, r, 1e-9)
    else:
        # relative: at (x - a)^6000 the values are 1e-2863 and 3e-2863, which an absolute floor hides
        assert a is not None and abs(a - r) > 1e-25 * max(abs(a), abs(r))


def test_counterexample_json_shape():
    ce = compare(P("sin(x)"), P("-sin(x)")).counterexample
    data = ce.to_dict()
    assert set(data) == {"point", "expected", "answer"}
    assert data["point"] == {"x": 0.5}
    assert data["expected"] == pytest.approx(float(sympy.sin(sympy.Rational(1, 2))))
    assert data["answer"] == pytest.approx(-data["expected"])


def test_at_least_eight_points_across_scales():
    x = sympy.Symbol("x")
    points = sample_points((x,))
    magnitudes = sorted(abs(float(p[0])) for p in points)
    assert len(points) >= 8
    assert magnitudes[0] < 0.5 and magnitudes[-1] > 5
    assert any(float(p[0]) < 0 for p in points) and any(float(p[0]) > 0 for p in points)
    assert compare(x**2, x * x + 0 * x).equal is True


FLOAT_CORPUS = ["sqrt(-x)", "log(-x)", "x^(1/3)", "asin(x)", "acot(x)", "sigmoid(x) + tanh(x)",
                "sec(x) csc(x) cot(x)", "abs(x - 1) + exp(-x^2)", "(-x)^(2/3) - x^x", "atan(x)/x"]


@pytest.mark.parametrize("text", FLOAT_CORPUS, ids=FLOAT_CORPUS)
def test_float_tier_matches_sympy_evalf(text):
    expr = P(text)
    x = sympy.Symbol("x")
    points = sample_points((x,))
    values = float_eval(float_compile(expr, (x,)), columns(points, 1))
    checked = 0
    for (c,), v in zip(points, values):
        w = witness_values(expr, {x: c})
        if w is None or not numpy.isfinite(v):
            continue
        assert near(sympy.Float(v.real) + sympy.I * sympy.Float(v.imag), w, 1e-9), (c, v, w)
        checked += 1
    assert checked >= 8


def test_complex_fallback_when_the_reference_is_real_nowhere():
    ref = sympy.sqrt(-1 - sympy.Symbol("x") ** 2)
    ans = sympy.I * sympy.sqrt(1 + sympy.Symbol("x") ** 2)
    assert compare(ref, ans).equal is True
    assert compare(ref, -ans).equal is False


def test_symbolic_tier_confirms_when_sampling_is_inconclusive(monkeypatch):
    monkeypatch.setattr(equivalence, "MIN_POINTS", 10**6)
    result = compare(P("sin(x)^2 + cos(x)^2"), P("1 + 0 x") + sympy.Symbol("x") * 0)
    assert result.equal is True and result.method == "symbolic"


def test_symbolic_tier_never_guesses_equal(monkeypatch):
    monkeypatch.setattr(equivalence, "MIN_POINTS", 10**6)
    monkeypatch.setattr(sympy, "simplify", lambda e: e)  # a tier that cannot prove anything
    monkeypatch.setattr(sympy, "trigsimp", lambda e: e)  # (the proof stage tries trigsimp too)
    result = compare(P("sin(x)^2 + cos(x)^2"), P("1"))
    assert result.equal is None and result.method == "undecided"


def test_deterministic_within_a_process():
    ref, ans = P("tan(x^2)"), P("2x/sin(x^2)^2")
    first = compare(ref, ans).counterexample.to_dict()
    equivalence.reference_samples.cache_clear()
    assert compare(ref, ans).counterexample.to_dict() == first


def test_deterministic_across_processes():
    code = ("import json; from derivtutor.input.parsing import parse; from derivtutor.checking.equivalence import compare;"
            "r = compare(parse('cos(x y) + x'), parse('cos(x) cos(y) + x'));"
            "print(json.dumps(r.counterexample.to_dict(), sort_keys=True))")
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(out.stdout.strip())
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["point"]


MP_CORPUS = FLOAT_CORPUS + ["(x - 1/3)^6000 / 10^20", "0.333333333333333 x^2", "exp(x) - 1 - x", "pi^x + e"]


@pytest.mark.parametrize("text", MP_CORPUS, ids=MP_CORPUS)
def test_mpmath_tier_matches_sympy_evalf(text):
    from derivtutor.checking.numeric import HIGH, compile_expr, evaluate

    expr = P(text)
    x = sympy.Symbol("x")
    func = compile_expr(expr, (x,), HIGH)
    checked = 0
    for (c,) in sample_points((x,)):
        w = witness_values(expr, {x: c})
        v = evaluate(func, (c,), HIGH)
        if w is None or v is None:
            assert (w is None) == (v is None), c
            continue
        value = sympy.Float(str(v.real), 60) + sympy.I * sympy.Float(str(v.imag), 60)
        assert near(value, w, 1e-35), (c, v, w)
        checked += 1
    assert checked >= 8


def test_the_compilers_free_symbol_test_is_sympys():
    # Witness: SymPy's own free_symbols at every node, bound variables included (Derivative,
    # Integral, Lambda keep theirs out), and function classes (FunctionClass is a metaclass).
    from derivtutor.checking.numeric import _has_free
    from derivtutor.functions import sigmoid

    x, y, t = sympy.symbols("x y t")
    trees = [sympy.sin(x**2) * sigmoid(3 * x) + sympy.pi, sympy.Derivative(x * y, y) + sympy.E,
             sympy.Integral(t**2, (t, 0, 1)) * x, sympy.Lambda(t, t + 1)(2) + sympy.Abs(y - 1),
             sympy.exp(sympy.cos(sympy.Rational(1, 3))) + sympy.sqrt(2) * x]
    for tree in trees:
        memo: dict = {}
        for node in sympy.preorder_traversal(tree):
            assert _has_free(node, memo) == bool(node.free_symbols), node
