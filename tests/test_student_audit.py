"""Issue 13 audited again with new probes of each class: typos in other shapes, readings in both
syntaxes, leading minus in every command, SymPy names in every printer, the decimal-comma note in
every exercise kind, prompts in the terminal. Witnesses: SymPy built by hand, central differences."""
from __future__ import annotations

import csv
import json
import math
import re

import pytest
import sympy
from sympy import Abs, Rational, Symbol, acosh, asinh, atanh, cos, exp, log, pi, sin, sqrt

from derivtutor.checking.checker import check_answer
from derivtutor.cli import main
from derivtutor.input.parsing import ParseError, parse
from derivtutor.render.notation import SYMPY_NAMES

x, y, w, a, b, c, t = sympy.symbols("x y w a b c t")
#: What a student must never read (the property test's names and the audit's grep list).
LEAKS = SYMPY_NAMES + ("tan(", "cot(", "Heaviside", "DiracDelta", "sqrt(x**2)", " re(", " im(")


# -- typos: a near miss applied like a function is invalid, never graded --------------------------
TYPOS = [  # id, function, answer, suggestion
    ("doubled-last", "cos x", "coss x", "cos"), ("doubled-ln", "ln x", "lnn x", "ln"),
    ("extra-letter-paren", "sin x", "sinn(x)", "sin"), ("exp-doubled", "exp(x)", "expp(x)", "exp"),
    ("sinh-doubled", "sinh x", "sinhh x", "sinh"), ("power-swap", "sin^2 x", "sni^2 x", "sin"),
    ("power-paren", "cos^2 x", "cso^2(x)", "cos"), ("russian-arsh", "sh x", "arcsh x", "arsh"),
    ("inside-product", "x^2 tg x", "2x*tna(x^2)", "tan"), ("after-plus", "x + cos x", "x + coos x", "cos"),
    ("latex-power", r"\cos^2 x", r"\cso^2 x", r"\cos"), ("latex-operatorname", "sin x", r"\operatorname{sinn} x", "sin"),
    ("latex-mathrm", "cos x", r"\mathrm{cso}(x)", "cos"), ("leading-minus", "cos x", "-sni x", "sin"),
]


@pytest.mark.parametrize("function, answer, guess", [t[1:] for t in TYPOS], ids=[t[0] for t in TYPOS])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_typo_shapes_are_invalid_with_a_suggestion(function, answer, guess, lang):
    result = check_answer(function, answer, lang=lang)
    assert (result.verdict, result.score, result.diagnosis) == ("invalid", None, ["parse.typo"]), result
    assert guess in result.message and result.position is not None


NOT_TYPOS = [  # id, text, variables, witness: letter products and function words that stay what they are
    ("sinx-y", "sinx y", None, sin(x * y)), ("x-sin", "xsin x", ("x",), x * sin(x)),
    ("quadratic", "ax^2 + bx + c", ("a", "b", "c", "x"), a * x**2 + b * x + c),
    ("declared-letters-power", "abc^2", ("a", "b", "c"), a * b * c**2),
    ("declared-letters-applied", "abc x", ("a", "b", "c", "x"), a * b * c * x),
    ("cosx-x", "cosx x", None, cos(x**2)), ("t-sin-free", "tsin(x)", None, t * sin(x)),
    ("xy", "xy", ("x", "y"), x * y), ("glued-doubled", "lnnx", None, log(Symbol("n") * x)),
    ("two-letter-power", "ab^2", None, a * b**2),
]


@pytest.mark.parametrize("text, variables, witness", [t[1:] for t in NOT_TYPOS], ids=[t[0] for t in NOT_TYPOS])
def test_words_that_stay_products_or_functions(text, variables, witness):
    assert parse(text, variables=variables) == witness


# -- readings: LaTeX and plain agree with standard notation ---------------------------------------
READINGS = [  # id, text, witness
    ("th-inverse-operatorname", r"\operatorname{th}^{-1} x", atanh(x)), ("ch-inverse", r"\operatorname{ch}^{-1}(x)", acosh(x)),
    ("th-inverse-plain", "th^-1 x", atanh(x)), ("arsh-plain", "arsh x", asinh(x)),
    ("arcsinh-paren", r"\arcsinh(2x)", asinh(2 * x)), ("arccosh-braced", r"\arccosh{x}", acosh(x)),
    ("sci-plus-plain", "1.5e+3", Rational(1500)), ("sci-plus-latex", r"\frac{1.5e+3}{x}", 1500 / x),
    ("sci-cdot", r"3.0E-1\cdot x", Rational(3, 10) * x), ("sci-glued-latex", r"2.5E2x", 250 * x),
    ("euler-minus", r"e-2", sympy.E - 2), ("euler-product", r"2e^{x}", 2 * exp(x)),
    ("sup-sub-braced", r"\theta^{2}_{ij}", Symbol("thetaij") ** 2), ("sup-sub-digits", r"w^{2}_{1}", Symbol("w1") ** 2),
    ("lvert-power", r"\lvert x\rvert^2", Abs(x) ** 2), ("big-bars", r"\Big| x \Big|", Abs(x)),
    ("left-lvert-sin", r"\left\lvert \sin x \right\rvert", Abs(sin(x))), ("boxed-minus", r"\boxed{-\sin x}", -sin(x)),
    ("degrees-braced", r"\cos 60^{\circ}", Rational(1, 2)), ("degrees-pasted", "sin 30°", Rational(1, 2)),
    ("space-commands", r"x\negthickspace y \thickspace + 1", x * y + 1),
]


@pytest.mark.parametrize("text, witness", [t[1:] for t in READINGS], ids=[t[0] for t in READINGS])
def test_readings(text, witness):
    assert sympy.simplify(parse(text) - witness) == 0


REFUSALS = [  # id, text, code
    ("coth-inverse", r"\coth^{-1} x", "parse.inverse-ambiguous"), ("sec-inverse-plain", "sec^-1 x", "parse.inverse-ambiguous"),
    ("cth-inverse-russian", "cth^(-1) x", "parse.inverse-ambiguous"),
    ("mathrm-unknown", r"\mathrm{foo}(x)", "parse.unknown-function"), ("text-unknown", r"\text{bar}(x)", "parse.unknown-function"),
    ("operatorname-unknown-power", r"\operatorname{baz}^2 x", "parse.unknown-function"),
    ("mixed-single-chars", r"2\frac34", "parse.mixed-number"), ("mixed-tfrac", r"2\tfrac13", "parse.mixed-number"),
    ("mixed-after-plus", r"x + 1\frac{1}{2}", "parse.mixed-number"), ("mixed-negative", r"-2 \dfrac{1}{3}", "parse.mixed-number"),
]


@pytest.mark.parametrize("text, code", [t[1:] for t in REFUSALS], ids=[t[0] for t in REFUSALS])
def test_refusals(text, code):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.code == code
    assert info.value.render("en") and info.value.render("ru") != info.value.render("en")


def test_sine_inverse_is_still_arcsine_and_a_power_is_still_a_power():
    assert parse(r"\cot^{-1} x") == sympy.acot(x) and parse(r"\coth^{-2} x") == sympy.coth(x) ** -2
    assert parse(r"x\frac34") == Rational(3, 4) * x and parse(r"2 \cdot \frac34") == Rational(3, 2)


PASTED = [  # id, plain, latex, witness
    ("small-hyphen-minus", "x﹣1", r"x﹣\frac{1}{1}", x - 1), ("fullwidth-plus", "x＋1", r"x＋\frac{2}{2}", x + 1),
    ("fullwidth-brackets", "（x）^2", r"（x）^2", x**2), ("figure-dash", "‒x", r"‒\frac{x}{1}", -x),
    ("en-dash", "–x", r"–x", -x), ("minus-in-exponent", "e^(−x)", r"e^{−x}", exp(-x)),
    ("scientific-superscript", "3·10⁻²", r"3·10⁻²", Rational(3, 100)), ("negative-square", "x⁻²", r"\frac{1}{1}x⁻²", x**-2),
    ("root-times-sine", "√(x)·sin x", r"\sqrt{x}·\sin x", sqrt(x) * sin(x)), ("fullwidth-number", "１０x", r"\frac{１０}{x}", None),
]


@pytest.mark.parametrize("plain, latex, witness", [p[1:] for p in PASTED], ids=[p[0] for p in PASTED])
def test_pasted_characters_in_both_syntaxes(plain, latex, witness):
    read_plain, read_latex = parse(plain, "plain"), parse(latex, "latex")
    if witness is None:
        assert (read_plain, read_latex) == (10 * x, 10 / x)
    else:
        assert read_plain == witness and read_latex == witness


# -- a leading minus in every command that takes an expression -------------------------------------
LEADING_MINUS = [  # id, argv
    ("parse", ["parse", "-x^2"]), ("diff", ["diff", "-x^3", "--json"]), ("diff-latex", ["diff", r"-\sin x", "--json"]),
    ("check-function", ["check", "--function", "-x^2", "--answer", "-2x", "--json"]),
    ("check-exercise", ["check", "table-cos", "--answer", "-sin x", "--json"]),
    ("graph", ["graph", "-x*w", "--at", "x=1,w=2", "--json"]), ("identity", ["identity", "-x^2", "-(x*x)", "--json"]),
    ("matrix", ["matrix", "-x^Tx", "--wrt", "x", "--json"]), ("descend", ["descend", "-w^2 + w^4", "--start", "w=1", "--json"]),
]


@pytest.mark.parametrize("argv", [t[1] for t in LEADING_MINUS], ids=[t[0] for t in LEADING_MINUS])
def test_leading_minus_is_read_as_an_expression(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err + out.out
    assert "error" not in json.loads(out.out) if argv[0] != "parse" else "-" in out.out


def test_diff_with_a_leading_minus_is_the_derivative(capsys):
    assert main(["diff", "-x^3", "--json"]) == 0
    assert parse(json.loads(capsys.readouterr().out)["derivative"]) == sympy.diff(-x**3, x)


def test_grade_reads_minus_signs_typos_and_commas(tmp_path):
    rows = [("ann", "table-cos", "-sin x"), ("bob", "table-cos", "−sin x"), ("cat", "table-cos", "-sni x"),
            ("dan", "descent-w-after-3-steps", "2,56")]
    with open(tmp_path / "class.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("student", "exercise", "answer"), *rows])
    out = tmp_path / "grades.json"
    assert main(["grade", str(tmp_path / "class.csv"), "--format", "json", "--out", str(out), "--jobs", "1",
                 "--lang", "ru"]) == 0
    items = {i["student"]: i for i in json.loads(out.read_text(encoding="utf-8"))["items"]}
    assert items["ann"]["verdict"] == items["bob"]["verdict"] == "correct"
    assert items["cat"]["verdict"] == "invalid" and items["cat"]["diagnosis"] == ["parse.typo"]
    assert items["dan"]["verdict"] == "correct" and "2.56" in items["dan"]["message"]


# -- the shared printer everywhere: graphs and backprop notes -------------------------------------
GRAPHS = [  # id, expression, point
    ("log-tan-sigmoid", "tanh(w*x) + ln(x)*sigmoid(x) - tan(x)", {"x": 0.7, "w": 2.0}),
    ("abs", "|x| + ln|w x|", {"x": -1.3, "w": 2.0}), ("relu-arctg", "relu(w*x) + arctg(x)", {"x": 0.4, "w": 1.5}),
    ("ctg-sqrt", "ctg(x) * sqrt(w)", {"x": 0.9, "w": 3.0}),
]


@pytest.mark.parametrize("expression, point", [g[1:] for g in GRAPHS], ids=[g[0] for g in GRAPHS])
def test_graph_speaks_the_course_notation_and_its_gradients_are_right(expression, point, capsys):
    from derivtutor.backprop.graph import build_graph

    graph = build_graph(parse(expression), point)
    texts = [n.text for n in graph.nodes] + [s.text for s in graph.backward]
    assert not [s for s in texts if any(leak in s for leak in LEAKS)], texts
    by_hand = {"sigmoid": lambda v: 1 / (1 + math.exp(-v)), "Max": max}  # not the project's numeric table
    f = sympy.lambdify(sorted(point), parse(expression), [by_hand, "math"])
    for name in point:  # witness: central differences of the expression itself
        h = 1e-6
        up, down = dict(point, **{name: point[name] + h}), dict(point, **{name: point[name] - h})
        numeric = (f(*(up[k] for k in sorted(point))) - f(*(down[k] for k in sorted(point)))) / (2 * h)
        assert math.isclose(graph.gradients[name], numeric, rel_tol=1e-5, abs_tol=1e-7), name


@pytest.mark.parametrize("lang, names", [("en", ("σ(p)", "tanh(")), ("ru", ("σ(p)", "th("))], ids=["en", "ru"])
def test_backprop_notes_name_activations_in_course_notation(lang, names, capsys):
    assert main(["backprop", "--layers", "1,1,1", "--activation", "sigmoid", "--scalar", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert names[0] in out and "sigmoid(" not in out
    assert main(["backprop", "--layers", "1,1,1", "--activation", "tanh", "--scalar", "--lang", lang]) == 0
    assert names[1] in capsys.readouterr().out


def test_relu_notes_write_the_step_as_a_bracket(capsys):
    assert main(["backprop", "--layers", "2,3,1", "--activation", "relu", "--output", "linear"]) == 0
    out = capsys.readouterr().out
    assert "[p > 0]" in out and "Heaviside" not in out and "linear(" not in out


# -- the decimal comma is said in every exercise kind that reads a number ---------------------------
COMMAS = [  # id, exercise, answer, verdict, read as
    ("descent-value", "descent-w-after-3-steps", "2,56", "correct", "2.56"),
    ("descent-value-wrong", "descent-w-after-3-steps", "2,5", "incorrect", "2.5"),
    ("descent-steps", "descent-steps-until-stop", "17,0", "correct", "17.0"),
    ("backprop", "backprop-seed004-du", "1,0*(z-l)*z*(1-z)", "correct", "1.0*(z-l)"),
    ("backprop-half", "backprop-seed004-du", "0,5*(z-l)*z*(1-z)", "incorrect", "0.5*(z-l)"),
    ("value-rounded", "value-sigmoid-at-0", "0,2500001", "correct", "0.2500001"),
    ("value-wrong", "value-sigmoid-at-0", "0,3", "incorrect", "0.3"),
]


@pytest.mark.parametrize("exercise, answer, verdict, read", [c[1:] for c in COMMAS], ids=[c[0] for c in COMMAS])
def test_decimal_comma_note_in_every_kind(exercise, answer, verdict, read):
    from derivtutor.catalogue import message
    from derivtutor.course.bank import check_exercise, find_exercise

    ex = find_exercise(exercise)
    result = check_exercise(ex, answer, lang="ru")
    assert result.verdict == verdict
    assert result.message.startswith(message("parse.decimal-comma", "ru", text="").strip()) and read in result.message
    english = check_exercise(ex, answer, lang="en")  # English reads no decimal comma and says nothing of one
    assert not english.message.startswith(message("parse.decimal-comma", "en", text="").strip())


def test_behaviour_answers_get_no_comma_note():
    from derivtutor.course.bank import check_exercise, find_exercise

    result = check_exercise(find_exercise("descent-rate-1-1"), "расходится, 1,1 слишком много", lang="ru")
    assert "запятая" not in result.message


# -- prompts in the terminal: written as the author wrote them, never re-read -------------------------
TERMINAL = [  # id, LaTeX, Russian terminal text
    ("loss-heading", r"$L(w) = w^2 + 12$", "L(w) = w^2 + 12"), ("leibniz", r"$y' = dy/dx$", "y' = dy/dx"),
    ("decimal-kept", r"$\eta = 0.1$", "η = 0.1"), ("partial-fraction", r"$\dfrac{\partial E}{\partial V}$", "∂E/∂V"),
    ("log-base", r"$y = \log_a x$", "y = log_a x"), ("tg", r"$y = \operatorname{tg} x^2$", "y = tg x^2"),
    ("th-russian", r"$(\tanh x)' = 1 - \tanh^2 x$", "(th x)' = 1 - th^2 x"),
    ("ln-of-fraction", r"$-\ln \dfrac{e^{a_1}}{e^{a_1} + e^{a_2}}$", "-ln (e^(a_1)/(e^(a_1) + e^(a_2)))"),
    ("sum-nabla", r"$\nabla_w \sum_i \ln\left(1 + e^{-y_i x_i^\top w}\right)$", "∇_w Σ_i ln(1 + e^(-y_i x_i^T w))"),
    ("set", r"$y_i \in \{-1, 1\}$", "y_i ∈ {-1, 1}"), ("reals", r"$X \in \mathbb{R}^{n \times d}$", "X ∈ ℝ^(n × d)"),
    ("fraction-then-bracket", r"$E = \frac{1}{2}(z - l)^2$", "E = 1/2 (z - l)^2"),
    ("sympy-latex", r"$y = \operatorname{tg}{\left(x^{2} \right)}$", "y = tg(x^2)"),
]


@pytest.mark.parametrize("latex, text", [t[1:] for t in TERMINAL], ids=[t[0] for t in TERMINAL])
def test_terminal_maths(latex, text):
    from derivtutor.render.terminal import terminal_maths

    assert terminal_maths(latex, "ru") == text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_prompt_and_hint_in_the_terminal_is_free_of_latex(lang):
    from derivtutor.course.bank import load_exercises
    from derivtutor.render.terminal import terminal_maths

    for exercise_id, exercise in sorted(load_exercises().items()):
        for text in [exercise.prompt[lang]] + [h[lang] for h in exercise.hints]:
            out = terminal_maths(text, lang)
            assert "$" not in out and not re.search(r"\\[A-Za-z]", out), (exercise_id, out)


# -- |u| steps end where a teacher ends them ----------------------------------------------------------
ENDINGS = [  # id, text, teacher's final form
    ("x-abs-x", "x|x|", 2 * Abs(x)), ("abs-cube", "|x^3|", 3 * x * Abs(x)), ("x2-abs-x", "x^2|x|", 3 * x * Abs(x)),
    ("ln-abs-sh", "ln|sh x|", sympy.cosh(x) / sympy.sinh(x)), ("ln-abs-2x", "ln|2x|", 1 / x),
    ("ln-abs-poly", "ln|x^2 - 1|", 2 * x / (x**2 - 1)), ("abs-squared", "|x|^2", 2 * x),
]


@pytest.mark.parametrize("text, final", [e[1:] for e in ENDINGS], ids=[e[0] for e in ENDINGS])
def test_abs_endings_in_teacher_forms(text, final):
    from derivtutor.steps.engine import differentiate

    d = differentiate(parse(text))
    assert d.result == final
    real = Symbol("r", real=True)
    witness = sympy.diff(parse(text).subs(x, real), real)  # SymPy's derivative for real x
    for point in (0.7, -0.7, 2.3, -2.9):
        assert abs(complex(d.result.subs(x, point)) - complex(witness.subs(real, point))) < 1e-9
    for lang in ("en", "ru"):  # "Derivative" is a SymPy class and an English word of the step texts
        assert not any(leak in d.to_text(lang) for leak in LEAKS if leak != "Derivative")


ABS_SENTENCES = [  # id, text, the phrase codes its simplification step says (and no other)
    ("sign-only", "ln|x|", {"sign"}), ("sign-and-cancel", "x|x|", {"sign", "cancel"}), ("root-only", "sqrt(x^2)", {"root"}),
]


@pytest.mark.parametrize("text, said", [a[1:] for a in ABS_SENTENCES], ids=[a[0] for a in ABS_SENTENCES])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_abs_simplification_says_only_what_it_did(text, said, lang):
    from derivtutor.catalogue import message
    from derivtutor.steps.engine import differentiate

    out = differentiate(parse(text)).to_text(lang)
    for part in ("sign", "cancel", "square", "root"):
        assert (message(f"steps.simplify.abs-part.{part}", lang) in out) == (part in said), (part, out)


def test_sympys_first_sum_import_is_outside_the_parse_budget():
    """SymPy imports sympy.tensor.tensor on the first sum a process builds (over 1 s under load, past the
    parse budget: "too complex" for sqrt(x^2)). parse loads it before its budget starts, even for "x"."""
    import subprocess
    import sys

    code = ("import sys; from derivtutor.input.parsing import parse; before = 'sympy.tensor.tensor' in sys.modules;"
            "parse('x'); print(before, 'sympy.tensor.tensor' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["False", "True"], run.stderr


def test_a_power_makes_a_typo_only_against_declared_variables():
    assert parse("abc^2") == a * b * c**2  # diff without --var: may be a product
    with pytest.raises(ParseError) as info:
        parse("abc^2", variables=("x",))
    assert info.value.code == "parse.typo"
