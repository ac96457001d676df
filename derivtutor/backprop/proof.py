"""Proof, entry by entry, that the matrix-form backward program is right.

Two parts, neither of which uses the rule table's derivatives:

1. **The activations against their definitions** (``activation_lemmas``). For
   each activation of the spec, the table's function, SymPy's derivative of it
   and the program's f'(a) (written through z) are compared, after ``cancel``,
   with the definitions written here from exp: sigma(a) = 1/(1 + e^-a),
   tanh(a) = 2/(1 + e^-2a) - 1 and sympy.diff of those; ReLU is checked on each
   side of its kink (a > 0 and a < 0).
2. **The matrix program, entry by entry.** At a tiny instance of the same
   architecture (widths cut to 2; with a batch-mean loss, 2 samples) every
   entry of x, l and of each W, b becomes its own scalar symbol. The loss is
   written here as one scalar SymPy expression *from the definitions* (exp,
   log, Max(0, a); nothing from ``layer_rules.ACTIVATIONS`` or the sigmoid
   class), differentiated by every parameter entry with SymPy's own ``diff``,
   and the difference from the matching entry of the program's matrix formula
   (evaluated at the same forward values) is shown to be 0. A wrong activation
   table or a wrong sigma' therefore fails here as well as in part 1.

   To show it fast, each hidden unit's exponential is renamed after the fact
   (``fold``): with s the unit's output, e^-a = (1 - s)/s for sigma and
   e^-2a = (1 - s)/(1 + s) for tanh. These are invertible changes of variable,
   so the difference is 0 as a function of the new symbols exactly when it is
   0 as a function of the exponentials; ``expand`` then shows it (``cancel``
   when ``expand`` alone does not; ``simplify`` is never called).

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

#: The activations from their definitions (nothing here comes from layer_rules). Each has one
#: exponential per unit, so that the loss's tree does not double with every layer.
DEFINITIONS = {
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "tanh": lambda a: 2 / (1 + sympy.exp(-2 * a)) - 1,
    "relu": lambda a: sympy.Max(0, a),
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


def _fold_rules(activation: str, a: sympy.Expr, out: sympy.Symbol) -> dict:
    """The unit's exponential (and the sums it stands in) through its output ``out``, see above."""
    if activation == "sigmoid":
        t = sympy.exp(-a)
        return {1 / (1 + t): out, 1 + t: 1 / out, t: (1 - out) / out}
    if activation == "tanh":
        t = sympy.exp(-2 * a)
        return {1 + t: 2 / (1 + out), t: (1 - out) / (1 + out)}
    return {}


def fold(net: Backprop, env: dict) -> dict:
    """The renaming of every hidden exponential of the forward values ``env``: unit (k, i, n) -> s[k,i,n]."""
    rules = {}
    for k, activation in enumerate(net.spec.activations):
        a = env[net.names.a[k]]
        for (i, n), entry in _entries(a):
            rules.update(_fold_rules(activation, entry, sympy.Symbol(f"s[{k + 1},{i + 1},{n + 1}]")))
    return rules


def is_zero(expr: sympy.Expr) -> bool:
    """``expand`` shows 0, or else ``cancel`` does (both are identities: a 0 is a proof)."""
    return sympy.expand(expr) == 0 or sympy.cancel(expr) == 0


class DefinitionBackend(SympyBackend):
    """The forward pass from ``DEFINITIONS`` and softmax written from exp, not from the table."""

    def activate(self, function, a):
        if function == "softmax":  # per column: each column is one sample
            columns = [a[:, j].applyfunc(sympy.exp) for j in range(a.cols)]
            return sympy.Matrix.hstack(*(e / sum(e) for e in columns))
        return a.applyfunc(DEFINITIONS[function])


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
    if kind == "bce":  # -(l log z + (1 - l) log(1 - z)), z = sigma(a) from its definition
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
    """Check the activations, then every entry of every parameter gradient at ``tiny_spec(spec)``."""
    net = derive_backprop(tiny_spec(spec), rules)
    return Proof(net.spec, activation_lemmas(net.spec.activations) + entry_checks(net))


def entry_checks(net: Backprop) -> tuple:
    """d E / d entry by ``sympy.diff`` of E from the definitions, minus the program's entry."""
    env = forward_values(net, symbolic_instance(net), DefinitionBackend())
    E = loss_expression(net, env)
    try:
        env = run_program(net.backward, env, SympyBackend())
    except ValueError:  # a wrong rule can multiply matrices of the wrong shapes
        return (EntryCheck("shape", 0, 0, sympy.Symbol("shape_mismatch")),)
    renaming, entries = fold(net, env), []
    at_kink = kink_at_zero if "relu" in net.spec.activations else (lambda e: e)
    for param in net.names.parameters():
        symbols, formula = env[param], env["dE/d" + param]
        if formula.shape != symbols.shape:  # a wrong rule can give the wrong shape
            entries.append(EntryCheck(param, 0, 0, sympy.Symbol("shape_mismatch")))
            continue
        for (i, j), s in _entries(symbols):
            exact = at_kink(sympy.diff(E, s))  # the same value at ReLU's kink on both sides
            difference = (exact - _from_definitions(formula[i, j])).xreplace(renaming)
            entries.append(EntryCheck(param, i + 1, j + 1, sympy.Integer(0) if is_zero(difference) else difference))
    return tuple(entries)


def _entries(matrix):
    return [((i, j), matrix[i, j]) for i in range(matrix.rows) for j in range(matrix.cols)]
