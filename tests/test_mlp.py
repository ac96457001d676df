"""The numpy MLP: gradients against finite differences, stable losses, training accuracy."""
from __future__ import annotations

import numpy as np
import pytest

from derivtutor.backprop.gradcheck import finite_difference, relative_error
from derivtutor.backprop.mlp import MLP, softmax
from derivtutor.backprop.training import accuracy, fit, load_digits, make_moons, make_spirals, one_hot

NETS = [
    ([3, 4, 2], ["sigmoid", "sigmoid"], "mse", 0.0),
    ([3, 4, 2], ["tanh", "linear"], "mse", 0.1),
    ([3, 5, 4, 3], ["relu", "tanh", "softmax"], "ce", 0.0),
    ([2, 3, 3, 3, 2], ["sigmoid", "relu", "tanh", "softmax"], "ce", 0.05),
    ([3, 4, 2], ["tanh", "sigmoid"], "bce", 0.05),
]


@pytest.mark.parametrize("sizes, acts, loss, l2", NETS, ids=lambda v: str(v))
@pytest.mark.parametrize("mean", [False, True], ids=["sum", "mean"])
@pytest.mark.parametrize("labels", ["one-hot", "soft"])
def test_backward_matches_finite_differences(sizes, acts, loss, l2, mean, labels):
    net = MLP(sizes, acts, loss=loss, l2=l2, mean=mean, seed=1)
    rng = np.random.default_rng(2)
    for p in net.parameters():  # non-zero biases too, so their L2 term is tested
        p[...] = rng.normal(size=p.shape)
    X = rng.normal(size=(5, sizes[0]))
    # soft labels (sum != 1) catch a cross-entropy backward that assumes sum(l) = 1
    L = one_hot(rng.integers(0, sizes[-1], 5), sizes[-1]) if labels == "one-hot" else rng.uniform(size=(5, sizes[-1]))
    net.loss(X, L)
    grads = net.backward()
    for p, g in zip(net.parameters(), grads):
        assert relative_error(g, finite_difference(lambda: net.loss(X, L), p, 1e-6)) < 1e-6


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    net = MLP([1, 2], ["softmax"], loss="ce", seed=0)
    net.dense[0].W[...] = [[1000.0], [-1000.0]]
    E = net.loss(np.array([[1.0]]), np.array([[0.0, 1.0]]))
    assert np.isfinite(E) and E == pytest.approx(2000.0)
    assert np.all(np.isfinite(net.backward()[0]))


def test_softmax_rows_match_the_definition():
    a = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]])
    expected = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    assert np.allclose(softmax(a), expected)


def test_mse_is_the_course_half_squared_error():
    net = MLP([1, 1], ["linear"], loss="mse", seed=0)
    net.dense[0].W[...], net.dense[0].b[...] = 2.0, 0.5
    assert net.loss(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])) == pytest.approx(0.5 * (2.5**2 + 5.5**2))


def test_every_mode_of_fit_lowers_the_loss():
    X, labels = make_moons(100, noise=0.1, seed=3)
    for batch_size in (None, 1, 16):  # full-batch GD, SGD, mini-batch
        net = MLP([2, 8, 2], ["tanh", "softmax"], loss="ce", mean=True, seed=0)
        history = fit(net, X, one_hot(labels, 2), lr=0.1, epochs=20, batch_size=batch_size, seed=0)
        assert history[-1] < history[0]


def test_moons_reach_95_percent():
    X, labels = make_moons(300, noise=0.15, seed=1)
    X_test, labels_test = make_moons(300, noise=0.15, seed=2)
    net = MLP([2, 16, 16, 2], ["tanh", "tanh", "softmax"], loss="ce", mean=True, seed=0)
    fit(net, X, one_hot(labels, 2), lr=0.5, epochs=200, batch_size=32, seed=0)
    assert accuracy(net, X_test, labels_test) >= 0.95


def test_spirals_reach_95_percent():
    X, labels = make_spirals(400, seed=1)
    X_test, labels_test = make_spirals(400, seed=2)
    net = MLP([2, 32, 32, 2], ["tanh", "tanh", "softmax"], loss="ce", mean=True, seed=0)
    fit(net, X, one_hot(labels, 2), lr=0.3, epochs=300, batch_size=32, seed=0)
    assert accuracy(net, X_test, labels_test) >= 0.95


def test_moons_are_not_linearly_separable():
    X, labels = make_moons(300, noise=0.15, seed=1)
    linear = MLP([2, 2], ["softmax"], loss="ce", mean=True, seed=0)
    fit(linear, X, one_hot(labels, 2), lr=0.5, epochs=200, batch_size=32, seed=0)
    assert accuracy(linear, X, labels) < 0.95


def test_digits_reach_95_percent_test_accuracy():
    pytest.importorskip("sklearn")
    X, y, X_test, y_test = load_digits(seed=0)
    net = MLP([64, 128, 10], ["tanh", "softmax"], loss="ce", mean=True, seed=0)
    fit(net, X, one_hot(y, 10), lr=0.1, epochs=40, batch_size=64, seed=0)
    assert accuracy(net, X_test, y_test) >= 0.95


def test_course_sigmoid_mse_net_learns_moons():
    X, labels = make_moons(300, noise=0.15, seed=1)
    X_test, labels_test = make_moons(300, noise=0.15, seed=2)
    net = MLP([2, 16, 1], ["sigmoid", "sigmoid"], loss="mse", mean=True, seed=0)  # seed 004's net, wider
    fit(net, X, labels[:, None].astype(float), lr=2.0, epochs=300, batch_size=16, seed=0)
    assert accuracy(net, X_test, labels_test) >= 0.95
