"""LaTeX (``align*`` fragment or standalone document) and Markdown renderings of steps.

Both write maths with SymPy's LaTeX printer in course notation (ln, and tg, ctg,
arctg, arcctg, cth, arsh, arch, arth in Russian); they differ only in layout.

>>> from sympy import Symbol, tan
>>> from derivtutor.steps.engine import differentiate
>>> print(course_latex(tan(Symbol("x")), "ru"))
\\operatorname{tg}{\\left(x \\right)}
"""
from __future__ import annotations

import re

from sympy import Expr, Symbol
from sympy.printing.latex import LatexPrinter as SympyLatexPrinter
from sympy.printing.precedence import PRECEDENCE

from derivtutor.render.text import Line, StepPrinter, sigmoid_pair

_RU_LATEX = (
    (re.compile(r"\\tan(?![a-zA-Z])"), r"\\operatorname{tg}"),
    (re.compile(r"\\cot(?![a-zA-Z])"), r"\\operatorname{ctg}"),
    (re.compile(r"\\arctan(?![a-zA-Z])"), r"\\operatorname{arctg}"),
    (re.compile(r"\\operatorname{arccot}"), r"\\operatorname{arcctg}"),
    (re.compile(r"\\sinh(?![a-zA-Z])"), r"\\operatorname{sh}"),
    (re.compile(r"\\cosh(?![a-zA-Z])"), r"\\operatorname{ch}"),
    (re.compile(r"\\tanh(?![a-zA-Z])"), r"\\operatorname{th}"),
    (re.compile(r"\\coth(?![a-zA-Z])"), r"\\operatorname{cth}"),
    (re.compile(r"\\operatorname{arsinh}"), r"\\operatorname{arsh}"),
    (re.compile(r"\\operatorname{arcosh}"), r"\\operatorname{arch}"),
    (re.compile(r"\\operatorname{artanh}"), r"\\operatorname{arth}"),
)

STANDALONE_PREAMBLE = {
    "en": ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath}\n"
           "\\usepackage[margin=2cm]{geometry}\n"),
    "ru": ("\\documentclass{article}\n\\usepackage[T2A]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
           "\\usepackage[russian]{babel}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"),
}


class CourseLatexPrinter(SympyLatexPrinter):
    """SymPy's LaTeX printer, writing sigma(a)(1 - sigma(a)) in that order, relu and H(a)."""

    def _print_Max(self, expr, exp=None):
        if len(expr.args) == 2 and 0 in expr.args:
            inner = self._print([a for a in expr.args if a != 0][0])
            text = f"\\operatorname{{relu}}\\left({inner}\\right)"
        else:
            text = "\\max\\left(%s\\right)" % ", ".join(self._print(a) for a in expr.args)
        return text if exp is None else f"{text}^{{{exp}}}"

    def _print_Heaviside(self, expr, exp=None):
        text = f"H\\left({self._print(expr.args[0])}\\right)"
        return text if exp is None else f"{text}^{{{exp}}}"

    def _print_Mul(self, expr):
        pair = sigmoid_pair(expr)
        if pair is None:
            return super()._print_Mul(expr)
        rest, s = pair
        tail = f"{self._print(s)} \\left(1 - {self._print(s)}\\right)"
        if rest == 1 or rest == -1:
            return ("- " if rest == -1 else "") + tail
        return f"{self.parenthesize(rest, PRECEDENCE['Mul'])} {tail}"


def course_latex(expr: Expr, lang: str = "en") -> str:
    """LaTeX of ``expr`` with ln for the natural logarithm and, in Russian, the course names (tg, arctg, cth, arsh...)."""
    text = CourseLatexPrinter({"inv_trig_style": "full", "ln_notation": True}).doprint(expr)
    if lang == "ru":
        for pattern, replacement in _RU_LATEX:
            text = pattern.sub(replacement, text)
    return text


class LatexPrinter(StepPrinter):
    """An ``align*`` environment, one row per sentence and one per equation."""

    times = " \\cdot "

    def __init__(self, lang: str = "en", detail: str = "full", standalone: bool = False):
        super().__init__(lang, detail)
        self.standalone = standalone

    def math(self, expr: Expr) -> str:
        return course_latex(expr, self.lang)

    def inline(self, text: str) -> str:
        return f"${text}$"

    def deriv(self, expr: Expr, var: Symbol) -> str:
        return f"\\frac{{d}}{{d{self.math(var)}}} {self._wrap(expr)}"

    def _wrap(self, expr: Expr) -> str:
        text = self.math(expr)
        return text if (expr.is_Atom or expr.is_Function) else f"\\left({text}\\right)"

    @staticmethod
    def sentence(text: str, depth: int = 0) -> str:
        """A sentence row that wraps inside the page instead of running off its edge."""
        width = max(0.5, 0.92 - 0.06 * depth)
        return f"\\parbox[t]{{{width:.2f}\\linewidth}}{{\\raggedright {text}}}"

    def layout(self, derivation, lines: list[Line]) -> str:
        rows = [f"&{self.sentence(self.heading(derivation))}"]
        for number, line in enumerate(lines, 1):
            self._emit(line, rows, 0, f"{number}. ")
        rows.append(f"&{self.sentence(self.answer(derivation))}")
        body = "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
        if not self.standalone:
            return body
        return (STANDALONE_PREAMBLE[self.lang] + "\\allowdisplaybreaks\n\\begin{document}\n"
                + body + "\n\\end{document}\n")

    def _emit(self, line: Line, rows: list[str], depth: int, bullet: str) -> None:
        indent = "\\qquad " * depth
        rows.append(f"&{indent}{self.sentence(bullet + line.sentence, depth)}")
        rows.append(f"&{indent}\\qquad {line.equation}")
        for sub in line.substeps:
            self._emit(sub, rows, depth + 1, "")


class MarkdownPrinter(LatexPrinter):
    """Markdown with ``$...$`` maths, for Jupyter and GitHub: a numbered list of steps."""

    def layout(self, derivation, lines: list[Line]) -> str:
        out = [self.heading(derivation), ""]
        for number, line in enumerate(lines, 1):
            self._emit_md(line, out, f"{number}. ", "   ")
        out += ["", f"**{self.answer(derivation)}**"]
        return "\n".join(out)

    def _emit_md(self, line: Line, out: list[str], bullet: str, indent: str) -> None:
        out.append(f"{bullet}{line.sentence}  ")
        out.append(f"{indent}${line.equation}$")
        for sub in line.substeps:
            self._emit_md(sub, out, indent + "- ", indent + "  ")
