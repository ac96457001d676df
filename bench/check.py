"""Latency of ``check_answer`` against a naive ``sympy.simplify(expected - answer) == 0``.

The corpus: for each of 20 functions (the course's seed exercises first), correct
answers in several forms (rewritten by SymPy, plus hand-written student forms of the
seed exercises, plain and LaTeX), typical wrong answers (the mistake candidates,
-f', 2f'), adversarial wrong ones (tests/verdict_corpus.py: tiny constants, narrow
bumps, far steps, products of (x - p), ...) and invalid ones -- well over 400 answers.
For ours and for the naive check it prints median, p90, p99 and max latency, and how
many answers the symbolic stage had to decide (ours: numbers agreed but could not be
trusted; naive: every parsed answer) and how many it did decide.

    python bench/check.py [--naive-limit SECONDS] [--naive-workers N] [--no-naive] [--no-cold]

"Warm" means each exercise has been checked once (reference derivative, rule tree,
mistake candidates and sample points cached); every corpus answer is then timed once,
in this process, one after another, each new to the check: the answers of the corpus are
distinct, and the checker's result caches (the verdict cache after parsing,
``checking.memo``, and the parse cache of ``input.parsing``) are emptied before every
timed answer, outside its timing, so no timed answer is a cache hit.
A second median clears the compiled-expression cache before every answer, so the
answer's own compilation is always paid.

The naive check is bounded so that the run ends in a few minutes: it parses with the
same parser, the same answers, in ``--naive-workers`` child processes (default 2),
each answer under its own ``time_limit`` of ``--naive-limit`` seconds (default 2 s,
the limit ours runs under); a time-out counts as the limit, so its p90/p99/max are a
lower bound of what unbounded ``simplify`` would take. It runs after ours, never at
the same time, and its times are per answer inside the worker (no pool overhead).
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
    from derivtutor.checking import memo
    from derivtutor.checking.checker import check_answer
    from derivtutor.checking.numeric import compile_expr, float_compile
    from derivtutor.input.parsing import _parse_cached

    times, verdicts = [], []
    for function, answer in corpus:
        memo.clear()  # no timed answer is a result-cache hit (see the module docstring)
        _parse_cached.cache_clear()
        if clear_compiled:
            compile_expr.cache_clear()
            float_compile.cache_clear()
        t0 = time.perf_counter()
        result = check_answer(function, answer)
        times.append(time.perf_counter() - t0)
        verdicts.append(result.verdict)
    return times, verdicts


def _naive_one(job: tuple[str, str, float]) -> tuple[float, str]:
    """One naive check in a pool worker: (seconds, verdict); a time-out counts at the limit."""
    import sympy

    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.input.parsing import ParseError, parse

    function, answer, limit = job
    t0 = time.perf_counter()
    try:
        with time_limit(limit):
            expected = sympy.diff(parse(function), sympy.Symbol("x"))
            verdict = "correct" if sympy.simplify(expected - parse(answer)) == 0 else "incorrect"
    except ParseError:
        verdict = "invalid"
    except TimeLimitExceeded:
        return limit, "timeout"
    except Exception:  # noqa: BLE001 -- SymPy failing on an odd tree: the naive check has no answer
        verdict = "error"
    return min(time.perf_counter() - t0, limit), verdict


def time_naive(corpus, limit: float, workers: int) -> tuple[list[float], list[str]]:
    """The naive check over the corpus in ``workers`` child processes (same parser, same answers).

    A worker stuck in one long C call past its limit would stall the run: after
    ``limit`` + 30 s without a result the pool is shut down and every answer still
    unanswered counts as a time-out at the limit.
    """
    from concurrent.futures import ProcessPoolExecutor, TimeoutError as PoolTimeout

    times, verdicts = [limit] * len(corpus), ["timeout"] * len(corpus)
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(_naive_one, (f, a, limit)) for f, a in corpus]
        for i, fut in enumerate(futures):
            try:
                times[i], verdicts[i] = fut.result(timeout=limit + 30)
            except PoolTimeout:
                break
    finally:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()  # only this pool's own workers
        pool.shutdown(wait=False, cancel_futures=True)
    return times, verdicts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--naive-limit", type=float, default=2.0,
                    help="seconds per naive check; a time-out counts as this (default 2, ours' own limit)")
    ap.add_argument("--naive-workers", type=int, default=2, help="child processes for the naive check (default 2)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    ap.add_argument("--no-cold", action="store_true", help="skip the answer-compile-cold pass")
    args = ap.parse_args(argv)
    from derivtutor.checking.checker import check_answer

    corpus = build_corpus()
    for function in FUNCTIONS:  # warm the per-exercise caches with an answer not in the corpus
        check_answer(function, "0")
    symbolic = _count_symbolic_stage()
    ours, verdicts = time_ours(corpus, clear_compiled=False)
    stage = dict(symbolic)
    ours_cold = None if args.no_cold else time_ours(corpus, clear_compiled=True)[0]
    kinds = {k: verdicts.count(k) for k in ("correct", "incorrect", "invalid")}
    print(f"corpus: {len(corpus)} answers over {len(FUNCTIONS)} functions "
          f"({kinds['correct']} correct, {kinds['incorrect']} incorrect, {kinds['invalid']} invalid)")
    _latency("ours (check_answer, warm)", ours)
    if ours_cold is not None:
        print(f"ours median with the answer's compile cold: {statistics.median(ours_cold) * 1e3:.2f} ms")
    print(f"ours: the symbolic stage ran for {stage['n']} of {len(corpus)} answers and decided "
          f"{stage['n'] - stage['undecided']} ({stage['symbolic']} proved equal, {stage['numeric']} refuted "
          f"by the deeper search, {stage['undecided']} undecided); checks over 2 s: {sum(t > 2.0 for t in ours)}")
    by_kind = {k: [i for i, v in enumerate(verdicts) if v == k] for k in kinds}
    for kind, idx in by_kind.items():
        if idx:
            print(f"  ours {kind:<10} n={len(idx):<4} median {statistics.median(ours[i] for i in idx) * 1e3:7.2f} ms")
    if args.no_naive:
        return 0
    t0 = time.perf_counter()
    naive, naive_verdicts = time_naive(corpus, args.naive_limit, args.naive_workers)
    wall = time.perf_counter() - t0
    timeouts = naive_verdicts.count("timeout")
    _latency(f"naive simplify(expected - answer) == 0 (limit {args.naive_limit:g} s)", naive)
    decided = sum(v in ("correct", "incorrect") for v in naive_verdicts)
    print(f"naive: every parsed answer goes to the symbolic stage; it decided {decided} of {len(corpus)}, "
          f"timed out on {timeouts} (counted at the limit), {naive_verdicts.count('error')} SymPy errors; "
          f"{wall:.0f} s wall in {args.naive_workers} processes")
    med, med_naive = statistics.median(ours) * 1e3, statistics.median(naive) * 1e3
    print(f"ratio naive / ours: medians {med_naive / med:.0f}x, totals {sum(naive) / sum(ours):.0f}x "
          f"(ours {sum(ours):.2f} s, naive {sum(naive):.2f} s of check time)")
    for kind, idx in by_kind.items():
        if idx:
            a, b = (statistics.median(t[i] for i in idx) * 1e3 for t in (ours, naive))
            print(f"  {kind:<10} n={len(idx):<4} ours {a:7.2f} ms / naive {b:8.2f} ms  ({b / a:.0f}x)")
    seeds = [i for i, (f, _) in enumerate(corpus) if f in FUNCTIONS[:N_SEEDS]]
    a, b = (statistics.median(t[i] for i in seeds) * 1e3 for t in (ours, naive))
    print(f"the {N_SEEDS} seed exercises only: n={len(seeds)}, ours {a:.2f} ms / naive {b:.2f} ms ({b / a:.0f}x)")
    parsed = [i for i, v in enumerate(naive_verdicts) if v in ("correct", "incorrect")]
    differ = [i for i in parsed if naive_verdicts[i] != verdicts[i]]
    print(f"verdicts differ on {len(differ)} of the {len(parsed)} answers the naive check decided")
    for i in differ:
        function, answer = corpus[i]
        print(f"  {function!r:>24} | {answer!r}: ours {verdicts[i]}, naive {naive_verdicts[i]}")
    return 0


def _latency(label: str, times: list[float]) -> None:
    print(f"{label}: median {statistics.median(times) * 1e3:.2f} ms, p90 {_pct(times, 0.9):.2f} ms, "
          f"p99 {_pct(times, 0.99):.2f} ms, max {max(times) * 1e3:.2f} ms")


def _count_symbolic_stage() -> dict:
    """Count calls of the symbolic stage by outcome (the bench wraps it; the checker is unchanged)."""
    from derivtutor.checking import equivalence

    counter = {"n": 0, "symbolic": 0, "numeric": 0, "undecided": 0}
    inner = equivalence._decide_symbolically

    def counted(*args, **kwargs):
        result = inner(*args, **kwargs)
        counter["n"] += 1
        counter[result.method if result.method in counter else "undecided"] += 1
        return result

    equivalence._decide_symbolically = counted
    return counter


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


if __name__ == "__main__":
    sys.exit(main())
