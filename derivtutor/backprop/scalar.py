"""The one-dimensional case, as seed 004 writes it first: the chain rule factor by factor.

Every width is 1, so each parameter's gradient is a product of named local
derivatives, each found by ``sympy.diff`` of one stage and written through the
course's symbols (sigma'(q) = z(1 - z)):

>>> from derivtutor.backprop.network import NetworkSpec
>>> chain = scalar_chains(NetworkSpec((1, 1, 1), ("sigmoid", "sigmoid")))["V"]
>>> [f"d{f.numerator}/d{f.denominator}" for f in chain.factors]
['dE/dz', 'dz/dq', 'dq/dy', 'dy/dp', 'dp/dV']
>>> chain.value
U*x*y*z*(1 - y)*(1 - z)*(-l + z)
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy

from derivtutor.backprop.network import NetworkSpec, SpecError, quantity_names
from derivtutor.backprop.layer_rules import ACTIVATIONS, ENTRY_LOSSES, LAM, RULES, derivative_entrywise


@dataclass(frozen=True)
class Factor:
    """d numerator / d denominator = value."""
    numerator: str
    denominator: str
    value: sympy.Expr


@dataclass(frozen=True)
class ScalarChain:
    """dE/d parameter = product of ``factors`` (+ 2 lam parameter with L2)."""
    parameter: str
    factors: tuple
    l2: sympy.Expr

    @property
    def value(self) -> sympy.Expr:
        return sympy.Mul(*(f.value for f in self.factors)) + self.l2


def scalar_spec(spec: NetworkSpec) -> NetworkSpec:
    """``spec`` with every width set to 1 (softmax cross-entropy has no scalar case)."""
    if spec.loss == "ce":
        raise SpecError("backprop.scalar-ce")
    if spec.mean:
        raise SpecError("backprop.scalar-mean")
    return replace(spec, layers=(1,) * len(spec.layers))


def symbols_of(spec: NetworkSpec) -> dict:
    """Name -> plain SymPy symbol for every quantity of the scalar network."""
    n = quantity_names(spec)
    return {name: sympy.Symbol(name) for name in (n.x, n.l, *n.a, *n.z, *n.W, *n.b)}


def scalar_chains(spec: NetworkSpec) -> dict:
    """{parameter: ScalarChain} for the one-dimensional version of ``spec``."""
    spec = scalar_spec(spec)
    n, s = quantity_names(spec), symbols_of(spec)
    z_out = s[n.z[-1]]
    if spec.loss == "bce":  # sigmoid and binary cross-entropy together: dE/da = z - l
        upstream = [Factor("E", n.a[-1], RULES["sigmoid-bce"](n.z[-1], n.l).expr)]
    else:
        upstream = [Factor("E", n.z[-1], sympy.diff(ENTRY_LOSSES[spec.loss](z_out, s[n.l]), z_out))]
    chains = {}
    for k in range(spec.depth, 0, -1):
        a, z, W, b, x = (s[n.a[k - 1]], s[n.z[k - 1]], s[n.W[k - 1]], s[n.b[k - 1]], s[n.inputs(k)])
        if not (k == spec.depth and spec.loss == "bce"):
            upstream.append(Factor(z.name, a.name, derivative_entrywise(spec.activations[k - 1], a.name, z.name).expr))
        affine = W * x + b
        l2 = 2 * LAM if spec.l2 is not None else sympy.Integer(0)
        for param in (W, b):
            factors = tuple(upstream) + (Factor(a.name, param.name, sympy.diff(affine, param)),)
            chains[param.name] = ScalarChain(param.name, factors, l2 * param)
        upstream.append(Factor(a.name, x.name, sympy.diff(affine, x)))
    return {p: chains[p] for p in n.parameters()}


def forward_substitution(spec: NetworkSpec, expr: sympy.Expr) -> sympy.Expr:
    """Replace z_k = f(a_k) and a_k = W_k z_{k-1} + b_k from the output down to x.

    >>> from derivtutor.backprop.network import NetworkSpec
    >>> y, z = sympy.symbols("y z")
    >>> forward_substitution(NetworkSpec((1, 1, 1), ("sigmoid", "sigmoid")), z - y)
    sigmoid(U*sigmoid(V*x + v) + u) - sigmoid(V*x + v)
    """
    spec = scalar_spec(spec)
    n, s = quantity_names(spec), symbols_of(spec)
    for k in range(spec.depth, 0, -1):
        a, z = s[n.a[k - 1]], s[n.z[k - 1]]
        expr = expr.subs(z, ACTIVATIONS[spec.activations[k - 1]](a))
        expr = expr.subs(a, s[n.W[k - 1]] * s[n.inputs(k)] + s[n.b[k - 1]])
    return expr
