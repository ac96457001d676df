"""Checkers for the gradient and implicit kinds of exercise.

- gradient: the answer is the vector of partial derivatives of ``function`` with
  respect to ``variables`` (a list of names, in the order the components go),
  checked component by component (``derivtutor.checking.vectors``);
- implicit: the answer is dy/dx for ``equation`` (``F = G``), with ``variable``
  the x and ``dependent`` the y (``derivtutor.checking.implicit``).

(A derivative exercise with ``order = N``, 1 to 5, asks for the N-th derivative:
``derivtutor.course.kinds.check_derivative``.)

>>> from derivtutor.course.bank import find_exercise
>>> check_gradient(find_exercise("gradient-seed002-contour"), "(2(x - 3), 4(y + 2))").verdict
'correct'
"""
from __future__ import annotations

from derivtutor.course.kinds import DEFAULT_TIMEOUT, bank_expr


def check_gradient(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float = DEFAULT_TIMEOUT):
    """Is ``answer`` the gradient of the exercise's function, component by component?"""
    from derivtutor.checking.vectors import check_gradient as check_vector

    return check_vector(bank_expr(exercise.get("function")), answer, exercise.get("variables"), syntax=syntax,
                        lang=lang, partial_credit=dict(exercise.partial_credit) or None, timeout=timeout)


def check_implicit(exercise, answer: str, lang: str = "en", syntax: str = "auto", timeout: float = DEFAULT_TIMEOUT):
    """Is ``answer`` dy/dx for the exercise's equation?"""
    from derivtutor.checking.implicit import check_implicit as check_equation

    return check_equation(exercise.get("equation"), answer, exercise.get("variable", "x"),
                          exercise.get("dependent", "y"), syntax=syntax, lang=lang,
                          partial_credit=dict(exercise.partial_credit) or None, timeout=timeout)
