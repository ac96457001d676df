"""The framework lab autograder, against a reference solution and a mutated corpus of our own.

Witnesses: the reference solution (tests/lab/reference.py, written like the course's
notebook) must score full marks; each mutation -- a known student mistake -- must
lose the points of exactly the tests it breaks, with the diagnosis named. The
hostile submissions must each give a clear failed test and never hang or crash
the grader. Training on digits runs once, for the reference.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from derivtutor.cli import main
from derivtutor.course.bank import check_exercise, find_exercise
from derivtutor.course.lab_kind import spec_of
from derivtutor.lab import check_submission
from derivtutor.lab.sandbox import Limits

HERE = Path(__file__).parent / "lab"
REFERENCE = (HERE / "reference.py").read_text()
SPEC = spec_of(find_exercise("lab-ownframework"))
MSE_SPEC = spec_of(find_exercise("lab-sigmoid-mse"))
#: Every test but training: the gradient checks need no training to be witnessed.
QUICK = {t.id for t in SPEC.tests if t.check != "train"}
FAST = Limits(load_timeout=2, cpu_seconds=30, request_timeout_cap=1)


def mutate(old: str, new: str, source: str = REFERENCE) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


def failed(report) -> dict:
    return {t.id: t.code for t in report.tests if not t.passed}


@pytest.fixture(scope="module")
def reference_report():
    return check_submission(SPEC, REFERENCE)


def test_the_reference_scores_full_marks_with_digits(reference_report):
    assert failed(reference_report) == {}
    assert reference_report.total == reference_report.max_total == 20
    assert {t.id for t in reference_report.tests} >= {"train-toy", "train-digits"}


def test_the_smaller_lab_is_data_too():
    source = (HERE / "reference_mse.py").read_text()
    report = check_submission(MSE_SPEC, source)
    assert failed(report) == {}
    assert any("(nin, nout)" in c for c in report.conventions)


#: (id, old text, new text, {test id: expected diagnosis code}).
MUTATIONS = [
    ("linear-dW-no-upstream", "dW = np.dot(dz.T, self.x)", "dW = np.dot(np.ones_like(dz).T, self.x)",
     {"linear-dW": "lab.no-upstream", "net-gradient": "lab.net-differs"}),
    ("tanh-no-upstream", "return (1.0 - self.y ** 2) * dy", "return (1.0 - self.y ** 2)",
     {"tanh-dx": "lab.no-upstream", "net-gradient": "lab.net-differs"}),
    ("dW-transposed", "dW = np.dot(dz.T, self.x)", "dW = np.dot(self.x.T, dz)",
     {"linear-dW": "lab.transposed", "net-gradient": "lab.net-differs"}),
    ("sum-forward-mean-backward", "return -log_prob.mean()", "return -log_prob.sum()",
     {"ce-dp": "lab.times-n-small", "net-gradient": "lab.net-differs"}),
    ("ce-missing-1/n", "-= 1.0 / len(self.y)", "-= 1.0",
     {"ce-dp": "lab.times-n-large", "net-gradient": "lab.net-differs"}),
    ("softmax-p(1-p)", "return pdp - p * pdp.sum(axis=1, keepdims=True)", "return dp * p * (1 - p)",
     {"softmax-dx": "lab.softmax-diagonal", "net-gradient": "lab.net-differs"}),
    ("missing-bias-gradient", "        self.db = db\n", "",
     {"linear-db": "lab.bias-zero", "net-gradient": "lab.net-differs"}),
    ("db-shape", "db = dz.sum(axis=0)", "db = dz.sum()",
     {"linear-db": "lab.bias-summed-all", "net-gradient": "lab.net-differs"}),
    ("forward-no-bias", "return np.dot(x, self.W.T) + self.b", "return np.dot(x, self.W.T)",
     {"linear-forward": "lab.forward-no-bias", "linear-db": "lab.forward-ignores", "net-gradient": "lab.net-forward"}),
    ("update-sign", "self.W -= lr * self.dW", "self.W += lr * self.dW", {"linear-update": "lab.update-sign"}),
    ("dx-divided", "dx = np.dot(dz, self.W)", "dx = np.dot(dz, self.W) / len(dz)",
     {"linear-dx": "lab.divided-by-batch", "net-gradient": "lab.net-differs"}),
    ("net-backward-forward-order", "for l in self.layers[::-1]:", "for l in self.layers:",
     {"net-gradient": "lab.raised"}),
    ("tanh-derivative-wrong", "return (1.0 - self.y ** 2) * dy", "return (1.0 - self.y) * dy",
     {"tanh-dx": "lab.differs-formula", "net-gradient": "lab.net-differs"}),
    ("dW-from-dx", "dW = np.dot(dz.T, self.x)", "dW = np.dot(dz.T, self.x) + 1.0",
     {"linear-dW": "lab.differs-formula", "net-gradient": "lab.net-differs"}),
]


@pytest.mark.parametrize("old, new, expected", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_each_mutation_loses_the_points_of_the_right_tests(old, new, expected):
    report = check_submission(SPEC, mutate(old, new), only=QUICK)
    assert failed(report) == expected
    assert report.total == report.max_total - sum(t.max_points for t in report.tests if t.id in expected)


def test_the_feedback_names_the_module_and_the_quantity():
    report = check_submission(SPEC, mutate("-= 1.0 / len(self.y)", "-= 1.0"), only={"ce-dp"})
    assert report.tests[0].feedback == ("CrossEntropyLoss.backward: the gradient is len(y) times too large: "
                                        "the loss is a mean, so its gradient has a 1/len(y).")
    report = check_submission(SPEC, mutate("dW = np.dot(dz.T, self.x)", "dW = np.dot(np.ones_like(dz).T, self.x)"),
                              only={"linear-dW"}, lang="ru")
    assert report.tests[0].feedback.startswith("Linear.backward: dW отличается от конечных разностей")
    report = check_submission(SPEC, mutate("return (1.0 - self.y ** 2) * dy", "return (1.0 - self.y) * dy"),
                              only={"tanh-dx"}, lang="ru")
    assert report.tests[0].feedback.endswith("должно быть dx = (1 − th²(x)) · dz, где th(x) — выход forward.")


#: Conventions are not bugs: a summed loss with its own gradient, W stored as (nin, nout).
CONVENTIONS = [
    ("summed-loss", [("return -log_prob.mean()", "return -log_prob.sum()"), ("-= 1.0 / len(self.y)", "-= 1.0")],
     "The loss is the sum over the batch"),
    ("w-in-out", [("(nout, nin))", "(nin, nout))"), ("np.dot(x, self.W.T)", "np.dot(x, self.W)"),
                  ("dx = np.dot(dz, self.W)", "dx = np.dot(dz, self.W.T)"), ("dW = np.dot(dz.T, self.x)", "dW = np.dot(self.x.T, dz)")],
     "W is stored as (nin, nout)"),
]


@pytest.mark.parametrize("changes, sentence", [c[1:] for c in CONVENTIONS], ids=[c[0] for c in CONVENTIONS])
def test_a_consistent_convention_scores_full_marks(changes, sentence):
    source = REFERENCE
    for old, new in changes:
        source = mutate(old, new, source)
    report = check_submission(SPEC, source, only=QUICK | {"train-toy"})
    assert failed(report) == {}
    assert any(c.startswith(sentence) for c in report.conventions)


#: (id, code put before the reference, {test id: expected code}); the rest must still pass.
HOSTILE_PREFIX = [
    ("import-error", "import notamodule_lab\n", {"runs": "lab.load-import"}),
    ("sys-exit", "import sys\nsys.exit(0)\n", {"runs": "lab.load-exit"}),
    ("memory-bomb", "hog = bytearray(64 * 2**30)\n", {"runs": "lab.load-memory"}),
    ("fork-bomb", "import os\nwhile True:\n    os.fork()\n", {"runs": "lab.load-fork"}),
    ("output-flood", "while True:\n    print('x' * 100000)\n", {"runs": "lab.load-output"}),
    ("kill-the-grader", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n", {"runs": "lab.load-errors"}),
]


@pytest.mark.parametrize("prefix, expected", [h[1:] for h in HOSTILE_PREFIX], ids=[h[0] for h in HOSTILE_PREFIX])
def test_hostile_top_level_code_fails_one_clear_test(prefix, expected):
    report = check_submission(SPEC, prefix + REFERENCE, only=QUICK, limits=FAST)
    assert failed(report) == expected
    assert len(report.output) < 5000


LOAD_FAILURES = [
    ("infinite-loop", "while True:\n    pass\n", "lab.load-failure-timeout"),
    ("os-exit", "import os\nos._exit(3)\n", "lab.load-failure-exit"),
    ("syntax-error", "def (:\n", "lab.load-errors"),
]


@pytest.mark.parametrize("prefix, code", [h[1:] for h in LOAD_FAILURES], ids=[h[0] for h in LOAD_FAILURES])
def test_code_that_never_loads_scores_zero_with_a_reason(prefix, code):
    report = check_submission(SPEC, prefix + REFERENCE, only=QUICK, limits=FAST)
    assert report.total == 0
    assert report.tests[0].code == code and report.tests[0].feedback


def test_a_hanging_backward_fails_its_own_tests_only():
    source = mutate("return (1.0 - self.y ** 2) * dy", "while True:\n            pass")
    report = check_submission(SPEC, source, only=QUICK, limits=FAST)
    assert failed(report) == {"tanh-dx": "lab.failure-timeout", "tanh-forward": "lab.failure-timeout",
                              "net-gradient": "lab.failure-timeout"}


def test_a_fake_allclose_changes_nothing():
    source = "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
    source += mutate("dW = np.dot(dz.T, self.x)", "dW = np.dot(np.ones_like(dz).T, self.x)")
    report = check_submission(SPEC, source, only={"linear-dW"})
    assert failed(report) == {"linear-dW": "lab.no-upstream"}


def test_a_fake_results_file_changes_nothing(tmp_path, capsys):
    fake = json.dumps({"score": 100.0, "tests": []})
    source = mutate("-= 1.0 / len(self.y)", "-= 1.0") + (
        f"\nprint({fake!r})\nopen('results.json', 'w').write({fake!r})\n"
        f"open({str(tmp_path / 'results.json')!r}, 'w').write({fake!r})\n")
    submission = tmp_path / "lab.py"
    submission.write_text(source)
    results = tmp_path / "results.json"
    code = main(["lab", "check", str(submission), "--format", "gradescope", "--results", str(results),
                 "--tests", ",".join(sorted(QUICK))])
    data = json.loads(results.read_text())
    status = {t["name"]: t["status"] for t in data["tests"]}
    assert code == 1 and status["CrossEntropyLoss.backward: dL/dp"] == "failed"
    # Writing outside its folder is refused where Landlock is, which "the code runs" reports.
    lost = 1.5 + 2 + (1 if status["the code runs"] == "failed" else 0)
    assert data["score"] == data["max_score"] - lost


def test_the_child_inherits_no_secrets(monkeypatch):
    monkeypatch.setenv("DERIVTUTOR_TEST_SECRET", "hunter2")
    source = "import os\nprint(sorted(os.environ))\nprint(os.environ.get('DERIVTUTOR_TEST_SECRET'))\n" + REFERENCE
    report = check_submission(SPEC, source, only={"runs"})
    assert "hunter2" not in report.output and "DERIVTUTOR_TEST_SECRET" not in report.output
    assert "None" in report.output


def test_a_notebook_is_read_without_magics(tmp_path, capsys):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# My framework"),
                      nbformat.v4.new_code_cell("%matplotlib inline\n!pip install numpy\n" + REFERENCE),
                      nbformat.v4.new_code_cell("%%bash\nrm -rf /\n"),
                      nbformat.v4.new_code_cell("%%time\nnet = Net()")]
    path = tmp_path / "lab.ipynb"
    nbformat.write(notebook, str(path))
    from derivtutor.lab import read_submission

    code = read_submission(path)
    assert "%" not in code and "!pip" not in code and "rm -rf" not in code and "net = Net()" in code
    report = check_submission(SPEC, code, only={"runs", "interface", "linear-dW"})
    assert failed(report) == {}


def test_the_command_prints_json_and_uses_exit_codes(tmp_path, capsys):
    path = tmp_path / "lab.py"
    path.write_text(mutate("return pdp - p * pdp.sum(axis=1, keepdims=True)", "return dp * p * (1 - p)"))
    quick = ["--tests", ",".join(sorted(QUICK))]
    assert main(["lab", "check", str(path), "--lab", "lab-ownframework", "--json"] + quick) == 1
    data = json.loads(capsys.readouterr().out)
    test = {t["id"]: t for t in data["tests"]}["softmax-dx"]
    assert not test["passed"] and test["points"] == 0 and "p(1 − p)" in test["feedback"]
    assert data["score"] == data["max_score"] - 1.5 - 2
    assert main(["lab", "check", str(path), "--tests", "nope"]) == 2
    assert main(["lab", "check", str(tmp_path / "missing.py")]) == 2
    assert main(["lab", "check", str(path), "--lab", "chain-sin2"]) == 2


def test_the_lab_kind_grades_submission_text_through_the_bank():
    broken = check_exercise(find_exercise("lab-sigmoid-mse"), "import numpy as np\n")
    assert broken.verdict == "incorrect" and broken.score < 0.1


def _children_running(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"probe.py" in cmdline and int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_child_dies_with_the_grader():
    import signal
    import subprocess
    import sys
    import time

    script = ("from derivtutor.lab import check_submission\nfrom derivtutor.course.bank import find_exercise\n"
              "from derivtutor.course.lab_kind import spec_of\n"
              "check_submission(spec_of(find_exercise('lab-ownframework')), 'while True: pass', only={'runs'})\n")
    grader = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not _children_running(grader.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        children = _children_running(grader.pid)
        assert children, "the probe never started"
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_lab_is_part_of_an_assignment_in_grade_folder_mode(tmp_path):
    from derivtutor.grading.grader import grade_file

    source = "# lab: lab-sigmoid-mse\n" + (HERE / "reference_mse.py").read_text()
    (tmp_path / "ivanova.py").write_text(source)
    (tmp_path / "petrov.py").write_text(source.replace("return (self.p - self.y) / len(self.y)", "return self.p - self.y"))
    (tmp_path / "sidorov.txt").write_text("table-sin: cos x\n")
    report = grade_file(tmp_path, assignment=["lab-sigmoid-mse", "table-sin"], jobs=1, timeout=120)
    assert [report.total(s) for s in report.students] == [10.0, 10.0 - 1 - 1, 1.0]
    item = next(i for i in report.items if i.student == "petrov")
    assert "lab.times-n-large" in item.diagnosis and "len(y) times too large" in item.message


def test_a_lab_notebook_is_graded_by_the_gradescope_command(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("# lab: lab-sigmoid-mse\n" + (HERE / "reference_mse.py").read_text())]
    submission = tmp_path / "submission"
    submission.mkdir()
    nbformat.write(notebook, str(submission / "MyFramework.ipynb"))
    results = tmp_path / "results.json"
    assert main(["gradescope", "--submission", str(submission), "--results", str(results), "--timeout", "120"]) == 0
    data = json.loads(results.read_text())
    assert data["score"] == 10.0


def test_forged_replies_on_the_channel_earn_nothing():
    forged = json.dumps({"errors": [], "found": {}, "out": 1.0, "outs": [], "dx": [[0.0]], "grads": {},
                         "params": {}, "layout": {"W": {"shape": [4, 3]}}})
    source = f"import os\nfor _ in range(40):\n    os.write(4, {forged!r}.encode() + b'\\n')\n"
    report = check_submission(SPEC, source, only=QUICK, limits=FAST)
    assert report.total <= 1.0  # at most "the code runs", which it does


def test_lab_messages_have_both_languages_with_the_same_fields():
    import re

    from derivtutor.catalogue import catalogue, placeholders

    codes = [c for c in catalogue() if c.startswith("lab.")]
    assert len(codes) > 80
    for code in codes:
        assert placeholders(code, "en") == placeholders(code, "ru"), code
        ru = catalogue()[code]["ru"]
        assert re.search("[А-Яа-яЁё]", ru) or ru == catalogue()[code]["en"], code


@pytest.mark.parametrize("change, words", [
    ({"roles": {"X": {"kind": "quantum"}}}, "unknown kind"),
    ({"tests": []}, "at least one test"),
    ({"tests": [{"id": "a", "check": "forward", "points": 1}]}, "missing 'role'"),
    ({"tests": [{"id": "a", "check": "forward", "role": "Nope", "points": 1}]}, "not in lab.roles"),
    ({"conventions": {"weight_layout": ["diagonal"], "loss_reduction": ["mean"]}}, "unknown conventions"),
    ({"tests": [{"id": "a", "check": "train", "layers": [], "loss": "Tanh", "data": "mnist", "threshold": 0.9,
                 "points": 1}]}, "data must be one of"),
], ids=["kind", "no-tests", "no-role", "unknown-role", "convention", "dataset"])
def test_a_bad_spec_is_named_and_is_never_the_students_fault(change, words):
    from derivtutor.lab.spec import LabSpecError, read_spec

    table = {"roles": {"Tanh": {"kind": "tanh"}}, "tests": [{"id": "t", "check": "runs", "points": 1}], **change}
    with pytest.raises(LabSpecError, match=words):
        read_spec(table)
    exercise = {"id": "broken", "lab": table}
    from derivtutor.course.lab_kind import check

    assert check(exercise, "x = 1").verdict == "invalid"


def test_every_lab_in_the_bank_reads_and_its_points_add_up():
    from derivtutor.course.bank import load_exercises

    labs = [ex for ex in load_exercises().values() if ex.kind == "lab"]
    assert {ex.id for ex in labs} >= {"lab-ownframework", "lab-sigmoid-mse"}
    for exercise in labs:
        assert spec_of(exercise).max_points == exercise.points


def test_the_child_writes_only_in_its_own_folder(tmp_path):
    from derivtutor.lab.sandbox import run_probe

    target = tmp_path / "escape.txt"
    code = f"open('mine.txt', 'w').write('ok')\nopen({str(target)!r}, 'w').write('x')\n"
    run = run_probe(code, {}, [], Limits())
    if not run.load.get("writes_confined"):
        pytest.skip("this kernel has no Landlock")
    assert not target.exists()
    assert [e["type"] for e in run.load["errors"]] == ["PermissionError"]  # its own folder was writable


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_labs_print_on_a_worksheet(lang, tmp_path):
    import shutil
    import subprocess

    from derivtutor.course.worksheet import worksheet_latex

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    tex = tmp_path / "labs.tex"
    tex.write_text(worksheet_latex([find_exercise("lab-ownframework"), find_exercise("lab-sigmoid-mse")], lang,
                                   solutions=True), encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                          capture_output=True, text=True, errors="replace", timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_file_may_name_its_lab(tmp_path, capsys):
    path = tmp_path / "lab.py"
    path.write_text("# lab: lab-sigmoid-mse\n" + (HERE / "reference_mse.py").read_text())
    assert main(["lab", "check", str(path), "--json", "--tests", "mse-forward,mse-dp"]) == 0
    assert json.loads(capsys.readouterr().out)["lab"] == "lab-sigmoid-mse"
