"""The three-way numeric gradient check: symbolic program, numpy MLP, finite differences.

At seeded, random, non-zero, non-symmetric float64 parameters (and, for ReLU,
away from the kinks) three gradients of the one-sample loss are compared per
parameter block by the relative error |a - b| / (|a| + |b|) in the Frobenius
norm:

- the symbolic backward program, evaluated with numpy (``layer_rules``),
- the numpy MLP's hand-written backward (``mlp``),
- central finite differences of the MLP's loss, step ``h``.

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
    """The numpy MLP with the spec's architecture (per-sample loss, summed)."""
    spec = net.spec
    return MLP(spec.layers, spec.activations, loss=spec.loss, l2=spec.l2 or 0.0, seed=seed)


def random_point(net: Backprop, seed: int = 0, tries: int = 200) -> dict:
    """x, l and parameters as column vectors / matrices, ReLU pre-activations away from 0."""
    rng, spec, names = np.random.default_rng(seed), net.spec, net.names
    for _ in range(tries):
        env = {names.x: rng.normal(size=(spec.layers[0], 1)), names.l: rng.uniform(0.1, 1.0, size=(spec.layers[-1], 1))}
        for k in range(spec.depth):
            env[names.W[k]] = rng.normal(size=(spec.layers[k + 1], spec.layers[k]))
            env[names.b[k]] = rng.normal(size=(spec.layers[k + 1], 1))
        if _away_from_kinks(net, env):
            env["lam"] = spec.l2 or 0.0
            return env
    raise RuntimeError("no parameter point away from the ReLU kinks")  # pragma: no cover


def _away_from_kinks(net: Backprop, env: dict) -> bool:
    values = forward_values(net, env, NumpyBackend())
    relu = [a for a, f in zip(net.names.a, net.spec.activations) if f == "relu"]
    return all(np.abs(values[a]).min() > KINK_MARGIN for a in relu) and all(
        np.abs(v).min() > 1e-3 for k, v in env.items() if k in net.names.parameters())


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
    for array, name in zip(mlp.parameters(), params):
        array[...] = env[name].reshape(array.shape)
    X, L = env[net.names.x].T, env[net.names.l].T
    mlp.loss(X, L)
    backward = dict(zip(params, mlp.backward()))
    per_parameter = {}
    for array, name in zip(mlp.parameters(), params):
        sym = symbolic.get("dE/d" + name, np.full(array.shape, np.inf))
        sym = sym.reshape(array.shape) if sym.size == array.size else np.full(array.shape, np.inf)
        fd = finite_difference(lambda: mlp.loss(X, L), array, h)
        per_parameter[name] = {"symbolic_vs_numpy": relative_error(sym, backward[name]),
                               "symbolic_vs_fd": relative_error(sym, fd),
                               "numpy_vs_fd": relative_error(backward[name], fd)}
    return GradCheck(per_parameter, proof, seed)


def finite_difference(loss, array, h: float):
    """Central differences (E(p + h) - E(p - h)) / 2h of ``loss()`` in each entry of ``array``."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + h
        up = loss()
        array[index] = saved - h
        down = loss()
        array[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad


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
