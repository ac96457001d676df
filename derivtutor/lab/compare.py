"""Comparing a student's array with the grader's, and naming the mistake when they differ.

The mistakes are data: each candidate is an array the grader computes for a
known wrong derivation (a backward without the upstream gradient, softmax's
derivative taken elementwise as p(1 - p), ...). A student's value that matches
none of them still gets its relative error.

>>> e = np.array([[1.0, 2.0, 0.5], [3.0, 4.0, -1.0]])
>>> compare(e + 1e-12, e)
(None, {})
>>> compare(e.T, e)[0], compare(3 * e, e, rows=3, loss=True, reduction="mean")[0]
('lab.transposed', 'lab.times-n-large')
"""
from __future__ import annotations

import numpy as np

#: Relative error below which a gradient matches its finite differences.
GRAD_TOL = 1e-5


def as_array(value):
    """``value`` as a float array, or None when it is no array of numbers."""
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def relative_error(s, e) -> float:
    scale = max(np.linalg.norm(s), np.linalg.norm(e), 1e-12)
    return float(np.linalg.norm(s - e) / scale)


def close(s, e, tol: float = GRAD_TOL) -> bool:
    return s.shape == e.shape and relative_error(s, e) <= tol


def _shaped(s, e, shapes):
    """``s`` in ``e``'s shape if its shape is accepted, else None."""
    accepted = [tuple(e.shape)] + [tuple(x) for x in shapes]
    return s.reshape(e.shape) if tuple(s.shape) in accepted else None


def _scale(s, e, rows: int, loss: bool, reduction: str | None):
    """A mistake that is a constant factor: (code, fields) or None."""
    denominator = float(np.sum(e * e))
    if denominator == 0:
        return None
    c = float(np.sum(s * e)) / denominator
    if np.linalg.norm(s - c * e) > 1e-4 * max(np.linalg.norm(s), 1e-12) or abs(c - 1) < 1e-6:
        return None
    if abs(c - rows) < 1e-4 * rows:
        if loss:
            return "lab.times-n-large" if reduction in ("mean", "half-mean", None) else "lab.times-n-large-sum", {}
        return "lab.scaled", {"factor": _number(c)}
    if abs(c - 1 / rows) < 1e-4 / rows:
        return ("lab.times-n-small" if loss else "lab.divided-by-batch"), {}
    if abs(c + 1) < 1e-4:
        return "lab.sign", {}
    return "lab.scaled", {"factor": _number(c)}


def _number(value: float) -> str:
    return f"{value:.3g}"


def compare(s, e, *, candidates: dict | None = None, shapes=(), rows: int = 1, loss: bool = False,
            reduction: str | None = None, missing_code: str = "lab.grad-missing"):
    """(None, {}) when the student's ``s`` matches the grader's ``e``, else (code, fields)."""
    if s is None:
        return missing_code, {}
    s = as_array(s)
    if s is None:
        return "lab.not-numbers", {}
    if not np.all(np.isfinite(s)):
        return "lab.not-finite", {}
    shaped = _shaped(s, e, shapes)
    if shaped is None:
        if s.ndim == 2 and s.T.shape == e.shape and close(s.T, e):
            return "lab.transposed", {"shape": _shape(s), "expected": _shape(e)}
        return "lab.wrong-shape", {"shape": _shape(s), "expected": _shape(e)}
    if close(shaped, e):
        return None, {}
    error = {"error": _number(relative_error(shaped, e))}
    if not np.any(shaped) and np.any(e):
        return "lab.grad-zero", error
    for code, candidate in (candidates or {}).items():
        if candidate is not None and close(shaped, np.reshape(candidate, e.shape), 1e-6):
            return code, error
    scaled = _scale(shaped, e, rows, loss, reduction)
    if scaled is not None:
        return scaled[0], {**error, **scaled[1]}
    return "lab.differs", error


def _shape(a) -> str:
    return "(" + ", ".join(str(n) for n in np.shape(a)) + ("," if np.ndim(a) == 1 else "") + ")"
