"""Turn raw name tokens into functions, constants and symbols.

Plain text writes names without separators, so a letter run is split into the
words it is made of: ``sinx`` is sin x, ``xy`` is x*y, while ``w1``, ``arctg``,
``sigma`` and ``lambda`` stay whole. Digits after a letter belong to it
(``w1`` is one symbol), and a subscript joins it (``w_1`` and ``w_{1}`` are
``w1`` too). A multi-letter word that is not known and is applied to
parentheses, ``foo(x)``, is an unknown function, not f*o*o*x.
"""
from __future__ import annotations

import re
from functools import lru_cache

from derivtutor.input import vocabulary as V
from derivtutor.input.errors import ParseError
from derivtutor.input.lexing import Token, exact_number
from derivtutor.input.typos import typo_error

UNDEFINED_NAMES = frozenset({"oo", "zoo", "nan", "inf", "infinity", "undefined", "NaN", "Inf"})
_RUN = re.compile(r"([A-Za-z]+)([0-9]*)$")
#: Tokens after a word that make it read as applied to an argument: sni x, sni(x), sni 2x.
_ARGUMENT_START = frozenset({"lp", "name", "num", "sym", "const", "func", "lb"})


@lru_cache(maxsize=64)
def _known_words(variables: frozenset | None) -> frozenset[str]:
    words = set(V.FUNCTION_ALIASES) | set(V.CONSTANTS) | set(V.GREEK)
    return frozenset(words | {v for v in variables or () if v.isalpha()})


def segment(letters: str, known: set[str]) -> list[str]:
    """Split a letter run into known words, longest first, else single letters.

    >>> segment("sinx", {"sin", "x"})
    ['sin', 'x']
    """
    if letters in known:
        return [letters]
    pieces, i = [], 0
    longest = max(map(len, known), default=1)
    while i < len(letters):
        for size in range(min(longest, len(letters) - i), 0, -1):
            word = letters[i:i + size]
            if size == 1 or word in known:
                pieces.append(word)
                i += size
                break
    return pieces


def word_token(word: str, pos: int, next_token: Token | None) -> Token:
    """A resolved token for one word: func, const or sym."""
    applied = next_token is not None and next_token.kind == "lp"
    if word in ("sigma", "σ") and applied:
        return Token("func", "sigmoid", pos)
    if word in V.FUNCTION_ALIASES and word not in V.GREEK:
        return Token("func", V.FUNCTION_ALIASES[word], pos)
    if word in V.CONSTANTS:
        return Token("const", V.CONSTANTS[word], pos)
    return Token("sym", word, pos)


def _check_word(word: str, pos: int) -> None:
    low = word.lower()
    if low in V.CALCULUS_NAMES:
        raise ParseError("parse.calculus", pos, name=word)
    if low in V.FORBIDDEN_NAMES:
        raise ParseError("parse.forbidden-name", pos, name=word)
    if word in UNDEFINED_NAMES:
        raise ParseError("parse.undefined", pos)


def expand_run(token: Token, next_token: Token, variables) -> list[Token]:
    """Resolve one plain-text letter run (with trailing digits) into tokens."""
    letters, digits = _RUN.match(token.value).groups()
    _check_word(letters, token.pos)
    if variables and token.value in variables:
        return [Token("sym", token.value, token.pos)]
    known = _known_words(frozenset(variables) if variables else None)
    pieces = segment(letters, known)
    applied = next_token.kind == "lp"
    unknown_letters = [p for p in pieces if len(p) == 1 and p not in known]
    if _looks_mistyped(letters, pieces, unknown_letters, token, next_token, variables, digits):
        error = typo_error(letters, token.pos)
        if error is not None:
            raise error
    if applied and not digits and len(letters) > 1 and pieces[-1] not in V.FUNCTION_ALIASES \
            and unknown_letters:
        raise typo_error(letters, token.pos) or ParseError("parse.unknown-function", token.pos, name=letters)
    out, pos = [], token.pos
    for k, piece in enumerate(pieces):
        last = k == len(pieces) - 1
        nxt = next_token if last and not digits else None
        if last and digits and (len(piece) == 1 or piece in V.GREEK or piece in (variables or ())):
            out.append(Token("sym", piece + digits, pos))
            return out
        out.append(word_token(piece, pos, nxt))
        pos += len(piece)
    if digits:
        out.append(Token("num", exact_number(digits, pos), pos))
    return out


def _looks_mistyped(letters, pieces, stray, token, next_token, variables, digits) -> bool:
    """Whether a letter run applied like a function may be a typo of a function name.

    Applied: a bracket, an operand (``sni x``), digits or (with variables) a power (``sni^2 x``) follows.
    Letters only (``cso``) may be a typo; so may a function word with stray letters
    that are not the exercise's variables (``coss x``, ``lnn x``, ``arcsh x``): with no
    variables given, only a doubled last letter counts (``sinx y`` stays sin(x*y)).
    """
    # A power counts only against declared variables: without them abc^2 may be a*b*c^2.
    power = bool(variables) and next_token.kind == "op" and next_token.value == "^"
    if not (digits or power or next_token.kind in _ARGUMENT_START):
        return False
    if all(len(p) == 1 for p in pieces):
        return bool(stray) or not variables
    if not stray:
        return False
    if variables:
        return True
    spaced = next_token.pos > token.pos + len(token.value)
    return spaced and len(letters) > 2 and letters[-1] == letters[-2] and pieces[-1] == letters[-1]


def resolve_plain(tokens: list[Token], variables=None) -> list[Token]:
    """Resolve every plain name token and join subscripts (w_1 -> w1)."""
    out: list[Token] = []
    tokens = join_underscored(tokens)
    for k, t in enumerate(tokens):
        if t.kind == "name":
            out.extend(expand_run(t, tokens[k + 1], variables))
        else:
            out.append(t)
    return join_subscripts(lift_subscripts(out))


def join_underscored(tokens: list[Token]) -> list[Token]:
    """name '_' name -> one function token when the joined word is a function written with '_'.

    >>> [t.value for t in join_underscored([Token("name", "leaky", 0), Token("op", "_", 5),
    ...                                     Token("name", "relu", 6), Token("end", None, 10)])]
    ['leaky_relu', None]
    """
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if (t.kind == "name" and i + 2 < len(tokens) and tokens[i + 1].kind == "op" and tokens[i + 1].value == "_"
                and tokens[i + 2].kind == "name"
                and f"{t.value}_{tokens[i + 2].value}" in V.UNDERSCORED_FUNCTIONS):
            out.append(Token("func", V.FUNCTION_ALIASES[f"{t.value}_{tokens[i + 2].value}"], t.pos))
            i += 3
            continue
        out.append(t)
        i += 1
    return out


def resolve_latex(tokens: list[Token], variables=None) -> list[Token]:
    """Resolve LaTeX names (single letters, Greek, \\operatorname words) and subscripts."""
    check_bare_functions(tokens)
    out: list[Token] = []
    for k, t in enumerate(tokens):
        if t.kind == "name":
            _check_word(t.value, t.pos)
            out.append(word_token(t.value, t.pos, tokens[k + 1]))
        else:
            out.append(t)
    return join_subscripts(lift_subscripts(out))


def check_bare_functions(tokens: list[Token]) -> None:
    """Refuse letters that spell a function without its backslash (``cos x``, ``sni x`` in LaTeX).

    LaTeX reads ``cos`` as c*o*s; a student who typed it meant the function, so it is
    invalid, not a product to grade. Only adjacent single letters count (``xy`` stays x*y).
    """
    def letter(t: Token) -> bool:
        return t.kind == "name" and len(t.value) == 1

    k = 0
    while k < len(tokens) - 1:
        j = k
        while letter(tokens[j]) and letter(tokens[j + 1]) and tokens[j + 1].pos == tokens[j].pos + 1:
            j += 1
        if j > k:
            word, applied = "".join(t.value for t in tokens[k:j + 1]), tokens[j + 1].kind in _ARGUMENT_START
            if word in V.function_spellings() and (applied or len(word) > 2):
                raise ParseError("parse.latex-bare-function", tokens[k].pos, name=word)
            error = typo_error(word, tokens[k].pos, "\\") if applied else None
            if error is not None:
                raise error
        k = j + 1


def lift_subscripts(tokens: list[Token]) -> list[Token]:
    """Superscript before subscript, as LaTeX allows: x^2_1 -> x_1^2, \\lambda^2_i -> \\lambda_i^2."""
    out = list(tokens)
    i = 0
    while i < len(out):
        if out[i].kind == "sym" and out[i + 1].kind == "op" and out[i + 1].value == "^":
            sup_end = _argument_end(out, i + 2)
            if sup_end is not None and out[sup_end].kind == "op" and out[sup_end].value == "_":
                sub_end = _argument_end(out, sup_end + 1)
                if sub_end is not None:
                    out[i + 1:sub_end] = out[sup_end:sub_end] + out[i + 1:sup_end]
        i += 1
    return out


def _argument_end(tokens: list[Token], i: int) -> int | None:
    """Index after the single token or braced group starting at ``i`` (None when neither)."""
    t = tokens[i]
    if t.kind in ("num", "sym", "const"):
        return i + 1
    if t.kind != "lb":
        return None
    depth = 0
    for j in range(i, len(tokens)):
        depth += {"lb": 1, "rb": -1}.get(tokens[j].kind, 0)
        if depth == 0:
            return j + 1
    return None


def join_subscripts(tokens: list[Token]) -> list[Token]:
    """sym '_' (num | sym | '{' num/sym... '}') -> one symbol: w_1, w_{1}, x_{ij} -> w1, xij."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "sym" and tokens[i + 1].kind == "op" and tokens[i + 1].value == "_":
            text, i = _subscript_text(tokens, i + 2)
            out.append(Token("sym", t.value + text, t.pos))
            continue
        out.append(t)
        i += 1
    return out


def _subscript_text(tokens: list[Token], i: int) -> tuple[str, int]:
    t = tokens[i]
    if t.kind in ("num", "sym"):
        return _piece(t), i + 1
    if t.kind == "lb":
        parts, j = [], i + 1
        while tokens[j].kind in ("num", "sym"):
            parts.append(_piece(tokens[j]))
            j += 1
        if tokens[j].kind == "rb" and parts:
            return "".join(parts), j + 1
        t = tokens[j]
    raise ParseError("parse.bad-subscript", t.pos)


def _piece(t: Token) -> str:
    if t.kind == "num":
        if not t.value.is_Integer or t.value < 0:
            raise ParseError("parse.bad-subscript", t.pos)
        return str(t.value)
    return t.value
