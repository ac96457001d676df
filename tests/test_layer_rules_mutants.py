"""The layer rules (backprop/layer_rules.py) piece by piece, against witnesses written here.

Fast on purpose: bench/mutation.sh runs it once per mutant of the layer rules.
Witnesses: sympy.diff of the definitions, plain numpy, central finite differences.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from derivtutor.backprop import layer_rules as lr
from derivtutor.backprop.network import NetworkSpec, derive_backprop

a, z, l = sympy.symbols("a z l")
DEFINITIONS = {"sigmoid": 1 / (1 + sympy.exp(-a)), "tanh": 2 / (1 + sympy.exp(-2 * a)) - 1}
POINTS = (-1.7, -0.3, 0.4, 2.2)


def close(expr, witness, symbols, points) -> None:
    f, g = sympy.lambdify(symbols, expr), sympy.lambdify(symbols, witness)
    for p in points:
        assert f(*p) == pytest.approx(g(*p), rel=1e-12, abs=1e-12), (expr, witness, p)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_derivative_entrywise_is_the_definitions_derivative_through_z(name):
    fprime = lr.derivative_entrywise(name, "a", "z").expr
    assert fprime.free_symbols == {z}  # written through the layer's output
    through_z = fprime.subs(z, DEFINITIONS[name])
    close(through_z, sympy.diff(DEFINITIONS[name], a), (a,), [(p,) for p in POINTS])


def test_relu_derivative_is_the_step_with_zero_at_the_kink():
    fprime = lr.derivative_entrywise("relu", "a", "z").expr
    assert [fprime.subs(a, v) for v in (-2, 0, 3)] == [0, 0, 1]


def test_kink_at_zero_sets_the_value_at_zero_and_keeps_the_rest():
    expr = 3 * sympy.Heaviside(a) + sympy.Heaviside(a - 1, sympy.Rational(1, 2)) + a
    fixed = lr.kink_at_zero(expr)
    assert fixed.subs(a, 0) == 0 and fixed.subs(a, 1) == 3 + 0 + 1 and fixed.subs(a, 2) == 3 + 1 + 2


def test_mse_entry_derivative():
    assert sympy.expand(lr.loss_entrywise("mse", "z", "l").expr - sympy.diff((z - l) ** 2 / 2, z)) == 0


def test_sigmoid_bce_is_the_derivative_by_the_pre_activation():
    got = lr.RULES["sigmoid-bce"]("z", "l").expr
    E = -(l * sympy.log(DEFINITIONS["sigmoid"]) + (1 - l) * sympy.log(1 - DEFINITIONS["sigmoid"]))
    close(got.subs(z, DEFINITIONS["sigmoid"]), sympy.diff(E, a), (a, l), [(p, 0.3) for p in POINTS])


def test_softmax_ce_rule_with_soft_labels():
    # dE/da for E = sum(l) log sum e^a - l . a, witnessed by finite differences
    rng = np.random.default_rng(1)
    av, lv = rng.normal(size=(3, 2)), rng.uniform(0.1, 0.9, size=(3, 2))

    def E(x):
        return float((lv.sum(axis=0) * np.log(np.exp(x).sum(axis=0)) - (lv * x).sum(axis=0)).sum())

    zv = np.exp(av) / np.exp(av).sum(axis=0)
    got = lr.NumpyBackend().entrywise(lr.RULES["softmax-ce"]("z", "l").expr, {"z": zv, "l": lv})
    fd = np.zeros_like(av)
    for i in np.ndindex(av.shape):
        up, down = av.copy(), av.copy()
        up[i] += 1e-6
        down[i] -= 1e-6
        fd[i] = (E(up) - E(down)) / 2e-6
    np.testing.assert_allclose(got, fd, rtol=1e-7)


def test_total_prints_as_a_sum():
    assert str(lr.total(l)) == "sum(l)"
    assert sympy.latex(lr.total(l)) == r"\textstyle\sum_j l_j"
    assert sympy.latex(lr.total(sympy.Symbol("y"))) == r"\textstyle\sum_j y_j"


def test_affine_and_l2_and_mean_rules_build_the_right_terms():
    g, x, W = lr.Grad("p"), lr.Quantity("x"), lr.Quantity("V")
    assert lr.RULES["affine-weight"](g, x, W) == lr.Outer(g, x)
    assert lr.RULES["affine-bias"](g, x, W) == g
    assert lr.RULES["affine-input"](g, x, W) == lr.TransposeTimes(W, g)
    assert lr.RULES["l2"](g, W) == lr.Plus(g, lr.Scaled(2 * lr.LAM, W))
    assert lr.RULES["mean-loss"](g) == lr.Scaled(1 / lr.N, g)
    assert lr.RULES["mean-bias"](g) == lr.RowSum(g)


def numpy_env():
    rng = np.random.default_rng(7)
    return {"W": rng.normal(size=(3, 2)), "x": rng.normal(size=(2, 4)), "dE/dp": rng.normal(size=(3, 4)),
            "b": rng.normal(size=(3, 1)), "lam": 0.3, "N": 4}


@pytest.mark.parametrize("term, witness", [
    (lr.Outer(lr.Grad("p"), lr.Quantity("x")), lambda e: e["dE/dp"] @ e["x"].T),
    (lr.TransposeTimes(lr.Quantity("W"), lr.Grad("p")), lambda e: e["W"].T @ e["dE/dp"]),
    (lr.Times(lr.Quantity("W"), lr.Quantity("x")), lambda e: e["W"] @ e["x"]),
    (lr.Hadamard(lr.Grad("p"), lr.Grad("p")), lambda e: e["dE/dp"] ** 2),
    (lr.RowSum(lr.Grad("p")), lambda e: e["dE/dp"].sum(axis=1, keepdims=True)),
    (lr.Plus(lr.Quantity("W"), lr.Quantity("W")), lambda e: 2 * e["W"]),
    (lr.Scaled(2 * lr.LAM / lr.N, lr.Quantity("W")), lambda e: 2 * 0.3 / 4 * e["W"]),
], ids=["outer", "transpose-times", "times", "hadamard", "row-sum", "plus", "scaled"])
def test_numpy_evaluation_of_each_term(term, witness):
    env = numpy_env()
    np.testing.assert_allclose(lr.evaluate(term, env, lr.NumpyBackend()), witness(env), rtol=1e-14)


@pytest.mark.parametrize("term", [
    lr.Outer(lr.Grad("p"), lr.Quantity("x")), lr.TransposeTimes(lr.Quantity("W"), lr.Grad("p")),
    lr.Hadamard(lr.Grad("p"), lr.Entrywise(sympy.Symbol("W") * 0 + sympy.Symbol("p_"))),
    lr.RowSum(lr.Grad("p")), lr.Scaled(2 * lr.LAM / lr.N, lr.Quantity("W")),
], ids=["outer", "transpose-times", "hadamard", "row-sum", "scaled"])
def test_sympy_and_numpy_backends_agree(term):
    env = numpy_env()
    env["p_"] = env["dE/dp"]
    symbolic = {k: sympy.Matrix(v) if isinstance(v, np.ndarray) else v for k, v in env.items()}
    symbolic["N"] = sympy.Integer(4)
    got = lr.evaluate(term, symbolic, lr.SympyBackend())
    got = np.array(got.xreplace({lr.LAM: 0.3}).evalf(), dtype=float)
    np.testing.assert_allclose(got, lr.evaluate(term, env, lr.NumpyBackend()), rtol=1e-12)


def test_sympy_backend_bias_and_row_sum_over_columns():
    be, Wx, b = lr.SympyBackend(), sympy.Matrix([[1, 2, 3], [4, 5, 6]]), sympy.Matrix([10, 20])
    assert be.add_bias(Wx, b) == sympy.Matrix([[11, 12, 13], [24, 25, 26]])
    assert be.row_sum(Wx) == sympy.Matrix([6, 15])
    assert be.hadamard(Wx, Wx) == sympy.Matrix([[1, 4, 9], [16, 25, 36]])
    assert be.scalar(2 / lr.N, {"N": 3}) == sympy.Rational(2, 3)
    assert be.scalar(2 * lr.LAM, {}) == 2 * lr.LAM


def test_sympy_entrywise_uses_each_columns_label_sum():
    env = {"z": sympy.Matrix([[1, 2], [3, 4]]), "l": sympy.Matrix([[5, 6], [7, 8]])}
    got = lr.SympyBackend().entrywise(lr.RULES["softmax-ce"]("z", "l").expr, env)
    assert got == sympy.Matrix([[1 * 12 - 5, 2 * 14 - 6], [3 * 12 - 7, 4 * 14 - 8]])


def test_numpy_backend_activations():
    be, av = lr.NumpyBackend(), np.array([[-800.0, 0.5], [800.0, -0.25], [1.0, 2.0]])
    np.testing.assert_allclose(be.activate("tanh", av), np.tanh(av))
    np.testing.assert_allclose(be.activate("relu", av), np.maximum(av, 0))
    np.testing.assert_allclose(be.activate("linear", av), av)
    np.testing.assert_allclose(be.activate("sigmoid", av[:, 1:]), 1 / (1 + np.exp(-av[:, 1:])))
    soft = be.activate("softmax", av)  # stable at +-800, per column
    np.testing.assert_allclose(soft[:, 1], np.exp(av[:, 1]) / np.exp(av[:, 1]).sum())
    np.testing.assert_allclose(soft[:, 0], [0.0, 1.0, 0.0], atol=1e-300)
    assert be.activate("linear", np.zeros((2, 3))).shape == (2, 3)


def test_numpy_backend_entrywise_and_scalar():
    be, env = lr.NumpyBackend(), {"a": np.array([[-1.0], [0.0], [2.0]]), "lam": 0.5, "N": 2}
    np.testing.assert_array_equal(be.entrywise(sympy.Heaviside(a, 0), env), [[0.0], [0.0], [1.0]])
    np.testing.assert_array_equal(be.entrywise(sympy.Integer(2) + 0 * a, env), [[2.0], [2.0], [2.0]])
    assert be.scalar(2 * lr.LAM / lr.N, env) == 0.5
    np.testing.assert_array_equal(be.hadamard(env["a"], env["a"]), env["a"] ** 2)
    np.testing.assert_array_equal(be.row_sum(np.ones((2, 3))), [[3.0], [3.0]])
    np.testing.assert_array_equal(be.add_bias(np.ones((2, 3)), np.array([[1.0], [2.0]])), [[2.0] * 3, [3.0] * 3])


def test_evaluate_refuses_what_is_not_a_term():
    with pytest.raises(TypeError, match="not a backprop term"):
        lr.evaluate("dE/dp", {}, lr.NumpyBackend())


def test_run_program_adds_each_target_and_leaves_the_input():
    env = numpy_env()
    steps = (lr.Step("dE/dq", lr.Plus(lr.Grad("p"), lr.Grad("p")), "x"),
             lr.Step("dE/dr", lr.Plus(lr.Grad("q"), lr.Grad("p")), "x"))
    out = lr.run_program(steps, env, lr.NumpyBackend())
    np.testing.assert_allclose(out["dE/dr"], 3 * env["dE/dp"])
    assert "dE/dq" not in env


@pytest.mark.parametrize("spec", [
    NetworkSpec.build([2, 3, 2], "tanh", loss="ce", l2=0.1, mean=True),
    NetworkSpec.build([2, 3, 1], "relu", output="sigmoid", loss="bce"),
    NetworkSpec.build([2, 2, 2], "sigmoid", output="linear"),
], ids=["tanh-ce-l2-mean", "relu-bce", "sigmoid-linear-mse"])
def test_whole_program_against_finite_differences(spec):
    net, rng = derive_backprop(spec), np.random.default_rng(4)
    params = {}
    for k, (n_in, n_out) in enumerate(zip(spec.layers, spec.layers[1:])):
        params[net.names.W[k]], params[net.names.b[k]] = rng.normal(size=(n_out, n_in)), rng.normal(size=(n_out, 1))
    cols = 3 if spec.mean else 1
    x, t = rng.normal(size=(spec.layers[0], cols)), rng.uniform(0.1, 0.9, size=(spec.layers[-1], cols))
    got = net.evaluate(params, x if spec.mean else x[:, 0], t if spec.mean else t[:, 0])

    def loss():
        zv = x
        for k, f in enumerate(spec.activations):
            av = params[net.names.W[k]] @ zv + params[net.names.b[k]]
            zv = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
                  "linear": lambda v: v, "softmax": lambda v: v}[f](av)
        if spec.loss == "ce":
            E = (t.sum(axis=0) * np.log(np.exp(zv).sum(axis=0)) - (t * zv).sum(axis=0)).sum()
        elif spec.loss == "bce":
            E = -(t * np.log(zv) + (1 - t) * np.log(1 - zv)).sum()
        else:
            E = 0.5 * ((zv - t) ** 2).sum()
        return E / cols + (spec.l2 or 0.0) * sum((p**2).sum() for p in params.values())

    for name, p in params.items():
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + 1e-6
            up = loss()
            p[i] = saved - 1e-6
            down = loss()
            p[i] = saved
            fd[i] = (up - down) / 2e-6
        np.testing.assert_allclose(got[name], fd, rtol=1e-6, atol=1e-9, err_msg=name)


def test_sympy_backend_activations_column_by_column():
    be, m = lr.SympyBackend(), sympy.Matrix([[a, 1], [2 * a, -1]])
    soft = be.activate("softmax", m)
    for j in range(2):
        e = [sympy.exp(m[i, j]) for i in range(2)]
        assert [sympy.simplify(soft[i, j] - e[i] / sum(e)) for i in range(2)] == [0, 0]
    assert be.activate("tanh", m) == m.applyfunc(sympy.tanh)
    assert be.activate("relu", m)[1, 1] == 0


def test_sympy_backend_constant_factor_scales():
    # a constant f' (not 1): dE/da = 2 g entry by entry
    g = sympy.Matrix([[1, -3]])
    assert lr.SympyBackend().hadamard(g, lr.SympyBackend().entrywise(sympy.Integer(2), {})) == 2 * g
