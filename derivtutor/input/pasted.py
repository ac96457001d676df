"""Text pasted from PDFs, word processors and Russian keyboards, rewritten into what the lexers read.

Both syntaxes read the same pasted characters: the minus sign U+2212, ``x²`` and ``x⁻¹``,
``·``, ``×``, ``÷``, ``√x``, ``30°``, fullwidth digits ``２ｘ``. The rewrite keeps a map from
each new character back to the one the student typed, so errors still point at the fault.

>>> normalize("2−x⁻¹", "latex").text
'2-x^{-1}'
>>> normalize("√x·２", "plain").text
' sqrt x*2'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from derivtutor.input import vocabulary as V
from derivtutor.input.errors import ParseError

_FULLWIDTH = range(0xFF01, 0xFF5F)           # ！ .. ～ are ASCII shifted by 0xFEE0
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+),(\d+)(?![\d,.])", re.ASCII)
_CALLEE = re.compile(r"\\?([A-Za-z]+)\s*$")


@dataclass(frozen=True)
class Rewritten:
    """The rewritten text and, for each of its characters (and its end), the original position."""

    text: str
    origin: tuple[int, ...]

    def position(self, pos: int | None) -> int | None:
        if pos is None:
            return None
        return self.origin[min(max(pos, 0), len(self.origin) - 1)]


def normalize(text: str, syntax: str) -> Rewritten:
    """Pasted characters -> ASCII the lexer of ``syntax`` ("plain" or "latex") reads."""
    out: list[str] = []
    origin: list[int] = []
    symbols = V.PASTED_SYMBOLS[syntax]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in V.SUPERSCRIPTS or ch in V.SUBSCRIPTS:
            table = V.SUPERSCRIPTS if ch in V.SUPERSCRIPTS else V.SUBSCRIPTS
            j = i
            while j < n and text[j] in table:
                j += 1
            inner = "".join(table[c] for c in text[i:j])
            mark = "^" if table is V.SUPERSCRIPTS else "_"
            piece = f"{mark}{{{inner}}}" if syntax == "latex" else f"{mark}({inner})" if mark == "^" else f"_{inner}"
            out.append(piece)
            origin.extend([i] * len(piece))
            i = j
            continue
        if ch in V.PASTED_CHARACTERS:
            piece = V.PASTED_CHARACTERS[ch]
            if piece.startswith("(") and text[:i].rstrip()[-1:].isdigit():  # 1½ is a mixed number
                raise ParseError("parse.mixed-number", i)
        elif ch in symbols:
            piece = symbols[ch]
        elif ord(ch) in _FULLWIDTH:
            piece = chr(ord(ch) - 0xFEE0)
        else:
            piece = ch
        out.append(piece)
        origin.extend([i] * len(piece))
        i += 1
    origin.append(n)
    return Rewritten("".join(out), tuple(origin))


def read_decimal_commas(text: str) -> str:
    """``0,5`` -> ``0.5`` wherever the comma cannot separate two arguments.

    A comma between digits is a decimal comma outside brackets, inside plain
    brackets, and inside the brackets of a function that takes one argument;
    inside ``log(8,2)`` or ``root(8,3)`` it stays an argument separator.

    >>> read_decimal_commas("0,5/sqrt(x) + log(8,2) + sin(1,5)")
    '0.5/sqrt(x) + log(8,2) + sin(1.5)'
    """
    def replace(m: re.Match) -> str:
        return f"{m.group(1)}.{m.group(2)}" if _single_argument_context(text, m.start(2) - 1) else m.group(0)

    return _DECIMAL_COMMA.sub(replace, text)


def _single_argument_context(text: str, comma: int) -> bool:
    """True unless the comma at ``comma`` sits in the brackets of a function taking several arguments."""
    depth, j = 0, comma - 1
    while j >= 0:
        c = text[j]
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if depth == 0:
                m = _CALLEE.search(text, 0, j)
                name = V.FUNCTION_ALIASES.get(m.group(1)) or V.LATEX_FUNCTIONS.get(m.group(1)) if m else None
                return name is None or V.FUNCTIONS.get(name, (None, (1,)))[1] == (1,)
            depth -= 1
        j -= 1
    return True
