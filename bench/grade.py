"""Grade a generated class: 500 students x 20 exercises = 10,000 answers.

The mix is what a real class hands in: most answers are correct and written in
a few common forms, many are the typical wrong forms (sign, missing factor,
the function itself), some are not readable, and 1% are hostile (huge powers,
very long or deeply nested input, code). The class is graded with --jobs 1
(the baseline) and --jobs 2, and the two gradebooks must be identical.

    python bench/grade.py [--students 500] [--exercises 20] [--repeat 1] [--seed 6]
    python bench/grade.py --randomised     # own variants of 20 randomised exercises vs the fixed bank

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

from derivtutor.grading import reports
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
    parser.add_argument("--randomised", action="store_true",
                        help="compare each student's own variants of randomised exercises with the fixed bank")
    args = parser.parse_args(argv)
    if args.randomised:
        return randomised_comparison(args)
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



# ----- randomised exercises against the fixed bank (python bench/grade.py --randomised) -----

def frozen_bank(exercises, folder: Path) -> Path:
    """The exercises as fixed files (each its default variant): the baseline's bank."""
    from derivtutor.course.variants import default_values, fill

    bank = folder / "fixed-bank"
    bank.mkdir()
    for ex in exercises:
        text = Path(ex.path).read_text(encoding="utf-8").split("[parameters]")[0]
        (bank / Path(ex.path).name).write_text(fill(text, default_values(ex)), encoding="utf-8")
    return bank


def personalise(rows, exercises, course_seed: str):
    """The same class, each answer rewritten for the student's own variant (same sort of answer)."""
    from derivtutor.course.variants import for_student

    base = {ex.id: answer_forms(ex) for ex in exercises}
    by_id, cache, out = {ex.id: ex for ex in exercises}, {}, []
    for student, exercise_id, answer in rows:
        mine = for_student(by_id[exercise_id], student, course_seed)
        key = (exercise_id, mine.get("variant"))
        if key not in cache:
            cache[key] = answer_forms(mine)
        (correct, wrong), (my_correct, my_wrong) = base[exercise_id], cache[key]
        if answer in correct:
            answer = my_correct[correct.index(answer)]
        elif answer in wrong:
            answer = my_wrong[wrong.index(answer)]
        else:  # personal forms embed the reference or a wrong answer; hostile and invalid ones stay
            for old, new in sorted(zip(correct + wrong, my_correct + my_wrong), key=lambda p: -len(p[0])):
                if old in answer:
                    answer = answer.replace(old, new)
                    break
        out.append((student, exercise_id, answer))
    return out


def randomised_comparison(args) -> int:
    """500 students x 20 randomised exercises: each student's own variants against the fixed bank."""
    from derivtutor.course.variants import is_randomised

    bank = load_exercises()
    exercises = [ex for ex in bank.values() if is_randomised(ex) and ex.kind == "derivative"][: args.exercises]
    rows = make_class(args.students, exercises, args.seed)
    own = personalise(rows, exercises, "bench")
    print(f"randomised: {args.students} students x {len(exercises)} exercises = {len(rows)} answers; distinct "
          f"(exercise, answer): fixed {len({(e, normalise(a)) for _, e, a in rows})}, "
          f"own variants {len({(e, normalise(a)) for _, e, a in own})}")
    times = {"fixed": [], "randomised": []}
    with tempfile.TemporaryDirectory() as folder:
        fixed_bank, folder = frozen_bank(exercises, Path(folder)), Path(folder)
        (folder / "f").mkdir(), (folder / "r").mkdir()
        fixed_csv, own_csv = write_csv(rows, folder / "f"), write_csv(own, folder / "r")
        for _ in range(args.repeat):
            for name, path, options in (("fixed", fixed_csv, {"exercises_dir": fixed_bank}),
                                        ("randomised", own_csv, {"seed": "bench"})):
                start = time.perf_counter()
                report = grade_file(path, jobs=2, progress=False, **options)
                times[name].append(time.perf_counter() - start)
                verdicts = {}
                for item in report.items:
                    verdicts[item.verdict] = verdicts.get(item.verdict, 0) + 1
                print(f"  {name:<10} {times[name][-1]:.2f} s, {len(rows) / times[name][-1]:.0f} answers/s  {verdicts}")
    fixed, own_time = statistics.median(times["fixed"]), statistics.median(times["randomised"])
    ratio = own_time / fixed
    print(f"--jobs 2: fixed bank {len(rows) / fixed:.0f} answers/s, own variants {len(rows) / own_time:.0f} answers/s; "
          f"randomised / fixed time: {ratio:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
