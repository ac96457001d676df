"""Gradient descent on a symbolic loss, recorded step by step (seed 000, seed 002).

The course's rule: w_{k+1} = w_k - lambda * dL/dw, stopping as soon as
|L(w_{k+1}) - L(w_k)| < eps. The gradient is symbolic (``sympy.diff``); the
iteration itself is numeric, through ``sympy.lambdify``, so that a thousand
steps stay cheap. Every step is kept in a ``Trace`` that the CLI prints as a
table, dumps as JSON and plots.

>>> import sympy
>>> w = sympy.Symbol("w")
>>> trace = descend(w**2 + 12, {"w": 5}, lr=0.1, eps=0.01)
>>> trace.stopped, trace.final.k, round(trace.steps[1].point["w"], 12)
('eps', 17, 4.0)
>>> trace.behaviour
'converges'

Divergence is a result, not a crash: overflow, leaving the domain of L, or a
point that runs away ends the run with ``stopped == "diverged"`` and a
``cause`` ("overflow", "undefined" or "blowup"); only finite steps are kept.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import sympy

from derivtutor.budget import time_limit
from derivtutor.functions import LAMBDIFY_MODULES

#: A run whose point grows past this many times its start (at least 1) has diverged.
BLOWUP_FACTOR = 1e8

#: Seconds allowed for the symbolic part (gradient and lambdify) on student input.
SYMBOLIC_SECONDS = 5.0

BEHAVIOURS = ("converges", "oscillates", "diverges")
STOP_REASONS = ("eps", "max_iter", "diverged")


class DescentError(ValueError):
    """Input that gradient descent cannot run on; ``code`` is a catalogue code."""

    def __init__(self, code: str, **fields):
        super().__init__(code, fields)
        self.code = code
        self.fields = fields

    def render(self, lang: str = "en") -> str:
        from derivtutor.catalogue import message

        return message(self.code, lang, **self.fields)


@dataclass(frozen=True)
class Step:
    """Iteration k: the point x_k, L(x_k), grad L(x_k), and |L_{k+1} - L_k| (None at the end)."""

    k: int
    point: dict[str, float]
    loss: float
    grad: dict[str, float]
    change: float | None

    def to_dict(self) -> dict:
        return {"k": self.k, "point": dict(self.point), "loss": self.loss, "grad": dict(self.grad)}


@dataclass(frozen=True)
class Trace:
    """One gradient-descent run. ``steps[0]`` is the start point (k = 0)."""

    loss_expr: sympy.Expr
    variables: tuple[str, ...]
    gradient: dict[str, sympy.Expr]
    lr: float
    eps: float
    max_iter: int
    steps: tuple[Step, ...]
    stopped: str          # "eps" | "max_iter" | "diverged"
    cause: str | None     # for "diverged": "overflow" | "undefined" | "blowup"

    @property
    def final(self) -> Step:
        return self.steps[-1]

    @property
    def behaviour(self) -> str:
        return classify(self)

    def column(self, name: str) -> list[float]:
        """Coordinate ``name`` of every step: the path along one axis."""
        return [step.point[name] for step in self.steps]

    def losses(self) -> list[float]:
        return [step.loss for step in self.steps]

    def _repr_markdown_(self) -> str:
        from derivtutor.descent.display import trace_markdown

        return trace_markdown(self)

    def _repr_latex_(self) -> str:
        from derivtutor.descent.display import trace_latex

        return trace_latex(self)

    def _repr_html_(self) -> str:
        from derivtutor.descent.display import trace_html

        return trace_html(self)

    def to_dict(self) -> dict:
        """The JSON shape of the issue: gradient, iterations, stopped, final."""
        return {
            "gradient": {name: str(g) for name, g in self.gradient.items()},
            "iterations": [step.to_dict() for step in self.steps],
            "stopped": self.stopped,
            "final": self.final.to_dict(),
        }


def variables_of(expr: sympy.Expr) -> tuple[sympy.Symbol, ...]:
    """The free symbols of ``expr`` in name order (the order of table columns)."""
    return tuple(sorted(expr.free_symbols, key=lambda s: s.name))


def gradient(expr: sympy.Expr) -> dict[str, sympy.Expr]:
    """The symbolic gradient {name: dL/d name}.

    >>> x, y = sympy.symbols("x y")
    >>> gradient((x - 3)**2 + 2*(y + 2)**2)
    {'x': 2*x - 6, 'y': 4*y + 8}
    """
    # Parameters are real: differentiate with real stand-ins so |w - 2|' is sign(w - 2).
    real = {v: sympy.Dummy(v.name, real=True) for v in variables_of(expr)}
    back = {r: v for v, r in real.items()}
    grad = {}
    for v in variables_of(expr):
        d = sympy.diff(expr.xreplace(real), real[v]).xreplace(back)
        d = sympy.expand(d) if expr.is_polynomial(v) else d
        if d.has(sympy.Derivative, sympy.Subs):
            raise DescentError("descent.not-differentiable", variable=v.name)
        grad[v.name] = d
    return grad


def gradient_derivations(expr: sympy.Expr) -> dict:
    """{name: the steps engine's Derivation of dL/d name}, or {} when that engine is absent.

    A variable whose derivation gave up (a DontKnowRule) is left out.
    """
    try:
        from derivtutor.steps.engine import differentiate
    except ImportError:  # the steps engine is optional here; sympy.diff is always right
        return {}
    derivations = {}
    for v in variables_of(expr):
        try:
            derivation = differentiate(expr, v)
        except (ValueError, TypeError, NotImplementedError):
            continue
        if not derivation.contains_dont_know():
            derivations[v.name] = derivation
    return derivations


def gradient_formulas(expr: sympy.Expr) -> dict[str, sympy.Expr]:
    """The gradient as the course writes it: by the steps engine, else by ``sympy.diff``.

    >>> gradient_formulas(sympy.Symbol("w")**2 + 12)
    {'w': 2*w}
    """
    derivations = gradient_derivations(expr)
    return {name: derivations[name].result if name in derivations else g for name, g in gradient(expr).items()}


def descend(expr, start, lr: float = 0.1, eps: float = 0.01, max_iter: int = 1000, *,
            formulas: bool = True) -> Trace:
    """Run w_{k+1} = w_k - lr * grad L(w_k) from ``start`` until |L_{k+1} - L_k| < eps.

    ``expr`` is a SymPy expression (or text, read by ``derivtutor.input.parsing.parse``);
    ``start`` maps variable names (or Symbols) to numbers, or is one number when
    L has one variable. The numbers come from ``sympy.diff``; ``trace.gradient``
    holds the formulas to show (``formulas=False`` skips the steps engine).

    >>> x, y = sympy.symbols("x y")
    >>> t = descend((x - 3)**2 + 2*(y + 2)**2, {"x": 0, "y": 0}, lr=0.1, eps=1e-10)
    >>> [round(v, 4) for v in t.final.point.values()]
    [3.0, -2.0]
    """
    expr = _as_expr(expr)
    names, x0 = _start_point(expr, start)
    lr, eps, max_iter = _check_settings(lr, eps, max_iter)
    symbols = variables_of(expr)
    with time_limit(SYMBOLIC_SECONDS):
        grad = gradient(expr)
        f = sympy.lambdify(symbols, expr, modules=LAMBDIFY_MODULES)
        g = sympy.lambdify(symbols, [grad[n] for n in names], modules=LAMBDIFY_MODULES)
        shown = gradient_formulas(expr) if formulas else grad
    raw, stopped, cause = _iterate(f, g, x0, lr, eps, max_iter)
    if not raw:
        code = "descent.overflow-start" if cause == "overflow" else "descent.undefined-start"
        raise DescentError(code, point=_point_text(names, x0))
    steps = _steps(names, raw)
    return Trace(expr, names, shown, lr, eps, max_iter, steps, stopped, cause)


def study(expr, start, rates: Sequence[float], eps: float = 0.01, max_iter: int = 1000) -> list[Trace]:
    """One run per learning rate, from the same start (the learning-rate study)."""
    return [descend(expr, start, lr, eps, max_iter) for lr in rates]


def classify(trace: Trace) -> str:
    """"diverges", "oscillates" or "converges", from the run's losses and gradients.

    diverges: the run diverged, or L ended above where it started.
    oscillates: most steps overshoot the minimum -- the gradient turns against
    the previous one (g_k . g_{k+1} < 0), whether or not the swings shrink.
    converges: otherwise.
    """
    steps = trace.steps
    if trace.stopped == "diverged" or steps[-1].loss > steps[0].loss + 1e-12 * (1 + abs(steps[0].loss)):
        return "diverges"
    turns = [_dot(a.grad, b.grad) < 0 for a, b in zip(steps, steps[1:])]
    if turns and 2 * sum(turns) >= len(turns):
        return "oscillates"
    return "converges"


def _as_expr(expr) -> sympy.Expr:
    if isinstance(expr, str):
        from derivtutor.input.parsing import parse

        expr = parse(expr)
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"expected a SymPy expression or text, got {type(expr).__name__}")
    if not expr.free_symbols:
        raise DescentError("descent.no-variables")
    return expr


def _start_point(expr: sympy.Expr, start) -> tuple[tuple[str, ...], list[float]]:
    names = tuple(v.name for v in variables_of(expr))
    if not isinstance(start, Mapping):
        if len(names) != 1:
            raise DescentError("descent.start-missing", variable=", ".join(names))
        start = {names[0]: start}
    given = {str(k): v for k, v in start.items()}
    for name in given:
        if name not in names:
            raise DescentError("descent.start-unknown", variable=name, variables=", ".join(names))
    for name in names:
        if name not in given:
            raise DescentError("descent.start-missing", variable=name)
    point = []
    for name in names:
        value = _real(given[name])
        if value is None:
            raise DescentError("descent.start-not-number", variable=name)
        point.append(value)
    return names, point


def _check_settings(lr, eps, max_iter) -> tuple[float, float, int]:
    lr, eps = _real(lr), _real(eps)
    if lr is None or lr <= 0:
        raise DescentError("descent.bad-rate")
    if eps is None or eps <= 0:
        raise DescentError("descent.bad-eps")
    if not isinstance(max_iter, int) or max_iter < 1:
        raise DescentError("descent.bad-max-iter")
    return lr, eps, max_iter


def _real(value) -> float | None:
    """A finite float from a number or a SymPy number; None otherwise."""
    if isinstance(value, sympy.Basic):
        value = value.evalf()
        if not value.is_Number:
            return None
    if isinstance(value, (bool, str)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _iterate(f, g, x0, lr, eps, max_iter):
    """The raw loop: [(x, L, grad)] of finite steps, the stop reason and its cause."""
    import numpy as np

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = np.asarray(x0, dtype=float)
        state = _evaluate(f, g, x)
        if _problem(state) is not None:
            return [], "diverged", _problem(state)
        raw = [state]
        bound = BLOWUP_FACTOR * max(1.0, float(np.linalg.norm(x)))
        for _ in range(max_iter):
            x, loss, grad = raw[-1]
            state = _evaluate(f, g, x - lr * grad)
            cause = _problem(state)
            if cause is not None:
                return raw, "diverged", cause
            raw.append(state)
            if abs(state[1] - loss) < eps:
                return raw, "eps", None
            if np.linalg.norm(state[0]) > bound:
                return raw, "diverged", "blowup"
        return raw, "max_iter", None


def _evaluate(f, g, x):
    import numpy as np

    try:
        loss = f(*x)
        grad = g(*x)
    except (OverflowError, ZeroDivisionError, ValueError):
        return x, float("inf"), np.full_like(x, np.inf)
    loss = complex(loss)
    grad = np.asarray(grad, dtype=complex).reshape(x.shape)
    if loss.imag != 0 or np.any(grad.imag != 0):  # left the real domain of L
        return x, float("nan"), np.full_like(x, np.nan)
    return x, loss.real, grad.real.astype(float)


def _problem(state) -> str | None:
    import numpy as np

    x, loss, grad = state
    values = np.concatenate([x, [loss], grad])
    if np.all(np.isfinite(values)):
        return None
    return "undefined" if np.any(np.isnan(values)) else "overflow"


def _steps(names, raw) -> tuple[Step, ...]:
    steps = []
    for k, (x, loss, grad) in enumerate(raw):
        change = abs(raw[k + 1][1] - loss) if k + 1 < len(raw) else None
        steps.append(Step(k, _named(names, x), float(loss), _named(names, grad), change))
    return tuple(steps)


def _named(names, values) -> dict[str, float]:
    return {name: float(v) for name, v in zip(names, values)}


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return sum(a[n] * b[n] for n in a)


def _point_text(names, x) -> str:
    return ", ".join(f"{n} = {v:g}" for n, v in zip(names, x))
