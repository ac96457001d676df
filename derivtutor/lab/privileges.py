"""Dropping root inside the sandboxed child, after the probe's imports, before the student's code.

Loaded by ``probe.py`` in the child by path (the child has no derivtutor on its
path): only the standard library. A grader running as root (CI, Gradescope's
autograder) hands the child an unprivileged uid and gid (``nobody``/``nogroup``
unless configured); the child switches to them with no supplementary groups.

The interpreter may live where that user cannot read it (a pyenv under /root,
mode 700): then the student's own ``import math`` would fail. In that case, and
only when Landlock confines its reads to the interpreter's and the system's
folders (``confine.confine_writes(..., readable=...)``), the child keeps one
capability, CAP_DAC_READ_SEARCH (reading past file modes), and nothing else.

Changing credentials clears PR_SET_PDEATHSIG, so it is armed again here: the
child still dies with the grader.

>>> reachable(["/"], 0, 0)
True
"""
from __future__ import annotations

import os
import stat
import sys

CAP_DAC_READ_SEARCH = 2
_CAP_VERSION_3 = 0x20080522
PR_SET_PDEATHSIG, PR_SET_KEEPCAPS = 1, 8
#: System folders and files the interpreter, numpy and matplotlib read (besides sys.path).
SYSTEM_READS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd",
                "/etc/group", "/etc/nsswitch.conf", "/etc/matplotlibrc", "/dev/null", "/dev/zero", "/dev/urandom",
                "/dev/random", "/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/sys/devices/system/cpu")


def _allows(info: os.stat_result, uid: int, gid: int, bit: int) -> bool:
    """Does the mode of ``info`` grant ``bit`` (4 read, 1 search) to uid/gid?"""
    if uid == 0:
        return True
    shift = 6 if info.st_uid == uid else 3 if info.st_gid == gid else 0
    return bool((info.st_mode >> shift) & bit)


def reachable(paths, uid: int, gid: int) -> bool:
    """Can uid/gid (no other groups) reach and read every one of ``paths``?"""
    for path in paths:
        path = os.path.realpath(path)
        parts = path.split(os.sep)
        for depth in range(1, len(parts)):
            parent = os.sep.join(parts[:depth]) or os.sep
            if not _allows(os.stat(parent), uid, gid, 1):
                return False
        info = os.stat(path)
        if not _allows(info, uid, gid, 4 | (1 if stat.S_ISDIR(info.st_mode) else 0)):
            return False
    return True


def interpreter_paths(*modules) -> list:
    """The folders the child imports from: the standard library and the given modules' packages."""
    folders = [os.path.dirname(os.__file__), os.path.realpath(sys.executable)]
    folders += [os.path.dirname(getattr(m, "__file__", "") or "") for m in modules]
    return [f for f in folders if f]


def read_roots(workdir: str) -> list:
    """Everything the child may read once its reads are confined: sys.path, prefixes, system files."""
    roots = [workdir, sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.abspath(__file__)),
             os.path.dirname(os.path.realpath(sys.executable))]
    roots += [p for p in sys.path if p] + list(SYSTEM_READS)
    seen, out = set(), []
    for root in roots:
        if os.path.exists(root) and root not in seen:
            seen.add(root)
            out.append(root)
    return out


def _capset(keep: int) -> bool:
    """Keep only the capabilities in the bit mask ``keep`` (effective and permitted; none inheritable)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(keep, keep, 0, 0, 0, 0)  # two {effective, permitted, inheritable}
    return libc.syscall(126 if os.uname().machine == "x86_64" else 91, header, data) == 0


def drop(uid: int, gid: int, keep_read: bool) -> dict:
    """Become uid/gid (no supplementary groups); with ``keep_read``, keep only CAP_DAC_READ_SEARCH.

    Returns what happened, for the report. Raises OSError when the switch fails:
    the probe then refuses to run the student's code as root.
    """
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    if keep_read:
        libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    kept = bool(keep_read) and _capset(1 << CAP_DAC_READ_SEARCH)
    if keep_read and not kept:
        _capset(0)
    libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # cleared by the credential change
    if os.getppid() != parent:  # the grader died in between: follow it
        os._exit(1)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid or os.getgroups():
        raise OSError("the switch of user did not take")
    return {"uid": uid, "gid": gid, "dropped": True, "read_capability": kept}
