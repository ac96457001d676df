"""Computational graphs: seed 003's values, gradients against sympy.diff, JSON, DOT, CLI."""
from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
import sympy

from derivtutor.cli import main
from derivtutor.backprop.graph import build_graph, to_dot
from derivtutor.input.parsing import parse

SEED_003 = ("1 + e^(w1 x + w0)", {"x": 1.0, "w1": 2.0, "w0": 1.0})


def test_seed_003_forward_values():
    graph = build_graph(parse(SEED_003[0]), SEED_003[1])
    # The seed's forward code: a = x*w1, b = a + w0, c = np.exp(b), f = 1 + c.
    x, w1, w0 = 1.0, 2.0, 1.0
    a = x * w1
    b = a + w0
    c = math.exp(b)
    f = 1 + c
    assert [(n.name, n.value) for n in graph.nodes] == [("a", a), ("b", b), ("c", pytest.approx(c)), ("f", pytest.approx(f))]
    assert [n.op for n in graph.nodes] == ["mul", "add", "exp", "add"]


def test_seed_003_backward_pass_node_by_node():
    graph = build_graph(parse(SEED_003[0]), SEED_003[1])
    # The seed's backward code, in its order: df, dc, db, dw0, da, dw1, dx.
    x, w1, b = 1.0, 2.0, 3.0
    df = 1
    dc = df
    db = math.exp(b) * dc
    dw0 = db
    da = db
    dw1 = x * da
    dx = w1 * da
    expected = [("f", df), ("c", dc), ("b", db), ("w0", dw0), ("a", da), ("w1", dw1), ("x", dx)]
    assert [(s.name, s.value) for s in graph.backward] == [(n, pytest.approx(v)) for n, v in expected]
    assert [s.text for s in graph.backward] == ["df = 1", "dc = df", "db = exp(b)*dc", "dw0 = db", "da = db",
                                                "dw1 = x*da", "dx = w1*da"]


EXPRESSIONS = [
    ("sigmoid(w1 x + w0)", {"x": 1.0, "w1": 2.0, "w0": -1.0}),
    ("x^x + sin(x y) y - 3 x y z", {"x": 1.5, "y": 2.0, "z": 0.5}),
    ("(x - y)^2 / 2", {"x": 3.0, "y": 1.0}),
    ("ln(1 + e^(-w x)) + w^2", {"x": 0.7, "w": -1.3}),
    ("x * x * x * y", {"x": 1.1, "y": 2.0}),
    ("tg(x^2) + arctg(x)", {"x": 0.4}),
    ("x", {"x": 2.0}),
    ("tanh(w x + b) - x^2/(1 - x)", {"w": 1.2, "x": 0.3, "b": 0.2}),
    ("x y - 3 x^2 - x", {"x": 0.6, "y": -1.5}),
]


@pytest.mark.parametrize("text, point", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_gradients_match_sympy_diff(text, point):
    expr = parse(text)
    graph = build_graph(expr, point)
    subs = {sympy.Symbol(k): v for k, v in point.items()}
    assert graph.nodes[-1].value == pytest.approx(float(expr.evalf(subs=subs)))
    for name, grad in graph.gradients.items():
        assert grad == pytest.approx(float(sympy.diff(expr, sympy.Symbol(name)).evalf(subs=subs)), rel=1e-12)


@pytest.mark.parametrize("text, point", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_every_node_has_at_most_two_inputs(text, point):
    assert all(len(n.inputs) <= 2 for n in build_graph(parse(text), point).nodes)


def test_json_shape(capsys):
    assert main(["graph", SEED_003[0], "--at", "x=1,w1=2,w0=1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"nodes", "gradients"} <= set(doc)
    assert all({"name", "op", "inputs", "value", "grad"} <= set(n) for n in doc["nodes"])
    assert doc["gradients"]["x"] == pytest.approx(2 * math.exp(3))
    assert doc["gradients"]["w1"] == pytest.approx(math.exp(3))


def test_text_tables(capsys):
    assert main(["graph", SEED_003[0], "--at", "x=1,w1=2,w0=1"]) == 0
    out = capsys.readouterr().out
    assert "c = exp(b)" in out and "db = exp(b)*dc" in out and "40.1711" in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
@pytest.mark.parametrize("text, point", EXPRESSIONS[:3], ids=[e[0] for e in EXPRESSIONS[:3]])
def test_dot_renders_with_graphviz(text, point):
    dot = to_dot(build_graph(parse(text), point))
    result = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert b"<svg" in result.stdout


@pytest.mark.parametrize("argv, code", [
    (["1 + e^(w1 x + w0)", "--at", "x=1,w1=2"], "graph.error.missing-value"),
    (["1 + e^(w1 x + w0)", "--at", "x=1;w1=2"], "graph.error.bad-point"),
    (["x + y", "--at", "x=__import__('os')"], "graph.error.bad-point"),
    (["ln(x)", "--at", "x=0"], "graph.error.not-finite"),
    (["1 + e^(w1 x", "--at", "x=1"], None),
], ids=["missing", "separator", "hostile", "log-zero", "parse-error"])
def test_bad_input_exits_2(capsys, argv, code):
    assert main(["graph", *argv, "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"]["message"]
    if code is not None:
        assert doc["error"]["code"] == code


@pytest.mark.parametrize("text, point", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_backward_rules_read_back_as_their_values(text, point):
    """Each printed rule dx = ..., parsed back and evaluated, gives the gradient the pass computed."""
    graph = build_graph(parse(text), point)
    quantities = graph.variables + graph.nodes
    names = [n.name for n in quantities] + ["d" + n.name for n in quantities]
    subs = {sympy.Symbol(n.name): n.value for n in quantities}
    subs |= {sympy.Symbol("d" + n.name): n.grad for n in quantities}
    for step in graph.backward:
        lhs, rhs = step.text.split(" = ")
        assert lhs == "d" + step.name and "+ -" not in rhs and "--" not in rhs
        assert float(parse(rhs, variables=names).evalf(subs=subs)) == pytest.approx(step.value, rel=1e-12)


def test_several_consumers_join_with_minus():
    graph = build_graph(parse("x^x + sin(x y) y - 3 x y z"), {"x": 1.5, "y": 2.0, "z": 0.5})
    rules = {s.name: s.text for s in graph.backward}
    assert rules["y"] == "dy = x*db + c*dg - 3*x*dh"
    assert rules["x"].endswith(" - 3*y*dh")
