"""Every misbehaviour gives a clear failed test, on the right test, and a whole results file.

Top level (infinite loop, memory bomb, fork bomb, thread, sys.exit, output flood,
import error) and inside one method (the others still graded). The witness of
"clear" is the catalogue code of the failed test and the words of its
feedback; the results file is read back as JSON.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from derivtutor.cli import main
from derivtutor.course.bank import find_exercise
from derivtutor.course.lab_kind import spec_of
from derivtutor.lab import check_submission
from derivtutor.lab.sandbox import Limits

SPEC = spec_of(find_exercise("lab-ownframework"))
REFERENCE = (Path(__file__).parent / "lab" / "reference.py").read_text()
FAST = Limits(load_timeout=2, cpu_seconds=30, request_timeout_cap=1)
TANH_BACKWARD = "        return (1.0 - self.y ** 2) * dy"
TESTS = {"runs", "tanh-forward", "tanh-dx", "linear-dW"}

#: (id, body put before Tanh.backward's return, diagnosis of tanh-dx, words of its English feedback).
IN_A_METHOD = [
    ("memory-bomb", "hog = bytearray(64 * 2**30)", "lab.raised-memory", "ran out of memory"),
    ("fork-bomb", "import os\nwhile True:\n    os.fork()", "lab.raised-fork", "start a process or a thread"),
    ("thread", "import threading\nthreading.Thread(target=print).start()", "lab.raised-fork", "without forks or threads"),
    ("sys-exit", "import sys\nsys.exit(3)", "lab.raised-exit", "called sys.exit"),
    ("output-flood", "while True:\n    print('x' * 100000)", "lab.raised-output", "prints too much"),
    ("import-error", "import notamodule_lab", "lab.raised-import", "notamodule_lab"),
]


@pytest.mark.parametrize("body, code, words", [c[1:] for c in IN_A_METHOD], ids=[c[0] for c in IN_A_METHOD])
def test_a_misbehaving_backward_fails_its_own_test_only(body, code, words):
    lines = "".join(f"        {line}\n" for line in body.splitlines())
    source = REFERENCE.replace(TANH_BACKWARD, lines + TANH_BACKWARD)
    report = check_submission(SPEC, source, only=TESTS, limits=FAST)
    failed = {t.id: t for t in report.tests if not t.passed}
    assert list(failed) == ["tanh-dx"] and failed["tanh-dx"].code == code
    assert failed["tanh-dx"].feedback.startswith("Tanh.backward") and words in failed["tanh-dx"].feedback


#: (id, code before the reference, diagnosis of "the code runs", words of its feedback).
AT_THE_TOP = [
    ("infinite-loop", "while True:\n    pass\n", "lab.load-failure-timeout", "did not finish loading"),
    ("memory-bomb", "hog = bytearray(64 * 2**30)\n", "lab.load-memory", "ran out of memory"),
    ("fork-bomb", "import os\nwhile True:\n    os.fork()\n", "lab.load-fork", "processes or threads"),
    ("sys-exit", "import sys\nsys.exit(0)\n", "lab.load-exit", "sys.exit"),
    ("output-flood", "while True:\n    print('x' * 100000)\n", "lab.load-output", "prints too much"),
    ("import-error", "import notamodule_lab\n", "lab.load-import", "notamodule_lab"),
]


@pytest.mark.parametrize("prefix, code, words", [c[1:] for c in AT_THE_TOP], ids=[c[0] for c in AT_THE_TOP])
def test_a_misbehaving_submission_gets_a_results_file_that_says_why(prefix, code, words, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("derivtutor.lab.check.Limits", functools.partial(Limits, load_timeout=2, request_timeout_cap=1))
    submission, results = tmp_path / "lab.py", tmp_path / "out" / "results.json"
    submission.write_text(prefix + REFERENCE)
    exit_code = main(["lab", "check", str(submission), "--format", "gradescope", "--results", str(results),
                      "--tests", ",".join(sorted(TESTS)), "--json"])
    assert exit_code == 1
    data = json.loads(results.read_text())
    runs = next(t for t in data["tests"] if t["name"] == "the code runs")
    assert runs["status"] == "failed" and runs["score"] == 0 and words in runs["output"]
    assert data["score"] < data["max_score"] and len(data["tests"]) == len(TESTS)
    assert {t["id"]: t["code"] for t in json.loads(capsys.readouterr().out)["tests"]}["runs"] == code
