"""Matrix expressions as text (which ``parse_matrix`` reads back) and as LaTeX.

>>> from derivtutor.matrix.syntax import parse_matrix
>>> text(parse_matrix("2 X^T (X w - y)")), latex(parse_matrix("||X w - y||^2"))
('2X^T(Xw - y)', '\\\\left\\\\| X w - y \\\\right\\\\|^{2}')
"""
from __future__ import annotations

from fractions import Fraction

from derivtutor.matrix.nodes import Add, Div, Elem, Eye, Had, HDiv, MatMul, Node, Num, Ones, Pow, Reduce, Scale, Softmax, Sym, T

GREEK_TEXT = {"lambda": "λ", "lam": "λ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η",
              "mu": "μ", "rho": "ρ", "tau": "τ", "epsilon": "ε"}
_PREC = {Add: 10, Had: 15, HDiv: 15, Scale: 20, MatMul: 20, Div: 20}


def _prec(node: Node) -> int:
    if isinstance(node, Num) and (node.value < 0 or node.value.denominator != 1):
        return 20
    if isinstance(node, Scale) and _negative(node):
        return 12
    return _PREC.get(type(node), 30)


def _negative(node: Node) -> bool:
    return isinstance(node, Scale) and isinstance(node.c, Num) and node.c.value < 0


class _Printer:
    latex = False

    def __call__(self, node: Node) -> str:
        return getattr(self, "_" + type(node).__name__)(node)

    def wrap(self, node: Node, above: int) -> str:
        out = self(node)
        if _prec(node) < above:
            return self.paren(out)
        return out

    def paren(self, inner: str) -> str:
        return f"\\left({inner}\\right)" if self.latex else f"({inner})"

    def number(self, value: Fraction) -> str:
        if value.denominator == 1:
            return str(value.numerator)
        if self.latex:
            sign = "-" if value < 0 else ""
            return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
        return f"{value.numerator}/{value.denominator}"

    def _Num(self, node):
        return self.number(node.value)

    def _Add(self, node):
        left = self(node.a)
        if _negative(node.b):
            k = -node.b.c.value
            rest = node.b.a if k == 1 else Scale(Num(k), node.b.a)
            return f"{left} - {self.wrap(rest, 11)}"
        return f"{left} + {self.wrap(node.b, 11)}"

    def _Scale(self, node):
        if isinstance(node.c, Num) and node.c.value == -1:
            return "-" + self.wrap(node.a, 20)
        return self.join(self.wrap(node.c, 20), self.wrap(node.a, 20))

    def _MatMul(self, node):
        return self.join(self.wrap(node.a, 20), self.wrap(node.b, 21))

    def _Div(self, node):
        if self.latex:
            return f"\\frac{{{self(node.a)}}}{{{self(node.c)}}}"
        return f"{self.wrap(node.a, 20)}/{self.wrap(node.c, 21)}"

    def _Had(self, node):
        op = " \\odot " if self.latex else " ⊙ "
        return self.wrap(node.a, 15) + op + self.wrap(node.b, 15 if isinstance(node.b, Had) else 16)

    def _HDiv(self, node):
        op = " \\oslash " if self.latex else " ⊘ "
        return self.wrap(node.a, 15) + op + self.wrap(node.b, 16)

    def _T(self, node):
        return self.wrap(node.a, 30) + ("^{\\top}" if self.latex else "^T")

    def _Pow(self, node):
        if isinstance(node.a, Reduce) and node.a.fn == "norm2" and node.n == Fraction(1, 2):
            return self.norm(node.a.a)
        if isinstance(node.a, Reduce) and node.a.fn == "norm2" and (2 * node.n).denominator == 1:
            node = Pow(Pow(node.a, Fraction(1, 2)), 2 * node.n)
        exponent = self.number(node.n)
        return self.wrap(node.a, 30) + (f"^{{{exponent}}}" if self.latex else f"^({exponent})" if node.n.denominator != 1 or node.n < 0 else f"^{exponent}")

    def norm(self, node):
        return f"\\left\\| {self(node)} \\right\\|" if self.latex else f"||{self(node)}||"

    def _Reduce(self, node):
        if node.fn == "norm2":
            return self.norm(node.a) + ("^{2}" if self.latex else "^2")
        name = {"sum": "sum", "trace": "tr", "logsumexp": "logsumexp"}[node.fn]
        return self.call(name, node.a)

    def _Softmax(self, node):
        return self.call("softmax", node.a)

    def _Elem(self, node):
        name = {"sigmoid": "σ"}.get(node.fn, node.fn)
        if self.latex:
            name = {"sigmoid": "\\sigma", "exp": "\\exp", "log": "\\log", "tanh": "\\tanh"}.get(node.fn, node.fn)
        return self.call(name, node.a)

    def call(self, name: str, arg: Node) -> str:
        if self.latex and not name.startswith("\\"):
            name = f"\\operatorname{{{name}}}"
        return name + self.paren(self(arg))

    def _Sym(self, node):
        if self.latex:
            if node.name in GREEK_TEXT:
                return "\\" + ("lambda" if node.name == "lam" else node.name)
            base, _, sub = node.name.partition("_")
            return f"{base}_{{{sub}}}" if sub else node.name
        return GREEK_TEXT.get(node.name, node.name)

    def _Ones(self, node):
        return "\\mathbf{1}" if self.latex else "1"

    def _Eye(self, node):
        return "I"

    def join(self, left: str, right: str) -> str:
        if self.latex:
            return f"{left} {right}"
        glue = "" if (left[-1:].isdigit() and right[:1].isalpha()) or right.startswith("(") \
            or (len(left) == 1 and left.isalpha() and right[:1].isalpha() and not right[1:2].isalnum()) else " "
        if left[-1:].isdigit() and right[:1].isdigit():
            glue = " * "
        return left + glue + right


class _Latex(_Printer):
    latex = True


def text(node: Node) -> str:
    return _Printer()(node)


def latex(node: Node) -> str:
    return _Latex()(node)
