"""Latency of ``check_answer`` against a naive ``sympy.simplify(expected - answer) == 0``.

The corpus: for each of 20 functions (the course's seed exercises first), correct
answers in several forms (plain and LaTeX), typical wrong answers (the mistake
candidates, -f', 2f') and invalid ones -- well over 200 answers.

    python bench/check.py [--naive-limit SECONDS]

"Warm" means each exercise has been checked once (reference derivative, rule tree,
mistake candidates and sample points cached); every corpus answer is then timed once.
A second median clears the compiled-expression cache before every answer, so the
answer's own compilation is always paid. The naive check parses with the same
parser and runs ``sympy.simplify`` under a time limit (a time-out counts as the
limit). Both run in this process, in this run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

FUNCTIONS = (
    "tg x^2", "arctg^2 x^3", "ln cos^2(sin sqrt x)", "sigmoid(x)", "1/(1+e^(-x))",
    "x^3", "sin(x^3)", "x^2 sin x", "sin(x)/x", "e^(x^2)", "ln(x^2+1)", "sqrt(1+x^2)",
    "cos(2x)", "3*2^x", "x e^x", "th(x)", "(x^2+1)^5", "arctg(x)/x", "ln(cos x)", "sin x cos x",
)
HOSTILE = (
    "__import__('os').system('ls')", "2^2^2^2^2^2", "1e999999", "((((((((((((((((((((x" + ")" * 20,
    "diff(x^2, x)", "0/0", "x +* 2", "lambda: 1", "x^(10^100)", "", "sin(", "exec(1)",
)


def build_corpus() -> list[tuple[str, str]]:
    import sympy

    from derivtutor.mistakes import candidates, show
    from derivtutor.parsing import parse

    corpus = []
    for i, text in enumerate(FUNCTIONS):
        f = parse(text)
        x = sympy.Symbol("x")
        d = sympy.diff(f, x)
        forms = {show(d), show(sympy.simplify(d)), sympy.latex(d), show(sympy.expand(d))}
        corpus += [(text, a) for a in sorted(forms)]
        wrong = [show(m.expr) for m in candidates(f, x)][:6] + [show(-d), show(2 * d)]
        corpus += [(text, a) for a in wrong]
        corpus += [(text, HOSTILE[(2 * i + k) % len(HOSTILE)]) for k in range(3)]
    return corpus


def time_ours(corpus, clear_compiled: bool) -> tuple[list[float], dict]:
    from derivtutor.checking import check_answer
    from derivtutor.numeric import compile_expr, float_compile

    times, verdicts = [], []
    for function, answer in corpus:
        if clear_compiled:
            compile_expr.cache_clear()
            float_compile.cache_clear()
        t0 = time.perf_counter()
        result = check_answer(function, answer)
        times.append(time.perf_counter() - t0)
        verdicts.append(result.verdict)
    return times, verdicts


def time_naive(corpus, limit: float) -> tuple[list[float], dict]:
    import sympy

    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.parsing import ParseError, parse

    times, verdicts = [], []
    for function, answer in corpus:
        t0 = time.perf_counter()
        try:
            with time_limit(limit):
                expected = sympy.diff(parse(function), sympy.Symbol("x"))
                verdict = "correct" if sympy.simplify(expected - parse(answer)) == 0 else "incorrect"
        except ParseError:
            verdict = "invalid"
        except TimeLimitExceeded:
            verdict = "timeout"
        times.append(time.perf_counter() - t0)
        verdicts.append(verdict)
    return times, verdicts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--naive-limit", type=float, default=5.0, help="seconds per naive check (default 5)")
    args = ap.parse_args(argv)
    from derivtutor.checking import check_answer

    corpus = build_corpus()
    kinds = {"correct": 0, "incorrect": 0, "invalid": 0}
    for function in FUNCTIONS:  # warm the per-exercise caches with an answer not in the corpus
        check_answer(function, "0")
    ours, verdicts = time_ours(corpus, clear_compiled=False)
    ours_cold, _ = time_ours(corpus, clear_compiled=True)
    for v in verdicts:
        kinds[v] += 1
    naive, naive_verdicts = time_naive(corpus, args.naive_limit)
    med, med_cold, med_naive = (statistics.median(t) * 1e3 for t in (ours, ours_cold, naive))
    print(f"corpus: {len(corpus)} answers over {len(FUNCTIONS)} functions "
          f"({kinds['correct']} correct, {kinds['incorrect']} incorrect, {kinds['invalid']} invalid)")
    print(f"check_answer median (warm):                       {med:8.2f} ms")
    print(f"check_answer median (warm, answer compile cold):  {med_cold:8.2f} ms")
    print(f"check_answer p90 / max (warm):                    {_pct(ours, 0.9):8.2f} / {max(ours) * 1e3:.2f} ms")
    print(f"naive simplify(expected - answer) == 0 median:    {med_naive:8.2f} ms")
    print(f"ratio naive / ours (medians): {med_naive / med:.0f}x warm, {med_naive / med_cold:.0f}x answer-cold")
    parsed = [i for i, v in enumerate(naive_verdicts) if v in ("correct", "incorrect")]
    differ = [i for i in parsed if naive_verdicts[i] != verdicts[i]]
    timeouts = naive_verdicts.count("timeout")
    print(f"naive check timed out on {timeouts}; verdicts differ on {len(differ)} of {len(parsed)} parsed answers")
    for i in differ:
        function, answer = corpus[i]
        print(f"  {function!r:>24} | {answer!r}: ours {verdicts[i]}, naive {naive_verdicts[i]}")
    return 0


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


if __name__ == "__main__":
    sys.exit(main())
