"""Matrix expressions as SymPy matrix expressions (MatrixSymbol, Transpose, HadamardProduct, ...).

>>> from derivtutor.matrix.api import matrix_gradient
>>> g = matrix_gradient("||Xw - y||^2", "w", shapes="X=n,d; w=d; y=n")
>>> g.gradient
2*X.T*(X*w - y)
"""
from __future__ import annotations

import sympy
from sympy import Lambda, Symbol
from sympy.matrices.expressions import (
    HadamardProduct, Identity, MatrixSymbol, OneMatrix, Trace, Transpose,
)
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derivtutor.matrix.nodes import (
    Add, Div, Elem, Eye, Had, HDiv, MatMul, Node, Num, Ones, Pow, Reduce, Scale, Softmax, Sym, T,
)

_t = Symbol("t", real=True)
FUNCTIONS = {
    "exp": Lambda(_t, sympy.exp(_t)), "log": Lambda(_t, sympy.log(_t)), "tanh": Lambda(_t, sympy.tanh(_t)),
    "sigmoid": Lambda(_t, 1 / (1 + sympy.exp(-_t))), "relu": Lambda(_t, sympy.Max(0, _t)),
    "step": Lambda(_t, sympy.Heaviside(_t, 0)),
}


def to_sympy(node: Node, typed):
    names = typed.names()

    def dim(d):
        d = typed.dims.find(d)
        return d if isinstance(d, int) else Symbol(str(names.get(d, d)), integer=True, positive=True)

    def shape(n):
        rows, cols = typed.shape(n) if n in typed.shapes else (None, None)
        return rows, cols

    def conv(n):
        kind = type(n)
        if kind is Sym:
            rows, cols = typed.shape(n)
            if (rows, cols) == (1, 1):
                return Symbol(n.name, real=True)
            return MatrixSymbol(n.name, dim(rows), dim(cols))
        if kind is Num:
            return sympy.Rational(n.value.numerator, n.value.denominator)
        if kind in (Ones, Eye):
            inner = conv(n.like)
            return OneMatrix(*inner.shape) if kind is Ones else Identity(inner.shape[0])
        if kind is T:
            return Transpose(conv(n.a)).doit() if not getattr(conv(n.a), "is_Matrix", False) else conv(n.a).T
        if kind is Elem:
            return ElementwiseApplyFunction(FUNCTIONS[n.fn], conv(n.a))
        if kind is Reduce:
            a = conv(n.a)
            if n.fn == "trace":
                return Trace(a)
            if n.fn == "norm2":
                return (a.T * a)[0, 0] if a.shape[1] == 1 else Trace(a.T * a)
            if n.fn == "sum":
                return (OneMatrix(1, a.shape[0]) * a * OneMatrix(a.shape[1], 1))[0, 0]
            e = ElementwiseApplyFunction(FUNCTIONS["exp"], a)
            return sympy.log((OneMatrix(1, a.shape[0]) * e)[0, 0])
        if kind is Softmax:
            a = conv(n.a)
            e = ElementwiseApplyFunction(FUNCTIONS["exp"], a)
            return e / (OneMatrix(1, a.shape[0]) * e)[0, 0]
        if kind is Pow:
            return conv(n.a) ** sympy.Rational(n.n.numerator, n.n.denominator)
        a = conv(n.a)
        if kind is Scale:
            return conv(n.c) * a
        if kind is Div:
            return a / conv(n.c)
        b = conv(n.b)
        if kind is Add:
            return a + b
        if kind is MatMul:
            return a * b
        if kind is Had:
            return HadamardProduct(a, b)
        return HadamardProduct(a, ElementwiseApplyFunction(Lambda(_t, 1 / _t), b))

    return conv(node)
