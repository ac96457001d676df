"""The gradient of a scalar matrix expression, rule by rule (reverse mode on the tree).

Each node on a path to the variable receives its adjoint G = ∂f/∂node (the shape of
the node: denominator layout) and passes it to its children by the rule of its
operation, stated with differentials: for f = tr(Gᵀ dA) the trace is cyclic, so
d(AB) = dA·B + A·dB gives G·Bᵀ to A and Aᵀ·G to B. The steps keep every
(rule, node, adjoint) so a student sees where each factor comes from.

>>> from derivtutor.matrix.syntax import parse_matrix
>>> from derivtutor.matrix.shapes import infer
>>> from derivtutor.matrix.printing import text
>>> typed = infer(parse_matrix("||Xw - y||^2"))
>>> text(derive(typed, "w").gradient)
'2X^T(Xw - y)'
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from derivtutor.matrix.nodes import (
    Add, Div, Elem, Eye, Had, HDiv, MatMul, MatrixError, Node, Num, Ones, Pow, Reduce, Scale, Softmax, Sym, T,
    depends,
)
from derivtutor.matrix.simplify import simplify


@dataclass(frozen=True)
class Step:
    """``node`` receives the adjoint ``adjoint`` by ``rule`` (a catalogue key)."""

    rule: str
    node: Node
    adjoint: Node


@dataclass(frozen=True)
class Result:
    gradient: Node
    steps: tuple[Step, ...]


def derive(typed, wrt: str) -> Result:
    """∂f/∂wrt for the scalar ``typed.tree``; raises MatrixError when f is not a scalar."""
    if not typed.is_scalar(typed.tree):
        raise MatrixError("matrix.not-scalar", None, shape=typed.show(typed.tree))
    if not depends(typed.tree, wrt):
        raise MatrixError("matrix.no-variable", None, variable=wrt)
    walker = _Walker(typed, wrt)
    walker.visit(typed.tree, Num(Fraction(1)), "start")
    total = walker.parts[0]
    for part in walker.parts[1:]:
        total = Add(total, part)
    return Result(simplify(total), tuple(walker.steps))


def _ones(node: Node) -> Node:
    return Ones(node)


class _Walker:
    def __init__(self, typed, wrt: str):
        self.typed, self.wrt = typed, wrt
        self.parts: list[Node] = []
        self.steps: list[Step] = []

    def visit(self, node: Node, G: Node, rule: str) -> None:
        if not depends(node, self.wrt):
            return
        G = simplify(G)
        self.steps.append(Step(rule, node, G))
        getattr(self, "_" + type(node).__name__)(node, G)

    def scalar(self, node: Node) -> bool:
        return node in self.typed.shapes and self.typed.is_scalar(node)

    def _Sym(self, node, G):
        self.parts.append(G)

    def _Add(self, node, G):
        self.visit(node.a, G, "linearity")
        self.visit(node.b, G, "linearity")

    def _Scale(self, node, G):
        if isinstance(node.a, Ones):  # a broadcast scalar c·1: c gets the sum of G
            self.visit(node.c, Reduce("sum", G), "broadcast")
            return
        both = depends(node.c, self.wrt) and depends(node.a, self.wrt)
        self.visit(node.a, Scale(node.c, G), "product" if both else "linearity")
        self.visit(node.c, Reduce("sum", Had(G, node.a)), "product")

    def _Div(self, node, G):
        self.visit(node.a, Div(G, node.c), "linearity" if not depends(node.c, self.wrt) else "quotient")
        self.visit(node.c, Scale(Num(Fraction(-1)), Div(Reduce("sum", Had(G, node.a)), Pow(node.c, Fraction(2)))),
                   "quotient")

    def _MatMul(self, node, G):
        self.visit(node.a, MatMul(G, T(node.b)), "matmul-left")
        self.visit(node.b, MatMul(T(node.a), G), "matmul-right")

    def _T(self, node, G):
        self.visit(node.a, T(G), "transpose")

    def _Had(self, node, G):
        self.visit(node.a, Had(G, node.b), "hadamard")
        self.visit(node.b, Had(G, node.a), "hadamard")

    def _HDiv(self, node, G):
        self.visit(node.a, HDiv(G, node.b), "hadamard-quotient")
        self.visit(node.b, Scale(Num(Fraction(-1)), HDiv(Had(G, node.a), Had(node.b, node.b))), "hadamard-quotient")

    def _Elem(self, node, G):
        a = node.a
        local = {
            "exp": lambda: Had(G, node),
            "log": lambda: HDiv(G, a),
            "sigmoid": lambda: Had(G, Had(node, Add(_ones(a), Scale(Num(Fraction(-1)), node)))),
            "tanh": lambda: Had(G, Add(_ones(a), Scale(Num(Fraction(-1)), Had(node, node)))),
            "relu": lambda: Had(G, Elem("step", a)),
        }
        if node.fn not in local:
            raise MatrixError("matrix.no-derivative", None, function=node.fn)
        self.visit(a, local[node.fn](), "elementwise-" + node.fn)

    def _Reduce(self, node, G):
        a = node.a
        adjoint = {
            "sum": lambda: Scale(G, _ones(a)),
            "norm2": lambda: Scale(Num(Fraction(2)), Scale(G, a)),
            "trace": lambda: Scale(G, Eye(a)),
            "logsumexp": lambda: Scale(G, Softmax(a)),
        }[node.fn]
        self.visit(a, adjoint(), node.fn)

    def _Softmax(self, node, G):
        # J = diag(s) − s sᵀ is symmetric, so Jᵀ G = s ⊙ G − s (sᵀ G)
        self.visit(node.a, Add(Had(node, G), Scale(Num(Fraction(-1)), Scale(MatMul(T(node), G), node))), "softmax")

    def _Pow(self, node, G):
        n = node.n
        self.visit(node.a, Scale(Scale(Num(n), G), Pow(node.a, n - 1)), "power")
