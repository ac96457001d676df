"""A correct framework scores full marks whatever its conventions; a broken loop loses the training.

The corpus of *correct* variants is ours: the reference (tests/lab/reference.py)
rewritten the ways students write it -- a small or uniform init, W as (nin, nout),
a summed loss with its own gradient, renamed classes and methods within the
aliases (tests/lab/renamed.py, written independently), ReLU or Sigmoid as the
activation of the trained nets, a notebook with magics. Each must score full
marks, training included; the training mutants must lose exactly the training.
The witness of "correct" is the spec's own thresholds and the gradient checks
against finite differences, not anything the submission says.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from derivtutor.course.bank import find_exercise
from derivtutor.course.lab_kind import spec_of
from derivtutor.lab import check_submission
from derivtutor.lab.spec import read_spec

HERE = Path(__file__).parent / "lab"
REFERENCE = (HERE / "reference.py").read_text()
REFERENCE_MSE = (HERE / "reference_mse.py").read_text()
EXERCISE = find_exercise("lab-ownframework")
SPEC = spec_of(EXERCISE)
MSE_SPEC = spec_of(find_exercise("lab-sigmoid-mse"))
#: Every test but digits training (run for the variants whose difference could matter there).
TOY = {t.id for t in SPEC.tests if t.id != "train-digits"}
INIT = "np.random.normal(0, 1.0 / np.sqrt(nin), (nout, nin))"

ACTIVATIONS = '''

class ReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dy):
        return dy * (self.x > 0)


class Sigmoid:
    def forward(self, x):
        self.y = 1.0 / (1.0 + np.exp(-x))
        return self.y

    def backward(self, dy):
        return dy * self.y * (1.0 - self.y)
'''


def edit(source: str, *changes) -> str:
    for old, new in changes:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def failed(report) -> dict:
    return {t.id: t.code for t in report.tests if not t.passed}


#: (id, changes to the reference, tests run). Each must score full marks.
CORRECT = [
    ("small-init", [(INIT, "0.01 * np.random.randn(nout, nin)")], None),
    ("uniform-init", [(INIT, "np.random.rand(nout, nin)")], None),
    ("zero-bias-shape-nout", [("self.b = np.zeros((1, nout))", "self.b = np.zeros(nout)")], TOY),
    ("w-in-out-small-init", [(INIT, "0.01 * np.random.randn(nin, nout)"), ("np.dot(x, self.W.T)", "np.dot(x, self.W)"),
                             ("dx = np.dot(dz, self.W)", "dx = np.dot(dz, self.W.T)"),
                             ("dW = np.dot(dz.T, self.x)", "dW = np.dot(self.x.T, dz)")], TOY),
    ("summed-loss", [("return -log_prob.mean()", "return -log_prob.sum()"), ("-= 1.0 / len(self.y)", "-= 1.0")], None),
    ("shuffling-loop-other-names", [
        ("def train_epoch(net, train_x, train_labels, loss=CrossEntropyLoss(), batch_size=4, lr=0.1):\n"
         "    for i in range(0, len(train_x), batch_size):\n"
         "        xb = train_x[i:i + batch_size]\n"
         "        yb = train_labels[i:i + batch_size]\n",
         "def train_epoch(net, X, Y, criterion, bs, learning_rate):\n"
         "    loss, lr, order = criterion, learning_rate, np.random.permutation(len(X))\n"
         "    for i in range(0, len(X), bs):\n"
         "        xb = X[order[i:i + bs]]\n"
         "        yb = Y[order[i:i + bs]]\n")], TOY),
    ("parameters-in-a-list", [("        self.db = np.zeros_like(self.b)\n",
                               "        self.db = np.zeros_like(self.b)\n        self.params = [self.W, self.b]\n"),
                              ("        self.W -= lr * self.dW\n        self.b -= lr * self.db\n",
                               "        for p, g in zip(self.params, (self.dW, self.db)):\n            p -= lr * g\n")],
     TOY),
    ("seeded-at-the-top", [("import numpy as np\n", "import numpy as np\nnp.random.seed(12345)\n")], TOY),
]


@pytest.mark.parametrize("changes, only", [c[1:] for c in CORRECT], ids=[c[0] for c in CORRECT])
def test_a_correct_variant_scores_full_marks(changes, only):
    report = check_submission(SPEC, edit(REFERENCE, *changes), only=only)
    assert failed(report) == {}
    assert report.total == report.max_total


def test_a_framework_written_another_way_scores_full_marks():
    report = check_submission(SPEC, (HERE / "renamed.py").read_text())
    assert failed(report) == {}
    assert report.total == 20
    assert any("(nin, nout)" in c for c in report.conventions)


def _with_activation(name: str):
    """The lab with ``name`` instead of Tanh in every trained net (the spec is data)."""
    table = copy.deepcopy(dict(EXERCISE.get("lab")))
    table["roles"][name] = {"kind": name.lower(), "names": [name]}
    for test in table["tests"]:
        if test["check"] in ("train", "net"):
            test["layers"] = [[name] if layer == ["Tanh"] else layer for layer in test["layers"]]
    return read_spec(table, f"lab-ownframework-{name.lower()}")


@pytest.mark.parametrize("activation", ["ReLU", "Sigmoid"])
def test_relu_or_sigmoid_instead_of_tanh_trains_as_well(activation):
    spec = _with_activation(activation)
    report = check_submission(spec, REFERENCE + ACTIVATIONS, only={"runs", "net-gradient", "train-toy", "train-digits"})
    assert failed(report) == {}


def test_a_notebook_with_magics_and_a_demo_scores_full_marks(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from derivtutor.lab import read_submission

    classes, loop = REFERENCE.split("\ndef train_epoch")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# OwnFramework"),
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip install -q numpy\nimport matplotlib.pyplot as plt\n"),
        nbformat.v4.new_code_cell(classes),
        nbformat.v4.new_code_cell("%%time\ndef train_epoch" + loop),
        nbformat.v4.new_code_cell("%%time\nnet = Net()\nnet.add(Linear(2, 3))\nnet.add(Softmax())\n"
                                  "x = np.random.randn(20, 2)\nlabels = (x[:, 0] > 0).astype(int)\n"
                                  "train_epoch(net, x, labels, CrossEntropyLoss(), 4, 0.1)\n"
                                  "plt.plot([1, 2, 3])\nprint(net.forward(x[:2]))"),
    ]
    path = tmp_path / "OwnFramework.ipynb"
    nbformat.write(notebook, str(path))
    report = check_submission(SPEC, read_submission(path), only=TOY)
    assert failed(report) == {}
    assert report.total == report.max_total


#: Correct variants of the smaller lab: every accepted loss reduction, and small inits.
MSE_FORWARD, MSE_BACKWARD = "return 0.5 * np.sum((p - y) ** 2) / len(y)", "return (self.p - self.y) / len(self.y)"
MSE_CORRECT = [
    ("mean", [(MSE_FORWARD, "return np.sum((p - y) ** 2) / len(y)"),
              (MSE_BACKWARD, "return 2 * (self.p - self.y) / len(self.y)")]),
    ("sum", [(MSE_FORWARD, "return np.sum((p - y) ** 2)"), (MSE_BACKWARD, "return 2 * (self.p - self.y)")]),
    ("mean-all", [(MSE_FORWARD, "return np.mean((p - y) ** 2)"), (MSE_BACKWARD, "return 2 * (self.p - self.y) / self.p.size")]),
    ("small-init", [("np.random.normal(0, 1.0 / np.sqrt(nin), (nin, nout))", "0.01 * np.random.randn(nin, nout)")]),
]


@pytest.mark.parametrize("changes", [c[1] for c in MSE_CORRECT], ids=[c[0] for c in MSE_CORRECT])
def test_a_correct_variant_of_the_smaller_lab_scores_full_marks(changes):
    report = check_submission(MSE_SPEC, edit(REFERENCE_MSE, *changes))
    assert failed(report) == {}


#: (id, changes, {test id: expected code}): a loop or update that does not learn loses the training.
TRAINING_MUTANTS = [
    ("loop-never-updates", [("        net.update(lr)\n", "")],
     {"train-toy": "lab.train-low", "train-digits": "lab.train-low"}),
    ("update-climbs", [("self.W -= lr * self.dW", "self.W += lr * self.dW")],
     {"linear-update": "lab.update-sign", "train-toy": "lab.train-nan", "train-digits": "lab.train-nan"}),
    ("net-updates-nothing", [("            if 'update' in l.__dir__():\n                l.update(lr)\n", "            pass\n")],
     {"train-toy": "lab.train-low", "train-digits": "lab.train-low"}),
]


@pytest.mark.parametrize("changes, expected", [m[1:] for m in TRAINING_MUTANTS], ids=[m[0] for m in TRAINING_MUTANTS])
def test_a_framework_that_does_not_learn_loses_the_training(changes, expected):
    report = check_submission(SPEC, edit(REFERENCE, *changes))
    assert failed(report) == expected


#: Mutants of the smaller lab and the diagnosis each must get (the factor 2 of the square, the 1/len(y)).
MSE_MUTANTS = [
    ("mean-forward-half-backward", [(MSE_FORWARD, "return np.sum((p - y) ** 2) / len(y)")],
     {"mse-dp": "lab.mse-factor-two", "net-gradient": "lab.net-differs"}),
    ("no-1/n", [(MSE_BACKWARD, "return self.p - self.y")], {"mse-dp": "lab.times-n-large", "net-gradient": "lab.net-differs"}),
]


@pytest.mark.parametrize("changes, expected", [m[1:] for m in MSE_MUTANTS], ids=[m[0] for m in MSE_MUTANTS])
def test_a_mutant_of_the_smaller_lab_is_named(changes, expected):
    only = {t.id for t in MSE_SPEC.tests if t.check != "train"}
    report = check_submission(MSE_SPEC, edit(REFERENCE_MSE, *changes), only=only)
    assert failed(report) == expected


def test_a_missing_method_is_named_by_the_students_own_class():
    source = edit((HERE / "renamed.py").read_text(), ("def bprop(self, grad):\n        return grad * (1",
                                                       "def bwd(self, grad):\n        return grad * (1"))
    report = check_submission(SPEC, source, only={"tanh-dx"})
    assert report.tests[0].code == "lab.missing"
    assert report.tests[0].feedback == "TanH.backward: TanH.backward not found (looked for: backward, bprop)."
