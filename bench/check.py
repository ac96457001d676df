"""Latency of ``check_answer`` against a naive ``sympy.simplify(expected - answer) == 0``.

The corpus: for each of 20 functions (the course's seed exercises first), correct
answers in several forms (rewritten by SymPy, plus hand-written student forms of the
seed exercises, plain and LaTeX), typical wrong answers (the mistake candidates,
-f', 2f'), adversarial wrong ones (tests/verdict_corpus.py: tiny constants, narrow
bumps, far steps, products of (x - p), ...) and invalid ones -- well over 400 answers.
It prints median, p90, p99 and max latency of ours and of the naive check, and how
many answers the symbolic stage had to decide (numbers agreed but could not be trusted).

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
N_SEEDS = 5  # the first FUNCTIONS are the course's seed exercises
#: Correct answers as students write them for the seed exercises (plain and LaTeX).
SEED_FORMS = {
    "tg x^2": ["2x/cos^2 x^2", "2x(1 + tg^2 x^2)", "2x sec(x^2)^2", r"\frac{2x}{\cos^2 x^2}",
               r"2x\left(1+\tan^2(x^2)\right)", "2x/(cos(x^2))^2"],
    "arctg^2 x^3": ["6x^2 arctg(x^3)/(1 + x^6)", "2 arctg(x^3) * 3x^2/(1 + (x^3)^2)",
                    r"\frac{6x^2\arctan(x^3)}{1+x^6}", r"2\,\mathrm{arctg}(x^3)\cdot\frac{3x^2}{1+(x^3)^2}"],
    "ln cos^2(sin sqrt x)": ["-tg(sin sqrt x) cos(sqrt x)/sqrt x",
                             "1/cos^2(sin sqrt x) * 2cos(sin sqrt x) * (-sin(sin sqrt x)) * cos(sqrt x)/(2 sqrt x)",
                             "-tg(sin(sqrt(x))) cos(sqrt(x)) x^(-1/2)",
                             r"-\frac{\tan(\sin\sqrt{x})\cos\sqrt{x}}{\sqrt{x}}"],
    "sigmoid(x)": ["sigmoid(x)(1 - sigmoid(x))", "e^(-x)/(1 + e^(-x))^2", "σ(x)(1-σ(x))",
                   r"\sigma(x)\left(1-\sigma(x)\right)", "e^x/(1+e^x)^2"],
    "1/(1+e^(-x))": ["sigmoid(x)(1 - sigmoid(x))", r"\frac{e^{-x}}{(1+e^{-x})^2}",
                     "1/(1+e^(-x)) - 1/(1+e^(-x))^2", "e^x/(1+e^x)^2", "1/(4 ch(x/2)^2)"],
}
HOSTILE = (
    "__import__('os').system('ls')", "2^2^2^2^2^2", "1e999999", "((((((((((((((((((((x" + ")" * 20,
    "diff(x^2, x)", "0/0", "x +* 2", "lambda: 1", "x^(10^100)", "", "sin(", "exec(1)",
)


def build_corpus() -> list[tuple[str, str]]:
    import sympy

    from derivtutor.checking.mistakes import candidates, show
    from derivtutor.input.parsing import parse

    import random
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "tests"))
    from verdict_corpus import wrong_answers

    rng = random.Random(7)
    corpus = []
    for i, text in enumerate(FUNCTIONS):
        f = parse(text)
        x = sympy.Symbol("x")
        d = sympy.diff(f, x)
        # Rewritten forms, so that the correct answers are not SymPy's own printout only.
        forms = {show(d), show(sympy.factor(d)), show(sympy.together(d)), show(d.rewrite(sympy.sin)),
                 show(sympy.expand(d)), sympy.latex(sympy.factor(d))}
        corpus += [(text, a) for a in sorted(forms) + SEED_FORMS.get(text, [])]
        wrong = [show(m.expr) for m in candidates(f, x)][:6] + [show(-d), show(2 * d)]
        corpus += [(text, a) for a in wrong]
        corpus += [(text, show(w)) for _, w in wrong_answers(d, rng)[::2]]
        corpus += [(text, HOSTILE[(2 * i + k) % len(HOSTILE)]) for k in range(3)]
    return corpus


def time_ours(corpus, clear_compiled: bool) -> tuple[list[float], dict]:
    from derivtutor.checking.checker import check_answer
    from derivtutor.checking.numeric import compile_expr, float_compile

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
    from derivtutor.input.parsing import ParseError, parse

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
    ap.add_argument("--no-cold", action="store_true", help="skip the answer-compile-cold pass")
    args = ap.parse_args(argv)
    from derivtutor.checking.checker import check_answer

    corpus = build_corpus()
    kinds = {"correct": 0, "incorrect": 0, "invalid": 0}
    for function in FUNCTIONS:  # warm the per-exercise caches with an answer not in the corpus
        check_answer(function, "0")
    symbolic = _count_symbolic_stage()
    ours, verdicts = time_ours(corpus, clear_compiled=False)
    decided_symbolically = symbolic["n"]
    ours_cold = ours if args.no_cold else time_ours(corpus, clear_compiled=True)[0]
    for v in verdicts:
        kinds[v] += 1
    naive, naive_verdicts = time_naive(corpus, args.naive_limit)
    med, med_cold, med_naive = (statistics.median(t) * 1e3 for t in (ours, ours_cold, naive))
    print(f"corpus: {len(corpus)} answers over {len(FUNCTIONS)} functions "
          f"({kinds['correct']} correct, {kinds['incorrect']} incorrect, {kinds['invalid']} invalid)")
    print(f"check_answer median (warm):                       {med:8.2f} ms")
    print(f"check_answer median (warm, answer compile cold):  {med_cold:8.2f} ms")
    print(f"check_answer p90 / p99 / max (warm):  {_pct(ours, 0.9):8.2f} / {_pct(ours, 0.99):.2f} / {max(ours) * 1e3:.2f} ms")
    print(f"naive simplify(expected - answer) == 0 median:    {med_naive:8.2f} ms")
    print(f"naive p90 / p99 / max:                {_pct(naive, 0.9):8.2f} / {_pct(naive, 0.99):.2f} / {max(naive) * 1e3:.2f} ms")
    print(f"answers the symbolic stage had to decide (warm run): {decided_symbolically} of {len(corpus)}; "
          f"checks over 2 s: {sum(t > 2.0 for t in ours)}")
    print(f"ratio naive / ours (medians): {med_naive / med:.0f}x warm, {med_naive / med_cold:.0f}x answer-cold")
    print(f"total time for the corpus: ours {sum(ours):.2f} s, naive {sum(naive):.2f} s "
          f"({sum(naive) / sum(ours):.0f}x)")
    print("by kind (ours / naive medians):")
    for kind in ("correct", "incorrect", "invalid"):
        idx = [i for i, v in enumerate(verdicts) if v == kind]
        if idx:
            a, b = (statistics.median(t[i] for i in idx) * 1e3 for t in (ours, naive))
            print(f"  {kind:<10} n={len(idx):<4} {a:7.2f} ms / {b:8.2f} ms  ({b / a:.0f}x)")
    seeds = [i for i, (f, _) in enumerate(corpus) if f in FUNCTIONS[:N_SEEDS]]
    a, b = (statistics.median(t[i] for i in seeds) * 1e3 for t in (ours, naive))
    print(f"the {N_SEEDS} seed exercises only: n={len(seeds)}, {a:.2f} ms / {b:.2f} ms ({b / a:.0f}x)")
    parsed = [i for i, v in enumerate(naive_verdicts) if v in ("correct", "incorrect")]
    differ = [i for i in parsed if naive_verdicts[i] != verdicts[i]]
    timeouts = naive_verdicts.count("timeout")
    print(f"naive check timed out on {timeouts}; verdicts differ on {len(differ)} of {len(parsed)} parsed answers")
    for i in differ:
        function, answer = corpus[i]
        print(f"  {function!r:>24} | {answer!r}: ours {verdicts[i]}, naive {naive_verdicts[i]}")
    return 0


def _count_symbolic_stage() -> dict:
    """Count calls of the symbolic stage (the bench wraps it; the checker is unchanged)."""
    from derivtutor.checking import equivalence

    counter = {"n": 0}
    inner = equivalence._decide_symbolically

    def counted(*args, **kwargs):
        counter["n"] += 1
        return inner(*args, **kwargs)

    equivalence._decide_symbolically = counted
    return counter


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


if __name__ == "__main__":
    sys.exit(main())
