"""Benchmark: the calculus features against their baselines, measured in the same run.

- gradient/Hessian with steps against sympy.diff of every entry (plus sympy.simplify);
- a gradient answer checked component by component (with the swap search on a wrong
  answer) against one check_answer per component;
- the derivative of order 5 with steps against sympy.diff(f, x, 5) + sympy.simplify.

Prints the median time per case and the ratio to the baseline.

    python bench/calculus.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import time

import sympy
from sympy.core.cache import clear_cache

from derivtutor.checking.checker import check_answer
from derivtutor.checking.vectors import check_gradient
from derivtutor.input.parsing import parse
from derivtutor.steps.multivariate import gradient, hessian, higher_order

FIELDS = ["(x - 3)^2 + 2(y + 2)^2", "1 + e^(w1 x + w0)", "x^2 y^3 + sin(x y)", "relu(w x + b) + softplus(x y)"]
GRADIENT_ANSWERS = [("x^2 y", "(2xy, x^2)"), ("x^2 y", "(x^2, 2xy)"), ("(x - 3)^2 + 2(y + 2)^2", "(2(x-3), 4(y+2))")]
ORDER_FUNCTIONS = ["x^3 sin x", "e^(x^2)", "x/(x^2 + 1)", "sigmoid(2x)"]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _entries(expr, xs, second: bool):
    for a in xs:
        first = sympy.simplify(sympy.diff(expr, a))
        for b in xs if second else ():
            sympy.simplify(sympy.diff(first, b))


def report(name: str, ours: list[float], base: list[float]) -> None:
    m, b = statistics.median(ours), statistics.median(base)
    print(f"{name:34s} ours {1000 * m:8.1f} ms   baseline {1000 * b:8.1f} ms   ratio {m / b:5.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings per case (median taken)")
    args = ap.parse_args(argv)
    r = args.repeat
    exprs = [parse(t) for t in FIELDS]
    for name, build, second in (("gradient with steps", gradient, False), ("Hessian with steps", hessian, True)):
        ours = [median_time(lambda e=e: build(e), r) for e in exprs]
        base = [median_time(lambda e=e: _entries(e, sorted(e.free_symbols, key=str), second), r) for e in exprs]
        report(name, ours, base)
    ours, base = [], []
    for f, answer in GRADIENT_ANSWERS:
        ours.append(median_time(lambda: check_gradient(f, answer), r))
        parts = answer.strip("()").split(",")
        names = sorted(s.name for s in parse(f).free_symbols)
        base.append(median_time(lambda: [check_answer(f, p, v) for p, v in zip(parts, names)], r))
    report("gradient check (per component)", ours, base)
    ours = [median_time(lambda t=t: higher_order(parse(t), "x", 5), r) for t in ORDER_FUNCTIONS]
    base = [median_time(lambda t=t: sympy.simplify(sympy.diff(parse(t), sympy.Symbol("x"), 5)), r)
            for t in ORDER_FUNCTIONS]
    report("order 5 with steps", ours, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
