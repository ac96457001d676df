"""Finding the derivative operators in a term's text, with their positions.

Inside a derivation, and only there, a student may write the operator itself:

- ``(expr)'``, ``\\left(expr\\right)'``, ``[expr]'``, ``sin(x)'``, ``\\sqrt{x}'``: the
  bracket group (with the function name or LaTeX command written right before it)
  just before the prime;
- ``y'``, ``y'(x)``, ``E'``: a name that is not a function is the derivative asked
  for, or of a defined quantity (``z'`` when the exercise defines z);
- ``σ'(q)``, ``tg'(x^2)``: a function's derivative at a point;
- ``d/dx expr``, ``\\frac{d}{dx} expr``, ``\\frac{\\partial}{\\partial V} expr``: the
  operand runs to the next ``+`` or ``-`` outside brackets (``d/dx (x^2) + 1`` is
  2x + 1; ``d/dx (1+x)(2+x)`` differentiates the product);
- ``dy/dx``, ``\\frac{dE}{dV}``: like ``y'``, with respect to the named variable.

This module only locates them: each becomes an ``Occurrence`` (span, kind and the
span of its operand). ``derivtutor.derivation.terms`` replaces them by placeholder
symbols and hands the rest to the safe parser.

>>> [(o.kind, o.start, o.end) for o in occurrences("-1/(1+e^-x)^2 * (1+e^-x)'")]
[('diff', 16, 25)]
>>> [(o.kind, o.operand) for o in occurrences("d/dx (x^2) + 1")]
[('diff', (5, 10))]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from derivtutor.input.errors import ParseError
from derivtutor.input.vocabulary import FUNCTION_ALIASES, LATEX_FUNCTIONS

_VAR = r"[A-Za-z](?:_?\{?\d+\}?)?"
_NAME = r"[A-Za-z](?:_?\{?\d+\}?)?|\\[A-Za-z]+"
_D = r"(?:d|∂|\\partial(?![A-Za-z])|\\(?:mathrm|operatorname|text)\s*\{\s*d\s*\})"
#: d/dx, dy/dx, ∂E/∂V in plain text.
_PLAIN_OPERATOR = re.compile(rf"(?<![A-Za-z_\\])(?:d|∂)\s*(?P<name>{_VAR})?\s*/\s*(?:d|∂)\s*(?P<var>{_VAR})(?![A-Za-z0-9])")
#: \frac{d}{dx}, \dfrac{dy}{dx}, \frac{\partial E}{\partial V} in LaTeX.
_LATEX_OPERATOR = re.compile(rf"\\[dt]?frac\s*\{{\s*{_D}\s*(?P<name>{_NAME})?\s*\}}\s*\{{\s*{_D}\s*(?P<var>{_VAR})\s*\}}")
_PRIMES = "'′"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_WORD_BEFORE = re.compile(r"(\\?[A-Za-zσ]+)$")
_VAR_GROUP = re.compile(r"\s*\(\s*([A-Za-z](?:_?\d+)?)\s*\)")
#: Function names a prime may follow (σ'(x)), as the parser spells them.
FUNCTION_WORDS = {**FUNCTION_ALIASES, "sigma": "sigmoid", "σ": "sigmoid"}


@dataclass(frozen=True)
class Occurrence:
    """One operator in a term: ``text[start:end]``; what it differentiates.

    kind: ``diff`` (d/d var of the operand), ``named`` (the derivative of ``name``:
    the asked function, or a defined quantity), ``function`` (the derivative of the
    function ``name`` at the operand).
    """

    kind: str
    start: int
    end: int
    operand: tuple[int, int] | None = None   # span of the operand text
    var: str | None = None                   # None: the exercise's variable
    name: str | None = None


def occurrences(text: str) -> list[Occurrence]:
    """The outermost operators in ``text``, left to right (nested ones live in operands)."""
    found = sorted(_prefix(text) + _postfix(text), key=lambda o: (o.start, -o.end))
    outer: list[Occurrence] = []
    for occ in found:
        if outer and occ.start < outer[-1].end:
            if occ.end <= outer[-1].end:
                continue  # inside the operand of the one before
            raise ParseError("derivation.overlap", occ.start)
        outer.append(occ)
    return outer


def _clean_var(var: str) -> str:
    return var.replace("_", "").replace("{", "").replace("}", "")


def _prefix(text: str) -> list[Occurrence]:
    out = []
    for pattern in (_PLAIN_OPERATOR, _LATEX_OPERATOR):
        for m in pattern.finditer(text):
            var = _clean_var(m.group("var"))
            if m.group("name"):
                out.append(Occurrence("named", m.start(), m.end(), var=var, name=m.group("name")))
                continue
            start, end = _operand_after(text, m.end())
            if start == end:
                raise ParseError("derivation.missing-operand", m.end(), operator=m.group(0).strip())
            out.append(Occurrence("diff", m.start(), end, (start, end), var))
    return out


def _operand_after(text: str, i: int) -> tuple[int, int]:
    """From ``i``: the operand of a prefix operator, up to the next top-level + or -."""
    while i < len(text) and text[i].isspace():
        i += 1
    start, depth, last = i, 0, ""
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break  # the bracket the operator itself stands in
            depth -= 1
        elif ch in "+-" and depth == 0 and last and last not in "^*/(" and not _after_command(text, i):
            break
        if not ch.isspace():
            last = ch
        i += 1
    end = i
    operand = text[start:end].rstrip()
    if operand.endswith("\\right"):
        operand = operand[: -len("\\right")].rstrip()
    return start, start + len(operand)


def _after_command(text: str, i: int) -> bool:
    """A sign right after \\cdot or \\times belongs to the next factor."""
    return bool(re.search(r"\\(?:cdot|times)\s*$", text[:i]))


def _postfix(text: str) -> list[Occurrence]:
    out = []
    for i, ch in enumerate(text):
        if ch in _PRIMES:
            out.append(_prime(text, i))
    return out


def _prime(text: str, i: int) -> Occurrence:
    j = i
    while j > 0 and text[j - 1].isspace():
        j -= 1
    before = text[j - 1] if j else ""
    if before in _PAIRS:
        start = _with_base(text, _with_function_name(text, _group_start(text, j - 1)))
        return Occurrence("diff", start, i + 1, (start, j))
    exponent = re.search(r"\^\s*-?\s*[A-Za-z0-9]+$", text[:j])
    if exponent:  # e^x', (1+x)^2': the whole power
        start = _with_base(text, exponent.start() + 1)
        return Occurrence("diff", start, i + 1, (start, j))
    word = _WORD_BEFORE.search(text[:j])
    if not word:
        raise ParseError("derivation.prime-without-operand", i)
    name = word.group(1)
    function = _function_word(name)
    if function:
        return _function_prime(text, word.start(), i, name)
    if not name.startswith("\\"):
        name = name[-1]  # 2xy' is 2x times y'
    end = i + 1
    m = _VAR_GROUP.match(text, end)  # y'(x)
    if m:
        end = m.end()
    return Occurrence("named", j - len(name), end, var=m.group(1) if m else None, name=name)


def _function_prime(text: str, start: int, i: int, name: str) -> Occurrence:
    k = i + 1
    while k < len(text) and text[k].isspace():
        k += 1
    if k >= len(text) or text[k] not in "([" and not text.startswith("\\left", k):
        raise ParseError("derivation.prime-needs-argument", i, name=name.lstrip("\\"))
    end = _group_end(text, k)
    return Occurrence("function", start, end, (k, end), name=_function_word(name))


def _function_word(word: str) -> str | None:
    """The canonical function a word names (tg -> tan, \\sigma -> sigmoid), else None."""
    if word.startswith("\\"):
        return LATEX_FUNCTIONS.get(word[1:])
    return FUNCTION_WORDS.get(word)


def _with_function_name(text: str, start: int) -> int:
    """Extend a group's start over a function name or LaTeX command written right before it."""
    if text[start] == "{":  # \frac{1}{x}', \sqrt{x}': the command and all its arguments
        while start > 0 and text[start - 1] == "}":
            start = _group_start(text, start - 1)
        m = re.search(r"\\[A-Za-z]+$", text[:start])
        return m.start() if m else start
    m = _WORD_BEFORE.search(text[:start])
    if m and _function_word(m.group(1)):
        return m.start()
    return start


def _with_base(text: str, start: int) -> int:
    """Extend an exponent's start (just after '^') over the power's base: (1+x)^2, e^{-x}."""
    k = start
    while k > 0 and text[k - 1].isspace():
        k -= 1
    if not k or text[k - 1] != "^":
        return start
    k -= 1
    while k > 0 and text[k - 1].isspace():
        k -= 1
    if k and text[k - 1] in _PAIRS:
        return _with_function_name(text, _group_start(text, k - 1))
    m = re.search(r"(\\[A-Za-z]+|[A-Za-z0-9.]+)$", text[:k])
    return m.start() if m else start


def _group_start(text: str, close: int) -> int:
    """The position of the bracket opening the one at ``close`` (and of its \\left)."""
    depth = 0
    for k in range(close, -1, -1):
        if text[k] in _PAIRS:
            depth += 1
        elif text[k] in "([{":
            depth -= 1
            if depth == 0:
                return k - 5 if text[max(0, k - 5):k] == "\\left" else k
    raise ParseError("parse.unmatched", close, char=text[close])


def _group_end(text: str, k: int) -> int:
    """The position after the bracket group starting at ``k`` (``\\left(`` included)."""
    if text.startswith("\\left", k):
        k += 5
    depth = 0
    for m in range(k, len(text)):
        if text[m] in "([{":
            depth += 1
        elif text[m] in _PAIRS:
            depth -= 1
            if depth == 0:
                return m + 1
    raise ParseError("parse.expected-close", len(text), char=")")
