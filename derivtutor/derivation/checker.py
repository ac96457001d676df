"""Check a whole derivation line by line and name the first wrong step.

``check_derivation(function_or_exercise, text, var)`` reads the lines
(``reading``), parses every term with its derivative operators (``terms``) and
then, with the answer checker's sound equivalence
(``derivtutor.checking.equivalence.compare``):

- the first line's left side must be the derivative asked for (it must contain
  a derivative operator, and equal d function / d var);
- every term must equal the one before it as a function, operators evaluated.
  Lines after the first error are still compared with each other;
- the last term (the final answer) must be free of operators, equal the
  expected derivative (or an identity's ``target``) and use the functions in
  ``must_use``.

A wrong line that replaced an operator badly is diagnosed by the mistake
generator (``diagnosis``); every wrong line gets a counterexample. An invalid
line makes the derivation ``invalid`` (never graded), with line and column.
Each comparison has ``line_timeout`` seconds, the whole check ``timeout``
(default 2 s + 0.5 s per line); running out is ``check.undecided``, never
"correct".

Score: 1 when correct; otherwise ``prefix_credit`` times the share of lines
before the first wrong one, plus ``answer_credit`` when the final answer is
right all the same.

>>> r = check_derivation("x sin x", "(x sin x)' = (x)' sin x + x (sin x)'\\n= sin x + x cos x")
>>> r.verdict, [line.verdict for line in r.lines]
('correct', ['correct', 'correct'])
>>> r = check_derivation("sin(x^2)", "(sin(x^2))' = cos(x^2) (x^2)'\\n= cos(x^2) x")
>>> r.verdict, r.first_error, r.lines[1].diagnosis
('incorrect', 2, ['constant-factor', 'power-rule'])
"""
from __future__ import annotations

import re
import time
from functools import lru_cache

import sympy

from derivtutor.budget import TimeLimitExceeded, time_limit
from derivtutor.catalogue import check_language, message
from derivtutor.checking.checker import INTERNAL_ERRORS
from derivtutor.checking.equivalence import compare, own_timeout
from derivtutor.checking.numeric import show_number
from derivtutor.derivation.diagnosis import replaced_operator
from derivtutor.derivation.reading import MAX_LINES, read_lines
from derivtutor.derivation.result import DerivationResult, LineResult
from derivtutor.derivation.terms import Reader, differentiate
from derivtutor.input.errors import ParseError
from derivtutor.input.parsing import parse
from derivtutor.render.text import course_str

BASE_SECONDS, PER_LINE_SECONDS, LINE_SECONDS = 2.0, 0.5, 2.0
DIAGNOSIS_SECONDS = 1.0   # naming the slip of a wrong line is a bonus: it may not eat the budget
PREFIX_CREDIT, ANSWER_CREDIT = 0.5, 0.5
_VAR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
_NAME_ONLY = re.compile(r"\\?[A-Za-zσ]+(?:_\{?\w+\}?)?\s*(?:\(\s*[A-Za-z]\w*\s*\))?$")


def check_derivation(function_or_exercise, text: str, var: str = "x", *, target=None, must_use=(),
                     definitions=None, syntax: str = "auto", lang: str = "en", timeout: float | None = None,
                     line_timeout: float = LINE_SECONDS, prefix_credit: float = PREFIX_CREDIT,
                     answer_credit: float = ANSWER_CREDIT) -> DerivationResult:
    """Check ``text``, a derivation of d(function)/d(var), and return a DerivationResult.

    ``function_or_exercise`` is the function (text or SymPy) or an exercise of kind
    ``derivation`` (its ``function``, ``variable``, ``target``, ``must_use`` and
    ``definitions`` fields are used). ``definitions`` maps names to formulas the
    lines may use (``{"q": "U*y + u", "z": "sigmoid(q)"}``, earlier names usable in
    later ones). Raises ParseError for the teacher's invalid texts only.
    """
    check_language(lang)
    if hasattr(function_or_exercise, "get") and not isinstance(function_or_exercise, (str, sympy.Basic)):
        ex = function_or_exercise
        function_or_exercise, var = ex.get("function"), ex.get("variable", var)
        target, must_use = ex.get("target", target), ex.get("must_use", must_use) or ()
        definitions = ex.get("definitions", definitions)
    if not _VAR_NAME.match(var):
        raise ValueError(f"invalid variable name {var!r}")
    x = sympy.Symbol(var)
    defs = expand_definitions(definitions or {}, var)
    raw = {s: _teacher(f, var, {s: s for s in defs}) for s, f in _items(definitions or {})}
    function = _teacher(function_or_exercise, var, defs)
    names = tuple(sorted({s.name for s in function.free_symbols}))
    reader = Reader(x, function, defs, names, syntax, raw, _teacher(function_or_exercise, var, {s: s for s in defs}))
    job = _Job(reader, function, x, lang, line_timeout)
    job.expected = _teacher(target, var, defs) if target is not None else differentiate(function, x)
    job.must_use = tuple(must_use)
    return job.run(text, timeout, prefix_credit, answer_credit)


def _items(definitions):
    items = definitions.items() if hasattr(definitions, "items") else definitions
    return [(sympy.Symbol(str(name)), formula) for name, formula in items]


def expand_definitions(definitions, var: str) -> dict:
    """name -> formula (teacher's text), each with the earlier names substituted."""
    out: dict = {}
    for name, formula in _items(definitions):
        expr = formula if isinstance(formula, sympy.Basic) else _parse_teacher(str(formula), (var, *map(str, out)))
        out[sympy.Symbol(str(name))] = expr.xreplace(out)
    return out


def _teacher(value, var: str, defs: dict) -> sympy.Expr:
    expr = value if isinstance(value, sympy.Basic) else _parse_teacher(str(value), (var, *(s.name for s in defs)))
    return expr.xreplace(defs)


@lru_cache(maxsize=256)
def _parse_teacher(text: str, names: tuple) -> sympy.Expr:
    return parse(text, "auto", names)


class _Job:
    """One check: the reader, the reference and the per-line results as they are found."""

    def __init__(self, reader: Reader, function, var, lang: str, line_timeout: float):
        self.reader, self.function, self.var, self.lang = reader, function, var, lang
        self.line_timeout = line_timeout
        self.expected, self.must_use = None, ()
        self.asked = f"({course_str(function, lang)})'" if var.name == "x" else \
            f"d/d{var.name} ({course_str(function, lang)})"

    def run(self, text: str, timeout, prefix_credit, answer_credit) -> DerivationResult:
        lines = read_lines(text) if isinstance(text, str) else []
        if not lines or len(lines) > MAX_LINES:
            code = "derivation.empty" if not lines else "derivation.too-many-lines"
            return self._result("invalid", [], [code], message(code, self.lang, limit=MAX_LINES))
        results = [LineResult(line.number, line.text.strip()) for line in lines]
        seconds = timeout if timeout is not None else BASE_SECONDS + PER_LINE_SECONDS * len(lines)
        start, expired = time.monotonic(), None
        try:
            with time_limit(seconds) as expired:
                chain = self._read(lines, results)
                invalid = [r for r in results if r.verdict == "invalid"]
                if invalid:
                    return self._invalid(results, invalid[0])
                return self._grade(chain, results, prefix_credit, answer_credit)
        except TimeLimitExceeded as exc:
            if not own_timeout(exc, expired, start, seconds):
                raise
            for r in results:
                if r.verdict == "unchecked":
                    r.verdict, r.diagnosis = "undecided", ["check.undecided"]
            return self._result("invalid", results, ["check.undecided"], message("check.undecided", self.lang))

    def _invalid(self, results, first: LineResult) -> DerivationResult:
        text = message("derivation.invalid", self.lang, line=first.line, column=first.column,
                       reason=first.message.split(": ", 1)[-1])
        return self._result("invalid", results, [first.diagnosis[0]], text)

    def _read(self, lines, results) -> list[tuple[int, object]]:
        """(line index, Written) for every term in order; invalid lines are marked in ``results``."""
        chain = []
        for i, line in enumerate(lines):
            try:
                if not line.equals:
                    raise ParseError("derivation.no-equals", 0)
                if i == 0 and line.continued:
                    raise ParseError("derivation.first-continued", line.equals[0])
                syntax = self.reader.line_syntax(line.text)
                terms = [self.reader.term(t.text, t.offset, syntax) for t in line.terms]
                results[i].terms, results[i].continued = tuple(terms), line.continued
                chain += [(i, w) for w in terms]
            except ParseError as exc:
                column = (exc.position or 0) + 1 - (len(line.text) - len(line.text.lstrip()))
                r = results[i]
                r.verdict, r.diagnosis, r.column = "invalid", [exc.code], max(1, column)
                r.message = message("derivation.invalid-line", self.lang, line=line.number, column=r.column,
                                    reason=exc.render(self.lang))
        return chain

    def _grade(self, chain, results, prefix_credit, answer_credit) -> DerivationResult:
        if self._is_statement(chain, results):  # y = tg x^2 first, then y' = ...
            results[0].verdict, results[0].message = "correct", message("derivation.statement", self.lang)
            chain = [(i, w) for i, w in chain if i > 0]
        values = [self.reader.value(w) for _, w in chain]
        self._check_start(chain[0][1], values[0], results[0])
        for k in range(1, len(chain)):
            line = chain[k][0]
            if results[line].verdict == "incorrect":
                continue  # this line is already wrong: one reason is enough
            self._check_step(chain[k - 1][1], values[k - 1], chain[k][1], values[k], results[line])
        for r in results:
            if r.verdict == "unchecked":
                r.verdict, r.message = "correct", r.message or message("derivation.step-ok", self.lang)
        return self._conclude(chain[-1][1], values[-1], results, prefix_credit, answer_credit)

    def _is_statement(self, chain, results) -> bool:
        """The first line names the function (``y = ...``, ``f(x) = ...``) and the derivation follows."""
        first = [w for i, w in chain if i == 0]
        if len(results) < 2 or len(first) < 2 or not _NAME_ONLY.match(first[0].text):
            return False
        if any(w.operators for w in first):
            return False
        return all(self._equal(self.function, self.reader.value(w)) for w in first[1:])

    def _equal(self, a, b) -> bool:
        comparison = self._compare(a, b)
        return comparison is not None and comparison.equal is True

    def _compare(self, before, after):
        start, expired = time.monotonic(), None
        try:
            with time_limit(self.line_timeout) as expired:
                return compare(before, after, (self.var,))
        except TimeLimitExceeded as exc:
            if not own_timeout(exc, expired, start, self.line_timeout):
                raise
        except INTERNAL_ERRORS:
            pass
        return None

    def _check_start(self, written, value, result: LineResult) -> None:
        if not written.operators:
            result.verdict, result.diagnosis = "incorrect", ["derivation.start-no-operator"]
            result.message = message("derivation.start-no-operator", self.lang, line=result.line, asked=self.asked)
            return
        comparison = self._compare(differentiate(self.function, self.var), value)
        if comparison is None or comparison.equal is None:
            result.verdict, result.diagnosis = "undecided", ["check.undecided"]
            result.message = message("derivation.step-undecided", self.lang, line=result.line)
        elif comparison.equal is False:
            self._wrong(result, comparison, ["derivation.wrong-start"],
                        message("derivation.wrong-start", self.lang, line=result.line, asked=self.asked))
        elif not result.message:
            result.message = message("derivation.start-ok", self.lang)

    def _check_step(self, before, before_value, after, after_value, result: LineResult) -> None:
        comparison = self._compare(before_value, after_value)
        if comparison is None or comparison.equal is None:
            if result.verdict != "incorrect":
                result.verdict, result.diagnosis = "undecided", ["check.undecided"]
                result.message = message("derivation.step-undecided", self.lang, line=result.line)
            return
        if comparison.equal:
            return
        found = self._diagnose(before, after, after_value, result.line)
        codes, sentence = found or (["derivation.step-wrong"], message("derivation.step-wrong", self.lang,
                                                                       line=result.line))
        self._wrong(result, comparison, codes, sentence)

    def _diagnose(self, before, after, after_value, line: int):
        start, expired = time.monotonic(), None
        try:
            with time_limit(min(self.line_timeout, DIAGNOSIS_SECONDS)) as expired:
                return replaced_operator(self.reader, before, after, after_value, line, self.lang)
        except TimeLimitExceeded as exc:
            if not own_timeout(exc, expired, start, min(self.line_timeout, DIAGNOSIS_SECONDS)):
                raise
        except INTERNAL_ERRORS:
            pass
        return None

    def _wrong(self, result: LineResult, comparison, codes, sentence: str) -> None:
        ce = comparison.counterexample
        result.verdict, result.diagnosis = "incorrect", list(codes)
        result.message = " ".join(p for p in (sentence, self._counter_sentence(ce, result.line)) if p)
        result.counterexample = ce.to_dict() if ce else {}

    def _counter_sentence(self, ce, line: int) -> str:
        if ce is None or ce.expected_value is None:
            return ""
        fields = dict(point=ce.show_point(), expected=show_number(ce.expected_value, 6), line=line)
        if ce.answer_value is None:
            return message("derivation.counterexample-undefined", self.lang, **fields)
        return message("derivation.counterexample", self.lang, answer=show_number(ce.answer_value, 6), **fields)

    def _conclude(self, last, last_value, results, prefix_credit, answer_credit) -> DerivationResult:
        first_error = next((r.line for r in results if r.verdict == "incorrect"), None)
        undecided = next((r.line for r in results if r.verdict == "undecided"), None)
        if undecided is not None and (first_error is None or undecided < first_error):
            return self._result("invalid", results, ["check.undecided"], message("check.undecided", self.lang),
                                last=last)
        final = self._final(last, last_value)
        if final is None:
            return self._result("invalid", results, ["check.undecided"], message("check.undecided", self.lang),
                                last=last)
        right, code, reason = final
        if first_error is None and right:
            return self._result("correct", results, [], message("derivation.correct", self.lang), 1.0, last, True)
        correct_prefix = (first_error - 1) if first_error is not None else len(results)
        score = prefix_credit * correct_prefix / len(results) + (answer_credit if right else 0.0)
        parts = [message("derivation.first-error", self.lang, line=first_error)] if first_error else []
        parts.append(reason)
        codes = ([d for d in results[first_error - 1].diagnosis] if first_error else []) + ([code] if code else [])
        result = self._result("incorrect", results, codes, " ".join(parts), min(score, 1.0), last, right)
        result.first_error = first_error
        if first_error:
            result.counterexample = results[first_error - 1].counterexample
        return result

    def _final(self, last, value):
        """(right, code, sentence) for the final answer, or None when undecided."""
        if last.operators:
            return False, "derivation.unfinished", message("derivation.unfinished", self.lang)
        comparison = self._compare(self.expected, value)
        if comparison is None or comparison.equal is None:
            return None
        if not comparison.equal:
            return False, "derivation.final-wrong", message("derivation.final-wrong", self.lang,
                                                             expected=course_str(self.expected, self.lang))
        used = {type(f).__name__ for f in last.expr.atoms(sympy.Function)}
        missing = [name for name in self.must_use if name not in used]
        if missing:
            return False, "derivation.must-use", message("derivation.must-use", self.lang, names=", ".join(missing))
        return True, None, message("derivation.final-right", self.lang)

    def _result(self, verdict, results, codes, text, score=None, last=None, final=None) -> DerivationResult:
        return DerivationResult(
            verdict, score, None, results, answer=last.text if last is not None else None,
            expected=course_str(self.expected, self.lang) if self.expected is not None else None,
            diagnosis=list(codes), message=text, final_correct=final, asked=self.asked,
            expected_latex=sympy.latex(self.expected) if self.expected is not None else None)
