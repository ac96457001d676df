"""Why a line is wrong: which derivative it replaced badly, named by the mistake machinery.

A line usually replaces a derivative operator ``(g)'`` of the line before by
an expression R. The line before is linear in each operator P (the rules
produce sums of products), prev = A*P + B, so the student's replacement is the
function R = (line - B)/A, whatever else the line rearranged at the same time.
R is then checked as an answer for g' by the answer checker
(``derivtutor.checking.checker``): its mistake generator names the slip --
"the derivative of 1 + e^-x is -e^(-x), not e^(-x). You forgot to multiply by
the derivative of the inner function -x".

Operators the line keeps (the same operand again) are not candidates.
"""
from __future__ import annotations

import sympy

from derivtutor.catalogue import message
from derivtutor.checking.checker import INTERNAL_ERRORS, diagnose, reference
from derivtutor.checking.equivalence import compare
from derivtutor.checking.mistakes import CODES
from derivtutor.derivation.terms import Reader, Written
from derivtutor.render.text import course_str

#: The rule slips a replacement can be diagnosed with (not "wrong variable": that is another story).
RULE_CODES = frozenset(CODES)
MAX_SHOWN = 120   # characters: a longer "replacement" is not something the student wrote


def replaced_operator(reader: Reader, before: Written, after: Written, after_value: sympy.Expr,
                      line: int, lang: str):
    """(codes, sentence) for the first operator of ``before`` that ``after`` replaced wrongly, or None."""
    kept = {(reader.operand_value(op), op.var) for op in after.operators.values() if op.kind != "function"}
    for symbol, op in before.operators.items():
        if op.kind == "function" or op.var in reader.raw:
            continue  # σ'(q) is a table value, dz/dq a link of a chain: no rule tree to diagnose
        operand = reader.operand_value(op)
        if (operand, op.var) in kept:
            continue
        try:
            found = _diagnose_one(reader, before, symbol, op, operand, after_value, lang)
        except INTERNAL_ERRORS:
            continue
        if found:
            codes, right, wrong, sentence = found
            return codes, message("derivation.step-mistake", lang, line=line, operand=course_str(operand, lang),
                                  right=right, wrong=wrong, mistake=sentence)
    return None


def _diagnose_one(reader: Reader, before: Written, symbol, op, operand, after_value, lang):
    slope = sympy.diff(before.expr, symbol)
    if slope == 0 or slope.has(symbol):
        return None  # not linear in this operator: no single replacement to name
    others = {s: reader.operator_value(o) for s, o in before.operators.items() if s != symbol}
    slope = reader.expand(slope.xreplace(others))
    rest = reader.expand(before.expr.xreplace({symbol: sympy.Integer(0)}).xreplace(others))
    replacement = (after_value - rest) / slope if slope != 1 else after_value - rest
    ref = reference(operand, op.var, None)
    comparison = compare(ref.expected, replacement, (op.var,))
    if comparison.equal is not False:
        return None  # this operator was replaced correctly (or we cannot tell)
    if compare(sympy.Integer(1), replacement, (op.var,)).equal:  # (g)' dropped: written as 1
        codes, sentence = ["missing-inner-derivative"], message(
            "check.mistake.forgot-inner", lang, inner=course_str(operand, lang),
            inner_derivative=course_str(ref.expected, lang))
    else:
        codes, sentence = diagnose(ref, replacement, comparison, lang)
    if not set(codes) & RULE_CODES or len(course_str(replacement, lang)) > MAX_SHOWN:
        return None  # no slip of this derivative's rules explains it
    return codes, course_str(ref.expected, lang), course_str(replacement, lang), sentence
