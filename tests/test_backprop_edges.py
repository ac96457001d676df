"""Backprop at its edges: the public numeric API, BCE and batch means, ReLU's kink, large nets.

Witnesses are written here: each loss is coded again in plain numpy and
differentiated by central finite differences; PyTorch's autograd is a second
witness when it is installed.
"""
from __future__ import annotations

import numpy as np
import pytest

from derivtutor.backprop.gradcheck import check_gradients, numeric_check, random_point
from derivtutor.backprop.mlp import MLP
from derivtutor.backprop.network import NetworkSpec, derive_backprop
from derivtutor.cli import main


def witness_loss(spec, params, x, l):
    """The loss written from scratch: columns are samples."""
    z = x
    for k, f in enumerate(spec.activations):
        a = params[2 * k] @ z + params[2 * k + 1].reshape(-1, 1)
        z = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
             "linear": lambda v: v, "softmax": lambda v: v}[f](a)
    if spec.loss == "ce":
        E = -(l * (z - np.log(np.exp(z).sum(axis=0)))).sum()
    elif spec.loss == "bce":
        E = -(l * np.log(z) + (1 - l) * np.log(1 - z)).sum()
    else:
        E = 0.5 * ((z - l) ** 2).sum()
    E = E / x.shape[1] if spec.mean else E
    return E + (spec.l2 or 0.0) * sum((p**2).sum() for p in params)


def fd_gradients(spec, params, x, l, h=1e-6):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + h
            up = witness_loss(spec, params, x, l)
            p[i] = saved - h
            down = witness_loss(spec, params, x, l)
            p[i] = saved
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


SPECS = [
    ("sigmoid-mse", NetworkSpec.build([2, 3, 1], "sigmoid")),
    ("tanh-ce-l2", NetworkSpec.build([3, 4, 3], "tanh", loss="ce", l2=0.05)),
    ("relu-bce", NetworkSpec.build([3, 5, 2], "relu", output="sigmoid", loss="bce")),
    ("tanh-bce-mean", NetworkSpec.build([2, 4, 1], "tanh", loss="bce", mean=True)),
    ("relu-ce-mean-l2", NetworkSpec.build([3, 4, 4, 3], "relu", loss="ce", mean=True, l2=0.01)),
    ("mixed-mse-mean", NetworkSpec.build([2, 3, 3, 2], ["sigmoid", "tanh"], output="linear", mean=True)),
]


def sample(spec, seed=3):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(spec.layers[:-1], spec.layers[1:]):
        params += [rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)]
    n = 4 if spec.mean else 1
    x = rng.normal(size=(spec.layers[0], n))
    l = rng.uniform(0.05, 0.95, size=(spec.layers[-1], n))  # soft labels: sum(l) != 1
    return params, x, l


@pytest.mark.parametrize("spec", [s for _, s in SPECS], ids=[i for i, _ in SPECS])
def test_evaluate_matches_finite_differences_of_a_loss_written_here(spec):
    net = derive_backprop(spec)
    params, x, l = sample(spec)
    names = net.names.parameters()
    got = net.evaluate(dict(zip(names, params)), x if spec.mean else x[:, 0], l if spec.mean else l[:, 0])
    for name, p, fd in zip(names, params, fd_gradients(spec, params, x, l)):
        assert got[name].shape == p.shape
        np.testing.assert_allclose(got[name], fd, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("spec", [s for _, s in SPECS], ids=[i for i, _ in SPECS])
def test_mlp_with_given_parameters_matches_the_same_witness(spec):
    params, x, l = sample(spec)
    mlp = MLP(spec.layers, spec.activations, loss=spec.loss, l2=spec.l2 or 0.0, mean=spec.mean, params=params)
    assert mlp.loss(x.T, l.T) == pytest.approx(witness_loss(spec, params, x, l), rel=1e-12)
    for got, fd in zip(mlp.backward(), fd_gradients(spec, params, x, l)):
        np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("spec", [s for _, s in SPECS], ids=[i for i, _ in SPECS])
def test_evaluate_agrees_with_torch_autograd(spec):
    torch = pytest.importorskip("torch")
    net = derive_backprop(spec)
    params, x, l = sample(spec)
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    z, X = torch.tensor(x), torch.tensor(x)
    for k, f in enumerate(spec.activations):
        a = tp[2 * k] @ z + tp[2 * k + 1].reshape(-1, 1)
        z = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}.get(f, lambda v: v)(a)
    L = torch.tensor(l)
    if spec.loss == "ce":
        E = -(L * torch.log_softmax(z, dim=0)).sum()
    elif spec.loss == "bce":
        E = torch.nn.functional.binary_cross_entropy_with_logits(a, L, reduction="sum")
    else:
        E = 0.5 * ((z - L) ** 2).sum()
    E = E / X.shape[1] if spec.mean else E
    E = E + (spec.l2 or 0.0) * sum((p**2).sum() for p in tp)
    E.backward()
    got = net.evaluate(dict(zip(net.names.parameters(), params)), x if spec.mean else x[:, 0], l if spec.mean else l[:, 0])
    for name, t in zip(net.names.parameters(), tp):
        np.testing.assert_allclose(got[name], t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_regularised_loss_value_is_pinned():
    # W = [[1, -2]], b = [0.5], x = (3, 1), l = 2: a = 1.5, E = 1/2 (1.5 - 2)^2 + 0.1 (1 + 4 + 0.25)
    mlp = MLP([2, 1], ["linear"], l2=0.1, params=[[[1.0, -2.0]], [0.5]])
    assert mlp.loss(np.array([[3.0, 1.0]]), np.array([[2.0]])) == pytest.approx(0.125 + 0.525, abs=1e-15)


def test_mlp_refuses_parameters_of_the_wrong_shape():
    with pytest.raises(ValueError):
        MLP([2, 1], ["linear"], params=[[[1.0, 2.0, 3.0]], [0.5]])


def test_relu_derivative_at_the_kink_is_zero_everywhere():
    spec = NetworkSpec.build([1, 1], "relu", output="relu")
    net = derive_backprop(spec)
    assert net.evaluate({"W_1": [[1.0]], "b_1": [-2.0]}, [2.0], [1.0])["W_1"][0, 0] == 0.0  # a = 0 exactly
    mlp = MLP([1, 1], ["relu"], params=[[[1.0]], [-2.0]])
    mlp.loss(np.array([[2.0]]), np.array([[1.0]]))
    assert mlp.backward()[0][0, 0] == 0.0


def test_large_net_without_relu_is_sampled_and_checked():
    spec = NetworkSpec.build([100, 64, 64, 10], "tanh")  # about 11,000 parameters
    assert check_gradients(spec, prove=False).passed


def test_relu_points_are_away_from_the_kinks_for_wide_layers():
    net = derive_backprop(NetworkSpec.build([64, 128, 128, 4], "relu"))
    env = random_point(net, seed=5)
    z = env["x"]
    for k in range(2):
        a = env[net.names.W[k]] @ z + env[net.names.b[k]]
        assert np.abs(a).min() > 0.05
        z = np.maximum(a, 0)


def test_check_fails_when_the_loss_is_a_thousandth_off():
    # both gradients agree; only finite differences of the (wrong) loss can see it
    class Off(MLP):
        def loss(self, x, l):
            return 1.001 * super().loss(x, l)

    spec = NetworkSpec.build([2, 3, 1], "sigmoid")
    net = derive_backprop(spec)
    make = lambda n: Off(spec.layers, spec.activations)  # noqa: E731
    assert not numeric_check(net, make_net=make).passed
    assert numeric_check(net).max_rel_error_fd < 1e-8


def test_check_crash_is_exit_2_with_a_sentence(monkeypatch, capsys):
    from derivtutor.backprop import gradcheck

    monkeypatch.setattr(gradcheck, "check_gradients", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    assert main(["backprop", "--check"]) == 2
    assert "not a failed check" in capsys.readouterr().err


@pytest.mark.parametrize("argv,code,fact", [
    (["backprop", "--loss", "bce", "--check"], 0, "dE/dq = z - l"),
    (["backprop", "--output", "sigmoid", "--loss", "bce", "--scalar"], 0, "dE/dq"),
    (["backprop", "--loss", "ce", "--mean", "--layers", "3,4,3", "--check"], 0, "1/N"),
    (["backprop", "--output", "tanh", "--loss", "bce"], 2, "sigmoid"),
    (["backprop", "--mean", "--scalar"], 2, "--scalar"),
], ids=["bce", "bce-scalar", "ce-mean", "bce-needs-sigmoid", "scalar-mean"])
def test_backprop_cli_bce_and_mean(argv, code, fact, capsys):
    assert main(argv) == code
    out = capsys.readouterr()
    assert fact in out.out + out.err


def test_softmax_ce_rule_prints_sum_of_the_labels():
    # mutmut: the printers of sum(l) survived every other test
    from derivtutor.backprop.document import report_dict

    doc = report_dict(derive_backprop(NetworkSpec.build([2, 3, 2], "tanh", loss="ce")))
    first = doc["backward"][0]
    assert first["text"] == "dE/dq = z*sum(l) - l"
    assert r"\textstyle\sum_j l_j" in first["latex"]
