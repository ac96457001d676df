"""Printable worksheets: a standalone LaTeX document with exercises and, on request, solutions.

Prompts in the bank are text with inline ``$...$`` mathematics; the text parts
are escaped for LaTeX and the mathematics is kept. Solutions of derivative and
value exercises are the step engine's derivation (``Derivation.to_latex``); an
identity shows both sides; other kinds show their reference answer when the
file has one. The document compiles with pdflatex in English and in Russian
(T2A fonts, babel).

>>> tex = worksheet_latex([find_exercise("table-sin")], lang="en")   # doctest: +SKIP
>>> tex.startswith("\\\\documentclass")                             # doctest: +SKIP
True
"""
from __future__ import annotations

import re

from derivtutor.catalogue import message
from derivtutor.course.bank import Exercise

#: The preamble lines that differ by language.
LANGUAGE_PREAMBLE = {
    "en": ("\\usepackage[T1]{fontenc}", "\\usepackage[utf8]{inputenc}", "\\usepackage[english]{babel}"),
    "ru": ("\\usepackage[T2A]{fontenc}", "\\usepackage[utf8]{inputenc}", "\\usepackage[russian]{babel}"),
}
COMMON_PREAMBLE = (
    "\\usepackage{amsmath,amssymb}",
    "\\usepackage[a4paper,margin=2cm]{geometry}",
    "\\setlength{\\parindent}{0pt}",
    "\\setlength{\\parskip}{0.5em}",
    "\\allowdisplaybreaks",
)
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "$": r"\$",
}


def escape_text(text: str) -> str:
    """Text for LaTeX's text mode.

    >>> escape_text("50% of x^2")
    '50\\\\% of x\\\\textasciicircum{}2'
    """
    return "".join(_TEXT_ESCAPES.get(c, c) for c in text)


def prompt_latex(prompt: str) -> str:
    """A prompt with ``$...$`` mathematics kept and the text between escaped.

    >>> prompt_latex("Find $y'$ for 100% of cases")
    "Find $y'$ for 100\\\\% of cases"
    """
    parts = re.split(r"(\$[^$]*\$)", prompt)
    return "".join(part if part.startswith("$") and part.endswith("$") and len(part) > 1 else escape_text(part)
                   for part in parts)


def _math(expr, lang: str = "en") -> str:
    from derivtutor.render.notation import course_latex

    return course_latex(expr, lang)


_PARTIAL = re.compile(r"d([A-Za-z]+)/d([A-Za-z])(\d*)$")


def title_latex(title: str, lang: str = "en") -> str:
    r"""A title with its formula (after the last colon) typeset as maths, the words escaped.

    >>> title_latex("Chain rule: tg x^2", "ru")
    'Chain rule: $\\operatorname{tg}{\\left(x^{2} \\right)}$'
    >>> title_latex("Backpropagation: dL/da1")
    'Backpropagation: $\\frac{\\partial L}{\\partial a_{1}}$'
    """
    from derivtutor.input.parsing import ParseError

    words, colon, formula = title.rpartition(": ")
    if not colon:
        return escape_text(title)
    partial = _PARTIAL.match(formula)
    if partial:
        top, var, index = partial.groups()
        maths = f"\\frac{{\\partial {top}}}{{\\partial {var}{f'_{{{index}}}' if index else ''}}}"
    else:
        try:
            maths = _math(_parse(formula), lang)
        except ParseError:
            return escape_text(title)
    return f"{escape_text(words)}: ${maths}$"


def _parse(text: str):
    from derivtutor.input.parsing import parse

    return parse(text, syntax="plain")


def _derivation(exercise: Exercise):
    from derivtutor.steps.engine import differentiate

    return differentiate(_parse(exercise.get("function")), exercise.get("variable", "x"))


def _solve_derivative(exercise: Exercise, lang: str) -> str:
    return _derivation(exercise).to_latex(lang=lang)


def _solve_value(exercise: Exercise, lang: str) -> str:
    lines = []
    if exercise.get("function"):
        derivation = _derivation(exercise)
        at = ",\\ ".join(f"{_math(_parse(name), lang)} = {_math(_parse(str(value)), lang)}" for name, value in exercise.get("at", {}).items())
        lines += [derivation.to_latex(lang=lang), message("worksheet.value-at", lang) + (f" ${at}$" if at else "")]
    lines.append(f"\\[ {_math(_parse(str(exercise.get('expected'))), lang)} \\]")
    return "\n\n".join(lines)


def _solve_identity(exercise: Exercise, lang: str) -> str:
    lhs, rhs = _parse(exercise.get("lhs")), _parse(exercise.get("rhs"))
    return f"{message('worksheet.identity-holds', lang)} \\[ {_math(lhs, lang)} = {_math(rhs, lang)} \\]"


def _solve_other(exercise: Exercise, lang: str) -> str:
    """Kinds from other modules: their own ``solution_latex`` if they have one, else the answer."""
    import importlib

    from derivtutor.course.bank import KIND_CHECKERS

    module = importlib.import_module(KIND_CHECKERS[exercise.kind].partition(":")[0])
    if hasattr(module, "solution_latex"):
        return module.solution_latex(exercise, lang=lang)
    if isinstance(exercise.get("answer"), str):
        return f"{message('worksheet.answer', lang)}: \\[ {_math(_parse(exercise.get('answer')), lang)} \\]"
    return message("worksheet.no-steps", lang)


#: kind -> how its solution is written.
SOLVERS = {"derivative": _solve_derivative, "value": _solve_value, "identity": _solve_identity}


def solution_latex(exercise: Exercise, lang: str = "en") -> str:
    """The LaTeX body of one exercise's solution (a sentence saying why, if the bank's text does not parse)."""
    from derivtutor.input.errors import ParseError

    try:
        return SOLVERS.get(exercise.kind, _solve_other)(exercise, lang)
    except ParseError as exc:
        # A bank mistake must not cost the whole worksheet: this exercise says so, the others are solved.
        return escape_text(message("worksheet.unparsable", lang, id=exercise.id, reason=exc.render(lang)))


def _exercise_block(number: int, exercise: Exercise, lang: str, solutions: bool) -> list[str]:
    from derivtutor.catalogue import format_points

    from derivtutor.input.errors import ParseError

    heading = f"{message('worksheet.exercise', lang, number=number)}. {title_latex(exercise.title[lang], lang)}"
    points = message("worksheet.points", lang, points=format_points(exercise.points))
    try:
        prompt = prompt_latex(exercise.prompt[lang])
    except ParseError as exc:  # a randomised prompt shows the function, and the bank's does not parse
        prompt = escape_text(message("worksheet.unparsable", lang, id=exercise.id, reason=exc.render(lang)))
        solutions = False
    lines = [f"\\subsection*{{{heading}}}", f"{prompt} \\hfill ({escape_text(points)})", ""]
    if solutions:
        lines += [f"\\paragraph{{{message('worksheet.solution', lang)}}}", solution_latex(exercise, lang), ""]
    else:
        lines += ["\\vspace{4cm}", ""]
    return lines


def worksheet_latex(exercises: list[Exercise], lang: str = "en", solutions: bool = False,
                    student: str | None = None) -> str:
    """A complete LaTeX document for ``exercises`` in ``lang`` (en | ru), headed with ``student``'s id if given."""
    title = message("worksheet.title-solutions" if solutions else "worksheet.title", lang)
    lines = ["\\documentclass[11pt]{article}", *LANGUAGE_PREAMBLE[lang], *COMMON_PREAMBLE,
             "\\begin{document}", f"\\section*{{{escape_text(title)}}}"]
    if student is not None:
        lines += [escape_text(message("variants.worksheet-student", lang, student=student)), ""]
    elif not solutions:
        lines += [f"{escape_text(message('worksheet.name-line', lang))} \\rule{{9cm}}{{0.4pt}}", ""]
    for number, exercise in enumerate(exercises, start=1):
        lines += _exercise_block(number, exercise, lang, solutions)
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"
