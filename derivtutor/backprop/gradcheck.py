"""The three-way numeric gradient check: symbolic program, numpy MLP, finite differences.

At seeded, random, non-zero, non-symmetric float64 parameters (and, for ReLU,
away from the kinks) three gradients of the one-sample loss are compared per
parameter block by the relative error |a - b| / (|a| + |b|) in the Frobenius
norm:

- the symbolic backward program, evaluated with numpy (``layer_rules``),
- the numpy MLP's hand-written backward (``mlp``),
- central finite differences of the MLP's loss, step ``h``, at every entry of
  a block, or at ``FD_ENTRIES`` seeded entries of a larger one (two forward
  passes per entry: this is what keeps a 100,000-parameter net in seconds).

It passes when symbolic vs numpy is at most 1e-10 and each of them vs finite
differences is at most 1e-6.

>>> from derivtutor.backprop.network import NetworkSpec, derive_backprop
>>> numeric_check(derive_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))).passed
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derivtutor.backprop.network import Backprop, NetworkSpec, derive_backprop, forward_values
from derivtutor.backprop.layer_rules import NumpyBackend, run_program
from derivtutor.backprop.mlp import MLP
from derivtutor.backprop.proof import prove_backprop

TOL_NUMPY = 1e-10
TOL_FD = 1e-6
KINK_MARGIN = 0.05  # |a| below this is too near ReLU's kink for a step of 1e-5
FD_ENTRIES = 48  # finite differences at this many seeded entries per block: the check scales to large nets
BATCH = 3  # samples in the point of a batch-mean loss


@dataclass(frozen=True)
class GradCheck:
    """Relative errors per parameter: symbolic_vs_numpy, symbolic_vs_fd, numpy_vs_fd."""
    per_parameter: dict
    proof: object = None  # a backprop_proof.Proof, or None when not proved
    seed: int = 0         # the random point's seed, for the report

    def _repr_markdown_(self) -> str:
        from derivtutor.backprop.document import check_markdown

        return check_markdown(self)

    def _repr_latex_(self) -> str:
        from derivtutor.backprop.document import check_mathjax

        return check_mathjax(self)

    def _repr_html_(self) -> str:
        from derivtutor.backprop.document import check_html

        return check_html(self)

    @property
    def symbolic_verified(self) -> bool | None:
        return None if self.proof is None else self.proof.verified

    @property
    def max_rel_error_numpy(self) -> float:
        return max(errors["symbolic_vs_numpy"] for errors in self.per_parameter.values())

    @property
    def max_rel_error_fd(self) -> float:
        return max(max(errors["symbolic_vs_fd"], errors["numpy_vs_fd"]) for errors in self.per_parameter.values())

    @property
    def passed(self) -> bool:
        return (self.symbolic_verified is not False and self.max_rel_error_numpy <= TOL_NUMPY
                and self.max_rel_error_fd <= TOL_FD)

    def to_dict(self) -> dict:
        proof = None if self.proof is None else {
            "layers": list(self.proof.spec.layers), "entries": len(self.proof.entries),
            "failures": [f"{e.parameter}[{e.row},{e.col}]" for e in self.proof.failures()]}
        return {"symbolic_verified": self.symbolic_verified, "max_rel_error_numpy": self.max_rel_error_numpy,
                "max_rel_error_fd": self.max_rel_error_fd, "passed": self.passed,
                "per_parameter": self.per_parameter, "proof": proof}


def relative_error(a, b) -> float:
    """|a - b| / (|a| + |b|) in the Frobenius norm; 0 when both are 0, inf when one is not finite."""
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if den == 0 else float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / den)


def mlp_for(net: Backprop, seed: int = 0) -> MLP:
    """The numpy MLP with the spec's architecture (per-sample loss, or the batch mean)."""
    spec = net.spec
    return MLP(spec.layers, spec.activations, loss=spec.loss, l2=spec.l2 or 0.0, mean=spec.mean, seed=seed)


def random_point(net: Backprop, seed: int = 0) -> dict:
    """x, l and parameters as column vectors / matrices, every ReLU pre-activation away from its kink.

    Entries are non-zero (|v| >= 0.25 / sqrt(fan-in)) with random signs, so no
    two are equal by accident and sums stay O(1) at any width. The biases of a
    ReLU layer are then shifted so that |a| >= 2 KINK_MARGIN for every unit:
    one pass, no retries, at any size.
    """
    rng, spec, names = np.random.default_rng(seed), net.spec, net.names
    columns = BATCH if spec.mean else 1
    env = {names.x: rng.normal(size=(spec.layers[0], columns)),
           names.l: rng.uniform(0.1, 0.9, size=(spec.layers[-1], columns))}  # not one-hot, sum(l) != 1
    z = env[names.x]
    for k in range(spec.depth):
        n_in, n_out = spec.layers[k], spec.layers[k + 1]
        env[names.W[k]] = _nonzero(rng, (n_out, n_in)) / np.sqrt(n_in)
        env[names.b[k]] = _nonzero(rng, (n_out, 1))
        a = env[names.W[k]] @ z + env[names.b[k]]
        if spec.activations[k] == "relu":
            near = np.abs(a).min(axis=1, keepdims=True) < 2 * KINK_MARGIN
            shift = np.where(a.mean(axis=1, keepdims=True) >= 0, 1.0, -1.0) * (np.abs(a).max(axis=1, keepdims=True) + 0.5)
            env[names.b[k]] = env[names.b[k]] + np.where(near, shift, 0.0)
            a = env[names.W[k]] @ z + env[names.b[k]]
        z = NumpyBackend().activate(spec.activations[k], a) if spec.activations[k] != "softmax" else a
    env.update(lam=spec.l2 or 0.0, N=columns)
    return env


def _nonzero(rng, shape):
    return rng.choice((-1.0, 1.0), size=shape) * rng.uniform(0.25, 1.25, size=shape)


def numeric_check(net: Backprop, seed: int = 0, h: float = 1e-5, proof=None,
                  make_net=mlp_for) -> GradCheck:
    """Compare the three gradients at ``random_point(net, seed)``; see the module docstring."""
    env = random_point(net, seed)
    backend = NumpyBackend()
    try:
        symbolic = run_program(net.backward, forward_values(net, env, backend), backend)
    except ValueError:  # a wrong rule can multiply matrices of the wrong shapes
        symbolic = {}
    mlp = make_net(net)
    params = net.names.parameters()
    mlp.set_parameters([env[name] for name in params])
    X, L = env[net.names.x].T, env[net.names.l].T
    mlp.loss(X, L)
    backward = dict(zip(params, mlp.backward()))
    rng = np.random.default_rng(seed + 1)
    per_parameter = {}
    for array, name in zip(mlp.parameters(), params):
        sym = symbolic.get("dE/d" + name, np.full(array.shape, np.inf))
        sym = sym.reshape(array.shape) if sym.size == array.size else np.full(array.shape, np.inf)
        entries = _fd_entries(array.shape, rng)
        fd = finite_difference(lambda: mlp.loss(X, L), array, h, entries)
        per_parameter[name] = {"symbolic_vs_numpy": relative_error(sym, backward[name]),
                               "symbolic_vs_fd": relative_error(_at(sym, entries), fd),
                               "numpy_vs_fd": relative_error(_at(backward[name], entries), fd)}
    return GradCheck(per_parameter, proof, seed)


def _fd_entries(shape, rng) -> list:
    """Every entry of a small block; FD_ENTRIES seeded random ones of a larger block."""
    every = list(np.ndindex(shape))
    if len(every) <= FD_ENTRIES:
        return every
    return [every[i] for i in sorted(rng.choice(len(every), size=FD_ENTRIES, replace=False))]


def _at(array, entries):
    return np.array([array[index] for index in entries])


def finite_difference(loss, array, h: float, entries=None):
    """Central differences (E(p + h) - E(p - h)) / 2h of ``loss()`` at ``entries`` of ``array``.

    Without ``entries``: every entry, in the array's shape; with them, a flat array.
    """
    every = entries is None
    entries = list(np.ndindex(array.shape)) if every else entries
    grad = np.zeros(len(entries))
    for n, index in enumerate(entries):
        saved = array[index]
        array[index] = saved + h
        up = loss()
        array[index] = saved - h
        down = loss()
        array[index] = saved
        grad[n] = (up - down) / (2 * h)
    return grad.reshape(array.shape) if every else grad


def check_gradients(spec: NetworkSpec, seed: int = 0, h: float = 1e-5, prove: bool = True, **options):
    """Prove the matrix formulas at a tiny instance and check them numerically three ways.

    Returns a ``GradCheck`` (per-block relative errors, ``passed``).

    >>> check_gradients(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))).passed
    True
    """
    rules = options.pop("rules", None)
    net = derive_backprop(spec, rules)
    proof = prove_backprop(spec, rules) if prove else None
    return numeric_check(net, seed=seed, h=h, proof=proof, **options)
