"""Read matrix notation: ``||Xw - y||^2``, ``2X^T(Xw - y)``, ``\\|Xw - y\\|^2``, ``X^\\top``.

A small lexer and a recursive-descent parser of our own: nothing is evaluated.
Juxtaposition multiplies (``Xw``); a run of letters that is not a known function,
a declared name or a Greek letter is split into single letters (with their digits:
``W1x`` is W1·x). ``*`` and ``@`` are the matrix product (a scalar factor scales),
``.*`` and ``⊙``/``\\odot`` the elementwise one, ``./`` elementwise division,
``^T``, ``'``, ``ᵀ`` and ``^\\top`` the transpose.

>>> parse_matrix("||Xw - y||^2")
Reduce(fn='norm2', a=Add(a=MatMul(a=Sym(name='X'), b=Sym(name='w')), b=Scale(c=Num(value=Fraction(-1, 1)), a=Sym(name='y'))))
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from derivtutor.matrix.nodes import (
    Add, Div, Elem, Had, HDiv, MatMul, MatrixError, Node, Num, Pow, Reduce, Scale, Softmax, Sym, T,
)

MAX_LENGTH = 2000
#: name -> how a call is built
FUNCTIONS = {
    "exp": "exp", "log": "log", "ln": "log", "sigmoid": "sigmoid", "σ": "sigmoid", "tanh": "tanh",
    "th": "tanh", "relu": "relu", "step": "step", "heaviside": "step", "softmax": "softmax", "logsumexp": "logsumexp", "lse": "logsumexp",
    "sum": "sum", "norm": "norm", "trace": "trace", "tr": "trace",
}
GREEK = {"alpha", "beta", "gamma", "delta", "eta", "lambda", "lam", "mu", "rho", "tau", "epsilon"}
GREEK_CHARS = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "η": "eta", "λ": "lambda",
               "μ": "mu", "ρ": "rho", "τ": "tau", "ε": "epsilon"}
LATEX_WORDS = {  # \command -> token text
    "top": "ᵀ", "intercal": "ᵀ", "odot": "⊙", "circ": "⊙", "oslash": "⊘", "cdot": "*", "times": "*",
    "left": "", "right": "", "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", ",": "", ";": "",
    "quad": "", "!": "", "sigma": "σ", "exp": "exp", "log": "log", "ln": "log", "tanh": "tanh",
    "operatorname": "", "mathrm": "", "mathbf": "", "boldsymbol": "", "bm": "", "vec": "",
}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<command>\\(?:[A-Za-z]+|[|,;!]))
  | (?P<name>[A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]+\}?)?|[αβγδηλμρτεσ])
  | (?P<op>\.\*|\./|\|\||\*\*|[-+*/@^'ᵀ⊙⊘‖|(){}\[\],])
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str     # number | name | op
    text: str
    start: int
    end: int


def tokens(text: str, names: frozenset = frozenset()) -> list[Token]:
    """The tokens of ``text``; letter runs are split as the module docstring says."""
    if len(text) > MAX_LENGTH:
        raise MatrixError("matrix.too-long", None, limit=MAX_LENGTH)
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            raise MatrixError("matrix.bad-character", i, character=text[i])
        kind, value = m.lastgroup, m.group()
        if kind == "command":
            word = value[1:]
            if word in LATEX_WORDS:
                if LATEX_WORDS[word]:
                    out.append(Token("name" if LATEX_WORDS[word].isalpha() or word == "sigma" else "op",
                                     LATEX_WORDS[word], i, m.end()))
            elif word in GREEK or word in FUNCTIONS:
                out.append(Token("name", word, i, m.end()))
            elif word == "frac":
                out.append(Token("op", "\\frac", i, m.end()))
            else:
                raise MatrixError("matrix.unknown-command", i, command=value)
        elif kind == "name":
            out.extend(_split(value, i, names))
        elif kind != "space":
            out.append(Token(kind, "‖" if value == "||" else value, i, m.end()))
        i = m.end()
    return out


def _split(run: str, start: int, names: frozenset) -> list[Token]:
    plain = re.sub(r"_\{?([A-Za-z0-9]+)\}?", r"_\1", run)
    if plain in GREEK_CHARS:
        plain = GREEK_CHARS[plain]
    if plain in FUNCTIONS or plain in names or plain in GREEK or len(plain) == 1 or "_" in plain:
        return [Token("name", plain, start, start + len(run))]
    out, i = [], 0
    words = sorted((w for w in FUNCTIONS if w.isascii()), key=len, reverse=True)
    while i < len(run):  # a function name inside the run is kept whole: Atanh(w) is A·tanh(w)
        word = next((w for w in words if run.startswith(w, i) and len(w) > 1), None)
        if word is None:
            word = re.match(r"[A-Za-z][0-9]*", run[i:]).group()
        out.append(Token("name", word, start + i, start + i + len(word)))
        i += len(word)
    return out


class _Parser:
    def __init__(self, text: str, names: frozenset):
        self.text, self.toks, self.i = text, tokens(text, names), 0
        self.open_norms = 0  # inside ‖...‖ a bar closes; it cannot open a factor

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "op" and tok.text in texts

    def take(self, *texts: str) -> Token:
        tok = self.peek()
        if tok is None or tok.kind != "op" or tok.text not in texts:
            where = tok.start if tok else len(self.text)
            raise MatrixError("matrix.expected", where, expected=" ".join(texts))
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise MatrixError("matrix.empty", 0)
        node = self.expr()
        if self.peek() is not None:
            raise MatrixError("matrix.unexpected", self.peek().start, token=self.peek().text)
        return node

    def expr(self) -> Node:
        start = self.peek().start if self.peek() else len(self.text)
        node = self.unary()
        while self.at("+", "-"):
            sign = self.take("+", "-").text
            rhs = self.term()
            if sign == "-":
                rhs = Scale(Num(Fraction(-1)), rhs, span=rhs.span)
            node = Add(node, rhs, span=(start, rhs.span[1]))
        return node

    def unary(self) -> Node:
        if self.at("-"):
            tok = self.take("-")
            rhs = self.term()
            return Scale(Num(Fraction(-1)), rhs, span=(tok.start, rhs.span[1]))
        if self.at("+"):
            self.take("+")
        return self.term()

    def term(self) -> Node:
        """Elementwise products and quotients, below the matrix product: y ⊙ Xw = y ⊙ (Xw)."""
        node = self.product()
        while self.at(".*", "⊙", "./", "⊘"):
            op = self.take(".*", "⊙", "./", "⊘").text
            rhs = self.product()
            node = _BINARY[op](node, rhs, (node.span[0], rhs.span[1]))
        return node

    def product(self) -> Node:
        node = self.postfix()
        while True:
            tok = self.peek()
            if tok is None:
                return node
            if tok.kind == "op" and tok.text in ("*", "@", "/"):
                self.i += 1
                op = tok.text
            elif tok.kind in ("name", "number") or (tok.kind == "op" and tok.text in ("(", "{", "[", "\\frac")) \
                    or (tok.kind == "op" and tok.text in ("‖", "|") and not self.open_norms):
                op = "*"
            else:
                return node
            rhs = self.postfix()
            node = _BINARY[op](node, rhs, (node.span[0], rhs.span[1]))

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            if self.at("'", "ᵀ"):
                node = T(node, span=(node.span[0], self.take("'", "ᵀ").end))
            elif self.at("^"):
                node = self._power(node)
            else:
                return node

    def _power(self, node: Node) -> Node:
        self.take("^")
        braced = self.at("{")
        if braced:
            self.take("{")
        tok = self.peek()
        if tok is not None and (tok.text in ("T", "ᵀ", "top") or tok.text == "⊤"):
            self.i += 1
            result = T(node, span=(node.span[0], tok.end))
        elif tok is not None and tok.kind == "number":
            self.i += 1
            result = self._numeric_power(node, Fraction(tok.text), tok.end)
        elif tok is not None and tok.text == "-" and self.peek(1) and self.peek(1).kind == "number":
            self.i += 2
            result = self._numeric_power(node, -Fraction(self.toks[self.i - 1].text), self.toks[self.i - 1].end)
        else:
            raise MatrixError("matrix.bad-power", tok.start if tok else len(self.text))
        if braced:
            self.take("}")
        return result

    @staticmethod
    def _numeric_power(node: Node, n: Fraction, end: int) -> Node:
        if isinstance(node, Pow) and node.n == Fraction(1, 2) and isinstance(node.a, Reduce) and n == 2:
            return node.a  # ‖v‖^2
        return Pow(node, n, span=(node.span[0], end))

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise MatrixError("matrix.unexpected-end", len(self.text))
        self.i += 1
        if tok.kind == "number":
            return Num(Fraction(tok.text), span=(tok.start, tok.end))
        if tok.kind == "op" and tok.text in ("(", "{", "["):
            close = {"(": ")", "{": "}", "[": "]"}[tok.text]
            saved, self.open_norms = self.open_norms, 0
            inner = self.expr()
            end = self.take(close).end
            self.open_norms = saved
            return _respan(inner, tok.start, end)
        if tok.kind == "op" and tok.text in ("‖", "|"):
            self.open_norms += 1
            inner = self.expr()
            end = self.take(tok.text).end
            self.open_norms -= 1
            return Pow(Reduce("norm2", inner, span=(tok.start, end)), Fraction(1, 2), span=(tok.start, end))
        if tok.kind == "op" and tok.text == "\\frac":
            num, den = self.atom(), self.atom()
            return Div(num, den, span=(tok.start, den.span[1]))
        if tok.kind == "name" and tok.text in FUNCTIONS:
            return self._call(tok)
        if tok.kind == "name":
            return Sym(tok.text, span=(tok.start, tok.end))
        raise MatrixError("matrix.unexpected", tok.start, token=tok.text)

    def _call(self, tok: Token) -> Node:
        fn = FUNCTIONS[tok.text]
        if not self.at("(", "{", "["):
            raise MatrixError("matrix.call-needs-brackets", tok.end, name=tok.text)
        arg = self.atom()
        span = (tok.start, arg.span[1])
        if fn in ("sum", "trace", "logsumexp"):
            return Reduce(fn, arg, span=span)
        if fn == "norm":
            return Pow(Reduce("norm2", arg, span=span), Fraction(1, 2), span=span)
        if fn == "softmax":
            return Softmax(arg, span=span)
        return Elem(fn, arg, span=span)


def _respan(node: Node, start: int, end: int) -> Node:
    import dataclasses

    return dataclasses.replace(node, span=(start, end)) if hasattr(node, "span") else node


_BINARY = {
    "*": lambda a, b, s: MatMul(a, b, span=s), "@": lambda a, b, s: MatMul(a, b, span=s),
    ".*": lambda a, b, s: Had(a, b, span=s), "⊙": lambda a, b, s: Had(a, b, span=s),
    "/": lambda a, b, s: Div(a, b, span=s), "./": lambda a, b, s: HDiv(a, b, span=s),
    "⊘": lambda a, b, s: HDiv(a, b, span=s),
}


def parse_matrix(text: str, names=()) -> Node:
    """The expression tree of ``text``; raises MatrixError with a position."""
    return _Parser(text, frozenset(names)).parse()
