"""The one student-facing way to write a formula, per language: plain text and LaTeX.

Every message, step, hint and report writes maths through ``course_str`` (plain
text) or ``course_latex``. They write the course's names, never SymPy's class
names: ln, |x|, sgn, σ, e, arcsin, and in Russian tg, ctg, arctg, arcctg, sh, ch,
th, cth, arsh, arch, arth. The names are a table (``NAMES``); a function other
engineers add prints by its own name until it gets a row.

>>> from sympy import Symbol, Abs, acot, log, sign, tan, E
>>> x = Symbol("x")
>>> course_str(log(Abs(x)), "en"), course_str(sign(x) * E, "en"), course_str(acot(tan(x)), "ru")
('ln|x|', 'e*sgn(x)', 'arcctg(tg(x))')
"""
from __future__ import annotations

from sympy import Add, Expr, Mul
from sympy.printing.latex import LatexPrinter as SympyLatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from derivtutor.functions import sigmoid

#: SymPy function name -> (English, Russian) course name.
NAMES = {
    "log": ("ln", "ln"), "sign": ("sgn", "sgn"), "sigmoid": ("σ", "σ"),
    "asin": ("arcsin", "arcsin"), "acos": ("arccos", "arccos"), "atan": ("arctg", "arctg"),
    "acot": ("arcctg", "arcctg"), "tan": ("tg", "tg"), "cot": ("ctg", "ctg"),
    "sinh": ("sinh", "sh"), "cosh": ("cosh", "ch"), "tanh": ("tanh", "th"), "coth": ("coth", "cth"),
    "asinh": ("arsinh", "arsh"), "acosh": ("arcosh", "arch"), "atanh": ("artanh", "arth"),
    "Heaviside": ("heaviside", "heaviside"), "Max": ("max", "max"), "Min": ("min", "min"),
}
#: Names LaTeX has a command for; the rest are written \operatorname{...}.
_LATEX_COMMANDS = frozenset({"ln", "arcsin", "arccos", "arctan", "tan", "cot", "sinh", "cosh", "tanh", "coth",
                             "max", "min", "sin", "cos", "sec", "csc", "exp"})
#: SymPy class names that must never reach a student (the property test reads this).
SYMPY_NAMES = ("Abs", "sign(", "asin", "acos", "atan", "acot", "asinh", "acosh", "atanh", "log(", "sigmoid",
               "Heaviside", "Max(", "Min(", "Piecewise", "Derivative", "Integer", "Rational", "Symbol",
               "zoo", "nan", "**", "E +", "exp(1)")


def course_name(function_name: str, lang: str = "en") -> str:
    """The course's name of a SymPy function: course_name("atan", "ru") == "arctg"."""
    names = NAMES.get(function_name)
    return function_name if names is None else names[lang == "ru"]


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


def sigmoid_product(printer, expr: Expr, tail: str, minus: str, times: str) -> str | None:
    """``expr`` written as rest * sigma(a)(1 - sigma(a)) by ``printer`` (``tail`` formats sigma(a)
    as {0}), or None when it is not such a product."""
    pair = sigmoid_pair(expr)
    if pair is None:
        return None
    rest, s = pair
    body = tail.format(printer._print(s))
    if rest == 1 or rest == -1:
        return (minus if rest == -1 else "") + body
    return printer.parenthesize(rest, PRECEDENCE["Mul"]) + times + body


def positive_first(expr: Expr) -> Expr:
    """The same sum, unevaluated, with subtracted terms last: z - l, not -l + z."""
    terms = expr.as_ordered_terms()
    return Add(*sorted(terms, key=lambda t: t.could_extract_minus_sign()), evaluate=False)


#: Options of both printers, beside ``lang``: ``order="none"`` keeps the order an
#: expression was built in (a graph's nodes), ``sums="positive-first"`` writes z - l,
#: ``step="bracket"`` writes the step function as [a > 0] (the backprop notes).
OPTIONS = {"order": None, "sums": "sympy", "step": "name"}


def _args(expr: Expr) -> tuple:
    """The arguments a student writes: heaviside(x), without SymPy's value at zero."""
    return expr.args[:1] if type(expr).__name__ == "Heaviside" else expr.args


class CourseStrPrinter(StrPrinter):
    """Plain text in the course's notation for one language (``settings["lang"]``)."""

    _default_settings = {**StrPrinter._default_settings, "lang": "en", "sums": "sympy", "step": "name"}

    def _print(self, expr, **kwargs):
        if isinstance(expr, sigmoid):  # its own _sympystr would win over the course name
            return self._print_Function(expr)
        return super()._print(expr, **kwargs)

    def _print_Function(self, expr):
        return f"{course_name(type(expr).__name__, self._settings['lang'])}({self.stringify(_args(expr), ', ')})"

    _print_Max = _print_Min = _print_Function

    def _print_Heaviside(self, expr):
        if self._settings["step"] == "bracket":
            return f"[{self._print(expr.args[0])} > 0]"
        return self._print_Function(expr)

    def _print_Add(self, expr, order=None):
        if self._settings["sums"] == "positive-first":
            expr = positive_first(expr)
        return super()._print_Add(expr, order)

    def _print_log(self, expr):
        if len(expr.args) == 1 and expr.args[0].func.__name__ == "Abs":
            return f"ln{self._print(expr.args[0])}"
        return self._print_Function(expr)

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Exp1(self, expr):
        return "e"

    def _print_ImaginaryUnit(self, expr):
        return "i"

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Mul(self, expr):
        return sigmoid_product(self, expr, "{0}*(1 - {0})", "-", "*") or super()._print_Mul(expr)


def _settings(lang: str, options: dict) -> dict:
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown printer options {sorted(unknown)}")
    return {"lang": lang, **{k: v for k, v in options.items() if v is not None}}


def course_str(expr: Expr, lang: str = "en", **options) -> str:
    """Plain-text formula in course notation: x^2, ln, |x|, σ, and tg/arctg/sh in Russian.

    ``options`` are those of ``OPTIONS`` (the order of a graph, z - l, [a > 0]).

    >>> from sympy import Symbol, atan, Heaviside
    >>> course_str(atan(Symbol("x"))**2, "ru"), course_str(Heaviside(Symbol("a")), step="bracket")
    ('arctg(x)^2', '[a > 0]')
    """
    if expr.is_Pow and expr.exp.is_negative and expr.exp.is_Rational:  # 1/cos(x)^2, not cos(x)^(-2)
        inverse = course_str(expr.base ** -expr.exp, lang, **options)
        simple = expr.base.is_Atom or expr.base.is_Function
        return f"1/({inverse})" if not simple and -expr.exp == 1 else f"1/{inverse}"
    return CourseStrPrinter(_settings(lang, options)).doprint(expr).replace("**", "^")


class CourseLatexPrinter(SympyLatexPrinter):
    """SymPy's LaTeX printer in course notation, writing sigma(a)(1 - sigma(a)) in that order."""

    _default_settings = {**SympyLatexPrinter._default_settings, "lang": "en", "sums": "sympy", "step": "name"}

    def _print_Function(self, expr, exp=None):
        name = course_name(type(expr).__name__, self._settings["lang"])
        if name == type(expr).__name__ and type(expr).__name__ not in NAMES:
            return super()._print_Function(expr, exp)
        head = f"\\{name}" if name in _LATEX_COMMANDS else f"\\operatorname{{{name}}}" if name != "σ" else "\\sigma"
        if exp is not None:
            head = f"{head}^{{{exp}}}"
        args = ", ".join(self._print(a) for a in _args(expr))
        return f"{head}{{\\left({args} \\right)}}"

    def _print_log(self, expr, exp=None):
        if len(expr.args) == 1 and expr.args[0].func.__name__ == "Abs":
            head = "\\ln" if exp is None else f"\\ln^{{{exp}}}"
            return f"{head}{self._print(expr.args[0])}"
        return self._print_Function(expr, exp)

    def _print_Heaviside(self, expr, exp=None):
        if self._settings["step"] == "bracket":
            return f"[{self._print(expr.args[0])} > 0]"
        return self._print_Function(expr, exp)

    def _print_Add(self, expr, order=None):
        if self._settings["sums"] == "positive-first":
            expr = positive_first(expr)
        return super()._print_Add(expr, order)

    _print_sign = _print_Max = _print_Min = _print_Function
    _print_asin = _print_acos = _print_atan = _print_acot = _print_Function
    _print_asinh = _print_acosh = _print_atanh = _print_sigmoid = _print_Function

    def _print_Mul(self, expr):
        return sigmoid_product(self, expr, "{0} \\left(1 - {0}\\right)", "- ", " ") or super()._print_Mul(expr)


def course_latex(expr: Expr, lang: str = "en", symbol_names: dict | None = None, **options) -> str:
    r"""LaTeX of ``expr`` in course notation: \ln, \left|x\right|, and \operatorname{tg} in Russian.

    ``symbol_names`` ({Symbol: LaTeX}) and ``options`` (``OPTIONS``) as in ``course_str``.

    >>> from sympy import Symbol, tan
    >>> print(course_latex(tan(Symbol("x")), "ru"))
    \operatorname{tg}{\left(x \right)}
    """
    settings = {**_settings(lang, options), "ln_notation": True}
    if symbol_names:
        settings["symbol_names"] = symbol_names
    return CourseLatexPrinter(settings).doprint(expr)
