"""Check a student's derivative: correct, incorrect (with the mistake named) or invalid.

``check_answer(function, answer, var)`` parses the answer with the safe parser,
compares it with the reference derivative by ``derivtutor.checking.equivalence`` and, when
it is wrong, diagnoses the mistake from the rule tree (``derivtutor.checking.mistakes``).

Verdicts:

- ``correct`` -- equal to the derivative as a function (unsimplified forms too).
  With ``require_simplified`` an answer longer than the shortest known form of
  the derivative gets diagnosis ``not-simplified`` and the score
  ``partial_credit["not-simplified"]`` (default 0.5). *Simplified* means: SymPy's
  operation count (``count_ops``) of the answer is at most that of the shortest of
  the derivative as the rules give it and as ``sympy.simplify`` gives it, plus one.
- ``incorrect`` -- with a counterexample point and diagnosis codes; the score is
  the best ``partial_credit`` entry among the codes (default 0).
- ``invalid`` -- never scored (score None): the parser's code, message and
  position; or ``check.timeout`` when the check ran past its time limit (default
  2 s, enforced by ``derivtutor.budget.time_limit``, which ``except Exception``
  cannot swallow); or ``check.undecided`` when the symbolic tier could neither
  prove nor refute equality. A time-out is reported as *invalid* rather than a
  fourth verdict so that every consumer's "not graded" path handles it; its
  diagnosis code tells it apart. It is never "correct".

>>> r = check_answer("tg x^2", "2x/cos^2 x^2")
>>> r.verdict, r.score
('correct', 1.0)
>>> r = check_answer("sin(x^3)", "cos(x^3)")
>>> r.verdict, r.diagnosis
('incorrect', ['missing-inner-derivative'])
>>> r.message.split(".")[0]
'You forgot to multiply by the derivative of the inner function x^3, which is 3x^2'
"""
from __future__ import annotations

import copy
import dataclasses
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.catalogue import check_language, message
from derivtutor.checking.equivalence import compare, own_timeout
# diagnose and real_diff are part of this module's interface (the derivation checker uses them)
from derivtutor.checking.diagnosis import INTERNAL_ERRORS, diagnose, real_diff, show_value as _num  # noqa: F401
from derivtutor.checking.memo import RESULTS, note_volatile, srepr_of, volatile_count
from derivtutor.checking.mistakes import rule_derivative, show
from derivtutor.checking.sampling import course_secret
from derivtutor.input.parsing import ParseError, decimal_comma_reading, parse
from derivtutor.render.notation import course_latex

VERDICTS = ("correct", "incorrect", "invalid")
_VAR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
SIMPLIFY_BUDGET = 0.5   # seconds for sympy.simplify of the reference, inside the check's limit
NOT_SIMPLIFIED_DEFAULT = 0.5


@dataclass
class CheckResult:
    """The outcome of one check; ``to_dict()`` is the JSON the CLI prints."""

    verdict: str
    score: float | None
    diagnosis: list[str] = field(default_factory=list)
    message: str = ""
    expected: str | None = None
    expected_latex: str | None = None
    answer: str = ""
    counterexample: dict | None = None
    position: int | None = None          # where invalid input went wrong (not in the JSON)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict, "score": self.score, "diagnosis": list(self.diagnosis),
            "message": self.message, "expected": self.expected, "expected_latex": self.expected_latex,
            "answer": self.answer, "counterexample": self.counterexample,
        }

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("verdict", self.verdict), ("score", "" if self.score is None else f"{self.score:g}"),
                ("message", self.message), ("answer", self.answer)]
        return rows + ([("expected", f"${self.expected_latex}$")] if self.expected_latex else [])

    def _repr_markdown_(self) -> str:
        return "\n\n".join(f"**{key}:** {value}" for key, value in self._rows() if value)

    def _repr_latex_(self) -> str:
        from derivtutor.render.jupyter import display

        rows = [f"{key}: {value}" for key, value in self._rows() if value]
        return display(rows, sentences=set(range(len(rows))))

    def _repr_html_(self) -> str:
        from derivtutor.render.jupyter import html_table

        return html_table(["", ""], [[k, v] for k, v in self._rows() if v])


@dataclass(frozen=True)
class Reference:
    """Per-exercise work, cached: the reference derivative and how to show it."""

    function: sympy.Expr | None
    var: sympy.Symbol
    expected: sympy.Expr
    from_rules: bool          # True when ``expected`` is the rule tree's result (diagnosis applies)
    text: str
    latex: str
    names: tuple[str, ...]    # symbol names of the function: the parser keeps them whole (w1, lam)


@lru_cache(maxsize=4096)
def reference(function: sympy.Expr | None, var: sympy.Symbol, expected: sympy.Expr | None) -> Reference:
    """The reference derivative of ``function`` (or the given ``expected``)."""
    if expected is None:
        expected = rule_derivative(function, var)
        from_rules = True
    else:
        from_rules = False
    source = function if function is not None else expected
    names = tuple(sorted({s.name for s in source.free_symbols} | {var.name}))
    return Reference(function, var, expected, from_rules, show(expected), course_latex(expected), names)


def check_answer(function, answer, var: str = "x", *, expected=None, syntax: str = "auto",
                 lang: str = "en", require_simplified: bool = False,
                 partial_credit: dict | None = None, timeout: float | None = 2.0) -> CheckResult:
    """Check ``answer`` (student text) as the derivative of ``function`` with respect to ``var``.

    ``function`` and ``expected`` are text (parsed safely) or SymPy expressions;
    ``expected`` overrides the reference derivative. Raises ParseError when the
    teacher's ``function``/``expected`` is invalid; the student's invalid input is a
    verdict, never an exception.

    >>> check_answer("x^2", "-2x").diagnosis
    ['sign-error']
    """
    check_language(lang)
    if not _VAR_NAME.match(var):
        raise ValueError(f"invalid variable name {var!r}")
    x = sympy.Symbol(var)
    f, e = _teacher_expr(function, var), _teacher_expr(expected, var)
    credit = dict(partial_credit or {})
    start, expired = time.monotonic(), None
    try:
        with time_limit(timeout) as expired:
            return _with_comma_note(_check(reference(f, x, e), answer, syntax, lang, require_simplified, credit),
                                    answer, lang)
    except TimeLimitExceeded as exc:
        if not own_timeout(exc, expired, start, timeout):
            raise  # a caller's own, shorter limit: theirs to handle
        return _invalid(_as_text(answer), "check.timeout", lang)
    except INTERNAL_ERRORS:
        # Never crash a batch on one answer: not graded, with a sentence saying why.
        return _invalid(_safe_text(answer), "check.error", lang)


def _safe_text(answer) -> str:
    try:
        return _as_text(answer)
    except INTERNAL_ERRORS:
        return ""


def _teacher_expr(value, var: str):
    if value is None or isinstance(value, sympy.Expr):
        return value
    return _parse_teacher(str(value), var)


@lru_cache(maxsize=4096)
def _parse_teacher(text: str, var: str) -> sympy.Expr:
    return parse(text, "auto", (var,))


def _as_text(answer) -> str:
    return show(answer) if isinstance(answer, sympy.Expr) else str(answer)


def _with_comma_note(result: CheckResult, answer, lang: str) -> CheckResult:
    """Say how a Russian decimal comma was read: "Десятичная запятая прочитана как точка: 0.5/sqrt(x)"."""
    read = decimal_comma_reading(answer) if lang == "ru" and isinstance(answer, str) else None
    if read is not None:
        result.message = f"{message('parse.decimal-comma', lang, text=read)} {result.message}".strip()
    return result


def _invalid(text: str, code: str, lang: str, position=None, **fields) -> CheckResult:
    return CheckResult("invalid", None, [code], message(code, lang, **fields), answer=text, position=position)


def _check(ref: Reference, answer, syntax, lang, require_simplified, credit) -> CheckResult:
    if isinstance(answer, sympy.Expr):
        expr, text = answer, show(answer)
    else:
        answer = str(answer)
        text = answer  # as typed: an invalid input's position points into it
        try:
            expr = parse(answer, syntax, ref.names, decimal_comma=lang == "ru")
        except ParseError as exc:
            return CheckResult("invalid", None, [exc.code], exc.render(lang), answer=text,
                               position=exc.position)
        except (MemoryError, RecursionError, OverflowError):
            # SymPy's automatic evaluation of a monster (cosh of e^(210^5)) gave up.
            return _invalid(text, "check.too-large", lang)
    return _remembered(ref, expr, text, lang, require_simplified, credit)


def _remembered(ref: Reference, expr, text: str, lang, require_simplified, credit) -> CheckResult:
    """The verdict stage through ``memo.RESULTS`` (see ``checking.memo``): keyed by the
    problem, the options, the course secret and the parsed tree; only the answer as typed
    is put back. Invalid verdicts and volatile computations are never stored."""
    key = (ref, srepr_of(ref.expected), srepr_of(ref.function) if ref.function is not None else None,
           lang, require_simplified, tuple(sorted(credit.items())), course_secret(), srepr_of(expr))
    hit = RESULTS.get(key)
    if hit is None:
        before = volatile_count()
        hit = _verdict(ref, expr, "", lang, require_simplified, credit)
        if hit.verdict == "invalid" or volatile_count() != before:
            return dataclasses.replace(hit, answer=text)
        RESULTS.put(key, hit)
    return dataclasses.replace(hit, answer=text, diagnosis=list(hit.diagnosis),
                               counterexample=copy.deepcopy(hit.counterexample))


def _verdict(ref: Reference, expr, text: str, lang, require_simplified, credit) -> CheckResult:
    try:
        comparison = compare(conditioned(ref.expected), expr, (ref.var,))
    except INTERNAL_ERRORS:
        # Never crash a batch on one answer: not graded, with a clear message.
        return _invalid(text, "check.error", lang)
    if comparison.equal is None:
        return _invalid(text, "check.error" if comparison.method == "error" else "check.undecided", lang)
    expected_text = ref.text if lang == "en" else show(ref.expected, lang)  # the course's names in Russian too
    base = dict(expected=expected_text, expected_latex=ref.latex if lang == "en" else course_latex(ref.expected, lang),
                answer=text)
    if comparison.equal:
        if require_simplified and not _is_simplified(expr, ref.expected):
            score = credit.get("not-simplified", NOT_SIMPLIFIED_DEFAULT)
            return CheckResult("correct", score, ["not-simplified"], message("check.not-simplified", lang), **base)
        return CheckResult("correct", 1.0, [], message("check.correct", lang), **base)
    codes, sentence = diagnose(ref, expr, comparison, lang)
    score = max((credit.get(code, 0.0) for code in codes), default=0.0)
    ce = comparison.counterexample
    return CheckResult("incorrect", float(score), codes, " ".join([sentence, _counter_sentence(ce, lang)]).strip(),
                       counterexample=ce.to_dict() if ce else None, **base)


@lru_cache(maxsize=4096)   # one per reference: a worker of a randomised class holds hundreds
def conditioned(expected: sympy.Expr) -> sympy.Expr:
    """The reference in a form whose values can be computed: 1 - th^2 u is 1/ch^2 u exactly,
    but at u = e^9 it is 0 until 7000 digits, while 1/ch^2 u is resolved at once."""
    if not expected.has(sympy.tanh):
        return expected
    return _sech_squared(expected)


def _sech_squared(expr: sympy.Expr) -> sympy.Expr:
    """``expr.replace(1 - tanh(w)**2, 1/cosh(w)**2)`` without SymPy's pattern matcher (40 ms
    a tanh variant): bottom-up, every sum that is exactly 1 - tanh(u)^2 becomes 1/ch^2 u,
    which is what the pattern matches (not 2 - th^2, not 1 - th^2 + y, not 1 - 2 th^2)."""
    if not expr.args:
        return expr
    args = tuple(_sech_squared(a) for a in expr.args)
    if any(a is not b for a, b in zip(args, expr.args)):
        expr = expr.func(*args)
    if expr.is_Add and len(expr.args) == 2 and sympy.S.One in expr.args:
        other = expr.args[1] if expr.args[0] is sympy.S.One else expr.args[0]
        if (other.is_Mul and len(other.args) == 2 and other.args[0] is sympy.S.NegativeOne
                and other.args[1].is_Pow and other.args[1].exp == 2 and isinstance(other.args[1].base, sympy.tanh)):
            return 1 / sympy.cosh(other.args[1].base.args[0]) ** 2
    return expr


def _counter_sentence(ce, lang: str) -> str:
    if ce is None or ce.expected_value is None:
        return ""
    if ce.answer_value is None:
        return message("check.counterexample-undefined", lang, point=ce.show_point(), expected=_num(ce.expected_value))
    r, a = ce.expected_value, ce.answer_value
    gap = abs(a - r) / max(abs(a), abs(r))
    # Enough digits that the two numbers shown differ; a difference past 30 digits is named.
    digits = 6 if gap > 1e-5 else int(-mpmath.log10(gap)) + 3
    if digits > 30:
        return message("check.counterexample-tiny", lang, point=ce.show_point(), expected=_num(r),
                       difference=_num(a - r, 3))
    return message("check.counterexample", lang, point=ce.show_point(), expected=_num(r, digits),
                   answer=_num(a, digits))


def _is_simplified(answer: sympy.Expr, expected: sympy.Expr) -> bool:
    return sympy.count_ops(answer) <= min(sympy.count_ops(e) for e in _short_forms(expected)) + 1


@lru_cache(maxsize=4096)
def _short_forms(expected: sympy.Expr) -> tuple:
    """The derivative as given and as ``sympy.simplify`` gives it (if that finishes in time)."""
    start, expired = time.monotonic(), None
    try:
        with time_limit(SIMPLIFY_BUDGET) as expired:
            return (expected, sympy.simplify(expected))
    except TimeLimitExceeded as exc:
        if not own_timeout(exc, expired, start, SIMPLIFY_BUDGET):
            raise  # the check's own limit fired
        note_volatile()
        return (expected,)
