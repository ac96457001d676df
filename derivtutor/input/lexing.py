"""Tokenizers for plain-text and LaTeX input. Both feed the same grammar.

A token is a kind, a value and the character position it came from, so that
every error can point at the fault. Nothing here evaluates anything: numbers
become exact ``Rational`` from their digits, names stay strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from derivtutor.input.errors import ParseError
from derivtutor.input import vocabulary as V

MAX_DIGITS = 100
MAX_DECIMAL_EXPONENT = 100

_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)", re.ASCII)
_SCI = re.compile(r"[eE]([+-]?\d+)", re.ASCII)
_NAME = re.compile(r"[A-Za-z]+[0-9]*")
_OPERATORS = "+-*/^_,|=<>!"


@dataclass(frozen=True)
class Token:
    """kind: num, name, func, op, lp, rp, lb, rb, frac, sqrt, end."""

    kind: str
    value: object
    pos: int


def exact_number(digits: str, pos: int, exponent: int = 0) -> sympy.Rational:
    """The exact value of a decimal literal: '0.5' -> 1/2, '5.1' e -2 -> 51/1000."""
    whole, _, frac = digits.partition(".")
    if len(whole.lstrip("0")) + len(frac) > MAX_DIGITS or abs(exponent) > MAX_DECIMAL_EXPONENT:
        raise ParseError("parse.number-too-large", pos, text=digits)
    mantissa = int((whole + frac) or "0")
    scale = len(frac) - exponent
    return sympy.Rational(mantissa, 10**scale) if scale >= 0 else sympy.Integer(mantissa * 10**-scale)


def _non_ascii(ch: str, pos: int):
    """Tokens for a non-ASCII character, or a ParseError naming it."""
    if ch in V.GREEK_UNICODE:
        return [Token("name", V.GREEK_UNICODE[ch], pos)]
    if ch in ("σ", "π"):
        return [Token("name", "sigma" if ch == "σ" else "pi", pos)]
    if ch in V.LOOKALIKES:
        raise ParseError("parse.lookalike", pos, char=ch, latin=V.LOOKALIKES[ch])
    if ch in V.UNICODE_OPERATORS:
        return [Token(t.kind, t.value, pos) for t in tokenize_plain(V.UNICODE_OPERATORS[ch]) if t.kind != "end"]
    raise ParseError("parse.invalid-character", pos, char=ch)


def _punctuation(ch: str, text: str, i: int):
    """One token for an ASCII operator or bracket at text[i], and its length."""
    if ch == "*" and text.startswith("**", i):
        return Token("op", "^", i), 2
    if ch in "([":
        return Token("lp", ch, i), 1
    if ch in ")]":
        return Token("rp", ch, i), 1
    if ch in _OPERATORS:
        return Token("op", ch, i), 1
    return None, 0


def tokenize_plain(text: str) -> list[Token]:
    """Plain-text tokens: '3x^2 + sin x' -> num 3, name x, op ^, num 2, op +, name sin, name x.

    Letter runs stay whole (``w1``, ``arctg``, ``xy``); the grammar splits them.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "0123456789" or (ch == "." and i + 1 < n and text[i + 1] in "0123456789"):
            m = _NUMBER.match(text, i)
            digits, i = m.group(1), m.end()
            sci = _SCI.match(text, i)
            exponent = 0
            if sci:
                exponent, i = int(sci.group(1)), sci.end()
            tokens.append(Token("num", exact_number(digits, m.start(), exponent), m.start()))
        elif ch.isascii() and ch.isalpha():
            m = _NAME.match(text, i)
            tokens.append(Token("name", m.group(0), i))
            i = m.end()
        elif ch in "{}":
            raise ParseError("parse.set", i)
        elif not ch.isascii():
            tokens.extend(_non_ascii(ch, i))
            i += 1
        else:
            token, width = _punctuation(ch, text, i)
            if token is None:
                raise ParseError("parse.invalid-character", i, char=ch)
            tokens.append(token)
            i += width
    tokens.append(Token("end", None, n))
    return tokens
