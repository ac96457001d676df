"""Grade a generated class: 500 students x 20 exercises = 10,000 answers.

The mix is what a real class hands in: most answers are correct and written in
a few common forms, many are the typical wrong forms (sign, missing factor,
the function itself), some are not readable, and 1% are hostile (huge powers,
very long or deeply nested input, code). The class is graded with --jobs 1
(the baseline) and --jobs 2, and the two gradebooks must be identical.

    python bench/grade.py [--students 500] [--exercises 20] [--repeat 1] [--seed 6]

Target: at least 500 answers/s with 2 workers (10,000 answers in 20 s or less).
"""
from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sympy

from derivtutor.grading.grader import reports
from derivtutor.course.bank import load_exercises
from derivtutor.grading.grader import grade_file, normalise
from derivtutor.input.parsing import parse

HOSTILE = [
    "9^9^9^9^9", "(x+1)^100000", "x" * 1900, "(" * 400 + "x" + ")" * 400, "__import__('os').system('ls')",
    "exp(exp(exp(exp(exp(exp(x))))))", "10^10^10", "sin(" * 150 + "x" + ")" * 150,
    "\\frac{1}{" * 60 + "x" + "}" * 60, "lambda: 0",
]
INVALID = ["", "cos(", "dunno", "2x +", "sin x)", "\\frac{1}{", "f'(x)", "x ** ** 2", "y' = ", "cos x * / 2"]
#: The mix: share of each sort of answer (the rest of 1.0 is correct answers in common forms).
#: "personal" answers are written in a student's own way (k*(A)/k, (A) + k), so they are
#: mostly distinct and the dedup cache cannot help with them.
JOBS = (1, 2)
MIX = {"hostile": 0.01, "invalid": 0.06, "wrong": 0.25, "personal": 0.10}


def pick_exercises(count: int) -> list:
    bank = load_exercises()
    usable = [ex for ex in bank.values() if ex.kind == "derivative" and ex.get("answer")]
    return sorted(usable, key=lambda ex: (ex.difficulty, ex.id))[:: max(1, len(usable) // count)][:count]


def answer_forms(exercise) -> tuple[list[str], list[str]]:
    """(correct spellings, typical wrong answers) of one derivative exercise."""
    reference = exercise.get("answer")
    function = parse(exercise.get("function"), syntax="plain")
    derivative = sympy.diff(function, sympy.Symbol(exercise.get("variable")))
    correct = [reference, reference.replace("*", " * "), str(derivative).replace("**", "^"), sympy.latex(derivative)]
    wrong = [f"-({reference})", exercise.get("function"), f"2*({reference})", f"({reference}) + 1", f"({reference})/x"]
    return correct, wrong


def _cumulative(mix: dict):
    total = 0.0
    for name, share in mix.items():
        total += share
        yield name, total


def make_class(students: int, exercises: list, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    forms = {ex.id: answer_forms(ex) for ex in exercises}
    rows = []
    for s in range(students):
        for ex in exercises:
            correct, wrong = forms[ex.id]
            roll, k = rng.random(), rng.randint(2, 60)
            sort = next((name for name, upto in _cumulative(MIX) if roll < upto), "correct")
            if sort == "hostile":
                answer = rng.choice(HOSTILE)
            elif sort == "invalid":
                answer = rng.choice(INVALID)
            elif sort == "wrong":
                answer = rng.choice(wrong)
            elif sort == "personal":
                answer = f"{k}*({correct[0]})/{k}" if rng.random() < 0.7 else f"({rng.choice(wrong)}) + {k}"
            else:  # the first spelling is the one most students write
                answer = correct[0] if rng.random() < 0.6 else rng.choice(correct)
            rows.append((f"student{s:04d}", ex.id, answer))
    return rows


def write_csv(rows, folder: Path) -> Path:
    path = folder / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "exercise", "answer"])
        writer.writerows(rows)
    return path


def timed_runs(path: Path, repeat: int) -> dict:
    """jobs -> (median wall time, last report); the configurations alternate, so a busy
    moment on a shared machine does not fall on one of them only."""
    times, last = {jobs: [] for jobs in JOBS}, {}
    for _ in range(repeat):
        for jobs in JOBS:
            start = time.perf_counter()
            last[jobs] = grade_file(path, jobs=jobs, progress=False)
            times[jobs].append(time.perf_counter() - start)
    return {jobs: (statistics.median(times[jobs]), last[jobs]) for jobs in JOBS}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--exercises", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    exercises = pick_exercises(args.exercises)
    rows = make_class(args.students, exercises, args.seed)
    distinct = len({(ex, normalise(a)) for _, ex, a in rows})
    print(f"class: {args.students} students x {len(exercises)} exercises = {len(rows)} answers, {distinct} distinct")
    with tempfile.TemporaryDirectory() as folder:
        results = timed_runs(write_csv(rows, Path(folder)), args.repeat)
    for jobs, (wall, report) in results.items():
        statuses = {}
        for item in report.items:
            statuses[item.status] = statuses.get(item.status, 0) + 1
        print(f"--jobs {jobs}: median wall {wall:.2f} s, {len(rows) / wall:.0f} answers/s  {statuses}")
        errors = sorted({item.reason for item in report.items if item.reason})
        if errors:
            print("  checker errors:", "; ".join(errors[:3]))
    same = all(reports.render(results[1][1], fmt) == reports.render(results[2][1], fmt) for fmt in reports.FORMATS)
    print(f"speed-up --jobs 2 / --jobs 1: {results[1][0] / results[2][0]:.2f}x")
    print(f"identical results for --jobs 1 and --jobs 2: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
