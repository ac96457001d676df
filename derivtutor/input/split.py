"""Equations and vectors as text: split at the top level, then parse each part safely.

An equation ``F = G`` splits at its one top-level ``=``; a vector splits at its
top-level commas, inside ``(...)``, ``[...]``, ``\\left( ... \\right)`` or a LaTeX
``pmatrix``/``bmatrix``/``matrix`` (where ``\\\\`` and ``&`` separate the entries). A
label in front, ``\\nabla f = ...`` or ``grad f = ...``, is dropped. Every part keeps
its position in the whole text, so an error in one part points into the whole.
Each part goes through ``derivtutor.input.parsing.parse``; nothing is evaluated.

>>> [str(e) for e in parse_vector("(2xy, x^2)", variables=("x", "y"))]
['2*x*y', 'x**2']
>>> parse_equation("x^2 + y^2 = 1")
(x**2 + y**2, 1)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from derivtutor.input.errors import ParseError
from derivtutor.input.parsing import check_text, parse

_OPEN, _CLOSE = "([{", ")]}"
_MATRIX = re.compile(r"\s*\\begin\s*\{\s*([pbvB]?matrix)\s*\}(.*)\\end\s*\{\s*\1\s*\}\s*$", re.S)
_LABEL = re.compile(r"\s*(\\nabla|∇|grad)\s*([A-Za-z]\w*)?\s*(\([^=]*\))?\s*$")


@dataclass(frozen=True)
class Part:
    """A piece of the input and where it starts in the whole text."""

    text: str
    start: int


def split_top_level(text: str, separators=(",",), start: int = 0) -> list[Part]:
    """Split at the separators that are outside every bracket.

    >>> [p.text for p in split_top_level("f(a, b), c")]
    ['f(a, b)', ' c']
    """
    parts, depth, begin, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif depth == 0:
            sep = next((s for s in separators if text.startswith(s, i)), None)
            if sep is not None:
                parts.append(Part(text[begin:i], start + begin))
                i += len(sep)
                begin = i
                continue
        i += 1
    parts.append(Part(text[begin:], start + begin))
    return parts


def parse_part(part: Part, syntax: str = "auto", variables=None):
    """Parse one part; a ParseError's position is moved into the whole text."""
    if not part.text.strip():
        raise ParseError("parse.vector-empty", part.start)
    try:
        return parse(part.text, syntax, variables)
    except ParseError as err:
        if err.position is not None:
            err.position += part.start
        raise


def parse_equation(text: str, syntax: str = "auto", variables=None):
    """(left side, right side) of ``F = G``; ParseError unless there is exactly one top-level '='."""
    check_text(text)
    sides = split_top_level(text, ("=",))
    if len(sides) != 2:
        raise ParseError("parse.equation-sides", sides[2].start - 1 if len(sides) > 2 else None)
    for side in sides:
        if not side.text.strip():
            raise ParseError("parse.equation-sides", side.start)
    return tuple(parse_part(side, syntax, variables) for side in sides)


def vector_parts(text: str) -> list[Part]:
    """The entries of a vector written as text, with their positions (not yet parsed)."""
    check_text(text)
    body = Part(text, 0)
    halves = split_top_level(text, ("=",))
    if len(halves) == 2 and _LABEL.match(halves[0].text):
        body = halves[1]
    m = _MATRIX.match(body.text)
    if m:
        inner = Part(m.group(2), body.start + m.start(2))
        parts = split_top_level(inner.text, ("\\\\", "&"), inner.start)
        if len(parts) > 1 and not parts[-1].text.strip():
            parts = parts[:-1]  # a trailing \\ ends the last row
        return parts
    inner, start = _unwrap(body)
    return split_top_level(inner, (",",), start)


def _unwrap(part: Part) -> tuple[str, int]:
    """The text inside one pair of brackets around the whole part, else the part itself."""
    text = part.text
    stripped = text.strip()
    lead = part.start + len(text) - len(text.lstrip())
    for open_, close in (("\\left(", "\\right)"), ("\\left[", "\\right]"), ("(", ")"), ("[", "]")):
        if stripped.startswith(open_) and stripped.endswith(close) and _encloses(stripped, len(open_)):
            return stripped[len(open_):len(stripped) - len(close)], lead + len(open_)
    if stripped[:1] in "([" and stripped[-1:] not in ")]":
        raise ParseError("parse.vector-unclosed", lead + len(stripped))
    return text, part.start


def _encloses(text: str, skip: int) -> bool:
    """Whether the first bracket closes only at the very end ("(a)(b)" is not one group)."""
    depth = 1
    for i, ch in enumerate(text[skip:], skip):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def parse_vector(text: str, syntax: str = "auto", variables=None) -> list:
    """The entries of a vector answer, each parsed by the safe parser."""
    return [parse_part(p, syntax, variables) for p in vector_parts(text)]
