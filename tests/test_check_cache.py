"""The verdict cache after parsing (``checking.memo``) never changes a verdict.

Witness: the same check with the cache emptied before every answer (the uncached path);
the cached results must equal it field for field, text-dependent fields included.
"""
from __future__ import annotations

import pytest

from derivtutor.checking import checker, memo
from derivtutor.checking.checker import check_answer

# (function, answers): forms that parse to one tree, wrong ones, invalid ones.
CASES = [
    ("sin x", ["cos x", "37*(cos x)/37", "cos(x)", "-cos x", "37*(-cos x)/37", "sin x", "x +* 2", "cos(x"]),
    ("x^2 sin x", ["2x sin x + x^2 cos x", "2x cos x", "2*(x cos x)/2", r"2x\cos x"]),
    ("tg(w x)", ["w/cos^2(w x)", "1/cos^2(w x)", "2*(1/cos^2(w x))/2", "w*(1 + tg^2(w x))"]),
]


def _run(lang="en", **options):
    return [check_answer(f, a, lang=lang, **options).to_dict() for f, answers in CASES for a in answers]


def _uncached(lang="en", **options):
    out = []
    for f, answers in CASES:
        for a in answers:
            memo.clear()
            out.append(check_answer(f, a, lang=lang, **options).to_dict())
    return out


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_cached_results_equal_uncached_ones(lang):
    memo.clear()
    cached = _run(lang) + _run(lang)  # the second round is all hits
    assert cached == _uncached(lang) * 2
    assert cached[1]["answer"] == "37*(cos x)/37" and cached[1]["verdict"] == "correct"


def test_options_are_part_of_the_key():
    memo.clear()
    plain = check_answer("x^2", "2x (sin^2 x + cos^2 x)", require_simplified=True)
    assert plain.diagnosis == ["not-simplified"]
    assert check_answer("x^2", "2x (sin^2 x + cos^2 x)").diagnosis == []  # same tree, other options: its own verdict
    credit = check_answer("sin(x^3)", "cos(x^3)", partial_credit={"missing-inner-derivative": 0.5})
    assert credit.score == 0.5 and check_answer("sin(x^3)", "cos(x^3)").score == 0.0


def test_a_hit_is_a_fresh_result():
    memo.clear()
    first = check_answer("x^2", "-2x")
    first.diagnosis.append("mine")
    first.counterexample["point"]["x"] = 99.0
    first.message = "changed"
    again = check_answer("x^2", "-2x")
    assert again.diagnosis == ["sign-error"] and again.counterexample["point"]["x"] != 99.0
    assert again.message != "changed"


def test_decimal_comma_note_is_outside_the_cache():
    memo.clear()
    with_comma = check_answer("x^2", "2,5x", lang="ru")
    without = check_answer("x^2", "2.5x", lang="ru")
    assert with_comma.message.startswith("Десятичная запятая")
    assert not without.message.startswith("Десятичная запятая")
    assert with_comma.answer == "2,5x" and without.answer == "2.5x"


def test_course_secret_is_part_of_the_key(monkeypatch):
    memo.clear()
    check_answer("sin x", "-cos x")
    size = len(memo.RESULTS)
    monkeypatch.setenv("DERIVTUTOR_COURSE_SECRET", "another course")
    check_answer("sin x", "-cos x")
    assert len(memo.RESULTS) == size + 1


def test_invalid_and_volatile_verdicts_are_not_stored(monkeypatch):
    memo.clear()
    assert check_answer("sin x", "x +* 2").verdict == "invalid"
    assert len(memo.RESULTS) == 0
    original = checker.compare

    def moment_dependent(*args, **kwargs):
        memo.note_volatile()  # as a proof whose own time budget ran out
        return original(*args, **kwargs)

    monkeypatch.setattr(checker, "compare", moment_dependent)
    assert check_answer("sin x", "cos x").verdict == "correct"
    assert len(memo.RESULTS) == 0
    monkeypatch.setattr(checker, "compare", original)
    check_answer("sin x", "cos x")
    assert len(memo.RESULTS) == 1


def test_undecided_is_not_stored(monkeypatch):
    import sympy

    from derivtutor.checking import equivalence

    memo.clear()
    monkeypatch.setattr(equivalence, "MIN_POINTS", 10**6)   # numbers never enough
    monkeypatch.setattr(sympy, "simplify", lambda e: e)     # and no proof: undecided
    monkeypatch.setattr(sympy, "trigsimp", lambda e: e)
    result = check_answer("x", "sin(x)^2 + cos(x)^2")
    assert result.diagnosis == ["check.undecided"] and len(memo.RESULTS) == 0


def test_sech_form_is_what_the_pattern_gives():
    """The hand-written rewrite of 1 - tanh(u)^2 against SymPy's own ``replace`` (the witness),
    on every tanh variant of the bank and on sums the pattern must leave alone."""
    import sympy

    from derivtutor.course.bank import load_exercises
    from derivtutor.course.variants import instantiate, is_randomised, variant_labels
    from derivtutor.input.parsing import parse
    from derivtutor.steps.engine import derive

    x, y, w = sympy.symbols("x y w")
    t = sympy.tanh
    exprs = [1 - t(x) ** 2, 2 - t(x) ** 2, 1 - t(x) ** 2 + y, 1 - t(x) ** 4, 1 - 2 * t(x) ** 2,
             x * (1 - t(x * y) ** 2) ** 2, 1 - t(1 - t(x) ** 2) ** 2, 3 * (1 - t(x) ** 2) + 1, t(x) ** 2 - 1,
             1 - t(x) ** 2 * y, y - y * t(x) ** 2, sympy.exp(1 - t(x) ** 2) * (1 - t(2 * x) ** 2)]
    for exercise in load_exercises().values():
        if exercise.kind == "derivative" and "th" in exercise.get("function", ""):
            labels = variant_labels(exercise)[:10] if is_randomised(exercise) else ()
            for variant in [instantiate(exercise, label) for label in labels] or [exercise]:
                f = parse(variant.get("function"), "plain")
                exprs.append(derive(f, sympy.Symbol(variant.get("variable"))).eval())
    pattern = sympy.Wild("u")
    changed = 0
    for e in exprs:
        expected = e.replace(1 - t(pattern) ** 2, 1 / sympy.cosh(pattern) ** 2)
        assert checker._sech_squared(e) == expected, e
        changed += expected != e
    assert changed >= 8


def test_srepr_of_prints_what_sympy_srepr_prints():
    # Witness: sympy.srepr itself. srepr_of remembers subtrees' texts by identity; trees that
    # share subtrees (SymPy's cache hands out the same cos(x**9)), printed in any order, and
    # numbers whose text carries a precision must all print exactly as srepr prints them.
    import sympy

    from derivtutor.checking.mistakes import candidates
    from derivtutor.input.parsing import parse

    texts = ["9x^8 cos(x^9)", "-(9*x^8*cos(x^9))", "2*(9*x^8*cos(x^9))", "(9*x^8*cos(x^9))/x",
             "37*(9*x^8*cos(x^9))/37", "(9*x^8*cos(x^9)) + 40", r"\frac{1}{1 + x^{2}}", "0.5 x + 1/3",
             "x^(1/3) e^(-x^2) + ln|x| + sigmoid(w x + b)", "tg^2(x) + 1", "sqrt(k/m) sqrt(m/k)"]
    x = sympy.Symbol("x")
    trees = [parse(t) for t in texts] + [m.expr for m in candidates(sympy.sin(x ** 3) * sympy.exp(2 * x), x)]
    trees += [sympy.Float("0.1", 40) * x, sympy.Float("0.1", 15) * x, sympy.Integer(10) ** 40 * x]
    for tree in trees + trees[::-1]:
        for sub in sympy.preorder_traversal(tree):
            assert memo.srepr_of(sub) == sympy.srepr(sub)
