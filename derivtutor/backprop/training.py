"""Training the numpy MLP by gradient descent, and the course's toy data sets.

``fit`` runs full-batch GD (``batch_size=None``), SGD (``batch_size=1``) or
mini-batch GD, shuffling with its own seed:

>>> from derivtutor.backprop.mlp import MLP
>>> X, labels = make_moons(200, noise=0.1, seed=0)
>>> net = MLP([2, 16, 2], ["tanh", "softmax"], loss="ce", mean=True, seed=0)
>>> losses = fit(net, X, one_hot(labels, 2), lr=0.5, epochs=5, batch_size=32, seed=0)
>>> len(losses)
5
"""
from __future__ import annotations

import numpy as np


def one_hot(labels, n_classes: int):
    """Rows of the identity: label k -> e_k."""
    return np.eye(n_classes)[np.asarray(labels, dtype=int)]


def sgd_step(net, lr: float) -> float:
    """One step theta <- theta - lr dE/dtheta after a ``net.loss`` call (in place)."""
    for p, g in zip(net.parameters(), net.backward()):
        p -= lr * g
    return lr


def fit(net, X, L, lr=0.1, epochs=100, batch_size=None, seed=0):
    """Train in place; returns the mean of the batch losses in each epoch."""
    rng = np.random.default_rng(seed)
    n = len(X)
    size = n if batch_size is None else batch_size
    history = []
    for _ in range(epochs):
        order = rng.permutation(n) if size < n else np.arange(n)
        losses = []
        for start in range(0, n, size):
            rows = order[start:start + size]
            losses.append(net.loss(X[rows], L[rows]))
            sgd_step(net, lr)
        history.append(float(np.mean(losses)))
    return history


def accuracy(net, X, labels) -> float:
    """Share of rows whose largest output is the true class (or, with one output, z > 1/2)."""
    z = net.predict(X)
    predicted = (z[:, 0] > 0.5).astype(int) if z.shape[1] == 1 else z.argmax(axis=1)
    return float(np.mean(predicted == np.asarray(labels)))


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaved half circles (not linearly separable): X (n, 2), labels (n,)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0.0, noise, size=(n, 2))
    return X, labels


def make_spirals(n: int = 300, classes: int = 2, noise: float = 0.05, seed: int = 0):
    """Interleaved spiral arms, one per class: X (n, 2), labels (n,)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    r = rng.uniform(0.05, 1.0, size=n)
    angle = 4.0 * r + 2.0 * np.pi * labels / classes
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1) + rng.normal(0.0, noise, size=(n, 2))
    return X, labels


def load_digits(test_share: float = 0.2, seed: int = 0):
    """scikit-learn's 8x8 digits scaled to [0, 1], split (X_train, y_train, X_test, y_test).

    Needs the optional ``data`` extra (scikit-learn); raises ImportError without it.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    X, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_share * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
