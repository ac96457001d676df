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
Answer: d/dx tan(x^2) = 2*x/cos(x^2)^2
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from sympy import Expr, Mul, Symbol, exp, log
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from derivtutor.catalogue import message
from derivtutor.functions import sigmoid

#: Course notation in Russian output (SymPy name -> name the course writes).
RU_FUNCTION_NAMES = {"tan": "tg", "cot": "ctg", "atan": "arctg", "acot": "arcctg",
                     "asin": "arcsin", "acos": "arccos",
                     "sinh": "sh", "cosh": "ch", "tanh": "th",
                     "coth": "cth", "asinh": "arsh", "acosh": "arch", "atanh": "arth"}
_RU_TEXT = re.compile(r"\b(%s)\(" % "|".join(RU_FUNCTION_NAMES))
_LOG = re.compile(r"\blog\(")
_SIGMOID = re.compile(r"\bsigmoid\(")


def sigmoid_pair(product: Expr):
    """(rest, sigma(a)) when a product is rest * sigma(a) * (1 - sigma(a)) with no denominator, else None.

    Printers use it to write sigma(a)(1 - sigma(a)) in the course's order, not SymPy's.
    """
    factors = Mul.make_args(product)
    if any(f.is_Pow and f.exp.is_negative for f in factors):
        return None
    for f in factors:
        if f.func == sigmoid and 1 - f in factors:
            rest = [g for g in factors if g not in (f, 1 - f)]
            return Mul(*rest), f
    return None


class CourseStrPrinter(StrPrinter):
    """SymPy's string printer, writing sigma(a)*(1 - sigma(a)) in that order, relu and H(a)."""

    def _print_Max(self, expr):
        if len(expr.args) == 2 and 0 in expr.args:  # max(0, a) is the course's relu(a)
            return f"relu({self._print([a for a in expr.args if a != 0][0])})"
        return "max(%s)" % ", ".join(self._print(a) for a in expr.args)

    def _print_Heaviside(self, expr):  # the step H, whatever its value at 0 (the steps state it)
        return f"H({self._print(expr.args[0])})"

    def _print_Mul(self, expr):
        pair = sigmoid_pair(expr)
        if pair is None:
            return super()._print_Mul(expr)
        rest, s = pair
        tail = f"{self._print(s)}*(1 - {self._print(s)})"
        if rest == 1 or rest == -1:
            return ("-" if rest == -1 else "") + tail
        return f"{self.parenthesize(rest, PRECEDENCE['Mul'])}*{tail}"


def course_str(expr: Expr, lang: str = "en") -> str:
    """Plain-text formula in course notation: x^2, ln, σ, and tg/arctg/cth/arsh in Russian.

    >>> from sympy import Symbol, atan
    >>> course_str(atan(Symbol("x"))**2, "ru")
    'arctg(x)^2'
    """
    if expr.is_Pow and expr.exp.is_negative and expr.exp.is_Rational:  # 1/cos(x)^2, not cos(x)^(-2)
        inverse = course_str(expr.base ** -expr.exp, lang)
        return f"1/({inverse})" if not (expr.base.is_Atom or expr.base.is_Function) and -expr.exp == 1 else f"1/{inverse}"
    text = _SIGMOID.sub("σ(", _LOG.sub("ln(", CourseStrPrinter().doprint(expr).replace("**", "^")))
    if lang == "ru":
        text = _RU_TEXT.sub(lambda m: RU_FUNCTION_NAMES[m.group(1)] + "(", text)
    return text


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
        sentence = message(f"steps.simplify.{rule.kind}", self.lang, **fields)
        before = self.product(rule.factors) if rule.factors else self.math(rule.expr)
        return Line(rule, sentence, self.equation(before, self.math(rule.result)))

    # -- whole derivation -----------------------------------------------------------
    def lines(self, derivation) -> list[Line]:
        return [self.line(step) for step in derivation.steps]

    def heading(self, derivation) -> str:
        return message("steps.function", self.lang, expr=self.inline(self.math(derivation.expr)),
                       var=self.inline(self.math(derivation.var)))

    def answer(self, derivation) -> str:
        eq = self.equation(self.deriv(derivation.expr, derivation.var), self.math(derivation.result))
        return message("steps.answer", self.lang, equation=self.inline(eq))

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
