"""Confining the sandboxed child from the inside, before the student's first line runs.

Loaded by ``probe.py`` in the child (by path: the child has no derivtutor on its
path). Two kernel mechanisms, each best effort:

- seccomp: no processes or threads (a fork bomb fizzles with EAGAIN), no signals
  or tracing aimed at other processes (the child may run as root: it must not
  kill or patch the grader);
- Landlock: files are written only under the child's own folder, and no TCP
  connection is opened; reading stays free.

>>> len(_filter_program(0xC000003E, {57: 11})) > 4
True
"""
from __future__ import annotations

import os
import platform

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


#: Landlock's reading rights: EXECUTE, READ_FILE, READ_DIR.
_LANDLOCK_READS = (1 << 0) | (1 << 2) | (1 << 3)


def confine_writes(folder: str, readable: list | None = None) -> bool:
    """Landlock: files may be written only under ``folder``, and no TCP connection is made.

    Reading stays free (Python, numpy and the student's imports live anywhere),
    unless ``readable`` lists the only folders and files that may be read
    (``folder`` always may). Seccomp cannot look at paths; Landlock can, and
    needs no privileges. Best effort: False on kernels without Landlock.
    """
    import ctypes
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # the ABI version
    if abi < 1:
        return False
    writes = _LANDLOCK_WRITES | sum(bit for version, bit in _LANDLOCK_LATER.items() if abi >= version)
    handled = writes | (_LANDLOCK_READS if readable is not None else 0)
    network = 3 if abi >= 4 else 0  # BIND_TCP | CONNECT_TCP, with no rule allowing either
    attr = struct.pack("QQ", handled, network) if network else struct.pack("Q", handled)
    ruleset = libc.syscall(444, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        rules = [(folder, handled)] + [(path, _LANDLOCK_READS) for path in readable or ()]
        if not all(_allow(libc, ruleset, path, rights) for path, rights in rules[:1]):
            return False
        for path, rights in rules[1:]:
            _allow(libc, ruleset, path, rights)  # a path that vanished is simply not readable
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.syscall(446, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


def _allow(libc, ruleset: int, path: str, rights: int) -> bool:
    """Add a path-beneath rule granting ``rights`` (a file gets only the rights files can have)."""
    import ctypes
    import stat
    import struct

    try:
        handle = os.open(path, os.O_PATH | (os.O_DIRECTORY if os.path.isdir(path) else 0))
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(os.fstat(handle).st_mode):
            rights &= (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # EXECUTE, WRITE/READ_FILE, TRUNCATE, IOCTL
        rule = struct.pack("=Qi", rights, handle)
        return libc.syscall(445, ctypes.c_int(ruleset), ctypes.c_int(1), rule, ctypes.c_uint32(0)) == 0
    finally:
        os.close(handle)
