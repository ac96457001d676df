"""Rendering of derivation steps: the shared printer and the plain-text format.

A printer turns each rule into a ``Line`` (a sentence from the message catalogue
and an equation) by dispatching on the rule's class: ``_print_<ClassName>`` is
looked up along the class hierarchy, like SymPy's printers, ending at
``_print_Rule``. Formats differ only in how they write maths (``math``,
``deriv``, ``product``) and how they lay the lines out (``layout``); the LaTeX,
Markdown and JSON formats live in ``rendering_latex`` and ``rendering_json``.

>>> from sympy import Symbol, tan
>>> from derivtutor.steps.engine import differentiate
>>> print(TextPrinter("en").render(differentiate(tan(Symbol("x")**2))).splitlines()[-1])
Answer: d/dx tg(x^2) = 2*x/cos(x^2)^2
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sympy import Abs, Expr, Mul, Pow, Symbol, cos, cosh, cot, exp, log, sign, sin, sinh, tan, tanh

from derivtutor.catalogue import message
from derivtutor.functions import sigmoid
from derivtutor.render.notation import course_str, sigmoid_pair  # noqa: F401 -- the one student printer

#: The functions a ratio step may introduce, and the two pairs the Pythagorean step knows.
_RATIOS = {tan: "tan", cot: "cot", tanh: "tanh"}
_PYTHAGOREAN = {"trig": (sin, cos), "hyperbolic": (sinh, cosh)}


def simplify_code(rule) -> str:
    """The message of a simplification step, naming only the variant that applies.

    >>> from sympy import Symbol, sin, cos, tan
    >>> from derivtutor.steps.simplification import SimplifyStep
    >>> x = Symbol("x")
    >>> simplify_code(SimplifyStep(sin(x)/cos(x), x, tan(x), "tan"))
    'steps.simplify.ratio-tan'
    """
    if rule.kind == "tan":
        new = [name for f, name in _RATIOS.items() if rule.result.has(f) and not rule.expr.has(f)]
        if len(new) == 1:
            return f"steps.simplify.ratio-{new[0]}"
    if rule.kind == "pythagorean":
        used = [name for name, pair in _PYTHAGOREAN.items() if all(rule.expr.has(f) for f in pair)]
        if len(used) == 1:
            return f"steps.simplify.pythagorean-{used[0]}"
    return f"steps.simplify.{rule.kind}"


def abs_parts(rule, lang: str) -> str:
    """The rewrites an absolute-value step made, as words: "the sign is ... and the squared ... is the square"."""
    expr = rule.expr
    powers = expr.atoms(Pow)
    made = {
        "sign": expr.has(sign),
        "cancel": any(_cancels(m) for m in [expr, *expr.atoms(Mul)] if m.is_Mul),
        "square": any(p.base.func is Abs and p.exp.is_even for p in powers),
        "root": any(p.base.is_Pow and p.base.exp.is_even and p.exp.is_Rational and not p.exp.is_Integer
                    for p in powers),
    }
    parts = [message(f"steps.simplify.abs-part.{name}", lang) for name, done in made.items() if done]
    if len(parts) < 2:
        return "".join(parts) or message("steps.simplify.abs-part.sign", lang)
    return ", ".join(parts[:-1]) + message("steps.simplify.abs-part.and", lang) + parts[-1]


def _cancels(product) -> bool:
    """u*sgn(u) or u^n/|u| in one product: the square over the absolute value cancels."""
    factors = Mul.make_args(product)
    inner = {f.args[0] for f in factors if f.func is sign}
    inner |= {f.base.args[0] for f in factors if f.is_Pow and f.base.func is Abs and f.exp.is_negative}
    plain = [f for f in factors if f.func not in (sign, Abs) and not (f.is_Pow and f.base.func is Abs)]
    return any(f.as_base_exp()[0] in inner for f in plain)


@dataclass
class Line:
    """One rendered step: its rule, sentence, equation and rendered substeps."""

    rule: object
    sentence: str
    equation: str
    substeps: list[Line] = field(default_factory=list)


class StepPrinter:
    """Base printer: per-rule-class dispatch; subclasses supply the maths notation and layout."""

    times = " * "

    def __init__(self, lang: str = "en", detail: str = "full"):
        self.lang = lang
        self.detail = detail

    # -- notation hooks (overridden per format) --------------------------------------
    def math(self, expr: Expr) -> str:
        return course_str(expr, self.lang)

    def deriv(self, expr: Expr, var: Symbol) -> str:
        return f"d/d{self.math(var)} {self._wrap(expr)}"

    def _wrap(self, expr: Expr) -> str:
        text = self.math(expr)
        return text if (expr.is_Atom or expr.is_Function) else f"({text})"

    def product(self, factors) -> str:
        return self.times.join(self._wrap(f) if (f.is_Add or f.could_extract_minus_sign()) else self.math(f)
                               for f in factors)

    def equation(self, *parts: str) -> str:
        return " = ".join(parts)

    # -- dispatch -------------------------------------------------------------------
    def line(self, rule, depth: int = 0) -> Line:
        """The Line of ``rule``, through the first ``_print_<Class>`` along its MRO."""
        for cls in type(rule).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(rule, depth)
        raise TypeError(f"cannot print {type(rule).__name__}")  # _print_Rule catches every rule

    def fields(self, rule) -> dict[str, str]:
        """Every expression field of the rule, formatted, for the sentence templates."""
        out = {}
        for f in dataclasses.fields(rule):
            value = getattr(rule, f.name)
            if isinstance(value, Expr):
                out[f.name] = self.inline(self.math(value))
        return out

    def substeps(self, rule, depth: int) -> list[Line]:
        if self.detail == "brief":  # top-level steps only
            return []
        return [self.line(child, depth + 1) for child in rule.children()]

    def _print_Rule(self, rule, depth: int) -> Line:
        sentence = message(f"steps.rule.{rule.rule_id}", self.lang, **self.fields(rule))
        eq = self.equation(self.deriv(rule.expr, rule.var), self.math(rule.eval()))
        return Line(rule, sentence, eq, self.substeps(rule, depth))

    def _print_ChainRule(self, rule, depth: int) -> Line:
        substitution = self.inline(self.equation(self.math(rule.u), self.math(rule.inner_expr)))
        sentence = message("steps.rule.chain", self.lang, substitution=substitution)
        line = Line(rule, sentence, "", self.substeps(rule, depth))
        outer = rule.outer.eval().xreplace({rule.u: rule.inner_expr})
        line.equation = self.equation(self.deriv(rule.expr, rule.var),
                                      self.product([outer, rule.inner.eval()]), self.math(rule.eval()))
        return line

    def _print_LogDiffRule(self, rule, depth: int) -> Line:
        fields = self.fields(rule)
        ln_y = log(Symbol("y"))
        fields["log_form"] = self.inline(self.equation(self.math(ln_y), self.math(rule.exp * log(rule.base))))
        sentence = message("steps.rule.log_diff", self.lang, **fields)
        eq = self.equation(self.deriv(rule.expr, rule.var), self.math(rule.eval()))
        return Line(rule, sentence, eq, self.substeps(rule, depth))

    def inline(self, text: str) -> str:
        """Maths inside a sentence (LaTeX and Markdown put it between dollars)."""
        return text

    def _print_SimplifyStep(self, rule, depth: int) -> Line:
        fields = self.fields(rule)
        if rule.kind == "sigmoid":
            a = next(iter(rule.result.atoms(sigmoid))).args[0]
            fields["definition"] = self.inline(self.equation(self.math(sigmoid(a)),
                                                                  self.math(1 / (1 + exp(-a)))))
        code = simplify_code(rule)
        if rule.kind == "abs":
            code, fields["parts"] = "steps.simplify.abs-only", abs_parts(rule, self.lang)
        sentence = message(code, self.lang, **fields)
        before = self.product(rule.factors) if rule.factors else self.math(rule.expr)
        return Line(rule, sentence, self.equation(before, self.math(rule.result)))

    # -- whole derivation -----------------------------------------------------------
    def lines(self, derivation) -> list[Line]:
        return [self.line(step) for step in derivation.steps]

    def heading(self, derivation) -> str:
        return message("steps.function", self.lang, expr=self.inline(self.math(derivation.expr)),
                       var=self.inline(self.math(derivation.var)))

    def answer_equation(self, derivation) -> str:
        return self.equation(self.deriv(derivation.expr, derivation.var), self.math(derivation.result))

    def answer(self, derivation) -> str:
        return message("steps.answer", self.lang, equation=self.inline(self.answer_equation(derivation)))

    def render(self, derivation) -> str:
        return self.layout(derivation, self.lines(derivation))

    def layout(self, derivation, lines: list[Line]) -> str:
        raise NotImplementedError


class TextPrinter(StepPrinter):
    """Plain text for the terminal: one sentence per step, its equation indented below."""

    def layout(self, derivation, lines: list[Line]) -> str:
        out = [self.heading(derivation)]
        for number, line in enumerate(lines, 1):
            self._emit(line, out, f"{number}. ", "   ")
        out.append(self.answer(derivation))
        return "\n".join(out)

    def _emit(self, line: Line, out: list[str], bullet: str, indent: str) -> None:
        out.append(bullet + line.sentence)
        out.append(indent + "  " + line.equation)
        for sub in line.substeps:
            self._emit(sub, out, indent + "- ", indent + "  ")
