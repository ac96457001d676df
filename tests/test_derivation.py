"""The derivation checker: whole derivations line by line, the first wrong step named.

Witnesses are independent of the code under test: every line of the model
derivations carries its value written as a SymPy expression (``diff(...)`` for a
derivative still to take), and sympy.diff of the function must equal it
(checked by sympy.simplify or at random points); injected lines are shown to be
wrong the same way; an invalid line's column is found with str.index.
"""
from __future__ import annotations

import random

import pytest
import sympy

from derivtutor.derivation.checker import check_derivation

x, V = sympy.symbols("x V")
SIG = sympy.Function("s")  # the witness's own sigmoid, 1/(1 + e^-x), by substitution below


def _sympy(text: str) -> sympy.Expr:
    """The test's witness text (trusted, written here) -> SymPy, derivatives evaluated."""
    return sympy.sympify(text, locals={"sigma": lambda a: 1 / (1 + sympy.exp(-a))}).doit()


FINAL004 = "(z-l)*z*(1-z)*U*y*(1-y)*x"
#: (id, function, var, [(line, witness value of the line's last term)], extra keyword arguments)
CASES = [
    ("issue-sigmoid", "1/(1+e^-x)", "x", [
        ("(1/(1+e^-x))' = -1/(1+e^-x)^2 * (1+e^-x)'", "-1/(1+exp(-x))**2 * diff(1+exp(-x), x)"),
        ("= -1/(1+e^-x)^2 * (-e^-x)", "exp(-x)/(1+exp(-x))**2"),
        ("= e^-x/(1+e^-x)^2", "exp(-x)/(1+exp(-x))**2"),
        ("= 1/(1+e^-x) * e^-x/(1+e^-x)", "exp(-x)/(1+exp(-x))**2"),
        ("= σ(x)(1 - σ(x))", "sigma(x)*(1 - sigma(x))"),
    ], {}),
    ("seed000-latex", "sigmoid(x)", "x", [
        (r"\dfrac{d}{dx} \sigma(x) &= \dfrac{d}{dx} \left[ \dfrac{1}{1+e^{-x}} \right] "
         r"=\dfrac{d}{dx}(1+e^{-x})^{-1} \\", "diff((1+exp(-x))**-1, x)"),
        (r"&=-1*(1+e^{-x})^{-2}(-e^{-x}) =\dfrac{-e^{-x}}{-(1+e^{-x})^{2}} \\", "exp(-x)/(1+exp(-x))**2"),
        (r"&=\dfrac{1}{1+e^{-x}}  \dfrac{e^{-x} + (1 - 1)}{1+e^{-x}} \\", "exp(-x)/(1+exp(-x))**2"),
        (r"&=\dfrac{1}{1+e^{-x}}  \left[ \dfrac{(1 + e^{-x})}{1+e^{-x}} - \dfrac{1}{1+e^{-x}} \right] \\",
         "exp(-x)/(1+exp(-x))**2"),
        (r"&=\dfrac{1}{1+e^{-x}}  \left[ 1 - \dfrac{1}{1+e^{-x}} \right] =\sigma(x) (1-\sigma(x))",
         "sigma(x)*(1-sigma(x))"),
    ], {"target": "sigmoid(x)*(1 - sigmoid(x))", "must_use": ["sigmoid"]}),
    ("seed000-tg-x2", "tg x^2", "x", [
        ("y' = 1/cos^2 x^2 * (x^2)'", "diff(x**2, x)/cos(x**2)**2"),
        ("= 2x/cos^2 x^2", "2*x/cos(x**2)**2"),
    ], {}),
    ("seed000-arctg2-x3", "arctg^2 x^3", "x", [
        ("(arctg^2 x^3)' = 2 arctg x^3 * (arctg x^3)'", "2*atan(x**3)*diff(atan(x**3), x)"),
        ("= 2 arctg x^3 * 1/(1 + x^6) * (x^3)'", "2*atan(x**3)/(1+x**6)*diff(x**3, x)"),
        ("= 6x^2 arctg x^3/(1 + x^6)", "6*x**2*atan(x**3)/(1+x**6)"),
    ], {}),
    ("seed000-ln-cos2-sin-sqrt", "ln cos^2(sin sqrt x)", "x", [
        ("d/dx ln cos^2(sin sqrt x) = 1/cos^2(sin sqrt x) * d/dx cos^2(sin sqrt x)",
         "diff(cos(sin(sqrt(x)))**2, x)/cos(sin(sqrt(x)))**2"),
        ("= 2/cos(sin sqrt x) * (cos(sin sqrt x))'", "2/cos(sin(sqrt(x)))*diff(cos(sin(sqrt(x))), x)"),
        ("= -2 tg(sin sqrt x) * (sin sqrt x)'", "-2*tan(sin(sqrt(x)))*diff(sin(sqrt(x)), x)"),
        ("= -tg(sin sqrt x) cos(sqrt x)/sqrt x", "-tan(sin(sqrt(x)))*cos(sqrt(x))/sqrt(x)"),
    ], {}),
    ("quotient", "x/(x^2+1)", "x", [
        ("(x/(x^2+1))' = ((x)' (x^2+1) - x (x^2+1)')/(x^2+1)^2", "(x**2+1 - x*diff(x**2+1, x))/(x**2+1)**2"),
        ("= (x^2 + 1 - 2x^2)/(x^2+1)^2", "(1-x**2)/(x**2+1)**2"),
        ("= (1 - x^2)/(x^2+1)^2", "(1-x**2)/(x**2+1)**2"),
    ], {}),
    ("seed004-dE-dV", "1/2 (z - l)^2", "V", [
        ("dE/dV = (z - l) dz/dV", "(z-l)*diff(z, V)"),
        ("= (z - l) σ'(q) dq/dV", "(z-l)*z*(1-z)*diff(q, V)"),
        ("= (z - l) σ'(q) U σ'(p) dp/dV", "(z-l)*z*(1-z)*U*y*(1-y)*diff(p, V)"),
        ("= (z - l) z(1 - z) U y(1 - y) x", "(z-l)*z*(1-z)*U*y*(1-y)*x"),
    ], {"definitions": {"p": "V x + v", "y": "sigmoid(p)", "q": "U y + u", "z": "sigmoid(q)"}}),
    ("seed004-latex-partials", "1/2 (z - l)^2", "V", [
        (r"\frac{\partial \varepsilon}{\partial V} = \frac{\partial \varepsilon}{\partial p} "
         r"\frac{\partial p}{\partial V} = \frac{\partial \varepsilon}{\partial p} x", FINAL004),
        (r"= \frac{\partial \varepsilon}{\partial y} \sigma'(p) x", FINAL004),
        (r"= \frac{\partial \varepsilon}{\partial q} U \sigma'(p) x", FINAL004),
        (r"= \frac{\partial \varepsilon}{\partial z} \sigma'(q) U \sigma'(p) x", FINAL004),
        (r"= (z - l) z (1 - z) U y (1 - y) x", FINAL004),
    ], {"definitions": {"p": "V x + v", "y": "sigmoid(p)", "q": "U y + u", "z": "sigmoid(q)"}}),
]
IDS = [c[0] for c in CASES]
SEED004 = {"p": "V*x + v", "y": "1/(1+exp(-p))", "q": "U*y + u", "z": "1/(1+exp(-q))"}


def _witness(case, text: str) -> sympy.Expr:
    """A line's witness value with the definitions of seed 004 substituted first."""
    _, _, var, _, extra = case
    if "definitions" not in extra:
        return _sympy(text)
    subs = {}
    for name, formula in SEED004.items():
        subs[sympy.Symbol(name)] = sympy.sympify(formula).xreplace(subs)
    return sympy.sympify(text, locals={str(k): v for k, v in subs.items()}).doit()


def _function(case) -> sympy.Expr:
    function = {"1/(1+e^-x)": "1/(1+exp(-x))", "sigmoid(x)": "1/(1+exp(-x))", "tg x^2": "tan(x**2)",
                "arctg^2 x^3": "atan(x**3)**2", "ln cos^2(sin sqrt x)": "log(cos(sin(sqrt(x)))**2)",
                "x/(x^2+1)": "x/(x**2+1)", "1/2 (z - l)^2": "(z - l)**2/2"}[case[1]]
    return _witness(case, function)


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Equal at 12 random points (real where both are real)."""
    rng = random.Random(5)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    for _ in range(12):
        point = {s: sympy.Rational(rng.randint(1, 90), 100) for s in symbols}
        va, vb = complex(a.evalf(30, subs=point)), complex(b.evalf(30, subs=point))
        if abs(va - vb) > 1e-9 * (1 + abs(vb)):
            return False
    return True


def _check(case, lines, **more):
    _, function, var, _, extra = case
    return check_derivation(function, "\n".join(lines), var, **{**extra, **more})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_witness_agrees_that_every_model_line_is_the_derivative(case):
    derivative = sympy.diff(_function(case), sympy.Symbol(case[2]))
    for _, value in case[3]:
        assert _same(derivative, _witness(case, value))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_correct_derivations_have_every_line_correct(case):
    result = _check(case, [line for line, _ in case[3]])
    assert [line.verdict for line in result.lines] == ["correct"] * len(case[3])
    assert (result.verdict, result.score, result.first_error) == ("correct", 1.0, None)


def _inject(line: str, how: str) -> str:
    """The line with its last term made wrong: doubled, or plus the variable."""
    latex = "\\" in line
    body, end = (line[:-2].rstrip(), " \\\\") if line.rstrip().endswith("\\\\") else (line.rstrip(), "")
    head, _, last = body.rpartition("=")
    if how == "double":
        wrong = f"2 \\cdot \\left({last}\\right)" if latex else f"2*({last})"
    else:
        wrong = f"\\left({last}\\right) + 1" if latex else f"({last}) + 1"
    return f"{head}= {wrong}{end}"


INJECTIONS = [(case, i, how) for case in CASES for i in range(len(case[3])) for how in ("double", "plus-one")]


@pytest.mark.parametrize("case,position,how", INJECTIONS,
                         ids=[f"{c[0]}-line{i + 1}-{how}" for c, i, how in INJECTIONS])
def test_one_wrong_line_injected_is_the_first_error(case, position, how):
    lines = [line for line, _ in case[3]]
    lines[position] = _inject(lines[position], how)
    derivative = sympy.diff(_function(case), sympy.Symbol(case[2]))
    witness = 2 * derivative if how == "double" else derivative + 1
    assert not _same(derivative, witness)  # the injected line really is wrong
    result = _check(case, lines)
    verdicts = [line.verdict for line in result.lines]
    assert result.verdict == "incorrect" and result.first_error == position + 1
    assert verdicts[:position] == ["correct"] * position and verdicts[position] == "incorrect"
    if position + 1 < len(lines):
        # the next line no longer follows from the wrong one; those after it follow from each other
        assert verdicts[position + 1] == "incorrect"
        assert verdicts[position + 2:] == ["correct"] * (len(lines) - position - 2)
        assert result.final_correct is True
    assert result.lines[position].counterexample["point"]
    assert 0 <= result.score < 1


#: (id, function, derivation, the wrong line, a code it must name)
SLIPS = [
    ("issue-example-dropped-inner", "1/(1+e^-x)",
     ["(1/(1+e^-x))' = -1/(1+e^-x)^2 * (1+e^-x)'", "= -1/(1+e^-x)^2 * e^-x", "= -e^-x/(1+e^-x)^2"],
     2, "missing-inner-derivative"),
    ("dropped-inner-first-line", "tg x^2", ["(tg x^2)' = 1/cos^2 x^2"], 1, "missing-inner-derivative"),
    ("dropped-inner-arctg", "arctg^2 x^3",
     ["(arctg^2 x^3)' = 2 arctg x^3 (arctg x^3)'", "= 2 arctg x^3 /(1 + x^6)"], 2, "missing-inner-derivative"),
    ("inner-written-as-1", "tg x^2", ["(tg x^2)' = 1/cos^2 x^2 * (x^2)'", "= 1/cos^2 x^2 * 1"], 2,
     "missing-inner-derivative"),
    ("d-cos-sign", "cos(x^3)", ["(cos x^3)' = sin x^3 * (x^3)'", "= 3x^2 sin x^3"], 1, "sign-error"),
    ("d-cos-sign-deep", "ln cos^2(sin sqrt x)",
     ["(ln cos^2(sin sqrt x))' = 2/cos(sin sqrt x) * (cos(sin sqrt x))'",
      "= 2/cos(sin sqrt x) * sin(sin sqrt x) * (sin sqrt x)'"], 2, "sign-error"),
    ("quotient-order", "ln(x)/x", ["(ln x / x)' = (ln x (x)' - (ln x)' x)/x^2", "= (ln x - 1)/x^2"], 1,
     "quotient-rule"),
    ("quotient-order-later", "x/(x^2+1)",
     ["(x/(x^2+1))' = ((x)' (x^2+1) - x (x^2+1)')/(x^2+1)^2", "= (2x^2 - x^2 - 1)/(x^2+1)^2"], 2, None),
    ("product-of-derivatives", "x^2 sin x", ["(x^2 sin x)' = (x^2)' (sin x)'"], 1, "product-rule"),
    ("power-rule-in-a-step", "sin(x^2)", ["(sin(x^2))' = cos(x^2) (x^2)'", "= cos(x^2) x"], 2, "power-rule"),
]


@pytest.mark.parametrize("fid,function,lines,wrong,code", SLIPS, ids=[s[0] for s in SLIPS])
def test_classic_slips_are_named_at_their_line(fid, function, lines, wrong, code):
    result = check_derivation(function, "\n".join(lines))
    assert result.verdict == "incorrect" and result.first_error == wrong
    line = result.lines[wrong - 1]
    if code is not None:
        assert code in line.diagnosis, line.message
        assert code in result.diagnosis
    assert line.counterexample["point"]  # a counterexample for that line
    assert f"{wrong}" in line.message


def test_the_issue_example_message_names_the_inner_derivative():
    result = check_derivation("1/(1+e^-x)", "(1/(1+e^-x))' = -1/(1+e^-x)^2 * (1+e^-x)'\n= -1/(1+e^-x)^2 * e^-x")
    text = result.lines[1].message
    assert text.startswith("Line 2: the derivative of 1 + ")
    assert "inner function -x" in text and "At x = " in text
    ru = check_derivation("1/(1+e^-x)", "(1/(1+e^-x))' = -1/(1+e^-x)^2 * (1+e^-x)'\n= -1/(1+e^-x)^2 * e^-x",
                          lang="ru").lines[1].message
    assert ru.startswith("Строка 2: производная")


INVALID = [
    ("bad-character", "(x^2)' = 2x\n= 2 * @ x", 2, "@"),
    ("bad-character-in-operand", "((x + @)^2)' = 2(x + 1)", 1, "@"),
    ("unclosed", "(x^2)' = 2x\n= (2x", 2, None),
    ("latex-unknown-command", r"\frac{d}{dx} x^2 &= 2 \cdot \foo x", 1, "\\foo"),
    ("no-equals", "(x^2)' = 2x\n2x", 2, "2x"),
    ("first-line-continues", "= 2x", 1, "="),
    ("prime-without-operand", "(x^2)' = 'x", 1, "'x"),
    ("empty-side", "(x^2)' = ", 1, None),
]


@pytest.mark.parametrize("iid,text,line,mark", INVALID, ids=[i[0] for i in INVALID])
def test_invalid_lines_report_line_and_column(iid, text, line, mark):
    result = check_derivation("x^2", text)
    assert result.verdict == "invalid" and result.score is None and result.first_error is None
    bad = result.lines[line - 1]
    assert bad.verdict == "invalid" and bad.column is not None
    if mark is not None:
        assert bad.column == text.splitlines()[line - 1].index(mark) + 1
    assert f"{line}" in result.message and f"{bad.column}" in result.message


def test_a_start_that_is_not_the_derivative_asked_for_is_wrong():
    result = check_derivation("x^3", "(x^2)' = 2x")
    assert result.first_error == 1 and "derivation.wrong-start" in result.lines[0].diagnosis
    result = check_derivation("x^2", "x^2 = 2x")
    assert result.first_error == 1 and result.lines[0].diagnosis == ["derivation.start-no-operator"]


def test_an_unfinished_derivation_is_not_correct():
    result = check_derivation("x^2 sin x", "(x^2 sin x)' = (x^2)' sin x + x^2 (sin x)'")
    assert result.verdict == "incorrect" and result.first_error is None
    assert "derivation.unfinished" in result.diagnosis and result.score == 0.5


def test_an_identity_must_end_in_the_target_form():
    text = "(1/(1+e^-x))' = e^-x/(1+e^-x)^2"
    result = check_derivation("1/(1+e^-x)", text, target="sigmoid(x)*(1-sigmoid(x))", must_use=["sigmoid"])
    assert result.verdict == "incorrect" and "derivation.must-use" in result.diagnosis


def test_skipping_many_steps_is_fine():
    assert check_derivation("arctg^2 x^3", "(arctg^2 x^3)' = 6x^2 arctg x^3/(1 + x^6)").verdict == "correct"


def _endless(*args, **kwargs):
    while True:  # a comparison that never ends: only the time limit stops it
        pass


def test_running_out_of_the_whole_budget_is_undecided_never_correct(monkeypatch):
    import derivtutor.derivation.checker as checker

    monkeypatch.setattr(checker, "compare", _endless)
    result = check_derivation("x^2", "(x^2)' = 2x", timeout=0.2, line_timeout=60)
    assert result.verdict == "invalid" and result.diagnosis == ["check.undecided"] and result.score is None
    assert result.lines[0].verdict == "undecided"


def test_a_line_out_of_time_is_undecided_and_the_derivation_not_graded(monkeypatch):
    import derivtutor.derivation.checker as checker

    real = checker.compare
    monkeypatch.setattr(checker, "compare", lambda a, b, v: _endless() if b.has(sympy.cos) else real(a, b, v))
    result = check_derivation("x^2 sin x", "(x^2 sin x)' = 2x sin x + x^2 cos x", line_timeout=0.1)
    assert result.verdict == "invalid" and result.score is None
    assert result.lines[0].verdict == "undecided"


def test_python_api_is_exported():
    import derivtutor

    assert derivtutor.check_derivation("x^2", "d/dx (x^2) = 2x").verdict == "correct"


from hypothesis import given, settings, strategies as st  # noqa: E402

#: (text spelling, SymPy function) of outer functions; f'(u) is written with the prime notation.
OUTER = [("sin", sympy.sin), ("cos", sympy.cos), ("tg", sympy.tan), ("exp", sympy.exp), ("arctg", sympy.atan)]


@settings(max_examples=8, deadline=None)
@given(outer=st.sampled_from(OUTER), a=st.integers(1, 5), n=st.integers(2, 4), b=st.integers(-3, 3),
       double=st.booleans())
def test_chain_rule_derivations_agree_with_sympy_diff(outer, a, n, b, double):
    name, function = outer
    inner = f"{a}x^{n} + ({b})"
    derivative = sympy.diff(function(a * x**n + b), x)   # the witness
    shown = str(2 * derivative if double else derivative)
    text = f"({name}({inner}))' = {name}'({inner}) * ({inner})'\n= {shown}"
    result = check_derivation(f"{name}({inner})", text)
    assert [line.verdict for line in result.lines] == ["correct", "incorrect" if double else "correct"]
    assert result.first_error == (2 if double else None)
