"""LaTeX (``align*`` fragment or standalone document) and Markdown renderings of steps.

Both write maths with SymPy's LaTeX printer in course notation (ln, and tg, ctg,
arctg, arcctg, cth, arsh, arch, arth in Russian); they differ only in layout.

>>> from sympy import Symbol, tan
>>> from derivtutor.steps.engine import differentiate
>>> print(course_latex(tan(Symbol("x")), "ru"))
\\operatorname{tg}{\\left(x \\right)}
"""
from __future__ import annotations

from sympy import Expr, Symbol

from derivtutor.catalogue import message
from derivtutor.render.notation import course_latex
from derivtutor.render.text import Line, StepPrinter

STANDALONE_PREAMBLE = {
    "en": ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath}\n"
           "\\usepackage[margin=2cm]{geometry}\n"),
    "ru": ("\\documentclass{article}\n\\usepackage[T2A]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
           "\\usepackage[russian]{babel}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"),
}


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
        rows.append(f"&{self.sentence(message('steps.answer', self.lang, equation=''))}")
        rows += [f"&\\qquad {part}" for part in self.broken(self.answer_equation(derivation))]
        body = "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
        if not self.standalone:
            return body
        return (STANDALONE_PREAMBLE[self.lang] + "\\allowdisplaybreaks\n\\begin{document}\n"
                + body + "\n\\end{document}\n")

    #: Equations longer than this (characters of LaTeX) go on one row per side: a display cannot wrap.
    LONG_EQUATION = 160

    def broken(self, equation: str) -> list[str]:
        """A long chain a = b = c as rows a, = b, = c so that no row runs off the page."""
        parts = equation.split(" = ")
        if len(equation) <= self.LONG_EQUATION or len(parts) < 2:
            return [equation]
        return [parts[0]] + [f"\\quad = {p}" for p in parts[1:]]

    def _emit(self, line: Line, rows: list[str], depth: int, bullet: str) -> None:
        indent = "\\qquad " * depth
        rows.append(f"&{indent}{self.sentence(bullet + line.sentence, depth)}")
        rows += [f"&{indent}\\qquad {part}" for part in self.broken(line.equation)]
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


class MathJaxPrinter(LatexPrinter):
    r"""One ``aligned`` block for Jupyter: MathJax has no \parbox, so sentences are \text rows."""

    def layout(self, derivation, lines: list[Line]) -> str:
        from derivtutor.render.jupyter import text

        rows = [text(self.heading(derivation))]
        for number, line in enumerate(lines, 1):
            self._emit_rows(line, rows, 0, f"{number}. ")
        rows += [text(message("steps.answer", self.lang, equation="")), self.answer_equation(derivation)]
        return r"$$\begin{aligned}" + r"\\".join("&" + row for row in rows) + r"\end{aligned}$$"

    def _emit_rows(self, line: Line, rows: list[str], depth: int, bullet: str) -> None:
        from derivtutor.render.jupyter import text

        indent = r"\qquad " * depth
        rows += [indent + text(bullet + line.sentence), indent + r"\qquad " + line.equation]
        for sub in line.substeps:
            self._emit_rows(sub, rows, depth + 1, "")
