"""The derivation checker's interfaces: reports (text, Markdown, LaTeX compiled by pdflatex),
the CLI (check --derivation, JSON contract, exit codes, stdin), the exercise kind and grading."""
from __future__ import annotations

import csv
import io
import json
import random
import shutil
import subprocess

import pytest
import sympy

from derivtutor.catalogue import catalogue, placeholders
from derivtutor.cli import main
from derivtutor.course.bank import check_exercise, load_exercises
from derivtutor.derivation.checker import check_derivation
from derivtutor.derivation.report import render_latex, render_markdown, render_text
from derivtutor.input.parsing import parse

GOOD = "(tg x^2)' = 1/cos^2 x^2 * (x^2)'\n= 2x/cos^2 x^2\n"
SLIP = "(tg x^2)' = 1/cos^2 x^2 * (x^2)'\n= 1/cos^2 x^2 * x\n= x/cos^2 x^2\n"
BANK = load_exercises()
DERIVATIONS = [e for e in BANK.values() if e.kind == "derivation"]


def test_messages_have_both_languages_with_the_same_fields():
    codes = [c for c in catalogue() if c.startswith("derivation.")]
    assert len(codes) > 30
    for code in codes:
        assert placeholders(code, "en") == placeholders(code, "ru"), code


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_text_report_marks_every_line(lang):
    text = render_text(check_derivation("tg x^2", SLIP, lang=lang), lang)
    rows = text.splitlines()
    assert rows[1].startswith("✓ 1") and rows[2].startswith("✗ 2") and rows[3].startswith("✓ 3")
    assert ("Line 2" if lang == "en" else "Строка 2") in text


def test_text_report_puts_a_caret_under_an_invalid_column():
    result = check_derivation("x^2", "(x^2)' = 2 * @ x")
    rows = render_text(result).splitlines()
    mark = next(i for i, r in enumerate(rows) if r.startswith("! 1"))
    assert rows[mark][rows[mark + 1].index("^")] == "@"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_markdown_report_is_a_table_with_marks(lang):
    md = render_markdown(check_derivation("tg x^2", SLIP, lang=lang), lang)
    table = [r for r in md.splitlines() if r.startswith("| ")]
    assert len(table) == 4 and table[2].startswith("| ✗ | 2 |")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("text", [SLIP, BANK["derivation-sigmoid-identity"].get("answer")], ids=["plain", "latex"])
def test_latex_report_compiles_with_pdflatex(tmp_path, text):
    result = check_derivation("sigmoid(x)" if "sigma" in text else "tg x^2", text)
    tex = render_latex(result, "en", standalone=True)
    assert "\\begin{align*}" in tex and "\\tag*{$" in tex
    (tmp_path / "d.tex").write_text(tex)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000


def _cli(capsys, argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("text,code,verdict", [(GOOD, 0, "correct"), (SLIP, 1, "incorrect"),
                                               ("(x^2)' = @", 2, "invalid")], ids=["correct", "incorrect", "invalid"])
def test_cli_json_contract_and_exit_codes(tmp_path, capsys, text, code, verdict):
    path = tmp_path / "work.txt"
    path.write_text(text)
    got, out = _cli(capsys, ["check", "--function", "tg x^2", "--derivation", str(path), "--json"])
    data = json.loads(out)
    assert got == code and data["verdict"] == verdict
    assert {"verdict", "score", "first_error", "lines", "answer", "expected"} <= set(data)
    for line in data["lines"]:
        assert {"line", "text", "verdict", "diagnosis", "message"} <= set(line)
    if verdict == "incorrect":
        assert data["first_error"] == 2 and data["lines"][1]["diagnosis"]


def test_cli_reads_stdin_and_an_exercise_id(capsys, monkeypatch):
    exercise = BANK["derivation-tg-x2"]
    code, out = _cli(capsys, ["check", "derivation-tg-x2", "--derivation", "-", "--lang", "ru"],
                     stdin=exercise.get("answer"), monkeypatch=monkeypatch)
    assert code == 0 and "✓ 1" in out and "Верно" in out


@pytest.mark.parametrize("fmt,needle", [("markdown", "| ✓ | 1 |"), ("latex", "\\begin{align*}")])
def test_cli_report_formats(tmp_path, capsys, fmt, needle):
    path = tmp_path / "work.txt"
    path.write_text(GOOD)
    code, out = _cli(capsys, ["check", "--function", "tg x^2", "--derivation", str(path), "--derivation-format", fmt])
    assert code == 0 and needle in out


def test_cli_usage_errors_exit_2(capsys, tmp_path):
    assert main(["check", "--function", "x^2", "--derivation", str(tmp_path / "missing.txt")]) == 2
    assert main(["check", "--function", "x^2"]) == 2
    assert main(["check", "--derivation", str(tmp_path / "missing.txt")]) == 2


def test_the_bank_has_the_derivations_the_issue_asks_for():
    ids = {e.id for e in DERIVATIONS}
    assert len(ids) >= 8
    assert {"derivation-sigmoid-identity", "derivation-tanh", "derivation-tg-x2", "derivation-arctg2-x3",
            "derivation-ln-cos2-sin-sqrt", "derivation-seed004-dv"} <= ids


def _expr(text: str, exercise) -> sympy.Expr:
    """A bank text read by the (trusted) parser, with the exercise's definitions substituted."""
    expr = parse(text, variables=(exercise.get("variable"), *(exercise.get("definitions") or {})))
    for name, formula in reversed(list((exercise.get("definitions") or {}).items())):
        expr = expr.subs(sympy.Symbol(name), parse(formula))
    return expr.rewrite(sympy.exp)


def _numeric_equal(a, b, trials=6) -> bool:
    rng = random.Random(3)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    for _ in range(trials):
        point = {s: sympy.Float(rng.uniform(0.2, 0.8), 30) for s in symbols}
        va, vb = complex(sympy.N(a.subs(point), 20)), complex(sympy.N(b.subs(point), 20))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


@pytest.mark.parametrize("exercise", DERIVATIONS, ids=[e.id for e in DERIVATIONS])
def test_every_model_derivation_is_correct_and_ends_in_the_sympy_derivative(exercise):
    result = check_exercise(exercise, exercise.get("answer"))
    assert (result.verdict, result.score) == ("correct", 1.0), result.message
    derivative = sympy.diff(_expr(exercise.get("function"), exercise), sympy.Symbol(exercise.get("variable")))
    final = exercise.get("answer").strip().rstrip("\\").rsplit("=", 1)[1]
    assert _numeric_equal(derivative, _expr(final, exercise))


@pytest.mark.parametrize("exercise", DERIVATIONS, ids=[e.id for e in DERIVATIONS])
def test_partial_credit_for_a_correct_prefix(exercise):
    lines = [l for l in exercise.get("answer").strip().splitlines() if l.strip()]
    broken = "\n".join(lines[:-1] + [lines[-1].rstrip().rstrip("\\") + " + 1"])
    result = check_exercise(exercise, broken)
    assert result.verdict == "incorrect"
    assert result.score == pytest.approx(0.5 * (len(lines) - 1) / len(lines))


def test_grade_reads_a_multi_line_csv_answer(tmp_path, capsys):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "exercise", "answer"])
    writer.writerow(["ann", "derivation-tg-x2", GOOD])
    writer.writerow(["bob", "derivation-tg-x2", SLIP])
    path = tmp_path / "answers.csv"
    path.write_text(buffer.getvalue())
    assert "\n" in GOOD and path.read_text().count('"') >= 4  # the answers are quoted multi-line fields
    code = main(["grade", str(path), "--format", "json", "--jobs", "1", "--timeout", "10"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    items = data["items"] if isinstance(data, dict) else data
    verdicts = {item["student"]: (item["verdict"], item["score"]) for item in items}
    assert verdicts["ann"][0] == "correct" and verdicts["bob"][0] == "incorrect"


def test_a_worksheet_shows_the_model_derivations(tmp_path):
    out = tmp_path / "ws.tex"
    assert main(["worksheet", "--topic", "derivation", "--solutions", "--out", str(out)]) == 0
    tex = out.read_text()
    assert tex.count("\\begin{align*}") >= len(DERIVATIONS) and "\\tag*" not in tex
