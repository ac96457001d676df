"""Scoring each test of a lab from the child's replies; every reference is the grader's.

A reply is what the child sent back for one request: plain arrays, or
``{"missing": ...}``, ``{"error": ...}``, ``{"failure": ...}``. The judge
never asks the child whether something is right.

- forward: the output against the grader's numpy reference;
- backward: dx, dW, db against central finite differences of the student's own
  forward at points the grader chose, so a convention (W as (nin, nout), a
  summed loss) passes when it is consistent, and a bug does not;
- update: W - lr dW and b - lr db;
- net: the gradient of a composed net against derivtutor's MLP
  (``derivtutor.backprop.mlp``);
- train: accuracy of the predictions on held-out data whose labels stay here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derivtutor.lab import data
from derivtutor.lab.compare import as_array, close, compare
from derivtutor.lab.plan import EPS, loss_convention, match_reduction
from derivtutor.lab.spec import LOSS_KINDS

FORWARD_TOL = 1e-6


@dataclass(frozen=True)
class Verdict:
    """One test's outcome before rendering: passed, and the catalogue code with its fields."""

    passed: bool
    code: str
    fields: dict
    fraction: float = 1.0


def ok(code: str = "lab.passed", **fields) -> Verdict:
    return Verdict(True, code, fields)


def bad(code: str, **fields) -> Verdict:
    return Verdict(False, code, fields, 0.0)


def reply_problem(reply: dict, where: str, spec) -> Verdict | None:
    """The failure, missing name or exception in ``reply``, as a failed Verdict."""
    if reply is None:
        return bad("lab.not-run", where=where)
    if "failure" in reply:
        return bad(f"lab.failure-{reply['failure']}", where=where, status=reply.get("detail", ""))
    if "missing" in reply:
        role, _, method = reply["missing"].partition(".")
        return bad("lab.missing", where=where, name=reply["missing"], aliases=_aliases(spec, role, method))
    if "error" in reply:
        error = reply["error"] if isinstance(reply["error"], dict) else {}
        kind = error.get("type", "Error")
        cause = misbehaviour(error)
        return bad(f"lab.raised-{cause}" if cause else "lab.raised", where=where, type=kind,
                   message=error.get("message", ""), line=error.get("line") or "?")
    return None


#: errno of "File too large": the output file reached its size limit (an output flood).
EFBIG = 27


def misbehaviour(error: dict) -> str | None:
    """What an exception from the student's code says they did: memory, exit, fork, output, import.

    >>> misbehaviour({"type": "OSError", "errno": 27}), misbehaviour({"type": "ValueError"})
    ('output', None)
    """
    kind, text = error.get("type"), str(error.get("message", ""))
    if kind == "MemoryError":
        return "memory"
    if kind == "SystemExit":
        return "exit"
    if kind == "BlockingIOError" or (kind == "RuntimeError" and "new thread" in text):
        return "fork"
    if error.get("errno") == EFBIG:
        return "output"
    if kind in ("ModuleNotFoundError", "ImportError"):
        return "import"
    return None


def _aliases(spec, role: str, method: str) -> str:
    found = spec.roles.get(role)
    if found is None:
        return role
    names = found.methods.get(method) or found.attributes.get(method) or found.names if method else found.names
    return ", ".join(names)


def judge_forward(kind: str, ctx: dict, reply: dict, accepted: list) -> Verdict:
    if kind in LOSS_KINDS:
        return _loss_forward(kind, ctx, reply, accepted)
    out, expected = as_array(reply.get("out")), data.reference_forward(kind, ctx["x"], ctx["params"])
    if kind == "linear" and out is not None and close(out, ctx["x"] @ ctx["params"]["W"].T, FORWARD_TOL):
        return bad("lab.forward-no-bias")
    code, fields = compare(out, expected, shapes=(), missing_code="lab.not-numbers")
    if code is None:
        return ok()
    return _renamed(code, fields, "forward")


def _renamed(code: str, fields: dict, what: str) -> Verdict:
    """A comparison's code as a forward or update verdict (finite differences are not involved)."""
    if code in ("lab.wrong-shape", "lab.transposed"):
        return bad(f"lab.{what}-shape", **fields)
    if code in ("lab.not-numbers", "lab.not-finite", "lab.grad-missing"):
        return bad(f"lab.{what}-not-numbers", **fields)
    if code.startswith(f"lab.{what}-"):
        return bad(code, **fields)
    return bad(f"lab.{what}-differs", **{"error": "1", **fields})


def _loss_forward(kind, ctx, reply, accepted) -> Verdict:
    out = as_array(reply.get("out"))
    if out is None or out.size != 1 or not np.isfinite(out).all():
        return bad("lab.loss-not-scalar")
    plain = data.loss_sum(kind, ctx["x"], np.asarray(ctx["y"]))
    reduction = match_reduction(float(out.reshape(-1)[0]), plain, ctx["x"].shape)
    if reduction in accepted:
        return ok("lab.passed-convention", convention=reduction)
    if reduction is not None:
        return bad("lab.convention-refused", convention=reduction, accepted=", ".join(accepted))
    expected = plain * data.reduction_factor(accepted[0], *ctx["x"].shape)
    return bad("lab.loss-differs", value=f"{float(out.reshape(-1)[0]):.6g}", expected=f"{expected:.6g}")


def _numeric(ctx: dict, reply: dict, target: str):
    """(gradient weighted by dz, gradient without it) of the student's own forward, as arrays."""
    outs = reply.get("outs") or []
    points = ctx["points"]
    if len(outs) != len(points):
        return None, None
    try:
        grads = data.numeric_gradients(outs, points, ctx.get("dz"), EPS)
    except (TypeError, ValueError):
        return None, None
    shape = ctx["x"].shape if target == "x" else ctx["params"][target].shape
    arrays = []
    for weights in (grads["dz"], grads["ones"]):
        flat = np.zeros(int(np.prod(shape)))
        for index, value in weights.get(target, {}).items():
            flat[index] = value
        arrays.append(flat.reshape(shape))
    return arrays


def _reference_at(kind: str, ctx: dict, point, factor: float):
    """The grader's forward value at one perturbed point ``(target, flat index, delta)``."""
    target, index, delta = point
    x, params = ctx["x"].copy(), {k: v.copy() for k, v in ctx["params"].items()}
    (x if target == "x" else params[target]).reshape(-1)[index] += delta
    if kind in LOSS_KINDS:
        return np.array(factor * data.loss_sum(kind, x, np.asarray(ctx["y"])))
    return data.reference_forward(kind, x, params)


def forward_is_honest(kind: str, ctx: dict, reply: dict) -> bool:
    """False when the base forward value is the grader's but the perturbed ones are not.

    A correct forward stays correct an epsilon away; values that do not were not
    computed by it (the child may send anything), so its finite differences are void.
    """
    out = as_array(reply.get("out"))
    if out is None:
        return True
    if kind in LOSS_KINDS:
        plain = data.loss_sum(kind, ctx["x"], np.asarray(ctx["y"]))
        reduction = match_reduction(float(out.reshape(-1)[0]), plain, ctx["x"].shape) if out.size == 1 else None
        if reduction is None:
            return True
        factor = data.reduction_factor(reduction, *ctx["x"].shape)
    else:
        factor = 1.0
        if not close(out, data.reference_forward(kind, ctx["x"], ctx["params"]), FORWARD_TOL):
            return True
    for point, value in zip(ctx["points"], reply.get("outs") or []):
        got, want = as_array(value), _reference_at(kind, ctx, point, factor)
        if got is None or got.size != want.size or not close(got.reshape(want.shape), want, FORWARD_TOL):
            return False
    return True


def judge_backward(kind: str, quantity: str, ctx: dict, reply: dict, reduction: str | None) -> Verdict:
    target = "x" if quantity == "dx" else quantity[1:]
    numeric, no_upstream = _numeric(ctx, reply, target)
    if numeric is None:
        return bad("lab.forward-not-numbers")
    if not forward_is_honest(kind, ctx, reply):
        return bad("lab.forward-inconsistent")
    if not np.all(np.isfinite(numeric)):
        return bad("lab.fd-not-finite")
    student = reply.get("dx") if quantity == "dx" else (reply.get("grads") or {}).get(quantity)
    if target == "W" and layout_of(reply, ctx) == "in-out":
        numeric, no_upstream = numeric.T, no_upstream.T
    candidates = {} if kind in LOSS_KINDS else {"lab.no-upstream": no_upstream}
    if kind == "softmax":
        p = data.softmax(ctx["x"])
        candidates["lab.softmax-diagonal"] = ctx["dz"] * p * (1 - p)
    shapes = [(1, numeric.size)] if target == "b" else []
    code, fields = compare(student, numeric, candidates=candidates, shapes=shapes, rows=ctx["x"].shape[0],
                           loss=kind in LOSS_KINDS, reduction=reduction)
    if code is None:
        return ok("lab.passed-fd")
    if code == "lab.grad-zero" and target == "b":
        code = "lab.bias-zero"
    if code == "lab.wrong-shape" and target == "b" and np.size(as_array(student)) == 1 < numeric.size:
        code = "lab.bias-summed-all"
    if code == "lab.scaled" and kind == "mse" and fields.get("factor") in ("0.5", "2"):
        return bad("lab.mse-factor-two", **fields)  # the 2 of d(p - y)^2 = 2 (p - y), lost or doubled
    if code == "lab.differs" and target != "x" and not np.any(numeric):
        return bad("lab.forward-ignores", parameter=target, **fields)
    if code == "lab.differs" and (kind, quantity) in FORMULAS:
        return bad("lab.differs-formula", formula=f"lab.formula-{kind}-{quantity}", **fields)
    return bad(code, **fields)


#: (module kind, quantity) with a catalogue sentence giving the right formula ("lab.formula-KIND-QUANTITY"),
#: named when a gradient differs in no way the grader recognises.
FORMULAS = {("linear", "dx"), ("linear", "dW"), ("linear", "db"), ("tanh", "dx"), ("sigmoid", "dx"),
            ("relu", "dx"), ("softmax", "dx"), ("cross-entropy", "dx"), ("mse", "dx")}


def layout_of(reply: dict, ctx: dict) -> str | None:
    """The student's weight layout, from the shape their Linear gave W (None: neither layout)."""
    info = (reply.get("layout") or {}).get("W")
    if not info or "W" not in ctx["params"]:
        return None
    shape, canonical = tuple(info.get("shape", ())), ctx["params"]["W"].shape
    if shape == canonical:
        return "out-in"
    return "in-out" if shape == canonical[::-1] else None


def judge_update(ctx: dict, reply: dict) -> Verdict:
    params = reply.get("params") or {}
    lr, transposed = ctx["lr"], layout_of(reply, ctx) == "in-out"
    for name in ("W", "b"):
        start, grad = ctx["params"][name], ctx["grads"]["d" + name]
        student = as_array(params.get(name))
        if student is None:
            return bad("lab.not-numbers")
        expected = start - lr * grad
        if transposed and name == "W":
            start, grad, expected = start.T, grad.T, expected.T
        candidates = {"lab.update-sign": start + lr * grad, "lab.update-no-lr": start - grad, "lab.update-none": start}
        shapes = [(1, expected.size)] if name == "b" else []
        code, fields = compare(student, expected, candidates=candidates, shapes=shapes)
        if code is not None:
            return _renamed(code, {"parameter": name, **fields}, "update")
    return ok()


def judge_net(ctx: dict, reply: dict) -> Verdict:
    mlp, x, y = ctx["mlp"], ctx["x"], np.asarray(ctx["y"])
    k = mlp.dense[-1].W.shape[0]
    target = data.onehot(y, k) if y.ndim == 1 else y
    value = mlp.loss(x, target)
    expected = mlp.backward()
    out = as_array(reply.get("out"))
    if out is None or not close(out, mlp.predict(x), FORWARD_TOL):
        return bad("lab.net-forward")
    loss = as_array(reply.get("loss"))
    # MLP's losses: CE is the plain sum, MSE is half of it.
    plain = value if ctx["loss_kind"] == "cross-entropy" else 2 * value
    reduction = None if loss is None or loss.size != 1 else match_reduction(float(loss.reshape(-1)[0]), plain, target.shape)
    if reduction is None:
        return bad("lab.net-loss")
    factor = data.reduction_factor(reduction, *target.shape) / (1.0 if ctx["loss_kind"] == "cross-entropy" else 0.5)
    layouts = reply.get("layouts") or []
    for number, grads in enumerate(reply.get("grads") or [], start=1):
        w_shape = tuple(((layouts[number - 1] if number <= len(layouts) else {}).get("W") or {}).get("shape", ()))
        for name, want in (("dW", expected[2 * number - 2]), ("db", expected[2 * number - 1])):
            want = factor * want
            if name == "dW" and w_shape == want.shape[::-1] and w_shape != want.shape:
                want = want.T  # the student's (nin, nout) layout: dW is checked in it
            code, fields = compare(grads.get(name), want, shapes=[(1, want.size)] if name == "db" else [], rows=len(x))
            if code is not None:
                return bad("lab.net-differs", layer=number, parameter=name, **{"error": "1", **fields})
    return ok("lab.passed-net", convention=reduction)


def judge_train(test, ctx: dict, reply: dict) -> Verdict:
    out = as_array(reply.get("out"))
    labels = ctx["test_labels"]
    if out is None or out.ndim != 2 or out.shape[0] != len(labels):
        return bad("lab.train-shape", count=len(labels), classes=ctx["classes"])
    if not np.all(np.isfinite(out)):
        return bad("lab.train-nan")
    accuracy = float(np.mean(np.argmax(out, axis=1) == labels))
    fields = {"accuracy": f"{accuracy:.3f}", "threshold": test.get("threshold"), "count": len(labels)}
    if accuracy >= float(test.get("threshold")):
        return ok("lab.train-passed", **fields)
    return bad("lab.train-low", **fields)


def reduction_of(plan, replies: list, spec) -> str | None:
    """The loss reduction the submission uses (from the loss module's forward)."""
    role = next((r.name for r in spec.roles.values() if r.kind in LOSS_KINDS), None)
    return None if role is None else loss_convention(plan, replies, role)
