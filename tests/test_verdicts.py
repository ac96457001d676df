"""The verdict policy: never fooled, never wrong on a correct answer, never a crash.

Witness: ``sympy.diff`` (tests/verdict_corpus.py builds the functions, their correct
forms as SymPy rewrites of the witness, and wrong answers that differ from it by
construction). A wrong answer may be "incorrect" or "invalid" (undecided), never
"correct"; a correct form must be "correct".
"""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from verdict_corpus import course_function, course_functions, correct_forms, nonzero, real_diff, wrong_answers, x  # noqa: E402

from derivtutor.checking.checker import VERDICTS, check_answer  # noqa: E402
from derivtutor.checking.equivalence import compare  # noqa: E402
from derivtutor.checking.sampling import answer_key, keyed_points  # noqa: E402
from derivtutor.input.parsing import parse  # noqa: E402

SIN_WRONG = [
    "cos(x)+10^-50", "cos(x)*(1+10^-45)", "cos(x)+exp(-999)", "cos(x+10^-30)", "x^(10^-100)*cos(x)",
    "cos(x)+exp(-10^6 x^2)", "cos(x)*tanh(10^4 x^2)", "cos(x)+1+sign(x-25)", "cos(x)+exp(-10^10 x^2)",
    "cos(x)+exp(-exp(exp(x^2+3)))", "cos(x)*tanh(x^2+50)", "cos(x)+exp(x-2000)", "cos(x)+1-sign(x-1/1000)",
    "cos(x)(1+1/(x^2+100)^8)", "cos(x)+(x-1/2)(x+1/2)(x-2)(x+2)(x-3/2)(x+3/2)(x-1/3)(x+1/3)",
    "cos(x)+|x|-x", "cos(x)+sign(x^2-10^6)+1", "cos(x)+sin(10^5 x)/10^5", "cos(x) 999999/1000000",
]


@pytest.mark.parametrize("answer", SIN_WRONG, ids=SIN_WRONG)
def test_adversarial_answers_for_sin_are_never_correct(answer):
    result = check_answer("sin x", answer)
    assert result.verdict in ("incorrect", "invalid")
    assert "1 times" not in result.message and "0 times" not in result.message


CORPUS_FUNCTIONS = course_functions(4, seed=11)


def _wrong_cases():
    rng = random.Random(5)
    for i, f in enumerate(CORPUS_FUNCTIONS[:2]):
        d = real_diff(f)
        if nonzero(d):
            for cls, w in wrong_answers(d, rng):
                yield pytest.param(f, w, id=f"f{i}-{cls}")


@pytest.mark.parametrize("function, answer", list(_wrong_cases()))
def test_generated_wrong_answers_are_never_correct(function, answer):
    assert check_answer(function, answer).verdict in ("incorrect", "invalid")


def _correct_cases():
    for i, f in enumerate(CORPUS_FUNCTIONS):
        d = real_diff(f)
        for k, form in enumerate(correct_forms(d)[:3]):
            yield pytest.param(f, form, id=f"f{i}-form{k}")


@pytest.mark.parametrize("function, answer", list(_correct_cases()))
def test_correct_forms_of_generated_functions_are_correct(function, answer):
    # A generous limit: this tests the verdict, not the speed (bench/check.py measures that).
    assert check_answer(function, answer, timeout=10).verdict == "correct"


@pytest.mark.parametrize("function, answer", [
    ("tanh(e^(x^2))", "2x e^(x^2)/cosh^2(e^(x^2))"),
    ("tanh(e^(x^2))", "2x e^(x^2)(1 - tanh^2(e^(x^2)))"),
    ("(2x+1)^20", "40(2x+1)^19"),
    ("abs(e^x)", "e^x"),
    ("sqrt(abs(e^x))", "e^(x/2)/2"),
    ("|2^x|", "2^x ln 2"),
    ("tg(2x + |x^(3/2)|)", "(2 + 3/2 sqrt(|x|) sign(x))/cos^2(2x + |x|^(3/2))"),
], ids=["tanh-cosh", "tanh-tanh", "power-20", "abs-exp", "sqrt-abs-exp", "abs-2x", "tg-abs-power"])
def test_textbook_answers_are_correct(function, answer):
    # The parser has a 1 s limit of its own; on a loaded machine its first SymPy call for
    # cosh^2(e^(x^2)) can pass it. The checker is what is tested here, so parse first.
    try:
        parse(answer)
    except Exception:  # noqa: BLE001 -- warmed, tried again below
        pass
    assert check_answer(function, answer, timeout=10).verdict == "correct"


def test_expanded_cancelling_form_is_correct():
    f = (2 * x + 3) ** 30
    assert check_answer(f, sympy.expand(sympy.diff(f, x)), timeout=10).verdict == "correct"


def test_no_crash_on_sign_answers():
    result = check_answer("abs(x)", "2*sign(x)")
    assert result.verdict == "incorrect" and result.diagnosis == ["constant-factor"]


def test_counterexample_point_is_real_for_the_reference():
    result = check_answer("abs(ln((x/2+1/3)/(5x-3)))", "0")
    point = sympy.Rational(str(result.counterexample["point"]["x"]))
    value = complex(sympy.N(real_diff(parse("abs(ln((x/2+1/3)/(5x-3)))")).subs(x, point), 30))
    assert result.verdict == "incorrect" and abs(value.imag) < 1e-20 and value.real != 0


def test_tiny_difference_is_named_not_hidden():
    result = check_answer("sin x", "cos(x)+10^-50")
    assert result.verdict == "incorrect" and "e-50" in result.message


def test_points_depend_on_the_answer_and_the_secret(monkeypatch):
    a, b = parse("cos(x)"), parse("cos(x)+1")
    ref = sympy.cos(x)
    assert keyed_points((x,), answer_key(ref, a)) == keyed_points((x,), answer_key(ref, a))
    assert keyed_points((x,), answer_key(ref, a)) != keyed_points((x,), answer_key(ref, b))
    before = answer_key(ref, a)
    monkeypatch.setenv("DERIVTUTOR_COURSE_SECRET", "course-42")
    assert answer_key(ref, a) != before
    spread = [abs(float(p[0])) for p in keyed_points((x,), before)]
    assert min(spread) < 2e-3 and max(spread) > 900


def test_compare_stays_sound_for_consecutive_lines():
    assert compare(sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1) + 0 * x).equal is True
    assert compare(sympy.cos(x), sympy.cos(x) + sympy.Rational(1, 10**40)).equal is False
    assert compare(sympy.cos(x), sympy.cos(x) * sympy.tanh(10**4 * x**2)).equal is not True


@pytest.mark.parametrize("text, expected", [
    ("|e^x|", sympy.exp(x)), ("|2^x|", 2**x), ("sqrt(|e^x|)", sympy.sqrt(sympy.exp(x))), ("abs(x e^x)", sympy.Abs(x) * sympy.exp(x)),
], ids=["abs-exp", "abs-2x", "sqrt-abs-exp", "abs-product"])
def test_parser_reads_abs_of_real_exponentials_without_re(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("value", ["-0.7", "-2.1", "0.4"])
def test_abs_power_derivative_matches_finite_differences(value):
    from derivtutor.steps.engine import differentiate

    f = parse("tg(2x + |x^(3/2)|)")
    result = differentiate(f, "x").result
    v, h = sympy.Rational(value), sympy.Rational(1, 10**8)
    g = sympy.tan(2 * x + sympy.Abs(x) ** sympy.Rational(3, 2))  # the same function, written real
    slope = (g.subs(x, v + h) - g.subs(x, v - h)).evalf(40) / (2 * h)
    assert abs(complex(result.subs(x, v).evalf(30)) - float(slope)) < 1e-6


def _cli(*argv):
    out = subprocess.run([sys.executable, "-m", "derivtutor", *argv, "--json"], capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout)


def test_check_finds_the_variable_like_diff():
    code, data = _cli("check", "--function", "t^3", "--answer", "3t^2")
    assert code == 0 and data["verdict"] == "correct"


def test_check_refuses_several_variables_like_diff():
    code, data = _cli("check", "--function", "x^2 y", "--answer", "2xy")
    diff_code, diff_data = _cli("diff", "x^2 y")
    assert code == diff_code == 2 and data["error"]["code"] == diff_data["error"]["code"]


def _mutations(d):
    return st.sampled_from([
        d, -d, 2 * d, d + 1, d + x, d * x, d.subs(x, 2 * x), d + sympy.sign(x - 3), d + sympy.Abs(x),
        d + sympy.Rational(1, 10**30), d * sympy.tanh(x**2 * 10**5), sympy.sqrt(d**2), d / (x - 1),
        sympy.log(sympy.Abs(d) + 1), sympy.exp(d) if sympy.count_ops(d) < 30 else d + 2,
    ])


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 10**6), st.data())
def test_no_exception_escapes_and_correct_is_earned(seed, data):
    f = course_function(random.Random(seed), 2)
    d = real_diff(f)
    answer = data.draw(_mutations(d))
    result = check_answer(f, answer, timeout=2.0)
    assert result.verdict in VERDICTS
    if result.verdict == "correct":  # the witness agrees at random real points
        rng = random.Random(seed)
        for _ in range(6):
            v = sympy.Rational(rng.randint(-300, 300), 97)
            a, b = (complex(e.subs(x, v).evalf(60)) for e in (d, answer))
            assert abs(a - b) <= 1e-12 * max(1.0, abs(a)) or not (abs(a.imag) < 1e-20)
