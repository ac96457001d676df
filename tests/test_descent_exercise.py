"""The "descent" exercise kind: exact expected values, verdicts, diagnoses, the bank's descent files."""
from __future__ import annotations

from fractions import Fraction

import pytest

from derivtutor.catalogue import catalogue, placeholders
from derivtutor.checking.checker import CheckResult
from derivtutor.course.descent_kind import check, iterate_exact, read_spec
from derivtutor.course.bank import check_exercise, load_exercises

SEED = {"loss": "w^2 + 12", "start": {"w": "5"}, "lr": "0.1"}


def value_exercise(k: int, **extra) -> dict:
    return {**SEED, "question": "value", "k": k, **extra}


def witness(k: int, lr: Fraction = Fraction(1, 10), start: Fraction = Fraction(5)) -> Fraction:
    """w_k on L = w^2 + 12, exactly: each step multiplies w by (1 - 2 lr)."""
    return start * (1 - 2 * lr) ** k


@pytest.mark.parametrize("k", [0, 1, 3, 10, 40])
def test_exact_iterates_equal_five_times_0_8_to_the_k(k):
    points = iterate_exact(read_spec(value_exercise(k)), k)
    assert [Fraction(int(p["w"].p), int(p["w"].q)) for p in points] == [witness(i) for i in range(k + 1)]


@pytest.mark.parametrize(
    "answer, verdict, diagnosis, score",
    [("2.56", "correct", [], 1.0), ("64/25", "correct", [], 1.0), ("5*0.8^3", "correct", [], 1.0),
     ("2.560", "correct", [], 1.0), ("3.2", "incorrect", ["descent.off-by-one"], 0.5),
     ("2.048", "incorrect", ["descent.off-by-one"], 0.5), ("8.64", "incorrect", ["descent.ascent"], 0.0),
     ("-5", "incorrect", ["descent.no-rate"], 0.0), ("2.6", "incorrect", [], 0.0), ("2.5599", "incorrect", [], 0.0),
     ("w", "invalid", [], 0.0), ("2.56 +", "invalid", [], 0.0), ("", "invalid", [], 0.0)],
    ids=["decimal", "fraction", "expression", "trailing-zero", "one-early", "one-late", "ascent", "no-rate",
         "rounded", "almost", "symbol", "syntax", "empty"],
)
def test_value_answers(answer, verdict, diagnosis, score):
    exercise = value_exercise(3, partial_credit={"descent.off-by-one": 0.5})
    result = check(exercise, answer)
    assert isinstance(result, CheckResult)
    assert (result.verdict, result.diagnosis, result.score) == (verdict, diagnosis, score)
    if verdict != "invalid":
        assert Fraction(result.expected) == witness(3)
    # the mistakes the diagnoses name really produce those numbers
    assert witness(3, lr=Fraction(-1, 10)) == Fraction("8.64") and witness(3, lr=Fraction(1)) == -5


def test_tolerance_field_accepts_rounding():
    exercise = value_exercise(10, tolerance="0.001")
    assert float(witness(10)) == pytest.approx(0.536870912)
    assert check(exercise, "0.537").verdict == "correct"
    assert check(exercise, "0.535").verdict == "incorrect"
    assert check(value_exercise(10), "0.537").verdict == "incorrect"  # exact without a tolerance


def test_irrational_iterates_use_high_precision():
    exercise = {"loss": "exp(w) + w^2", "start": {"w": 1}, "lr": 0.1, "question": "value", "k": 2}
    import math

    w = 1.0
    for _ in range(2):  # float witness of w - 0.1 (e^w + 2w)
        w = w - 0.1 * (math.exp(w) + 2 * w)
    assert check(exercise, repr(w)).verdict == "correct"
    assert check(exercise, repr(w + 1e-6)).verdict == "incorrect"


def test_two_variable_value():
    exercise = {"loss": "(x - 3)^2 + 2(y + 2)^2", "start": {"x": "0", "y": "0"}, "lr": "0.1",
                "question": "value", "k": 2, "variable": "y"}
    y = Fraction(0)
    for _ in range(2):
        y -= Fraction(1, 10) * 4 * (y + 2)
    assert y == Fraction(-32, 25)
    assert check(exercise, "-1.28").verdict == "correct"
    assert check({**exercise, "variable": "x"}, "1.08").verdict == "correct"


def exact_stop(lr: Fraction, eps: Fraction) -> int:
    k = 1
    while abs(witness(k, lr) ** 2 - witness(k - 1, lr) ** 2) >= eps:
        k += 1
    return k


@pytest.mark.parametrize("lr, eps", [("0.1", "0.01"), ("0.05", "0.001"), ("0.3", "0.5")], ids=["seed", "slow", "loose"])
def test_steps_until_stop_rule(lr, eps):
    exercise = {**SEED, "lr": lr, "question": "steps", "eps": eps}
    expected = exact_stop(Fraction(lr), Fraction(eps))
    assert check(exercise, str(expected)).verdict == "correct"
    off = check(exercise, str(expected - 1))
    assert (off.verdict, off.diagnosis) == ("incorrect", ["descent.steps-off-by-one"])
    assert check(exercise, str(expected + 5)).diagnosis == []
    assert check(exercise, "2.5").verdict == "invalid"


@pytest.mark.parametrize(
    "lr, expected",
    [("0.01", "converges"), ("0.1", "converges"), ("0.9", "oscillates"), ("1", "oscillates"), ("1.1", "diverges")],
)
def test_behaviour_answers_in_both_languages(lr, expected):
    factor = 1 - 2 * Fraction(lr)  # independent witness: w_{k+1} = factor * w_k
    assert expected == ("diverges" if abs(factor) > 1 else "oscillates" if factor < 0 else "converges")
    exercise = {**SEED, "lr": lr, "question": "behaviour"}
    russian = {"converges": "Сходится", "oscillates": "осциллирует", "diverges": "расходится."}
    for word in ("converges", "oscillates", "diverges"):
        verdict = "correct" if word == expected else "incorrect"
        assert check(exercise, word).verdict == verdict
        assert check(exercise, russian[word], lang="ru").verdict == verdict
    assert check(exercise, "yes").verdict == "invalid"


@pytest.mark.parametrize(
    "broken",
    [{"question": "guess"}, {"loss": "w^2 +"}, {"start": {"v": "1"}}, {"lr": "fast"}, {"k": -1}, {"k": 1000},
     {"question": "steps"}],
    ids=["question", "loss", "start", "lr", "negative-k", "huge-k", "steps-without-eps"],
)
def test_misconfigured_exercise_is_invalid_not_a_crash(broken):
    result = check({**value_exercise(3), **broken}, "2.56", lang="ru")
    assert result.verdict == "invalid" and result.score == 0.0
    assert "преподавателю" in result.message


DESCENT_BANK = {i: e for i, e in load_exercises().items() if e.kind == "descent"}


def test_bank_has_the_three_questions():
    assert len(DESCENT_BANK) >= 4
    assert {e.get("question") for e in DESCENT_BANK.values()} == {"value", "steps", "behaviour"}


@pytest.mark.parametrize("exercise_id", sorted(DESCENT_BANK))
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_bank_reference_answers_are_correct(exercise_id, lang):
    exercise = DESCENT_BANK[exercise_id]
    result = check_exercise(exercise, exercise.get("answer"), lang=lang)
    assert (result.verdict, result.score) == ("correct", 1.0)
    for code in exercise.partial_credit:
        assert code in catalogue()


def test_bank_seed_exercises_match_the_witnesses():
    assert Fraction(DESCENT_BANK["descent-w-after-3-steps"].get("answer")) == witness(3)
    assert int(DESCENT_BANK["descent-steps-until-stop"].get("answer")) == exact_stop(Fraction(1, 10), Fraction(1, 100))


def test_descent_messages_have_both_languages_with_the_same_fields():
    codes = [code for code in catalogue() if code.startswith("descent.")]
    assert len(codes) > 50
    for code in codes:
        assert set(catalogue()[code]) == {"en", "ru"}
        assert placeholders(code, "en") == placeholders(code, "ru"), code


@pytest.mark.parametrize("lr", ["0.1", 0.1, "1/10"], ids=["text", "toml-float", "fraction"])
def test_learning_rate_is_read_exactly_in_any_form(lr):
    assert check({**value_exercise(3), "lr": lr}, "2.56").verdict == "correct"
