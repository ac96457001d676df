"""Matrix calculus: gradients against finite differences of losses written here in numpy,
against SymPy's MatrixSymbol.diff, shape errors, layouts, the matrix exercise kind and the CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

from derivtutor.cli import main
from derivtutor.course.bank import load_exercises, check_exercise
from derivtutor.course.matrix_kind import check as check_matrix
from derivtutor.matrix.api import matrix_gradient
from derivtutor.matrix.nodes import MatrixError
from derivtutor.matrix.numeric import evaluate
from derivtutor.matrix.shapes import infer, parse_shapes
from derivtutor.matrix.syntax import parse_matrix


def sig(v):
    return 1 / (1 + np.exp(-v))


def lse(v):
    return np.log(np.exp(v).sum())


def softmax(v):
    return np.exp(v) / np.exp(v).sum()


#: expression, variable, shapes, the same loss written independently in numpy
CASES = [
    ("||Xw - y||^2", "w", "X=n,d; w=d; y=n", lambda X, w, y: np.sum((X @ w - y) ** 2)),
    ("||Xw - y||^2 + lambda ||w||^2", "w", "X=n,d; w=d; y=n; lambda=1",
     lambda X, w, y, **k: np.sum((X @ w - y) ** 2) + 0.7 * np.sum(w * w)),
    ("sum(log(1 + exp(-y .* Xw)))", "w", "X=n,d; w=d; y=n", lambda X, w, y: np.sum(np.log(1 + np.exp(-y * (X @ w))))),
    ("logsumexp(Wx) - y^T W x", "W", "W=k,d; x=d; y=k", lambda W, x, y: lse(W @ x) - (y.T @ W @ x).item()),
    ("1/2 ||sigmoid(Wx + b) - y||^2", "W", "W=k,d; x=d; b=k; y=k",
     lambda W, x, b, y: 0.5 * np.sum((sig(W @ x + b) - y) ** 2)),
    ("1/2 ||sigmoid(Wx + b) - y||^2", "b", "W=k,d; x=d; b=k; y=k",
     lambda W, x, b, y: 0.5 * np.sum((sig(W @ x + b) - y) ** 2)),
    ("trace(A^T B)", "A", "A=n,d; B=n,d", lambda A, B: np.trace(A.T @ B)),
    ("x^T A x", "x", "A=n,n; x=n", lambda A, x: (x.T @ A @ x).item()),
    ("norm(v)", "v", "v=n", lambda v: np.sqrt(np.sum(v * v))),
    ("sum(tanh(Xw))", "w", "X=n,d; w=d", lambda X, w: np.sum(np.tanh(X @ w))),
    ("y^T softmax(Wx)", "W", "W=k,d; x=d; y=k", lambda W, x, y: (y.T @ softmax(W @ x)).item()),
    ("sum(exp(w) ./ (1 + w .* w))", "w", "w=n", lambda w: np.sum(np.exp(w) / (1 + w * w))),
    ("trace(X^T X) / 2", "X", "X=n,d", lambda X: np.trace(X.T @ X) / 2),
    ("sum(relu(Wx))", "W", "W=k,d; x=d", lambda W, x: np.sum(np.maximum(W @ x, 0))),
]


def fd(loss, env, name, h=1e-6):
    base = env[name]
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (loss(**{**env, name: up}) - loss(**{**env, name: down})) / (2 * h)
    return grad


def random_env(shapes: str, rng):
    sizes = {}
    env = {}
    for item in shapes.split(";"):
        name, dims = (s.strip() for s in item.split("="))
        dims = [d.strip() for d in dims.split(",")]
        real = [1 if d == "1" else sizes.setdefault(d, int(rng.integers(2, 6))) for d in dims]
        env[name] = rng.normal(size=(real[0], real[1] if len(real) > 1 else 1))
    return env


@pytest.mark.parametrize("expr,wrt,shapes,loss", CASES, ids=[f"{c[0]}-d{c[1]}" for c in CASES])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gradient_matches_finite_differences_of_an_independent_loss(expr, wrt, shapes, loss, seed):
    rng = np.random.default_rng(seed)
    env = random_env(shapes, rng)
    if "lambda" in env:
        env["lambda"] = np.array([[0.7]])
    numpy_env = {k: v for k, v in env.items() if k != "lambda"}
    witness = fd(loss, numpy_env, wrt)
    got = matrix_gradient(expr, wrt, shapes).evaluate(env)
    assert got.shape == witness.shape
    assert np.allclose(got, witness, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("expr,wrt,shapes,loss", CASES, ids=[f"{c[0]}-d{c[1]}" for c in CASES])
def test_printed_gradient_reads_back_to_the_same_values(expr, wrt, shapes, loss):
    g = matrix_gradient(expr, wrt, shapes)
    env = random_env(shapes, np.random.default_rng(5))
    again = infer(parse_matrix(g.text, names=tuple(env)), parse_shapes(shapes)).tree
    assert np.allclose(evaluate(again, env), evaluate(g.gradient_node, env))


def test_numerator_layout_is_the_transpose():
    den = matrix_gradient("logsumexp(Wx) - y^T W x", "W", "W=k,d; x=d; y=k")
    num = matrix_gradient("logsumexp(Wx) - y^T W x", "W", "W=k,d; x=d; y=k", layout="numerator")
    env = random_env("W=k,d; x=d; y=k", np.random.default_rng(0))
    assert den.shape == "k×d" and num.shape == "d×k"
    assert np.allclose(evaluate(num.shown, env), evaluate(den.shown, env).T)


@pytest.mark.parametrize("text,names", [
    (r"\|Xw - y\|^2", ()), (r"\left\| X \mathbf{w} - \mathbf{y} \right\|^2", ()), ("norm(X@w - y)^2", ()),
    ("(X*w - y)^T (X*w - y)", ()), ("(Xw - y)'(Xw - y)", ()), (r"(X w - y)^\top (X w - y)", ()),
])
def test_notations_agree(text, names):
    env = random_env("X=n,d; w=d; y=n", np.random.default_rng(3))
    assert np.isclose(evaluate(infer(parse_matrix(text)).tree, env)[0, 0], np.sum((env["X"] @ env["w"] - env["y"]) ** 2))


@pytest.mark.parametrize("expr,wrt,shapes", [
    ("||Xw - y||^2", "w", "X=n,d; w=d; y=n"), ("x^T A x", "x", "A=n,n; x=n"), ("trace(A^T B)", "A", "A=n,d; B=n,d"),
])
def test_agrees_with_sympy_matrixsymbol_diff(expr, wrt, shapes):
    dims = {"n": 4, "d": 3}
    syms = {}
    for item in shapes.split(";"):
        name, ds = (s.strip() for s in item.split("="))
        ds = [dims[d.strip()] for d in ds.split(",")]
        syms[name] = sympy.MatrixSymbol(name, ds[0], ds[1] if len(ds) > 1 else 1)
    X, w, y, A, B, x = (syms.get(k) for k in ("X", "w", "y", "A", "B", "x"))
    sympy_f = {"w": lambda: (X * w - y).T * (X * w - y), "x": lambda: x.T * A * x,
               "A": lambda: sympy.Trace(A.T * B)}[wrt]()
    expected = sympy.diff(sympy_f, syms[wrt])
    rng = np.random.default_rng(7)
    env = {name: rng.normal(size=s.shape) for name, s in syms.items()}
    subs = {s: sympy.Matrix(env[name]) for name, s in syms.items()}
    witness = np.array(sympy.Matrix(expected.subs(subs).doit()).evalf(), dtype=float).reshape(env[wrt].shape)
    assert np.allclose(matrix_gradient(expr, wrt, shapes).evaluate(env), witness)


@pytest.mark.parametrize("expr,shapes,fragment", [
    ("X*w - y", "X=n,d; w=n; y=n", "X*w: X is n×d, w is n×1"),
    ("||Xw - y||^2", "X=n,d; w=d; y=d", "y is d×1"),
    ("w .* x", "w=n; x=d", "w is n×1, x is d×1"),
    ("trace(X)", "X=n,d", "X is n×d"),
])
def test_shape_errors_name_the_operands(expr, shapes, fragment):
    with pytest.raises(MatrixError) as info:
        matrix_gradient(expr, "w" if "w" in expr else "X", shapes)
    assert info.value.code == "matrix.shape-error"
    assert fragment in info.value.message("en")
    assert "Размеры" in info.value.message("ru")


@pytest.mark.parametrize("text,code", [("Xw +", "matrix.unexpected-end"), ("X $ w", "matrix.bad-character"),
                                       ("sum Xw", "matrix.call-needs-brackets"), ("Xw", "matrix.not-scalar"),
                                       ("||w||^2", "matrix.no-variable")])
def test_invalid_input_is_an_error_with_a_code(text, code):
    with pytest.raises(MatrixError) as info:
        matrix_gradient(text, "z" if code == "matrix.no-variable" else "w")
    assert info.value.code == code


MATRIX_BANK = [e for e in load_exercises().values() if e.kind == "matrix"]


@pytest.mark.parametrize("exercise", MATRIX_BANK, ids=[e.id for e in MATRIX_BANK])
def test_bank_answer_is_correct_and_a_transposed_one_is_a_layout_mistake(exercise):
    assert check_exercise(exercise, exercise.data["answer"]).verdict == "correct"
    transposed = check_exercise(exercise, f"({exercise.data['answer']})^T")
    assert transposed.verdict == "incorrect" and transposed.diagnosis == ["layout"]
    assert transposed.score == 0.5


@pytest.mark.parametrize("answer,verdict,diagnosis", [
    ("2X^T(Xw - y)", "correct", []), ("2 X^T X w - 2 X^T y", "correct", []),
    ("X^T(Xw - y)", "incorrect", []), ("2X^T(Xw + y)", "incorrect", []),
    ("2(Xw - y)^T X", "incorrect", ["layout"]), ("2(Xw - y)", "incorrect", ["wrong-shape"]),
    ("2X(Xw - y)", "invalid", ["matrix.shape-error"]), ("2X^T(Xw - q)", "invalid", ["matrix.no-variable"]),
])
def test_matrix_answers(answer, verdict, diagnosis):
    result = check_matrix({"expression": "||Xw - y||^2", "wrt": "w", "shapes": "X=n,d; w=d; y=n"}, answer)
    assert (result.verdict, result.diagnosis) == (verdict, diagnosis)
    assert (result.score is None) == (verdict == "invalid")


def test_one_source_of_truth_with_backprop():
    from derivtutor.backprop.gradcheck import random_point
    from derivtutor.backprop.layer_rules import NumpyBackend, run_program
    from derivtutor.backprop.network import NetworkSpec, derive_backprop, forward_values

    net = derive_backprop(NetworkSpec((2, 3, 2), ("sigmoid", "sigmoid")))
    env = random_point(net, seed=4)
    backend = NumpyBackend()
    program = run_program(net.backward, forward_values(net, env, backend), backend)
    expr = "1/2 ||sigmoid(U sigmoid(Vx + v) + u) - l||^2"
    for name in ("V", "v", "U", "u"):
        assert np.allclose(matrix_gradient(expr, name).evaluate(env), program["dE/d" + name])


def test_cli_json_and_exit_codes(capsys):
    assert main(["matrix", "||Xw - y||^2", "--wrt", "w", "--shapes", "X=n,d; w=d; y=n", "--check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gradient"] == "2X^T(Xw - y)" and data["shape"] == "d×1" and data["layout"] == "denominator"
    assert data["check"]["passed"] and data["steps"][-1]["rule"] == "matrix-right"[:0] + "matmul-right"
    assert "\\top" in data["gradient_latex"]
    assert main(["matrix", "X*w", "--wrt", "w", "--shapes", "X=n,d; w=n", "--json"]) == 2
    assert "X is n×d, w is n×1" in json.loads(capsys.readouterr().out)["error"]["message"]
    assert main(["matrix", "logsumexp(Wx)", "--wrt", "W", "--lang", "ru"]) == 0
    assert "раскладка знаменателя" in capsys.readouterr().out


def test_latex_output_compiles(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not installed")
    from derivtutor.matrix.report import as_latex

    body = as_latex(matrix_gradient("1/2 ||sigmoid(Wx + b) - y||^2", "W"))
    doc = "\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}" + body + "\\end{document}"
    (tmp_path / "m.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "m.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


from hypothesis import given, settings, strategies as st  # noqa: E402

#: building blocks over w (d×1) with fixed A (n×d), B (n×n), c (n×1): each maps a vector node to a vector
VECTOR_MAPS = [
    ("A({})", lambda v, E: E["A"] @ v), ("tanh({})", lambda v, E: np.tanh(v)), ("sigmoid({})", lambda v, E: sig(v)),
    ("exp({})", lambda v, E: np.exp(v)), ("({} + c)", lambda v, E: v + E["c"]), ("({} .* {})", lambda v, E: v * v),
    ("B^T {}", lambda v, E: E["B"].T @ v), ("(2{} - 1)", lambda v, E: 2 * v - 1),
]
SCALARS = [("sum({})", np.sum), ("||{}||^2", lambda v: np.sum(v * v)), ("logsumexp({})", lse)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(len(VECTOR_MAPS))), min_size=1, max_size=3), st.sampled_from(range(3)),
       st.integers(0, 10**6))
def test_random_compositions_match_finite_differences(chain, final, seed):
    text, maps, size = "w", [], "d"
    for k in chain:
        pattern, fn = VECTOR_MAPS[k]
        if pattern == "A({})" and size == "n" or pattern in ("B^T {}", "({} + c)") and size == "d":
            continue  # keep the shapes right: A takes d, B^T and c go with n
        text = pattern.format(text, text)
        maps.append(fn)
        size = "n" if pattern == "A({})" else size
    if size == "d":
        text, maps = f"A{text}" if text.startswith("(") else f"A {text}", maps + [lambda v, E: E["A"] @ v]
    pattern, reduce = SCALARS[final]
    expr = pattern.format(text)
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    env = {"A": rng.normal(size=(n, d)) / 2, "B": rng.normal(size=(n, n)) / 2, "c": rng.normal(size=(n, 1)),
           "w": rng.normal(size=(d, 1)) / 4}

    def loss(w, **E):
        v = w
        for fn in maps:
            v = fn(v, E)
        return reduce(v)

    witness = fd(loss, env, "w")
    got = matrix_gradient(expr, "w", "A=n,d; B=n,n; c=n; w=d").evaluate(env)
    assert np.allclose(got, witness, rtol=1e-4, atol=1e-6), expr
