"""Median parse time over a corpus of plain and LaTeX formulas.

The LaTeX figure is also given as a ratio against calling latex2sympy2_extended's
``latex2sympy`` directly on the same formulas, in the same run.

    python bench/parse.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import time

# (plain, LaTeX) spellings of the same inner arguments and outer functions.
INNER = [
    ("x", "x"), ("x^2", "x^{2}"), ("3x + 1", "3x + 1"), ("sqrt(x)", r"\sqrt{x}"),
    ("x^3 - 2x", "x^{3} - 2x"), ("1/x", r"\frac{1}{x}"), ("e^(-x)", "e^{-x}"),
    ("w1 x + w0", "w_{1} x + w_{0}"), ("2 x^(1/2)", r"2 x^{\frac{1}{2}}"), ("(x+1)(x-1)", "(x+1)(x-1)"),
]
OUTER = [
    ("sin({})", r"\sin\left({}\right)"), ("cos({})^2", r"\cos^{{2}}\left({}\right)"),
    ("tan({})", r"\tan\left({}\right)"), ("atan({})", r"\arctan\left({}\right)"),
    ("log({})", r"\ln\left({}\right)"), ("exp({})", r"e^{{{}}}"), ("sqrt({})", r"\sqrt{{{}}}"),
    ("1/(1 + {})", r"\frac{{1}}{{1 + {}}}"), ("({})^3", r"\left({}\right)^{{3}}"),
    ("x sin({})", r"x \sin\left({}\right)"), ("asin({})", r"\arcsin\left({}\right)"),
]


def corpus() -> list[tuple[str, str]]:
    pairs = [(o_p.format(i_p), o_l.format(i_l)) for (o_p, o_l), (i_p, i_l) in itertools.product(OUTER, INNER)]
    pairs += [
        ("arctg^2(x^3)", r"\arctg^2 x^3"), ("ln cos^2(sin sqrt x)", r"\ln \cos^2(\sin \sqrt{x})"),
        ("tg x^2", r"\tg x^2"), ("2x/cos(x^2)^2", r"\frac{2x}{\cos^2 x^2}"),
        ("sigmoid(x)(1 - sigmoid(x))", r"\sigma(x)(1-\sigma(x))"),
    ]
    return pairs


def median_time(fn, items, repeat: int) -> float:
    """Median seconds per item: each item timed ``repeat`` times, median of all.

    SymPy's cache is cleared before every call, so that a repeat measures
    parsing rather than a cache hit (for both parsers alike).
    """
    from sympy.core.cache import clear_cache

    times = []
    for item in items:
        for _ in range(repeat):
            clear_cache()
            start = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    from latex2sympy2_extended import latex2sympy

    from derivtutor.input.parsing import parse

    pairs = corpus()
    plain = [p for p, _ in pairs]
    latex = [lt for _, lt in pairs]
    standard = []  # the LaTeX that latex2sympy also reads (it has no \\tg, \\arctg, \\sigma)
    for p, lt in pairs:  # warm up, and make sure both spellings agree before timing them
        assert parse(p, syntax="plain") == parse(lt, syntax="latex"), (p, lt)
        try:
            latex2sympy(lt)
            standard.append(lt)
        except Exception:
            pass
    t_plain = median_time(lambda t: parse(t, syntax="plain"), plain, args.repeat)
    t_latex = median_time(lambda t: parse(t, syntax="latex"), latex, args.repeat)
    t_ours = median_time(lambda t: parse(t, syntax="latex"), standard, args.repeat)
    t_l2s = median_time(latex2sympy, standard, args.repeat)
    print(f"formulas: {len(pairs)} plain + {len(pairs)} LaTeX, {args.repeat} runs each")
    print(f"plain parse median:                  {t_plain * 1e3:8.3f} ms")
    print(f"LaTeX parse median:                  {t_latex * 1e3:8.3f} ms")
    print(f"on the {len(standard)} formulas latex2sympy reads:")
    print(f"  derivtutor LaTeX median:           {t_ours * 1e3:8.3f} ms")
    print(f"  latex2sympy (baseline) median:     {t_l2s * 1e3:8.3f} ms")
    print(f"  ratio derivtutor / latex2sympy:    {t_ours / t_l2s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
