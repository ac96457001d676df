"""The checker's decision code (derivtutor/checking/checker.py) at the places mutation testing
found unguarded.

Fast on purpose: bench/mutation.sh runs these once per mutant. Only public entry points are
called (check_answer, CheckResult, conditioned); the internals are replaced only where a
failure has to be provoked (compare raising or never ending). Witnesses: sympy.diff and
hand-derived values, the message catalogue read directly, mpmath at high precision.

``fresh_caches`` (autouse here and in the other test_checker_mutants_*.py files) empties every
derivtutor cache before each test: a cache filled by the original code would hide a mutant
of a cached function (mutmut 3 forks the mutants; see docs/mutation.md).
"""
from __future__ import annotations

import sys

import pytest
import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.catalogue import message
from derivtutor.checking import checker
from derivtutor.input.parsing import ParseError, parse

x = sympy.Symbol("x")


@pytest.fixture(autouse=True)
def fresh_caches():
    """Clear every functools cache of every loaded derivtutor module (whatever its name), and
    call the ``clear()`` a module exports for its own caches (a verdict memo, say)."""
    for name, module in list(sys.modules.items()):
        if name == "derivtutor" or name.startswith("derivtutor."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
            if "clear" in getattr(module, "__all__", ()) and callable(getattr(module, "clear", None)):
                module.clear()


def _broken(*args, **kwargs):
    raise RuntimeError("boom")


def _spin(*args, **kwargs):
    """A check that uses CPU until the time limit stops it (no wall-clock assertion)."""
    total = 0
    while True:
        total += 1


def same_function(text, expr):
    """The witness for a shown expression: it reads back as ``expr`` (difference simplifies to 0)."""
    return sympy.simplify(parse(text, "auto", ("x",)) - expr) == 0


def test_invalid_answers_keep_the_text_and_speak_the_language(monkeypatch):
    monkeypatch.setattr(checker, "compare", _broken)
    for lang in ("en", "ru"):
        r = checker.check_answer("x^2", "2 x", lang=lang)
        assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, ["check.error"], "2 x")
        assert r.message == message("check.error", lang)
        assert (r.expected, r.counterexample, r.position) == (None, None, None)
    assert checker.check_answer("x^2", 2 * x).answer == "2x"  # an expression, in the course's notation


def test_a_check_error_outside_the_comparison_keeps_the_expression_text(monkeypatch):
    monkeypatch.setattr(checker, "_check", _broken)
    r = checker.check_answer("x^2", 2 * x**3)  # shown in the course's notation, not SymPy's 2*x**3
    assert (r.verdict, r.diagnosis, r.answer) == ("invalid", ["check.error"], "2x^3")
    assert r.message == message("check.error", "en")
    assert checker.check_answer("x^2", "2 x^3").answer == "2 x^3"  # text stays as typed


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_check_past_its_limit_is_invalid_with_the_answer_kept(monkeypatch, lang):
    monkeypatch.setattr(checker, "compare", _spin)
    r = checker.check_answer("x^2", 2 * x**3, lang=lang, timeout=0.05)
    assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, ["check.timeout"], "2x^3")
    assert r.message == message("check.timeout", lang)


def test_an_enclosing_shorter_limit_passes_through(monkeypatch):
    monkeypatch.setattr(checker, "compare", _spin)
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.05):
            checker.check_answer("x^2", "2x", timeout=30)


@pytest.mark.parametrize("method, code", [("error", "check.error"), ("symbolic", "check.undecided")])
def test_an_undecided_comparison_is_never_graded(monkeypatch, method, code):
    class Undecided:
        equal, counterexample = None, None

    Undecided.method = method
    monkeypatch.setattr(checker, "compare", lambda *a, **k: Undecided())
    r = checker.check_answer("x^2", "2x", lang="ru")
    assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, [code], "2x")
    assert r.message == message(code, "ru")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_parse_error_is_the_parsers_own_verdict(lang):
    with pytest.raises(ParseError) as witness:
        parse("2x +", "auto", ("x",))
    r = checker.check_answer("x^2", "2x +", lang=lang)
    assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, [witness.value.code], "2x +")
    assert (r.message, r.position) == (witness.value.render(lang), witness.value.position)


def test_teacher_errors_raise_and_a_bad_variable_is_refused():
    with pytest.raises(ValueError, match="invalid variable name '2x'"):
        checker.check_answer("x^2", "2x", var="2x")
    with pytest.raises(ParseError):
        checker.check_answer("x^2 +", "2x")
    with pytest.raises(ParseError):
        checker.check_answer("x^2", "2x", expected="2x +")


@pytest.mark.parametrize("function, answer", [
    ("y^3", "3y^2"), ("w1 y^2", "2 w1 y"),   # the function's own names (w1) are kept whole
], ids=["y", "w1"])
def test_another_variable_is_differentiated_by(function, answer):
    y = sympy.Symbol("y")
    r = checker.check_answer(function, answer, var="y")
    assert (r.verdict, r.score, r.diagnosis) == ("correct", 1.0, [])
    witness = sympy.diff(parse(function, "auto", ("y", "w1")), y)
    assert sympy.simplify(parse(r.expected, "auto", ("y", "w1")) - witness) == 0


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_correct_answer_shows_the_derivative(lang):
    r = checker.check_answer("sh x", "ch x", lang=lang)
    assert (r.verdict, r.score, r.diagnosis, r.counterexample) == ("correct", 1.0, [], None)
    assert r.message == message("check.correct", lang)
    assert r.answer == "ch x"
    # the course's names: cosh in English, ch in Russian (hand-written, not the printer's)
    assert (r.expected, r.expected_latex) == {
        "en": ("cosh(x)", r"\cosh{\left(x \right)}"),
        "ru": ("ch(x)", r"\operatorname{ch}{\left(x \right)}"),
    }[lang]


def test_the_expected_text_is_the_derivative():
    for function in ("x^3 sin x", "ln(x^2 + 1)", "e^(tg x)"):
        r = checker.check_answer(function, "0")
        assert r.verdict == "incorrect"
        assert same_function(r.expected, sympy.diff(parse(function, "auto", ("x",)), x))


def test_a_given_expected_overrides_the_rules():
    r = checker.check_answer("x^3", "2x", expected="2x")
    assert (r.verdict, r.expected) == ("correct", "2x")
    r = checker.check_answer("x^3", "3x^2", expected="2x")
    assert r.verdict == "incorrect" and r.diagnosis == []  # no rule tree: nothing to diagnose
    assert checker.check_answer(None, "2x", expected=2 * x).verdict == "correct"


def test_partial_credit_is_the_best_listed_code():
    r = checker.check_answer("x^2", "-2x")
    assert (r.verdict, r.score, r.diagnosis) == ("incorrect", 0.0, ["sign-error"])
    r = checker.check_answer("x^2", "-2x", partial_credit={"sign-error": 0.25, "other": 0.75})
    assert r.score == 0.25 and isinstance(r.score, float)
    r = checker.check_answer("x^2", "x^2", partial_credit={"sign-error": 0.25})
    assert r.verdict == "incorrect" and r.score == 0.0


def test_the_russian_decimal_comma_is_said_once_and_only_in_russian():
    r = checker.check_answer("sqrt(x)", "0,5/sqrt(x)", lang="ru")
    assert r.verdict == "correct"
    note = message("parse.decimal-comma", "ru", text="0.5/sqrt(x)")
    assert r.message == f"{note} {message('check.correct', 'ru')}"
    assert checker.check_answer("sqrt(x)", "0.5/sqrt(x)", lang="ru").message == message("check.correct", "ru")
    assert checker.check_answer("sqrt(x)", 1 / (2 * sympy.sqrt(x)), lang="ru").message == message("check.correct", "ru")


def test_results_render_their_nonempty_rows():
    r = checker.check_answer("x^2", "2x")
    assert r.to_dict() == {"verdict": "correct", "score": 1.0, "diagnosis": [], "message": "Correct.",
                           "expected": "2x", "expected_latex": "2 x", "answer": "2x", "counterexample": None}
    assert r._repr_markdown_() == ("**verdict:** correct\n\n**score:** 1\n\n**message:** Correct.\n\n"
                                   "**answer:** 2x\n\n**expected:** $2 x$")
    html = r._repr_html_()
    assert "<tr><th></th><th></th></tr>" in html  # an empty header row
    for row in ("<td>verdict</td><td>correct</td>", "<td>score</td><td>1</td>", "<td>answer</td><td>2x</td>",
                "<td>expected</td><td>$2 x$</td>"):
        assert row in html
    latex = r._repr_latex_()
    # every row is a sentence (text), not only the even ones
    assert latex.count(r"\text{") == 5 and r"\text{score: 1}" in latex and r"\text{answer: 2x}" in latex
    bad = checker.check_answer("x^2", "2x +")
    assert "**score:**" not in bad._repr_markdown_() and "expected" not in bad._repr_markdown_()
    assert bad.to_dict()["score"] is None


@pytest.mark.parametrize("answer, simplified", [
    ("2x e^(x^2)", True),
    ("2x sqrt(e^(2x^2))", False),
], ids=["shortest", "longer"])
def test_simplified_is_at_most_one_operation_longer(answer, simplified, monkeypatch):
    monkeypatch.setattr(checker, "_short_forms", lambda e: (e,))  # no simplify: the count is the rule's
    r = checker.check_answer("e^(x^2)", answer, require_simplified=True)
    assert r.verdict == "correct"
    assert (r.diagnosis == []) is simplified


def test_simplified_boundary_counts_operations_exactly(monkeypatch):
    expected = 2 * x * sympy.exp(x**2)
    monkeypatch.setattr(checker, "_short_forms", lambda e: (e,))
    one_more, two_more = expected + 1, expected + 2 * x  # only the count matters here
    assert sympy.count_ops(one_more) == sympy.count_ops(expected) + 1
    assert sympy.count_ops(two_more) == sympy.count_ops(expected) + 2
    assert checker._is_simplified(one_more, expected)
    assert not checker._is_simplified(two_more, expected)


def test_the_rules_form_is_not_simplified_when_simplify_finds_a_shorter_one():
    # (x^2 - 1)/(x - 1) = x + 1: the quotient rule's long form is correct, but 1 is the derivative
    function, long = "(x^2 - 1)/(x - 1)", "(2x(x - 1) - (x^2 - 1))/(x - 1)^2"
    r = checker.check_answer(function, long, require_simplified=True)
    assert (r.verdict, r.diagnosis, r.score) == ("correct", ["not-simplified"], 0.5)
    assert r.message == message("check.not-simplified", "en")
    assert (r.answer, r.expected_latex) == (long, checker.check_answer(function, "1").expected_latex)
    assert same_function(r.expected, sympy.diff(parse(function, "auto", ("x",)), x))
    ru = checker.check_answer(function, long, require_simplified=True, lang="ru")
    assert ru.message == message("check.not-simplified", "ru")
    r = checker.check_answer(function, long, require_simplified=True, partial_credit={"not-simplified": 0.3})
    assert r.score == 0.3
    assert checker.check_answer(function, "1", require_simplified=True).diagnosis == []
    assert checker.check_answer(function, long).diagnosis == []   # simplification asked for only on demand


def test_conditioned_rewrites_one_minus_tanh_squared_exactly():
    u = sympy.exp(x**2 + 9)
    given = 2 * x * u * (1 - sympy.tanh(u) ** 2)
    out = checker.conditioned(given)
    assert not out.has(sympy.tanh)
    assert sympy.simplify((out - given).rewrite(sympy.exp)) == 0
    assert checker.conditioned(sympy.cos(x) + 1) == sympy.cos(x) + 1
    assert checker.conditioned(sympy.tanh(x)) == sympy.tanh(x)


def test_a_tanh_of_a_huge_argument_is_still_checked():
    # th(e^(x^2 + 9))' = 2x e^(x^2 + 9) / ch^2(e^(x^2 + 9)): the rule's 1 - th^2 is 0 until 7000 digits
    r = checker.check_answer("th(e^(x^2 + 9))", "2x e^(x^2 + 9) / ch^2(e^(x^2 + 9))")
    assert r.verdict == "correct"
    r = checker.check_answer("th(e^(x^2 + 9))", "3x e^(x^2 + 9) / ch^2(e^(x^2 + 9))")
    assert r.verdict == "incorrect"


def test_the_default_time_limit_is_two_seconds(monkeypatch):
    seen, real = [], checker.time_limit

    def recording(seconds):
        seen.append(seconds)
        return real(seconds)

    monkeypatch.setattr(checker, "time_limit", recording)
    assert checker.check_answer("x^2", "2x").verdict == "correct"
    assert seen == [2.0]
    checker.check_answer("x^2", "2x", timeout=7.5)
    assert seen == [2.0, 7.5]


def test_an_answer_that_cannot_be_shown_is_invalid_with_no_text():
    class Unprintable:
        def __str__(self):
            raise ValueError("no text")

    r = checker.check_answer("x^2", Unprintable())
    assert (r.verdict, r.diagnosis, r.answer) == ("invalid", ["check.error"], "")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_answer_too_large_for_sympy_is_invalid(monkeypatch, lang):
    def monster(text, *args, **kwargs):
        if text == "ch(e^(210^5))":
            raise OverflowError("SymPy gave up")   # as its evaluation of cosh(e^(210^5)) did
        return parse(text, *args, **kwargs)

    monkeypatch.setattr(checker, "parse", monster)
    r = checker.check_answer("x^2", "ch(e^(210^5))", lang=lang)
    assert (r.verdict, r.score, r.diagnosis, r.answer) == ("invalid", None, ["check.too-large"], "ch(e^(210^5))")
    assert r.message == message("check.too-large", lang)


def test_the_variable_of_a_teachers_text_is_kept_whole():
    # "lam^2" by lam: 2 lam (without lam kept whole it would be l a m, constant in lam)
    r = checker.check_answer("lam^2", "2 lam", var="lam")
    assert r.verdict == "correct"


def test_the_names_of_a_sympy_function_are_kept_whole_in_the_answer():
    lam = sympy.Symbol("lam")
    assert checker.check_answer(lam * x**2, "2 lam x").verdict == "correct"   # not 2 l a m x
    # lam appears only in the function, not in its derivative 2x: still a name of the exercise
    r = checker.check_answer(x**2 + lam, "2x + lam")
    assert (r.verdict, r.diagnosis) == ("incorrect", [])   # not wrong-variable (l, a, m)
    assert set(r.counterexample["point"]) == {"lam", "x"}


def test_the_rule_tree_diagnoses_only_its_own_derivative():
    r = checker.check_answer("sin(x^3)", "cos(x^3)")
    assert r.diagnosis == ["missing-inner-derivative"]
    r = checker.check_answer("sin(x^3)", "cos(x^3)", expected="3x^2 cos(x^3)")  # a given derivative: no tree
    assert (r.verdict, r.diagnosis) == ("incorrect", [])
    assert r.message.startswith(message("check.incorrect", "en"))


def test_a_simplify_past_its_budget_leaves_the_rules_form(monkeypatch):
    # sympy.simplify that never ends: after its own 0.5 s it is given up, the check goes on
    monkeypatch.setattr(checker.sympy, "simplify", _spin)
    function, long = "(x^2 - 1)/(x - 1)", "(2x(x - 1) - (x^2 - 1))/(x - 1)^2"
    r = checker.check_answer(function, long, require_simplified=True, timeout=30)
    assert (r.verdict, r.diagnosis) == ("correct", [])   # as short as the rule's own form
    with pytest.raises(TimeLimitExceeded):               # an enclosing limit is not simplify's own
        with time_limit(0.2):
            checker.check_answer("(x^2 - 4)/(x - 2)", long, require_simplified=True, timeout=30)


def test_a_constant_derivative_is_still_compared_as_a_function_of_the_variable():
    # (5x)' = 5 against 4: the counterexample names the point x = 1/2, not an empty point
    r = checker.check_answer("5x", "4")
    assert r.counterexample == {"point": {"x": 0.5}, "expected": 5.0, "answer": 4.0}
    assert "x = 1/2" in r.message
