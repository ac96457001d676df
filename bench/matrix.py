"""Matrix calculus: time per gradient with steps, against SymPy's MatrixSymbol diff in the same run.

    python bench/matrix.py

For each case where SymPy answers, prints the median time of ``matrix_gradient``
(parse, shapes, gradient with steps and the text of each step) and of
``MatrixExpr.diff`` on the same expression built from MatrixSymbols, and their ratio.
"""
from __future__ import annotations

import statistics
import time

import sympy

from derivtutor.matrix.api import matrix_gradient
from derivtutor.matrix.report import step_dicts

REPEATS = 15


def _sympy_cases():
    n, d, k = sympy.symbols("n d k", integer=True, positive=True)
    X, w, y = sympy.MatrixSymbol("X", n, d), sympy.MatrixSymbol("w", d, 1), sympy.MatrixSymbol("y", n, 1)
    A, x = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("x", n, 1)
    W, B = sympy.MatrixSymbol("W", n, d), sympy.MatrixSymbol("B", n, d)
    lam = sympy.Symbol("lambda")
    return [
        ("||Xw - y||^2", "w", "X=n,d; w=d; y=n", lambda: ((X * w - y).T * (X * w - y)).diff(w)),
        ("||Xw - y||^2 + lambda ||w||^2", "w", "X=n,d; w=d; y=n; lambda=1",
         lambda: ((X * w - y).T * (X * w - y) + lam * w.T * w).diff(w)),
        ("x^T A x", "x", "A=n,n; x=n", lambda: (x.T * A * x).diff(x)),
        ("trace(W^T B)", "W", "W=n,d; B=n,d", lambda: sympy.Trace(W.T * B).diff(W)),
        ("trace(X^T X)", "X", "X=n,d", lambda: sympy.Trace(X.T * X).diff(X)),
    ]


OURS_ONLY = [
    ("sum(log(1 + exp(-y .* Xw)))", "w", "X=n,d; w=d; y=n"),
    ("logsumexp(Wx) - y^T W x", "W", "W=k,d; x=d; y=k"),
    ("1/2 ||sigmoid(U sigmoid(Vx + v) + u) - l||^2", "V", None),
]


def median_ms(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def ours(expr, wrt, shapes):
    g = matrix_gradient(expr, wrt, shapes)
    step_dicts(g)
    return g.text


def main() -> None:
    print(f"{'expression':48} {'ours ms':>8} {'sympy ms':>9} {'sympy/ours':>10}")
    ratios = []
    for expr, wrt, shapes, sym in _sympy_cases():
        ours(expr, wrt, shapes)  # warm
        sym()
        a, b = median_ms(lambda: ours(expr, wrt, shapes)), median_ms(sym)
        ratios.append(b / a)
        print(f"{expr + ' d' + wrt:48} {a:8.2f} {b:9.2f} {b / a:10.1f}")
    for expr, wrt, shapes in OURS_ONLY:
        ours(expr, wrt, shapes)
        print(f"{expr[:44] + ' d' + wrt:48} {median_ms(lambda: ours(expr, wrt, shapes)):8.2f} {'n/a':>9} {'':>10}")
    print(f"median ratio sympy/ours: {statistics.median(ratios):.1f}x (ours includes the steps)")


if __name__ == "__main__":
    main()
