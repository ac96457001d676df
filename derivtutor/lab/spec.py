"""A lab spec: the data that says what a framework lab expects and how it is graded.

A spec is the ``[lab]`` table of a bank file of kind "lab" (see
``exercises/lab-ownframework.toml``)::

    [lab.roles.Linear]              # a role: what the grader looks for
    kind = "linear"                 # which reference the grader computes (MODULE_KINDS)
    names = ["Linear", "Dense"]     # accepted class names
    args = [3, 4]                   # constructor arguments in the module tests (nin, nout)
    methods = { forward = ["forward"], backward = ["backward"], update = ["update", "step"] }
    attributes = { W = ["W", "weight"], b = ["b", "bias"], dW = ["dW"], db = ["db"] }

    [lab.conventions]               # the accepted conventions (anything else is a bug)
    weight_layout = ["out-in", "in-out"]
    loss_reduction = ["mean", "sum"]

    [[lab.tests]]                   # one graded test
    id = "linear-dW"
    check = "backward"              # CHECKS
    role = "Linear"
    quantity = "dW"
    points = 1

A "train" test may set ``init_scale``: the grader then starts every Linear from
its own W ~ N(0, (init_scale / sqrt(nin))^2), b = 0, written into the student's
layout, so that the student's choice of initialisation (0.01·randn, rand) is
not what the training test measures.

The spec is data: a second lab (Linear + Sigmoid + MSE) is another file, no code.

>>> spec = read_spec({"roles": {}, "tests": [{"id": "runs", "check": "runs", "points": 1}]})
>>> spec.tests[0].points, spec.max_points
(1.0, 1.0)
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Module kinds the grader has a reference for, and the parameters each one has.
MODULE_KINDS = {
    "linear": ("W", "b"),
    "tanh": (), "sigmoid": (), "relu": (), "softmax": (),
    "cross-entropy": (), "mse": (),
    "net": (), "function": (),
}
LOSS_KINDS = ("cross-entropy", "mse")
#: Test checks and the fields each needs besides id, check and points.
CHECKS = {
    "runs": (), "interface": (), "forward": ("role",), "backward": ("role", "quantity"),
    "update": ("role",), "net": ("layers", "loss"), "train": ("layers", "loss", "data", "threshold"),
}
LAYOUTS = ("out-in", "in-out")
#: Loss reductions, as a factor on the plain sum over samples (and outputs) of the loss.
REDUCTIONS = ("mean", "sum", "half-sum", "half-mean", "mean-all", "half-mean-all")
DATASETS = ("moons", "digits")
DEFAULT_METHODS = {"forward": ["forward"], "backward": ["backward"]}


class LabSpecError(ValueError):
    """A spec that does not follow the schema (the instructor's problem, not the student's)."""


@dataclass(frozen=True)
class Role:
    name: str
    kind: str
    names: tuple
    args: tuple = ()
    methods: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)

    def probe_view(self) -> dict:
        """What the child needs to find this role: names, methods, attributes."""
        return {"names": list(self.names), "methods": {k: list(v) for k, v in self.methods.items()},
                "attributes": {k: list(v) for k, v in self.attributes.items()}}


@dataclass(frozen=True)
class LabTest:
    id: str
    check: str
    points: float
    options: dict = field(default_factory=dict)

    def get(self, name: str, default=None):
        return self.options.get(name, default)


@dataclass(frozen=True)
class LabSpec:
    id: str
    roles: dict
    tests: tuple
    conventions: dict
    labels: str = "integer"       # how training labels reach the loss: integer | onehot
    seed: int = 0

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tests)

    def role_of_kind(self, kind: str):
        return next((r for r in self.roles.values() if r.kind == kind), None)


def _need(where: str, table: dict, name: str, types):
    if name not in table:
        raise LabSpecError(f"{where}: missing '{name}'")
    value = table[name]
    if isinstance(value, bool) or not isinstance(value, types):
        raise LabSpecError(f"{where}: '{name}' has the wrong type")
    return value


def _role(name: str, table: dict) -> Role:
    where = f"lab.roles.{name}"
    kind = _need(where, table, "kind", str)
    if kind not in MODULE_KINDS:
        raise LabSpecError(f"{where}: unknown kind '{kind}'; expected one of {', '.join(MODULE_KINDS)}")
    names = tuple(table.get("names", [name]))
    methods = {k: tuple(v) for k, v in {**DEFAULT_METHODS, **table.get("methods", {})}.items()}
    attributes = {k: tuple(v) for k, v in table.get("attributes", {}).items()}
    for param in MODULE_KINDS[kind]:
        attributes.setdefault(param, (param,))
        attributes.setdefault("d" + param, ("d" + param,))
    if kind == "function":
        methods = {}
    return Role(name, kind, names, tuple(table.get("args", ())), methods, attributes)


def _test(number: int, table: dict, roles: dict) -> LabTest:
    where = f"lab.tests[{number}]"
    test_id, check = _need(where, table, "id", str), _need(where, table, "check", str)
    points = _need(where, table, "points", (int, float))
    if check not in CHECKS:
        raise LabSpecError(f"{where}: unknown check '{check}'; expected one of {', '.join(CHECKS)}")
    for name in CHECKS[check]:
        _need(where, table, name, (str, list, int, float))
    for role in [table.get("role"), table.get("loss")] + [layer[0] for layer in table.get("layers", [])]:
        if role is not None and role not in roles:
            raise LabSpecError(f"{where}: role '{role}' is not in lab.roles")
    if check == "train" and table["data"] not in DATASETS:
        raise LabSpecError(f"{where}: data must be one of {', '.join(DATASETS)}")
    if points < 0:
        raise LabSpecError(f"{where}: points must not be negative")
    scale = table.get("init_scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale <= 0):
        raise LabSpecError(f"{where}: init_scale must be a positive number")
    options = {k: v for k, v in table.items() if k not in ("id", "check", "points")}
    return LabTest(test_id, check, float(points), options)


def read_spec(table: dict, lab_id: str = "lab") -> LabSpec:
    """Validate a ``[lab]`` table and build the LabSpec; LabSpecError names the bad field."""
    if not isinstance(table, dict):
        raise LabSpecError("the exercise has no [lab] table")
    roles = {name: _role(name, body) for name, body in table.get("roles", {}).items()}
    tests = tuple(_test(n, body, roles) for n, body in enumerate(table.get("tests", []), start=1))
    if not tests:
        raise LabSpecError("lab.tests: a lab needs at least one test")
    ids = [t.id for t in tests]
    if len(set(ids)) != len(ids):
        raise LabSpecError("lab.tests: test ids must be unique")
    conventions = dict(table.get("conventions", {}))
    conventions.setdefault("weight_layout", list(LAYOUTS))
    conventions.setdefault("loss_reduction", ["mean"])
    bad = [c for c in conventions["weight_layout"] if c not in LAYOUTS]
    bad += [c for c in conventions["loss_reduction"] if c not in REDUCTIONS]
    if bad:
        raise LabSpecError(f"lab.conventions: unknown conventions {bad}")
    labels = table.get("labels", "integer")
    if labels not in ("integer", "onehot"):
        raise LabSpecError("lab.labels must be 'integer' or 'onehot'")
    return LabSpec(lab_id, roles, tests, conventions, labels, int(table.get("seed", 0)))
