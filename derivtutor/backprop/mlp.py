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


class SigmoidBinaryCrossEntropy:
    """E = -sum (l log sigma(a) + (1 - l) log(1 - sigma(a))), as softplus(a) - l a; dE/da = sigma(a) - l."""

    def __init__(self, mean: bool = False):
        self.mean = mean

    def forward(self, a, l):
        self.z, self.l, self.n = numpy_sigmoid(a), l, (len(a) if self.mean else 1)
        softplus = np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))  # log(1 + e^a), never overflows
        return np.sum(softplus - l * a) / self.n

    def backward(self):
        return (self.z - self.l) / self.n


LOSSES = {"mse": MSE, "ce": SoftmaxCrossEntropy, "bce": SigmoidBinaryCrossEntropy}
#: Losses that hold their output activation (for stability): loss -> that activation.
FUSED = {"ce": "softmax", "bce": "sigmoid"}


class MLP:
    """Dense layers with activations, a loss and optional L2: lam sum(|W|^2 + |b|^2).

    ``activations`` has one name per Dense layer; with ``loss="ce"`` the last one
    must be "softmax", with ``loss="bce"`` "sigmoid" (the output activation lives
    inside the loss, for stability). ``params``, if given, are the values
    [W1, b1, W2, b2, ...] (W as (out, in), b as (out,)) instead of a seeded init.

    >>> net = MLP([1, 1], ["linear"], params=[[[2.0]], [0.5]])
    >>> float(net.loss(np.array([[3.0]]), np.array([[1.0]])))
    15.125
    """

    def __init__(self, sizes, activations, loss="mse", l2=0.0, mean=False, seed=0, params=None):
        assert len(activations) == len(sizes) - 1, "one activation per layer"
        assert (loss == "ce") == (activations[-1] == "softmax"), "softmax output goes with the ce loss"
        assert loss != "bce" or activations[-1] == "sigmoid", "the bce loss goes with a sigmoid output"
        rng = np.random.default_rng(seed)
        self.dense = [Dense(m, n, rng) for m, n in zip(sizes[:-1], sizes[1:])]
        self.act = [Linear() if k == len(activations) - 1 and name == FUSED.get(loss) else ACTIVATIONS[name]()
                    for k, name in enumerate(activations)]
        if params is not None:
            self.set_parameters(params)
        self.criterion = LOSSES[loss](mean=mean)
        self.l2 = l2

    def parameters(self):
        """The arrays W1, b1, W2, b2, ... (views: updating them updates the net)."""
        return [p for layer in self.dense for p in (layer.W, layer.b)]

    def set_parameters(self, values) -> None:
        """Copy ``values`` [W1, b1, ...] into the net; b may be (out,) or (out, 1)."""
        values = list(values)
        if len(values) != len(self.parameters()):
            raise ValueError(f"expected {len(self.parameters())} parameter arrays, got {len(values)}")
        for array, value in zip(self.parameters(), values):
            value = np.asarray(value, dtype=float)
            if value.size != array.size or (value.ndim == 2 and array.ndim == 2 and value.shape != array.shape):
                raise ValueError(f"a parameter of shape {array.shape} cannot take a value of shape {value.shape}")
            array[...] = value.reshape(array.shape)

    def forward(self, x):
        for dense, act in zip(self.dense, self.act):
            x = act.forward(dense.forward(x))
        return x

    def predict(self, x):
        z = self.forward(x)
        if isinstance(self.criterion, SoftmaxCrossEntropy):
            return softmax(z)
        return numpy_sigmoid(z) if isinstance(self.criterion, SigmoidBinaryCrossEntropy) else z

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
