"""Checkers for the derivative, identity and value kinds of exercise.

Each has the signature that ``derivtutor.course.bank.KIND_CHECKERS`` expects,
``check(exercise, answer, lang="en", syntax="auto") -> CheckResult``, and hands
the mathematics to ``derivtutor.checking.checker.check_answer``:

- derivative: the answer must equal d(function)/d(variable);
- identity: the answer must equal ``rhs`` (which equals ``lhs``), written with
  the functions listed in ``must_use`` (``sigma(x)(1 - sigma(x))``, not the
  exponential form the prompt starts from);
- value: the answer must equal the number ``expected``; a decimal within the
  relative ``tolerance`` (default 1e-3) of it also counts, because students
  round e^3 to 20.09.

The bank's own texts (function, lhs, rhs, expected) go through the same parser
as students' answers, once per text.

>>> from derivtutor.course.bank import find_exercise
>>> check_value(find_exercise("graph-value-x"), "40.17").verdict
'correct'
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

import sympy

from derivtutor.catalogue import message
from derivtutor.checking.checker import CheckResult, check_answer
from derivtutor.input.parsing import ParseError, decimal_comma_note, parse

DEFAULT_TOLERANCE = 1e-3
DEFAULT_TIMEOUT = 2.0


@lru_cache(maxsize=4096)
def bank_expr(text: str):
    """A bank text parsed as plain text (cached: every answer to an exercise reuses it)."""
    return parse(str(text), syntax="plain")


def _options(exercise, lang: str, syntax: str, timeout: float) -> dict:
    return {"syntax": syntax, "lang": lang, "require_simplified": exercise.require_simplified,
            "partial_credit": dict(exercise.partial_credit) or None, "timeout": timeout}


def check_derivative(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float = DEFAULT_TIMEOUT):
    """Is ``answer`` the derivative (of order ``order``, default 1) of the exercise's function?"""
    function = bank_expr(exercise.get("function"))
    var = exercise_variable(exercise, function)
    if var is None:
        names = ", ".join(sorted(s.name for s in function.free_symbols))
        return CheckResult("invalid", None, ["check.need-var"], message("check.need-var", lang, names=names),
                           answer=str(answer))
    if exercise.get("order", 1) != 1:  # the N-th derivative: the last step checked against the (N-1)-th
        from derivtutor.checking.orders import check_order

        return check_order(function, answer, var, exercise.get("order"), **_options(exercise, lang, syntax, timeout))
    return check_answer(function, answer, var, **_options(exercise, lang, syntax, timeout))


def exercise_variable(exercise, expr) -> str | None:
    """The exercise's variable; else, as ``diff`` finds it, the function's only variable
    (x for a constant); None when there are several and none is named."""
    if exercise.get("variable"):
        return exercise.get("variable")
    names = sorted(s.name for s in expr.free_symbols)
    return names[0] if len(names) == 1 else ("x" if not names else None)


def check_identity(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float = DEFAULT_TIMEOUT):
    """Is ``answer`` equal to ``rhs``, and written with the functions in ``must_use``?"""
    lhs = bank_expr(exercise.get("lhs"))
    result = check_answer(lhs, answer, exercise_variable(exercise, lhs) or "x",
                          expected=bank_expr(exercise.get("rhs")), **_options(exercise, lang, syntax, timeout))
    required = exercise.get("must_use") or []
    if result.verdict != "correct" or not required:
        return result
    missing = [name for name in required if name not in _function_names(answer, syntax)]
    if not missing:
        return result
    return _with(result, "incorrect", 0.0, "exercise.must-use", lang, names=", ".join(missing))


def _function_names(answer: str, syntax: str) -> set[str]:
    expr = parse(answer, syntax=syntax)
    return {type(f).__name__ for f in expr.atoms(sympy.Function)}


def _with(result, verdict: str, score: float, code: str, lang: str, **fields):
    """``result`` with a new verdict, diagnosis ``[code]`` and the catalogue message for ``code``."""
    return dataclasses.replace(result, verdict=verdict, score=score, diagnosis=[code],
                               message=message(code, lang, **fields))


def check_value(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float = DEFAULT_TIMEOUT):
    """Is ``answer`` the number ``expected`` (exactly, or a decimal within ``tolerance``)?"""
    expected = bank_expr(str(exercise.get("expected")))
    result = check_answer(expected, answer, exercise.get("variable") or "x", expected=expected,
                          **_options(exercise, lang, syntax, timeout))
    if result.verdict != "incorrect":
        return result
    if _close(answer, syntax, expected, exercise.get("tolerance", DEFAULT_TOLERANCE), lang):
        return decimal_comma_note(answer, lang, _with(result, "correct", 1.0, "exercise.rounded", lang))
    # The checker's diagnoses describe functions (a wrong factor "at x = 1/2"); a number is just wrong.
    return decimal_comma_note(answer, lang, _with(result, "incorrect", 0.0, "exercise.wrong-value", lang))


def _close(answer: str, syntax: str, expected, tolerance: float, lang: str = "en") -> bool:
    try:
        value = parse(answer, syntax=syntax, decimal_comma=lang == "ru")
    except ParseError:
        return False
    if value.free_symbols or not value.is_number:
        return False
    a, b = complex(value.evalf(30)), complex(expected.evalf(30))
    return abs(a - b) <= tolerance * max(abs(b), 1e-12)
