"""Printing backprop derivations as text and LaTeX (and JSON-ready dicts).

Printers dispatch on the class name, as SymPy's printers do: a term or step
of class ``Outer`` is printed by ``_print_Outer``; adding a term type means
adding one method per printer.

>>> from derivtutor.backprop.network import NetworkSpec, derive_backprop
>>> net = derive_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
>>> TextPrinter().doprint(net.gradient("V"))
'dE/dV = dE/dp x^T'
>>> LatexPrinter().doprint(net.gradient("V"))
'\\\\frac{\\\\partial E}{\\\\partial V} = \\\\frac{\\\\partial E}{\\\\partial p} x^{T}'
"""
from __future__ import annotations

import sympy

from derivtutor.backprop.layer_rules import LAM
from derivtutor.render.notation import course_latex, course_name, course_str

_COMPOUND = ("Plus", "Hadamard", "Outer", "Scaled")
#: The notes' notation on the shared printer: terms in the order built, z - l, [a > 0].
SCALAR_OPTIONS = {"order": "none", "sums": "positive-first", "step": "bracket"}


class Printer:
    """Dispatch to ``_print_<ClassName>``; subclasses give the notation, ``lang`` the course's names."""

    def __init__(self, lang: str = "en"):
        self.lang = lang

    def doprint(self, obj) -> str:
        for cls in type(obj).__mro__:
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                return method(obj)
        raise TypeError(f"{type(self).__name__} cannot print {obj!r}")

    def _wrapped(self, term) -> str:
        text = self.doprint(term)
        name = type(term).__name__
        compound = name in _COMPOUND or (name == "Entrywise" and isinstance(term.expr, sympy.Add))
        return self.parens(text) if compound else text

    def _print_Step(self, step) -> str:
        return f"{self.grad_name(step.target[len('dE/d'):])} = {self.doprint(step.term)}"

    def _print_Grad(self, term) -> str:
        return self.grad_name(term.of)

    def _print_Plus(self, term) -> str:
        return f"{self.doprint(term.left)} + {self.doprint(term.right)}"

    def _print_Hadamard(self, term) -> str:
        return f"{self._wrapped(term.left)} {self.odot} {self._wrapped(term.right)}"


class TextPrinter(Printer):
    """Plain text: dE/dV = dE/dp x^T, ⊙ for the Hadamard product."""

    odot = "⊙"

    def parens(self, text: str) -> str:
        return f"({text})"

    def symbol(self, name: str) -> str:
        return name

    def grad_name(self, of: str) -> str:
        return f"dE/d{of}"

    def scalar(self, expr) -> str:
        return course_str(sympy.sympify(expr), self.lang, **SCALAR_OPTIONS)

    def _print_Quantity(self, term):
        return term.name

    def _print_Outer(self, term):
        return f"{self._wrapped(term.left)} {self._wrapped(term.right)}^T"

    def _print_TransposeTimes(self, term):
        return f"{self.doprint(term.matrix)}^T {self._wrapped(term.vector)}"

    def _print_Times(self, term):
        return f"{self.doprint(term.matrix)} {self._wrapped(term.vector)}"

    def _print_Entrywise(self, term):
        return self.scalar(term.expr)

    def _print_Scaled(self, term):
        return f"{self.scalar(term.factor)} {self._wrapped(term.term)}"

    def _print_Affine(self, step):
        return f"{step.target} = {step.W} {step.x} + {step.b}"

    def _print_Activation(self, step):
        if step.function == "linear":
            return f"{step.target} = {step.a}"
        name = {"sigmoid": "sigmoid", "tanh": "tanh"}.get(step.function)
        return f"{step.target} = {course_name(name, self.lang) if name else step.function}({step.a})"

    def _print_RowSum(self, term):
        return f"{self._wrapped(term.term)} 1"

    def _print_Loss(self, step):
        z, l = step.z, step.l
        text = {"ce": f"-sum_i {l}_i log {z}_i",
                "bce": f"-sum_i ({l}_i log {z}_i + (1 - {l}_i) log(1 - {z}_i))"}.get(step.kind, f"1/2 |{z} - {l}|^2")
        text = f"E = 1/N sum_n [{text}]" if step.mean else f"E = {text}"
        return text + (f" + lam ({' + '.join(f'|{p}|^2' for p in step.l2)})" if step.l2 else "")

    def _print_Factor(self, factor):
        return f"d{factor.numerator}/d{factor.denominator}"

    def _print_ScalarChain(self, chain):
        names = " · ".join(self.doprint(f) for f in chain.factors)
        values = " · ".join(self.parens(self.scalar(f.value)) if isinstance(f.value, sympy.Add)
                            else self.scalar(f.value) for f in chain.factors)
        l2 = f" + 2*lam*{chain.parameter}" if chain.l2 != 0 else ""
        return f"{self.grad_name(chain.parameter)} = {names}{l2} = {values}{l2}"


class LatexPrinter(Printer):
    r"""LaTeX: \frac{\partial E}{\partial V} = \frac{\partial E}{\partial p} x^{T}."""

    odot = r"\odot"

    def parens(self, text: str) -> str:
        return rf"\left({text}\right)"

    def symbol(self, name: str) -> str:
        return course_latex(sympy.Symbol(name), self.lang)

    def grad_name(self, of: str) -> str:
        return rf"\frac{{\partial E}}{{\partial {self.symbol(of)}}}"

    def scalar(self, expr) -> str:
        return course_latex(sympy.sympify(expr), self.lang, {LAM: r"\lambda"}, **SCALAR_OPTIONS)

    def _print_Quantity(self, term):
        return self.symbol(term.name)

    def _print_Outer(self, term):
        return rf"{self._wrapped(term.left)} {self._wrapped(term.right)}^{{T}}"

    def _print_TransposeTimes(self, term):
        return rf"{self.doprint(term.matrix)}^{{T}} {self._wrapped(term.vector)}"

    def _print_Times(self, term):
        return rf"{self.doprint(term.matrix)} {self._wrapped(term.vector)}"

    def _print_Entrywise(self, term):
        return self.scalar(term.expr)

    def _print_Scaled(self, term):
        return rf"{self.scalar(term.factor)} {self._wrapped(term.term)}"

    def _print_Affine(self, step):
        s = self.symbol
        return f"{s(step.target)} = {s(step.W)} {s(step.x)} + {s(step.b)}"

    def _print_Activation(self, step):
        name = {"sigmoid": r"\sigma", "tanh": r"\tanh" if self.lang == "en" else r"\operatorname{th}",
                "relu": r"\operatorname{ReLU}", "softmax": r"\operatorname{softmax}", "linear": ""}[step.function]
        return rf"{self.symbol(step.target)} = {name}\left({self.symbol(step.a)}\right)"

    def _print_RowSum(self, term):
        return rf"{self._wrapped(term.term)} \mathbf{{1}}"

    def _print_Loss(self, step):
        z, l = self.symbol(step.z), self.symbol(step.l)
        text = {"ce": rf"-\sum_i {l}_i \log {z}_i",
                "bce": rf"-\sum_i \left({l}_i \log {z}_i + (1 - {l}_i) \log (1 - {z}_i)\right)"}.get(
            step.kind, rf"\frac{{1}}{{2}} \lVert {z} - {l} \rVert^{{2}}")
        text = rf"E = \frac{{1}}{{N}} \sum_n \left[{text}\right]" if step.mean else f"E = {text}"
        norms = " + ".join(rf"\lVert {self.symbol(p)} \rVert^{{2}}" for p in step.l2)
        return text + (rf" + \lambda \left({norms}\right)" if step.l2 else "")

    def _print_Factor(self, factor):
        return rf"\frac{{\partial {self.symbol(factor.numerator)}}}{{\partial {self.symbol(factor.denominator)}}}"

    def _print_ScalarChain(self, chain):
        names = " ".join(self.doprint(f) for f in chain.factors)
        values = r" \cdot ".join(self.parens(self.scalar(f.value)) if isinstance(f.value, sympy.Add)
                                 else self.scalar(f.value) for f in chain.factors)
        l2 = rf" + 2 \lambda {self.symbol(chain.parameter)}" if chain.l2 != 0 else ""
        return f"{self.grad_name(chain.parameter)} = {names}{l2} = {values}{l2}"
