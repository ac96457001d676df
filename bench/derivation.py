"""Derivation checking speed: seconds per derivation and per line, against the answer checker.

    python bench/derivation.py [--repeats N]

For each of the bank's derivation exercises, the model derivation checked with
``check_derivation`` (median of N runs, the first cold), a one-wrong-line copy of
it (the last line doubled: the diagnosis path), and the baseline measured in the
same run: ``check_answer`` on the final answer alone. The ratio says what showing
the work costs over checking the answer; the budget is 2 s + 0.5 s per line.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    from derivtutor.checking.checker import check_answer
    from derivtutor.course.bank import load_exercises
    from derivtutor.derivation.checker import check_derivation

    print(f"{'exercise':32} {'lines':>5} {'correct s':>10} {'wrong s':>9} {'answer s':>9} {'ratio':>6}")
    ratios = []
    for ex in (e for e in load_exercises().values() if e.kind == "derivation"):
        text = ex.get("answer").strip()
        lines = [l for l in text.splitlines() if l.strip()]
        head, _, last = lines[-1].rstrip("\\ ").rpartition("=")
        wrong = "\n".join(lines[:-1] + [f"{head}= 2*({last})" if "\\" not in last else f"{head}= 2 \\cdot ({last})"])
        final = last.strip()
        right = _median(lambda: check_derivation(ex, text), args.repeats)
        bad = _median(lambda: check_derivation(ex, wrong), args.repeats)
        answer = _median(lambda: check_answer(ex.get("function"), final, ex.get("variable"),
                                              expected=ex.get("target")), args.repeats) \
            if not ex.get("definitions") else float("nan")
        ratio = right / answer if answer == answer else float("nan")
        if ratio == ratio:
            ratios.append(ratio)
        print(f"{ex.id:32} {len(lines):5d} {right:10.3f} {bad:9.3f} {answer:9.3f} {ratio:6.1f}")
    print(f"median ratio derivation / answer check: {statistics.median(ratios):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
