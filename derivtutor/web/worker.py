"""A pool worker's side of its two pipes: the message framing and the loop that answers jobs.

A message is its length, then its bytes: a job is ``marshal`` of its strings; a reply
starts with (exit code, flags) and goes on with the JSON, the bytes of the HTTP body.
``web.pool`` forks the workers and holds the server's ends.
"""
from __future__ import annotations

import gc
import marshal
import os
import signal
import stat
import struct

from derivtutor.grading.workers import die_with_parent, set_memory_limit

#: What a job that did not finish answers: (exit code, error, JSON bytes) with no JSON.
NO_ANSWER = (2, True, None)
#: Every message on a pipe: its length, then its bytes. A reply's bytes start with
#: (exit code, flags) and go on with the JSON.
_LENGTH, _HEAD = struct.Struct("!I"), struct.Struct("!iB")
_FAILED, _LEAVE, _TEXT = 1, 2, 4


def _write(fd: int, payload: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _read(fd: int, size: int) -> bytes:
    """Exactly ``size`` bytes from a blocking ``fd``; EOFError if the writer has gone."""
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class _Message:
    """Bytes read from a non-blocking pipe until one whole message is in: ``feed(chunk)``
    gives its payload then (None before); EOFError at end of file or past the message."""

    def __init__(self):
        self.data = bytearray()

    def feed(self, chunk: bytes) -> bytes | None:
        if not chunk:
            raise EOFError
        self.data += chunk
        if len(self.data) < _LENGTH.size:
            return None
        end = _LENGTH.size + _LENGTH.unpack_from(self.data)[0]
        if len(self.data) > end:     # one reply per job: more is not ours
            raise EOFError
        return bytes(self.data[_LENGTH.size:]) if len(self.data) == end else None


def _encode(reply: tuple, leave: bool) -> bytes:
    code, failed, text = reply
    flags = (_FAILED if failed else 0) | (_LEAVE if leave else 0) | (0 if text is None else _TEXT)
    return _HEAD.pack(code, flags) + (b"" if text is None else text.encode())


def _decode(payload: bytes) -> tuple[tuple, bool]:
    code, flags = _HEAD.unpack_from(payload)
    body = payload[_HEAD.size:] if flags & _TEXT else None
    return (code, bool(flags & _FAILED), body), bool(flags & _LEAVE)


def _close_sockets() -> None:
    """Close the server's sockets forked into this worker (its listening socket and its clients'
    connections): a worker that holds a connection keeps it open after the server has closed
    it, so a client waits on a ``connection: close`` answer until the worker dies. A worker
    talks on its pipes only."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:      # no /proc here
        return
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass


def _serve(jobs: int, replies: int, bank: dict, timeout: float, memory_mb: int | None, parent_pid: int,
           inherited: tuple) -> None:
    from derivtutor.budget import TimeLimitExceeded
    from derivtutor.web.jobs import answer

    for fd in inherited:     # the server's ends of the pipes, this worker's and the others'
        try:
            os.close(fd)
        except OSError:
            pass
    _close_sockets()
    die_with_parent(parent_pid)
    set_memory_limit(memory_mb)
    gc.freeze()  # the heap inherited warm: collections skip it (and so leave its pages shared)

    def over(signum, frame):
        raise TimeLimitExceeded(f"the job used {timeout + 0.5} CPU seconds")

    signal.signal(signal.SIGPROF, over)
    while True:
        try:
            # the server wrote these bytes with marshal.dumps from the job's strings
            job = marshal.loads(_read(jobs, _LENGTH.unpack(_read(jobs, _LENGTH.size))[0]))
        except (EOFError, OSError, ValueError):
            return
        if job is None:
            return
        try:
            # the checker's own time_limit (timeout) fires first; this backstop is the
            # kernel's CPU timer, so no watchdog thread is woken per job
            signal.setitimer(signal.ITIMER_PROF, timeout + 0.5)
            try:
                reply, leave = answer(job, bank)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except (TimeLimitExceeded, MemoryError, RecursionError):
            reply, leave = NO_ANSWER, True
        except Exception:  # a command's bug costs its own request (and this worker), never the server
            reply, leave = NO_ANSWER, True
        try:
            _write(replies, _encode(reply, leave))
        except OSError:
            return
        if leave:
            return
