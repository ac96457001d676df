"""Data mode (derivtutor.descent.data): gradients by finite differences, fits against closed forms."""
from __future__ import annotations

import numpy as np
import pytest

from derivtutor.descent.data import compare, gradient, loss, make_dataset, train


def central_differences(kind, X, y, w, b, h=1e-6):
    gw = np.zeros_like(w)
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = h
        gw[i] = (loss(kind, X, y, w + e, b) - loss(kind, X, y, w - e, b)) / (2 * h)
    gb = (loss(kind, X, y, w, b + h) - loss(kind, X, y, w, b - h)) / (2 * h)
    return gw, gb


@pytest.mark.parametrize("kind", ["linear", "logistic"])
@pytest.mark.parametrize("rows", [slice(None), slice(0, 1), slice(5, 37)], ids=["full", "one", "mini"])
def test_gradient_matches_finite_differences(kind, rows):
    data = make_dataset(kind, n=60, seed=3)
    X, y = data.X[rows], data.y[rows]
    rng = np.random.default_rng(7)
    for _ in range(3):
        w, b = rng.normal(size=2), float(rng.normal())
        gw, gb = gradient(kind, X, y, w, b)
        fw, fb = central_differences(kind, X, y, w, b)
        assert gw == pytest.approx(fw, rel=1e-5, abs=1e-7)
        assert gb == pytest.approx(fb, rel=1e-5, abs=1e-7)


def test_logistic_loss_is_the_cross_entropy():
    data = make_dataset("logistic", n=40, seed=5)
    w, b = np.array([0.7, -0.3]), 0.2
    p = 1 / (1 + np.exp(-(data.X @ w + b)))
    witness = -np.mean(data.y * np.log(p) + (1 - data.y) * np.log(1 - p))
    assert loss("logistic", data.X, data.y, w, b) == pytest.approx(witness, rel=1e-12)


def test_full_batch_linear_reaches_least_squares():
    data = make_dataset("linear", n=150, seed=2)
    curve = train(data, batch=None, epochs=400, lr=0.2)
    A = np.column_stack([data.X, np.ones(data.n)])
    solution, *_ = np.linalg.lstsq(A, data.y, rcond=None)
    assert [*curve.w, curve.b] == pytest.approx(list(solution), abs=1e-6)
    assert all(a >= b - 1e-15 for a, b in zip(curve.losses, curve.losses[1:]))  # full batch never goes up


def test_logistic_matches_scikit_learn_optimum():
    sklearn = pytest.importorskip("sklearn.linear_model")
    data = make_dataset("logistic", n=200, seed=0)
    curve = train(data, batch=None, epochs=3000, lr=1.0)
    # C = 1e12 makes the L2 penalty negligible in every scikit-learn version
    model = sklearn.LogisticRegression(C=1e12, tol=1e-10, max_iter=10_000)
    model.fit(data.X, data.y)
    assert list(curve.w) == pytest.approx(list(model.coef_[0]), abs=1e-3)
    assert curve.b == pytest.approx(float(model.intercept_[0]), abs=1e-3)


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_three_variants_share_data_and_start(kind):
    data, curves = compare(kind, (None, 1, 32), n=100, epochs=8, lr=0.05, seed=1)
    assert [c.variant for c in curves] == ["full", "sgd", "mini"]
    assert [c.updates_per_epoch for c in curves] == [1, 100, 4]
    assert len({c.losses[0] for c in curves}) == 1
    assert all(c.losses[-1] < c.losses[0] and c.diverged_at is None for c in curves)
    # SGD makes 100 updates per epoch: after one epoch it is far ahead of one full-batch step
    assert curves[1].losses[1] < curves[0].losses[1]


def test_same_seed_same_curves_other_seed_other_data():
    a = compare("linear", n=50, epochs=3, seed=4)[1]
    b = compare("linear", n=50, epochs=3, seed=4)[1]
    c = compare("linear", n=50, epochs=3, seed=5)[1]
    assert [x.losses for x in a] == [x.losses for x in b]
    assert [x.losses for x in a] != [x.losses for x in c]


def test_blowup_stops_the_run_with_finite_losses():
    data = make_dataset("linear", n=100, seed=0)
    curve = train(data, batch=1, epochs=10, lr=5.0)
    assert curve.diverged_at is not None and curve.diverged_at <= 10
    assert all(np.isfinite(curve.losses))
