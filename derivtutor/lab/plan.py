"""From a lab spec to the requests the child answers, with the inputs kept for the judge.

Every input is the grader's: drawn from its own generator (seeded by the spec),
sent to the child as JSON lists and kept here, so that the judge compares the
child's answers with references the grader computes itself. The test labels of
the training sets are never sent.

>>> from derivtutor.lab.spec import read_spec
>>> spec = read_spec({"roles": {"Tanh": {"kind": "tanh"}},
...                   "tests": [{"id": "t", "check": "forward", "role": "Tanh", "points": 1}]})
>>> plan = build_plan(spec)
>>> [key for key, _ in plan.requests]
[('module', 'Tanh')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from derivtutor.lab import data
from derivtutor.lab.spec import LOSS_KINDS, LabSpec

EPS = 1e-5
MODULE_TIMEOUT = 10.0
DEFAULT_TRAIN_TIMEOUT = 30.0
UPDATE_LR = 0.1


@dataclass
class Plan:
    """The requests in order, as (key, request or function of the replies so far)."""

    spec: LabSpec
    requests: list = field(default_factory=list)
    context: dict = field(default_factory=dict)   # key -> the grader's inputs and references

    def index(self, key) -> int | None:
        return next((i for i, (k, _) in enumerate(self.requests) if k == key), None)

    def add(self, key, request, context: dict) -> None:
        if self.index(key) is None:
            self.requests.append((key, request))
            self.context[key] = context


def _lists(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


def _module(plan: Plan, role_name: str, rng) -> None:
    role = plan.spec.roles[role_name]
    inputs = data.module_inputs(role.kind, rng, role.args, plan.spec.labels)
    shapes = {"x": inputs["x"].shape, **{k: v.shape for k, v in inputs["params"].items()}}
    points = data.perturbations(shapes, EPS)
    request = {"op": "module", "role": role_name, "args": list(role.args), "loss": role.kind in LOSS_KINDS,
               "x": inputs["x"].tolist(), "params": {k: v.tolist() for k, v in inputs["params"].items()},
               "points": points, "grads": ["d" + p for p in inputs["params"]], "timeout": MODULE_TIMEOUT}
    if "y" in inputs:
        request["y"] = _lists(inputs["y"])
    if "dz" in inputs:
        request["dz"] = inputs["dz"].tolist()
    plan.add(("module", role_name), request, {**inputs, "points": points, "kind": role.kind})


def _update(plan: Plan, role_name: str, rng) -> None:
    role = plan.spec.roles[role_name]
    nin, nout = int(role.args[0]), int(role.args[1])
    params = {"W": rng.normal(size=(nout, nin)), "b": rng.normal(size=nout)}
    grads = {"dW": rng.normal(size=(nout, nin)), "db": rng.normal(size=nout)}
    request = {"op": "update", "role": role_name, "args": [nin, nout], "lr": UPDATE_LR,
               "x": rng.normal(size=(data.BATCH, nin)).tolist(),
               "params": {k: v.tolist() for k, v in params.items()},
               "grads": {k: v.tolist() for k, v in grads.items()}, "timeout": MODULE_TIMEOUT}
    plan.add(("update", role_name), request, {"params": params, "grads": grads, "lr": UPDATE_LR})


def mlp_for(spec: LabSpec, layers: list, seed: int):
    """derivtutor's own MLP with the same layers: sizes, one activation per Linear, the loss."""
    from derivtutor.backprop.mlp import MLP

    sizes, activations = [], []
    for name, *args in layers:
        kind = spec.roles[name].kind
        if kind == "linear":
            if not sizes:
                sizes.append(int(args[0]))
            sizes.append(int(args[1]))
            activations.append("linear")
        elif activations:
            activations[-1] = kind if kind in ("tanh", "sigmoid", "relu", "softmax") else activations[-1]
    return MLP(sizes, activations, loss="ce" if activations[-1] == "softmax" else "mse", seed=seed)


def _layer_requests(spec: LabSpec, layers: list, params: list | None) -> list:
    out, k = [], 0
    for name, *args in layers:
        layer = {"role": name, "args": list(args)}
        if spec.roles[name].kind == "linear" and params is not None:
            layer["params"] = {"W": params[k].tolist(), "b": params[k + 1].tolist()}
            layer["grads"] = ["dW", "db"]
            k += 2
        out.append(layer)
    return out


def _net(plan: Plan, test, rng) -> None:
    spec, layers = plan.spec, test.get("layers")
    mlp = mlp_for(spec, layers, seed=int(rng.integers(1 << 30)))
    for dense in mlp.dense:  # MLP starts with zero biases; a forward that forgets b must show
        dense.b = rng.normal(scale=0.5, size=dense.b.shape)
    n, nin, nout = int(test.get("batch", data.BATCH)), mlp.dense[0].W.shape[1], mlp.dense[-1].W.shape[0]
    x = rng.normal(size=(n, nin))
    labels = rng.integers(0, nout, size=n)
    loss_kind = spec.roles[test.get("loss")].kind
    y = labels if loss_kind == "cross-entropy" and spec.labels == "integer" else data.onehot(labels, nout)
    if loss_kind == "mse":
        y = rng.uniform(size=(n, nout))
    request = {"op": "net", "net": test.get("net", "Net"), "layers": _layer_requests(spec, layers, mlp.parameters()),
               "loss": test.get("loss"), "x": x.tolist(), "y": _lists(y), "timeout": MODULE_TIMEOUT}
    plan.add(("net", test.id), request, {"mlp": mlp, "x": x, "y": y, "loss_kind": loss_kind})


def loss_convention(plan: Plan, replies: list, loss_role: str) -> str | None:
    """The reduction the student's loss uses, read from its forward value in the module test."""
    key = ("module", loss_role)
    i = plan.index(key)
    if i is None or i >= len(replies) or "out" not in replies[i]:
        return None
    ctx = plan.context[key]
    try:
        value = float(np.asarray(replies[i]["out"], dtype=float).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        return None
    return match_reduction(value, data.loss_sum(ctx["kind"], ctx["x"], np.asarray(ctx["y"])), ctx["x"].shape)


def match_reduction(value: float, plain_sum: float, shape) -> str | None:
    """Which reduction turns the plain sum into ``value`` (None: none of them)."""
    from derivtutor.lab.spec import REDUCTIONS

    for name in REDUCTIONS:
        expected = plain_sum * data.reduction_factor(name, shape[0], shape[1])
        if abs(value - expected) <= 1e-6 * max(1.0, abs(expected)):
            return name
    return None


def initial_params(spec: LabSpec, layers: list, scale: float, seed: int) -> list:
    """The grader's starting weights: W ~ N(0, (scale / sqrt(nin))^2) in (nout, nin), b = 0.

    Training then measures the student's forward, backward, update and loop, not
    their choice of initialisation: 0.01·randn (which stalls a tanh net near its
    saddle) and rand (which saturates it) train as well as the course's default.

    >>> from derivtutor.lab.spec import read_spec
    >>> spec = read_spec({"roles": {"L": {"kind": "linear"}}, "tests": [{"id": "r", "check": "runs", "points": 1}]})
    >>> [p.shape for p in initial_params(spec, [["L", 3, 2]], 1.0, seed=0)]
    [(2, 3), (2,)]
    """
    rng, params = np.random.default_rng(seed), []
    for name, *args in layers:
        if spec.roles[name].kind == "linear":
            nin, nout = int(args[0]), int(args[1])
            params += [rng.normal(scale=scale / np.sqrt(nin), size=(nout, nin)), np.zeros(nout)]
    return params


def _train(plan: Plan, test) -> None:
    spec = plan.spec
    train_x, train_labels, test_x, test_labels = data.dataset(test.get("data"), spec.seed)
    scale = test.get("init_scale")
    params = None if scale is None else initial_params(spec, test.get("layers"), float(scale), spec.seed)
    classes = int([layer for layer in test.get("layers") if spec.roles[layer[0]].kind == "linear"][-1][2])
    loss_kind = spec.roles[test.get("loss")].kind
    y = train_labels if loss_kind == "cross-entropy" and spec.labels == "integer" else data.onehot(train_labels, classes)
    batch, lr = int(test.get("batch_size", 16)), float(test.get("lr", 0.1))

    def request(replies):
        # lr is for a mean loss; a summed loss gets lr / batch_size, so both conventions train alike.
        reduction = loss_convention(plan, replies, test.get("loss")) or "mean"
        scale = (1 / batch) / data.reduction_factor(reduction, batch, classes)
        return {"op": "train", "net": test.get("net", "Net"), "layers": _layer_requests(spec, test.get("layers"), params),
                "loss": test.get("loss"), "x": train_x.tolist(), "y": _lists(y), "test_x": test_x.tolist(),
                "epochs": int(test.get("epochs", 10)), "batch_size": batch, "lr": lr * scale,
                "seed": spec.seed, "timeout": float(test.get("timeout", DEFAULT_TRAIN_TIMEOUT))}

    plan.add(("train", test.id), request, {"test_labels": test_labels, "classes": classes})


def build_plan(spec: LabSpec, only: set | None = None) -> Plan:
    """The requests for the tests of ``spec`` (only those in ``only``, when given)."""
    plan, rng = Plan(spec), np.random.default_rng(spec.seed)
    for test in spec.tests:
        if only is not None and test.id not in only:
            continue
        if test.check in ("forward", "backward"):
            _module(plan, test.get("role"), rng)
        elif test.check == "update":
            _update(plan, test.get("role"), rng)
        elif test.check == "net":
            _net(plan, test, rng)
    for test in spec.tests:  # training last: the module tests tell the loss convention first
        if test.check == "train" and (only is None or test.id in only):
            loss_role = test.get("loss")
            if plan.index(("module", loss_role)) is None:
                _module(plan, loss_role, rng)
            _train(plan, test)
    return plan
