"""The counterexample sentences of derivtutor/checking/checker.py: how many digits, which
sentence, in which language (split from test_checker_mutants.py; the same fast selection).

Witnesses: the values computed by mpmath, the digits derived by hand from the rule in the
checker's docstring, the sentences read from the catalogue directly.
"""
from __future__ import annotations

import mpmath
import pytest

from derivtutor.catalogue import message
from derivtutor.checking import checker
from derivtutor.checking.diagnosis import show_value
from derivtutor.checking.equivalence import Comparison, Counterexample
from test_checker_mutants import fresh_caches  # noqa: F401 -- autouse: no cache hides a mutant


def test_the_counterexample_is_shown_with_enough_digits():
    # 2x + 10^-8 x at the first point x = 1/2: 1 against 1 + 5*10^-9, a relative gap of
    # 5e-9 -> int(-log10 gap) + 3 = 11 digits (hand-derived; 6 would show 1 and 1)
    r = checker.check_answer("x^2", "2x + 10^-8 x")
    ce = r.counterexample
    assert (r.verdict, ce["point"]) == ("incorrect", {"x": 0.5})
    expected, answer = mpmath.mpf(1), 1 + mpmath.mpf(5) / 10**9
    assert ce["expected"] == pytest.approx(1.0, rel=1e-15)
    assert ce["answer"] == pytest.approx(float(answer), rel=1e-15)
    sentence = message("check.counterexample", "en", point="x = 1/2", expected=show_value(expected, 11),
                       answer=show_value(answer, 11))
    assert r.message.endswith(sentence) and "1.000000005" in r.message


def test_a_plain_counterexample_shows_six_digits():
    r = checker.check_answer("ln x", "1/x^2")  # at x = 1/2: 2 against 4 (hand-derived)
    sentence = message("check.counterexample", "ru", point="x = 1/2", expected=show_value(mpmath.mpf(2), 6),
                       answer=show_value(mpmath.mpf(4), 6))
    assert checker.check_answer("ln x", "1/x^2", lang="ru").message.endswith(sentence)
    assert r.counterexample == {"point": {"x": 0.5}, "expected": 2.0, "answer": 4.0}


def test_a_difference_past_thirty_digits_is_named_not_shown():
    r = checker.check_answer("x^2", "2x + 10^-40 x")  # at x = 1/2 they differ by 5*10^-41
    sentence = message("check.counterexample-tiny", "en", point="x = 1/2", expected=show_value(mpmath.mpf(1)),
                       difference=show_value(mpmath.mpf(5) / 10**41, 3))
    assert r.verdict == "incorrect" and r.message.endswith(sentence)


def test_an_undefined_answer_value_is_said_so():
    # (x - |x|)/(2x - 2|x|) is 0/0 for every x > 0 (hand-derived): undefined at x = 1/2
    r = checker.check_answer("x^2", "2x + (x - |x|)/(2x - 2|x|) - 1/2")
    assert r.counterexample == {"point": {"x": 0.5}, "expected": 1.0, "answer": None}
    sentence = message("check.counterexample-undefined", "en", point="x = 1/2", expected=show_value(mpmath.mpf(1)))
    assert r.verdict == "incorrect" and r.message.endswith(sentence)


def test_the_message_is_the_diagnosis_then_the_counterexample():
    r = checker.check_answer("sin x", "cos(x) + 1", lang="ru")
    # at x = 1/2: cos(1/2) = 0.877583 against 1.87758, six significant digits (gap ~0.53)
    c = mpmath.cos(mpmath.mpf(1) / 2)
    counter = message("check.counterexample", "ru", point="x = 1/2", expected=show_value(c, 6),
                      answer=show_value(c + 1, 6))
    assert r.message == f"{message('check.incorrect', 'ru')} {counter}"
    assert "0.877583" in r.message and "1.87758" in r.message


def counter_message(answer_factor_digits, lang="en"):
    """sin x against cos(x)(1 + 10^-k) at x = 1/2: the sentence with the digits the gap needs."""
    return checker.check_answer("sin x", f"cos(x)(1 + 10^-{answer_factor_digits})", lang=lang).message


@pytest.mark.parametrize("k, digits", [(8, 11), (27, 30)])
def test_a_small_gap_is_shown_with_int_log_plus_three_digits(k, digits):
    # gap = 10^-k / (1 + 10^-k): int(-log10 gap) + 3 = k + 3 digits (hand-derived)
    with mpmath.workdps(80):
        c = mpmath.cos(mpmath.mpf(1) / 2)
        a = c * (1 + mpmath.mpf(10) ** -k)
        counter = message("check.counterexample", "en", point="x = 1/2", expected=show_value(c, digits),
                          answer=show_value(a, digits))
    assert counter_message(k) == f"{message('check.incorrect', 'en')} {counter}"


@pytest.mark.parametrize("k, lang", [(28, "en"), (40, "ru")])
def test_a_gap_past_thirty_digits_is_named_with_three_digits(k, lang):
    with mpmath.workdps(80):
        c = mpmath.cos(mpmath.mpf(1) / 2)
        counter = message("check.counterexample-tiny", lang, point="x = 1/2", expected=show_value(c),
                          difference=show_value(c * mpmath.mpf(10) ** -k, 3))
    assert counter_message(k, lang) == f"{message('check.incorrect', lang)} {counter}"
    assert "8.78e-" in counter


def test_the_gap_is_relative_to_the_values():
    # 2000x + 10^-5 x at x = 1/2: 1000 against 1000.000005, a relative gap of 5e-9: 11 digits
    r = checker.check_answer("1000 x^2", "2000x + 10^-5 x")
    assert "1000.000005" in r.message


def test_an_incorrect_verdict_without_a_counterexample_says_only_the_diagnosis(monkeypatch):
    proved = Comparison(equal=False, method="symbolic", counterexample=None)
    monkeypatch.setattr(checker, "compare", lambda *a, **k: proved)
    r = checker.check_answer("x^2", "x^3 + 1", lang="ru")   # no diagnosis: only "incorrect"
    assert (r.verdict, r.counterexample, r.diagnosis) == ("incorrect", None, [])
    assert r.message == message("check.incorrect", "ru")
    unknown = Comparison(equal=False, method="numeric",
                         counterexample=Counterexample((("x", 0.5),), None, mpmath.mpf(1)))
    monkeypatch.setattr(checker, "compare", lambda *a, **k: unknown)
    assert checker.check_answer("x^2", "x^3 + 1").message == message("check.incorrect", "en")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_undefined_answer_value_is_said_in_the_language(lang):
    r = checker.check_answer("x^2", "2x + (x - |x|)/(2x - 2|x|) - 1/2", lang=lang)
    sentence = message("check.counterexample-undefined", lang, point="x = 1/2", expected=show_value(mpmath.mpf(1)))
    assert r.message == f"{message('check.incorrect', lang)} {sentence}"
