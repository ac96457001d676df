"""``matrix_gradient(expr, wrt, shapes=None)``: the gradient, its steps, shapes and checks.

>>> g = matrix_gradient("||Xw - y||^2", "w")
>>> g.text, g.shape
('2X^T(Xw - y)', 'd×1')
>>> g.check().passed
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from derivtutor.matrix.gradient import Step, derive
from derivtutor.matrix.nodes import MatrixError, Node, T, symbols
from derivtutor.matrix.numeric import evaluate, finite_difference, instance, relative_error
from derivtutor.matrix.printing import latex, text
from derivtutor.matrix.shapes import Typed, infer, parse_shapes, show_shape
from derivtutor.matrix.simplify import simplify
from derivtutor.matrix.syntax import parse_matrix

LAYOUTS = ("denominator", "numerator")
CHECK_TOLERANCE = 1e-6


@dataclass(frozen=True)
class GradientCheck:
    """Central differences against the derived gradient at seeded random instances."""

    errors: tuple[float, ...]
    instances: tuple[dict, ...]     # the dimensions of each instance

    @property
    def error(self) -> float:
        return max(self.errors)

    @property
    def passed(self) -> bool:
        return self.error < CHECK_TOLERANCE

    def to_dict(self) -> dict:
        return {"passed": self.passed, "relative_error": self.error, "instances": list(self.instances)}


@dataclass(frozen=True)
class MatrixGradient:
    """∂f/∂wrt of a scalar matrix expression; ``gradient_node`` in denominator layout."""

    source: str
    wrt: str
    typed: Typed
    gradient_node: Node
    steps: tuple[Step, ...]
    layout: str = "denominator"

    @property
    def shown(self) -> Node:
        """The gradient in the chosen layout (numerator layout is the transpose)."""
        return self.gradient_node if self.layout == "denominator" else simplify(T(self.gradient_node))

    @property
    def text(self) -> str:
        return text(self.shown)

    @property
    def latex(self) -> str:
        return latex(self.shown)

    @property
    def shape(self) -> str:
        rows, cols = self.typed.shape(self._wrt_node)
        return show_shape((rows, cols) if self.layout == "denominator" else (cols, rows), self.typed.names())

    @cached_property
    def _wrt_node(self) -> Node:
        return next(n for n in self.typed.shapes if getattr(n, "name", None) == self.wrt and type(n).__name__ == "Sym")

    @property
    def gradient(self):
        """The gradient as a SymPy matrix expression."""
        from derivtutor.matrix.to_sympy import to_sympy

        return to_sympy(self.shown, self.typed)

    def shape_of(self, node: Node) -> str:
        return self.typed.show(node)

    def evaluate(self, values: dict) -> np.ndarray:
        """The gradient at ``values`` (name -> array), shaped like ``values[wrt]`` (denominator layout)."""
        result = evaluate(self.gradient_node, values)
        given = np.shape(values[self.wrt])
        return result.reshape(given) if result.size == int(np.prod(given)) else result

    def check(self, seed: int = 0, trials: int = 3) -> GradientCheck:
        """The gradient against central differences of the expression at random instances."""
        errors, dims = [], []
        for k in range(trials):
            env = self._finite_instance(seed + 7919 * k)
            exact = evaluate(self.gradient_node, env)
            approx = finite_difference(self.typed.tree, env, self.wrt)
            errors.append(relative_error(exact, approx))
            dims.append({name: list(np.shape(v)) for name, v in env.items()})
        return GradientCheck(tuple(errors), tuple(dims))

    def _finite_instance(self, seed: int) -> dict:
        for positive in (False, True):
            env = instance(self.typed, seed, positive=positive)
            with np.errstate(all="ignore"):
                if np.all(np.isfinite(evaluate(self.typed.tree, env))) and \
                        np.all(np.isfinite(evaluate(self.gradient_node, env))):
                    return env
        raise MatrixError("matrix.no-instance", None)


def matrix_gradient(expr: str, wrt: str, shapes: str | dict | None = None,
                    layout: str = "denominator") -> MatrixGradient:
    """Derive ∂expr/∂wrt with steps; ``shapes`` as ``"X=n,d; w=d"`` or {"X": ("n", "d")}."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    declared = parse_shapes(shapes) if isinstance(shapes, str) or shapes is None else dict(shapes)
    tree = parse_matrix(expr, names=tuple(declared) + (wrt,))
    typed = infer(tree, declared, expr)
    if wrt not in symbols(typed.tree):
        raise MatrixError("matrix.no-variable", None, variable=wrt)
    result = derive(typed, wrt)
    return MatrixGradient(expr, wrt, typed, result.gradient, result.steps, layout)
