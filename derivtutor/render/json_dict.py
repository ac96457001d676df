"""JSON rendering of a derivation, in the shape the CLI and other tools read.

``{"expression", "variable", "derivative", "derivative_latex", "steps": [STEP]}`` with
STEP = ``{"rule", "expression", "result", "text", "latex", "substeps": [STEP]}``.
``text`` is the step's sentence, ``latex`` its equation; both come from the
per-class printers, so JSON needs no rule-specific code of its own.

>>> from sympy import Symbol, sin
>>> from derivtutor.steps.engine import differentiate
>>> d = derivation_dict(differentiate(sin(Symbol("x"))))
>>> d["derivative"], d["steps"][0]["rule"]
('cos(x)', 'sin')
"""
from __future__ import annotations

from sympy import sstr

from derivtutor.render.text import Line, TextPrinter
from derivtutor.render.latex import LatexPrinter, course_latex


def derivation_dict(derivation, lang: str = "en", detail: str = "full", printers=None) -> dict:
    """The JSON-ready dictionary of a Derivation (``printers``: the text and LaTeX printer classes)."""
    text_cls, tex_cls = printers or (TextPrinter, LatexPrinter)
    text, tex = text_cls(lang, detail), tex_cls(lang, detail)
    return {
        "expression": sstr(derivation.expr),
        "variable": derivation.var.name,
        "derivative": sstr(derivation.result),
        "derivative_latex": course_latex(derivation.result, lang),
        "steps": [_step(text.line(step), tex.line(step)) for step in derivation.steps],
    }


def _step(text_line: Line, latex_line: Line) -> dict:
    rule = text_line.rule
    factors = getattr(rule, "factors", ())
    if rule.rule_id == "simplify" and factors:
        expression = "*".join(f"({sstr(f)})" for f in factors)
    else:
        expression = sstr(rule.expr)
    return {
        "rule": rule.rule_id,
        "expression": expression,
        "result": sstr(rule.eval()),
        "text": text_line.sentence,
        "latex": latex_line.equation,
        "substeps": [_step(t, l) for t, l in zip(text_line.substeps, latex_line.substeps)],
    }


__all__ = ["derivation_dict"]
