"""Running a student's code in a child process that cannot harm the grader.

The child is ``python -I probe.py`` (no user site, no PYTHON* variables, no
script directory on the path), started in its own process group and temporary
working directory with a minimal environment (no inherited secrets), and with
limits on CPU seconds, address space, processes, file size and core dumps. It
dies with the grader (PR_SET_PDEATHSIG). Before the student's first line the
probe itself installs a seccomp filter (no forks or threads, no signals to other
processes: RLIMIT_NPROC does not bind root) and a Landlock ruleset (writes only
in its folder, no TCP). Its stdout and stderr go to a file of bounded size,
never to the grader's terminal.

Requests go down fd 3 and replies come up fd 4, one JSON line each, and every
request has its own deadline: a reply that does not come in time, or a child
that dies, becomes a *failure* for that request (``{"failure": "timeout"}``),
the process group is killed, and a fresh child (loading the code again) takes
the next request. The grader never waits without a deadline.

>>> run = run_probe("class Linear: pass", {}, [], Limits())
>>> run.load["errors"], run.replies
([], [])
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROBE = Path(__file__).with_name("probe.py")
#: A reply larger than this is not read (digits predictions are ~0.2 MB).
MAX_REPLY_BYTES = 64 * 2**20
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """Per-child limits; ``load_timeout`` bounds running the submission's top level."""

    cpu_seconds: int = 60
    memory_mb: int = 1536
    file_mb: int = 8
    processes: int = 1
    output_chars: int = 4000
    load_timeout: float = 20.0
    request_timeout_cap: float | None = None   # caps every request's own deadline (tests use it)
    #: Whom the student's code runs as when the grader is root: a user name or "uid:gid"
    #: ($DERIVTUTOR_LAB_USER, else nobody); None keeps root (only for tests that need it).
    user: str | None = field(default_factory=lambda: os.environ.get("DERIVTUTOR_LAB_USER") or "nobody")


@dataclass
class ProbeRun:
    """The load report, one reply (or failure) per request, and the student's output."""

    load: dict
    replies: list = field(default_factory=list)
    output: str = ""
    restarts: int = 0


def child_identity(user: str | None) -> dict | None:
    """The uid and gid the child switches to: None unless the grader runs as root.

    >>> child_identity("1234:5678") if os.geteuid() == 0 else {"uid": 1234, "gid": 5678}
    {'uid': 1234, 'gid': 5678}
    """
    if os.geteuid() != 0 or user is None:
        return None
    if ":" in user:
        uid, _, gid = user.partition(":")
        return {"uid": int(uid), "gid": int(gid)}
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise ValueError(f"no user {user!r} to run lab submissions as (set DERIVTUTOR_LAB_USER)") from None
    if entry.pw_uid == 0:
        raise ValueError(f"the user {user!r} is root")
    return {"uid": entry.pw_uid, "gid": entry.pw_gid}


def minimal_env(workdir: str) -> dict:
    """The child's whole environment: nothing of the grader's (tokens, keys) is inherited."""
    return {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _child_setup(limits: Limits, req_fd: int, rep_fd: int):
    """What runs in the forked child before exec: limits, death signal, the two channels."""

    def setup():
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # not Linux: the timeout still kills the group
        mb = 2**20
        for which, value in ((resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
                             (resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2),
                             (resource.RLIMIT_FSIZE, (limits.file_mb * mb,) * 2),
                             (resource.RLIMIT_NPROC, (limits.processes,) * 2),
                             (resource.RLIMIT_CORE, (0, 0))):
            resource.setrlimit(which, value)
        os.dup2(req_fd, 3)
        os.dup2(rep_fd, 4)

    return setup


def _high(fd: int) -> int:
    """``fd`` moved to 10 or above, so dup2 onto 3 and 4 in the child never clobbers it."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Child:
    """One child process; ``ask`` sends a request and waits for its reply, or a failure."""

    def __init__(self, setup: dict, limits: Limits, workdir: str, output):
        self.limits, self.buffer = limits, b""
        req_r, self.req_w = map(_high, os.pipe())
        self.rep_r, rep_w = map(_high, os.pipe())
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-u", str(PROBE)], cwd=workdir, env=minimal_env(workdir),
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, close_fds=False,
            start_new_session=True, preexec_fn=_child_setup(limits, req_r, rep_w))
        os.close(req_r)
        os.close(rep_w)
        self.dead = False
        self.load = self._send_and_wait(setup, limits.load_timeout)

    def ask(self, request: dict, timeout: float) -> dict:
        return self._send_and_wait(request, timeout)

    def _send_and_wait(self, request: dict, timeout: float) -> dict:
        if self.dead:
            return {"failure": "crash", "detail": "dead"}
        try:
            os.write(self.req_w, (json.dumps(request) + "\n").encode())
        except (BrokenPipeError, OSError):
            return self._failed("crash")
        return self._read(time.monotonic() + timeout)

    def _read(self, deadline: float) -> dict:
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._failed("timeout")
            ready, _, _ = select.select([self.rep_r], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(self.rep_r, 2**20)
            if not chunk:
                return self._failed(self._death())
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY_BYTES:
                return self._failed("reply")
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):  # the child may send anything, nesting included
            return self._failed("reply")
        return reply if isinstance(reply, dict) else self._failed("reply")

    def _death(self) -> str:
        """Why the child closed its reply channel: how it ended."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "crash"
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "cpu"  # the CPU limit's soft (SIGXCPU) or hard (SIGKILL) signal
        return "crash" if code < 0 else "exit"

    def _failed(self, kind: str) -> dict:
        code = self.proc.poll()
        self.close()
        return {"failure": kind, "detail": "" if code is None else str(code), "exit_code": code}

    def close(self) -> None:
        if not self.dead:
            self.dead = True
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            for fd in (self.req_w, self.rep_r):
                os.close(fd)


def run_probe(code: str, roles: dict, requests: list, limits: Limits, deadline: float | None = None) -> ProbeRun:
    """Run ``requests`` (each with a ``timeout`` in seconds) against the submission ``code``.

    A request may be a function of the replies so far, returning the request.

    A request whose child died or hung gets a failure; the next one gets a fresh child.
    ``deadline`` (monotonic seconds) bounds the whole run: later requests fail as "timeout".
    """
    identity = child_identity(limits.user)
    workdir = tempfile.mkdtemp(prefix="derivtutor-lab-")
    if identity is not None:  # the folder the child works and writes in becomes its own
        os.chown(workdir, identity["uid"], identity["gid"])
    output_path = Path(workdir) / ".output"
    setup = {"code": code, "roles": roles, "identity": identity}
    child = None
    try:
        with output_path.open("wb") as output:
            child = Child(setup, limits, workdir, output)
            run = ProbeRun(load=child.load)
            for request in requests:
                if callable(request):  # a request that depends on earlier replies (the loss convention)
                    request = request(run.replies)
                if child.dead and "failure" not in run.load:
                    child = Child(setup, limits, workdir, output)
                    run.restarts += 1
                if child.dead or (deadline is not None and time.monotonic() > deadline):
                    run.replies.append(child.load if "failure" in child.load else {"failure": "timeout"})
                    continue
                body = {k: v for k, v in request.items() if k != "timeout"}
                timeout = float(request.get("timeout", 10))
                if limits.request_timeout_cap is not None:
                    timeout = min(timeout, limits.request_timeout_cap)
                run.replies.append(child.ask(body, timeout))
        run.output = _read_output(output_path, limits.output_chars)
        return run
    finally:
        if child is not None:
            child.close()  # also when the grader's own time limit interrupts us
        shutil.rmtree(workdir, ignore_errors=True)


def _read_output(path: Path, limit: int) -> str:
    """The first ``limit`` characters the student's code printed (a flood stops at the file limit)."""
    with path.open("rb") as fh:
        head = fh.read(limit + 1)
    text = head.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "\n[...]"
