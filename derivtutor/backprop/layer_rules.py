"""The matrix-form backprop rules, as data, and the small term language they build.

A backward program is a tuple of ``Step(target, term, rule)``; a term is a tree
of frozen dataclasses (``Quantity``, ``Grad``, ``Outer``, ``TransposeTimes``,
``Hadamard``, ``Entrywise``, ``Plus``, ``Scaled``). One tree serves three
readers: the printers (``backprop_render``), numpy evaluation at any size, and
SymPy evaluation entry by entry for the proof -- both through ``evaluate`` with
a backend.

The per-layer rules (g = dE/da for the layer's pre-activation a = W x + b)::

    affine-weight   dE/dW = g x^T
    affine-bias     dE/db = g
    affine-input    dE/dx = W^T g
    elementwise     dE/da = dE/dz (hadamard) f'(a)    (f' found by sympy.diff)
    mse             dE/dz = z - l                     (found by sympy.diff)
    softmax-ce      dE/da = z sum(l) - l
    sigmoid-bce     dE/da = z - l                     (found by sympy.diff)
    l2              + 2 lam W
    mean            dE/dz (1/N), dE/db = g 1          (batch-mean losses: N columns)

ReLU's derivative at the kink is 0: f'(a) = [a > 0] = Heaviside(a, 0), as in
the numpy MLP and PyTorch.

>>> from derivtutor.backprop.layer_rules import RULES, Grad, Quantity
>>> RULES["affine-weight"](Grad("p"), Quantity("x"), Quantity("V"))
Outer(left=Grad(of='p'), right=Quantity(name='x'))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from derivtutor.functions import LAMBDIFY_MODULES, sigmoid


class total(sympy.Function):  # noqa: N801 -- named like SymPy's functions
    """sum(l): the sum of a vector's entries, kept unevaluated inside entrywise rules."""

    nargs = 1

    def _latex(self, printer, exp=None):
        return r"\textstyle\sum_j %s_j" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "sum(%s)" % printer._print(self.args[0])


LAM = sympy.Symbol("lam")  # `lambda` is a Python keyword
N = sympy.Symbol("N")  # the batch size of a batch-mean loss


# --- terms -----------------------------------------------------------------

@dataclass(frozen=True)
class Quantity:
    """A named vector or matrix of the forward pass: x, p, y, V, v, l."""
    name: str


@dataclass(frozen=True)
class Grad:
    """dE/d(of): a gradient computed earlier in the program."""
    of: str


@dataclass(frozen=True)
class Outer:
    """left right^T (column times row = matrix)."""
    left: object
    right: object


@dataclass(frozen=True)
class TransposeTimes:
    """matrix^T vector."""
    matrix: object
    vector: object


@dataclass(frozen=True)
class Times:
    """matrix vector (no rule uses it; it lets tests state a missing transpose)."""
    matrix: object
    vector: object


@dataclass(frozen=True)
class Hadamard:
    """left (hadamard) right: entry-by-entry product."""
    left: object
    right: object


@dataclass(frozen=True)
class Entrywise:
    """A scalar SymPy expression applied entry by entry; its symbols name vectors."""
    expr: sympy.Expr


@dataclass(frozen=True)
class RowSum:
    """term 1: the sum over a batch's columns (the bias gradient of a batch-mean loss)."""
    term: object


@dataclass(frozen=True)
class Plus:
    left: object
    right: object


@dataclass(frozen=True)
class Scaled:
    """factor * term, factor a SymPy scalar such as 2 lam."""
    factor: sympy.Expr
    term: object


@dataclass(frozen=True)
class Step:
    """target = term, by ``rule`` (a rule code of RULES, for the printers)."""
    target: str
    term: object
    rule: str


# --- the rule table ----------------------------------------------------------

#: Activation name -> the SymPy function of the pre-activation.
ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "relu": lambda a: sympy.Max(0, a),
    "linear": lambda a: a,
}

#: Local loss per output entry (the loss is their sum), for losses that are sums.
ENTRY_LOSSES = {"mse": lambda z, l: sympy.Rational(1, 2) * (z - l) ** 2}


def kink_at_zero(expr: sympy.Expr) -> sympy.Expr:
    """Every step function with the course's value at the kink: Heaviside(a, 0) = [a > 0]."""
    return expr.replace(sympy.Heaviside, lambda arg, *h0: sympy.Heaviside(arg, 0))


def derivative_entrywise(activation: str, a: str, z: str) -> Entrywise:
    """f'(a) written through the layer output z where it can be: sigma -> z(1 - z).

    >>> derivative_entrywise("relu", "p", "y").expr
    Heaviside(p, 0)
    """
    a_sym, z_sym = sympy.Symbol(a), sympy.Symbol(z)
    fa = ACTIVATIONS[activation](a_sym)
    return Entrywise(kink_at_zero(sympy.diff(fa, a_sym).subs(fa, z_sym)))


def loss_entrywise(loss: str, z: str, l: str) -> Entrywise:
    """dE/dz for a loss that is a sum over entries, by differentiating one entry."""
    z_sym, l_sym = sympy.Symbol(z), sympy.Symbol(l)
    return Entrywise(sympy.diff(ENTRY_LOSSES[loss](z_sym, l_sym), z_sym))


def _sigmoid_bce(z: str, l: str) -> Entrywise:
    """dE/da of E = -(l log sigma(a) + (1 - l) log(1 - sigma(a))), by sympy.diff, through z = sigma(a)."""
    a, z_sym, l_sym = sympy.Dummy("a"), sympy.Symbol(z), sympy.Symbol(l)
    E = -(l_sym * sympy.log(sigmoid(a)) + (1 - l_sym) * sympy.log(1 - sigmoid(a)))
    return Entrywise(sympy.expand(sympy.diff(E, a).subs(sigmoid(a), z_sym)))


def _softmax_ce(z: str, l: str) -> Entrywise:
    l_sym = sympy.Symbol(l)
    return Entrywise(sympy.Symbol(z) * total(l_sym) - l_sym)


#: Rule code -> builder of the rule's term. Tests swap an entry for a broken one.
RULES = {
    "affine-weight": lambda g, x, W: Outer(g, x),
    "affine-bias": lambda g, x, W: g,
    "affine-input": lambda g, x, W: TransposeTimes(W, g),
    "elementwise": lambda g, activation, a, z: Hadamard(g, derivative_entrywise(activation, a, z)),
    "mse": lambda z, l: loss_entrywise("mse", z, l),
    "softmax-ce": _softmax_ce,
    "sigmoid-bce": _sigmoid_bce,
    "l2": lambda term, W: Plus(term, Scaled(2 * LAM, W)),
    "mean-loss": lambda term: Scaled(1 / N, term),
    "mean-bias": lambda g: RowSum(g),
}


# --- evaluation --------------------------------------------------------------

class NumpyBackend:
    """Column vectors as (n, 1) float arrays; ``env`` also holds the number ``lam``."""

    modules = [{"total": lambda l: np.sum(l, axis=0, keepdims=True),
                "Heaviside": lambda a, h0=0.0: np.heaviside(a, h0)}] + LAMBDIFY_MODULES

    def hadamard(self, left, right):
        return left * right

    def add_bias(self, Wx, b):
        return Wx + b

    def row_sum(self, g):
        return g.sum(axis=1, keepdims=True)

    def activate(self, function, a):
        if function == "softmax":  # per column: each column is one sample
            e = np.exp(a - a.max(axis=0, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)
        s = sympy.Symbol("a")
        return np.broadcast_to(sympy.lambdify(s, ACTIVATIONS[function](s), self.modules)(a), a.shape)

    def entrywise(self, expr, env):
        symbols = sorted(expr.free_symbols, key=str)
        values = sympy.lambdify(symbols, expr, modules=self.modules)(*(env[s.name] for s in symbols))
        shape = next((env[s.name].shape for s in symbols if s.name in env), None)
        if shape is None:  # a constant f' (a linear activation): a number that broadcasts
            return float(values)
        return np.broadcast_to(values, shape).astype(float)

    def scalar(self, expr, env):
        return float(expr.subs({s: env[s.name] for s in expr.free_symbols}))


def _columns(matrix: sympy.Matrix) -> list:
    return [matrix[:, j] for j in range(matrix.cols)]


class SympyBackend:
    """Column vectors as SymPy matrices of entry expressions; ``lam`` stays a symbol."""

    def hadamard(self, left, right):
        if not isinstance(right, sympy.MatrixBase):  # a constant entrywise factor
            return left * right
        return left.multiply_elementwise(right)

    def add_bias(self, Wx, b):
        return Wx + b * sympy.ones(1, Wx.cols)

    def row_sum(self, g):
        return g * sympy.ones(g.cols, 1)

    def activate(self, function, a):
        if function == "softmax":  # per column: each column is one sample
            return sympy.Matrix.hstack(*(e / sum(e) for e in (c.applyfunc(sympy.exp) for c in _columns(a))))
        return a.applyfunc(ACTIVATIONS[function])

    def entrywise(self, expr, env):
        symbols = sorted(expr.free_symbols, key=str)
        if not symbols:  # a constant f' (a linear activation): a number
            return expr
        shape = env[symbols[0].name].shape

        def entry(i, j):
            at = expr.replace(total, lambda v: sum(env[v.name][:, j]))
            return at.xreplace({s: env[s.name][i, j] for s in symbols})
        return sympy.Matrix(*shape, entry)

    def scalar(self, expr, env):  # the batch size is a number; lam stays a symbol
        return expr.xreplace({N: env[N.name]}) if N.name in env else expr


def evaluate(term, env: dict, backend):
    """The value of ``term``; ``env`` maps names (and "dE/d<name>") to values."""
    try:
        rule = _EVALUATORS[type(term)]
    except KeyError:
        raise TypeError(f"not a backprop term: {term!r}") from None
    return rule(term, lambda sub: evaluate(sub, env, backend), env, backend)


# One evaluator per term type (dispatch by type, not an isinstance ladder).
_EVALUATORS = {
    Quantity: lambda t, ev, env, be: env[t.name],
    Grad: lambda t, ev, env, be: env["dE/d" + t.of],
    Outer: lambda t, ev, env, be: ev(t.left) @ ev(t.right).T,
    TransposeTimes: lambda t, ev, env, be: ev(t.matrix).T @ ev(t.vector),
    Times: lambda t, ev, env, be: ev(t.matrix) @ ev(t.vector),
    Hadamard: lambda t, ev, env, be: be.hadamard(ev(t.left), ev(t.right)),
    Entrywise: lambda t, ev, env, be: be.entrywise(t.expr, env),
    RowSum: lambda t, ev, env, be: be.row_sum(ev(t.term)),
    Plus: lambda t, ev, env, be: ev(t.left) + ev(t.right),
    Scaled: lambda t, ev, env, be: be.scalar(t.factor, env) * ev(t.term),
}


def run_program(steps, env: dict, backend) -> dict:
    """Evaluate every step in order, adding each target to (a copy of) ``env``."""
    env = dict(env)
    for step in steps:
        env[step.target] = evaluate(step.term, env, backend)
    return env
