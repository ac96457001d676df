"""Symbolic backpropagation: a network spec in, the named backward program out.

The derivation is staged, layer by layer, as seed 004 does it: SymPy only ever
differentiates one stage's small local expression (an activation f(a), one
entry of the loss), and the per-layer rules of ``layer_rules.RULES`` assemble
the matrix form (outer products, transposes, Hadamard products). SymPy's
MatrixSymbol calculus is not used: it gives silently wrong results with
elementwise functions and log-sum-exp.

>>> net = derive_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
>>> [step.target for step in net.backward]
['dE/dz', 'dE/dq', 'dE/dU', 'dE/du', 'dE/dy', 'dE/dp', 'dE/dV', 'dE/dv']

Layers are a_k = W_k z_{k-1} + b_k, z_k = f_k(a_k), z_0 = x, label l. Two layers
take the course's names (x, p, y, q, z, V, v, U, u, l); other depths take
a_k, z_k, W_k, b_k. ``names`` overrides them, in the order
x, (a_k, z_k for each layer), (W_k, b_k for each layer), l.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import numpy as np

from derivtutor.backprop.layer_rules import ACTIVATIONS, RULES, Grad, NumpyBackend, Quantity, Step, run_program

LOSSES = ("mse", "ce", "bce")
#: Loss -> the output activation it requires (folded into the loss's first backward step).
FUSED_OUTPUT = {"ce": "softmax", "bce": "sigmoid"}
RESERVED_NAMES = frozenset({"E", "N", "lam", "sum", "exp", "log", "sigmoid", "tanh", "Heaviside"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
MAX_WIDTH = 256  # the finite-difference check costs one forward pass per parameter entry
OUTPUTS = tuple(ACTIVATIONS) + ("softmax",)


class SpecError(ValueError):
    """A network spec that cannot be derived; ``code`` is a catalogue code."""

    def __init__(self, code: str, **fields):
        super().__init__(f"{code} {fields}")
        self.code, self.fields = code, fields


@dataclass(frozen=True)
class NetworkSpec:
    """Widths (input first), one activation per layer, the loss and the L2 weight.

    ``l2`` is None for no regularisation, else lam's value for numeric checks
    (the formulas keep the symbol ``lam``). ``mean`` False: the loss of one
    sample, as in the course; True: the mean over a batch of N samples, the
    columns of x (dE/dz gains 1/N and dE/db sums g over the columns).
    """

    layers: tuple
    activations: tuple
    loss: str = "mse"
    l2: float | None = None
    names: tuple = field(default=())
    mean: bool = False

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(int(n) for n in self.layers))
        object.__setattr__(self, "activations", tuple(self.activations))
        object.__setattr__(self, "names", tuple(self.names))
        _validate(self)

    @classmethod
    def build(cls, layers, activation="sigmoid", output=None, loss="mse", l2=None, names=(), mean=False):
        """Spec from CLI-like options: ``activation`` for hidden layers, a name or a list.

        >>> NetworkSpec.build([4, 8, 3], "tanh", loss="ce").activations
        ('tanh', 'softmax')
        """
        hidden = len(layers) - 2
        acts = list(activation) if isinstance(activation, (list, tuple)) else [activation] * hidden
        if len(acts) == 1 and hidden > 1:
            acts = acts * hidden
        if output is None:
            output = "softmax" if loss == "ce" else "sigmoid"
        return cls(tuple(layers), tuple(acts) + (output,), loss, l2, tuple(names), bool(mean))

    @property
    def depth(self) -> int:
        return len(self.layers) - 1


def _validate(spec: NetworkSpec) -> None:
    if not 2 <= len(spec.layers) <= 5 or min(spec.layers) < 1 or max(spec.layers) > MAX_WIDTH:
        raise SpecError("backprop.bad-layers", layers=",".join(map(str, spec.layers)))
    if len(spec.activations) != spec.depth:
        raise SpecError("backprop.activation-count", count=len(spec.activations), layers=spec.depth)
    for name in spec.activations[:-1]:
        if name not in ACTIVATIONS:
            raise SpecError("backprop.bad-activation", name=name)
    if spec.activations[-1] not in OUTPUTS:
        raise SpecError("backprop.bad-activation", name=spec.activations[-1])
    if spec.loss not in LOSSES:
        raise SpecError("backprop.bad-loss", name=spec.loss)
    if (spec.loss == "ce") != (spec.activations[-1] == "softmax"):
        raise SpecError("backprop.softmax-ce")
    if spec.loss == "bce" and spec.activations[-1] != "sigmoid":
        raise SpecError("backprop.sigmoid-bce", name=spec.activations[-1])
    if spec.loss == "ce" and spec.layers[-1] < 2:
        raise SpecError("backprop.softmax-width")
    if spec.names and len(spec.names) != 4 * spec.depth + 2:
        raise SpecError("backprop.names-count", count=len(spec.names), expected=4 * spec.depth + 2)
    for name in spec.names:  # names become SymPy symbols and lambdify arguments: plain identifiers only
        if not _NAME.fullmatch(name) or keyword.iskeyword(name) or name in RESERVED_NAMES:
            raise SpecError("backprop.bad-name", name=name)
    if len(set(spec.names)) != len(spec.names):
        raise SpecError("backprop.bad-name", name=next(n for n in spec.names if spec.names.count(n) > 1))


@dataclass(frozen=True)
class Names:
    x: str
    a: tuple
    z: tuple
    W: tuple
    b: tuple
    l: str

    def parameters(self) -> tuple:
        return tuple(p for pair in zip(self.W, self.b) for p in pair)

    def inputs(self, k: int) -> str:
        """z_{k-1}: the input of layer k (1-based)."""
        return self.x if k == 1 else self.z[k - 2]


def quantity_names(spec: NetworkSpec) -> Names:
    """The course's names for two layers, a_k/z_k/W_k/b_k otherwise, or the override."""
    L = spec.depth
    if spec.names:
        n = spec.names
        return Names(n[0], n[1:2 * L:2], n[2:2 * L + 1:2], n[2 * L + 1:4 * L + 1:2], n[2 * L + 2:4 * L + 2:2], n[-1])
    if L == 2:
        return Names("x", ("p", "q"), ("y", "z"), ("V", "U"), ("v", "u"), "l")
    k = range(1, L + 1)
    return Names("x", tuple(f"a_{i}" for i in k), tuple(f"z_{i}" for i in k),
                 tuple(f"W_{i}" for i in k), tuple(f"b_{i}" for i in k), "l")


@dataclass(frozen=True)
class Affine:
    """target = W x + b."""
    target: str
    W: str
    x: str
    b: str


@dataclass(frozen=True)
class Activation:
    """target = f(a), entry by entry (softmax: over the whole vector)."""
    target: str
    function: str
    a: str


@dataclass(frozen=True)
class Loss:
    """E = loss(z, l) (+ lam sum of squared parameters when ``l2`` is non-empty), per sample or batch mean."""
    kind: str
    z: str
    l: str
    l2: tuple
    mean: bool = False


@dataclass(frozen=True)
class Backprop:
    """A derived network: forward definitions and the backward program."""
    spec: NetworkSpec
    names: Names
    forward: tuple
    backward: tuple

    def gradient(self, parameter: str) -> Step:
        """The step that computes dE/d``parameter``."""
        return next(step for step in self.backward if step.target == "dE/d" + parameter)

    def _repr_markdown_(self) -> str:
        from derivtutor.backprop.document import render_markdown

        return render_markdown(self)

    def _repr_latex_(self) -> str:
        from derivtutor.backprop.document import render_mathjax

        return render_mathjax(self)

    def evaluate(self, params: dict, x, target) -> dict:
        """dE/d(every parameter) at ``params``, by running the derived program with numpy.

        ``params`` maps the parameter names (V, v, U, u, ...) to arrays, W as
        (out, in) and b as (out,) or (out, 1); ``x`` and ``target`` are one
        sample's vectors, or with ``spec.mean`` batches with one sample per
        column. Each gradient has its parameter's shape.

        >>> net = derive_backprop(NetworkSpec((1, 1), ("linear",)))
        >>> net.evaluate({"W_1": [[2.0]], "b_1": [0.5]}, [3.0], [1.0])["W_1"]
        array([[16.5]])
        """
        env = {name: _column(value) for name, value in ((self.names.x, x), (self.names.l, target))}
        if not self.spec.mean and env[self.names.x].shape[1] != 1:
            raise ValueError("one sample per call unless the spec's loss is a batch mean")
        for name in self.names.parameters():
            if name not in params:
                raise KeyError(f"missing parameter {name!r}")
            env[name] = _column(params[name])
        env.update(lam=self.spec.l2 or 0.0, N=env[self.names.x].shape[1])
        backend = NumpyBackend()
        values = run_program(self.backward, forward_values(self, env, backend), backend)
        return {name: values["dE/d" + name].reshape(np.shape(params[name])) for name in self.names.parameters()}


def _column(value) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    return array.reshape(-1, 1) if array.ndim == 1 else array


def derive_backprop(spec: NetworkSpec, rules: dict | None = None) -> Backprop:
    """Derive dE/d(every parameter) of ``spec`` in matrix form, layer by layer.

    >>> net = derive_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
    >>> net.gradient("V").term
    Outer(left=Grad(of='p'), right=Quantity(name='x'))
    """
    rules = RULES if rules is None else rules
    names = quantity_names(spec)
    return Backprop(spec, names, _forward(spec, names), _backward(spec, names, rules))


def _forward(spec: NetworkSpec, names: Names) -> tuple:
    steps = []
    for k in range(spec.depth):
        steps.append(Affine(names.a[k], names.W[k], names.inputs(k + 1), names.b[k]))
        steps.append(Activation(names.z[k], spec.activations[k], names.a[k]))
    l2 = names.parameters() if spec.l2 is not None else ()
    steps.append(Loss(spec.loss, names.z[-1], names.l, l2, spec.mean))
    return tuple(steps)


def _backward(spec: NetworkSpec, names: Names, rules: dict) -> tuple:
    L, steps, fused = spec.depth, [], spec.loss in FUSED_OUTPUT
    if fused:  # softmax + cross-entropy, sigmoid + binary cross-entropy: dE/da_L directly
        rule = FUSED_OUTPUT[spec.loss] + "-" + spec.loss
        first = Step("dE/d" + names.a[-1], rules[rule](names.z[-1], names.l), rule)
    else:
        first = Step("dE/d" + names.z[-1], rules[spec.loss](names.z[-1], names.l), spec.loss)
    if spec.mean:
        first = Step(first.target, rules["mean-loss"](first.term), first.rule + "-mean")
    steps.append(first)
    for k in range(L, 0, -1):
        a, z, W, b = names.a[k - 1], names.z[k - 1], names.W[k - 1], names.b[k - 1]
        if k < L or not fused:
            steps.append(_activation_step(spec.activations[k - 1], a, z, rules))
        g, x = Grad(a), Quantity(names.inputs(k))
        for param, rule in ((W, "affine-weight"), (b, "affine-bias")):
            term = rules[rule](g, x, Quantity(W))
            if rule == "affine-bias" and spec.mean:
                term, rule = rules["mean-bias"](term), "affine-bias-mean"
            if spec.l2 is not None:
                term = rules["l2"](term, Quantity(param))
            steps.append(Step("dE/d" + param, term, rule + ("-l2" if spec.l2 is not None else "")))
        if k > 1:
            steps.append(Step("dE/d" + x.name, rules["affine-input"](g, x, Quantity(W)), "affine-input"))
    return tuple(steps)


def _activation_step(function: str, a: str, z: str, rules: dict) -> Step:
    if function == "linear":  # f' = 1: the gradient passes through unchanged
        return Step("dE/d" + a, Grad(z), "linear")
    return Step("dE/d" + a, rules["elementwise"](Grad(z), function, a, z), "elementwise")


def forward_values(net: Backprop, env: dict, backend) -> dict:
    """Run the forward definitions: ``env`` holds x, l and the parameters."""
    env = dict(env)
    for step in net.forward:
        if isinstance(step, Affine):
            env[step.target] = backend.add_bias(env[step.W] @ env[step.x], env[step.b])
        elif isinstance(step, Activation):
            env[step.target] = backend.activate(step.function, env[step.a])
    return env
