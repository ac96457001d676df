"""Shapes by unification: every node gets (rows, cols) of dimension names or 1.

Letters default to vectors (k×1), upper-case letters to matrices, Greek names
(λ, alpha, eta, ...) to scalars; ``--shapes "X=n,d; w=d; y=n"`` names them. The
inference also settles what ``*`` means: with a 1×1 operand it scales, otherwise it is
the matrix product, whose inner dimensions must agree.

>>> from derivtutor.matrix.syntax import parse_matrix
>>> typed = infer(parse_matrix("||Xw - y||^2"))
>>> typed.show(typed.tree.a.a.a), typed.show(typed.tree)
('n×d', '1×1')
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from derivtutor.matrix.nodes import (
    Add, Div, Elem, Eye, Had, HDiv, MatMul, MatrixError, Node, Num, Ones, Pow, Reduce, Scale, Softmax, Sym, T,
)
from derivtutor.matrix.syntax import GREEK

DISPLAY_NAMES = ("n", "d", "k", "m", "p", "q", "r", "s", "t", "u")


def parse_shapes(text: str | None) -> dict[str, tuple]:
    """``"X=n,d; w=d; lam=1"`` -> {"X": ("n", "d"), "w": ("d", 1), "lam": (1, 1)}."""
    shapes: dict[str, tuple] = {}
    for item in filter(None, (part.strip() for part in re.split(r"[;\n]", text or ""))):
        name, sep, dims = item.partition("=")
        parts = [d.strip() for d in dims.replace("×", ",").replace("x", ",").split(",") if d.strip()] \
            if "," in dims or "×" in dims else [d.strip() for d in dims.split(",") if d.strip()]
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name.strip()) or not 1 <= len(parts) <= 2 \
                or not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*|\d{1,4}", p) for p in parts):
            raise MatrixError("matrix.bad-shapes", None, item=item)
        if parts == ["scalar"]:
            parts = ["1", "1"]
        dims_ = tuple(int(p) if p.isdigit() else p for p in parts)
        shapes[name.strip()] = dims_ if len(dims_) == 2 else (dims_[0], 1)
    return shapes


class _Dims:
    """Union-find over dimension variables ("?3") and values (a name or an int)."""

    def __init__(self):
        self.parent: dict = {}
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?{self.count}"

    def find(self, d):
        while isinstance(d, str) and d.startswith("?") and self.parent.get(d, d) != d:
            d = self.parent[d]
        return d

    def unify(self, a, b) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if isinstance(a, str) and a.startswith("?"):
            self.parent[a] = b
            return True
        if isinstance(b, str) and b.startswith("?"):
            self.parent[b] = a
            return True
        return False


@dataclass
class Typed:
    """A tree whose ``*`` are settled, with the shape of each of its nodes."""

    tree: Node
    shapes: dict
    dims: _Dims
    declared: dict

    def shape(self, node: Node) -> tuple:
        rows, cols = self.shapes[node]
        return self.dims.find(rows), self.dims.find(cols)

    def names(self) -> dict:
        """Display names of the unresolved dimensions, in order of appearance."""
        taken = {d for shape in self.declared.values() for d in shape if isinstance(d, str)}
        pool = [n for n in DISPLAY_NAMES if n not in taken]
        out: dict = {}
        for shape in self.shapes.values():
            for d in shape:
                d = self.dims.find(d)
                if isinstance(d, str) and d.startswith("?") and d not in out:
                    out[d] = pool[len(out) % len(pool)] + ("" if len(out) < len(pool) else str(len(out)))
        return out

    def show(self, node: Node) -> str:
        return show_shape(self.shape(node), self.names())

    def is_scalar(self, node: Node) -> bool:
        return self.shape(node) == (1, 1)


def show_shape(shape: tuple, names: dict) -> str:
    return "×".join(str(names.get(d, d)) for d in shape)


def default_shape(name: str, dims: _Dims) -> tuple:
    if name in GREEK:
        return (1, 1)
    if name[0].isupper():
        return (dims.fresh(), dims.fresh())
    return (dims.fresh(), 1)


def infer(tree: Node, shapes: dict | None = None, text: str = "") -> Typed:
    """Settle ``*`` and give every node a shape; a mismatch raises ``matrix.shape-error``."""
    typed = Typed(tree, {}, _Dims(), dict(shapes or {}))
    symbol_shapes = {name: tuple(shape) for name, shape in typed.declared.items()}
    typed.tree = _Inferrer(typed, symbol_shapes, text).visit(tree)
    return typed


class _Inferrer:
    def __init__(self, typed: Typed, symbol_shapes: dict, text: str):
        self.typed, self.symbols, self.text = typed, symbol_shapes, text

    def put(self, node: Node, shape: tuple) -> Node:
        self.typed.shapes[node] = shape
        return node

    def visit(self, node: Node) -> Node:
        return getattr(self, "_" + type(node).__name__)(node)

    def fail(self, node: Node, *operands: Node) -> MatrixError:
        names = self.typed.names()
        parts = [f"{self.quote(o)} is {show_shape(self.typed.shape(o), names)}" for o in operands]
        return MatrixError("matrix.shape-error", node.span[0], operation=self.quote(node), shapes=", ".join(parts))

    def quote(self, node: Node) -> str:
        start, end = getattr(node, "span", (0, 0))
        quoted = self.text[start:end].strip() if self.text and end > start else type(node).__name__
        if quoted.startswith("(") and quoted.endswith(")") and quoted.count("(") == 1:
            quoted = quoted[1:-1].strip()
        return quoted

    def same(self, node: Node, a: Node, b: Node) -> tuple:
        (ra, ca), (rb, cb) = self.typed.shape(a), self.typed.shape(b)
        if not (self.typed.dims.unify(ra, rb) and self.typed.dims.unify(ca, cb)):
            raise self.fail(node, a, b)
        return self.typed.shape(a)

    def _Sym(self, node):
        if node.name not in self.symbols:
            self.symbols[node.name] = default_shape(node.name, self.typed.dims)
        return self.put(node, self.symbols[node.name])

    def _Num(self, node):
        return self.put(node, (1, 1))

    def _Ones(self, node):
        return self.put(node, self.typed.shapes[node.like])

    def _Eye(self, node):
        return self.put(node, self.typed.shapes[node.like])

    def _Add(self, node):
        a, b = self.visit(node.a), self.visit(node.b)
        if self.typed.is_scalar(a) != self.typed.is_scalar(b):  # a scalar is broadcast: c·1
            if self.typed.is_scalar(a):
                a = self.put(Scale(a, self.put(Ones(b), self.typed.shapes[b])), self.typed.shapes[b])
            else:
                b = self.put(Scale(b, self.put(Ones(a), self.typed.shapes[a])), self.typed.shapes[a])
        new = dataclasses.replace(node, a=a, b=b)
        return self.put(new, self.same(new, a, b))

    def _Scale(self, node):
        c, a = self.visit(node.c), self.visit(node.a)
        if not self.typed.is_scalar(c):
            raise self.fail(node, c)
        return self.put(dataclasses.replace(node, c=c, a=a), self.typed.shapes[a])

    def _Div(self, node):
        a, c = self.visit(node.a), self.visit(node.c)
        if not self.typed.is_scalar(c):
            raise self.fail(node, node.a, c)
        return self.put(dataclasses.replace(node, a=a, c=c), self.typed.shapes[a])

    def _MatMul(self, node):
        a, b = self.visit(node.a), self.visit(node.b)
        if self.typed.is_scalar(a):
            return self.put(Scale(a, b, span=node.span), self.typed.shapes[b])
        if self.typed.is_scalar(b):
            return self.put(Scale(b, a, span=node.span), self.typed.shapes[a])
        (ra, ca), (rb, cb) = self.typed.shapes[a], self.typed.shapes[b]
        new = dataclasses.replace(node, a=a, b=b)
        if not self.typed.dims.unify(ca, rb):
            raise self.fail(new, a, b)
        return self.put(new, (ra, cb))

    def _T(self, node):
        a = self.visit(node.a)
        rows, cols = self.typed.shapes[a]
        return self.put(dataclasses.replace(node, a=a), (cols, rows))

    def _elementwise_pair(self, node):
        a, b = self.visit(node.a), self.visit(node.b)
        if self.typed.is_scalar(a) != self.typed.is_scalar(b):  # a scalar broadcasts over the array
            return self._broadcast(node, a, b)
        new = dataclasses.replace(node, a=a, b=b)
        return self.put(new, self.same(new, a, b))

    def _broadcast(self, node, a, b):
        if isinstance(node, Had):  # c ⊙ B = c·B
            scalar, array = (a, b) if self.typed.is_scalar(a) else (b, a)
            return self.put(Scale(scalar, array, span=node.span), self.typed.shapes[array])
        if self.typed.is_scalar(b):  # A ⊘ c = A / c
            return self.put(Div(a, b, span=node.span), self.typed.shapes[a])
        ones = self.put(Ones(b), self.typed.shapes[b])
        spread = self.put(Scale(a, ones), self.typed.shapes[b])
        return self.put(HDiv(spread, b, span=node.span), self.typed.shapes[b])

    _Had = _HDiv = _elementwise_pair

    def _Elem(self, node):
        a = self.visit(node.a)
        return self.put(dataclasses.replace(node, a=a), self.typed.shapes[a])

    def _Reduce(self, node):
        a = self.visit(node.a)
        new = dataclasses.replace(node, a=a)
        rows, cols = self.typed.shapes[a]
        if node.fn == "trace" and not self.typed.dims.unify(rows, cols):
            raise self.fail(new, a)
        if node.fn == "logsumexp" and not self.typed.dims.unify(cols, 1):
            raise self.fail(new, a)
        return self.put(new, (1, 1))

    def _Softmax(self, node):
        a = self.visit(node.a)
        if not self.typed.dims.unify(self.typed.shapes[a][1], 1):
            raise self.fail(node, a)
        return self.put(dataclasses.replace(node, a=a), self.typed.shapes[a])

    def _Pow(self, node):
        a = self.visit(node.a)
        if not self.typed.is_scalar(a):
            raise self.fail(node, a)
        return self.put(dataclasses.replace(node, a=a), (1, 1))
