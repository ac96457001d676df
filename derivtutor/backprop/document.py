"""Whole backprop reports: text, LaTeX (optionally a standalone document), Markdown, JSON.

Built from a derived network, optionally its scalar chains and a GradCheck;
headings come from the message catalogue.

>>> from derivtutor.backprop.network import NetworkSpec, derive_backprop
>>> doc = report_dict(derive_backprop(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))))
>>> doc["gradients"]["V"]["text"]
'dE/dp x^T'
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from derivtutor.backprop.render import LatexPrinter, TextPrinter
from derivtutor.backprop.layer_rules import Grad
from derivtutor.catalogue import message


def _network_line(net, lang: str) -> str:
    spec = net.spec
    l2 = message("backprop.heading.l2", lang, lam=spec.l2) if spec.l2 is not None else ""
    return message("backprop.heading.network", lang, layers="-".join(map(str, spec.layers)),
                   activations=", ".join(spec.activations), loss=spec.loss, l2=l2)


def report_dict(net, scalar: dict | None = None, check=None) -> dict:
    """The JSON document: network, forward, backward, gradients, scalar?, check?"""
    text, latex = TextPrinter(), LatexPrinter()
    spec = net.spec
    doc = {
        "network": {"layers": list(spec.layers), "activations": list(spec.activations), "loss": spec.loss,
                    "l2": spec.l2, "parameters": list(net.names.parameters())},
        "forward": [{"name": getattr(s, "target", "E"), "text": text.doprint(s), "latex": latex.doprint(s)}
                    for s in net.forward],
        "backward": [{"name": s.target, "rule": s.rule, "text": text.doprint(s), "latex": latex.doprint(s)}
                     for s in net.backward],
        "gradients": {p: _gradient(net, p, text, latex) for p in net.names.parameters()},
    }
    if scalar is not None:
        doc["scalar"] = {p: {"text": text.doprint(c), "latex": latex.doprint(c), "value": text.scalar(c.value),
                             "factors": [{"name": text.doprint(f), "value": text.scalar(f.value)} for f in c.factors]}
                         for p, c in scalar.items()}
    if check is not None:
        doc["check"] = check.to_dict()
    return doc


def _gradient(net, parameter: str, text, latex) -> dict:
    """The program's formula for dE/d(parameter), and the same with every dE/d(.) written out."""
    term, expanded = net.gradient(parameter).term, inline(net.gradient(parameter).term, net.backward)
    return {"text": text.doprint(term), "latex": latex.doprint(term),
            "expanded_text": text.doprint(expanded), "expanded_latex": latex.doprint(expanded)}


def inline(term, steps):
    """``term`` with each Grad(of) replaced by the step that computes it, recursively."""
    if isinstance(term, Grad):
        return inline(next(s.term for s in steps if s.target == "dE/d" + term.of), steps)
    if not is_dataclass(term):
        return term
    return replace(term, **{f.name: inline(getattr(term, f.name), steps) for f in fields(term)})


def _check_lines(check, seed: int, lang: str) -> list:
    lines = []
    if check.proof is not None:
        proof, layers = check.proof, "-".join(map(str, check.proof.spec.layers))
        failures = proof.failures()
        lines.append(message("backprop.proof-ok", lang, layers=layers, count=len(proof.entries)) if not failures
                     else message("backprop.proof-failed", lang, layers=layers, failed=len(failures),
                                  count=len(proof.entries),
                                  entry=f"{failures[0].parameter}[{failures[0].row},{failures[0].col}]"))
    lines += [message("backprop.check-header", lang, seed=seed), message("backprop.check-columns", lang)]
    for name, e in check.per_parameter.items():
        lines.append(f"{name} | {e['symbolic_vs_numpy']:.2e} | {e['symbolic_vs_fd']:.2e} | {e['numpy_vs_fd']:.2e}")
    verdict = "backprop.check-passed" if check.passed else "backprop.check-failed"
    lines.append(message(verdict, lang, numpy=f"{check.max_rel_error_numpy:.2e}", fd=f"{check.max_rel_error_fd:.2e}"))
    return lines


def render_text(net, lang: str = "en", scalar: dict | None = None, check=None, seed: int = 0) -> str:
    """The report as plain text, one formula per line under catalogue headings."""
    p = TextPrinter(lang)
    out = [_network_line(net, lang), "", message("backprop.heading.forward", lang) + ":"]
    out += ["  " + p.doprint(s) for s in net.forward]
    out += ["", message("backprop.heading.backward", lang) + ":"]
    width = max(len(p.doprint(s)) for s in net.backward)
    out += [f"  {p.doprint(s):<{width}}   [{message('backprop.rule.' + s.rule, lang)}]" for s in net.backward]
    out += ["  " + message("backprop.legend", lang)]
    if scalar is not None:
        out += ["", message("backprop.heading.scalar", lang) + ":"] + ["  " + p.doprint(c) for c in scalar.values()]
    if check is not None:
        out += ["", message("backprop.heading.check", lang) + ":"] + ["  " + line for line in _check_lines(check, seed, lang)]
    return "\n".join(out) + "\n"


def _latex_body(net, lang: str, scalar, check, seed: int) -> list:
    p = LatexPrinter(lang)
    align = lambda rows: [r"\begin{align*}", " \\\\\n".join(r.replace(" = ", " &= ", 1) for r in rows), r"\end{align*}"]
    out = [_latex_text(_network_line(net, lang)), "", _latex_text(message("backprop.heading.forward", lang)) + ":"]
    out += align([p.doprint(s) for s in net.forward])
    out += [_latex_text(message("backprop.heading.backward", lang)) + ":"] + align([p.doprint(s) for s in net.backward])
    if scalar is not None:
        out += [_latex_text(message("backprop.heading.scalar", lang)) + ":"] + align([p.doprint(c) for c in scalar.values()])
    if check is not None:
        out += [_latex_text(message("backprop.heading.check", lang)) + ":", ""] + _latex_check(check, seed, lang)
    return out


def _latex_check(check, seed: int, lang: str) -> list:
    """The check as paragraphs around a tabular of the per-parameter errors."""
    lines = _check_lines(check, seed, lang)
    n_proof = 1 if check.proof is not None else 0
    header = [_latex_text(c) for c in lines[n_proof + 1].split(" | ")]
    rows = [" & ".join(_latex_text(c) for c in line.split(" | ")) + r" \\" for line in lines[n_proof + 2:-1]]
    return ([_latex_text(line) + "\n" for line in lines[:n_proof + 1]]
            + [r"\begin{tabular}{lrrr}", r"\hline", " & ".join(header) + r" \\", r"\hline", *rows, r"\hline",
               r"\end{tabular}", "", _latex_text(lines[-1])])


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "⊙": r"$\odot$", "|": r"$|$"}


def _latex_text(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def render_latex(net, lang: str = "en", scalar=None, check=None, seed: int = 0, standalone: bool = False) -> str:
    r"""The report as LaTeX (align* blocks); ``standalone`` wraps it in a compilable document."""
    body = "\n".join(_latex_body(net, lang, scalar, check, seed)) + "\n"
    if not standalone:
        return body
    babel = r"\usepackage[T2A]{fontenc}" "\n" r"\usepackage[russian]{babel}" "\n" if lang == "ru" else ""
    return ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n" + babel
            + "\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
            + "\\begin{document}\n" + body + "\\end{document}\n")


def render_markdown(net, lang: str = "en", scalar=None, check=None, seed: int = 0) -> str:
    """The report as Markdown with $$ display maths (GitHub, Jupyter)."""
    p = LatexPrinter(lang)
    out = [f"**{_network_line(net, lang)}**", "", f"### {message('backprop.heading.forward', lang)}", ""]
    out += [f"$${p.doprint(s)}$$" for s in net.forward]
    out += ["", f"### {message('backprop.heading.backward', lang)}", ""]
    out += [f"$${p.doprint(s)}$$" for s in net.backward] + ["", message("backprop.legend", lang)]
    if scalar is not None:
        out += ["", f"### {message('backprop.heading.scalar', lang)}", ""] + [f"$${p.doprint(c)}$$" for c in scalar.values()]
    if check is not None:
        out += ["", f"### {message('backprop.heading.check', lang)}", ""] + _markdown_check(check, seed, lang)
    return "\n".join(out) + "\n"


def _markdown_check(check, seed: int, lang: str) -> list:
    lines = _check_lines(check, seed, lang)
    n = 2 if check.proof is not None else 1
    table = [f"| {line} |" for line in lines[n:-1]]
    return [*(line + "\n" for line in lines[:n]), table[0], "|---|---:|---:|---:|", *table[1:], "", lines[-1]]


# -- Jupyter: MathJax-safe LaTeX (no tabular, no text-mode commands), Markdown and HTML -------------
def render_mathjax(net, lang: str = "en") -> str:
    """The forward and backward passes as one aligned block MathJax renders."""
    from derivtutor.render.jupyter import text

    p = LatexPrinter()
    rows = [text(_network_line(net, lang)), text(message("backprop.heading.forward", lang) + ":")]
    rows += [p.doprint(s).replace(" = ", " &= ", 1) for s in net.forward]
    rows += [text(message("backprop.heading.backward", lang) + ":")]
    rows += [p.doprint(s).replace(" = ", " &= ", 1) for s in net.backward]
    return r"$$\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}$$"


def _check_table(check, lang: str):
    lines = _check_lines(check, check.seed, lang)
    n = 2 if check.proof is not None else 1
    header, *rows = [line.split(" | ") for line in lines[n:-1]]
    return lines[:n], header, rows, lines[-1]


def check_markdown(check, lang: str = "en") -> str:
    return "\n".join(_markdown_check(check, check.seed, lang))


def check_mathjax(check, lang: str = "en") -> str:
    from derivtutor.render.jupyter import latex_table, text

    before, header, rows, verdict = _check_table(check, lang)
    lines = [*(f"$${text(b)}$$" for b in before), latex_table(header, rows), f"$${text(verdict)}$$"]
    return "\n".join(lines)


def check_html(check, lang: str = "en") -> str:
    from derivtutor.render.jupyter import html_table

    before, header, rows, verdict = _check_table(check, lang)
    return html_table(header, rows, caption=" ".join([*before, verdict]))
