"""A correct OwnFramework written another way: every name an accepted alias, other conventions.

Dense / weight / bias / grad_W / grad_b, __call__ and bprop and step, W stored as
(nin, nout) with a small init from an unseeded generator, b of shape (nout,),
a loss whose backward takes no argument, a Sequential with append and predict,
and train_one_epoch(net, X, Y, loss_fn, bs, learning_rate) that shuffles each epoch.
"""
import numpy as np

rng = np.random.default_rng()


class Dense:
    def __init__(self, n_in, n_out):
        self.weight = 0.01 * rng.standard_normal((n_in, n_out))
        self.bias = np.zeros(n_out)

    def __call__(self, x):
        self.inp = x
        return x @ self.weight + self.bias

    def bprop(self, grad):
        self.grad_W = self.inp.T @ grad
        self.grad_b = grad.sum(axis=0, keepdims=True)
        return grad @ self.weight.T

    def step(self, learning_rate):
        self.weight -= learning_rate * self.grad_W
        self.bias -= learning_rate * self.grad_b.ravel()


class TanH:
    def __call__(self, x):
        self.out = np.tanh(x)
        return self.out

    def bprop(self, grad):
        return grad * (1 - self.out * self.out)


class SoftMax:
    def __call__(self, x):
        e = np.exp(x - np.max(x, axis=1, keepdims=True))
        self.p = e / np.sum(e, axis=1, keepdims=True)
        return self.p

    def bprop(self, grad):
        s = np.sum(grad * self.p, axis=1, keepdims=True)
        return self.p * (grad - s)


class CrossEntropy:
    def __call__(self, p, labels):
        self.p, self.labels = p, labels
        return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))

    def backward(self):
        g = np.zeros_like(self.p)
        rows = np.arange(len(self.labels))
        g[rows, self.labels] = -1.0 / (len(self.labels) * self.p[rows, self.labels])
        return g


class Sequential:
    def __init__(self):
        self.modules = []

    def append(self, module):
        self.modules.append(module)

    def predict(self, x):
        for module in self.modules:
            x = module(x)
        return x

    def backward(self, grad):
        for module in reversed(self.modules):
            grad = module.bprop(grad)
        return grad

    def step(self, learning_rate):
        for module in self.modules:
            if hasattr(module, "step"):
                module.step(learning_rate)


def train_one_epoch(net, X, Y, loss_fn, bs, learning_rate):
    order = rng.permutation(len(X))
    total = 0.0
    for start in range(0, len(X), bs):
        idx = order[start:start + bs]
        total += loss_fn(net.predict(X[idx]), Y[idx])
        net.backward(loss_fn.backward())
        net.step(learning_rate)
    return total
