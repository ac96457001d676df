"""The nodes of a matrix expression: small frozen dataclasses, one per operation.

Every value is a 2-D array: a vector is a column (k×1), a scalar is 1×1.
``start``/``end`` locate the node in the source text, so that a shape error can
quote the operation it is about.

>>> MatMul(Sym("X"), Sym("w"))
MatMul(a=Sym(name='X'), b=Sym(name='w'))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

#: Elementwise functions (``step`` is relu's derivative: 1 for x > 0, else 0, so 0 at the kink).
ELEMENTWISE = ("exp", "log", "sigmoid", "tanh", "relu", "step")


@dataclass(frozen=True)
class Node:
    """Base class; ``span`` is (start, end) in the source, not part of equality."""

    def children(self) -> tuple:
        return tuple(v for v in self.__dict__.values() if isinstance(v, Node))


def _span():
    return field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True)
class Sym(Node):
    name: str
    span: tuple = _span()


@dataclass(frozen=True)
class Num(Node):
    value: Fraction
    span: tuple = _span()


@dataclass(frozen=True)
class Ones(Node):
    """The all-ones array of the shape of ``like`` (the adjoint of sum)."""

    like: Node


@dataclass(frozen=True)
class Eye(Node):
    """The identity matrix of the shape of ``like`` (the adjoint of trace)."""

    like: Node


@dataclass(frozen=True)
class Add(Node):
    a: Node
    b: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Scale(Node):
    """A scalar ``c`` (1×1) times ``a``."""

    c: Node
    a: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Div(Node):
    """``a`` divided by a scalar ``c``."""

    a: Node
    c: Node
    span: tuple = _span()


@dataclass(frozen=True)
class MatMul(Node):
    a: Node
    b: Node
    span: tuple = _span()


@dataclass(frozen=True)
class T(Node):
    a: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Had(Node):
    """The elementwise (Hadamard) product a ⊙ b."""

    a: Node
    b: Node
    span: tuple = _span()


@dataclass(frozen=True)
class HDiv(Node):
    """Elementwise division a ⊘ b."""

    a: Node
    b: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Elem(Node):
    """An elementwise function (``ELEMENTWISE``) applied to ``a``."""

    fn: str
    a: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Reduce(Node):
    """A scalar of an array: ``sum``, ``norm2`` (‖a‖², Frobenius), ``trace``, ``logsumexp``."""

    fn: str
    a: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Softmax(Node):
    a: Node
    span: tuple = _span()


@dataclass(frozen=True)
class Pow(Node):
    """A scalar to a constant power (``‖v‖`` is ``Pow(norm2(v), 1/2)``)."""

    a: Node
    n: Fraction
    span: tuple = _span()


def depends(node: Node, name: str) -> bool:
    """Whether ``node`` contains the symbol ``name``."""
    if isinstance(node, Sym):
        return node.name == name
    return any(depends(child, name) for child in node.children())


def symbols(node: Node) -> list[str]:
    """The symbol names of ``node``, in order of first appearance."""
    found: list[str] = []

    def walk(n):
        if isinstance(n, Sym):
            if n.name not in found:
                found.append(n.name)
        for child in n.children():
            walk(child)

    walk(node)
    return found


class MatrixError(ValueError):
    """Invalid matrix input: a catalogue ``code``, its fields and the position in the text."""

    def __init__(self, code: str, position: int | None = None, **fields):
        super().__init__(code)
        self.code, self.position, self.fields = code, position, fields

    def message(self, lang: str = "en") -> str:
        from derivtutor.catalogue import message

        return message(self.code, lang, **self.fields)
