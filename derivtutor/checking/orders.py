"""Check the derivative of order N (1 to 5).

The answer is checked by ``check_answer`` as the derivative of the (N - 1)-th
derivative, so the diagnosis names the slip in the last differentiation.

>>> check_order("x^3", "6x", "x", 2).verdict
'correct'
>>> check_order("x^3", "3x^2", "x", 2).verdict
'incorrect'
"""
from __future__ import annotations

import sympy

from derivtutor.checking.checker import check_answer
from derivtutor.input.parsing import parse

MAX_ORDER = 5


def check_order(function, answer, var: str = "x", order: int = 1, **options):
    """``answer`` as d^order function / d var^order; ``options`` go to ``check_answer``.

    Raises ValueError for an order outside 1..5, ParseError for an invalid ``function``.
    """
    from derivtutor.steps.multivariate import higher_order

    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be an integer from 1 to {MAX_ORDER}, not {order!r}")
    f = function if isinstance(function, sympy.Expr) else parse(str(function), "auto", (var,))
    previous = f if order == 1 else higher_order(f, var, order - 1).result
    return check_answer(previous, answer, var, **options)
