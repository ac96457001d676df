"""Evaluate matrix expressions with numpy, and check a gradient by central differences.

Values are 2-D float arrays (a vector is a column); random instances draw each
dimension from 2..5 and each entry from a normal distribution, seeded.

>>> import numpy as np
>>> from derivtutor.matrix.syntax import parse_matrix
>>> float(evaluate(parse_matrix("||x||^2"), {"x": np.array([[3.0], [4.0]])})[0, 0])
25.0
"""
from __future__ import annotations

import numpy as np

from derivtutor.matrix.nodes import (
    Add, Div, Elem, Eye, Had, HDiv, MatMul, Node, Num, Ones, Pow, Reduce, Scale, Softmax, Sym, T,
)

FUNCTIONS = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "relu": lambda v: np.maximum(v, 0.0), "step": lambda v: (v > 0).astype(float),
}


def _softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


def _logsumexp(v):
    m = v.max()
    return m + np.log(np.exp(v - m).sum())


REDUCE = {"sum": np.sum, "norm2": lambda a: float((a * a).sum()), "trace": np.trace, "logsumexp": _logsumexp}


def evaluate(node: Node, env: dict) -> np.ndarray:
    """The value of ``node`` as a 2-D array; ``env`` maps names to arrays or numbers."""
    kind = type(node)
    if kind is Sym:
        value = np.asarray(env[node.name], dtype=float)
        return value.reshape(_as_2d(value))
    if kind is Num:
        return np.array([[float(node.value)]])
    if kind is Ones:
        return np.ones(evaluate(node.like, env).shape)
    if kind is Eye:
        return np.eye(evaluate(node.like, env).shape[0])
    if kind is Elem:
        return FUNCTIONS[node.fn](evaluate(node.a, env))
    if kind is Reduce:
        return np.array([[float(REDUCE[node.fn](evaluate(node.a, env)))]])
    if kind is Softmax:
        return _softmax(evaluate(node.a, env))
    if kind is T:
        return evaluate(node.a, env).T
    if kind is Pow:
        return evaluate(node.a, env) ** float(node.n)
    a = evaluate(node.a, env)
    if kind is Scale:
        return evaluate(node.c, env)[0, 0] * a
    if kind is Div:
        return a / evaluate(node.c, env)[0, 0]
    b = evaluate(node.b, env)
    return {Add: np.add, MatMul: np.matmul, Had: np.multiply, HDiv: np.divide}[kind](a, b)


def _as_2d(value) -> tuple:
    shape = np.shape(value)
    return (1, 1) if shape in ((), (1,)) else (shape[0], 1) if len(shape) == 1 else shape


def instance(typed, seed: int, positive: bool = False) -> dict:
    """Random dimensions and values for every symbol of ``typed`` (seeded)."""
    rng = np.random.default_rng(seed)
    sizes: dict = {}

    def size(d):
        d = typed.dims.find(d)
        if isinstance(d, int):
            return d
        if d not in sizes:
            sizes[d] = int(rng.integers(2, 6))
        return sizes[d]

    env = {}
    for node, shape in typed.shapes.items():
        if isinstance(node, Sym) and node.name not in env:
            dims = (size(shape[0]), size(shape[1]))
            values = rng.uniform(0.5, 1.5, dims) if positive else rng.normal(0.0, 1.0, dims)
            env[node.name] = values
    return env


def finite_difference(f: Node, env: dict, wrt: str, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f`` in every entry of ``env[wrt]``."""
    base = np.array(env[wrt], dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        step = h * max(1.0, abs(base[index]))
        values = []
        for sign in (1, -1):
            shifted = base.copy()
            shifted[index] += sign * step
            values.append(evaluate(f, {**env, wrt: shifted})[0, 0])
        grad[index] = (values[0] - values[1]) / (2 * step)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)
    return float(np.linalg.norm(a - b) / scale)
