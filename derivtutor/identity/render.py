"""Rendering of identity derivations (text, LaTeX, Markdown, JSON).

Display nodes are printed through ``_show_<ClassName>`` methods found along the
node's class hierarchy (SymPy expressions end at ``_show_Basic``); the reason for
each step comes from the message catalogue, and a differentiation step reuses the
step engine's sentence for its rule.

>>> from sympy import Symbol, tanh
>>> from derivtutor.identity.derive import prove_identity
>>> x = Symbol("x")
>>> print(prove_identity(tanh(x), 1 - tanh(x)**2, x, derivative=True).to_text().splitlines()[0])
Show that d/dx tanh(x) = 1 - tanh(x)^2.
"""
from __future__ import annotations

from sympy import cos, cosh, exp, fraction, sin, sinh, tan, tanh

from derivtutor.catalogue import message
from derivtutor.functions import sigmoid
from derivtutor.identity.display import Frac
from derivtutor.render.text import TextPrinter, course_str
from derivtutor.render.latex import STANDALONE_PREAMBLE, LatexPrinter, course_latex

#: Step kinds whose sentence lives elsewhere in the catalogue.
REASON_CODES = {"combine": "steps.simplify.combine", "recognise-sigmoid": "steps.simplify.sigmoid",
                "definition-sigmoid": "identity.step.definition", "definition-tanh": "identity.step.definition",
                "definition-tan": "identity.step.definition"}


class IdentityTextPrinter:
    """Plain text: the goal, then one '= form' line per step with its reason above it."""

    times, lpar, rpar = " * ", "(", ")"

    def __init__(self, lang: str = "en"):
        self.lang = lang
        self.steps = TextPrinter(lang, "brief")

    def show(self, node, nested: bool = False) -> str:
        for cls in type(node).__mro__:
            method = getattr(self, f"_show_{cls.__name__}", None)
            if method is not None:
                return method(node, nested)
        return str(node)

    def _show_int(self, node, nested):
        return str(node)

    def _show_Basic(self, node, nested):
        text = self.expr(node)
        return f"{self.lpar}{text}{self.rpar}" if nested and (node.is_Add or node.could_extract_minus_sign()) else text

    def expr(self, node) -> str:
        return course_str(node, self.lang)

    def _show_Prod(self, node, nested):
        return self.times.join(self.show(f, True) for f in node.factors)

    def _show_Frac(self, node, nested):
        def part(x):
            text = self.show(x)
            return f"({text})" if any(c in text for c in " +-*/") else text

        return f"{part(node.numer)}/{part(node.denom)}"

    def _show_Terms(self, node, nested):
        text = ""
        for k, (sign, item) in enumerate(node.items):
            shown = self.show(item, True)
            text += ("-" if sign < 0 else "") + shown if k == 0 else (" - " if sign < 0 else " + ") + shown
        return f"{self.lpar}{text}{self.rpar}" if nested else text

    def _show_Deriv(self, node, nested):
        text = self.show(node.expr)
        simple = hasattr(node.expr, "is_Atom") and (node.expr.is_Atom or node.expr.is_Function)
        return f"d/d{self.expr(node.var)} " + (text if simple else f"{self.lpar}{text}{self.rpar}")

    def inline(self, text: str) -> str:
        return text

    def reason(self, step, proof) -> str:
        if step.kind == "differentiate":
            return self.steps.line(step.rule).sentence
        code = REASON_CODES.get(step.kind, f"identity.step.{step.kind}")
        return message(code, self.lang, definition=self.definition(step, proof))

    def definition(self, step, proof) -> str:
        if step.kind == "recognise-softmax":
            return ", ".join(self.inline(f"{self.expr(s)} = {self.show(Frac(*fraction(d)))}")
                             for s, d in proof.definitions[:-1])
        if step.kind == "kronecker":
            delta, number = proof.definitions[-1]
            return self.inline(f"{self.expr(delta)} = {self.expr(number)}")
        a = proof.var
        pairs = {"definition-tanh": (tanh(a), sinh(a), cosh(a)), "definition-tan": (tan(a), sin(a), cos(a))}
        if step.kind in pairs:
            f, numer, denom = pairs[step.kind]
            return self.inline(f"{self.expr(f)} = {self.show(Frac(numer, denom))}")
        arg = next(iter(step.value.atoms(sigmoid))).args[0] if step.value.has(sigmoid) else a
        return self.inline(f"{self.expr(sigmoid(arg))} = {self.show(Frac(1, 1 + exp(-arg)))}")

    def goal(self, proof) -> str:
        sides = [self.show(proof.start)] + [self.expr(side) for side in (*proof.via, proof.rhs)]
        equation = self.inline(" = ".join(sides))
        return message("identity.goal", self.lang, equation=equation)

    def verdict(self, proof) -> list[str]:
        if proof.found:
            return [message("identity.done", self.lang)]
        second = "identity.sides-equal" if proof.sides_equal else "identity.sides-differ"
        return [message("identity.not-found", self.lang), message(second, self.lang)]

    def render(self, proof) -> str:
        out = [self.goal(proof)]
        if proof.found:
            out.append("  " + self.show(proof.start))
            for step in proof.steps:
                out.append(f"      [{self.reason(step, proof)}]")
                out.append("  = " + self.show(step.display))
        return "\n".join(out + self.verdict(proof))


class IdentityLatexPrinter(IdentityTextPrinter):
    """An ``align*`` chain: the left side, then '&= form && reason' rows."""

    times, lpar, rpar = " \\cdot ", "\\left(", "\\right)"

    def __init__(self, lang: str = "en", standalone: bool = False):
        super().__init__(lang)
        self.steps = LatexPrinter(lang, "brief")
        self.standalone = standalone

    def expr(self, node) -> str:
        return course_latex(node, self.lang)

    def inline(self, text: str) -> str:
        return f"${text}$"

    def _show_Deriv(self, node, nested):
        return f"\\frac{{d}}{{d{self.expr(node.var)}}} {self.show(node.expr, True)}"

    def _show_Frac(self, node, nested):
        return f"\\frac{{{self.show(node.numer)}}}{{{self.show(node.denom)}}}"

    def render(self, proof) -> str:
        rows = [f"&\\text{{{self.goal(proof)}}}"]
        if proof.found:
            rows.append(f"&{self.show(proof.start)}")
            for step in proof.steps:
                rows.append(f"&= {self.show(step.display)} &&\\text{{{self.reason(step, proof)}}}")
        rows += [f"&\\text{{{line}}}" for line in self.verdict(proof)]
        body = "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
        if not self.standalone:
            return body
        return STANDALONE_PREAMBLE[self.lang] + "\\begin{document}\n" + body + "\n\\end{document}\n"


class IdentityMarkdownPrinter(IdentityLatexPrinter):
    """Markdown: the goal, then a list of '$= form$ (reason)' items."""

    def render(self, proof) -> str:
        out = [self.goal(proof), ""]
        if proof.found:
            out.append(f"- ${self.show(proof.start)}$")
            out += [f"- ${'= ' + self.show(step.display)}$ ({self.reason(step, proof)})" for step in proof.steps]
            out.append("")
        return "\n".join(out + [f"**{line}**" for line in self.verdict(proof)])


def identity_dict(proof, lang: str = "en") -> dict:
    """JSON-ready form: goal, found, sides_equal and steps {kind, text, expression, latex, reason}."""
    text, tex = IdentityTextPrinter(lang), IdentityLatexPrinter(lang)
    return {
        "lhs": text.show(proof.start),
        "rhs": str(proof.rhs),
        "variable": proof.var.name,
        "found": proof.found,
        "sides_equal": proof.sides_equal,
        "steps": [{"kind": step.kind, "rule": step.rule.rule_id if step.rule else None,
                   "expression": str(step.value), "text": text.show(step.display),
                   "latex": tex.show(step.display), "reason": text.reason(step, proof)}
                  for step in proof.steps],
        "verdict": " ".join(text.verdict(proof)),
    }


__all__ = ["IdentityTextPrinter", "IdentityLatexPrinter", "IdentityMarkdownPrinter", "identity_dict"]
