"""The parsing boundary: untrusted student text in, a checked SymPy expression out.

Nothing the student typed is ever evaluated as Python: no eval, exec, sympify
or parse_expr. The text is tokenized by our own lexers (plain text or LaTeX),
parsed by our own grammar that builds SymPy nodes directly, and the result is
walked once more against a whitelist of node types and symbol names.

>>> parse("arctg^2(x^3)")
atan(x**3)**2
>>> parse(r"\\frac{2x}{\\cos^2 x^2}") == parse("2x/cos(x^2)^2")
True
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.input.errors import ParseError
from derivtutor.functions import leaky_relu, sigmoid, softplus
from derivtutor.input.grammar import Grammar
from derivtutor.input.latex_lexing import tokenize_latex
from derivtutor.input.lexing import tokenize_plain
from derivtutor.input.names import resolve_latex, resolve_plain
from derivtutor.input.pasted import normalize, read_decimal_commas

__all__ = ["parse", "parse_number", "ParseError", "detect_syntax", "decimal_comma_reading", "decimal_comma_note",
           "MAX_LENGTH"]

MAX_LENGTH = 2000
PARSE_SECONDS = 1.0
SYNTAXES = ("auto", "plain", "latex")

_ALLOWED_NODES = (
    sympy.Symbol, sympy.Rational, sympy.Add, sympy.Mul, sympy.Pow,
    sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc,
    sympy.asin, sympy.acos, sympy.atan, sympy.acot, sympy.sinh, sympy.cosh, sympy.tanh,
    sympy.coth, sympy.sech, sympy.csch, sympy.asinh, sympy.acosh, sympy.atanh,
    sympy.Abs, sympy.sign, sigmoid,
    sympy.Max, sympy.Heaviside, leaky_relu, softplus,   # the ReLU family (relu is Max(0, x))
)
_ALLOWED_ATOMS = (sympy.E, sympy.pi, sympy.I)
_SYMBOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
_PLAIN_DERIVATIVE = re.compile(r"\bd\s*[a-zA-Z]?\s*/\s*d\s*[a-zA-Z]\b")


def detect_syntax(text: str) -> str:
    """'latex' when the text has a backslash or braces, else 'plain'."""
    return "latex" if any(c in text for c in "\\{}") else "plain"


def check_text(text) -> None:
    """Refuse what no reading can start on: a non-string, text over MAX_LENGTH, or blank text."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    if len(text) > MAX_LENGTH:
        raise ParseError("parse.too-long", MAX_LENGTH, limit=MAX_LENGTH)
    if not text.strip():
        raise ParseError("parse.empty", 0)


def parse(text: str, syntax: str = "auto", variables: Iterable[str] | None = None,
          decimal_comma: bool = False) -> sympy.Expr:
    """Parse student input into a SymPy expression, or raise ParseError.

    ``syntax`` is "plain", "latex" or "auto" (LaTeX when the text has a
    backslash or braces). ``variables`` names multi-letter symbols that plain
    text must keep whole (``lam``) and lets letter runs split into them
    (``xy`` -> x*y). Pasted characters (U+2212, ``x²``, ``·``, ``√``, fullwidth
    digits) read the same in both syntaxes. ``decimal_comma`` (Russian input) reads
    ``0,5`` as 0.5 where the comma cannot separate arguments
    (``decimal_comma_reading`` says how the text was read).

    >>> parse("2x sin x")
    2*x*sin(x)
    >>> parse("0,5x", decimal_comma=True)
    x/2
    """
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax must be one of {SYNTAXES}, not {syntax!r}")
    check_text(text)
    outcome = _parse_cached(text, syntax, frozenset(variables) if variables else None, bool(decimal_comma))
    if isinstance(outcome, _Refusal):
        raise ParseError(outcome.code, outcome.position, **dict(outcome.fields))
    return outcome


class _Refusal(NamedTuple):
    """A ParseError as the cache keeps it (a fresh exception is raised from it every time)."""

    code: str
    position: int | None
    fields: tuple


#: Refusals that depend on the machine or the moment (a time or memory limit), not on the
#: text alone: never cached. So is Python's own recursion limit (too-deep without a
#: position); the grammar's depth limit (too-deep at a position) is the text's.
_UNCACHED = frozenset({"parse.too-complex"})


@lru_cache(maxsize=8192)
def _parse_cached(text: str, syntax: str, variables, decimal_comma: bool):
    """The expression, or the refusal, for one text: a function of its arguments only (the
    same answer text recurs across students and variants; SymPy's trees are immutable)."""
    try:
        return _parse_text(text, syntax, variables, decimal_comma)
    except ParseError as err:
        if err.code in _UNCACHED or (err.code == "parse.too-deep" and err.position is None):
            raise
        return _Refusal(err.code, err.position, tuple(err.fields.items()))


def _parse_text(text: str, syntax: str, variables, decimal_comma: bool) -> sympy.Expr:
    if syntax == "auto":
        syntax = detect_syntax(text)
    if decimal_comma:
        text = read_decimal_commas(text)
    rewritten = normalize(text, syntax)
    try:
        return _build(_tokens(rewritten.text, syntax, variables))
    except ParseError as err:  # point at what the student typed, not at the rewrite
        err.position = rewritten.position(err.position)
        raise


def _tokens(text: str, syntax: str, variables):
    if syntax == "latex":
        return resolve_latex(tokenize_latex(text), variables)
    m = _PLAIN_DERIVATIVE.search(text)
    if m:
        raise ParseError("parse.calculus", m.start(), name=m.group(0))
    return resolve_plain(tokenize_plain(text), variables)


def decimal_comma_reading(text: str) -> str | None:
    """The text as ``parse(..., decimal_comma=True)`` reads it, or None when it has no decimal comma.

    >>> decimal_comma_reading("0,5/sqrt(x)"), decimal_comma_reading("log(8, 2)")
    ('0.5/sqrt(x)', None)
    """
    read = read_decimal_commas(text)
    return read if read != text else None


def decimal_comma_note(text, lang: str, result=None):
    """Say how a Russian decimal comma was read: the sentence, or ``result`` with it before its message.

    None (or ``result`` unchanged) unless ``lang`` is "ru" and ``text`` has a decimal comma.

    >>> decimal_comma_note("0,5", "ru")
    'Десятичная запятая прочитана как точка: 0.5'
    """
    import dataclasses

    from derivtutor.catalogue import message

    read = decimal_comma_reading(text) if lang == "ru" and isinstance(text, str) else None
    note = None if read is None else message("parse.decimal-comma", lang, text=read)
    if result is None or note is None or note in (result.message or ""):
        return note if result is None else result
    return dataclasses.replace(result, message=f"{note} {result.message or ''}".strip())


def _build(tokens) -> sympy.Expr:
    """Run the grammar under PARSE_SECONDS: SymPy evaluates constants as it builds,
    and a few constant expressions (exp of cosh of log of arcsin e) take it minutes."""
    _load_sympy_sums()
    try:
        with time_limit(PARSE_SECONDS) as expired:
            expr = Grammar(tokens).parse()
            check_whitelist(expr)
            return expr
    except RecursionError:
        raise ParseError("parse.too-deep", None, limit=100) from None
    except (MemoryError, OverflowError):
        raise ParseError("parse.too-complex", None) from None
    except TimeLimitExceeded as exc:
        if not isinstance(exc, expired):
            raise
        raise ParseError("parse.too-complex", None) from None


@lru_cache(maxsize=1)
def _load_sympy_sums() -> None:
    """Import what SymPy imports on the first sum it builds, outside the parse budget.

    ``Add.flatten`` imports sympy.tensor.tensor (0.6 s, seconds on a loaded machine) the
    first time a process adds anything, which once made a first ``x + 1`` "too complex".
    """
    import sympy.tensor.tensor  # noqa: F401


def parse_number(text: str) -> sympy.Expr:
    """An exact real constant from text, or ParseError ``parse.not-a-number``.

    >>> parse_number("0.1"), parse_number("2/3"), parse_number("1e-3")
    (1/10, 2/3, 1/1000)
    """
    value = parse(text, syntax="plain")
    if value.free_symbols or not value.is_extended_real:
        raise ParseError("parse.not-a-number", 0, text=text.strip())
    return value


def check_whitelist(expr: sympy.Expr) -> None:
    """Allow only the node types and symbol names students may write."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Symbol:
            if not _SYMBOL_NAME.match(node.name):
                raise ParseError("parse.not-allowed", None, name=node.name)
        elif node.is_Atom:
            if not (node.is_Rational or node in _ALLOWED_ATOMS):
                raise ParseError("parse.undefined" if node.has(sympy.zoo, sympy.nan, sympy.oo)
                                 else "parse.not-allowed", None, name=str(node))
        elif not isinstance(node, _ALLOWED_NODES):
            raise ParseError("parse.not-allowed", None, name=type(node).__name__)
