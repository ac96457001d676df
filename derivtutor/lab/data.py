"""The grader's side of every number: inputs it chooses, references it computes.

Nothing here trusts the student's process. Inputs are drawn from the grader's
own generator; the references are a few lines of numpy each; the datasets' test
labels never leave the grader.

>>> np.round(reference_forward("softmax", np.array([[0.0, 0.0]]), {}), 3).tolist()
[[0.5, 0.5]]
>>> reduction_factor("mean", rows=4, outputs=3), reduction_factor("half-sum", rows=4, outputs=3)
(0.25, 0.5)
"""
from __future__ import annotations

import numpy as np

from derivtutor.functions import numpy_sigmoid

#: Batch sizes of the module tests; 5 rows, never equal to any layer width, so shapes tell.
BATCH = 5
CLASSES = 3


def softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def onehot(labels, classes: int):
    out = np.zeros((len(labels), classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def reduction_factor(reduction: str, rows: int, outputs: int) -> float:
    """The factor a reduction puts on the plain sum of the per-sample losses."""
    return {"mean": 1 / rows, "sum": 1.0, "half-sum": 0.5, "half-mean": 0.5 / rows,
            "mean-all": 1 / (rows * outputs), "half-mean-all": 0.5 / (rows * outputs)}[reduction]


def loss_sum(kind: str, p, y) -> float:
    """The plain sum of the loss over the batch: -sum log p[y] or sum (p - y)^2."""
    if kind == "cross-entropy":
        target = y if y.ndim == 2 else onehot(y, p.shape[1])
        return float(-np.sum(target * np.log(p)))
    return float(np.sum((p - y) ** 2))


def reference_forward(kind: str, x, params: dict):
    """What a correct module returns on ``x`` (params in the canonical layout (nout, nin))."""
    if kind == "linear":
        return x @ params["W"].T + params["b"]
    functions = {"tanh": np.tanh, "sigmoid": numpy_sigmoid, "relu": lambda a: np.maximum(a, 0.0), "softmax": softmax}
    return functions[kind](x)


def module_inputs(kind: str, rng: np.random.Generator, args: tuple, labels: str) -> dict:
    """The inputs of one module test: x (or p and y for a loss), dz and canonical params."""
    if kind == "linear":
        nin, nout = int(args[0]), int(args[1])
        return {"x": rng.normal(size=(BATCH, nin)), "dz": rng.normal(size=(BATCH, nout)),
                "params": {"W": rng.normal(size=(nout, nin)), "b": rng.normal(size=nout)}}
    if kind in ("cross-entropy", "mse"):
        p = softmax(rng.normal(size=(BATCH, CLASSES))) if kind == "cross-entropy" else numpy_sigmoid(rng.normal(size=(BATCH, CLASSES)))
        y = rng.integers(0, CLASSES, size=BATCH)
        y = y if kind == "cross-entropy" and labels == "integer" else onehot(y, CLASSES)
        return {"x": p, "y": y, "params": {}}
    x = rng.normal(size=(BATCH, 4))
    if kind == "relu":
        x = np.where(np.abs(x) < 0.1, 0.5, x)  # keep finite differences away from the kink
    return {"x": x, "dz": rng.normal(size=(BATCH, 4)), "params": {}}


def moons(n: int, rng: np.random.Generator, noise: float = 0.15):
    """Two interleaved half circles, the course's 2-D classification toy."""
    labels = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, np.pi, size=n)
    x = np.where(labels == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(labels == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    return (points - points.mean(axis=0)) / points.std(axis=0), labels


def dataset(name: str, seed: int):
    """(train_x, train_labels, test_x, test_labels); digits come with scikit-learn (no download)."""
    rng = np.random.default_rng(seed)
    if name == "moons":
        x, labels = moons(600, rng)
        return x[:400], labels[:400], x[400:], labels[400:]
    images, targets = digits()
    order = rng.permutation(len(targets))
    x, labels = images[order] / 16.0, targets[order]
    split = len(labels) * 3 // 4
    return x[:split], labels[:split], x[split:], labels[split:]


def digits():
    """scikit-learn's 8x8 digits (1797 images): read from the file it ships, without importing it."""
    import importlib.util
    from pathlib import Path

    found = importlib.util.find_spec("sklearn")
    if found is None or not found.submodule_search_locations:
        raise ModuleNotFoundError("the digits data come with scikit-learn: pip install scikit-learn")
    path = Path(list(found.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        from sklearn.datasets import load_digits

        bunch = load_digits()
        return bunch.data, bunch.target
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def numeric_gradients(outs: list, points: list, dz, eps: float) -> dict:
    """Central differences from the forward values at the points ``(target, index, +-eps)``.

    Returns, per target, the gradient weighted by ``dz`` (None for a scalar loss)
    and the one weighted by ones (what a backward without the upstream gradient gives).
    """
    grads, ones = {}, {}
    for k in range(0, len(points), 2):
        target, index, _ = points[k]
        plus, minus = np.asarray(outs[k], dtype=float), np.asarray(outs[k + 1], dtype=float)
        diff = (plus - minus) / (2 * eps)
        weight = np.ones_like(diff) if dz is None else dz
        grads.setdefault(target, {})[index] = float(np.sum(weight * diff))
        ones.setdefault(target, {})[index] = float(np.sum(diff))
    return {"dz": grads, "ones": ones}


def perturbations(shapes: dict, eps: float) -> list:
    """Every entry of every target, perturbed by +eps then -eps: [(target, flat index, delta)]."""
    return [(target, i, sign * eps) for target, shape in shapes.items()
            for i in range(int(np.prod(shape))) for sign in (1, -1)]
