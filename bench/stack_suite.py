"""Run the equivalence engine over STACK's answer-test fixtures and report agreement.

Reads ../shared/bench/stack_equivalence.jsonl (relative to the repository root; never
copied into the repository). For each row both expressions go through the safe parser
and ``derivtutor.checking.equivalence.compare``; rows whose text the parser rejects are "unparsed".

    python bench/stack_suite.py [--verbose]

Prints agreement on parsed rows, false "equivalent" (the worst error), false
"different", unparsed rows, and the rows that differ by a documented policy.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "bench" / "stack_equivalence.jsonl"

#: Rows where derivtutor's documented policy gives another verdict than STACK's
#: expected one, and why (see the README section on the answer checker).
POLICY = {
    "stack-AlgEquiv-5": "x1 and x_1 are one symbol, so plain w1 and LaTeX w_1 agree",
    "stack-AlgEquiv-95": "a1 and a_1 are one symbol, so plain w1 and LaTeX w_1 agree",
    "stack-AlgEquiv-31": "decimals are exact: 4.52*10^2 is exactly 452",
    "stack-AlgEquiv-42": "decimals are exact: 100.4-80.0 is exactly 20.4",
    "stack-AlgEquiv-36": "decimals are exact: 0.99999999 is not 99999998/99999999",
    "stack-AlgEquiv-98": "letters are real, not positive: sqrt(k/m)*sqrt(m/k) = -1 when k/m < 0",
    "stack-AlgEquiv-159": "letters are real, not positive: log_a(a^x) is not real when a < 0",
    "stack-AlgEquiv-91": "principal branches: ((x-2)^3)^k differs from (x-2)^(3k) at x < 2, k = 1/3",
    "stack-AlgEquiv-126": "principal branches: (-1)^n cos(x)^n differs from (-cos x)^n at cos x < 0, n = 1/2",
}

#: Rows whose expected verdict we believe records STACK's behaviour, not the mathematics.
DISPUTED = {
    "stack-AlgEquiv-156": "log|x^2-9| = log|x-3| + log|x+3| at every real x other than 3 and -3",
}


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def judge(row: dict):
    """True/False/None (undecided) for a row, or raise ParseError."""
    from derivtutor.budget import time_limit
    from derivtutor.checking.equivalence import compare
    from derivtutor.input.parsing import parse

    variables = [row["variable"]] if row.get("variable") else None
    teacher = parse(row["teacher"], "plain", variables)
    student = parse(row["student"], "plain", variables)
    extra = (__import__("sympy").Symbol(row["variable"]),) if row.get("variable") else ()
    with time_limit(2.0):
        return compare(teacher, student, extra).equal


def report(rows, counts, disagreements, times) -> None:
    """Print agreement, the kinds of error and every disagreeing row with its reason."""
    parsed = len(rows) - counts["unparsed"]
    print(f"rows: {len(rows)}, parsed: {parsed}, unparsed: {counts['unparsed']}")
    print(f"agreement on parsed rows: {counts['agree']}/{parsed} = {counts['agree'] / max(parsed, 1):.1%}")
    policy = sum(1 for r, _ in disagreements if r["id"] in POLICY)
    print(f"agreement on parsed rows outside documented policy differences: "
          f"{counts['agree']}/{parsed - policy} = {counts['agree'] / max(parsed - policy, 1):.1%}")
    policy_eq = sum(1 for r, k in disagreements if k == "false_equivalent" and r["id"] in POLICY)
    disputed_eq = sum(1 for r, k in disagreements if k == "false_equivalent" and r["id"] in DISPUTED)
    print(f"false 'equivalent': {counts['false_equivalent']} ({policy_eq} by documented policy, "
          f"{disputed_eq} disputed, {counts['false_equivalent'] - policy_eq - disputed_eq} otherwise)")
    print(f"false 'different': {counts['false_different']}; undecided: {counts['undecided']}")
    times.sort()
    if times:
        print(f"median time per parsed row: {times[len(times) // 2] * 1e3:.2f} ms")
    print("\ndisagreements:")
    for row, kind in disagreements:
        why = POLICY.get(row["id"]) or DISPUTED.get(row["id"], "not a documented policy")
        why = ("policy: " if row["id"] in POLICY else "disputed: " if row["id"] in DISPUTED else "") + why
        print(f"  {row['id']:<20} {kind:<17} {row['student']!r} vs {row['teacher']!r}: {why}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    from derivtutor.budget import TimeLimitExceeded
    from derivtutor.input.parsing import ParseError

    rows = load(args.data)
    counts = {"agree": 0, "false_equivalent": 0, "false_different": 0, "undecided": 0, "unparsed": 0}
    disagreements, unparsed = [], []
    times = []
    for row in rows:
        t0 = time.perf_counter()
        try:
            verdict = judge(row)
        except ParseError as exc:
            counts["unparsed"] += 1
            unparsed.append((row["id"], exc.code))
            continue
        except TimeLimitExceeded:
            verdict = None
        times.append(time.perf_counter() - t0)
        if verdict is None:
            counts["undecided"] += 1
            disagreements.append((row, "undecided"))
        elif verdict == row["equivalent"]:
            counts["agree"] += 1
        else:
            kind = "false_equivalent" if verdict else "false_different"
            counts[kind] += 1
            disagreements.append((row, kind))
    report(rows, counts, disagreements, times)
    if args.verbose:
        print("\nunparsed:")
        for rid, code in unparsed:
            print(f"  {rid:<20} {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
