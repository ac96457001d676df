"""Proof, entry by entry, that the matrix-form backward program is right.

Two parts, neither of which uses the rule table's derivatives:

1. **The activations against their definitions** (``activation_lemmas``). For
   each activation of the spec, the table's function, SymPy's derivative of it
   and the program's f'(a) (written through z) are compared, after ``cancel``,
   with the definitions written here from exp: sigma(a) = 1/(1 + e^-a),
   tanh(a) = (e^a - e^-a)/(e^a + e^-a) and sympy.diff of those; ReLU is checked
   on each side of its kink (a > 0 and a < 0).
2. **The matrix program, entry by entry.** At a tiny instance of the same
   architecture (widths cut to 2; with a batch-mean loss, 2 samples) every
   entry of x, l and of each W, b becomes its own scalar symbol. The loss is
   written here as one scalar SymPy expression, differentiated by every
   parameter entry with ``sympy.diff``, and the difference from the matching
   entry of the program's matrix formula is shown to ``expand`` to 0. Both
   sides keep sigma and tanh as function calls (part 1 is what makes this
   sound: the calls are the definitions, their derivatives are right), so the
   expansion is fast; ``simplify`` is never called (it takes minutes).

At ReLU's kink both sides are compared with the same value (the program uses
[a > 0] = Heaviside(a, 0)); the derivative there is a convention, not a fact
this proof could check, and ``tests/test_backprop_edges.py`` pins it.

>>> from derivtutor.backprop.network import NetworkSpec
>>> prove_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))).verified
True
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy

from derivtutor.backprop.network import Backprop, NetworkSpec, derive_backprop, forward_values
from derivtutor.backprop.layer_rules import (ACTIVATIONS, LAM, SympyBackend, derivative_entrywise, kink_at_zero,
                                             run_program)
from derivtutor.functions import sigmoid

TINY_WIDTH = 2
TINY_BATCH = 2

#: The activations from their definitions, for the lemmas (nothing here comes from layer_rules).
DEFINITIONS = {
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "tanh": lambda a: (sympy.exp(a) - sympy.exp(-a)) / (sympy.exp(a) + sympy.exp(-a)),
    "linear": lambda a: a,
}


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


def _from_definitions(expr: sympy.Expr) -> sympy.Expr:
    """sigma and tanh calls replaced by the definitions above, so ``cancel`` can compare."""
    return expr.replace(sigmoid, DEFINITIONS["sigmoid"]).replace(sympy.tanh, DEFINITIONS["tanh"])


def activation_lemmas(activations) -> tuple:
    """One EntryCheck per fact about each activation: f = definition, f' = d definition/da.

    >>> [e.holds for e in activation_lemmas(["sigmoid"])]
    [True, True, True]
    """
    checks = []
    for name in dict.fromkeys(f for f in activations if f != "softmax"):
        if name == "relu":  # piecewise: a on a > 0, 0 on a < 0; slope 1 and 0
            for a, value, slope in ((sympy.Symbol("a", positive=True), None, 1), (sympy.Symbol("a", negative=True), 0, 0)):
                f, z = ACTIVATIONS[name](a), sympy.Symbol("z")
                fprime = derivative_entrywise(name, "a", "z").expr.xreplace({sympy.Symbol("a"): a, z: f})
                checks.append(EntryCheck(name, 0, 0, sympy.expand(f - (a if value is None else value))))
                checks.append(EntryCheck(name + "'", 0, 0, sympy.expand(kink_at_zero(sympy.diff(f, a)) - slope)))
                checks.append(EntryCheck(name + "' (program)", 0, 0, sympy.expand(fprime - slope)))
            continue
        a, z = sympy.Symbol("a"), sympy.Symbol("z")
        definition, f = DEFINITIONS[name](a), ACTIVATIONS[name](a)
        exact = sympy.diff(definition, a)
        fprime = derivative_entrywise(name, "a", "z").expr.xreplace({z: f})
        for label, difference in ((name, _from_definitions(f) - definition),
                                  (name + "'", _from_definitions(sympy.diff(f, a)) - exact),
                                  (name + "' (program)", _from_definitions(fprime) - exact)):
            checks.append(EntryCheck(label, 0, 0, sympy.cancel(difference)))
    return tuple(checks)


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
    cols = TINY_BATCH if net.spec.mean else 1
    env = {names.x: entry_symbols(names.x, sizes[0], cols), names.l: entry_symbols(names.l, sizes[-1], cols),
           "N": sympy.Integer(cols)}
    for k in range(net.spec.depth):
        env[names.W[k]] = entry_symbols(names.W[k], sizes[k + 1], sizes[k])
        env[names.b[k]] = entry_symbols(names.b[k], sizes[k + 1])
    return env


def sample_loss(kind: str, a, z, l) -> sympy.Expr:
    """One sample's loss from its output column (pre-activation a, output z, label l)."""
    if kind == "ce":  # log-sum-exp form: E = sum(l) log sum_j e^{a_j} - l . a
        return sum(l) * sympy.log(sum(sympy.exp(v) for v in a)) - sum(li * ai for li, ai in zip(l, a))
    if kind == "bce":  # -(l log sigma(a) + (1 - l) log(1 - sigma(a))), sigma of the lemma
        return -sum(li * sympy.log(zi) + (1 - li) * sympy.log(1 - zi) for zi, li in zip(z, l))
    return sum(sympy.Rational(1, 2) * (zi - li) ** 2 for zi, li in zip(z, l))


def loss_expression(net: Backprop, env: dict) -> sympy.Expr:
    """E as one scalar expression of the entry symbols (env after the forward pass)."""
    names, spec = net.names, net.spec
    a, z, l = env[names.a[-1]], env[names.z[-1]], env[names.l]
    E = sum(sample_loss(spec.loss, a[:, n], z[:, n], l[:, n]) for n in range(l.cols))
    if spec.mean:
        E = E / l.cols
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
    entries = list(activation_lemmas(net.spec.activations))
    at_kink = kink_at_zero if "relu" in net.spec.activations else (lambda e: e)
    for param in net.names.parameters():
        symbols, formula = env[param], env["dE/d" + param]
        if formula.shape != symbols.shape:  # a wrong rule can give the wrong shape
            entries.append(EntryCheck(param, 0, 0, sympy.Symbol("shape_mismatch")))
            continue
        for (i, j), s in _entries(symbols):
            exact = at_kink(sympy.diff(E, s))  # the same value at ReLU's kink on both sides
            entries.append(EntryCheck(param, i + 1, j + 1, sympy.expand(exact - formula[i, j])))
    return Proof(net.spec, tuple(entries))


def _entries(matrix):
    return [((i, j), matrix[i, j]) for i in range(matrix.rows) for j in range(matrix.cols)]
