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
    l2              + 2 lam W

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


def derivative_entrywise(activation: str, a: str, z: str) -> Entrywise:
    """f'(a) written through the layer output z where it can be: sigma -> z(1 - z)."""
    a_sym, z_sym = sympy.Symbol(a), sympy.Symbol(z)
    fa = ACTIVATIONS[activation](a_sym)
    return Entrywise(sympy.diff(fa, a_sym).subs(fa, z_sym))


def loss_entrywise(loss: str, z: str, l: str) -> Entrywise:
    """dE/dz for a loss that is a sum over entries, by differentiating one entry."""
    z_sym, l_sym = sympy.Symbol(z), sympy.Symbol(l)
    return Entrywise(sympy.diff(ENTRY_LOSSES[loss](z_sym, l_sym), z_sym))


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
    "l2": lambda term, W: Plus(term, Scaled(2 * LAM, W)),
}


# --- evaluation --------------------------------------------------------------

class NumpyBackend:
    """Column vectors as (n, 1) float arrays; ``env`` also holds the number ``lam``."""

    modules = [{"total": np.sum, "Heaviside": lambda a, h0=0.5: np.heaviside(a, h0)}] + LAMBDIFY_MODULES

    def hadamard(self, left, right):
        return left * right

    def activate(self, function, a):
        if function == "softmax":
            e = np.exp(a - a.max())
            return e / e.sum()
        s = sympy.Symbol("a")
        return np.broadcast_to(sympy.lambdify(s, ACTIVATIONS[function](s), self.modules)(a), a.shape)

    def entrywise(self, expr, env):
        symbols = sorted(expr.free_symbols, key=str)
        values = sympy.lambdify(symbols, expr, modules=self.modules)(*(env[s.name] for s in symbols))
        shape = next((env[s.name].shape for s in symbols if s.name in env), None)
        return np.broadcast_to(values, shape).astype(float)

    def scalar(self, expr, env):
        return float(expr.subs({s: env[s.name] for s in expr.free_symbols}))


class SympyBackend:
    """Column vectors as SymPy matrices of entry expressions; ``lam`` stays a symbol."""

    def hadamard(self, left, right):
        return left.multiply_elementwise(right)

    def activate(self, function, a):
        if function == "softmax":
            e = a.applyfunc(sympy.exp)
            return e / sum(e)
        return a.applyfunc(ACTIVATIONS[function])

    def entrywise(self, expr, env):
        symbols = sorted(expr.free_symbols, key=str)
        expr = expr.replace(total, lambda v: sum(env[v.name]))
        rows = env[symbols[0].name].rows
        return sympy.Matrix([expr.xreplace({s: env[s.name][i] for s in symbols}) for i in range(rows)])

    def scalar(self, expr, env):
        return expr


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
    Plus: lambda t, ev, env, be: ev(t.left) + ev(t.right),
    Scaled: lambda t, ev, env, be: be.scalar(t.factor, env) * ev(t.term),
}


def run_program(steps, env: dict, backend) -> dict:
    """Evaluate every step in order, adding each target to (a copy of) ``env``."""
    env = dict(env)
    for step in steps:
        env[step.target] = evaluate(step.term, env, backend)
    return env
