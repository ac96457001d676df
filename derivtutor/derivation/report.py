"""The per-line report of a checked derivation: text, Markdown or LaTeX, English or Russian.

Every line gets a mark -- ✓ correct, ✗ incorrect, ! invalid, ? undecided,
· unchecked -- and the checker's sentence about it; then the verdict, the final
answer against the expected one, and the score. The LaTeX report is an
``align*`` with one row per line and the mark as its tag.

>>> from derivtutor.derivation.checker import check_derivation
>>> r = check_derivation("x^2", "(x^2)' = 2x")
>>> print(render_text(r).splitlines()[1])
✓ 1  (x^2)' = 2x  — Starts from the derivative asked for.
"""
from __future__ import annotations

import sympy

from derivtutor.catalogue import format_points, message
from derivtutor.derivation.result import DerivationResult
from derivtutor.derivation.terms import Written
from derivtutor.input.vocabulary import FUNCTIONS
from derivtutor.render.latex import STANDALONE_PREAMBLE, course_latex
from derivtutor.render.text import course_str

MARKS = {"correct": "✓", "incorrect": "✗", "invalid": "!", "undecided": "?", "unchecked": "·"}
LATEX_MARKS = {"correct": r"\checkmark", "incorrect": r"\times", "invalid": "!", "undecided": "?",
               "unchecked": r"\cdot"}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "σ": r"$\sigma$", "✓": r"$\checkmark$",
                 "✗": r"$\times$", "−": "-", "—": "---", "«": "<<", "»": ">>"}


def _summary(result: DerivationResult, lang: str) -> list[str]:
    out = [f"{message(f'derivation.report.verdict.{result.verdict}', lang)}: {result.message}"]
    if result.answer is not None and result.expected is not None and result.verdict != "invalid":
        out.append(message("derivation.report.answer", lang, answer=result.answer, expected=result.expected))
    if result.score is not None:
        out.append(message("derivation.report.score", lang, score=format_points(result.score)))
    return out


def render_text(result: DerivationResult, lang: str = "en") -> str:
    """Plain text: a title, one marked row per line, a caret under an invalid line's fault."""
    rows = [message("derivation.report.title", lang, asked=result.asked)]
    for line in result.lines:
        note = f"  — {line.message}" if line.message else ""
        rows.append(f"{MARKS[line.verdict]} {line.line}  {line.text}{note}")
        if line.verdict == "invalid" and line.column is not None:
            rows.append(" " * (len(str(line.line)) + 4 + line.column - 1) + "^")
    return "\n".join(rows + _summary(result, lang))


def render_markdown(result: DerivationResult, lang: str = "en") -> str:
    """A Markdown table: mark, line number, the line as typed, the comment."""
    head = message("derivation.report.line", lang)
    rows = [f"**{message('derivation.report.title', lang, asked=_md(result.asked))}**", "",
            f"| | {head} | | |", "|---|---|---|---|"]
    for line in result.lines:
        rows.append(f"| {MARKS[line.verdict]} | {line.line} | `{line.text.replace('`', '')}` | {_md(line.message)} |")
    return "\n".join(rows + [""] + _summary(result, lang))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def render_latex(result: DerivationResult, lang: str = "en", standalone: bool = False, marks: bool = True) -> str:
    """An ``align*`` of the lines, each tagged with its mark; the comments as ``\\intertext``.

    ``marks=False`` gives the bare derivation (a worksheet's solution).
    """
    block = "\\begin{align*}\n"
    for i, line in enumerate(result.lines):
        block += _latex_line(line, lang)
        if not marks:
            block += " \\\\\n" if i < len(result.lines) - 1 else ""
            continue
        block += f" \\tag*{{${LATEX_MARKS[line.verdict]}$ {line.line}}}"
        last = i == len(result.lines) - 1
        if line.verdict != "correct" and line.message:  # \intertext goes between two rows
            block += f" \\\\\n\\intertext{{\\small {escape(line.message)}}}" + ("\n&" if last else "\n")
        elif not last:
            block += " \\\\\n"
    block += "\n\\end{align*}\n"
    if not marks:
        return block
    text = "\n\n".join(escape(p) for p in _summary(result, lang)) + "\n"
    body = block + text
    if not standalone:
        return body
    title = escape(message("derivation.report.title", lang, asked=result.asked))
    return (STANDALONE_PREAMBLE[lang] + "\\usepackage{amssymb}\n\\begin{document}\n"
            f"\\section*{{{title}}}\n{body}\\end{{document}}\n")


def _latex_line(line, lang: str) -> str:
    if not line.terms:  # an invalid line: as typed
        return f"&\\text{{{escape(line.text)}}}"
    parts = [latex_of(w, lang) for w in line.terms]
    if line.continued:
        return "&= " + " = ".join(parts)
    if len(parts) == 1:
        return "&" + parts[0]
    return parts[0] + " &= " + " = ".join(parts[1:])


def latex_of(written: Written, lang: str = "en") -> str:
    """The term in LaTeX, its operators written as the course writes them."""
    text = course_latex(written.expr, lang)
    for symbol, op in written.operators.items():
        text = text.replace(sympy.latex(symbol), "{" + _operator_latex(op, lang) + "}")
    return text


def _operator_latex(op, lang: str) -> str:
    if op.kind == "named":
        name = sympy.latex(sympy.Symbol(op.name))
        return f"{name}'" if op.var.name == "x" else f"\\frac{{\\partial {name}}}{{\\partial {sympy.latex(op.var)}}}"
    inner = latex_of(op.operand, lang)
    if op.kind == "function":
        u = sympy.Symbol("u")
        name = course_str(FUNCTIONS[op.name][0](u), lang).removesuffix("(u)")
        name = "\\sigma" if name == "σ" else f"\\operatorname{{{name}}}"
        return f"{name}'\\left({inner}\\right)"
    if op.var.name == "x":
        return f"\\left({inner}\\right)'"
    return f"\\frac{{\\partial}}{{\\partial {sympy.latex(op.var)}}}\\left({inner}\\right)"


def escape(text: str) -> str:
    """Text for LaTeX's text mode (special characters, σ and the marks made safe)."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)


RENDERERS = {"text": render_text, "markdown": render_markdown, "latex": render_latex}
