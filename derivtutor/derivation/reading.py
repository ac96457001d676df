"""Reading a derivation: lines, and the terms of each line between its '=' signs.

A derivation is one step a line: lines end at a newline or at LaTeX's ``\\\\``.
Each line is ``LHS = RHS`` (more '=' allowed: ``A = B = C``) or ``= RHS``,
continuing the line before. LaTeX layout (``&``, ``$$``, ``\\begin{aligned}``,
``\\end{aligned}``) is blanked with spaces, so every position still points
into the line as the student wrote it.

>>> [(l.number, [t.text for t in l.terms]) for l in read_lines("y' = 2x\\n   = 2*x")]
[(1, ["y'", '2x']), (2, ['2*x'])]
>>> read_lines(r"\\sigma'(x) &= a \\\\ &= b")[1].continued
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Layout that carries no mathematics: blanked, keeping every column in place.
_LAYOUT = re.compile(r"\\begin\{[a-z]+\*?\}|\\end\{[a-z]+\*?\}|\$\$?|&|\\[,;:!]|\\q?quad\b|\\displaystyle\b")
_OPEN, _CLOSE = "([{", ")]}"
MAX_LINES = 60


@dataclass(frozen=True)
class Term:
    """One expression of a line: its text and where it starts in the line."""

    text: str
    offset: int        # column of text[0] in the line (0-based)


@dataclass(frozen=True)
class Line:
    """One step as written: its number (1-based), text, terms, and whether it starts with '='."""

    number: int
    text: str
    terms: tuple[Term, ...]
    continued: bool
    equals: tuple[int, ...] = ()   # columns of the line's '=' signs


_PRIME = re.compile(r"\^\s*(?:\{\s*\\prime\s*\}|\\prime(?![A-Za-z]))")


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def _prime(match: re.Match) -> str:
    """``^{\\prime}`` is a prime: written ', padded so that every column stays in place."""
    return "'" + " " * (len(match.group(0)) - 1)


def split_lines(text: str) -> list[str]:
    """The non-empty lines, split at newlines and at ``\\\\``, layout blanked."""
    pieces = re.split(r"\r?\n|\\\\", text)
    out = []
    for piece in pieces:
        piece = _PRIME.sub(_prime, _LAYOUT.sub(_blank, piece))
        if piece.strip():
            out.append(piece)
    return out


def equals_signs(line: str) -> list[int]:
    """Columns of the '=' signs outside brackets (a ``\\neq`` or ``<=`` is not one)."""
    depth, found = 0, []
    for i, ch in enumerate(line):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "=" and depth == 0 and line[i - 1:i] not in ("<", ">", "!"):
            found.append(i)
    return found


def _terms(line: str, equals: list[int]) -> tuple[Term, ...]:
    bounds = [-1] + equals + [len(line)]
    terms = []
    for start, end in zip(bounds, bounds[1:]):
        piece = line[start + 1:end]
        lead = len(piece) - len(piece.lstrip())
        terms.append(Term(piece.strip(), start + 1 + lead))
    return tuple(terms)


def read_lines(text: str) -> list[Line]:
    """Every line of the derivation with its terms; empty terms are kept (and reported)."""
    lines = []
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.rstrip()
        equals = equals_signs(line)
        terms = _terms(line, equals)
        continued = bool(equals) and not terms[0].text
        if continued:
            terms = terms[1:]
        lines.append(Line(number, line, terms, continued, tuple(equals)))
    return lines
