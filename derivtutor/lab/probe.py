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
import platform
import sys
import traceback

FILENAME = "<submission>"

#: Per machine: its audit arch, and the syscalls refused with an errno. Creating processes or
#: threads gets EAGAIN (a fork bomb fizzles); signalling or tracing other processes gets EPERM
#: (the child may run as root, and must not kill or patch the grader).
_REFUSED = {
    "x86_64": (0xC000003E, {56: 11, 57: 11, 58: 11, 62: 1, 200: 1, 234: 1, 101: 1, 310: 1, 311: 1, 424: 1}),
    "aarch64": (0xC00000B7, {220: 11, 129: 1, 130: 1, 131: 1, 117: 1, 270: 1, 271: 1, 424: 1}),
}
_CLONE3 = 435          # refused with ENOSYS, so that glibc falls back to clone
_X32_BIT = 0x40000000  # x32 syscall numbers on x86_64: the classic way around a filter


def _filter_program(arch: int, refused: dict) -> list:
    """The BPF program: (code, jt, jf, k) tuples, jumps relative to the next instruction."""
    rules = sorted(refused.items()) + [(_CLONE3, 38)]
    n = len(rules)
    allow = 4 + n  # index of "return allow"
    prog = [(0x20, 0, 0, 4), (0x15, 0, allow - 2, arch), (0x20, 0, 0, 0), (0x35, allow + 1 - 4, 0, _X32_BIT)]
    for i, (nr, _) in enumerate(rules):
        prog.append((0x15, (allow + 1 + i) - (4 + i + 1), 0, nr))  # -> "return errno of rule i"
    prog.append((0x06, 0, 0, 0x7FFF0000))
    prog += [(0x06, 0, 0, 0x00050000 | errno) for _, errno in rules]
    return prog


def forbid_forks() -> bool:
    """Install a seccomp filter refusing forks, threads, signals to others and tracing.

    RLIMIT_NPROC does not bind root (a Gradescope container runs as root), so the
    child also closes the door itself, before the student's first line runs.
    Best effort: False where seccomp is unavailable.
    """
    import ctypes
    import struct

    arch, refused = _REFUSED.get(platform.machine(), (None, {}))
    if arch is None:
        return False
    code = b"".join(struct.pack("HBBI", *insn) for insn in _filter_program(arch, refused))
    buffer = ctypes.create_string_buffer(code, len(code))

    class FProg(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = FProg(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, FILTER


#: Landlock's file-system rights that change things (ABI 1), then REFER (2) and TRUNCATE (3).
_LANDLOCK_WRITES = (1 << 1) | sum(1 << bit for bit in range(4, 13))
_LANDLOCK_LATER = {2: 1 << 13, 3: 1 << 14}


def confine_writes(folder: str) -> bool:
    """Landlock: files may be written only under ``folder``, and no TCP connection is made.

    Reading stays free (Python, numpy and the student's imports live anywhere).
    Seccomp cannot look at paths; Landlock can, and needs no privileges.
    Best effort: False on kernels without Landlock.
    """
    import ctypes
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # the ABI version
    if abi < 1:
        return False
    writes = _LANDLOCK_WRITES | sum(bit for version, bit in _LANDLOCK_LATER.items() if abi >= version)
    network = 3 if abi >= 4 else 0  # BIND_TCP | CONNECT_TCP, with no rule allowing either
    attr = struct.pack("QQ", writes, network) if network else struct.pack("Q", writes)
    ruleset = libc.syscall(444, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        handle = os.open(folder, os.O_PATH | os.O_DIRECTORY)
        try:
            rule = struct.pack("=Qi", writes, handle)
            if libc.syscall(445, ctypes.c_int(ruleset), ctypes.c_int(1), rule, ctypes.c_uint32(0)) != 0:
                return False
        finally:
            os.close(handle)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.syscall(446, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


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
    return {"type": kind, "message": text, "line": _where(exc), "context": context}


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
    def build(self, layer: dict):
        module = self.cls(layer["role"])(*layer.get("args", []))
        layout = {}
        for attr, value in layer.get("params", {}).items():
            layout[attr] = self.set_param(module, layer["role"], attr, self.np.asarray(value, dtype=float))
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
        result["dx"] = self.array(self.call_backward(backward, out if is_loss else dz, is_loss))
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

    def make_net(self, req: dict):
        net = self.cls(req["net"])()
        add = self.method(net, req["net"], "add")
        linears = []
        for layer in req["layers"]:
            module, layout = self.build(layer)
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
        net, _ = self.make_net(req)
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


def main() -> None:
    requests = os.fdopen(3, "r", encoding="utf-8")
    replies = os.fdopen(4, "w", encoding="utf-8")
    setup = json.loads(requests.readline())
    import numpy as np

    confined = confine_writes(os.getcwd())
    guarded = forbid_forks()
    namespace, errors = load(setup["code"])
    probe = Probe(np, namespace, setup["roles"])
    _reply(replies, {"errors": errors, "found": probe.resolve(), "forks_forbidden": guarded,
                     "writes_confined": confined})
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
