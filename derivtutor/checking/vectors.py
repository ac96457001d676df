"""Check a vector answer: the gradient of a function, one component at a time.

``check_gradient(function, answer, variables)`` splits the answer into its
components with the safe parser (``(a, b)``, ``[a, b]``, LaTeX ``pmatrix``, with or
without a ``\\nabla f =`` label; see ``derivtutor.input.split``) and checks each
component with ``check_answer`` -- the same equivalence engine and diagnosis as a
single derivative. A wrong component is also checked against the other partial
derivatives, to name two mistakes of their own: components swapped, and a
partial derivative taken with respect to the wrong variable.

Verdict: ``invalid`` when a component is invalid (never graded) or the number of
components is wrong; ``correct`` when every component is; else ``incorrect``
with the score the mean of the components' scores (or the ``partial_credit`` of a
whole-vector code such as ``components-swapped``, when that is higher).

>>> r = check_gradient("x^2 y", "(2xy, x^2)")
>>> r.verdict, [c.verdict for c in r.components]
('correct', ['correct', 'correct'])
>>> check_gradient("x^2 y", "(x^2, 2xy)").diagnosis
['components-swapped']
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import sympy

from derivtutor.catalogue import check_language, message
from derivtutor.checking.checker import CheckResult, check_answer
from derivtutor.input.parsing import ParseError, parse
from derivtutor.input.split import vector_parts

#: Beyond this many components the swapped / wrong-variable search is skipped (it is quadratic).
MAX_CROSS_CHECK = 6


@dataclass
class VectorCheckResult(CheckResult):
    """A CheckResult for a whole vector; ``components`` holds each component's CheckResult."""

    variables: tuple = ()
    components: list = field(default_factory=list)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["components"] = [{"variable": v, **c.to_dict()} for v, c in zip(self.variables, self.components)]
        return out


def check_gradient(function, answer: str, variables=None, *, syntax: str = "auto", lang: str = "en",
                   partial_credit: dict | None = None, timeout: float | None = 2.0) -> VectorCheckResult:
    """Check ``answer`` (text) as the gradient of ``function`` with respect to ``variables``.

    ``variables``: names (a list or "x,y"); default every symbol of the function, by name.
    Raises ParseError when the teacher's ``function`` is invalid.
    """
    check_language(lang)
    names = _names(variables)
    f = function if isinstance(function, sympy.Expr) else parse(str(function), "auto", names or None)
    names = names or tuple(sorted(s.name for s in f.free_symbols))
    try:
        parts = vector_parts(str(answer))
    except ParseError as err:
        return _invalid(names, answer, err.code, err.render(lang), err.position)
    empty = next((p for p in parts if not p.text.strip()), None)
    if empty is not None:  # (a,, b): an empty entry is a typing slip, not a vector of another length
        return _invalid(names, answer, "parse.vector-empty", message("parse.vector-empty", lang), empty.start)
    if len(parts) != len(names):
        text = message("check.vector.wrong-length", lang, got=len(parts), expected=len(names), vars=", ".join(names))
        return _invalid(names, answer, "check.vector.wrong-length", text)
    options = dict(syntax=syntax, lang=lang, partial_credit=partial_credit, timeout=timeout)
    results = [_component(f, part, x, options) for part, x in zip(parts, names)]
    return _combine(f, parts, names, results, answer, options)


def _names(variables) -> tuple[str, ...]:
    if variables is None:
        return ()
    if isinstance(variables, str):
        variables = variables.split(",")
    return tuple(str(v).strip() for v in variables)


def _component(f, part, x: str, options) -> CheckResult:
    result = check_answer(f, part.text, x, **options)
    if result.position is not None:
        result = dataclasses.replace(result, position=result.position + part.start)
    return result


def _invalid(names, answer, code: str, text: str, position=None) -> VectorCheckResult:
    return VectorCheckResult("invalid", None, [code], text, answer=str(answer), position=position,
                             variables=tuple(names))


def _combine(f, parts, names, results, answer, options) -> VectorCheckResult:
    lang = options["lang"]
    base = dict(answer=str(answer), variables=tuple(names), components=results,
                expected="(" + ", ".join(r.expected or "" for r in results) + ")",
                expected_latex="\\begin{pmatrix} " + " \\\\ ".join(r.expected_latex or "" for r in results)
                + " \\end{pmatrix}")
    for k, r in enumerate(results):
        if r.verdict == "invalid":
            text = message("check.vector.component", lang, index=k + 1, var=names[k], message=r.message)
            return VectorCheckResult("invalid", None, list(r.diagnosis), text, position=r.position,
                                     **{**base, "expected": None, "expected_latex": None})
    wrong = [k for k, r in enumerate(results) if r.verdict == "incorrect"]
    score = sum(r.score or 0.0 for r in results) / len(results)
    if not wrong:
        codes = sorted({c for r in results for c in r.diagnosis})
        return VectorCheckResult("correct", score, codes, message("check.vector.correct", lang), **base)
    codes, sentences = _cross_diagnosis(f, parts, names, results, wrong, options)
    # A whole-vector mistake (components swapped) may carry its own partial credit.
    score = max([score] + [float((options["partial_credit"] or {}).get(code, 0.0)) for code in codes])
    summary = message("check.vector.incorrect", lang, count=len(wrong), total=len(results))
    first = results[wrong[0]]
    return VectorCheckResult("incorrect", score, codes, " ".join([summary, *sentences]),
                             counterexample=first.counterexample, **base)


def _cross_diagnosis(f, parts, names, results, wrong, options):
    """Diagnosis codes and one sentence per wrong component (swaps and wrong variables named)."""
    lang = options["lang"]
    matches = {}
    if len(names) <= MAX_CROSS_CHECK:
        for k in wrong:
            for j, other in enumerate(names):
                if j != k and check_answer(f, parts[k].text, other, **options).verdict == "correct":
                    matches[k] = j
                    break
    codes, sentences = [], []
    for k in wrong:
        j = matches.get(k)
        if j is not None and matches.get(j) == k:
            codes.append("components-swapped")
            if k < j:
                sentences.append(message("check.vector.swapped", lang, i=k + 1, j=j + 1))
            continue
        if j is not None:
            codes.append("wrong-partial")
            why = message("check.vector.wrong-partial", lang, got=names[j], var=names[k])
        else:
            codes.extend(results[k].diagnosis)
            why = results[k].message
        sentences.append(message("check.vector.component", lang, index=k + 1, var=names[k], message=why))
    return list(dict.fromkeys(codes)), sentences
