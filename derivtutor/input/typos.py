"""Typos of function names: ``sni x``, ``cso x``, ``sqtr(x)``, ``arctn x`` are invalid, never graded.

A letter run that is not made of known words, is applied like a function (a bracket
or an operand follows) and is one edit (two, for words of five letters or more) from
a function name is refused with "did you mean ...?". The names come from the
vocabulary, so every function added there is covered. Short runs (``xy``) and runs
that split into known words (``sinx``, ``w1``) are never typos.

>>> suggestion("cso"), suggestion("arctn"), suggestion("xy"), suggestion("sni")
('cos', 'arctan', None, 'sin')
"""
from __future__ import annotations

from functools import lru_cache

from derivtutor.input import vocabulary as V
from derivtutor.input.errors import ParseError

MIN_LENGTH = 3
#: Edit costs: a swapped pair is the likeliest slip, then a missing or extra letter.
SWAP, INDEL, SUBSTITUTE = 0.8, 0.9, 1.0


def distance(a: str, b: str) -> float:
    """Weighted optimal-string-alignment distance (adjacent swaps count as one edit).

    >>> distance("sni", "sin"), distance("sqtr", "sqrt"), distance("cso", "csc")
    (0.8, 0.8, 1.0)
    """
    prev2: list[float] | None = None
    prev = [j * INDEL for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        row = [i * INDEL] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0.0 if a[i - 1] == b[j - 1] else SUBSTITUTE
            row[j] = min(prev[j] + INDEL, row[j - 1] + INDEL, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and prev2 is not None:
                row[j] = min(row[j], prev2[j - 2] + SWAP)
        prev2, prev = prev, row
    return round(prev[-1], 6)


def allowed_edits(word: str) -> int:
    return 1 if len(word) <= 4 else 2


@lru_cache(maxsize=1024)
def suggestion(word: str) -> str | None:
    """The function name ``word`` most likely mistypes, or None when it is no near miss."""
    low = word.lower()
    if len(low) < MIN_LENGTH or low in V.function_spellings():
        return None
    limit = allowed_edits(low)
    rank = {name: k for k, name in enumerate(V.FUNCTIONS)}  # ties go to the commoner function: sen -> sin
    scored = sorted((distance(low, name), rank.get(V.FUNCTION_ALIASES.get(name, name), len(rank)), -len(name), name)
                    for name in V.function_spellings() if abs(len(name) - len(low)) <= limit)
    if not scored or scored[0][0] > limit:
        return None
    return scored[0][-1]


def typo_error(word: str, pos: int, prefix: str = "") -> ParseError | None:
    """ParseError ``parse.typo`` ("did you mean cos?") when ``word`` is a near miss, else None."""
    guess = suggestion(word)
    if guess is None:
        return None
    return ParseError("parse.typo", pos, name=prefix + word, suggestion=prefix + guess)
