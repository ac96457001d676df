"""Printers for several derivatives at once: higher orders, gradients, Hessians, Jacobians.

Each entry is an ordinary Derivation, rendered by the single-derivative printers
(partial derivatives written with the partial sign); around the entries come a
heading and the whole result, a vector or matrix (``pmatrix`` in LaTeX).

>>> from sympy import symbols
>>> from derivtutor.steps.multivariate import gradient
>>> x, y = symbols("x y")
>>> print(render_text(gradient(x**2 * y), "en").splitlines()[-1])
Answer: ∇f = (2*x*y, x^2)
"""
from __future__ import annotations

from sympy import sstr

from derivtutor.catalogue import message
from derivtutor.render.json_dict import derivation_dict
from derivtutor.render.latex import STANDALONE_PREAMBLE, LatexPrinter, MarkdownPrinter, course_latex
from derivtutor.render.text import TextPrinter, course_str


class _Partial:
    """Writes derivatives with the partial sign (the other variables are constants)."""

    def deriv(self, expr, var):
        if self.symbol == "∂":
            return f"∂/∂{self.math(var)} {self._wrap(expr)}"
        return f"\\frac{{\\partial}}{{\\partial {self.math(var)}}} {self._wrap(expr)}"


class PartialTextPrinter(_Partial, TextPrinter):
    symbol = "∂"


class PartialLatexPrinter(_Partial, LatexPrinter):
    symbol = "\\partial"


class PartialMarkdownPrinter(_Partial, MarkdownPrinter):
    symbol = "\\partial"


_PRINTERS = {  # format -> (printer of a single derivative, printer of a partial derivative)
    "text": (TextPrinter, PartialTextPrinter),
    "latex": (LatexPrinter, PartialLatexPrinter),
    "markdown": (MarkdownPrinter, PartialMarkdownPrinter),
}


# --- the parts every format shares --------------------------------------------------
def _entries(result):
    """(heading code, fields, derivation) for every entry, in reading order."""
    xs = result.variables if result.kind != "order" else ()
    if result.kind == "order":
        for k, d in enumerate(result.orders, 1):
            yield ("calculus.order.first", {}, d) if k == 1 else \
                ("calculus.order.heading", {"order": k, "previous": k - 1}, d)
    elif result.kind == "gradient":
        for x, d in zip(xs, result.entries):
            yield "calculus.gradient.entry", {"var": x}, d
    elif result.kind == "hessian":
        yield from _entries(result.gradient)  # where each entry that is differentiated again comes from
        for i, row in enumerate(result.entries):
            for j, d in enumerate(row):
                yield "calculus.hessian.entry", {"i": i + 1, "j": j + 1, "partial": d.expr, "var": xs[j]}, d
    else:
        for i, row in enumerate(result.entries):
            for j, d in enumerate(row):
                yield "calculus.jacobian.entry", {"i": i + 1, "j": j + 1, "component": d.expr, "var": xs[j]}, d


def _heading(result, lang, show, inline):
    if result.kind == "order":
        return None
    names = ", ".join(inline(show(x)) for x in result.variables)
    if result.kind == "jacobian":
        expr = inline("(" + ", ".join(show(f) for f in result.components) + ")")
    else:
        expr = inline(show(result.expr))
    return message(f"calculus.{result.kind}.heading", lang, expr=expr, vars=names)


def _fields(fields, show, inline):
    return {k: v if isinstance(v, int) else inline(show(v)) for k, v in fields.items()}


def _name(result) -> str:
    return {"order": "", "gradient": "∇f", "hessian": "H", "jacobian": "J"}[result.kind]


# --- text ------------------------------------------------------------------------
def render_text(result, lang: str = "en", detail: str = "full") -> str:
    plain, partial = _PRINTERS["text"]
    printer = (plain if result.kind == "order" else partial)(lang, detail)
    show = printer.math
    out = [h] if (h := _heading(result, lang, show, printer.inline)) else []
    for code, fields, d in _entries(result):
        out += ["", message(code, lang, **_fields(fields, show, printer.inline)), printer.render(d)]
    out.append("")
    if result.kind == "order":
        eq = f"d^{len(result.orders)}/d{show(result.var)}^{len(result.orders)} {printer._wrap(result.expr)} = " \
             f"{show(result.result)}"
        out.append(message("calculus.order.answer", lang, equation=eq))
    else:
        out.append(message("calculus.vector.answer", lang, equation=f"{_name(result)} = {_text_value(result, lang)}"))
    return "\n".join(out)


def _text_value(result, lang) -> str:
    value = result.result
    if result.kind == "gradient":
        return "(" + ", ".join(course_str(v, lang) for v in value) + ")"
    return "[" + ", ".join("[" + ", ".join(course_str(v, lang) for v in row) + "]" for row in value) + "]"


# --- LaTeX and Markdown --------------------------------------------------------------
def latex_value(result, lang: str = "en") -> str:
    """The whole result in LaTeX: a column vector or a matrix (pmatrix)."""
    value = result.result
    if result.kind == "order":
        return course_latex(value, lang)
    rows = [[v] for v in value] if result.kind == "gradient" else value
    body = " \\\\ ".join(" & ".join(course_latex(v, lang) for v in row) for row in rows)
    return f"\\begin{{pmatrix}} {body} \\end{{pmatrix}}"


def _latex_answer(result, lang) -> str:
    if result.kind == "order":
        n = len(result.orders)
        lhs = f"\\frac{{d^{{{n}}}}}{{d{course_latex(result.var, lang)}^{{{n}}}}} \\left({course_latex(result.expr, lang)}\\right)"
    else:
        lhs = {"gradient": "\\nabla f", "hessian": "H", "jacobian": "J"}[result.kind]
    return f"{lhs} = {latex_value(result, lang)}"


def render_latex(result, lang: str = "en", detail: str = "full", standalone: bool = False) -> str:
    plain, partial = _PRINTERS["latex"]
    printer = (plain if result.kind == "order" else partial)(lang, detail)
    parts = [f"\\noindent {h}\n" if (h := _heading(result, lang, printer.math, printer.inline)) else ""]
    for code, fields, d in _entries(result):
        parts.append("\\noindent " + message(code, lang, **_fields(fields, printer.math, printer.inline)) + "\n")
        parts.append(printer.render(d) + "\n")
    parts.append(f"\\[ {_latex_answer(result, lang)} \\]")
    body = "\n".join(p for p in parts if p)
    if not standalone:
        return body
    return STANDALONE_PREAMBLE[lang] + "\\allowdisplaybreaks\n\\begin{document}\n" + body + "\n\\end{document}\n"


def render_markdown(result, lang: str = "en", detail: str = "full") -> str:
    plain, partial = _PRINTERS["markdown"]
    printer = (plain if result.kind == "order" else partial)(lang, detail)
    out = [h, ""] if (h := _heading(result, lang, printer.math, printer.inline)) else []
    for code, fields, d in _entries(result):
        out += [f"### {message(code, lang, **_fields(fields, printer.math, printer.inline))}", "",
                printer.render(d), ""]
    out.append(f"**{message('calculus.vector.answer', lang, equation='$' + _latex_answer(result, lang) + '$')}**")
    return "\n".join(out)


# --- JSON ----------------------------------------------------------------------------
def render_dict(result, lang: str = "en", detail: str = "full") -> dict:
    """The JSON-ready dictionary: the result under its kind's name, and every entry's steps."""
    printers = (PartialTextPrinter, PartialLatexPrinter)
    one = lambda d: derivation_dict(d, lang, detail, printers)  # noqa: E731
    if result.kind == "order":
        orders = [{"order": k, **derivation_dict(d, lang, detail)} for k, d in enumerate(result.orders, 1)]
        return {"expression": sstr(result.expr), "variable": result.var.name, "order": len(orders),
                "derivative": sstr(result.result), "derivative_latex": course_latex(result.result, lang),
                "orders": orders}
    out = {"variables": [x.name for x in result.variables]}
    if result.kind == "jacobian":
        out["components"] = [sstr(f) for f in result.components]
    else:
        out["expression"] = sstr(result.expr)
    if result.kind == "gradient":
        out["gradient"] = {x.name: sstr(d.result) for x, d in zip(result.variables, result.entries)}
        out["derivations"] = {x.name: one(d) for x, d in zip(result.variables, result.entries)}
    else:
        out[result.kind] = [[sstr(d.result) for d in row] for row in result.entries]
        out["derivations"] = [[one(d) for d in row] for row in result.entries]
    if result.kind == "hessian":
        out["gradient"] = {x.name: sstr(d.result) for x, d in zip(result.variables, result.gradient.entries)}
    out[f"{result.kind}_latex"] = latex_value(result, lang)
    return out
