"""Benchmark: descend() (symbolic gradient, lambdified loop) against a SymPy-substitution loop.

The baseline is what a first attempt would write: w <- w - lr * grad.subs(w)
with SymPy floats, for the same losses, rates and number of steps. Both run in
this process; the script prints the median time per run and the ratio.

    python bench/descent.py [--repeat 5] [--steps 200]
"""
from __future__ import annotations

import argparse
import statistics
import time

import sympy

from derivtutor.descent.lab import descend, gradient
from derivtutor.input.parsing import parse

CASES = [
    ("w^2 + 12", {"w": 5}, 0.1),
    ("(x-3)^2 + 2(y+2)^2", {"x": 0, "y": 0}, 0.1),
    ("ln(1 + w^2) + sigmoid(w) (w - 1)^2", {"w": 2}, 0.05),
    ("exp(x y / 4) + sin(x) + y^4", {"x": 0.5, "y": 0.5}, 0.01),
]


def ours(expr, start, lr, steps):
    """The final point and the number of steps made (the stop rule can end a run early)."""
    final = descend(expr, start, lr, eps=1e-300, max_iter=steps, formulas=False).final
    return final.point, final.k


def baseline(expr, start, lr, steps):
    grad = gradient(expr)
    point = {sympy.Symbol(n): sympy.Float(v) for n, v in start.items()}
    for _ in range(steps):
        point = {s: point[s] - lr * grad[s.name].subs(point) for s in point}
    return {s.name: float(v) for s, v in point.items()}


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timings per case (median taken)")
    ap.add_argument("--steps", type=int, default=200, help="descent steps per run")
    args = ap.parse_args(argv)
    print(f"{'loss':40} {'steps':>6} {'descend (ms)':>13} {'subs loop (ms)':>15} {'ratio':>7}")
    ratios = []
    for text, start, lr in CASES:
        expr = parse(text)
        a, steps = ours(expr, start, lr, args.steps)
        b = baseline(expr, start, lr, steps)
        assert all(abs(a[n] - b[n]) <= 1e-9 * (1 + abs(b[n])) for n in a), (text, a, b)  # same numbers
        t_ours = median_time(lambda: ours(expr, start, lr, steps), args.repeat)
        t_base = median_time(lambda: baseline(expr, start, lr, steps), args.repeat)
        ratios.append(t_ours / t_base)
        print(f"{text:40} {steps:6d} {1e3 * t_ours:13.2f} {1e3 * t_base:15.2f} {t_ours / t_base:7.3f}")
    print(f"median ratio descend / subs loop over {len(CASES)} losses (at most {args.steps} steps): "
          f"{statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
