"""Computational graphs, forward and backward, node by node as seed 003 walks them.

An expression is split into staged nodes, one operation each; sums and products
of several terms become chains of two-input nodes. The forward pass computes
each node's value; the backward pass starts from df = 1 and, for every node,
multiplies the upstream gradient by the local derivative that ``sympy.diff``
finds for that one node:

>>> import sympy
>>> x, w0, w1 = sympy.symbols("x w0 w1")
>>> g = build_graph(1 + sympy.exp(w1 * x + w0), {"x": 1, "w1": 2, "w0": 1})
>>> [n.text for n in g.nodes]
['a = x*w1', 'b = a + w0', 'c = exp(b)', 'f = 1 + c']
>>> [s.text for s in g.backward]
['df = 1', 'dc = df', 'db = exp(b)*dc', 'dw0 = db', 'da = db', 'dw1 = x*da', 'dx = w1*da']
>>> round(g.gradients["x"], 4)
40.1711
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from derivtutor.render.notation import course_str

#: Names for intermediate nodes, in order (d and e are avoided: "dd", Euler's e).
NODE_NAMES = tuple("abcghkmnpqrstuvyz")
OUTPUT_NAME = "f"
_OPS = {sympy.Add: "add", sympy.Mul: "mul", sympy.Pow: "pow"}


class GraphError(ValueError):
    """A graph that cannot be evaluated; ``code`` is a catalogue code."""

    def __init__(self, code: str, **fields):
        super().__init__(f"{code} {fields}")
        self.code, self.fields = code, fields


@dataclass(frozen=True)
class Node:
    """name = expr (a local expression of ``inputs``), with its value and gradient."""
    name: str
    op: str
    inputs: tuple
    expr: sympy.Expr
    text: str
    value: float
    grad: float = 0.0


@dataclass(frozen=True)
class BackwardStep:
    """d<name> = sum over consumers of local derivative * d<consumer>."""
    name: str
    terms: tuple  # (consumer, local derivative expression)
    text: str
    value: float


@dataclass(frozen=True)
class Graph:
    variables: tuple  # Nodes with op "input"
    nodes: tuple
    backward: tuple

    @property
    def gradients(self) -> dict:
        return {v.name: v.grad for v in self.variables}


def _ordered(expr) -> str:
    """The shared course printer, keeping sums and products in the order the graph built them (1 + c, x*w1)."""
    return course_str(expr, order="none", step="bracket")


def build_graph(expr: sympy.Expr, at: dict) -> Graph:
    """Forward and backward passes of ``expr`` at the point ``at`` ({name: number})."""
    order = {name: i for i, name in enumerate(at)}
    values = {sympy.Symbol(k): float(v) for k, v in at.items()}
    missing = sorted(s.name for s in expr.free_symbols if s not in values)
    if missing:
        raise GraphError("graph.error.missing-value", name=missing[0])
    builder = _Builder(order, values)
    out = builder.visit(expr, final=True)
    if out not in builder.nodes:  # a bare variable or number: f = it
        builder.add(OUTPUT_NAME, "id", (out,), sympy.Symbol(str(out)) if isinstance(out, str) else out)
    variables = [_input(s, values[s]) for s in sorted(expr.free_symbols, key=lambda s: order[s.name])]
    return _backward(variables, list(builder.nodes.values()))


def _input(symbol, value) -> Node:
    return Node(symbol.name, "input", (), symbol, symbol.name, value)


class _Builder:
    def __init__(self, order: dict, values: dict):
        self.order, self.values, self.nodes = order, dict(values), {}
        self.names = iter(n for n in NODE_NAMES if sympy.Symbol(n) not in values)

    def add(self, name, op, inputs, local) -> str:
        value = float(local.evalf(subs=self.values))
        if not math.isfinite(value):
            raise GraphError("graph.error.not-finite", node=name)
        text = f"{name} = {_ordered(local)}"
        self.nodes[name] = Node(name, op, tuple(dict.fromkeys(map(str, inputs))), local, text, value)
        self.values[sympy.Symbol(name)] = value
        return name

    def visit(self, expr, final=False):
        """The name standing for ``expr`` (a node, a variable) or the number itself."""
        if expr.is_Symbol:
            return expr.name
        if expr.is_number:
            return expr
        op = _OPS.get(type(expr), type(expr).__name__.lower())
        if isinstance(expr, (sympy.Add, sympy.Mul)):
            constants = [a for a in expr.args if a.is_number]
            parts = [self.visit(a) for a in self._sorted([a for a in expr.args if not a.is_number])]
            return self._chain(type(expr), op, constants, parts, final)
        args = [a if a.is_number else self.visit(a) for a in expr.args]  # x^2: base, then exponent
        local = expr.func(*[sympy.Symbol(a) if isinstance(a, str) else a for a in args])
        return self.add(self._name(final), op, [a for a in args if isinstance(a, str)], local)

    def _sorted(self, args):
        # Compound arguments first, then variables in the order of the point: a + w0, x*w1.
        return sorted(args, key=lambda a: (a.is_Symbol, self.order.get(getattr(a, "name", ""), 0)))

    def _chain(self, cls, op, constants, parts, final):
        syms = [sympy.Symbol(p) if isinstance(p, str) else p for p in parts]
        head = cls(*constants, syms[0], *syms[1:2], evaluate=False) if constants or len(syms) > 1 else syms[0]
        name = self.add(self._name(final and len(syms) <= 2), op, parts[:2], head)
        for k, s in enumerate(syms[2:], start=2):
            name = self.add(self._name(final and k == len(syms) - 1), op, (name, parts[k]),
                            cls(sympy.Symbol(name), s, evaluate=False))
        return name

    def _name(self, final: bool) -> str:
        return OUTPUT_NAME if final else next(self.names, None) or f"n{len(self.nodes) + 1}"


def _backward(variables, nodes) -> Graph:
    """Gradients from df = 1 down, each quantity once all its consumers are done."""
    values = {sympy.Symbol(n.name): n.value for n in variables + nodes}
    consumers = {}
    for node in nodes:
        for i in node.inputs:
            consumers.setdefault(i, []).append(node)
    grads, steps, done = {nodes[-1].name: 1.0}, [BackwardStep(nodes[-1].name, (), f"d{nodes[-1].name} = 1", 1.0)], {nodes[-1].name}
    is_node = {n.name for n in nodes}
    for node in reversed(nodes):
        if node.name not in done:
            steps.append(_step(node.name, consumers[node.name], grads, values))
            done.add(node.name)
        for i in reversed(node.inputs):
            if i not in is_node and i not in done and all(c.name in done for c in consumers[i]):
                steps.append(_step(i, consumers[i], grads, values))
                done.add(i)
    with_grad = lambda n: Node(n.name, n.op, n.inputs, n.expr, n.text, n.value, grads.get(n.name, 0.0))
    return Graph(tuple(map(with_grad, variables)), tuple(map(with_grad, nodes)), tuple(steps))


def _step(name, users, grads, values) -> BackwardStep:
    terms, total = [], 0.0
    for user in users:
        local = _local_derivative(user.expr, name)
        total += float(local.evalf(subs=values)) * grads[user.name]
        terms.append((user.name, local))
    grads[name] = total
    return BackwardStep(name, tuple(terms), f"d{name} = {_sum_text(terms)}", total)


def _local_derivative(expr, name: str):
    """d expr / d name with every quantity real, as a graph's values are: |a|' = sgn(a), not re/im parts."""
    real = {s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols}
    back = {r: s for s, r in real.items()}
    variable = real.get(sympy.Symbol(name), sympy.Symbol(name, real=True))
    return sympy.diff(expr.xreplace(real), variable).xreplace(back)


def _sum_text(terms) -> str:
    """local*dconsumer terms joined with + and - (x*db - 3*x*dh, never + -3*x*dh).

    >>> x, b = sympy.symbols("x b")
    >>> _sum_text([("b", x), ("g", sympy.Integer(-1)), ("h", -3 * x), ("k", 1 - sympy.tanh(b) ** 2)])
    'x*db - dg - 3*x*dh + (1 - tanh(b)^2)*dk'
    """
    out = ""
    for k, (user, local) in enumerate(terms):
        text = _ordered(local)
        # A sum keeps its own signs and needs brackets: (1 - tanh(n)^2)*dp, not 1 - tanh(n)^2*dp.
        negative = text.startswith("-") and not local.is_Add
        size = text[1:] if negative else f"({text})" if local.is_Add else text
        factor = "" if size == "1" else size + "*"
        sign = ("-" if negative else "") if k == 0 else (" - " if negative else " + ")
        out += f"{sign}{factor}d{user}".replace("**", "^")
    return out


def to_dict(graph: Graph) -> dict:
    """The JSON form: nodes (inputs first) with value and grad, and the gradients."""
    nodes = [{"name": n.name, "op": n.op, "inputs": list(n.inputs), "value": n.value, "grad": n.grad,
              "expression": n.text} for n in graph.variables + graph.nodes]
    backward = [{"name": "d" + s.name, "rule": s.text, "value": s.value} for s in graph.backward]
    return {"nodes": nodes, "backward": backward, "gradients": graph.gradients}


def to_dot(graph: Graph) -> str:
    """Graphviz DOT: one box per node with its value and gradient, edges from inputs."""
    quote = lambda s: '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = ["digraph computational_graph {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
    for n in graph.variables + graph.nodes:
        label = f"{n.text}\\nvalue = {n.value:.6g}\\ngrad = {n.grad:.6g}"
        lines.append(f"  {quote(n.name)} [label=\"{label.replace(chr(34), '')}\"];")
    for n in graph.nodes:
        lines += [f"  {quote(i)} -> {quote(n.name)};" for i in n.inputs]
    return "\n".join(lines + ["}"]) + "\n"
