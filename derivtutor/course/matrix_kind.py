"""The "matrix" exercise kind: a gradient typed in matrix notation, checked by evaluation.

The answer is read with the exercise's shapes and compared with the derived gradient
at three random instances (dimensions and values), seeded by a hash of the exercise
and the answer, so no answer can be built for fixed points. Equal to 1e-8 at every
instance is "correct"; a difference above 1e-4 where both are finite is "incorrect"
(an answer equal to the transpose is diagnosed ``layout``); anything else is
undecided and not graded.

>>> ex = {"expression": "||Xw - y||^2", "wrt": "w"}
>>> check(ex, "2X^T(Xw - y)").verdict, check(ex, "2(Xw - y)^T X").diagnosis
('correct', ['layout'])
"""
from __future__ import annotations

import hashlib

import numpy as np

from derivtutor.catalogue import message
from derivtutor.checking.checker import CheckResult
from derivtutor.matrix.api import matrix_gradient
from derivtutor.matrix.nodes import MatrixError, Sym, symbols
from derivtutor.matrix.numeric import evaluate, instance, relative_error
from derivtutor.matrix.shapes import infer, show_shape
from derivtutor.matrix.syntax import parse_matrix

TRIALS = 3
EQUAL, DIFFERENT = 1e-8, 1e-4


def _field(exercise, name, default=None):
    data = exercise if isinstance(exercise, dict) else exercise.data
    return data.get(name, default)


def reference(exercise):
    return matrix_gradient(_field(exercise, "expression"), _field(exercise, "wrt"), _field(exercise, "shapes"))


def check(exercise, answer: str, lang: str = "en") -> CheckResult:
    """Grade ``answer`` to a "matrix" exercise; returns a CheckResult."""
    ref = reference(exercise)
    answer = str(answer)
    expected = dict(expected=ref.text, expected_latex=ref.latex, answer=answer)
    names = ref.typed.names()
    declared = {n.name: tuple(names.get(d, d) for d in ref.typed.shape(n))
                for n in ref.typed.shapes if isinstance(n, Sym)}
    try:
        tree = parse_matrix(answer, names=tuple(declared))
        unknown = [s for s in symbols(tree) if s not in declared]
        if unknown:
            raise MatrixError("matrix.no-variable", None, variable=", ".join(unknown))
        typed = infer(tree, declared, answer)
    except MatrixError as exc:
        return CheckResult("invalid", None, [exc.code], exc.message(lang), position=exc.position, **expected)
    want = ref.typed.shape(ref._wrt_node)
    got = tuple(typed.dims.find(d) for d in typed.shape(typed.tree))
    want_named = tuple(names.get(d, d) for d in want)
    verdict = _compare(ref, typed, exercise, answer, transpose=got != want_named)
    if isinstance(verdict, float) and got == want_named and got[0] == got[1]:  # square: Wᵀ has W's shape
        if _compare(ref, typed, exercise, answer, transpose=True) == "equal":
            verdict, got = "equal", ("transposed",)
    if verdict == "equal" and got == want_named:
        return CheckResult("correct", 1.0, [], message("matrix.answer.correct", lang, count=TRIALS), **expected)
    if verdict == "equal":
        text = message("matrix.answer.layout", lang, variable=ref.wrt, shape=ref.shape)
        return CheckResult("incorrect", _credit(exercise, "layout"), ["layout"], text, **expected)
    if verdict == "undecided":
        return CheckResult("invalid", None, ["check.undecided"], message("matrix.answer.undecided", lang), **expected)
    if got != want_named:
        text = message("matrix.answer.wrong-shape", lang, answer_shape=show_shape(got, {}),
                       variable=ref.wrt, shape=ref.shape)
        return CheckResult("incorrect", 0.0, ["wrong-shape"], text, **expected)
    text = message("matrix.answer.incorrect", lang, error=f"{verdict:.2g}")
    return CheckResult("incorrect", 0.0, [], text, **expected)


def _credit(exercise, code: str) -> float:
    return float((_field(exercise, "partial_credit", {}) or {}).get(code, 0.0))


def _compare(ref, typed, exercise, answer: str, transpose: bool):
    """"equal", "undecided", or the relative difference found (a float)."""
    seed = int.from_bytes(hashlib.sha256(f"{_field(exercise, 'expression')}\0{answer}".encode()).digest()[:4], "big")
    agreed = 0
    for k in range(TRIALS):
        try:
            env = ref._finite_instance(seed + k)
            with np.errstate(all="ignore"):
                exact = evaluate(ref.gradient_node, env)
                given = evaluate(typed.tree, env)
        except (MatrixError, ValueError, KeyError):
            return "undecided"
        if transpose:
            given = given.T
        if given.shape != exact.shape or not np.all(np.isfinite(given)):
            return relative_error_shape(given, exact)
        error = relative_error(given, exact)
        if error > DIFFERENT:
            return error
        agreed += error <= EQUAL
    return "equal" if agreed == TRIALS else "undecided"


def relative_error_shape(given, exact):
    return float("inf") if given.shape != exact.shape else relative_error(np.nan_to_num(given), exact)
