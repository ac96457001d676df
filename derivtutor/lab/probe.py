"""The runner that executes a student's lab inside the sandboxed child process.

This file is run as a script (``python -I probe.py``) by ``derivtutor.lab.sandbox``
and imports nothing from derivtutor: only the standard library and numpy. It
computes nothing that is graded. It calls the student's classes on inputs the
grader chose and sends back what they returned, as JSON lists; every
comparison and score is made in the grader's process.

Protocol: one JSON request per line on fd 3, one JSON reply per line on fd 4.
The first reply, sent unasked, reports loading the submission. The student's
own prints go to stdout/stderr, which the grader caps and shows; they can never
reach fd 4 by accident.

>>> _role_class({"Lin": type("Lin", (), {})}, ["Linear", "Lin"]).__name__
'Lin'
"""
from __future__ import annotations

import ast
import json
import os
import traceback

FILENAME = "<submission>"

def _role_class(namespace: dict, names: list):
    """The first of ``names`` bound in ``namespace`` (exact, then case-insensitive)."""
    for name in names:
        if callable(namespace.get(name)):
            return namespace[name]
    lowered = {key.lower(): value for key, value in namespace.items() if isinstance(key, str) and callable(value)}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _defines(cls, name: str) -> bool:
    """Does the class (or a base of its own, not object) define ``name``?"""
    mro = getattr(cls, "__mro__", (cls,))
    return any(name in vars(k) and callable(vars(k)[name]) for k in mro if k is not object)


def _where(exc: BaseException) -> int | None:
    """The line of the student's code where ``exc`` was raised (innermost frame of theirs)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    return line


def _error(exc: BaseException, context: str = "") -> dict:
    if isinstance(exc, SystemExit):
        kind, text = "SystemExit", f"sys.exit({exc.code!r})"
    else:
        kind, text = type(exc).__name__, str(exc)[:300]
    errno = getattr(exc, "errno", None)
    return {"type": kind, "message": text, "line": _where(exc), "context": context,
            "errno": errno if isinstance(errno, int) else None}


def load(code: str) -> tuple[dict, list]:
    """Run the submission statement by statement, as a notebook runs cell by cell.

    A failing statement is reported and the rest still runs, so one broken plot
    does not hide a correct Linear.
    """
    namespace = {"__name__": "__submission__", "__builtins__": __builtins__}
    errors = []
    try:
        tree = ast.parse(code, FILENAME)
    except SyntaxError as exc:
        return namespace, [{"type": "SyntaxError", "message": str(exc.msg), "line": exc.lineno, "context": "load"}]
    for statement in tree.body:
        module = ast.Module(body=[statement], type_ignores=[])
        try:
            exec(compile(module, FILENAME, "exec"), namespace)  # noqa: S102 - the sandbox's purpose
        except BaseException as exc:  # noqa: BLE001 - sys.exit and KeyboardInterrupt included
            errors.append(_error(exc, "load"))
    return namespace, errors


class Probe:
    """Calls into the student's namespace on the grader's inputs."""

    def __init__(self, np, namespace: dict, roles: dict):
        self.np, self.ns, self.roles = np, namespace, roles

    # --- finding things -------------------------------------------------
    def cls(self, role: str):
        found = _role_class(self.ns, self.roles[role]["names"])
        if found is None:
            raise LookupError(f"missing:{role}")
        return found

    def method(self, obj, role: str, method: str):
        for name in self.roles[role]["methods"].get(method, [method]):
            bound = getattr(obj, name, None)
            if callable(bound):
                return bound
        raise LookupError(f"missing:{role}.{method}")

    def attr_name(self, obj, role: str, attr: str):
        for name in self.roles[role]["attributes"].get(attr, [attr]):
            if name in getattr(obj, "__dict__", {}) or hasattr(obj, name):
                return name
        return None

    def array(self, value):
        if value is None:
            return None
        return self.np.asarray(value, dtype=float).tolist()

    def resolve(self) -> dict:
        found = {}
        for role, spec in self.roles.items():
            obj = _role_class(self.ns, spec["names"])
            if obj is None:
                found[role] = None
                continue
            found[role] = {"name": getattr(obj, "__name__", "?"),
                           "methods": {m: any(_defines(obj, n) for n in names)
                                       for m, names in spec["methods"].items()}}
        return found

    # --- building modules --------------------------------------------------
    def build(self, layer: dict, lenient: bool = False):
        """The module of ``layer``, with the grader's parameters (``lenient``: its own when they have other names)."""
        module = self.cls(layer["role"])(*layer.get("args", []))
        layout = {}
        for attr, value in layer.get("params", {}).items():
            try:
                layout[attr] = self.set_param(module, layer["role"], attr, self.np.asarray(value, dtype=float))
            except LookupError:
                if not lenient:
                    raise
        return module, layout

    def set_param(self, module, role: str, attr: str, canonical, like: str | None = None):
        """Put a canonical (nout, nin) / (nout,) value into the student's own layout (that of ``like``)."""
        name = self.attr_name(module, role, attr)
        if name is None:
            raise LookupError(f"missing:{role}.{attr}")
        shaped = self.attr_name(module, role, like) if like else name
        current = self.np.asarray(getattr(module, shaped if shaped else name))
        value = canonical
        if current.shape != canonical.shape:
            if canonical.ndim == 2 and current.shape == canonical.T.shape:
                value = canonical.T
            elif current.size == canonical.size:
                value = canonical.reshape(current.shape)
        target = getattr(module, name, None)
        if isinstance(target, self.np.ndarray) and target.shape == value.shape and target.dtype == float \
                and target.flags.writeable:
            target[...] = value  # in place: a list of parameters the student's update walks stays in step
        else:
            setattr(module, name, self.np.array(value, dtype=float))
        return {"name": name, "shape": list(current.shape)}

    def grads(self, module, role: str, names: list) -> dict:
        out = {}
        for attr in names:
            name = self.attr_name(module, role, attr)
            out[attr] = None if name is None else self.array(getattr(module, name))
        return out

    # --- operations ---------------------------------------------------------
    def op_module(self, req: dict) -> dict:
        np = self.np
        role, is_loss = req["role"], req.get("loss", False)
        module, layout = self.build(req)
        forward = self.method(module, role, "forward")
        x = np.asarray(req["x"], dtype=float)
        extra = [np.asarray(req["y"])] if "y" in req else []
        base = {attr: np.asarray(v, dtype=float) for attr, v in req.get("params", {}).items()}
        outs = []
        for target, index, delta in req.get("points", []):
            xs, params = x.copy(), {a: v.copy() for a, v in base.items()}
            arr = xs if target == "x" else params[target]
            arr.reshape(-1)[index] += delta
            for attr, value in params.items():
                self.set_param(module, role, attr, value)
            outs.append(self.array(forward(xs, *extra)))
        for attr, value in base.items():
            self.set_param(module, role, attr, value)
        out = forward(x.copy(), *extra)
        result = {"layout": layout, "outs": outs, "out": self.array(out)}
        try:
            backward = self.method(module, role, "backward")
        except LookupError as exc:  # forward is still graded
            result["backward_missing"] = str(exc.args[0])[8:]
            return result
        dz = np.asarray(req["dz"], dtype=float) if "dz" in req else None
        try:
            result["dx"] = self.array(self.call_backward(backward, out if is_loss else dz, is_loss))
        except BaseException as exc:  # noqa: BLE001 - a failing backward costs the backward tests, not forward
            result["backward_error"] = _error(exc, "backward")
            return result
        result["grads"] = self.grads(module, role, req.get("grads", []))
        return result

    @staticmethod
    def call_backward(backward, arg, is_loss):
        if not is_loss:
            return backward(arg)
        try:
            return backward(arg)
        except TypeError:
            return backward()  # backward() without the loss value is a common, harmless variant

    def op_update(self, req: dict) -> dict:
        np = self.np
        role = req["role"]
        module, layout = self.build(req)
        forward, backward = self.method(module, role, "forward"), self.method(module, role, "backward")
        x = np.asarray(req["x"], dtype=float)
        backward(np.ones_like(np.asarray(forward(x), dtype=float)))  # creates the gradient attributes
        names = {}
        for attr, value in req["grads"].items():
            names[attr] = self.set_param(module, role, attr, np.asarray(value, dtype=float), like=attr[1:])
        self.method(module, role, "update")(req["lr"])
        return {"layout": layout, "params": self.grads(module, role, list(req["params"]))}

    def make_net(self, req: dict, lenient: bool = False):
        net = self.cls(req["net"])()
        add = self.method(net, req["net"], "add")
        linears = []
        for layer in req["layers"]:
            module, layout = self.build(layer, lenient)
            add(module)
            if layer.get("grads"):
                linears.append((module, layer, layout))
        return net, linears

    def op_net(self, req: dict) -> dict:
        np = self.np
        net, linears = self.make_net(req)
        loss = self.cls(req["loss"])()
        p = self.method(net, req["net"], "forward")(np.asarray(req["x"], dtype=float))
        value = self.method(loss, req["loss"], "forward")(p, np.asarray(req["y"]))
        dp = self.call_backward(self.method(loss, req["loss"], "backward"), value, True)
        self.method(net, req["net"], "backward")(dp)
        return {"out": self.array(p), "loss": self.array(value),
                "grads": [self.grads(m, layer["role"], layer["grads"]) for m, layer, _ in linears],
                "layouts": [layout for _, _, layout in linears]}

    def op_train(self, req: dict) -> dict:
        np = self.np
        np.random.seed(req.get("seed", 0))
        net, _ = self.make_net(req, lenient=True)
        loss = self.cls(req["loss"])()
        x, y = np.asarray(req["x"], dtype=float), np.asarray(req["y"])
        train_epoch = _role_class(self.ns, self.roles.get("train_epoch", {}).get("names", []))
        keywords = _keywords(train_epoch, {"loss": loss, "batch_size": req["batch_size"], "lr": req["lr"]})
        for _ in range(req["epochs"]):
            if callable(train_epoch) and keywords is not None:
                train_epoch(net, x, y, **keywords)
            elif callable(train_epoch):
                train_epoch(net, x, y, loss, req["batch_size"], req["lr"])
            else:
                self.own_epoch(net, loss, x, y, req)
        predict = self.method(net, req["net"], "forward")
        return {"out": self.array(predict(np.asarray(req["test_x"], dtype=float))), "used_train_epoch": callable(train_epoch)}

    def own_epoch(self, net, loss, x, y, req):
        """The course's train_epoch, for a submission that has none of its own."""
        forward, backward = self.method(net, req["net"], "forward"), self.method(net, req["net"], "backward")
        update = self.method(net, req["net"], "update")
        lf, lb = self.method(loss, req["loss"], "forward"), self.method(loss, req["loss"], "backward")
        for i in range(0, len(x), req["batch_size"]):
            xb, yb = x[i:i + req["batch_size"]], y[i:i + req["batch_size"]]
            value = lf(forward(xb), yb)
            backward(self.call_backward(lb, value, True))
            update(req["lr"])


def _keywords(function, values: dict):
    """``values`` as keywords when ``function`` names all of them (any order), else None."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None
    return values if all(name in parameters for name in values) else None


def _reply(channel, payload: dict) -> None:
    try:
        text = json.dumps(payload)
    except (TypeError, ValueError) as exc:
        text = json.dumps({"error": {"type": "TypeError", "message": f"not a number array: {exc}"[:300], "line": None}})
    channel.write(text + "\n")
    channel.flush()


def _sibling(name: str):
    """A module next to this file, loaded by path (the child's sys.path has no derivtutor)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_derivtutor_lab_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _confine_and_drop(confine, identity: dict | None, np) -> tuple:
    """Landlock, then the switch to the grader's unprivileged user (when it runs as root).

    Returns (writes confined, what the report says about the user). A switch that
    fails ends the child before the student's code runs as root.
    """
    if not identity:
        return confine.confine_writes(os.getcwd()), {"uid": os.getuid(), "dropped": False, "root": os.getuid() == 0}
    privileges = _sibling("privileges")
    uid, gid = int(identity["uid"]), int(identity["gid"])
    keep_read = not privileges.reachable(privileges.interpreter_paths(np, json), uid, gid)
    readable = privileges.read_roots(os.getcwd()) if keep_read else None
    confined = confine.confine_writes(os.getcwd(), readable)
    # Reading past file modes is kept only where Landlock really confines the reads; without
    # Landlock the child fails closed (it may not read what nobody may not read).
    try:
        report = privileges.drop(uid, gid, keep_read and bool(confined))
    except OSError:
        os._exit(71)  # EX_OSERR: the grader reports a crash at loading; nothing of the student's ran
    return confined, {**report, "reads_confined": bool(readable) and confined, "root": True}


def main() -> None:
    requests = os.fdopen(3, "r", encoding="utf-8")
    replies = os.fdopen(4, "w", encoding="utf-8")
    setup = json.loads(requests.readline())
    import numpy as np

    confine = _sibling("confine")
    confined, identity = _confine_and_drop(confine, setup.get("identity"), np)
    guarded = confine.forbid_forks()  # after the switch of user: seccomp refuses the signals it needs
    namespace, errors = load(setup["code"])
    probe = Probe(np, namespace, setup["roles"])
    _reply(replies, {"errors": errors, "found": probe.resolve(), "forks_forbidden": guarded,
                     "writes_confined": confined, "identity": identity})
    operations = {"module": probe.op_module, "update": probe.op_update, "net": probe.op_net, "train": probe.op_train}
    for line in requests:
        req = json.loads(line)
        try:
            np.random.seed(req.get("seed", 0))
            result = operations[req["op"]](req)
        except LookupError as exc:
            text = str(exc.args[0]) if exc.args else ""
            result = {"missing": text[8:]} if text.startswith("missing:") else {"error": _error(exc, req["op"])}
        except BaseException as exc:  # noqa: BLE001 - a student's sys.exit must not end the probe
            result = {"error": _error(exc, req["op"])}
        _reply(replies, result)


if __name__ == "__main__":
    main()
