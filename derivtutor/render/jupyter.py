r"""Rich display in Jupyter: Markdown, LaTeX that MathJax renders, and HTML tables.

MathJax typesets mathematics only: no \parbox, \begin{tabular} or text-mode
commands. ``display`` writes sentences as ``\text{...}`` (their ``$...$`` maths
outside it) in one ``aligned`` block, so the same output works in a notebook,
in nbconvert's HTML and in a PDF.

>>> print(display(["Power rule with exponent $2$.", "x^{2} = 2 x"]))
$$\begin{aligned}&\text{Power rule with exponent }2\text{.}\\&x^{2} = 2 x\end{aligned}$$
"""
from __future__ import annotations

import html

#: Characters \text{} cannot hold in both MathJax and LaTeX: written as maths between the pieces of text.
_MATH_FORMS = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "#": r"\#",
               "_": r"\_", "^": r"\hat{\ }", "~": r"\sim ", "|": r"\vert "}


def text(sentence: str) -> str:
    r"""A sentence for MathJax: plain words in \text{...}, its $maths$ as maths."""
    out = []
    for k, part in enumerate(sentence.split("$")):
        if k % 2:
            out.append(part)
            continue
        words = ""
        for c in part:
            if c in _MATH_FORMS:
                out += [r"\text{" + words + "}"] if words else []
                out.append(_MATH_FORMS[c])
                words = ""
            else:
                words += c
        out += [r"\text{" + words + "}"] if words else []
    return "".join(out)


def display(rows: list[str], sentences: set[int] | None = None) -> str:
    r"""Rows in one $$\begin{aligned}...$$ block; rows whose index is in ``sentences`` (default: even) are text."""
    sentences = set(range(0, len(rows), 2)) if sentences is None else sentences
    body = r"\\".join("&" + (text(r) if k in sentences else r) for k, r in enumerate(rows))
    return r"$$\begin{aligned}" + body + r"\end{aligned}$$"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub/Jupyter Markdown table (numbers right-aligned)."""
    def cell(value: str) -> str:
        return str(value).replace("|", r"\|")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def latex_table(header: list[str], rows: list[list[str]]) -> str:
    r"""The table as a MathJax ``array`` (cells as \text)."""
    spec = "r" * len(header)
    body = [" & ".join(text(c) for c in header) + r" \\ \hline"]
    body += [" & ".join(text(c) for c in row) + r" \\" for row in rows]
    return r"$$\begin{array}{" + spec + "}" + "\n".join(body) + r"\end{array}$$"


def html_table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """An HTML table, every cell escaped."""
    esc = html.escape
    out = ["<table>"] + ([f"<caption>{esc(caption)}</caption>"] if caption else [])
    out.append("<tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in header) + "</tr>")
    out += ["<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>" for row in rows]
    return "\n".join(out + ["</table>"])
