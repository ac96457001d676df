"""Symbolic backprop: the seed-004 formulas, the proof, the three-way check, broken rules caught."""
from __future__ import annotations

import itertools

import pytest
import sympy

from derivtutor.backprop.gradcheck import check_gradients
from derivtutor.backprop.network import NetworkSpec, SpecError, derive_backprop
from derivtutor.backprop.proof import prove_backprop
from derivtutor.backprop.render import TextPrinter
from derivtutor.backprop.scalar import forward_substitution, scalar_chains
from derivtutor.functions import sigmoid
from derivtutor.backprop.gradcheck import mlp_for, numeric_check
from derivtutor.backprop.layer_rules import LAM, RULES, Outer, Plus, Scaled, Times
from derivtutor.backprop.mlp import Dense

SEED_004 = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))

# The vector case as seed 004 writes it (with sigma'(q) = z(1 - z), sigma'(p) = y(1 - y)).
SEED_004_FORMULAS = {
    "dE/dz": "z - l",
    "dE/dq": "dE/dz ⊙ z*(1 - z)",
    "dE/dU": "dE/dq y^T",
    "dE/du": "dE/dq",
    "dE/dy": "U^T dE/dq",
    "dE/dp": "dE/dy ⊙ y*(1 - y)",
    "dE/dV": "dE/dp x^T",
    "dE/dv": "dE/dp",
}


@pytest.mark.parametrize("target", SEED_004_FORMULAS, ids=str)
def test_seed_004_vector_formulas(target):
    net = derive_backprop(SEED_004)
    step = next(s for s in net.backward if s.target == target)
    assert TextPrinter().doprint(step.term) == SEED_004_FORMULAS[target]


def _combinations():
    """1-3 hidden layers x each activation mix of sigmoid/tanh/relu x both losses x L2 on/off, thinned."""
    acts = ("sigmoid", "tanh", "relu")
    cases = []
    for hidden in (1, 2, 3):
        mixes = list(itertools.product(acts, repeat=hidden))
        for i, mix in enumerate(mixes if hidden < 3 else mixes[::4]):
            loss = ("mse", "ce")[i % 2]
            output = "softmax" if loss == "ce" else ("sigmoid", "tanh", "linear")[i % 3]
            l2 = (None, 0.1)[(i // 2) % 2]
            widths = (3,) + (4, 3, 2)[:hidden] + (3 if loss == "ce" else 2,)
            cases.append(NetworkSpec(widths, mix + (output,), loss, l2))
    return cases


COMBINATIONS = _combinations()


@pytest.mark.parametrize("spec", COMBINATIONS, ids=lambda s: f"{'-'.join(map(str, s.layers))}-{'/'.join(s.activations)}-{s.loss}-l2={s.l2}")
def test_every_combination_is_proved_and_checked(spec):
    check = check_gradients(spec, seed=3)
    assert check.symbolic_verified is True
    assert check.max_rel_error_numpy <= 1e-10
    assert check.max_rel_error_fd <= 1e-6
    assert check.passed


def test_combinations_cover_every_dimension():
    seen = {(len(s.layers) - 2, s.loss, s.l2 is not None) for s in COMBINATIONS}
    assert {h for h, _, _ in seen} == {1, 2, 3} and {l for _, l, _ in seen} == {"mse", "ce"}
    assert {r for _, _, r in seen} == {True, False}
    assert {a for s in COMBINATIONS for a in s.activations[:-1]} == {"sigmoid", "tanh", "relu"}


@pytest.mark.parametrize("seed", [0, 1, 2], ids=lambda s: f"seed{s}")
def test_requested_sizes_are_checked_at_those_sizes(seed):
    spec = NetworkSpec.build([4, 6, 6, 3], "relu")
    check = check_gradients(spec, seed=seed)
    assert check.passed and set(check.per_parameter) == {"W_1", "b_1", "W_2", "b_2", "W_3", "b_3"}
    assert check.proof.spec.layers == (2, 2, 2, 2)  # proved at the tiny instance


def test_proof_entries_match_sympy_diff_of_the_scalar_loss():
    # Independent witness: E written by hand for 1-1-1 and differentiated by SymPy.
    x, l, V, v, U, u = sympy.symbols("x l V v U u")
    E = sympy.Rational(1, 2) * (sigmoid(U * sigmoid(V * x + v) + u) - l) ** 2
    chains = scalar_chains(SEED_004)
    for name, symbol in zip("VvUu", (V, v, U, u)):
        difference = forward_substitution(SEED_004, chains[name].value) - sympy.diff(E, symbol)
        assert sympy.expand(difference) == 0


BROKEN_RULES = {
    "missing transpose in dE/dx": ("affine-input", lambda g, x, W: Times(W, g)),
    "transposed outer product": ("affine-weight", lambda g, x, W: Outer(x, g)),
    "lost Hadamard factor": ("elementwise", lambda g, activation, a, z: g),
    "lam instead of 2 lam": ("l2", lambda term, W: Plus(term, Scaled(LAM, W))),
}


@pytest.mark.parametrize("rule, broken", BROKEN_RULES.values(), ids=list(BROKEN_RULES))
def test_a_broken_rule_is_caught_by_the_proof(rule, broken):
    rules = dict(RULES, **{rule: broken})
    spec = NetworkSpec((3, 3, 3, 2), ("tanh", "sigmoid", "sigmoid"), l2=0.5)
    assert prove_backprop(spec, rules).verified is False
    assert not check_gradients(spec, rules=rules).passed


class _DenseMissingTranspose(Dense):
    def backward(self, g):
        super().backward(g)
        return g @ self.W.T  # should be g @ W (dE/dx = W^T g in column form)


def test_a_broken_numpy_backward_is_caught():
    spec = NetworkSpec((3, 3, 3, 2), ("tanh", "tanh", "sigmoid"))
    net = derive_backprop(spec)

    def broken_net(n):
        mlp = mlp_for(n)
        square = mlp.dense[1]  # W_2 is 3x3, so the wrong product still has the right shape
        mlp.dense[1] = _DenseMissingTranspose.__new__(_DenseMissingTranspose)
        mlp.dense[1].__dict__.update(square.__dict__)
        return mlp

    good, bad = numeric_check(net), numeric_check(net, make_net=broken_net)
    assert good.passed
    assert not bad.passed and bad.per_parameter["W_1"]["symbolic_vs_numpy"] > 1e-3
    assert bad.per_parameter["W_1"]["numpy_vs_fd"] > 1e-3  # finite differences side with the formulas
    assert bad.per_parameter["W_2"]["symbolic_vs_numpy"] < 1e-10  # only what flows through dE/dz_1 breaks


@pytest.mark.parametrize("layers, activations, loss, code", [
    ((2,), ("sigmoid",), "mse", "backprop.bad-layers"),
    ((2, 3, 1), ("sigmoid",), "mse", "backprop.activation-count"),
    ((2, 3, 1), ("swish", "sigmoid"), "mse", "backprop.bad-activation"),
    ((2, 3, 2), ("sigmoid", "softmax"), "mse", "backprop.softmax-ce"),
    ((2, 3, 2), ("sigmoid", "sigmoid"), "ce", "backprop.softmax-ce"),
    ((2, 3, 1), ("sigmoid", "softmax"), "ce", "backprop.softmax-width"),
], ids=["one-width", "count", "unknown", "softmax-mse", "ce-sigmoid", "softmax-1"])
def test_bad_specs_raise_coded_errors(layers, activations, loss, code):
    with pytest.raises(SpecError) as info:
        NetworkSpec(layers, activations, loss)
    assert info.value.code == code


def test_names_can_be_overridden():
    names = ("h0", "s1", "h1", "s2", "out", "A", "a", "B", "b", "t")
    net = derive_backprop(NetworkSpec((2, 2, 1), ("tanh", "sigmoid"), names=names))
    assert [s.target for s in net.backward][-2:] == ["dE/dA", "dE/da"]
    assert check_gradients(net.spec).passed


def test_scalar_chain_factors_follow_seed_004():
    chain = scalar_chains(SEED_004)["V"]
    assert [f"d{f.numerator}/d{f.denominator}" for f in chain.factors] == ["dE/dz", "dz/dq", "dq/dy", "dy/dp", "dp/dV"]
    x, l, U, y, z = sympy.symbols("x l U y z")
    assert [f.value for f in chain.factors] == [z - l, z * (1 - z), U, y * (1 - y), x]


def test_scalar_chain_with_l2_and_relu_matches_sympy_diff():
    spec = NetworkSpec((1, 1, 1, 1), ("relu", "tanh", "linear"), l2=0.1)
    s = {n: sympy.Symbol(n) for n in ("x", "l", "W_1", "b_1", "W_2", "b_2", "W_3", "b_3", "lam")}
    z1 = sympy.Max(0, s["W_1"] * s["x"] + s["b_1"])
    z3 = s["W_3"] * sympy.tanh(s["W_2"] * z1 + s["b_2"]) + s["b_3"]
    params = ("W_1", "b_1", "W_2", "b_2", "W_3", "b_3")
    E = (z3 - s["l"]) ** 2 / 2 + s["lam"] * sum(s[p] ** 2 for p in params)
    at_kink = lambda e: e.replace(sympy.Heaviside, lambda a, *h: sympy.Heaviside(a, 0))  # noqa: E731 -- ReLU'(0) = 0
    for name, chain in scalar_chains(spec).items():
        assert sympy.expand(forward_substitution(spec, chain.value) - at_kink(sympy.diff(E, s[name]))) == 0


def test_check_without_proof_reports_none():
    check = check_gradients(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"), l2=0.2), seed=5, prove=False)
    assert check.symbolic_verified is None and check.passed
