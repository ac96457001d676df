"""check_answer end to end: seed exercises in both syntaxes, hostile input, time limits, options."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time

import pytest
import sympy

from derivtutor.checking import checker as checking
from derivtutor.checking.checker import CheckResult, check_answer
from derivtutor.input.parsing import ParseError, parse

x = sympy.Symbol("x")


def equals_derivative(function: str, answer: str) -> bool:
    """Independent witness: SymPy's diff and evalf at points where the derivative is real."""
    d, a = sympy.diff(parse(function), x), parse(answer)
    rng = random.Random(3)
    for _ in range(12):
        p = sympy.Float(rng.uniform(0.1, 1.5), 30)
        dv, av = complex(d.subs(x, p).evalf(30)), complex(a.subs(x, p).evalf(30))
        if abs(dv - av) > 1e-12 * max(1, abs(dv)):
            return False
    return True


# The seed exercises of the course, each in several correct forms, plain and LaTeX.
SEED_FORMS = [
    ("tg x^2", "2x/cos^2 x^2"),
    ("tg x^2", "2x(1 + tg^2 x^2)"),
    ("tg x^2", "2x sec(x^2)^2"),
    ("tg x^2", r"\frac{2x}{\cos^2 x^2}"),
    ("tg x^2", r"2x\left(1+\tan^2(x^2)\right)"),
    ("arctg^2 x^3", "6x^2 arctg(x^3)/(1 + x^6)"),
    ("arctg^2 x^3", "2 arctg(x^3) * 3x^2/(1 + (x^3)^2)"),
    ("arctg^2 x^3", r"\frac{6x^2\arctan(x^3)}{1+x^6}"),
    ("arctg^2 x^3", r"2\,\mathrm{arctg}(x^3)\cdot\frac{3x^2}{1+(x^3)^2}"),
    ("ln cos^2(sin sqrt x)", "-tg(sin sqrt x) cos(sqrt x)/sqrt x"),
    ("ln cos^2(sin sqrt x)", "1/cos^2(sin sqrt x) * 2cos(sin sqrt x) * (-sin(sin sqrt x)) * cos(sqrt x)/(2 sqrt x)"),
    ("ln cos^2(sin sqrt x)", "-tg(sin(sqrt(x))) cos(sqrt(x)) x^(-1/2)"),
    ("ln cos^2(sin sqrt x)", r"-\frac{\tan(\sin\sqrt{x})\cos\sqrt{x}}{\sqrt{x}}"),
    ("sigmoid(x)", "sigmoid(x)(1 - sigmoid(x))"),
    ("sigmoid(x)", "e^(-x)/(1 + e^(-x))^2"),
    ("sigmoid(x)", "σ(x)(1-σ(x))"),
    ("sigmoid(x)", r"\sigma(x)\left(1-\sigma(x)\right)"),
    ("1/(1+e^(-x))", "sigmoid(x)(1 - sigmoid(x))"),
    ("1/(1+e^(-x))", r"\frac{e^{-x}}{(1+e^{-x})^2}"),
    ("1/(1+e^(-x))", "1/(1+e^(-x)) - 1/(1+e^(-x))^2"),
    ("1/(1+e^(-x))", "e^x/(1+e^x)^2"),
]


@pytest.mark.parametrize("function, answer", SEED_FORMS, ids=[f"{f} | {a}" for f, a in SEED_FORMS])
def test_seed_exercises_accept_equivalent_forms(function, answer):
    assert equals_derivative(function, answer)
    result = check_answer(function, answer)
    assert (result.verdict, result.score, result.diagnosis) == ("correct", 1.0, [])


HOSTILE = [
    ("injection", "__import__('os').system('rm -rf /')"),
    ("exec", "exec('1')"),
    ("lambda", "lambda: 1"),
    ("tower", "2^2^2^2^2^2"),
    ("huge-float", "1e999999"),
    ("huge-exponent", "x^(10^100)"),
    ("deep-nesting", "(" * 300 + "x" + ")" * 300),
    ("diff-call", "diff(x^2, x)"),
    ("derivative-notation", "d/dx(x^2)"),
    ("zero-over-zero", "0/0"),
    ("division-by-zero", "1/0"),
    ("empty", "   "),
    ("unknown-function", "foo(x)"),
    ("unbalanced", "sin(x"),
    ("too-long", "x+" * 2000 + "x"),
]


@pytest.mark.parametrize("answer", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_answers_are_invalid_and_never_scored(answer):
    with pytest.raises(ParseError) as err:
        parse(answer)  # the witness: the parser itself rejects it
    result = check_answer("x^2", answer)
    assert result.verdict == "invalid"
    assert result.score is None
    assert result.diagnosis == [err.value.code]
    assert result.message == err.value.message
    assert result.to_dict()["counterexample"] is None


def _slow_compare(*args, **kwargs):
    """A check that never ends and swallows every Exception it sees."""
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 -- the point: this must not absorb the time limit
            pass


def test_slow_check_is_never_correct(monkeypatch):
    monkeypatch.setattr(checking, "compare", _slow_compare)
    result = check_answer("x^2", "2x", timeout=0.3)
    assert (result.verdict, result.score, result.diagnosis) == ("invalid", None, ["check.timeout"])
    assert "in time" in result.message


def test_time_limit_works_off_the_main_thread(monkeypatch):
    monkeypatch.setattr(checking, "compare", _slow_compare)
    results = []
    worker = threading.Thread(target=lambda: results.append(check_answer("x^2", "2x", timeout=0.3)))
    worker.start()
    worker.join(30)
    assert not worker.is_alive()
    assert results[0].diagnosis == ["check.timeout"]


def test_an_enclosing_limit_is_not_taken_for_the_checks_own(monkeypatch):
    from derivtutor.budget import TimeLimitExceeded, time_limit

    monkeypatch.setattr(checking, "compare", _slow_compare)
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.3):
            check_answer("x^2", "2x", timeout=30)  # the grader's limit fires first


def test_overflowing_answer_is_decided_within_the_limit():
    result = check_answer("cos(x)", "exp(exp(exp(exp(exp(exp(x))))))")
    assert result.verdict == "incorrect"


def test_require_simplified():
    loose = check_answer("x^2", "2x (sin^2 x + cos^2 x)", require_simplified=True)
    assert (loose.verdict, loose.diagnosis, loose.score) == ("correct", ["not-simplified"], 0.5)
    tidy = check_answer("x^2", "2x", require_simplified=True)
    assert (tidy.verdict, tidy.diagnosis, tidy.score) == ("correct", [], 1.0)
    assert check_answer("x^2", "2x (sin^2 x + cos^2 x)").verdict == "correct"


def test_partial_credit():
    credit = {"sign-error": 0.5, "missing-inner-derivative": 0.25}
    assert check_answer("x^2", "-2x", partial_credit=credit).score == 0.5
    assert check_answer("sin(x^3)", "cos(x^3)", partial_credit=credit).score == 0.25
    assert check_answer("x^2", "5x", partial_credit=credit).score == 0.0
    assert check_answer("x^2", "0/0", partial_credit=credit).score is None


def test_expected_overrides_the_reference():
    result = check_answer("x^2", "x^2", expected="x*x")
    assert result.verdict == "correct"


def test_invalid_function_raises():
    with pytest.raises(ParseError):
        check_answer("sin(", "cos x")


def test_russian_messages():
    assert check_answer("x^2", "2x", lang="ru").message == "Верно."
    assert check_answer("x^2", "0/0", lang="ru").message == parse_error_ru("0/0")


def parse_error_ru(text: str) -> str:
    try:
        parse(text)
    except ParseError as err:
        return err.render("ru")
    raise AssertionError("expected a parse error")


def test_json_shape():
    data = check_answer("sin(x^3)", "cos(x^3)").to_dict()
    assert list(data) == ["verdict", "score", "diagnosis", "message", "expected", "expected_latex",
                          "answer", "counterexample"]
    assert set(data["counterexample"]) == {"point", "expected", "answer"}
    point = data["counterexample"]["point"]["x"]
    witness = complex(sympy.diff(sympy.sin(x**3), x).subs(x, sympy.Float(point, 30)).evalf())
    assert data["counterexample"]["expected"] == pytest.approx(witness.real)
    json.dumps(data)
    assert isinstance(check_answer("x^2", "2x"), CheckResult)


def test_deterministic_across_processes():
    code = ("import json; from derivtutor.checking.checker import check_answer;"
            "print(json.dumps(check_answer('tg x^2', '2x/sin^2 x^2').to_dict(), sort_keys=True))")
    outputs = set()
    for seed in ("0", "99"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(out.stdout.strip())
    assert len(outputs) == 1
    assert check_answer("tg x^2", "2x/sin^2 x^2").to_dict() == json.loads(outputs.pop())


def test_random_token_soup_never_escapes_and_invalid_is_never_scored():
    rng = random.Random(2024)
    tokens = ["x", "y", "2", "0", "1/2", "-", "+", "*", "/", "^", "(", ")", "sin", "cos", "tg", "ln", "sqrt",
              "e", "pi", "arctg", "abs", "sigmoid", "0.5", "exp", "ctg", "sh", "lg", "|", "x^x"]
    functions = ["tg x^2", "ln cos^2(sin sqrt x)", "sigmoid(x)", "sin(x)/x", "abs(x)", "x^x"]
    for _ in range(300):
        answer = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 8)))
        function = rng.choice(functions)
        result = check_answer(function, answer)
        assert result.verdict in checking.VERDICTS
        assert (result.score is None) == (result.verdict == "invalid")
        if result.verdict == "correct":  # the witness, sympy.diff, agrees whenever we say correct
            assert equals_derivative_any(function, answer)


def equals_derivative_any(function, answer) -> bool:
    expected = sympy.diff(parse(function), x)
    a = parse(answer)
    p = sympy.Float("0.73", 30)
    others = {s: sympy.Float("0.41", 30) for s in a.free_symbols - {x}}
    e, v = complex(expected.subs(x, p).evalf(30)), complex(a.subs({x: p, **others}).evalf(30))
    return abs(e - v) <= 1e-9 * max(1, abs(e))
