"""What student input may name, as data: functions, constants, Greek letters,
LaTeX commands, forbidden operators and look-alike characters.

Adding a function is one row in ``FUNCTIONS`` (and its spellings in
``FUNCTION_ALIASES`` / ``LATEX_FUNCTIONS``); the parser has no other list.
"""
from __future__ import annotations

from functools import lru_cache

import sympy

from derivtutor.functions import leaky_relu, relu, sigmoid, softplus, step
from derivtutor.input.absolute import real_abs


def _log(x, base=None):
    return sympy.log(x) if base is None else sympy.log(x) / sympy.log(base)


#: Canonical function name -> (SymPy builder, allowed argument counts).
FUNCTIONS = {
    "sin": (sympy.sin, (1,)),
    "cos": (sympy.cos, (1,)),
    "tan": (sympy.tan, (1,)),
    "cot": (sympy.cot, (1,)),
    "sec": (sympy.sec, (1,)),
    "csc": (sympy.csc, (1,)),
    "asin": (sympy.asin, (1,)),
    "acos": (sympy.acos, (1,)),
    "atan": (sympy.atan, (1,)),
    "acot": (sympy.acot, (1,)),
    "sinh": (sympy.sinh, (1,)),
    "cosh": (sympy.cosh, (1,)),
    "tanh": (sympy.tanh, (1,)),
    "coth": (sympy.coth, (1,)),
    "sech": (sympy.sech, (1,)),
    "csch": (sympy.csch, (1,)),
    "asinh": (sympy.asinh, (1,)),
    "acosh": (sympy.acosh, (1,)),
    "atanh": (sympy.atanh, (1,)),
    "sign": (sympy.sign, (1,)),
    "exp": (sympy.exp, (1,)),
    "log": (_log, (1, 2)),
    "lg": (lambda x: _log(x, 10), (1,)),
    "sqrt": (sympy.sqrt, (1,)),
    "root": (lambda x, n=2: sympy.Pow(x, sympy.Integer(1) / n), (1, 2)),
    "cbrt": (lambda x: sympy.Pow(x, sympy.Rational(1, 3)), (1,)),
    "abs": (real_abs, (1,)),
    "sigmoid": (sigmoid, (1,)),
    # The ReLU family; kinks follow the course convention H(0) = 0 (see derivtutor.functions).
    "relu": (relu, (1,)),
    "max": (sympy.Max, (2,)),
    "leaky_relu": (leaky_relu, (2,)),
    "softplus": (softplus, (1,)),
    "heaviside": (step, (1,)),
}

#: Every spelling students use -> canonical name (course, Russian and European names included).
FUNCTION_ALIASES = {
    **{name: name for name in FUNCTIONS},
    "tg": "tan", "ctg": "cot", "cotan": "cot", "cosec": "csc",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctg": "atan",
    "arccot": "acot", "arcctg": "acot",
    "sh": "sinh", "ch": "cosh", "th": "tanh", "cth": "coth",
    "arsinh": "asinh", "arcsinh": "asinh", "arsh": "asinh", "arcosh": "acosh", "arccosh": "acosh",
    "arch": "acosh", "artanh": "atanh", "arctanh": "atanh", "arth": "atanh", "sgn": "sign",
    "ln": "log",
    "σ": "sigmoid",
    "ReLU": "relu", "leakyrelu": "leaky_relu", "lrelu": "leaky_relu", "step": "heaviside",
    "Heaviside": "heaviside",
}

#: Function names written with an underscore (plain text splits the rest at '_').
UNDERSCORED_FUNCTIONS = frozenset(name for name in FUNCTION_ALIASES if "_" in name)

#: f^-1 written on a function name means its inverse (sin^-1 x = arcsin x).
INVERSE_FUNCTIONS = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot",
                     "sinh": "asinh", "cosh": "acosh", "tanh": "atanh"}
#: Functions whose f^-1 would be an inverse the course has not got: refused as ambiguous.
NO_INVERSE = frozenset({"coth", "sec", "csc", "sech", "csch"})

#: Names that are constants.
CONSTANTS = {"e": sympy.E, "pi": sympy.pi, "π": sympy.pi}

#: Greek letters that are ordinary symbols (σ is the sigmoid when applied).
GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega",
)
GREEK_UNICODE = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "τ": "tau", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}

#: Operators a student could use to submit the question as its answer.
CALCULUS_NAMES = frozenset({
    "diff", "derivative", "integrate", "integral", "int", "limit", "lim", "sum",
    "product", "prod", "subs", "series", "dsolve", "solve", "simplify", "gradient", "grad",
})

#: Names that only code would type; rejected outright.
FORBIDDEN_NAMES = frozenset({
    "import", "eval", "exec", "lambda_", "os", "sys", "system", "open", "getattr",
    "setattr", "globals", "locals", "compile", "builtins", "class", "subclasses",
})

#: LaTeX function commands -> canonical function name.
LATEX_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "tg": "tan", "cot": "cot", "ctg": "cot",
    "sec": "sec", "csc": "csc", "cosec": "csc",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctg": "atan",
    "arccot": "acot", "arcctg": "acot",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "sh": "sinh", "ch": "cosh", "th": "tanh",
    "coth": "coth", "cth": "coth", "sech": "sech", "csch": "csch", "sgn": "sign",
    "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
    "ln": "log", "log": "log", "lg": "lg", "exp": "exp", "sigma": "sigmoid",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "arsh": "asinh", "arch": "acosh",
    "arth": "atanh", "surd": "sqrt",
    "max": "max", "relu": "relu", "ReLU": "relu", "softplus": "softplus", "heaviside": "heaviside",
    "leakyrelu": "leaky_relu", "step": "heaviside",
}

#: LaTeX commands that mean multiplication or division.
LATEX_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}

#: LaTeX spacing and sizing commands, skipped.
LATEX_IGNORED = frozenset({
    ",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "big", "Big",
    "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "thinspace", "medspace", "enspace",
    "thickspace", "negthinspace", "negmedspace", "negthickspace", ">",
})

#: LaTeX commands that only decorate their braced argument, read as a group: \boxed{x^2}.
LATEX_TRANSPARENT = frozenset({"boxed", "mathbf", "bm", "boldsymbol", "underline"})

#: LaTeX absolute-value bars, written as |.
LATEX_BARS = frozenset({"vert", "lvert", "rvert", "mid"})

#: LaTeX commands that wrap a name in text style: \operatorname{arctg}, \mathrm{e}.
LATEX_NAME_WRAPPERS = frozenset({"operatorname", "mathrm", "text", "mathit", "textrm", "mathsf"})

#: LaTeX commands rejected with a specific reason (error code suffix).
LATEX_REJECTED = {
    **{c: "calculus" for c in ("int", "iint", "oint", "sum", "prod", "lim", "partial", "nabla",
                               "limits", "mathrm{d}", "dd", "frac{d}")},
    **{c: "relation" for c in ("le", "leq", "ge", "geq", "neq", "ne", "approx", "equiv", "lt",
                               "gt", "sim", "to", "rightarrow", "implies", "iff")},
    **{c: "set" for c in ("{", "}", "in", "cup", "cap", "setminus", "emptyset", "subset")},
    **{c: "matrix" for c in ("begin", "end", "matrix", "pmatrix", "bmatrix", "\\")},
    **{c: "undefined" for c in ("infty",)},
}

#: Non-ASCII letters that imitate Latin ones (mostly Cyrillic) -> the Latin letter meant.
LOOKALIKES = {
    "а": "a", "в": "B", "е": "e", "к": "k", "м": "M", "н": "H", "о": "o", "р": "p",
    "с": "c", "т": "T", "у": "y", "х": "x", "А": "A", "В": "B", "Е": "E", "К": "K",
    "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ο": "o", "ι": "i", "Α": "A", "Β": "B",
    "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y",
}

#: Unicode operators students paste from slides -> ASCII.
UNICODE_OPERATORS = {
    "−": "-", "–": "-", "—": "-", "·": "*", "×": "*", "⋅": "*", "∗": "*", "÷": "/",
    "²": "^2", "³": "^3", "√": "sqrt", "（": "(", "）": ")",
}


@lru_cache(maxsize=1)
def function_spellings() -> frozenset[str]:
    """Every word that names a function in either syntax, for typo suggestions (derived, never listed)."""
    words = set(FUNCTION_ALIASES) | set(LATEX_FUNCTIONS) | set(FUNCTIONS)
    return frozenset(w for w in words if w.isascii() and w.isalpha() and w not in GREEK and w != "surd")

#: Characters pasted from PDFs and word processors -> what they mean, the same in both syntaxes.
PASTED_CHARACTERS = {
    "−": "-", "–": "-", "—": "-", "‒": "-", "﹣": "-", "·": "*", "×": "*", "⋅": "*", "∗": "*",
    "•": "*", "∙": "*", "÷": "/", "∕": "/", "⁄": "/", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "½": "(1/2)", "⅓": "(1/3)", "¼": "(1/4)", "¾": "(3/4)", "⅔": "(2/3)",
}

#: Superscript and subscript characters -> the ASCII character they raise or lower.
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿˣ", "0123456789+-()nx"))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))

#: Pasted symbols that become words or groups, per syntax: √x, 30°.
PASTED_SYMBOLS = {
    "plain": {"√": " sqrt ", "∛": " cbrt ", "°": "(pi/180)"},
    "latex": {"√": "\\surd ", "∛": "\\sqrt[3]", "°": "{\\pi/180}"},
}
