"""Pictures of gradient descent, drawn with matplotlib (the optional ``plot`` extra).

matplotlib is imported only when a picture is asked for, and only through its
object-oriented API on the Agg canvas: no pyplot, no global backend switch, so
plotting works on a server and leaves a Jupyter session's backend alone.
Without matplotlib every function raises ``PlotUnavailable``, whose message
names the extra to install.

>>> import sympy
>>> from derivtutor.descent.lab import descend
>>> w = sympy.Symbol("w")
>>> path = plot_traces([descend(w**2 + 12, {"w": 5}, lr=0.1)], "/tmp/doctest-descent.png")
>>> path.endswith(".png")
True
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

#: Steps of a path drawn on the function's picture (later steps crowd the minimum).
PATH_STEPS = 60
#: Grid points per axis for curves and contours.
GRID = 200
#: Steps of a diverging run that the picture frames.
DIVERGING_STEPS = 4
DPI = 100


class PlotUnavailable(RuntimeError):
    """matplotlib is missing; ``render(lang)`` says how to install the plot extra."""

    code = "descent.plot-unavailable"

    def render(self, lang: str = "en") -> str:
        from derivtutor.catalogue import message

        return message(self.code, lang)


def require_matplotlib() -> None:
    """Raise PlotUnavailable now, before any work, if plots cannot be drawn."""
    _figure_class()


def _figure_class():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(PlotUnavailable().render("en")) from None

    def new_figure(width: float, height: float):
        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        return fig

    return new_figure


def plot_traces(traces: Sequence, path: str) -> str:
    """Save ``traces_figure(traces)`` as a PNG at ``path``; returns the path."""
    return _save(traces_figure(traces), path)


def plot_loss_curves(curves: Sequence[tuple[str, Sequence[float]]], path: str, title: str = "") -> str:
    """Save ``loss_figure(curves, title)`` as a PNG at ``path``; returns the path."""
    return _save(loss_figure(curves, title), path)


def traces_figure(traces: Sequence):
    """The figure of descent runs on one loss: a curve, a contour, or loss curves.

    One variable: L(w) with each run's path, beside L_k against k.
    Two variables: the contour plot of L with each run's path.
    More: L_k against k only. Each run's path is one line labelled "lr = ...".
    """
    new_figure = _figure_class()
    n_vars = len(traces[0].variables)
    if n_vars == 1:
        fig = new_figure(10, 4.2)
        left, right = fig.subplots(1, 2)
        _draw_curve(left, traces)
        _draw_losses(right, traces)
    elif n_vars == 2:
        fig = new_figure(6, 6)
        _draw_contour(fig.subplots(), traces)
    else:
        fig = new_figure(6.4, 4.2)
        _draw_losses(fig.subplots(), traces)
    return fig


def loss_figure(curves: Sequence[tuple[str, Sequence[float]]], title: str = ""):
    """Loss per epoch, one line per (label, losses); epoch 0 is before training."""
    new_figure = _figure_class()
    fig = new_figure(6.4, 4.2)
    ax = fig.subplots()
    for label, losses in curves:
        finite = [v for v in losses if math.isfinite(v)]
        ax.plot(range(len(finite)), finite, marker="o", markersize=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if all(v > 0 for _, losses in curves for v in losses if math.isfinite(v)):
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


#: Markers and line styles cycled over runs, so that runs with equal losses stay visible.
STYLES = (("o", "-"), ("s", "--"), ("^", ":"), ("D", "-."), ("v", "-"), ("x", "--"))


def _style(i: int) -> dict:
    marker, linestyle = STYLES[i % len(STYLES)]
    return {"marker": marker, "linestyle": linestyle}


def _label(trace) -> str:
    return f"lr = {trace.lr:g}: {trace.behaviour}"


def _draw_curve(ax, traces) -> None:
    """L(w) over the range the (shown part of the) paths visit, with the paths on it."""
    import numpy as np

    name = traces[0].variables[0]
    shown = [trace.column(name)[:PATH_STEPS] for trace in traces]
    lo, hi = _window(_framed(traces, shown))
    w = np.linspace(lo, hi, GRID)
    L = _loss_grid(traces[0], w)
    ax.plot(w, L, color="0.35", linewidth=1.5, label="L")
    for i, (trace, column) in enumerate(zip(traces, shown)):
        losses = trace.losses()[: len(column)]
        ax.plot(column, losses, markersize=3, linewidth=0.8, label=_label(trace), **_style(i))
    ax.set_xlim(lo, hi)
    finite = L[np.isfinite(L)]
    if finite.size:
        span = finite.max() - finite.min()
        ax.set_ylim(finite.min() - 0.05 * span, finite.max() + 0.05 * span)
    ax.set_xlabel(name)
    ax.set_ylabel(f"L({name})")
    ax.set_title(_title(traces[0]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def _draw_losses(ax, traces) -> None:
    """L_k against k for every run, framed on the runs that do not diverge."""
    for i, trace in enumerate(traces):
        ax.plot([s.k for s in trace.steps], trace.losses(), markersize=3, linewidth=1, label=_label(trace), **_style(i))
    kept = [t for t in traces if t.behaviour != "diverges"]
    if kept:
        lo, hi = _window([v for t in kept for v in t.losses()])
        ax.set_ylim(lo, hi)
        ax.set_xlim(-1, 1 + max(t.final.k for t in kept))
    elif all(v > 0 for trace in traces for v in trace.losses()):
        ax.set_yscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("L_k")
    ax.set_title("L_k")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def _draw_contour(ax, traces) -> None:
    """Contours of L(x, y) with each run's path; the box fits the shown paths."""
    import numpy as np

    x_name, y_name = traces[0].variables
    xs = [trace.column(x_name)[:PATH_STEPS] for trace in traces]
    ys = [trace.column(y_name)[:PATH_STEPS] for trace in traces]
    x_lo, x_hi = _window(_framed(traces, xs))
    y_lo, y_hi = _window(_framed(traces, ys))
    # Equal spans, so the equal-aspect box is filled and circles look round.
    half = max(x_hi - x_lo, y_hi - y_lo) / 2
    x_mid, y_mid = (x_lo + x_hi) / 2, (y_lo + y_hi) / 2
    x_lo, x_hi, y_lo, y_hi = x_mid - half, x_mid + half, y_mid - half, y_mid + half
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, GRID), np.linspace(y_lo, y_hi, GRID))
    Z = _loss_grid(traces[0], X, Y)
    contours = ax.contour(X, Y, Z, levels=20, cmap="viridis", linewidths=0.8)
    ax.clabel(contours, fontsize=7, fmt="%.3g")
    for i, (trace, x, y) in enumerate(zip(traces, xs, ys)):
        ax.plot(x, y, markersize=3, linewidth=1, label=_label(trace), **_style(i))
        ax.plot(x[-1:], y[-1:], marker="*", markersize=11, color="crimson")
    ax.plot(xs[0][:1], ys[0][:1], marker="s", color="black", linestyle="none", label="start")
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("equal", adjustable="box")
    ax.set_title(_title(traces[0]))
    ax.legend(fontsize="small")


def _title(trace) -> str:
    from derivtutor.render.notation import course_str

    return "L = " + course_str(trace.loss_expr)


def _loss_grid(trace, *axes):
    """L evaluated on a grid; points outside its domain become NaN (blank)."""
    import warnings

    import numpy as np
    import sympy

    from derivtutor.functions import LAMBDIFY_MODULES

    symbols = [sympy.Symbol(n) for n in trace.variables]
    f = sympy.lambdify(symbols, trace.loss_expr, modules=LAMBDIFY_MODULES)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Z = np.broadcast_to(np.asarray(f(*axes), dtype=complex), axes[0].shape)
    return np.where(np.abs(Z.imag) > 0, np.nan, Z.real)


def _framed(traces, columns) -> list[float]:
    """The coordinates the picture must frame: every run that does not diverge.

    A diverging run would stretch the axes until the others vanish, so only its
    first steps are framed (it then leaves the frame, which is the point).
    """
    kept = [c if t.behaviour != "diverges" else c[:DIVERGING_STEPS] for t, c in zip(traces, columns)]
    return [v for c in kept for v in c]


def _window(values: Sequence[float]) -> tuple[float, float]:
    """A range around ``values`` with a margin (never empty)."""
    lo, hi = min(values), max(values)
    margin = 0.15 * (hi - lo) if hi > lo else max(1.0, abs(lo))
    return lo - margin, hi + margin


def _save(fig, path: str) -> str:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=DPI)
    return str(target)
