"""LaTeX worksheets: escaping, content, and a real pdflatex run in English and Russian."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from derivtutor.cli import main
from derivtutor.course.bank import load_exercises
from derivtutor.course.worksheet import escape_text, prompt_latex, worksheet_latex

BANK = load_exercises()
PDFLATEX = shutil.which("pdflatex")
# One of each kind; the backprop and descent exercises are other modules' files, taken as found.
MIXED = ["table-sin", "chain-arctg2-x3", "sigmoid-derivative", "sigmoid-identity", "graph-value-x",
         "softmax-ce-a1", "ml-bce-logit"]
MIXED += [next(i for i, ex in BANK.items() if ex.kind == kind) for kind in ("backprop", "descent")
          if any(ex.kind == kind for ex in BANK.values())]

ESCAPES = [("percent", "50%", r"50\%"), ("caret", "x^2", r"x\textasciicircum{}2"), ("underscore", "a_b", r"a\_b"),
           ("backslash", "\\input", r"\textbackslash{}input"), ("braces", "{x}", r"\{x\}"), ("cyrillic", "Ответ", "Ответ")]


@pytest.mark.parametrize("text, expected", [e[1:] for e in ESCAPES], ids=[e[0] for e in ESCAPES])
def test_escape_text(text, expected):
    assert escape_text(text) == expected


PROMPTS = [("math-kept", "Find $y = x^2$ now", "Find $y = x^2$ now"),
           ("text-escaped-math-kept", "50% of $a_1$", r"50\% of $a_1$"),
           ("lone-dollar", "costs $5", r"costs \$5")]


@pytest.mark.parametrize("text, expected", [p[1:] for p in PROMPTS], ids=[p[0] for p in PROMPTS])
def test_prompt_latex(text, expected):
    assert prompt_latex(text) == expected


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_worksheet_has_every_prompt_and_no_solutions(lang):
    tex = worksheet_latex([BANK[i] for i in MIXED], lang=lang)
    for i in MIXED:
        assert prompt_latex(BANK[i].prompt[lang]) in tex
    assert "align" not in tex and tex.count("\\subsection*") == len(MIXED)
    assert ("russian" in tex) == (lang == "ru")


def _compile(tex: str, folder) -> subprocess.CompletedProcess:
    (folder / "sheet.tex").write_text(tex, encoding="utf-8")
    return subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"], cwd=folder,
                          capture_output=True, text=True, errors="replace", timeout=300)


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("solutions", [False, True], ids=["prompts", "solutions"])
def test_worksheet_compiles_with_pdflatex(lang, solutions, tmp_path):
    tex = worksheet_latex([BANK[i] for i in MIXED], lang=lang, solutions=solutions)
    run = _compile(tex, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "sheet.pdf").stat().st_size > 1000


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
def test_hostile_bank_text_cannot_break_the_document(tmp_path):
    from dataclasses import replace

    ex = BANK["table-sin"]
    evil = replace(ex, title={"en": "50% & #1 _x_ ~ ^ \\end{document} {", "ru": "Тест"},
                   prompt={"en": "\\input{/etc/passwd} 100% $x$", "ru": "Тест"})
    run = _compile(worksheet_latex([evil], lang="en"), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]


def test_solutions_show_the_steps_and_the_value():
    tex = worksheet_latex([BANK["graph-value-x"], BANK["sigmoid-identity"]], lang="en", solutions=True)
    assert "\\begin{align" in tex            # the step engine's derivation
    assert "2 e^{3}" in tex                  # the expected value, from the file
    assert "\\sigma" in tex                  # the identity's right-hand side


def test_cli_writes_the_file(tmp_path, capsys):
    out = tmp_path / "sheet.tex"
    assert main(["worksheet", "table-sin", "--topic", "hyper", "--lang", "ru", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exercises"] == ["table-sin", "hyper-ch-2x", "hyper-sh", "hyper-th"]
    assert out.read_text(encoding="utf-8").startswith("\\documentclass")


@pytest.mark.parametrize("argv", [["worksheet", "nope"], ["worksheet"]], ids=["unknown-id", "nothing-chosen"])
def test_cli_errors(argv, capsys):
    assert main(argv) == 2
