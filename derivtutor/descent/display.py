r"""The descent trace's table and stop sentence, and its rich display in Jupyter.

``Trace._repr_markdown_``, ``_repr_latex_`` and ``_repr_html_`` come from here: the
loss and gradient as maths, the iteration table (head and tail of a long run) and
why the run ended. Nothing here imports the lab, so the lab may call it.
"""
from __future__ import annotations

from derivtutor.catalogue import message
from derivtutor.render import jupyter
from derivtutor.render.notation import course_latex

#: Tables longer than this show their head and tail only (unless all_rows).
TABLE_ROWS = 25
HEAD_ROWS, TAIL_ROWS = 12, 8


def fmt(value: float) -> str:
    return f"{value:.6g}"


def point_text(point: dict) -> str:
    return ", ".join(f"{name} = {fmt(v)}" for name, v in point.items())


def table_header(trace) -> list[str]:
    names = trace.variables
    return ["k", *names, "L", *(f"dL/d{n}" for n in names), "|L_{k+1} - L_k|"]


def table_rows(trace) -> list[list[str]]:
    names = trace.variables
    return [[str(s.k), *(fmt(s.point[n]) for n in names), fmt(s.loss), *(fmt(s.grad[n]) for n in names),
             "" if s.change is None else fmt(s.change)] for s in trace.steps]


def stop_sentence(trace, lang: str = "en") -> str:
    """Why the run ended: the stop rule, the iteration limit, or how it diverged."""
    final = trace.final
    if trace.stopped == "eps":
        return message("descent.stopped-eps", lang, k=final.k, prev=final.k - 1, change=fmt(trace.steps[-2].change),
                       eps=fmt(trace.eps))
    if trace.stopped == "max_iter":
        change = trace.steps[-2].change if len(trace.steps) > 1 else 0.0
        return message("descent.stopped-max-iter", lang, k=final.k, change=fmt(change))
    if trace.cause == "blowup":
        size = max(abs(v) for v in final.point.values())
        return message("descent.stopped-blowup", lang, k=final.k, size=fmt(size))
    return message(f"descent.stopped-{trace.cause}", lang, k=final.k + 1)


def _shown_rows(trace) -> list[list[str]]:
    rows = table_rows(trace)
    if len(rows) <= TABLE_ROWS:
        return rows
    return rows[:HEAD_ROWS] + [["…"] * len(rows[0])] + rows[-TAIL_ROWS:]


def _formulas(trace, lang: str) -> list[str]:
    loss = message("descent.loss", lang, expr=f"${course_latex(trace.loss_expr, lang)}$")
    grads = [f"$\\frac{{\\partial L}}{{\\partial {n}}} = {course_latex(g, lang)}$" for n, g in trace.gradient.items()]
    return [loss, message("descent.gradient", lang), *grads]


def _closing(trace, lang: str) -> list[str]:
    final = trace.final
    return [stop_sentence(trace, lang),
            message("descent.final", lang, k=final.k, point=point_text(final.point), loss=fmt(final.loss))]


def trace_markdown(trace, lang: str = "en") -> str:
    """The run as Markdown: formulas, the iteration table, why it stopped."""
    return "\n\n".join([*_formulas(trace, lang), jupyter.markdown_table(table_header(trace), _shown_rows(trace)),
                        *_closing(trace, lang)])


def trace_latex(trace, lang: str = "en") -> str:
    """The run as LaTeX MathJax renders: an aligned block and an array."""
    rows = [jupyter.text(line) for line in _formulas(trace, lang)]
    head = r"$$\begin{aligned}" + r"\\".join("&" + r for r in rows) + r"\end{aligned}$$"
    tail = r"$$\begin{aligned}" + r"\\".join("&" + jupyter.text(t) for t in _closing(trace, lang)) \
        + r"\end{aligned}$$"
    return "\n".join([head, jupyter.latex_table(table_header(trace), _shown_rows(trace)), tail])


def trace_html(trace, lang: str = "en") -> str:
    """The iteration table as HTML, with why the run stopped as its caption."""
    return jupyter.html_table(table_header(trace), _shown_rows(trace), caption=" ".join(_closing(trace, lang)))
