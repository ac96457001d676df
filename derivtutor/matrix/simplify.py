"""Tidy an adjoint: fold numbers, pull scalars to the front, drop ones, (AB)ᵀ = BᵀAᵀ.

Only identities that hold for every shape are used, so simplifying never changes
the value; the numeric tests compare before and after.

>>> from derivtutor.matrix.nodes import Scale, Num, Sym, T
>>> from fractions import Fraction
>>> simplify(Scale(Num(Fraction(2)), Scale(Num(Fraction(3)), T(T(Sym("w"))))))
Scale(c=Num(value=Fraction(6, 1)), a=Sym(name='w'))
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction

from derivtutor.matrix.nodes import Add, Div, Elem, Eye, Had, HDiv, MatMul, Node, Num, Ones, Pow, Reduce, Scale, T

ONE = Fraction(1)


def simplify(node: Node) -> Node:
    """Apply the rules bottom-up until nothing changes."""
    for _ in range(50):
        new = _once(node)
        if new == node:
            return new
        node = new
    return node


def _once(node: Node) -> Node:
    if isinstance(node, (Ones, Eye)):
        return node
    kids = {k: _once(v) for k, v in node.__dict__.items() if isinstance(v, Node)}
    if kids:
        node = dataclasses.replace(node, **kids)
    rule = _RULES.get(type(node))
    return rule(node) if rule else node


def _num(node: Node):
    return node.value if isinstance(node, Num) else None


def _scale(node: Scale) -> Node:
    c, a = node.c, node.a
    if _num(c) == ONE:
        return a
    if isinstance(a, Num) and isinstance(c, Num):
        return Num(c.value * a.value)
    if isinstance(a, Num) and not isinstance(c, Num):  # the number goes first
        return Scale(a, c)
    if isinstance(a, Scale) and isinstance(c, Num) and isinstance(a.c, Num):
        return Scale(Num(c.value * a.c.value), a.a)
    if isinstance(a, Scale) and isinstance(a.c, Num) and not isinstance(c, Num):
        return Scale(a.c, Scale(c, a.a))
    if isinstance(c, Scale) and isinstance(c.c, Num):  # (k·s)·A = k·(s·A)
        return Scale(c.c, Scale(c.a, a))
    if isinstance(c, Pow) and c.n < 0:  # s^-n · A = A / s^n
        return Div(a, Pow(c.a, -c.n))
    return node


def _matmul(node: MatMul) -> Node:
    a, b = node.a, node.b
    if isinstance(a, Eye):
        return b
    if isinstance(b, Eye):
        return a
    if isinstance(a, Scale):
        return Scale(a.c, MatMul(a.a, b))
    if isinstance(b, Scale):
        return Scale(b.c, MatMul(a, b.a))
    if isinstance(b, Num):
        return Scale(b, a)
    if isinstance(a, Num):
        return Scale(a, b)
    return node


def _transpose(node: T) -> Node:
    a = node.a
    if isinstance(a, T):
        return a.a
    if isinstance(a, Scale):
        return Scale(a.c, T(a.a))
    if isinstance(a, (Num, Eye)):
        return a
    if isinstance(a, MatMul):
        return MatMul(T(a.b), T(a.a))
    return node


def _is_logistic(quotient: Node, e: Node) -> bool:
    """1 ⊘ (1 + exp(u)) next to exp(u): together σ(u)."""
    return (isinstance(quotient, HDiv) and isinstance(quotient.a, Ones) and isinstance(quotient.b, Add)
            and isinstance(quotient.b.a, Ones) and quotient.b.b == e and isinstance(e, Elem) and e.fn == "exp")


def _hadamard(node: Had) -> Node:
    a, b = node.a, node.b
    if _is_logistic(a, b):
        return Elem("sigmoid", b.a)
    if isinstance(a, Had) and _is_logistic(a.a, a.b):
        return Had(Elem("sigmoid", a.b.a), b)
    if isinstance(a, Had) and _is_logistic(a.b, b):
        return Had(a.a, Elem("sigmoid", b.a))
    if isinstance(a, Ones):
        return b
    if isinstance(b, Ones):
        return a
    if isinstance(a, Num):
        return Scale(a, b)
    if isinstance(b, Num):
        return Scale(b, a)
    if isinstance(a, Scale):
        return Scale(a.c, Had(a.a, b))
    if isinstance(b, Scale):
        return Scale(b.c, Had(a, b.a))
    return node


def _hdiv(node: HDiv) -> Node:
    if isinstance(node.a, Scale):
        return Scale(node.a.c, HDiv(node.a.a, node.b))
    return node


def _add(node: Add) -> Node:
    if node.a == node.b:
        return Scale(Num(Fraction(2)), node.a)
    if isinstance(node.a, Add) and node.a.b == node.b:  # (x + b) + b = x + 2b
        return Add(node.a.a, Scale(Num(Fraction(2)), node.b))
    if isinstance(node.a, Num) and isinstance(node.b, Num):
        return Num(node.a.value + node.b.value)
    return node


def _div(node: Div) -> Node:
    if isinstance(node.c, Num) and node.c.value != 0:
        return Scale(Num(1 / node.c.value), node.a)
    return node


def _reduce(node: Reduce) -> Node:
    if node.fn == "sum" and isinstance(node.a, (Num, Scale)) and isinstance(node.a, Num):
        return node.a
    if node.fn == "sum" and isinstance(node.a, Scale) and isinstance(node.a.c, Num):
        return Scale(node.a.c, Reduce("sum", node.a.a))
    return node


def _pow(node: Pow) -> Node:
    if node.n == ONE:
        return node.a
    if node.n == 0:
        return Num(ONE)
    if isinstance(node.a, Num) and node.n.denominator == 1:
        return Num(node.a.value ** int(node.n))
    return node


_RULES = {Scale: _scale, MatMul: _matmul, T: _transpose, Had: _hadamard, HDiv: _hdiv, Add: _add, Div: _div,
          Reduce: _reduce, Pow: _pow, Elem: lambda n: n}
