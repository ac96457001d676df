"""The steps of a matrix gradient as text, Markdown, LaTeX and JSON, in English or Russian.

>>> from derivtutor.matrix.api import matrix_gradient
>>> print(as_text(matrix_gradient("||w||^2", "w")).splitlines()[-1])
Result: ∂f/∂w = 2w   [n×1]
"""
from __future__ import annotations

from derivtutor.catalogue import message
from derivtutor.matrix.printing import latex, text


def step_dicts(g, lang: str = "en") -> list[dict]:
    """One dict a step: rule, sentence, the node, its gradient, the node's shape."""
    return [{
        "rule": step.rule,
        "sentence": message(f"matrix.rule.{step.rule}", lang),
        "node": text(step.node), "node_latex": latex(step.node),
        "gradient": text(step.adjoint), "gradient_latex": latex(step.adjoint),
        "shape": g.shape_of(step.node),
    } for step in g.steps]


def _heading(g, lang: str) -> str:
    return message("matrix.heading", lang, expression=g.source, variable=g.wrt,
                   layout=message(f"matrix.layout.{g.layout}", lang), shape=g.shape)


def as_text(g, lang: str = "en", check=None) -> str:
    lines = [_heading(g, lang)]
    for k, step in enumerate(step_dicts(g, lang), 1):
        lines.append(f"{k}. {step['sentence']}")
        lines.append(f"   ∂f/∂({step['node']}) = {step['gradient']}   [{step['shape']}]")
    lines.append(message("matrix.result", lang, variable=g.wrt, gradient=g.text, shape=g.shape))
    if check is not None:
        lines.append(check_sentence(check, lang))
    return "\n".join(lines)


def as_markdown(g, lang: str = "en", check=None) -> str:
    lines = [f"**{_heading(g, lang)}**", ""]
    for k, step in enumerate(step_dicts(g, lang), 1):
        lines.append(f"{k}. {step['sentence']}  ")
        lines.append(f"   $\\dfrac{{\\partial f}}{{\\partial ({step['node_latex']})}} = {step['gradient_latex']}$"
                     f" $[{step['shape']}]$")
    lines += ["", f"$$\\frac{{\\partial f}}{{\\partial {g.wrt}}} = {g.latex}$$"]
    if check is not None:
        lines += ["", check_sentence(check, lang)]
    return "\n".join(lines)


def as_latex(g, lang: str = "en") -> str:
    rows = [f"\\frac{{\\partial f}}{{\\partial ({s['node_latex']})}} &= {s['gradient_latex']}"
            f" && \\text{{{s['shape']}}}" for s in step_dicts(g, lang)]
    rows.append(f"\\frac{{\\partial f}}{{\\partial {g.wrt}}} &= {g.latex}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def as_dict(g, lang: str = "en", check=None) -> dict:
    data = {"expression": g.source, "wrt": g.wrt, "layout": g.layout, "gradient": g.text,
            "gradient_latex": g.latex, "shape": g.shape, "steps": step_dicts(g, lang)}
    if check is not None:
        data["check"] = check.to_dict()
    return data


def check_sentence(check, lang: str) -> str:
    key = "matrix.check.passed" if check.passed else "matrix.check.failed"
    return message(key, lang, error=f"{check.error:.1e}", count=len(check.errors))
