"""Benchmark: differentiate() (steps + simplification) against sympy.diff + sympy.simplify.

Runs both on every function of the test corpus (tests/corpus_functions.py), with
SymPy's cache cleared before each timing so neither side profits from the other,
and prints the median time per function and the ratio. Target: ratio <= 1.5.

    python bench/steps.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import sympy
from sympy.core.cache import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus_functions import CORPUS  # noqa: E402

from derivtutor.input.parsing import parse  # noqa: E402
from derivtutor.steps.engine import differentiate  # noqa: E402


def timed(fn) -> float:
    clear_cache()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings per function (median taken)")
    args = ap.parse_args(argv)

    ours, baseline, fallbacks = [], [], []
    for name, text, var in CORPUS:
        expr, x = parse(text), sympy.Symbol(var)
        t_ours, t_base = [], []
        for _ in range(args.repeat):
            t_ours.append(timed(lambda: differentiate(expr, x)))
            t_base.append(timed(lambda: sympy.simplify(sympy.diff(expr, x))))
        ours.append(statistics.median(t_ours))
        baseline.append(statistics.median(t_base))
        if differentiate(expr, x).contains_dont_know():
            fallbacks.append(name)

    med_ours, med_base = statistics.median(ours), statistics.median(baseline)
    print(f"functions: {len(CORPUS)}, repeats: {args.repeat}")
    print(f"differentiate()            median {med_ours * 1e3:8.2f} ms   total {sum(ours):7.2f} s")
    print(f"sympy.diff + simplify      median {med_base * 1e3:8.2f} ms   total {sum(baseline):7.2f} s")
    print(f"ratio (median)  {med_ours / med_base:.2f}x   ratio (total) {sum(ours) / sum(baseline):.2f}x   target <= 1.5x")
    slowest = sorted(zip(ours, (c[0] for c in CORPUS)), reverse=True)[:3]
    print("slowest: " + ", ".join(f"{n} {t * 1e3:.1f} ms" for t, n in slowest))
    print("fallback used by: " + (", ".join(fallbacks) if fallbacks else "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
