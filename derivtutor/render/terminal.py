r"""Inline LaTeX maths as a terminal writes it: faithful to what the author wrote, in course names.

Prompts and hints hold maths as ``$...$``. A terminal cannot typeset it, so each
command is written the way the course writes it in plain text (``\operatorname{tg}``
is tg, ``\tanh`` is th in Russian, ``\partial`` is ∂, ``\frac{a}{b}`` is a/b) and
nothing is re-read: ``L(w)``, ``dy/dx`` and ``0.1`` stay as written, which a parser
would turn into products and fractions.

>>> terminal_maths(r"Find $y = \operatorname{tg} x^2$ and $\dfrac{\partial E}{\partial w_{1}}$.", "ru")
'Find y = tg x^2 and ∂E/∂w_1.'
>>> terminal_maths(r"$\nabla_w \sum_i \ln\left(1 + e^{-y_i x_i^\top w}\right)$", "en")
'∇_w Σ_i ln(1 + e^(-y_i x_i^T w))'
"""
from __future__ import annotations

import re

from derivtutor.render.notation import course_name

_INLINE_MATHS = re.compile(r"\$([^$]+)\$")
#: LaTeX function commands -> the SymPy name whose course name is printed (tg, arctg, th in Russian).
_FUNCTIONS = {"tan": "tan", "cot": "cot", "arctan": "atan", "arccot": "acot", "sinh": "sinh", "cosh": "cosh",
              "tanh": "tanh", "coth": "coth", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
              "ln": "log", "sigma": "sigmoid"}
_WORDS = ("sin", "cos", "sec", "csc", "arcsin", "arccos", "log", "exp", "max", "min", "lg", "det", "tr")
_SYMBOLS = {
    "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "in": "∈", "notin": "∉", "times": "×", "cdot": "·",
    "top": "T", "intercal": "T", "neq": "≠", "ne": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "to": "→",
    "infty": "∞", "approx": "≈", "pm": "±", "circ": "°", "odot": "⊙", "|": "‖", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "{": "{", "}": "}", "lvert": "|", "rvert": "|", "vert": "|", "mid": "|", "ldots": "...",
    "dots": "...", "cdots": "...", "%": "%", "_": "_", "&": "&", "#": "#",
}
_GREEK = dict(zip(
    ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
     "varrho tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega").split(),
    "αβγδεεζηθθικλμνξπρρτυφφχψωΓΔΘΛΞΠΣΦΨΩ"))
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "quad": "  ", "qquad": "  ", "!": "", "left": "", "right": "",
           "displaystyle": "", "textstyle": "", "big": "", "Big": "", "bigl": "", "bigr": "", "Bigl": "",
           "Bigr": "", "limits": ""}
_WRAPPERS = ("operatorname", "mathrm", "text", "textrm", "mathit", "mathsf", "mathbf", "boldsymbol", "bm",
             "boxed", "mathbb")
_FRACTIONS = ("frac", "dfrac", "tfrac")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def terminal_maths(text: str, lang: str = "en") -> str:
    """Every ``$...$`` of ``text`` written as plain maths in the course's names for ``lang``."""
    return _INLINE_MATHS.sub(lambda m: latex_text(m.group(1), lang), text)


def latex_text(latex: str, lang: str = "en") -> str:
    r"""One LaTeX formula as plain text: \frac{1}{\operatorname{ch}^2 x} -> 1/(ch^2 x)."""
    out, i = _Writer(latex, lang).group_until(0, None)
    out = re.sub(r"\( +", "(", re.sub(r" +\)", ")", out))  # SymPy's \left(x \right): no blank inside brackets
    return re.sub(r" {2,}", " ", out).strip()


class _Writer:
    def __init__(self, text: str, lang: str):
        self.text, self.lang = text, lang
        self.applied = False  # the last piece was a function word: a fraction after it is its argument
        self.functions: set[str] = set()  # the function words written so far

    def group_until(self, i: int, close: str | None) -> tuple[str, int]:
        """Text from ``i`` up to the matching ``close`` ("}" or None for the end), and the index after it."""
        parts = []
        while i < len(self.text):
            ch = self.text[i]
            if ch == close:
                return "".join(parts), i + 1
            piece, i = self.piece(i)
            if piece.strip():  # blank pieces keep the flag; a function word sets it; anything else clears it
                self.applied = piece.strip() in self.functions
            parts.append(piece)
        return "".join(parts), i

    def argument(self, i: int) -> tuple[str, int]:
        """One argument: a braced group or a single character (\\frac12)."""
        while i < len(self.text) and self.text[i] == " ":
            i += 1
        if i < len(self.text) and self.text[i] == "{":
            return self.group_until(i + 1, "}")
        if i < len(self.text) and self.text[i] == "\\":
            return self.piece(i)
        return self.text[i:i + 1], i + 1

    def piece(self, i: int) -> tuple[str, int]:
        ch = self.text[i]
        if ch == "{":
            inner, i = self.group_until(i + 1, "}")
            return inner, i
        if ch in "^_":
            arg, j = self.argument(i + 1)
            return ch + _bracketed(arg.strip(), script=True), j
        if ch == "~":
            return " ", i + 1
        if ch != "\\":
            return ch, i + 1
        m = _COMMAND.match(self.text, i)
        if m is None:
            return "", i + 1
        return self.command(m.group(1), m.end())

    def command(self, name: str, i: int) -> tuple[str, int]:
        if name in _FRACTIONS:
            applied = self.applied
            top, i = self.argument(i)
            bottom, i = self.argument(i)
            if applied:  # \ln \frac{a}{b} is ln(a/b)
                return f"({_bracketed(top.strip())}/{_bracketed(bottom.strip())})", i
            # a space after it keeps 1/2 (z - l) and d/dx σ apart from the denominator
            after = " " if i < len(self.text) and (self.text[i].isalnum() or self.text[i] in "(\\") else ""
            return f"{_bracketed(top.strip())}/{_bracketed(bottom.strip())}{after}", i
        if name == "sqrt":
            arg, i = self.argument(i)
            return f"sqrt({arg.strip()})", i
        if name in _WRAPPERS:
            arg, i = self.argument(i)
            word = arg.strip()
            if name == "mathbb":
                return {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}.get(word, word), i
            return self._function(word), i
        if name in _FUNCTIONS or name in _WORDS:
            return self._function(name) + self._space(i), i
        if name in ("partial", "nabla"):  # ∂E, ∇f: the operator is written against its operand
            return _SYMBOLS[name], len(self.text) - len(self.text[i:].lstrip(" "))
        if name in _SYMBOLS:
            return _SYMBOLS[name], i
        if name in _GREEK:
            return _GREEK[name] + self._space(i), i
        if name in _SPACES:
            return _SPACES[name], i
        return name, i  # an unknown command keeps its word, without the backslash

    def _function(self, name: str) -> str:
        word = "σ" if name == "sigma" else course_name(_FUNCTIONS[name], self.lang) if name in _FUNCTIONS else name
        self.functions.add(word)
        return word

    def _space(self, i: int) -> str:
        """A space after a command word when a letter follows (\\ln x, \\lambda w), as LaTeX separates them."""
        return " " if i < len(self.text) and self.text[i].isalpha() else ""


_ATOM = r"[A-Za-z0-9.'∂∇σ\u0370-\u03ff]+"
_ALONE = re.compile(rf"{_ATOM}(_{_ATOM})?(\^({_ATOM}|\([^()]*\)))?|{_ATOM}\([^()]*\)")


def _bracketed(text: str, script: bool = False) -> str:
    """``text`` alone when it is one symbol, number or call (x, 12, w_1, σ(z)); else in brackets.

    A sub- or superscript stays alone only when it is one word (x^2, w_1, but e^(a_1)).
    """
    if re.fullmatch(_ATOM, text) or (not script and _ALONE.fullmatch(text)):
        return text
    return f"({text})"
