"""Checking one lab submission: plan, run in the sandbox, judge, report.

>>> from derivtutor.lab.spec import read_spec
>>> spec = read_spec({"roles": {"Tanh": {"kind": "tanh"}},
...                   "tests": [{"id": "tanh-forward", "check": "forward", "role": "Tanh", "points": 1}]})
>>> code = "import numpy as np\\nclass Tanh:\\n    def forward(self, x): return np.tanh(x)\\n"
>>> report = check_submission(spec, code)
>>> report.total, report.tests[0].passed
(1.0, True)
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from derivtutor.catalogue import message
from derivtutor.lab import judge
from derivtutor.lab.plan import build_plan
from derivtutor.lab.sandbox import Limits, run_probe
from derivtutor.lab.spec import LOSS_KINDS, LabSpec

#: Seconds for the whole submission, on top of each request's own deadline.
TOTAL_DEADLINE = 240.0
LOAD_ERRORS_SHOWN = 3


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest class
    id: str
    name: str
    points: float
    max_points: float
    passed: bool
    feedback: str
    code: str


@dataclass
class LabReport:
    lab: str
    tests: list
    conventions: list = field(default_factory=list)   # sentences: "W is stored as (nin, nout)"
    output: str = ""
    seconds: float = 0.0
    sandbox: dict = field(default_factory=dict)        # whom the code ran as, and which confinements held

    @property
    def total(self) -> float:
        return round(sum(t.points for t in self.tests), 6)

    @property
    def max_total(self) -> float:
        return round(sum(t.max_points for t in self.tests), 6)

    def to_dict(self) -> dict:
        return {"lab": self.lab, "score": self.total, "max_score": self.max_total,
                "tests": [asdict(t) for t in self.tests], "conventions": self.conventions, "output": self.output,
                "sandbox": self.sandbox}


def check_submission(spec: LabSpec, code: str, lang: str = "en", only: set | None = None,
                     limits: Limits | None = None) -> LabReport:
    """Grade ``code`` (Python source) against ``spec``; ``only`` restricts the tests run."""
    started = time.monotonic()
    plan = build_plan(spec, only)
    limits = limits or Limits(cpu_seconds=_cpu_budget(plan))
    roles = {name: role.probe_view() for name, role in spec.roles.items()}
    run = run_probe(code, roles, [request for _, request in plan.requests], limits,
                    deadline=started + TOTAL_DEADLINE)
    replies = {key: run.replies[i] if i < len(run.replies) else None for i, (key, _) in enumerate(plan.requests)}
    session = _Session(spec, plan, run, replies, lang, limits)
    tests = [session.result(test) for test in spec.tests if only is None or test.id in only]
    return LabReport(spec.id, tests, session.conventions(), run.output, round(time.monotonic() - started, 3),
                     sandbox_report(run.load, lang))


def sandbox_report(load: dict | None, lang: str = "en") -> dict:
    """Whom the student's code ran as and what confined it, with a sentence saying so.

    >>> sandbox_report({"identity": {"uid": 1000, "dropped": False, "root": False}})["note"][:33]
    'The grader does not run as root, '
    """
    load = load if isinstance(load, dict) else {}
    identity = load.get("identity") if isinstance(load.get("identity"), dict) else {}
    out = {"user_dropped": bool(identity.get("dropped")), "uid": identity.get("uid"), "gid": identity.get("gid"),
           "forks_forbidden": bool(load.get("forks_forbidden")), "writes_confined": bool(load.get("writes_confined")),
           "reads_confined": bool(identity.get("reads_confined"))}
    if not identity:
        return out  # the child never reported (it did not load)
    code = ("lab.sandbox-dropped" if out["user_dropped"] else "lab.sandbox-root" if identity.get("root")
            else "lab.sandbox-not-root")
    return {**out, "note": message(code, lang, uid=out["uid"], gid=out["gid"])}


def _cpu_budget(plan) -> int:
    seconds = sum(float(request.get("timeout", 10)) if isinstance(request, dict) else 60.0
                  for _, request in plan.requests)
    return int(Limits().load_timeout + seconds + 5)


class _Session:
    """The judge's view of one run: replies by key, the conventions found, names to show."""

    def __init__(self, spec, plan, run, replies, lang, limits):
        self.spec, self.plan, self.run, self.replies, self.lang = spec, plan, run, replies, lang
        self.limits = limits
        self.found = (run.load or {}).get("found") or {}
        self.reduction = judge.reduction_of(plan, list(run.replies), spec)

    def display(self, role: str) -> str:
        found = self.found.get(role)
        return found["name"] if isinstance(found, dict) and found.get("name") else role

    def say(self, code: str, **fields) -> str:
        return message(code, self.lang, **fields)

    def result(self, test) -> TestResult:
        try:
            verdict, where = self.verdict(test)
        except (Exception, RecursionError):  # a reply of the wrong shape: the child may send anything
            verdict, where = judge.bad("lab.failure-reply", status=""), self.display(test.get("role") or "Net")
        name = self._name(test)
        fields = {"quantity": self._quantity(test), **verdict.fields, "where": where}
        for key in ("convention", "accepted"):  # convention names in the student's language
            if key in fields:
                fields[key] = ", ".join(self.say(f"lab.name-{c}") for c in str(fields[key]).split(", "))
        if "formula" in fields:  # the right formula, in the student's language
            fields["formula"] = self.say(fields["formula"])
        text = self.say(verdict.code, **fields)
        points = test.points * verdict.fraction if verdict.passed else 0.0
        return TestResult(test.id, name, round(points, 6), test.points, verdict.passed, text, verdict.code)

    def _quantity(self, test) -> str:
        role, quantity = test.get("role"), test.get("quantity", "")
        if role and self.spec.roles[role].kind in LOSS_KINDS and quantity == "dx":
            return "dL/dp"
        return quantity

    def _name(self, test) -> str:
        role, quantity = test.get("role"), self._quantity(test)
        return self.say(f"lab.test-{test.check}", role=self.display(role) if role else "",
                        quantity=quantity, data=test.get("data", ""), threshold=test.get("threshold", ""))

    def load_failure(self):
        load = self.run.load or {}
        return load if "failure" in load else None

    def verdict(self, test):
        role = test.get("role")
        where = self.display(role) if role else self.display(test.get("net", "Net"))
        failure = self.load_failure()
        if failure is not None:
            code = "lab.load-failure-" + failure["failure"] if test.check == "runs" else "lab.not-loaded"
            return judge.bad(code, status=failure.get("detail", ""), seconds=f"{self.limits.load_timeout:g}"), where
        if test.check == "runs":
            return self.runs(), where
        if test.check == "interface":
            return self.interface(), where
        return self.graded(test, role, where)

    def runs(self):
        errors = (self.run.load or {}).get("errors") or []
        if not errors:
            return judge.ok("lab.runs")
        shown = "; ".join(self.say("lab.load-error", line=e.get("line") or "?", type=e.get("type", "Error"),
                                   message=e.get("message", "")) for e in errors[:LOAD_ERRORS_SHOWN])
        causes = {judge.misbehaviour(e) for e in errors if isinstance(e, dict)}
        cause = next((c for c in ("exit", "memory", "fork", "output", "import") if c in causes), None)
        return judge.bad(f"lab.load-{cause}" if cause else "lab.load-errors", errors=shown, count=len(errors),
                         limit=f"{self.limits.file_mb:g}")

    def interface(self):
        missing = []
        for name, role in self.spec.roles.items():
            found = self.found.get(name)
            if found is None:
                if role.kind != "function":  # train_epoch is optional: the grader has the course's loop
                    missing.append(self.say("lab.looked-for", name=name, aliases=", ".join(role.names)))
                continue
            for method, present in (found.get("methods") or {}).items():
                if not present:
                    missing.append(self.say("lab.looked-for", name=f"{name}.{method}",
                                            aliases=", ".join(role.methods.get(method, ()))))
        return judge.ok("lab.interface") if not missing else judge.bad("lab.interface-missing", missing="; ".join(missing))

    def graded(self, test, role, where):
        check = test.check
        key = {"forward": ("module", role), "backward": ("module", role), "update": ("update", role),
               "net": ("net", test.id), "train": ("train", test.id)}[check]
        reply, ctx = self.replies.get(key), self.plan.context.get(key)
        method = {"forward": "forward", "backward": "backward", "update": "update"}.get(check)
        where = f"{where}.{method}" if method else where
        problem = judge.reply_problem(reply, where, self.spec)
        if problem is None and check == "backward" and reply.get("backward_missing"):
            problem = judge.reply_problem({"missing": reply["backward_missing"]}, where, self.spec)
        if problem is None and check == "backward" and reply.get("backward_error"):
            problem = judge.reply_problem({"error": reply["backward_error"]}, where, self.spec)
        if problem is not None:
            return self._displayed(problem), where
        kind = self.spec.roles[role].kind if role else None
        if kind == "linear":
            layout = judge.layout_of(reply, ctx)
            if layout is None:
                return judge.bad("lab.weight-shape", shape=str((reply.get("layout") or {}).get("W", {}).get("shape"))), where
            if layout not in self.spec.conventions["weight_layout"]:
                return judge.bad("lab.convention-refused", convention=layout,
                                 accepted=", ".join(self.spec.conventions["weight_layout"])), where
        if check == "forward":
            return judge.judge_forward(kind, ctx, reply, self.spec.conventions["loss_reduction"]), where
        if check == "backward":
            return judge.judge_backward(kind, test.get("quantity"), ctx, reply, self.reduction), where
        if check == "update":
            return judge.judge_update(ctx, reply), where
        if check == "net":
            return judge.judge_net(ctx, reply), where
        return judge.judge_train(test, ctx, reply), where

    def _displayed(self, verdict):
        """A missing "Role.method" named by the student's own class name (TanH.backward, not Tanh.backward)."""
        role, _, rest = str(verdict.fields.get("name", "")).partition(".")
        if not rest or role not in self.spec.roles:
            return verdict
        return replace(verdict, fields={**verdict.fields, "name": f"{self.display(role)}.{rest}"})

    def conventions(self) -> list:
        found = []
        for key, ctx in self.plan.context.items():
            reply = self.replies.get(key)
            if key[0] == "module" and ctx["kind"] == "linear" and reply and "layout" in reply:
                layout = judge.layout_of(reply, ctx)
                if layout:
                    found.append(self.say(f"lab.convention-layout-{layout}"))
                break
        if self.reduction:
            found.append(self.say(f"lab.convention-reduction-{self.reduction}"))
        return found
