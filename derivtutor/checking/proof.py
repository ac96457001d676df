"""The bounded symbolic stage: prove reference - answer == 0, or say nothing.

Tried in order of cost, every letter a real symbol, within ``budget`` seconds of
``derivtutor.budget.time_limit``: SymPy's automatic evaluation, ``expand``,
``cancel`` of the expanded difference, ``trigsimp``, then ``simplify``. Only a difference that
becomes exactly 0 is a proof; a nonzero or unfinished result proves nothing
(numbers then look for a counterexample, or the verdict is undecided).
A step whose result is a single term that SymPy's assumptions call nonzero
(exp(-exp(exp(x^2 + 3))), every letter real) ends the search: no rewrite reaches 0.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> proves_equal((x + 1)**20, sympy.expand((x + 1)**20))
True
>>> proves_equal(sympy.cos(x), sympy.cos(x) + sympy.exp(-10**6 * x**2))
False
"""
from __future__ import annotations

import time

import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.checking.memo import note_volatile, volatile_error

BUDGET = 1.0   # seconds, inside the caller's own limit


def proves_equal(reference: sympy.Expr, answer: sympy.Expr, budget: float = BUDGET) -> bool:
    """True only when the difference is shown to be identically 0 (never a guess)."""
    real = {s: sympy.Dummy(s.name, real=True) for s in reference.free_symbols | answer.free_symbols}
    start, expired = time.monotonic(), None
    try:
        with time_limit(budget) as expired:
            difference = (reference - answer).xreplace(real)
            for step in (lambda e: e, sympy.expand, lambda e: sympy.cancel(sympy.expand(e)), _trig, sympy.simplify):
                rewritten = step(difference)
                if rewritten == 0:
                    return True
                if _nonzero(rewritten):
                    return False  # no later rewrite can reach 0: skip them (simplify above all)
    except TimeLimitExceeded as exc:
        if not own_timeout(exc, expired, start, budget):
            raise  # the check's own limit fired
        note_volatile()  # a faster run might have finished the proof
    except Exception as exc:  # noqa: BLE001 -- SymPy failing on an odd tree proves nothing
        volatile_error(exc)
        return False
    return False


def _nonzero(e) -> bool:
    """A single term that SymPy's assumptions call nonzero for every real value of the
    letters (exp(-exp(exp(x^2 + 3))), 10^-40); sums are not asked: that costs 10-25 ms."""
    return not e.is_Add and e.is_zero is False


def _trig(e):
    return sympy.trigsimp(e) if e.has(sympy.sin, sympy.cos, sympy.tan, sympy.cot) else e


def own_timeout(exc: BaseException, expired, start: float, seconds: float | None) -> bool:
    """Whether ``exc`` is the time-out of the block that ``time_limit(seconds) as expired`` opened
    at ``start`` (and not an enclosing block's)."""
    if expired is not None:
        return isinstance(exc, expired)
    # A time_limit that binds nothing: tell the limits apart by the clock.
    return seconds is not None and time.monotonic() - start >= seconds * 0.99
