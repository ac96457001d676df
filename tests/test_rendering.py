"""Renderers of steps (text, LaTeX, Markdown, JSON) and the diff command."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from sympy import Symbol, diff, latex, simplify

from corpus_functions import CORPUS, SEED_ANSWERS
from derivtutor.catalogue import placeholders
from derivtutor.cli import main
from derivtutor.input.parsing import parse
from derivtutor.render.text import StepPrinter, TextPrinter
from derivtutor.steps.rules import RULES_BY_ID
from derivtutor.steps.simplification import REWRITES
from derivtutor.steps.engine import differentiate

LANGS = ["en", "ru"]
SEED_TEXTS = [s[1] for s in SEED_ANSWERS]
SEED_IDS = [s[0] for s in SEED_ANSWERS]
STEP_KEYS = {"rule", "expression", "result", "text", "latex", "substeps"}


def walk(steps):
    for step in steps:
        yield step
        yield from walk(step["substeps"])


@pytest.mark.parametrize("code", [f"steps.rule.{r}" for r in RULES_BY_ID]
                         + [f"steps.simplify.{k}" for k, _ in REWRITES] + ["steps.simplify.combine"])
def test_every_rule_and_rewrite_has_both_languages_with_the_same_fields(code):
    assert placeholders(code, "en") == placeholders(code, "ru")


def test_printers_dispatch_on_class_names_not_isinstance():
    import inspect

    import derivtutor.render.text as rendering
    import derivtutor.render.json_dict as rendering_json
    import derivtutor.render.latex as rendering_latex

    for module in (rendering, rendering_latex, rendering_json):
        assert "isinstance(" not in inspect.getsource(module).replace("isinstance(value, Expr)", "")
    assert hasattr(StepPrinter, "_print_Rule") and hasattr(StepPrinter, "_print_ChainRule")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name, text, var", CORPUS[::7], ids=[c[0] for c in CORPUS[::7]])
def test_json_shape_and_values(name, text, var, lang):
    d = differentiate(parse(text), var)
    data = json.loads(d.to_json(lang))
    assert list(data) == ["expression", "variable", "derivative", "derivative_latex", "steps"]
    assert data["variable"] == var and data["derivative"] == str(d.result)
    assert data["expression"] == str(parse(text))
    for step in walk(data["steps"]):
        assert set(step) == STEP_KEYS and step["text"] and step["latex"]
    assert data["steps"][0]["rule"] == d.rule.rule_id


def test_brief_detail_has_no_substeps_and_full_has_them():
    d = differentiate("ln cos^2(sin sqrt x)")
    assert all(not s["substeps"] for s in d.to_dict(detail="brief")["steps"])
    assert len(list(walk(d.to_dict(detail="full")["steps"]))) > 8
    assert len(d.to_text(detail="brief").splitlines()) < len(d.to_text(detail="full").splitlines())


@pytest.mark.parametrize("lang, tg", [("en", r"\operatorname{tg}"), ("ru", r"\operatorname{tg}")], ids=LANGS)
def test_course_notation_in_latex(lang, tg):
    tex = differentiate("tg x^2").to_latex(lang)
    assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}")
    assert tg in tex and (lang == "en" or "\\tan" not in tex)


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_has_balanced_inline_math(lang):
    md = differentiate("arctg^2 x^3").to_markdown(lang)
    for line in md.splitlines():
        assert line.count("$") % 2 == 0, line
    d = differentiate("x^2")
    # Jupyter's LaTeX goes to MathJax, which has no \parbox: one aligned block instead (issue 13).
    assert d._repr_markdown_() == d.to_markdown()
    assert d._repr_latex_().startswith("$$\\begin{aligned}") and "\\parbox" not in d._repr_latex_()


def compile_latex(source: str, tmp_path) -> subprocess.CompletedProcess:
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_standalone_latex_compiles(tmp_path, lang):
    """One document: a standalone seed derivation with every corpus derivation appended."""
    bodies = [differentiate(parse(text), var).to_latex(lang) for _, text, var in CORPUS]
    source = differentiate(SEED_TEXTS[0]).to_latex(lang, standalone=True)
    source = source.replace("\\end{document}", "\n\n".join(bodies) + "\n\\end{document}")
    run = compile_latex(source, tmp_path)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


# -- the diff command ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
@pytest.mark.parametrize("lang", LANGS)
def test_diff_command_formats(capsys, fmt, lang):
    assert main(["diff", "tg x^2", "--format", fmt, "--lang", lang]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        derivative = parse(data["derivative"].replace("**", "^"))
        assert simplify(derivative - diff(parse("tg x^2"), Symbol("x"))) == 0
    elif fmt == "latex":
        assert "\\begin{align*}" in out
    else:
        assert ("Ответ" if lang == "ru" else "Answer") in out


def test_diff_command_json_flag_and_var(capsys):
    assert main(["diff", "1 + e^(w1 x + w0)", "--var", "w1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["variable"] == "w1"
    assert parse(data["derivative"].replace("**", "^")) == parse("x e^(w1 x + w0)")


@pytest.mark.parametrize("argv, code", [
    (["diff", "x y"], "steps.cli.need-var"),
    (["diff", "sin(x", "--json"], None),
    (["diff", "x", "--var", "1x", "--json"], "steps.cli.bad-var"),
], ids=["several-vars", "parse-error", "bad-var"])
def test_diff_command_usage_errors_exit_2(capsys, argv, code):
    assert main(argv) == 2
    captured = capsys.readouterr()
    if "--json" in argv:
        error = json.loads(captured.out)["error"]
        assert error["message"] and (code is None or error["code"] == code)
    else:
        assert "--var" in captured.err


@pytest.mark.parametrize("lang", LANGS)
def test_diff_command_parse_error_has_caret(capsys, lang):
    assert main(["diff", "sin(x", "--lang", lang]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("^") and "sin(x" in err


def test_diff_command_standalone(capsys):
    assert main(["diff", "sigma(x)", "--format", "latex", "--standalone", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\documentclass") and "\\usepackage[russian]{babel}" in out
    assert latex(Symbol("x")) in out


def test_text_printer_renders_every_corpus_function_in_both_languages():
    for _, text, var in CORPUS:
        d = differentiate(parse(text), var)
        for lang in LANGS:
            rendered = TextPrinter(lang).render(d)
            assert "{" not in rendered.replace("{}", "")  # no unfilled placeholder


# -- hyperbolic functions in course notation ------------------------------------------

COURSE_NAMES = [  # (function as typed, the name the Russian course writes, the English name)
    ("coth(x^2)", "cth", "coth"),
    ("asinh(sqrt x)", "arsh", "arsinh"),
    ("acosh^2(2x)", "arch", "arcosh"),
    ("atanh(x/2)", "arth", "artanh"),
]


@pytest.mark.parametrize("text, ru, en", COURSE_NAMES, ids=[c[1] for c in COURSE_NAMES])
def test_russian_hyperbolic_names_read_back_as_the_same_function(text, ru, en):
    from derivtutor.render.text import course_str
    from derivtutor.render.latex import course_latex

    expr = parse(text)
    for lang in LANGS:
        # The parser is the witness: what the tutor writes, a student can type back.
        assert parse(course_str(expr, lang)) == expr
        assert parse(course_latex(expr, lang), syntax="latex") == expr
    assert course_str(expr, "ru").startswith(ru + "(") and f"\\operatorname{{{ru}}}" in course_latex(expr, "ru")
    assert en not in course_latex(expr, "ru") and ru + "(" not in course_str(expr, "en")
    assert f"d/dx {ru}(" in differentiate(expr).to_text("ru")


HYPERBOLIC_TEXTS = ["cth x", "sech^2(3x)", "csch(x^2)", "arsh(x^2)", "arch(2x)", "arth(x/2)", "sgn(x^2 - 1)"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", HYPERBOLIC_TEXTS, ids=HYPERBOLIC_TEXTS)
def test_hyperbolic_derivations_render_in_every_format(text, lang):
    d = differentiate(text)
    data = json.loads(d.to_json(lang))
    # Witness: SymPy over a real x (sign' is a DiracDelta there), at a point inside every domain.
    x, xr = Symbol("x"), Symbol("x", real=True)
    witness = diff(parse(text).subs(x, xr), xr).subs(xr, 0.8)
    derivative = parse(data["derivative"].replace("**", "^")).subs(x, 0.8)
    assert abs(complex(derivative.evalf()) - complex(witness.evalf())) < 1e-12
    assert all(step["rule"] != "dont_know" and step["text"] for step in walk(data["steps"]))
    assert "{" not in d.to_text(lang)  # no unfilled placeholder
    for rendered in (d.to_latex(lang), d.to_markdown(lang)):
        assert rendered.count("{") == rendered.count("}") and rendered.count("$") % 2 == 0
