"""A term of a derivation, parsed: operators as placeholder symbols, the rest by the safe parser.

Each derivative operator found by ``derivtutor.derivation.operators`` is cut out
of the text and replaced by a placeholder symbol in brackets; its operand is
read the same way (operators may nest). What is left goes to
``derivtutor.input.parsing.parse`` -- student text never reaches eval or
sympify. A parser error is mapped back to the column in the line as written.

``value()`` evaluates the operators with the step engine
(``derivtutor.steps.engine.derive``), falling back to ``sympy.diff``, and then
substitutes the exercise's definitions (z = sigma(q), ...).

>>> import sympy
>>> reader = Reader(sympy.Symbol("x"), function=sympy.parse_expr("1/(1+exp(-x))"))
>>> w = reader.term("-1/(1+e^-x)^2 * (1+e^-x)'", 0)
>>> [op.kind for op in w.operators.values()], reader.value(w)
(['diff'], exp(-x)/(1 + exp(-x))**2)
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import sympy

from derivtutor.derivation.operators import Occurrence, occurrences
from derivtutor.input.errors import ParseError
from derivtutor.input.parsing import detect_syntax, parse
from derivtutor.input.vocabulary import FUNCTIONS

PLACEHOLDER_BASE = 9900   # placeholders are Q9900, Q9901, ...: far from names students type


@dataclass(frozen=True)
class Operator:
    """A derivative as written: of ``operand`` (a Written) or of a named quantity, by ``var``."""

    kind: str                  # diff | named | function
    var: sympy.Symbol
    text: str
    operand: "Written | None" = None
    name: str | None = None    # the quantity (named) or the canonical function (function)


@dataclass(frozen=True)
class Written:
    """A term as the student wrote it: ``expr`` with placeholder symbols for ``operators``."""

    expr: sympy.Expr
    operators: dict            # placeholder Symbol -> Operator
    text: str


class Reader:
    """Reads the terms of one derivation (shared placeholders, variable, definitions)."""

    def __init__(self, var: sympy.Symbol, function: sympy.Expr, definitions: dict | None = None,
                 names: tuple[str, ...] = (), syntax: str = "auto", raw: dict | None = None,
                 raw_function: sympy.Expr | None = None):
        self.var, self.function, self.syntax = var, function, syntax
        self.definitions = dict(definitions or {})
        # The definitions as written (z = sigma(q)), for derivatives by an intermediate: dz/dq.
        self.raw = dict(raw or {})
        self.raw_function = function if raw_function is None else raw_function
        self.names = tuple(names) + tuple(s.name for s in self.definitions) + (var.name,)
        self._counter = itertools.count(PLACEHOLDER_BASE)

    def line_syntax(self, line: str) -> str:
        return detect_syntax(line) if self.syntax == "auto" else self.syntax

    def term(self, text: str, offset: int, syntax: str | None = None) -> Written:
        """Parse one term; ParseError positions are columns of the line (``offset`` = where it starts)."""
        # Each piece is read in its own syntax when auto: (tg x^2)' in a LaTeX line is plain text.
        syntax = self.line_syntax(text) if self.syntax == "auto" or syntax is None else syntax
        if not text.strip():
            raise ParseError("derivation.empty-term", offset)
        try:
            found = occurrences(text)
        except ParseError as exc:
            raise _moved(exc, offset) from None
        operators, pieces, segments, at = {}, [], [], 0
        for occ in found:
            symbol = sympy.Symbol(f"Q{next(self._counter)}")
            operators[symbol] = self._operator(text, occ, offset, syntax)
            pieces.append(text[at:occ.start])
            segments.append((sum(map(len, pieces[:-1])), at, False))
            holder = f"(Q_{{{symbol.name[1:]}}})" if syntax == "latex" else f"(Q_{symbol.name[1:]})"
            if _factor_before(text[:occ.start]):
                holder = "*" + holder  # arctg x^3 (g)' is arctg(x^3) times (g)', not arctg(x^3 (g)')
            segments.append((sum(map(len, pieces)), occ.start, True))
            pieces.append(holder)
            at = occ.end
        segments.append((sum(map(len, pieces)), at, False))
        pieces.append(text[at:])
        rewritten = "".join(pieces)
        names = self.names + tuple(s.name for s in operators)
        try:
            expr = parse(rewritten, syntax, names)
        except ParseError as exc:
            raise _moved(exc, offset, segments) from None
        return Written(expr, operators, text)

    def _operator(self, text: str, occ: Occurrence, offset: int, syntax: str) -> Operator:
        var = sympy.Symbol(occ.var) if occ.var else self.var
        written = text[occ.start:occ.end]
        if occ.kind == "named":
            return Operator("named", var, written, name=self._quantity(occ.name, offset + occ.start))
        start, end = occ.operand
        inner = self.term(text[start:end], offset + start, syntax)
        return Operator(occ.kind, var, written, inner, occ.name)

    def _quantity(self, name: str, position: int) -> str:
        try:
            symbol = parse(name, "latex" if name.startswith("\\") else "plain", self.names)
        except ParseError:
            raise ParseError("derivation.bad-name", position, name=name) from None
        if not symbol.is_Symbol:
            raise ParseError("derivation.bad-name", position, name=name)
        return symbol.name

    # --- evaluation -------------------------------------------------------------------

    def value(self, written: Written) -> sympy.Expr:
        """The term as a function: operators evaluated, definitions substituted."""
        values = {symbol: self.operator_value(op) for symbol, op in written.operators.items()}
        return self.expand(written.expr.xreplace(values))

    def expand(self, expr: sympy.Expr) -> sympy.Expr:
        return expr.xreplace(self.definitions) if self.definitions else expr

    def operand_value(self, op: Operator) -> sympy.Expr:
        """What ``op`` differentiates, as a function of the variables."""
        if op.kind == "named":
            symbol = sympy.Symbol(op.name)
            if symbol in self.definitions:
                return self.definitions[symbol]
            known = self.function.free_symbols | {self.var}
            return symbol if symbol in known else self.function
        return self.value(op.operand)

    def operator_value(self, op: Operator) -> sympy.Expr:
        if op.kind == "function":
            u = sympy.Dummy("u")
            outer = FUNCTIONS[op.name][0](u)
            return differentiate(outer, u).xreplace({u: self.value(op.operand)})
        if op.var in self.raw:  # by an intermediate quantity: dE/dp with E written down to p
            return self.expand(differentiate(self._operand_keeping(op), op.var))
        return differentiate(self.operand_value(op), op.var)

    def _operand_keeping(self, op: Operator) -> sympy.Expr:
        if op.kind == "named":
            symbol = sympy.Symbol(op.name)
            known = self.function.free_symbols | {self.var} | set(self.raw)
            base = self.raw.get(symbol, symbol if symbol in known else self.raw_function)
        else:
            values = {s: self.operator_value(o) for s, o in op.operand.operators.items()}
            base = op.operand.expr.xreplace(values)
        return self.expand_keeping(base, op.var)

    def expand_keeping(self, expr: sympy.Expr, keep: sympy.Symbol) -> sympy.Expr:
        """The definitions substituted, all but ``keep``: z = sigma(U y + u) kept in terms of y."""
        others = {s: d for s, d in self.raw.items() if s != keep}
        for _ in range(len(others) + 1):
            expr, before = expr.xreplace(others), expr
            if expr == before:
                break
        return expr


def differentiate(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """d expr / d var by the step engine (the course's rules), else by sympy.diff."""
    from derivtutor.checking.checker import INTERNAL_ERRORS, real_diff
    from derivtutor.steps.engine import derive

    try:
        result = derive(expr, var).eval()
    except INTERNAL_ERRORS:
        result = None
    if result is None or result.has(sympy.Derivative):
        result = real_diff(expr, var)
    return result


def _factor_before(text: str) -> bool:
    """Whether an operator right after ``text`` multiplies what comes before it."""
    text = text.rstrip()
    return bool(text) and text[-1] not in "([{+-*/^=," and not re.search(r"\\(?:cdot|times|left)$", text)


def _moved(exc: ParseError, offset: int, segments=()) -> ParseError:
    """The same error with its position as a column of the line."""
    position = exc.position
    if position is None:
        position = 0
    else:
        for new_start, old_start, placeholder in reversed(segments):
            if position >= new_start:
                position = old_start if placeholder else old_start + position - new_start
                break
    return ParseError(exc.code, offset + position, **exc.fields)

