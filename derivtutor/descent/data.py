"""Gradient descent on data: full-batch, stochastic and mini-batch (seeds 001, 002).

A generated dataset (linear or logistic regression with two features), one
model y_hat = X w + b, and the same update w <- w - lr * grad L run three ways:
on all n points at once (one update per epoch), on one point at a time (SGD,
n updates per epoch) and on shuffled mini-batches (n / B updates per epoch).
After every epoch the loss on the whole dataset is recorded, which is what the
course's "loss curves" plot.

>>> data = make_dataset("linear", n=100, seed=0)
>>> curve = train(data, batch=None, epochs=50, lr=0.1, seed=0)
>>> curve.losses[-1] < curve.losses[0]
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from derivtutor.functions import numpy_sigmoid

KINDS = ("linear", "logistic")
#: The weights the data are generated from: y depends on x1 and x2 through these.
TRUE_W = (2.0, -1.0)
TRUE_B = 0.5
NOISE = 0.3
#: A loss this many times its start has diverged (training stops there).
BLOWUP_FACTOR = 1e6


@dataclass(frozen=True)
class Dataset:
    """Features X (n x 2), targets y (n), and which model they are for."""

    kind: str
    X: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Curve:
    """One training run: batch size (None = full batch), loss per epoch (epoch 0 = start).

    A diverged run stops at epoch ``diverged_at``; ``losses`` keeps only finite values.
    """

    batch: int | None
    losses: tuple[float, ...]
    w: tuple[float, ...]
    b: float
    updates_per_epoch: int
    diverged_at: int | None = None

    @property
    def variant(self) -> str:
        """"full", "sgd" or "mini" -- the course's three kinds of gradient descent."""
        return "full" if self.batch is None else "sgd" if self.batch == 1 else "mini"


def make_dataset(kind: str, n: int = 200, seed: int = 0) -> Dataset:
    """n points with x ~ U(-2, 2)^2; y = x.w + b + noise (linear) or y ~ Bernoulli(sigma(x.w + b)).

    >>> make_dataset("logistic", n=5, seed=1).X.shape
    (5, 2)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, 2))
    z = X @ np.array(TRUE_W) + TRUE_B
    if kind == "linear":
        y = z + NOISE * rng.standard_normal(n)
    else:
        y = (rng.random(n) < numpy_sigmoid(z)).astype(float)
    return Dataset(kind, X, y)


def loss(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Mean squared error (linear) or mean cross-entropy (logistic) of y_hat = X w + b.

    >>> loss("linear", np.array([[1.0, 0.0]]), np.array([3.0]), np.array([1.0, 0.0]), 0.0)
    4.0
    """
    z = X @ w + b
    if kind == "linear":
        return float(np.mean((z - y) ** 2))
    # log(1 + e^z) - y z, written with logaddexp so large |z| cannot overflow
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def gradient(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """(dL/dw, dL/db) of ``loss`` on the rows given.

    dL/dz is 2 (z - y) / n for the squared error and (sigma(z) - y) / n for the
    cross-entropy; then dL/dw = X^T dL/dz and dL/db = sum dL/dz.
    """
    z = X @ w + b
    residual = 2.0 * (z - y) if kind == "linear" else numpy_sigmoid(z) - y
    delta = residual / len(y)
    return X.T @ delta, float(np.sum(delta))


def train(data: Dataset, batch: int | None, epochs: int, lr: float, seed: int = 0) -> Curve:
    """Gradient descent from w = 0, b = 0 for ``epochs`` passes; batch None is full batch."""
    rng = np.random.default_rng(seed + 1)  # shuffling, independent of the data's own stream
    w, b = np.zeros(data.X.shape[1]), 0.0
    size = data.n if batch is None else min(batch, data.n)
    losses = [loss(data.kind, data.X, data.y, w, b)]
    diverged_at = None
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            order = np.arange(data.n) if batch is None else rng.permutation(data.n)
            for start in range(0, data.n, size):
                rows = order[start:start + size]
                gw, gb = gradient(data.kind, data.X[rows], data.y[rows], w, b)
                w, b = w - lr * gw, b - lr * gb
            current = loss(data.kind, data.X, data.y, w, b)
            if math.isfinite(current):
                losses.append(current)
            if not math.isfinite(current) or current > BLOWUP_FACTOR * max(losses[0], 1.0):
                diverged_at = epoch
                break
    updates = math.ceil(data.n / size)
    return Curve(batch, tuple(losses), tuple(float(v) for v in w), float(b), updates, diverged_at)


def compare(kind: str, batches: Sequence[int | None] = (None, 1, 32), n: int = 200, epochs: int = 20,
            lr: float = 0.1, seed: int = 0) -> tuple[Dataset, list[Curve]]:
    """One dataset, one curve per batch size, all from the same start and learning rate.

    >>> data, curves = compare("linear", n=64, epochs=5)
    >>> [c.variant for c in curves], [c.updates_per_epoch for c in curves]
    (['full', 'sgd', 'mini'], [1, 64, 2])
    """
    data = make_dataset(kind, n, seed)
    return data, [train(data, batch, epochs, lr, seed) for batch in batches]
