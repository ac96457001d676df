r"""LaTeX tokenizer: turns \frac, \sqrt, \left(, \cos^2 and friends into the
tokens the shared grammar reads. Every command must be on a whitelist
(``derivtutor.input.vocabulary``); anything else is an error at its position.

LaTeX reads one character as an argument when no braces follow:
``\frac12`` is 1/2 and ``x^23`` is x^2 * 3. Digits are split accordingly.
"""
from __future__ import annotations

import re

from derivtutor.input.errors import ParseError
from derivtutor.input.lexing import Token, exact_number
from derivtutor.input import vocabulary as V
from derivtutor.input.typos import typo_error

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_DIGITS = re.compile(r"\d+\.?\d*|\.\d+", re.ASCII)
_INDEXED = re.compile(r"[A-Za-z][0-9]*")
_SCI = re.compile(r"[eE]([+-]?\d+)", re.ASCII)
_DEGREES = re.compile(r"\^\s*(\{\s*\\circ\s*\}|\\circ(?![A-Za-z]))")
_SIMPLE = {"(": "lp", "[": "lp", ")": "rp", "]": "rp", "{": "lb", "}": "rb"}
_DERIVATIVE = re.compile(r"\\[dt]?frac\s*\{\s*(\\mathrm\s*\{\s*)?(d|\\partial)\b[^{]*(\{[^}]*\})?")


class _LatexLexer:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.tokens: list[Token] = []
        self.single = 0          # how many following arguments are single characters
        self.frac_groups: list[int] = []  # brace depths at which a \frac's first group opened
        self.depth = 0

    def next_char(self) -> str:
        j = self.i
        while j < len(self.text) and self.text[j] == " ":
            j += 1
        return self.text[j] if j < len(self.text) else ""

    def emit(self, kind: str, value, pos: int) -> None:
        self.tokens.append(Token(kind, value, pos))
        if kind not in ("lb",) and self.single:
            self.single -= 1

    def run(self) -> list[Token]:
        m = _DERIVATIVE.search(self.text)
        if m:
            raise ParseError("parse.calculus", m.start(), name=m.group(0))
        while self.i < len(self.text):
            self.step()
        self.tokens.append(Token("end", None, len(self.text)))
        return self.tokens

    def step(self) -> None:
        ch, pos = self.text[self.i], self.i
        if ch.isspace() or ch == "~":
            self.i += 1
        elif ch == "\\":
            self.command()
        elif ch in "0123456789" or (ch == "." and _DIGITS.match(self.text, pos)):
            self.number()
        elif ch.isascii() and ch.isalpha():
            # A letter with digits glued on is one symbol, as in plain text (w1 x + w0),
            # unless it is a one-character argument (\frac ab, x^a).
            m = _INDEXED.match(self.text, pos)
            word = ch if self.single else m.group(0)
            self.i = pos + len(word)
            self.emit("name", word, pos)
        elif ch in _SIMPLE:
            self.i += 1
            self.bracket(ch, pos)
        elif ch == "^" and _DEGREES.match(self.text, pos):
            self.i = _DEGREES.match(self.text, pos).end()
            self.degrees(pos)
        elif ch in "^_":
            self.i += 1
            self.emit("op", ch, pos)
            if self.next_char() not in ("{", "-"):
                self.single = 1
        elif ch in "+-*/,|=<>!":
            self.i += 1
            self.emit("op", ch, pos)
        elif not ch.isascii() and ch in V.GREEK_UNICODE:
            self.i += 1
            self.emit("name", V.GREEK_UNICODE[ch], pos)
        elif ch in V.LOOKALIKES:
            raise ParseError("parse.lookalike", pos, char=ch, latin=V.LOOKALIKES[ch])
        else:
            raise ParseError("parse.invalid-character", pos, char=ch)

    def bracket(self, ch: str, pos: int) -> None:
        if ch == "{":
            self.depth += 1
        elif ch == "}":
            self.depth -= 1
            if self.frac_groups and self.frac_groups[-1] == self.depth:
                self.frac_groups.pop()
                self.tokens.append(Token("rb", ch, pos))
                if self.next_char() != "{":
                    self.single = 1
                return
        self.emit(_SIMPLE[ch], ch, pos)

    def number(self) -> None:
        pos = self.i
        m = _DIGITS.match(self.text, pos)
        digits = m.group(0)
        exponent = 0
        if self.single:
            digits = digits[:1] if digits[0] != "." else digits[:2]
        self.i = pos + len(digits)
        sci = None if self.single else _SCI.match(self.text, self.i)
        if sci:  # 2.5E2 and 5.1e-2 are numbers, as in plain text
            exponent, self.i = int(sci.group(1)), sci.end()
        self.emit("num", exact_number(digits, pos, exponent), pos)

    def degrees(self, pos: int) -> None:
        """x^\\circ: degrees, x * pi/180, as a group so that sin 30^\\circ is sin(30 pi/180)."""
        self.tokens += [Token("lb", "{", pos), Token("name", "pi", pos), Token("op", "/", pos),
                        Token("num", exact_number("180", pos), pos), Token("rb", "}", pos)]

    def command(self) -> None:
        pos = self.i
        m = _COMMAND.match(self.text, pos)
        if not m:
            raise ParseError("parse.invalid-character", pos, char="\\")
        name = m.group(1)
        self.i = m.end()
        if name in V.LATEX_IGNORED:
            return
        handler = _COMMAND_HANDLERS.get(name)
        if handler is not None:
            handler(self, name, pos)
        elif name in V.LATEX_FUNCTIONS:
            kind = "name" if name == "sigma" else "func"
            self.emit(kind, V.LATEX_FUNCTIONS[name] if kind == "func" else "sigma", pos)
        elif name in V.LATEX_OPERATORS:
            self.emit("op", V.LATEX_OPERATORS[name], pos)
        elif name in V.LATEX_BARS:
            self.emit("op", "|", pos)
        elif name in V.LATEX_TRANSPARENT:
            if self.next_char() != "{":
                raise ParseError("parse.missing-argument", self.i, name="\\" + name)
        elif name in V.GREEK or name == "pi":
            self.emit("name", name, pos)
        elif name in V.LATEX_REJECTED:
            raise ParseError(f"parse.{V.LATEX_REJECTED[name]}", pos, name="\\" + name)
        else:
            raise typo_error(name, pos, "\\") or ParseError("parse.unknown-command", pos, name="\\" + name)

    def frac(self, name: str, pos: int) -> None:
        self.emit("frac", name, pos)
        if self.next_char() == "{":
            self.frac_groups.append(self.depth)
        else:
            self.single = 2

    def sqrt(self, name: str, pos: int) -> None:
        self.emit("sqrt", name, pos)
        if self.next_char() not in ("{", "["):
            self.single = 1

    def delimiter(self, name: str, pos: int) -> None:
        """\\left( and \\right): the delimiter after the command is an ordinary bracket."""
        nxt = self.next_char()
        self.i = self.text.index(nxt, self.i) if nxt else self.i
        if nxt == ".":
            self.i += 1
        elif nxt == "\\":
            m = _COMMAND.match(self.text, self.i)
            if m.group(1) in V.LATEX_BARS:  # \left\vert ... \right\vert
                return
            raise ParseError("parse.set" if m.group(1) in "{}" else "parse.unsupported", self.i,
                             name=m.group(0))

    def wrapped_name(self, name: str, pos: int) -> None:
        r"""\operatorname{arctg}, \mathrm{e}: the braced word is a name."""
        m = re.compile(r"\s*\{\s*([A-Za-z]+)\s*\}").match(self.text, self.i)
        if not m:
            raise ParseError("parse.unknown-command", pos, name="\\" + name)
        self.i = m.end()
        word = m.group(1)
        if word == "d":
            raise ParseError("parse.calculus", pos, name=m.group(0))
        canonical = V.LATEX_FUNCTIONS.get(word) or V.FUNCTION_ALIASES.get(word)
        if canonical is not None and word != "sigma":
            self.emit("func", canonical, pos)
            return
        error = typo_error(word, pos)
        if error is not None:
            raise error
        # \operatorname{foo} x and \mathrm{foo}(x) are functions we do not know, as plain foo(x) is
        if len(word) > 1 and (name == "operatorname" or self.next_char() == "("):
            raise ParseError("parse.unknown-function", pos, name=word)
        self.emit("name", word, pos)


_COMMAND_HANDLERS = {
    "frac": _LatexLexer.frac, "dfrac": _LatexLexer.frac, "tfrac": _LatexLexer.frac,
    "sqrt": _LatexLexer.sqrt,
    "left": _LatexLexer.delimiter, "right": _LatexLexer.delimiter,
    **{w: _LatexLexer.wrapped_name for w in V.LATEX_NAME_WRAPPERS},
}


def tokenize_latex(text: str) -> list[Token]:
    r"""LaTeX tokens: '\frac{1}{2}x' -> frac, lb, num 1, rb, lb, num 2, rb, name x."""
    return _LatexLexer(text).run()
