"""Diagnosis of a wrong derivative: which mistake of the rule tree the answer matches.

``diagnose(ref, answer, comparison, lang)`` tries, in order, the mistakes that the rule
tree generates (``checking.mistakes``), a constant factor, an antiderivative given
instead of the derivative, and a partial taken with respect to another variable; each
match gives its codes and a sentence from the catalogue.
"""
from __future__ import annotations

from functools import lru_cache

import numpy
import sympy

from derivtutor.catalogue import message
from derivtutor.checking.equivalence import (
    Comparison, answer_values, compare, constant_ratio, probably_equal, reference_samples, simple_fraction,
    variables_of,
)
from derivtutor.checking.memo import volatile_error
from derivtutor.checking.mistakes import show
from derivtutor.checking.slope import slope_matches

#: Failures of SymPy or mpmath on an odd expression: they make a check "invalid"
#: (check.error) or skip one diagnosis, and never escape check_answer.
INTERNAL_ERRORS = (Exception,)


def show_value(value, digits: int = 6) -> str:
    """A number as the student reads it (complex parts with i)."""
    from derivtutor.checking.numeric import show_number

    return show_number(value, digits).replace("j", "i")


def diagnose(ref, answer: sympy.Expr, comparison: Comparison, lang: str) -> tuple[list[str], str]:
    """Diagnosis codes and the message for a wrong ``answer`` (see ``derivtutor.checking.mistakes``)."""
    # The rule-tree slips name the exact piece; integrating is a more telling story than
    # the bare "a constant factor is wrong" (x^4/4 for x^3 is both).
    for attempt in (_tree_mistake, _integrated, _fallback, _wrong_variable):
        try:
            found = attempt(ref, answer, lang)
        except INTERNAL_ERRORS as exc:  # a diagnosis that cannot be computed is skipped, not fatal
            volatile_error(exc)
            continue
        if found:
            return found
    return [], message("check.incorrect", lang)


@lru_cache(maxsize=64)
def _same_points(ref, answer: sympy.Expr):
    """Samples and answer values when the answer uses no symbol the reference lacks.

    Cached (a few entries): the rule-tree match and the constant-factor test of one
    diagnosis both need them, and an mpmath answer costs a 30-digit value per point.
    """
    variables = variables_of(ref.expected, extra=(ref.var,))
    if not answer.free_symbols <= set(variables):
        return None, None
    samples = reference_samples(ref.expected, variables)
    return samples, answer_values(samples, answer)


def _tree_mistake(ref, answer, lang):
    if not ref.from_rules or ref.function is None:
        return None
    from derivtutor.checking.mistakes import candidates

    samples, values = _same_points(ref, answer)
    if samples is None:
        return None
    matched = [m for m in candidates(ref.function, ref.var)
               if _matches(values, _candidate_values(ref.expected, samples.variables, m.expr))]
    if not matched:
        return None
    codes = [code for m in matched for code in m.codes]
    # Name the whole-answer pattern too: a slip that flips the sign of everything is also
    # a sign-error, one that scales it a constant-factor (partial credit may target either).
    extra = _fallback(ref, answer, lang)
    codes += extra[0] if extra else []
    return list(dict.fromkeys(codes)), message(f"check.mistake.{matched[0].key}", lang,
                                                    **{k: show(v, lang) if isinstance(v, sympy.Expr) else v
                                                       for k, v in matched[0].fields})


@lru_cache(maxsize=4096)
def _candidate_values(expected, variables, expr):
    """A mistake candidate at the reference's sample points (cached per exercise)."""
    return answer_values(reference_samples(expected, variables), expr)


def _matches(values, other) -> bool:
    """The answer's values equal a candidate's at every point where both are defined (>= 8)."""
    from derivtutor.checking.equivalence import MIN_POINTS
    from derivtutor.checking.numeric import float_close

    both = numpy.isfinite(values) & numpy.isfinite(other)
    return int(both.sum()) >= MIN_POINTS and bool(numpy.all(float_close(values[both], other[both])))


def _fallback(ref, answer, lang):
    samples, values = _same_points(ref, answer)
    if samples is None:
        return None
    ratio = constant_ratio(samples, values)
    if ratio is None:
        return None
    if abs(ratio + 1) <= 1e-9:
        return ["sign-error"], message("check.mistake.fallback-sign", lang)
    fraction = simple_fraction(ratio)
    if abs(ratio) <= 1e-9 or abs(ratio - 1) <= 1e-6 or fraction in (0, 1):
        return None  # "0 times" or "1 times the derivative" says nothing true
    factor = str(fraction) if fraction is not None else show_value(ratio)
    return ["constant-factor"], message("check.mistake.fallback-constant", lang, factor=factor)


def _integrated(ref, answer, lang):
    if ref.function is None or ref.var not in answer.free_symbols or not _slope_matches(ref, answer):
        return None
    derivative = real_diff(answer, ref.var)
    if derivative.has(sympy.Derivative):
        return None
    if (probably_equal(ref.function, derivative, (ref.var,))
            and compare(ref.function, derivative, (ref.var,)).equal):
        return ["integrated-instead"], message("check.mistake.integrated-instead", lang,
                                               function=show(ref.function, lang))
    return None


def _slope_matches(ref, answer) -> bool:
    """The cheap screen before SymPy differentiates the answer (``checking.slope``): False
    only when central differences of the answer clearly miss the function, also when
    either has parameters besides the variable (tanh(w x), a^x, x^n).

    >>> import sympy
    >>> from derivtutor.checking.checker import reference
    >>> x = sympy.Symbol("x")
    >>> ref = reference(sympy.sin(x), x, None)
    >>> _slope_matches(ref, -sympy.cos(x) + sympy.Rational(1, 10**50)), _slope_matches(ref, sympy.cos(x))
    (True, False)
    """
    return slope_matches(ref.function, answer, ref.var)


def real_diff(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """d expr / d var with every letter real, so that |x|' is sign(x), not a Derivative of re(x)."""
    real = {s: sympy.Dummy(s.name, real=True) for s in expr.free_symbols}
    back = {d: s for s, d in real.items()}
    return sympy.diff(expr.xreplace(real), real.get(var, var)).xreplace(back)


def _wrong_variable(ref, answer, lang):
    known = (ref.function if ref.function is not None else ref.expected).free_symbols | {ref.var}
    strangers = sorted(answer.free_symbols - known, key=lambda s: s.name)
    if not strangers:
        return None
    got = ", ".join(s.name for s in strangers)
    if ref.var in answer.free_symbols:
        return ["wrong-variable"], message("check.extra-symbol", lang, got=got)
    if len(strangers) == 1:
        renamed = answer.xreplace({strangers[0]: ref.var})
        if compare(ref.expected, renamed, (ref.var,)).equal:
            return ["wrong-variable"], message("check.wrong-variable-renamed", lang, got=got, var=ref.var.name)
    return ["wrong-variable"], message("check.wrong-variable", lang, got=got, var=ref.var.name)
