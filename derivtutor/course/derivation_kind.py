"""The "derivation" exercise kind: the student shows the work, one step a line.

The answer is the whole derivation (multi-line text); it is checked line by line
by ``derivtutor.derivation.checker.check_derivation``, and the outcome is returned
as the ``CheckResult`` every kind returns: the verdict, the score with partial
credit (a correct prefix of lines, a right final answer), the first wrong line's
diagnosis codes and its sentence, and that line's counterexample.

Kind-specific TOML fields::

    function = "tg(x^2)"          # what to differentiate (required)
    variable = "x"                # (required)
    target = "sigmoid(x)*(1 - sigmoid(x))"   # optional: the form the last line must reach
    must_use = ["sigmoid"]        # optional: functions the final answer must be written with
    definitions = { q = "U*y + u", z = "sigmoid(q)" }   # optional: names the lines may use
    prefix_credit = 0.5           # optional: points for a correct prefix (times its share of lines)
    answer_credit = 0.5           # optional: points for a right final answer after a wrong step

>>> ex = {"function": "x^3", "variable": "x"}
>>> check(ex, "(x^3)' = 3x^2").verdict
'correct'
>>> r = check(ex, "(x^3)' = 3x^3")
>>> r.verdict, r.diagnosis
('incorrect', ['power-rule', 'derivation.final-wrong'])
"""
from __future__ import annotations

from derivtutor.checking.checker import CheckResult
from derivtutor.derivation.checker import ANSWER_CREDIT, PREFIX_CREDIT, check_derivation


def check(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float | None = None) -> CheckResult:
    """Grade a derivation (the multi-line ``answer``) for the exercise; never raises on the student's text."""
    result = check_derivation(exercise, answer, _get(exercise, "variable", "x"), syntax=syntax, lang=lang,
                              timeout=timeout, prefix_credit=_get(exercise, "prefix_credit", PREFIX_CREDIT),
                              answer_credit=_get(exercise, "answer_credit", ANSWER_CREDIT))
    return as_check_result(result)


def as_check_result(result) -> CheckResult:
    """A DerivationResult as a CheckResult: the summary, then what is wrong with the first wrong line."""
    text = result.message
    if result.first_error is not None:
        text = f"{text} {result.lines[result.first_error - 1].message}"
    return CheckResult(result.verdict, result.score, list(result.diagnosis), text, expected=result.expected,
                       expected_latex=result.expected_latex, answer=result.answer or "",
                       counterexample=result.counterexample or None)


def solution_latex(exercise, lang: str = "en") -> str:
    """The model derivation (the exercise's ``answer``) as an ``align*``, for worksheets."""
    from derivtutor.derivation.report import render_latex

    return render_latex(check_derivation(exercise, exercise.get("answer") or "", lang=lang), lang, marks=False)


def _get(exercise, name: str, default=None):
    value = exercise.get(name, default)
    return default if value is None else value
