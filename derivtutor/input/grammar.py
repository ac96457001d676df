"""The grammar shared by plain-text and LaTeX input: tokens -> SymPy expression.

Precedence, loosest first::

    expr     := ['+'|'-'] term (('+'|'-') term)*
    term     := factor (('*'|'/') factor | factor)*        juxtaposition multiplies
    factor   := ('-'|'+') factor | power                   so -x^2 = -(x^2)
    power    := primary ['^' exponent]                      right-associative
    primary  := number | symbol | constant | function-application
              | '(' expr ')' | '{' expr '}' | '|' expr '|' | \\frac A B | \\sqrt[n] A

A function applies to a parenthesised argument (``cos(x^2)^2`` is (cos x^2)^2)
or, without parentheses, to the juxtaposed powers that follow up to the next
function or operator (``tg x^2`` is tg(x^2), ``sin x cos x`` is sin x * cos x).
A power written on the name applies to the value: ``cos^2 x`` is (cos x)^2,
and ``sin^-1 x`` is arcsin x.

Every node is built with SymPy's ordinary constructors from values the parser
made itself; sizes are bounded before anything big is computed.
"""
from __future__ import annotations

import math

import sympy

from derivtutor.input import vocabulary as V
from derivtutor.input.absolute import real_abs
from derivtutor.input.errors import ParseError
from derivtutor.input.lexing import Token

MAX_DEPTH = 100
MAX_TOWER = 3
MAX_NUMBER_BITS = 20_000
MAX_SYMBOLIC_EXPONENT = 10_000
MAX_NUMERIC_ARGUMENT = 1e6      # |a| for f(a) with a constant a
MAX_GROWING_ARGUMENT = 1e3      # ... when f grows like e^a
GROWING_FUNCTIONS = frozenset({"exp", "sinh", "cosh"})
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
_PRIMARY_START = {"num", "sym", "const", "func", "lp", "lb", "frac", "sqrt"}


class Grammar:
    """A recursive-descent parser over resolved tokens (see ``names.resolve``)."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.abs_depth = 0
        self.tower = 0

    # -- token helpers -------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def at_op(self, *ops: str) -> bool:
        t = self.peek()
        return t.kind == "op" and t.value in ops

    def expect(self, kind: str, code: str = "parse.expected-close") -> Token:
        t = self.peek()
        if t.kind != kind:
            raise ParseError(code, t.pos)
        return self.take()

    def starts_primary(self) -> bool:
        t = self.peek()
        return t.kind in _PRIMARY_START or (t.kind == "op" and t.value == "|" and self.abs_depth == 0)

    def deeper(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError("parse.too-deep", pos, limit=MAX_DEPTH)

    # -- entry ---------------------------------------------------------
    def parse(self) -> sympy.Expr:
        if self.peek().kind == "end":
            raise ParseError("parse.empty", 0)
        result = self.expr()
        t = self.peek()
        if t.kind != "end":
            raise _trailing_error(t)
        return result

    def expr(self) -> sympy.Expr:
        self.deeper(self.peek().pos)
        result = self.term()
        while self.at_op("+", "-"):
            op = self.take()
            right = self.term()
            result = guard(result + right if op.value == "+" else result - right, op.pos)
        self.depth -= 1
        return result

    def term(self) -> sympy.Expr:
        result = self.factor()
        while True:
            if self.at_op("*", "/"):
                op = self.take()
                right = self.factor()
                result = multiply(result, right, op.pos) if op.value == "*" else divide(result, right, op.pos)
            elif self.starts_primary():
                t = self.peek()
                if t.kind == "num" and self.peek(-1).kind == "num":
                    raise ParseError("parse.missing-operator", t.pos)
                result = multiply(result, self.juxtaposed(self.factor), t.pos)
            else:
                return result

    def factor(self) -> sympy.Expr:
        if self.at_op("-", "+"):
            op = self.take()
            self.deeper(op.pos)
            value = self.factor()
            self.depth -= 1
            return guard(-value, op.pos) if op.value == "-" else value
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.primary()
        if self.at_op("^"):
            op = self.take()
            return power(base, self.exponent(op.pos), op.pos)
        if self.at_op("!"):
            raise ParseError("parse.unsupported-operator", self.peek().pos, op="!")
        return base

    def exponent(self, pos: int) -> sympy.Expr:
        self.tower += 1
        if self.tower > MAX_TOWER:
            raise ParseError("parse.tower", pos, limit=MAX_TOWER)
        self.deeper(pos)
        if self.at_op("-", "+"):
            sign = self.take().value
            value = self.exponent(pos)
            value = -value if sign == "-" else value
        else:
            value = self.power()
        self.tower -= 1
        self.depth -= 1
        return value

    # -- primaries -----------------------------------------------------
    def primary(self) -> sympy.Expr:
        t = self.peek()
        handler = _PRIMARY_HANDLERS.get(t.kind)
        if handler is not None:
            return handler(self)
        if t.kind == "op" and t.value == "|":
            return self.absolute()
        raise _missing_operand(t)

    def number(self) -> sympy.Expr:
        return self.take().value

    def symbol(self) -> sympy.Expr:
        return sympy.Symbol(self.take().value)

    def constant(self) -> sympy.Expr:
        return self.take().value

    def parenthesised(self) -> sympy.Expr:
        open_ = self.take()
        inner = self.expr()
        if self.at_op(","):
            raise ParseError("parse.matrix" if open_.value == "[" else "parse.tuple", self.peek().pos)
        close = self.peek()
        if close.kind != "rp":
            raise ParseError("parse.expected-close", close.pos, char=")" if open_.value == "(" else "]")
        if (open_.value, close.value) not in (("(", ")"), ("[", "]")):
            raise ParseError("parse.mismatched", close.pos, open=open_.value, close=close.value)
        self.take()
        return inner

    def group(self) -> sympy.Expr:
        self.take()
        inner = self.expr()
        if self.at_op(","):
            raise ParseError("parse.set", self.peek().pos)
        if self.peek().kind != "rb":
            raise ParseError("parse.expected-close", self.peek().pos, char="}")
        self.take()
        return inner

    def absolute(self) -> sympy.Expr:
        open_ = self.take()
        self.abs_depth += 1
        inner = self.expr()
        self.abs_depth -= 1
        if not self.at_op("|"):
            raise ParseError("parse.expected-close", self.peek().pos, char="|")
        self.take()
        return guard(real_abs(inner), open_.pos)

    def frac(self) -> sympy.Expr:
        t = self.take()
        return divide(self.latex_argument(), self.latex_argument(), t.pos)

    def sqrt(self) -> sympy.Expr:
        t = self.take()
        index = None
        if self.peek().kind == "lp" and self.peek().value == "[":
            self.take()
            index = self.expr()
            if not (self.peek().kind == "rp" and self.peek().value == "]"):
                raise ParseError("parse.expected-close", self.peek().pos, char="]")
            self.take()
        radicand = self.latex_argument()
        if index is None:
            return guard(sympy.sqrt(radicand), t.pos)
        return power(radicand, divide(sympy.Integer(1), index, t.pos), t.pos)

    def latex_argument(self) -> sympy.Expr:
        """A braced group, or the single token LaTeX takes when there are no braces."""
        t = self.peek()
        if t.kind == "lb":
            return self.group()
        if t.kind in ("num", "sym", "const"):
            return self.primary()
        raise ParseError("parse.missing-argument", t.pos)

    # -- functions -----------------------------------------------------
    def function(self) -> sympy.Expr:
        t = self.take()
        name = t.value
        exponent = None
        if self.at_op("^"):
            op = self.take()
            exponent = self.exponent(op.pos)
        base = None
        if self.at_op("_"):  # only \log_a x has a subscript
            if name != "log":
                raise ParseError("parse.unexpected", self.peek().pos, text="_")
            self.take()
            base = self.latex_argument()
        args = self.function_arguments(t)
        if base is not None:
            args.append(base)
        if exponent == -1 and name in V.INVERSE_FUNCTIONS:
            name, exponent = V.INVERSE_FUNCTIONS[name], None
        elif exponent == -1 and name in V.NO_INVERSE:  # sin^-1 is arcsin, so coth^-1 is no reciprocal either
            raise ParseError("parse.inverse-ambiguous", t.pos)
        build, arities = V.FUNCTIONS[name]
        if len(args) not in arities:
            raise ParseError("parse.arity", t.pos, name=name, count=len(args))
        for arg in args:
            check_numeric_argument(name, arg, t.pos)
        value = guard(build(*args), t.pos)
        return value if exponent is None else power(value, exponent, t.pos)

    def function_arguments(self, func: Token) -> list:
        t = self.peek()
        if t.kind == "lp":
            self.take()
            args = [self.expr()]
            while self.at_op(","):
                self.take()
                args.append(self.expr())
            if self.peek().kind != "rp":
                raise ParseError("parse.expected-close", self.peek().pos, char=")")
            self.take()
            return args
        if t.kind == "lb":
            return [self.group()]
        # A bar right after a function name can only open its argument (ln|x|, and
        # inside another |...| too: |ln|x||), never close an outer |.
        if not (self.starts_primary() or self.at_op("-", "+", "|")):
            raise ParseError("parse.missing-argument", t.pos, name=func.value)
        return [self.bare_argument()]

    def bare_argument(self) -> sympy.Expr:
        """The argument of a function written without parentheses: sin 2x, tg x^2, ln cos x."""
        t = self.peek()
        self.deeper(t.pos)
        if t.kind == "func":
            value = self.function()
        elif self.at_op("-", "+"):
            self.take()
            inner = self.bare_argument()
            value = guard(-inner, t.pos) if t.value == "-" else inner
        else:
            value = self.power()
            while self.starts_primary() and self.peek().kind != "func":
                nxt = self.peek()
                if nxt.kind == "num" and self.peek(-1).kind == "num":
                    raise ParseError("parse.missing-operator", nxt.pos)
                value = multiply(value, self.juxtaposed(self.power), nxt.pos)
        self.depth -= 1
        return value

    def juxtaposed(self, read) -> sympy.Expr:
        """The next factor of a product without an operator; ``1 \\frac{1}{2}`` (a mixed number) is refused."""
        before, t = self.peek(-1), self.peek()
        value = read()
        if t.kind == "frac" and before.kind == "num" and value.is_Rational and self.peek(-1).kind in ("rb", "num"):
            raise ParseError("parse.mixed-number", before.pos)
        return value


_PRIMARY_HANDLERS = {
    "num": Grammar.number, "sym": Grammar.symbol, "const": Grammar.constant,
    "lp": Grammar.parenthesised, "lb": Grammar.group, "func": Grammar.function,
    "frac": Grammar.frac, "sqrt": Grammar.sqrt,
}


def _trailing_error(t: Token) -> ParseError:
    if t.kind == "op" and t.value in "=<>":
        return ParseError("parse.relation", t.pos)
    if t.kind in ("rp", "rb"):
        return ParseError("parse.unmatched", t.pos, char=t.value)
    if t.kind == "op" and t.value == ",":
        return ParseError("parse.tuple", t.pos)
    return ParseError("parse.unexpected", t.pos, text=str(t.value))


def _missing_operand(t: Token) -> ParseError:
    if t.kind == "end":
        return ParseError("parse.incomplete", t.pos)
    if t.kind == "op" and t.value in "=<>":
        return ParseError("parse.relation", t.pos)
    if t.kind in ("rp", "rb"):
        return ParseError("parse.unmatched", t.pos, char=t.value)
    return ParseError("parse.unexpected", t.pos, text=str(t.value))


# -- guarded arithmetic --------------------------------------------------
def guard(value: sympy.Expr, pos: int) -> sympy.Expr:
    """Reject undefined results (0/0, log 0, oo) at the operator that made them."""
    if value.has(*_UNDEFINED):
        raise ParseError("parse.undefined", pos)
    return value


def multiply(a, b, pos: int):
    """a * b; x^m * x^n is built as x^(m + n) directly (what SymPy's product gives, at a
    fraction of its cost: a run of 2,000 letters x is read in milliseconds, not 0.3 s)."""
    base, m = _symbol_power(a)
    other, n = _symbol_power(b)
    if base is not None and base == other:
        return sympy.Pow(base, m + n)
    return guard(a * b, pos)


def _symbol_power(value) -> tuple:
    """(x, n) for a symbol x or a power x^n with an integer n, else (None, None)."""
    if value.is_Symbol and value.is_commutative:
        return value, sympy.Integer(1)
    if value.is_Pow and value.base.is_Symbol and value.base.is_commutative and value.exp.is_Integer:
        return value.base, value.exp
    return None, None


def divide(a, b, pos: int):
    if b.is_zero:
        raise ParseError("parse.undefined" if a.is_zero else "parse.division-by-zero", pos)
    return guard(a / b, pos)


def magnitude(value: sympy.Expr) -> float:
    """|value| of a constant expression, at 15 digits (inf when it has no finite value)."""
    try:
        return abs(complex(value.evalf(15)))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return math.inf


def power(base, exponent, pos: int):
    """base^exponent, refusing results too large to compute (10^10^10) before computing them."""
    if base.is_zero and exponent.is_number and exponent.is_negative:
        raise ParseError("parse.division-by-zero", pos)
    if exponent.is_Rational and base.is_Rational and not base.is_zero:
        bits = abs(int(exponent.p)) * (int(base.p).bit_length() + int(base.q).bit_length())
        too_large = bits > MAX_NUMBER_BITS
    elif exponent.is_number and base.is_number and not base.is_zero:
        b = magnitude(base)
        too_large = magnitude(exponent) * max(1.0, abs(math.log2(b)) if 0 < b < math.inf else math.inf) \
            > MAX_NUMBER_BITS
    else:
        too_large = exponent.is_number and magnitude(exponent) > MAX_SYMBOLIC_EXPONENT
    if too_large:
        raise ParseError("parse.number-too-large", pos, text="^")
    return guard(sympy.Pow(base, exponent), pos)


def check_numeric_argument(name: str, arg: sympy.Expr, pos: int) -> None:
    """A function of a constant must stay computable: exp(10^5), cosh(e^5000) are refused.

    SymPy evaluates functions of constants as it builds them, and on huge
    arguments that evaluation runs out of memory or time.
    """
    limit = MAX_GROWING_ARGUMENT if name in GROWING_FUNCTIONS else MAX_NUMERIC_ARGUMENT
    if arg.is_number and not magnitude(arg) <= limit:
        raise ParseError("parse.number-too-large", pos, text=name)
