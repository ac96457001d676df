"""A small numpy multilayer perceptron, written layer by layer like the course's lab.

Each layer caches in ``forward`` what its ``backward`` needs, and ``backward``
takes dE/d(output) and returns dE/d(input), storing the parameter gradients.
Rows of a batch are samples; a Dense layer holds W of shape (out, in), so for
one sample it computes the course's column form a = W x + b.

>>> import numpy as np
>>> net = MLP([2, 3, 1], ["sigmoid", "sigmoid"], loss="mse", seed=0)
>>> X, L = np.array([[0.5, -1.0]]), np.array([[1.0]])
>>> E = net.loss(X, L)
>>> grads = net.backward()
>>> [g.shape for g in grads]
[(3, 2), (3,), (1, 3), (1,)]
"""
from __future__ import annotations

import numpy as np

from derivtutor.functions import numpy_sigmoid


class Dense:
    """a = W x + b; backward: dE/dW = g x^T, dE/db = g, dE/dx = W^T g (summed over the batch)."""

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator):
        scale = np.sqrt(2.0 / (n_in + n_out))  # Glorot: keeps tanh/sigmoid out of saturation
        self.W = rng.normal(0.0, scale, size=(n_out, n_in))
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, g):
        self.gW = g.T @ self.x
        self.gb = g.sum(axis=0)
        return g @ self.W


class Sigmoid:
    """z = sigma(a); backward: g * z (1 - z)."""

    def forward(self, a):
        self.z = numpy_sigmoid(a)
        return self.z

    def backward(self, g):
        return g * self.z * (1.0 - self.z)


class Tanh:
    """z = tanh(a); backward: g * (1 - z^2)."""

    def forward(self, a):
        self.z = np.tanh(a)
        return self.z

    def backward(self, g):
        return g * (1.0 - self.z**2)


class ReLU:
    """z = max(0, a); backward: g * [a > 0]."""

    def forward(self, a):
        self.positive = a > 0
        return np.where(self.positive, a, 0.0)

    def backward(self, g):
        return g * self.positive


class Linear:
    """z = a (no activation; the output layer under softmax cross-entropy)."""

    def forward(self, a):
        return a

    def backward(self, g):
        return g


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "linear": Linear, "softmax": Linear}


class MSE:
    """E = 1/2 sum |z - l|^2 (or its mean over the batch); dE/dz = z - l."""

    def __init__(self, mean: bool = False):
        self.mean = mean

    def forward(self, z, l):
        self.diff, self.n = z - l, (len(z) if self.mean else 1)
        return 0.5 * np.sum(self.diff**2) / self.n

    def backward(self):
        return self.diff / self.n


def softmax(a):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class SoftmaxCrossEntropy:
    """E = -sum l . log softmax(a), in log-sum-exp form; dE/da = softmax(a) sum(l) - l."""

    def __init__(self, mean: bool = False):
        self.mean = mean

    def forward(self, a, l):
        shifted = a - a.max(axis=-1, keepdims=True)
        log_z = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        self.z, self.l, self.n = np.exp(log_z), l, (len(a) if self.mean else 1)
        return -np.sum(l * log_z) / self.n

    def backward(self):
        return (self.z * self.l.sum(axis=-1, keepdims=True) - self.l) / self.n


LOSSES = {"mse": MSE, "ce": SoftmaxCrossEntropy}


class MLP:
    """Dense layers with activations, a loss and optional L2: lam sum(|W|^2 + |b|^2).

    ``activations`` has one name per Dense layer; with ``loss="ce"`` the last one
    must be "softmax" (the softmax lives inside the loss, for stability).
    """

    def __init__(self, sizes, activations, loss="mse", l2=0.0, mean=False, seed=0):
        assert len(activations) == len(sizes) - 1, "one activation per layer"
        assert (loss == "ce") == (activations[-1] == "softmax"), "softmax output goes with the ce loss"
        rng = np.random.default_rng(seed)
        self.dense = [Dense(m, n, rng) for m, n in zip(sizes[:-1], sizes[1:])]
        self.act = [ACTIVATIONS[name]() for name in activations]
        self.criterion = LOSSES[loss](mean=mean)
        self.l2 = l2

    def parameters(self):
        """The arrays W1, b1, W2, b2, ... (views: updating them updates the net)."""
        return [p for layer in self.dense for p in (layer.W, layer.b)]

    def forward(self, x):
        for dense, act in zip(self.dense, self.act):
            x = act.forward(dense.forward(x))
        return x

    def predict(self, x):
        z = self.forward(x)
        return softmax(z) if isinstance(self.criterion, SoftmaxCrossEntropy) else z

    def loss(self, x, l):
        E = self.criterion.forward(self.forward(x), l)
        return E + self.l2 * sum(np.sum(p**2) for p in self.parameters())

    def backward(self):
        """Gradients [dE/dW1, dE/db1, ...] of the last ``loss`` call."""
        g = self.criterion.backward()
        for dense, act in zip(reversed(self.dense), reversed(self.act)):
            g = dense.backward(act.backward(g))
        return [layer_grad + 2 * self.l2 * p
                for layer in self.dense
                for layer_grad, p in ((layer.gW, layer.W), (layer.gb, layer.b))]
