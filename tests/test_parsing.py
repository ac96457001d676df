"""The parsing boundary: course notation, LaTeX, and hostile input."""
from __future__ import annotations

import builtins
import threading

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import (E, Abs, Rational, Symbol, acos, acot, asin, atan, cos, cosh, cot, csc, exp,
                   log, pi, sec, sin, sinh, sqrt, tan, tanh)

from derivtutor import parse, ParseError
from derivtutor.budget import time_limit
from derivtutor.catalogue import LANGUAGES, message, placeholders
from derivtutor.functions import sigmoid
from derivtutor.input.parsing import detect_syntax

x, y, w, a, b = (Symbol(n) for n in "xywab")
w0, w1, lam, alpha, eta, eps, theta = (Symbol(n) for n in
                                         ("w0", "w1", "lambda", "alpha", "eta", "epsilon", "theta"))

# (input, the SymPy expression it must mean), built here with SymPy's constructors.
PLAIN = [
    ("x^2", x**2), ("x**2", x**2), ("3x^2", 3 * x**2), ("2x sin(x)", 2 * x * sin(x)),
    ("2(x+1)", 2 * (x + 1)), ("(x+1)(x-1)", (x + 1) * (x - 1)), ("sin x", sin(x)),
    ("tg x^2", tan(x**2)), ("sin^2 x", sin(x)**2), ("arctg^2(x^3)", atan(x**3)**2),
    ("cos^2(sin(sqrt(x)))", cos(sin(sqrt(x)))**2), ("ln cos^2(sin sqrt x)", log(cos(sin(sqrt(x)))**2)),
    ("sin x cos x", sin(x) * cos(x)), ("sin 2x", sin(2 * x)), ("-x^2", -x**2), ("2^-x", 2**-x),
    ("x^2^3", x**8), ("1/2x", x / 2),
    ("tg x", tan(x)), ("ctg x", cot(x)), ("arctg x", atan(x)), ("arcctg x", acot(x)),
    ("lg x", log(x) / log(10)), ("ln x", log(x)), ("sh x", sinh(x)), ("ch x", cosh(x)), ("th x", tanh(x)),
    ("tan x", tan(x)), ("cot x", cot(x)), ("atan x", atan(x)), ("arctan x", atan(x)),
    ("asin x", asin(x)), ("arcsin x", asin(x)), ("acos x", acos(x)), ("arccos x", acos(x)),
    ("acot x", acot(x)), ("sec x", sec(x)), ("csc x", csc(x)), ("sinh x", sinh(x)),
    ("cosh x", cosh(x)), ("tanh x", tanh(x)), ("exp(x)", exp(x)), ("sqrt(x)", sqrt(x)),
    ("cbrt(x)", x**Rational(1, 3)), ("abs(x)", Abs(x)), ("|x - 1|", Abs(x - 1)), ("log(x)", log(x)),
    ("log(x, 2)", log(x) / log(2)), ("sigmoid(x)", sigmoid(x)), ("σ(x)", sigmoid(x)),
    ("e", E), ("e^x", exp(x)), ("e^-x", exp(-x)), ("pi", pi), ("π", pi), ("2πx", 2 * pi * x),
    ("w1", w1), ("w_1", w1), ("exp(w1*x + w0)", exp(w1 * x + w0)), ("e^(w1 x + w0)", exp(w1 * x + w0)),
    ("lambda w", lam * w), ("alpha + eta + epsilon + theta", alpha + eta + eps + theta),
    ("0.5", Rational(1, 2)), ("0.333", Rational(333, 1000)), ("5.1e-2", Rational(51, 1000)),
    ("1/(1+e^-x)", 1 / (1 + exp(-x))), ("sinx", sin(x)), ("xy", x * y), ("x − 1", x - 1),
    ("2·x", 2 * x), ("x²", x**2), ("sin^-1 x", asin(x)),
    ("root(x, 3)", x**Rational(1, 3)), ("sign(x)", sympy.sign(x)), ("csch x", sympy.csch(x)),
    ("sech x", sympy.sech(x)), ("coth x", sympy.coth(x)), ("asinh x", sympy.asinh(x)),
    ("arsh x", sympy.asinh(x)), ("acosh x", sympy.acosh(x)), ("artanh x", sympy.atanh(x)),
]

LATEX = [
    (r"\frac{1}{2}", Rational(1, 2)), (r"\dfrac{x}{2}", x / 2), (r"\tfrac{x}{2}", x / 2),
    (r"\frac12", Rational(1, 2)), (r"\sqrt{x}", sqrt(x)), (r"\sqrt[3]{x}", x**Rational(1, 3)),
    (r"2 \cdot x", 2 * x), (r"2 \times x", 2 * x), (r"\left( x + 1 \right)^2", (x + 1)**2),
    (r"x\,y", x * y), (r"\cos^2 x", cos(x)**2), (r"\sin^{2}(x)", sin(x)**2), (r"\sin^{-1} x", asin(x)),
    (r"\tg x", tan(x)), (r"\ctg x", cot(x)), (r"\arctg x", atan(x)), (r"\arcctg x", acot(x)),
    (r"\operatorname{arctg} x", atan(x)), (r"\ln x", log(x)), (r"\log_a x", log(x) / log(a)),
    (r"\log_{2} x", log(x) / log(2)), (r"\lg x", log(x) / log(10)), (r"e^{-x}", exp(-x)),
    (r"\mathrm{e}^{x}", exp(x)), (r"\exp(x)", exp(x)), (r"\sigma(x)", sigmoid(x)),
    (r"\sec x", sec(x)), (r"\csc x", csc(x)), (r"w_1", w1), (r"w_{1}", w1),
    (r"\frac{1}{1 + e^{-x}}", 1 / (1 + exp(-x))), (r"\arctg^2 x^3", atan(x**3)**2),
    (r"\ln \cos^2(\sin \sqrt{x})", log(cos(sin(sqrt(x)))**2)), (r"\lambda w", lam * w),
    (r"\left| x \right|", Abs(x)), (r"\pi x", pi * x), (r"0.5x", x / 2),
]

# Plain and LaTeX spellings that must give the same expression.
SAME = [
    ("2x/cos(x^2)^2", r"\frac{2x}{\cos^2 x^2}"),
    ("arctg^2(x^3)", r"\arctg^2{x^3}"),
    ("w1 x + w0", r"w_{1} x + w_0"),
    ("e^(w1 x + w0)", r"e^{w1 x + w0}"),
    ("6x^2 arctg(x^3)/(1+x^6)", r"\frac{6x^2 \operatorname{arctg}(x^3)}{1+x^6}"),
    ("-tg(sin sqrt x) cos(sqrt x)/sqrt x", r"-\frac{\tg(\sin\sqrt{x}) \cos\sqrt{x}}{\sqrt{x}}"),
    ("sigmoid(x)(1 - sigmoid(x))", r"\sigma(x)\left(1 - \sigma(x)\right)"),
]


@pytest.mark.parametrize("text,expected", PLAIN, ids=[t for t, _ in PLAIN])
def test_plain_notation(text, expected):
    assert parse(text, syntax="plain") == expected


@pytest.mark.parametrize("text,expected", LATEX, ids=[t for t, _ in LATEX])
def test_latex_notation(text, expected):
    assert parse(text, syntax="latex") == expected


@pytest.mark.parametrize("plain,latex", SAME, ids=[p for p, _ in SAME])
def test_plain_and_latex_agree(plain, latex):
    assert parse(plain) == parse(latex)


# Standard LaTeX on which latex2sympy2_extended serves as an independent witness.
WITNESSED = [r"\frac{2x}{\cos^2 x^2}", r"e^{-x}", r"\sin^{-1} x", r"\sqrt{x^2+1}",
             r"\frac{1}{1+e^{-x}}", r"x^{3} - 2x + 1", r"\cos(x)\sin(x)", r"\ln(x^2+1)"]


@pytest.mark.parametrize("text", WITNESSED)
def test_latex_agrees_with_latex2sympy(text):
    from latex2sympy2_extended import latex2sympy

    theirs = latex2sympy(text)
    assert sympy.simplify(parse(text) - theirs) == 0


def test_auto_detects_latex():
    assert detect_syntax(r"\frac{1}{x}") == "latex"
    assert detect_syntax("x_{1}") == "latex"
    assert detect_syntax("1/x") == "plain"


# (input, error code, position of the fault)
HOSTILE = [
    ("__import__('os').system('ls')", "parse.invalid-character", 11),
    ("eval(x)", "parse.forbidden-name", 0), ("exec(x)", "parse.forbidden-name", 0),
    ("os.system(1)", "parse.invalid-character", 2), ("().__class__", "parse.invalid-character", 2),
    ("lambda: 1", "parse.invalid-character", 6),
    ("10^10^10", "parse.number-too-large", 2), ("9^(9^9)", "parse.number-too-large", 1),
    ("2^2^2^2^2", "parse.tower", 7), ("x^x^x^x^x", "parse.tower", 7),
    ("x^(10^10)", "parse.number-too-large", 1), ("1e999999", "parse.number-too-large", 0),
    ("9" * 150, "parse.number-too-large", 0),
    ("0/0", "parse.undefined", 1), ("1/0", "parse.division-by-zero", 1), ("log(0)", "parse.undefined", 0),
    ("zoo", "parse.undefined", 0), ("oo", "parse.undefined", 0), ("nan", "parse.undefined", 0),
    (r"\infty", "parse.undefined", 0), ("0^-1", "parse.division-by-zero", 1),
    ("diff(x^2, x)", "parse.calculus", 0), ("Derivative(x^2, x)", "parse.calculus", 0),
    ("integrate(x)", "parse.calculus", 0), ("limit(x, x, 0)", "parse.calculus", 0),
    ("d/dx(x^2)", "parse.calculus", 0), (r"\frac{d}{dx} x^2", "parse.calculus", 0),
    (r"\int x dx", "parse.calculus", 0), (r"\sum_{i} i", "parse.calculus", 0),
    (r"\lim_{x \to 0} x", "parse.calculus", 0), (r"\partial x", "parse.calculus", 0),
    ("x = 1", "parse.relation", 2), ("x < 2", "parse.relation", 2), (r"x \le 2", "parse.relation", 2),
    ("[[1,2],[3,4]]", "parse.matrix", 3), (r"\begin{pmatrix}1\end{pmatrix}", "parse.matrix", 0),
    (r"\{1, 2\}", "parse.set", 0), ("{1,2}", "parse.set", 2),
    ("x" * 2001, "parse.too-long", 2000), ("(" * 150 + "x" + ")" * 150, "parse.too-deep", None),
    ("-" * 1500 + "x", "parse.too-deep", None),
    ("х^2", "parse.lookalike", 0), ("sin(х)", "parse.lookalike", 4), ("2а", "parse.lookalike", 1),
    ("foo(x)", "parse.unknown-function", 0), (r"\foo x", "parse.unknown-command", 0),
    ("", "parse.empty", 0), ("x+", "parse.incomplete", 2), ("(x+1", "parse.expected-close", 4),
    ("x+1)", "parse.unmatched", 3), ("2 3", "parse.missing-operator", 2), ("sin", "parse.missing-argument", 3),
    ("sin(x, 2)", "parse.arity", 0), ("x!", "parse.unsupported-operator", 1), ("x,y", "parse.tuple", 1),
    ("exp(1001)", "parse.number-too-large", 0), ("cosh(e^5000)", "parse.number-too-large", 0),
    ("+ctgchchexp210^5abscose abs", "parse.number-too-large", 8), ("sin(10^7)", "parse.number-too-large", 0),
    # SymPy would spend minutes evaluating exp(cosh(lg(arcsin e))): the parse time limit ends it.
    ("exp ch lg asineln", "parse.too-complex", None),
]


@pytest.mark.parametrize("text,code,position", HOSTILE, ids=[t[:30] for t, _, _ in HOSTILE])
def test_hostile_input_is_rejected_with_position(text, code, position):
    with time_limit(5):  # a hang is a failure, not a slow pass
        with pytest.raises(ParseError) as info:
            parse(text)
    assert info.value.code == code
    if position is not None:
        assert info.value.position == position
    for lang in LANGUAGES:
        assert info.value.render(lang)


def test_lookalike_suggests_the_latin_letter():
    with pytest.raises(ParseError) as info:
        parse("х + 1")
    assert "'x'" in info.value.render("en")


def test_parser_never_evaluates_text(monkeypatch):
    """eval, exec and SymPy's string parser must not be reached, even indirectly."""
    import sympy.parsing.sympy_parser as sympy_parser
    import sympy.physics.units  # noqa: F401 -- SymPy's simplify imports it lazily, and its module code runs exec

    def forbidden(*args, **kwargs):
        raise AssertionError("student text reached an evaluator")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    for text, _ in PLAIN + LATEX:
        parse(text)
    for text, _, _ in HOSTILE:
        with pytest.raises(ParseError):
            parse(text)


def test_parse_off_the_main_thread():
    results = []
    worker = threading.Thread(target=lambda: results.append(parse("arctg^2(x^3)")))
    worker.start()
    worker.join()
    assert results == [atan(x**3)**2]


def test_variables_keep_multi_letter_names():
    assert parse("lam*w", variables=["lam", "w"]) == Symbol("lam") * w
    assert parse("lam*w") == Symbol("l") * Symbol("a") * Symbol("m") * w


def test_every_catalogue_entry_has_both_languages():
    from derivtutor.catalogue import catalogue

    for code in catalogue():
        texts = [message_template(code, lang) for lang in LANGUAGES]
        assert all(t.strip() for t in texts), code
        assert placeholders(code, "en") == placeholders(code, "ru"), code


def message_template(code, lang):
    from derivtutor.catalogue import template

    return template(code, lang)


def test_message_fills_fields():
    assert "foo" in message("parse.unknown-function", "ru", name="foo")


def test_parse_cache_gives_the_same_reading_and_fresh_refusals():
    from derivtutor.input.parsing import _parse_cached

    text = "37*(sin x + x^2)/37"
    first, again = parse(text, variables=("x",)), parse(text, variables=("x",))
    assert first == again == sympy.sin(sympy.Symbol("x")) + sympy.Symbol("x") ** 2
    assert parse(text, variables=("x",), decimal_comma=True) == first
    errors = []
    for _ in range(2):
        with pytest.raises(ParseError) as info:
            parse("(x+1")
        errors.append(info.value)
    assert errors[0] is not errors[1] and (errors[1].code, errors[1].position) == ("parse.expected-close", 4)
    errors[0].position = 99  # a caller moving a position does not move the next one
    with pytest.raises(ParseError) as info:
        parse("(x+1")
    assert info.value.position == 4
    # A refusal by the time limit depends on the moment, not on the text: never cached.
    before = _parse_cached.cache_info().currsize
    with pytest.raises(ParseError) as info:
        parse("exp ch lg asineln e")
    assert info.value.code == "parse.too-complex" and _parse_cached.cache_info().currsize == before


_X = Symbol("x")


@pytest.mark.parametrize("text, expected", [
    ("ln|ln|x^3||", log(Abs(log(Abs(_X**3))))),
    ("|ln|x||", Abs(log(Abs(_X)))),
    ("|sin|x|| + 1", Abs(sin(Abs(_X))) + 1),
    (r"|\ln|x||", Abs(log(Abs(_X)))),
    (r"\left|\ln|x|\right|", Abs(log(Abs(_X)))),
])
def test_a_bar_after_a_function_name_opens_its_argument(text, expected):
    # Inside |...| a bar normally closes; right after ln/sin it can only open the argument.
    got = parse(text)
    for point in (Rational(-7, 3), Rational(5, 2), Rational(1, 5)):
        assert sympy.simplify(got.subs(_X, point) - expected.subs(_X, point)) == 0


# Products of powers of letters: the parser builds x^m x^n as x^(m+n) itself (SymPy's
# product of a long run is slow); the witness is SymPy's own product of the same factors.
_LETTERS = {"x": x, "y": y, "w": w}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_LETTERS)), st.integers(-4, 4), st.sampled_from(["", "*", " "])),
                min_size=1, max_size=12))
def test_products_of_letter_powers_equal_sympys_product(factors):
    text, expected = "", sympy.Integer(1)
    for letter, exponent, joint in factors:
        text += (joint if text else "") + (letter if exponent == 1 else f"{letter}^({exponent})")
        expected = expected * _LETTERS[letter] ** exponent
    assert parse(text, syntax="plain") == expected


@pytest.mark.parametrize("count", [2, 3, 40, 1900])
def test_a_run_of_one_letter_is_its_power(count):
    assert parse("x" * count, syntax="plain") == x**count
    assert parse("x^2" + "*x" * min(count, 600) + "/x", syntax="plain") == x ** (min(count, 600) + 1)
