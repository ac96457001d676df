"""The sandboxed child gives up root before the student's first line, and says whom it ran as.

Witnesses are the kernel's own answers, printed by the submission: os.getuid(),
a refused os.setuid(0), a refused read of a root-only file, a refused write
outside its folder. The root-only tests are skipped, with the reason, where the
suite does not run as root (the switch needs root; the other limits are
tested in test_lab.py either way).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from derivtutor.course.bank import find_exercise
from derivtutor.course.lab_kind import spec_of
from derivtutor.lab import check_submission
from derivtutor.lab.check import sandbox_report
from derivtutor.lab.feedback import render_text
from derivtutor.lab.sandbox import Limits, child_identity

SPEC = spec_of(find_exercise("lab-ownframework"))
REFERENCE = (Path(__file__).parent / "lab" / "reference.py").read_text()
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="the switch of user needs a grader running as root (id -u is not 0)")

PROBE_CODE = '''import os
print("uid", os.getuid(), os.geteuid(), "gid", os.getgid(), "groups", os.getgroups())
for attempt in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: open({secret!r}).read()):
    try:
        attempt()
        print("allowed")
    except OSError as exc:
        print("refused", type(exc).__name__)
open("mine.txt", "w").write("fine")
print("own folder writable")
import math, json, collections, matplotlib
print("imports", math.sqrt(4.0))
'''


def _run(tmp_path, limits=None):
    secret = tmp_path / "secret.txt"
    secret.write_text("grader's key")
    secret.chmod(0o600)
    report = check_submission(SPEC, PROBE_CODE.format(secret=str(secret)) + REFERENCE,
                              only={"runs", "linear-dW"}, limits=limits)
    return report, report.output.splitlines()


@needs_root
def test_a_root_grader_runs_the_code_as_nobody(tmp_path):
    report, lines = _run(tmp_path)
    nobody = child_identity("nobody")
    assert lines[0] == f"uid {nobody['uid']} {nobody['uid']} gid {nobody['gid']} groups []"
    assert lines[1:4] == ["refused PermissionError"] * 3
    assert "own folder writable" in lines and "imports 2.0" in lines
    assert {t.id: t.passed for t in report.tests} == {"runs": True, "linear-dW": True}
    assert report.sandbox["user_dropped"] and report.sandbox["uid"] == nobody["uid"]
    assert report.to_dict()["sandbox"]["note"].startswith("The submission ran as an unprivileged user")
    text = render_text(report)
    assert "ran as root" not in text and "does not run as root" not in text


@needs_root
def test_the_user_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVTUTOR_LAB_USER", "4321:4322")
    report, lines = _run(tmp_path)
    assert lines[0] == "uid 4321 4321 gid 4322 groups []"
    assert report.sandbox["uid"] == 4321 and report.sandbox["gid"] == 4322
    with pytest.raises(ValueError, match="no user"):
        child_identity("no-such-user-derivtutor")


@needs_root
def test_a_grader_told_to_keep_root_says_so(tmp_path):
    report, lines = _run(tmp_path, Limits(user=None))
    assert lines[0].startswith("uid 0 0")
    assert not report.sandbox["user_dropped"]
    assert "ran as root" in render_text(report)


@pytest.mark.skipif(ROOT, reason="runs where the grader is not root (here id -u is 0: see the root tests)")
def test_a_grader_that_is_not_root_says_so(tmp_path):
    report, lines = _run(tmp_path)
    assert lines[0].startswith(f"uid {os.getuid()} ")
    assert "does not run as root" in render_text(report)


@pytest.mark.parametrize("load, code", [
    ({"identity": {"uid": 65534, "gid": 65534, "dropped": True, "root": True}}, "unprivileged user (uid 65534"),
    ({"identity": {"uid": 1000, "dropped": False, "root": False}}, "does not run as root"),
    ({"identity": {"uid": 0, "dropped": False, "root": True}}, "ran as root (uid 0)"),
    ({"failure": "timeout"}, None),
], ids=["dropped", "not-root", "kept-root", "never-loaded"])
def test_the_sandbox_note_says_whom_the_code_ran_as(load, code):
    note = sandbox_report(load).get("note")
    assert (note is None) if code is None else code in note
    if code:
        assert sandbox_report(load, "ru")["note"] != note


@pytest.mark.parametrize("landlock, kept", [(True, True), (False, False)], ids=["landlock-confines", "no-landlock"])
def test_reading_past_file_modes_is_kept_only_where_landlock_confines_reads(monkeypatch, landlock, kept):
    """Where the interpreter is unreadable to nobody, the child may keep CAP_DAC_READ_SEARCH only
    under Landlock; without it, the child fails closed instead of reading every file."""
    from types import SimpleNamespace

    from derivtutor.lab import probe
    calls = []
    fake = SimpleNamespace(reachable=lambda paths, uid, gid: False, interpreter_paths=lambda np, js: [],
                           read_roots=lambda folder: ["/usr"],
                           drop=lambda uid, gid, keep: calls.append(keep) or {"uid": uid, "dropped": True})
    monkeypatch.setattr(probe, "_sibling", lambda name: fake)
    confine = SimpleNamespace(confine_writes=lambda folder, readable=None: landlock)
    probe._confine_and_drop(confine, {"uid": 65534, "gid": 65534}, None)
    assert calls == [kept]
