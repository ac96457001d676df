"""Printers for implicit differentiation: differentiate both sides, collect y', solve.

The four partial derivatives appear as substeps of the first step, each with its
own rule steps; the layouts are the single-derivative printers' (text, LaTeX,
Markdown), with the heading and answer of the equation.

>>> from sympy import symbols
>>> from derivtutor.steps.implicit import implicit
>>> x, y = symbols("x y")
>>> print(render_text(implicit(x**2 + y**2, 1, x, y)).splitlines()[-1])
Answer: y' = -x/y
"""
from __future__ import annotations

from sympy import sstr

from derivtutor.catalogue import message
from derivtutor.render.json_dict import derivation_dict
from derivtutor.render.latex import course_latex
from derivtutor.render.multivariate import PartialLatexPrinter, PartialMarkdownPrinter, PartialTextPrinter
from derivtutor.render.text import Line


class _Implicit:
    """Heading, answer and the three steps of an ImplicitDerivation, in any format."""

    def _eq(self, impl) -> str:
        return self.equation(self.math(impl.lhs), self.math(impl.rhs))

    def heading(self, impl) -> str:
        return message("calculus.implicit.heading", self.lang, equation=self.inline(self._eq(impl)),
                       x=self.inline(self.math(impl.x)), y=self.inline(self.math(impl.y)))

    def answer_equation(self, impl) -> str:
        return self.equation(self.math(impl.yprime), self.math(impl.result))

    def answer(self, impl) -> str:
        return message("calculus.implicit.answer", self.lang, equation=self.inline(self.answer_equation(impl)))

    def lines(self, impl) -> list[Line]:
        yp = impl.yprime
        names = {k: self.inline(self.math(v)) for k, v in (("x", impl.x), ("y", impl.y), ("yprime", yp))}
        both = self.equation(self.math(impl.lhs_x.result + impl.lhs_y.result * yp),
                             self.math(impl.rhs_x.result + impl.rhs_y.result * yp))
        first = Line(None, message("calculus.implicit.differentiate", self.lang, **names), both,
                     [self._partial(d) for d in (impl.lhs_x, impl.lhs_y, impl.rhs_x, impl.rhs_y)
                      if d.rule.rule_id != "constant"])  # a side free of the variable adds nothing
        collect = self.equation(self.math(impl.coefficient * yp), self.math(impl.free_part))
        solve = self.equation(self.math(yp), self.math(impl.solved), self.math(impl.result))
        if impl.solved == impl.result:
            solve = self.equation(self.math(yp), self.math(impl.result))
        return [first,
                Line(None, message("calculus.implicit.collect", self.lang, **names), collect),
                Line(None, message("calculus.implicit.solve", self.lang, **names), solve)]

    def _partial(self, d) -> Line:
        sentence = message("calculus.implicit.side", self.lang, side=self.inline(self.math(d.expr)),
                           var=self.inline(self.math(d.var)))
        steps = [] if self.detail == "brief" else [self.line(step, 1) for step in d.steps]
        return Line(None, sentence, self.equation(self.deriv(d.expr, d.var), self.math(d.result)), steps)


class ImplicitTextPrinter(_Implicit, PartialTextPrinter):
    pass


class ImplicitLatexPrinter(_Implicit, PartialLatexPrinter):
    pass


class ImplicitMarkdownPrinter(_Implicit, PartialMarkdownPrinter):
    pass


def render_text(impl, lang: str = "en", detail: str = "full") -> str:
    return ImplicitTextPrinter(lang, detail).render(impl)


def render_latex(impl, lang: str = "en", detail: str = "full", standalone: bool = False) -> str:
    return ImplicitLatexPrinter(lang, detail, standalone=standalone).render(impl)


def render_markdown(impl, lang: str = "en", detail: str = "full") -> str:
    return ImplicitMarkdownPrinter(lang, detail).render(impl)


def render_dict(impl, lang: str = "en", detail: str = "full") -> dict:
    """``{"equation", "variable", "function", "derivative", "derivative_latex", "steps", "partials"}``."""
    text, tex = ImplicitTextPrinter(lang, detail), ImplicitLatexPrinter(lang, detail)
    printers = (PartialTextPrinter, PartialLatexPrinter)
    steps = [{"step": kind, "text": t.sentence, "latex": l.equation}
             for kind, t, l in zip(("differentiate", "collect", "solve"), text.lines(impl), tex.lines(impl))]
    partials = {f"{side}_{v.name}": derivation_dict(getattr(impl, f"{side}_{n}"), lang, detail, printers)
                for side in ("lhs", "rhs") for n, v in (("x", impl.x), ("y", impl.y))}
    return {"equation": f"{sstr(impl.lhs)} = {sstr(impl.rhs)}", "variable": impl.x.name,
            "function": impl.y.name, "derivative": sstr(impl.result),
            "derivative_latex": course_latex(impl.result, lang), "steps": steps, "partials": partials}
