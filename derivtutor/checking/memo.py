"""Memory for the checker: the verdict stage cached after parsing, and what must not be.

``RESULTS`` is a bounded LRU of verdicts keyed by the problem (the reference and the
check's options) and ``srepr`` of the parsed answer: ``37*(A)/37`` and ``A`` parse to
one tree, so the second is not checked again. Nothing text-dependent is stored (the
answer as typed, an invalid input's position, the decimal-comma note are added by the
caller), and a stored verdict is a function of its key alone:

- the sample points derive from the expressions (``sampling.answer_key`` hashes
  ``srepr`` of the reference and the answer) and the course secret, which is in the key;
- a verdict that depends on the moment is never stored: every *invalid* one (time-out,
  internal error, undecided), and any verdict during whose computation something
  *volatile* happened (``note_volatile``: a proof's own time budget ran out, a
  MemoryError or RecursionError was swallowed), since a rerun may end differently.

``srepr_of`` memoises ``sympy.srepr`` by object identity in an LRU (the answer's tree is
printed once per check, not once for the cache key and again for its sample points; a
reference's trees once per worker, not once per answer).

>>> cache = LRU(2)
>>> cache.put("a", 1); cache.put("b", 2); cache.get("a"); cache.put("c", 3)
1
>>> cache.get("b") is None, cache.get("a"), len(cache)
(True, 1, 2)
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import sympy
from sympy.printing.repr import ReprPrinter

__all__ = ["LRU", "RESULTS", "note_volatile", "volatile_count", "srepr_of", "clear"]

RESULT_ENTRIES = 4096
#: Objects whose srepr is remembered: a class's references (several hundred variants in one
#: worker) recur every few checks, each with its function and derivative, beside the answer.
_SREPR_ENTRIES = 2048


class LRU:
    """A bounded least-recently-used map (thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_SUBTREE_ENTRIES = 16384

RESULTS = LRU(RESULT_ENTRIES)
_volatile = [0]
_sreprs: OrderedDict = OrderedDict()   # id -> (the object, kept alive so its id is not reused; text)
_subtrees: OrderedDict = OrderedDict()  # the same, for every subtree printed


def _trim(entries: OrderedDict, limit: int) -> None:
    """Drop the first entries of ``entries`` until at most ``limit`` are left."""
    while len(entries) > limit:
        try:
            entries.popitem(last=False)
        except KeyError:  # another thread emptied it
            break


class _SubtreeRepr(ReprPrinter):
    """``sympy.srepr``'s printer (default settings) remembering the text of each subtree by
    identity: SymPy's cache hands the same objects (cos(x**9), x**8) to many answers and
    to their reference, and srepr is compositional -- a subtree's text is the same wherever
    it stands (the printer keeps no state that a subtree's text depends on) -- so each is
    printed once. Calls with printer options are not remembered."""

    def _print(self, expr, **kwargs):
        if kwargs or not isinstance(expr, sympy.Basic):
            return super()._print(expr, **kwargs)
        entry = _subtrees.get(id(expr))
        if entry is not None and entry[0] is expr:
            return entry[1]
        text = super()._print(expr)
        _subtrees[id(expr)] = (expr, text)
        _trim(_subtrees, _SUBTREE_ENTRIES)
        return text


def note_volatile() -> None:
    """Something happened that a rerun might not repeat (a time budget, a swallowed
    MemoryError or RecursionError): the verdict being computed is not cached."""
    _volatile[0] += 1


def volatile_count() -> int:
    return _volatile[0]


def volatile_error(exc: BaseException) -> None:
    """``note_volatile`` when a swallowed exception depends on the machine, not the input."""
    if isinstance(exc, (MemoryError, RecursionError)):
        note_volatile()


def srepr_of(expr: sympy.Basic) -> str:
    """``sympy.srepr(expr)``, remembered for the last few objects (by identity)."""
    entry = _sreprs.get(id(expr))
    if entry is not None and entry[0] is expr:
        try:
            _sreprs.move_to_end(id(expr))   # least recently used goes first, not oldest
        except KeyError:  # another thread dropped it meanwhile
            pass
        return entry[1]
    text = _SubtreeRepr().doprint(expr)   # = sympy.srepr(expr), shared subtrees printed once
    _sreprs[id(expr)] = (expr, text)
    _trim(_sreprs, _SREPR_ENTRIES)
    return text


def clear() -> None:
    """Forget every cached verdict (bench/check.py times each answer uncached)."""
    RESULTS.clear()
