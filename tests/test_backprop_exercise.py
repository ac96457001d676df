"""The backprop exercise kind: answers in the course's symbols, checked after substitution."""
from __future__ import annotations

import pytest

from derivtutor.course.backprop_kind import BackpropExerciseError, check
from derivtutor.course.bank import load_exercises

DV = {"network": "seed-004", "parameter": "V"}
DU = {"network": "seed-004", "parameter": "u"}
DV_L2 = {"network": "seed-004-l2", "parameter": "V"}
DEEP = {"activations": ["tanh", "tanh", "sigmoid"], "parameter": "W2"}

ANSWERS = [
    (DV, "(z-l)*z*(1-z)*U*y*(1-y)*x", "correct"),
    (DV, "(z-l) z (1-z) U y (1-y) x", "correct"),
    (DV, "(z-l)*sigma(q)*(1-sigma(q))*U*sigmoid(p)*(1-sigmoid(p))*x", "correct"),
    (DV, "(sigmoid(U*sigmoid(V*x+v)+u)-l)*z*(1-z)*U*y*(1-y)*x", "correct"),
    (DV, "x*U*(z-l)*(z-z^2)*(y-y^2)", "correct"),
    (DV, r"(z-l)\,z(1-z)\,U\,y(1-y)\,x", "correct"),
    (DV, "(z-l)*z*(1-z)*U*y*(1-y)", "incorrect"),           # forgot dp/dV = x
    (DV, "(z-l)*z*(1-z)*V*y*(1-y)*x", "incorrect"),         # V instead of U
    (DV, "(l-z)*z*(1-z)*U*y*(1-y)*x", "incorrect"),         # sign of dE/dz
    (DV, "(z-l)*z*(1-z)*U*y*(1-y)*w", "invalid"),           # not a symbol of the network
    (DV, "(z-l)*z*(1-z", "invalid"),
    (DV, "", "invalid"),
    (DU, "(z-l)*z*(1-z)", "correct"),
    (DU, "(z - l) sigma(q) (1 - sigma(q))", "correct"),
    (DU, "z - l", "incorrect"),
    (DV_L2, "(z-l)*z*(1-z)*U*y*(1-y)*x + 2 lam V", "correct"),
    (DV_L2, "(z-l)*z*(1-z)*U*y*(1-y)*x + lam V", "incorrect"),
    (DEEP, "(z_3 - l) z_3 (1 - z_3) W_3 (1 - z_2^2) z_1", "correct"),
    (DEEP, "(z3 - l)*z3*(1 - z3)*W3*(1 - tanh(a2)^2)*z1", "correct"),
    (DEEP, "(z3 - l)*z3*(1 - z3)*W3*(1 - z2^2)*x", "incorrect"),
    (DEEP, "(z3 - l)*z3*(1 - z3)*W3*(1 - z2^2)*z_4", "invalid"),
]


@pytest.mark.parametrize("exercise, answer, verdict", ANSWERS, ids=[f"{e['parameter']}:{a}" for e, a, _ in ANSWERS])
def test_verdicts(exercise, answer, verdict):
    result = check(exercise, answer)
    assert result.verdict == verdict, result
    assert result.score == {"correct": 1.0, "incorrect": 0.0, "invalid": None}[verdict]  # invalid costs nothing
    assert result.message


@pytest.mark.parametrize("exercise_id", ["backprop-seed004-dv", "backprop-seed004-du"])
def test_bank_exercises_accept_their_own_answer(exercise_id):
    exercise = load_exercises()[exercise_id]
    assert exercise.kind == "backprop"
    assert check(exercise, exercise.get("answer")).verdict == "correct"
    assert check(exercise, "z - l", lang="ru").verdict == "incorrect"


@pytest.mark.parametrize("exercise", [
    {"network": "nope", "parameter": "V"},
    {"network": "seed-004", "parameter": "W"},
    {"parameter": "V"},
], ids=["network", "parameter", "nothing"])
def test_broken_exercise_files_raise(exercise):
    with pytest.raises(BackpropExerciseError):
        check(exercise, "x")
