"""Fault injection: the grader, a real subprocess of the CLI, is killed with SIGKILL in mid-run.

Afterwards its workers must be gone (not re-parented and left running) and the
Gradescope results folder must be absent or complete, never half-written. The
subprocess runs ``derivtutor.cli.main`` with a stand-in checker (a module in the
test's folder) so that the moment of the kill is known, not guessed.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc are Linux's")

RUNNER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {folder!r})
    from derivtutor.course import bank
    bank.KIND_CHECKERS["derivative"] = "stand_in:check"
    from derivtutor.grading import reports
    real = reports.gradescope_text
    written = []

    def slow_text(report, student):
        # Phase "write": slow the folder down, and say when it is half-written.
        written.append(student)
        if os.environ.get("PHASE") == "write":
            if len(written) == 3:
                open(os.path.join({folder!r}, "half-written"), "w").close()
            time.sleep(0.2)
        return real(report, student)

    reports.gradescope_text = slow_text
    from derivtutor.cli import main
    sys.exit(main(sys.argv[1:]))
""")
STAND_IN = textwrap.dedent("""
    import os, time
    from types import SimpleNamespace

    def check(exercise, answer, lang="en"):
        if os.environ.get("PHASE") == "check" and answer.startswith("a"):  # a student's, not the warm-up's
            # Phase "check": every worker says who it is, then stays busy.
            open(os.path.join({pids!r}, str(os.getpid())), "w").close()
            time.sleep(900)
        return SimpleNamespace(verdict="correct", score=1.0, diagnosis=None, message="ok", expected="ok")
""")


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _wait_for(condition, limit: float = 120.0) -> bool:
    """Poll until ``condition`` holds (a liveness bound for a loaded machine, not a timing test)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def setup(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    (tmp_path / "stand_in.py").write_text(STAND_IN.format(pids=str(pids)), encoding="utf-8")
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER.format(folder=str(tmp_path)), encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("student,exercise,answer\n" + "".join(f"s{i:02d},table-sin,a{i}\n" for i in range(12)),
                       encoding="utf-8")
    out = tmp_path / "results"
    argv = [sys.executable, str(runner), "grade", str(answers), "--format", "gradescope", "--out", f"{out}/",
            "--jobs", "2", "--timeout", "100"]
    return tmp_path, pids, out, argv


def _start(argv, phase: str):
    return subprocess.Popen(argv, env={**os.environ, "PHASE": phase}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_workers_die_with_the_grader_and_no_results_appear(setup):
    tmp_path, pids, out, argv = setup
    grader = _start(argv, "check")
    assert _wait_for(lambda: len(list(pids.iterdir())) >= 2)
    workers = [int(p.name) for p in pids.iterdir()]
    assert all(_alive(pid) for pid in workers)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    try:
        # The workers sleep for 15 minutes: only their grader's death can end them this soon.
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 60.0), "workers outlived the grader"
    finally:
        for pid in filter(_alive, workers):
            os.kill(pid, signal.SIGKILL)
    assert not out.exists()


def test_a_folder_killed_while_written_is_absent_then_whole(setup):
    tmp_path, pids, out, argv = setup
    grader = _start(argv, "write")
    assert _wait_for(lambda: (tmp_path / "half-written").exists())
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert not out.exists()                       # absent: the half-written folder is a hidden sibling
    assert subprocess.run(argv, env={**os.environ, "PHASE": "none"}, capture_output=True).returncode == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["index.csv"] + [f"s{i:02d}.json" for i in range(12)]
    assert all(json.loads((out / f).read_text(encoding="utf-8"))["score"] == 1.0 for f in files[1:])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".results")] == []  # the leftover is cleared
