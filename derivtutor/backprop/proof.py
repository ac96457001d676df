"""Proof, entry by entry, that the matrix-form backward program is right.

At a tiny instance of the same architecture (widths cut to 2) every entry of
x, l and of each W, b becomes its own scalar symbol. The loss is built as one
scalar SymPy expression, differentiated by every parameter entry, and the
difference from the matching entry of the program's matrix formula is shown to
``expand`` to 0. The sigmoid is ``derivtutor.functions.sigmoid`` (derivative
sigma(1 - sigma)) and cross-entropy is written in log-sum-exp form, so both
sides expand to the same polynomial in the same function calls; ``simplify``
is never called (it takes minutes on the same question).

>>> from derivtutor.backprop.network import NetworkSpec
>>> prove_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))).verified
True
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy

from derivtutor.backprop.network import Backprop, NetworkSpec, derive_backprop, forward_values
from derivtutor.backprop.layer_rules import LAM, SympyBackend, run_program

TINY_WIDTH = 2


@dataclass(frozen=True)
class EntryCheck:
    """d E / d parameter[row, col] minus the formula's entry, after ``expand``."""
    parameter: str
    row: int
    col: int
    difference: sympy.Expr

    @property
    def holds(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class Proof:
    spec: NetworkSpec
    entries: tuple

    @property
    def verified(self) -> bool:
        return all(entry.holds for entry in self.entries)

    def failures(self) -> tuple:
        return tuple(entry for entry in self.entries if not entry.holds)


def tiny_spec(spec: NetworkSpec) -> NetworkSpec:
    """The same depth, activations, loss and L2 with every width cut to at most 2."""
    return replace(spec, layers=tuple(min(n, TINY_WIDTH) for n in spec.layers))


def entry_symbols(name: str, rows: int, cols: int = 1) -> sympy.Matrix:
    """One plain symbol per entry: V[1,2], x[1], ... (1-based, as on the slides)."""
    if cols == 1:
        return sympy.Matrix(rows, 1, lambda i, j: sympy.Symbol(f"{name}[{i + 1}]"))
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{name}[{i + 1},{j + 1}]"))


def symbolic_instance(net: Backprop) -> dict:
    """x, l and every parameter as matrices of entry symbols."""
    sizes, names = net.spec.layers, net.names
    env = {names.x: entry_symbols(names.x, sizes[0]), names.l: entry_symbols(names.l, sizes[-1])}
    for k in range(net.spec.depth):
        env[names.W[k]] = entry_symbols(names.W[k], sizes[k + 1], sizes[k])
        env[names.b[k]] = entry_symbols(names.b[k], sizes[k + 1])
    return env


def loss_expression(net: Backprop, env: dict) -> sympy.Expr:
    """E as one scalar expression of the entry symbols (env after the forward pass)."""
    names, spec = net.names, net.spec
    z, l = env[names.z[-1]], env[names.l]
    if spec.loss == "ce":  # log-sum-exp form: E = sum(l) log sum_j e^{a_j} - l . a
        a = env[names.a[-1]]
        E = sum(l) * sympy.log(sum(sympy.exp(v) for v in a)) - (l.T @ a)[0, 0]
    else:
        E = sum(sympy.Rational(1, 2) * (zi - li) ** 2 for zi, li in zip(z, l))
    if spec.l2 is not None:
        E += LAM * sum(v**2 for p in names.parameters() for v in env[p])
    return E


def prove_backprop(spec: NetworkSpec, rules: dict | None = None) -> Proof:
    """Check every entry of every parameter gradient at ``tiny_spec(spec)``."""
    net = derive_backprop(tiny_spec(spec), rules)
    backend = SympyBackend()
    env = forward_values(net, symbolic_instance(net), backend)
    E = loss_expression(net, env)
    try:
        env = run_program(net.backward, env, backend)
    except ValueError:  # a wrong rule can multiply matrices of the wrong shapes
        return Proof(net.spec, (EntryCheck("shape", 0, 0, sympy.Symbol("shape_mismatch")),))
    entries = []
    for param in net.names.parameters():
        symbols, formula = env[param], env["dE/d" + param]
        if formula.shape != symbols.shape:  # a wrong rule can give the wrong shape
            entries.append(EntryCheck(param, 0, 0, sympy.Symbol("shape_mismatch")))
            continue
        for (i, j), s in _entries(symbols):
            entries.append(EntryCheck(param, i + 1, j + 1, sympy.expand(sympy.diff(E, s) - formula[i, j])))
    return Proof(net.spec, tuple(entries))


def _entries(matrix):
    return [((i, j), matrix[i, j]) for i in range(matrix.rows) for j in range(matrix.cols)]
