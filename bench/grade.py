"""Grade generated classes: answers/s and peak memory at 10,000, 100,000 and 500,000 rows.

Besides wall time, each run reports the CPU seconds of the grader and of its workers:
on a shared machine the wall time follows the load, the CPU time much less.

The mix is what a real class hands in: most answers are correct and written in
a few common forms, many are the typical wrong forms (sign, missing factor,
the function itself), some are not readable, and 1% are hostile (huge powers,
very long or deeply nested input, code). Each class is written as a CSV file and
graded by the real CLI (``derivtutor grade FILE --out gradebook.csv``) in a child
process, which reports its wall time (after imports) and its peak memory: the
grader's own (VmHWM) and its largest worker's (RUSAGE_CHILDREN).

At 10,000 answers the baseline is --jobs 1, measured in the same run; --jobs 2
is compared with it, and the two gradebooks must be identical.

    python bench/grade.py [--students 500] [--exercises 20] [--repeat 1] [--seed 6]
    python bench/grade.py --randomised     # own variants of 20 randomised exercises vs the fixed bank

    python bench/grade.py [--sizes 10000,100000,500000] [--exercises 20] [--repeat 3] [--seed 6] [--stand-in]
    python bench/grade.py --sizes 10000 --baseline ../old   # and an older checkout's --jobs 2, same run

The class is graded on the exercises as fixed texts (a randomised one as its default
variant, ``--exercises`` a folder written for the run), which is what every student's
answers here are written for and what the throughput target was set on; ``--randomised``
measures what each student's own variants cost against that.

``--stand-in`` swaps the checker for one that costs nothing, to measure what
reading, storing and writing cost on their own (memory above all).

Targets: at least 5,000 answers/s with --jobs 2 on 10,000 answers; at most 250 MB
peak for the grader on 500,000 rows (about 45 MB of CSV).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy

from derivtutor.course.bank import load_exercises
from derivtutor.grading.grader import normalise
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
            rows.append((f"student{s:05d}@students.example.org", ex.id, answer))
    return rows


def write_csv(rows, folder: Path) -> Path:
    path = folder / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        # an LMS export: a submission time besides the three columns read (about 90 bytes a row)
        writer.writerow(["student", "exercise", "answer", "submitted"])
        writer.writerows((*row, f"2026-11-{1 + n % 30:02d}T{n % 24:02d}:{n % 60:02d}:00Z") for n, row in enumerate(rows))
    return path


#: Run in the child: grade through the CLI, then report time and peak memory as JSON.
CHILD = """
import importlib, json, resource, sys, time
import derivtutor.cli, sympy   # imports are not what is measured, nor the checkers' (numpy's), which
for name in ("derivtutor.grading.grader", "derivtutor.course.kinds",   # the grader imports before it forks
             "derivtutor.grading", "derivtutor.exercise_kinds"):     # (the names of an older --baseline tree)
    try:
        importlib.import_module(name)
    except ImportError:
        pass
argv = sys.argv[1:]
if argv[0] == "--stand-in":  # every answer "checked" at no cost: what the rest of the pipeline costs
    from derivtutor.course import bank
    sys.path.insert(0, argv[1])
    bank.KIND_CHECKERS["derivative"] = "grade:stand_in_check"
    argv = argv[2:]
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
start, grader_cpu, workers_cpu = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
code = derivtutor.cli.main(argv)
wall = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "wall": wall, "grader_mb": hwm / 1024, "worker_mb": workers / 1024,
                  "grader_cpu": cpu(resource.RUSAGE_SELF) - grader_cpu,
                  "workers_cpu": cpu(resource.RUSAGE_CHILDREN) - workers_cpu}))
"""


def stand_in_check(exercise, answer, lang="en", **options):
    """A checker that costs nothing (with --stand-in): correct when the answer is the reference."""
    from types import SimpleNamespace

    correct = answer == exercise.get("answer")
    return SimpleNamespace(verdict="correct" if correct else "incorrect", score=float(correct),
                           diagnosis=None, message="", expected=None)


def grade_in_child(path: Path, out: Path, jobs: int, stand_in: bool = False, extra: tuple = (),
                   tree: str | None = None) -> dict:
    """One graded run in a child; ``tree``: another checkout's folder, put first on its PYTHONPATH."""
    argv = ["grade", str(path), "--out", str(out), "--jobs", str(jobs), *extra]
    if stand_in:
        argv = ["--stand-in", str(Path(__file__).resolve().parent), *argv]
    env = dict(os.environ, PYTHONPATH=tree) if tree else None
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, check=True,
                          env=env, cwd=out.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def throughput(path: Path, folder: Path, rows: int, repeat: int, stand_in: bool, extra: tuple = (),
               baseline: str | None = None) -> bool:
    """--jobs 1 (baseline) and --jobs 2 on the same class, alternating; medians and their ratio.
    With ``baseline`` (an older checkout), its --jobs 2 on the same class too, in the same rounds."""
    runs = {1: [], 2: []} | ({"baseline": []} if baseline else {})
    for _ in range(repeat):
        for jobs in runs:
            if jobs == "baseline":
                runs[jobs].append(grade_in_child(path, folder / "gradebook-baseline.csv", 2, stand_in, extra,
                                                 tree=baseline))
            else:
                runs[jobs].append(grade_in_child(path, folder / f"gradebook-{jobs}.csv", jobs, stand_in, extra))
    median = {jobs: statistics.median(r["wall"] for r in results) for jobs, results in runs.items()}
    for jobs, wall in median.items():
        who = f"--jobs {jobs}" if jobs != "baseline" else f"--jobs 2 of {baseline}"
        print(f"  {who}: median {wall:.2f} s, {rows / wall:,.0f} answers/s; {_cpu(runs[jobs])}")
    if baseline:
        print(f"  speed-up over {baseline} at --jobs 2: {median['baseline'] / median[2]:.2f}x")
    rate = rows / median[2]
    print(f"  speed-up --jobs 2 / --jobs 1: {median[1] / median[2]:.2f}x;"
          f" target 5,000 answers/s at --jobs 2: {'met' if rate >= 5000 else 'NOT met'} ({rate:,.0f}/s)")
    same = (folder / "gradebook-1.csv").read_bytes() == (folder / "gradebook-2.csv").read_bytes()
    print(f"  identical gradebooks for --jobs 1 and --jobs 2: {'yes' if same else 'NO'}")
    return same


def _cpu(results: list) -> str:
    grader = statistics.median(r["grader_cpu"] for r in results)
    workers = statistics.median(r["workers_cpu"] for r in results)
    return f"CPU: grader {grader:.1f} s, workers {workers:.1f} s"


def distinct_checks(rows, exercises_dir=None, seed=None) -> int:
    """Distinct (exercise or the student's variant, normalised answer): what the grader checks."""
    from derivtutor.grading.grader import task_key

    bank = load_exercises(exercises_dir)
    return len({(task_key(bank, s, e, seed), normalise(a)) for s, e, a in rows})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,500000", help="class sizes in answers")
    parser.add_argument("--exercises", type=int, default=20)
    parser.add_argument("--students", type=int, default=500, help="students of the --randomised class")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each --jobs at the first size")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--stand-in", action="store_true",
                        help="a checker that costs nothing: the memory and speed of reading, storing and writing")
    parser.add_argument("--baseline", metavar="DIR",
                        help="another checkout (e.g. a git worktree of an older commit): its --jobs 2 on the "
                             "first class too, in the same run")
    parser.add_argument("--randomised", action="store_true",
                        help="compare each student's own variants of randomised exercises with the fixed bank")
    args = parser.parse_args(argv)
    if args.randomised:
        return randomised_comparison(args)
    if args.stand_in:
        print("stand-in checker: the figures are the pipeline's, without the cost of checking")
    exercises = pick_exercises(args.exercises)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fixed = ("--exercises", str(frozen_bank(exercises, folder)))
        for n, size in enumerate(int(s) for s in args.sizes.split(",")):
            rows = make_class(max(1, size // len(exercises)), exercises, args.seed)
            path = write_csv(rows, folder)
            distinct = len({(ex, a) for _, ex, a in rows})
            print(f"class: {len(rows):,} answers ({path.stat().st_size / 2**20:.1f} MB), {distinct:,} distinct "
                  f"(exercise, answer), {distinct_checks(rows, fixed[1]):,} distinct checks (the fixed bank)")
            if n == 0:
                ok = throughput(path, folder, len(rows), args.repeat, args.stand_in, fixed, args.baseline) and ok
            result = grade_in_child(path, folder / "gradebook.csv", 2, args.stand_in, fixed)
            print(f"  --jobs 2: {result['wall']:.2f} s, {len(rows) / result['wall']:,.0f} answers/s, {_cpu([result])}, "
                  f"peak memory: "
                  f"grader {result['grader_mb']:.0f} MB, largest worker {result['worker_mb']:.0f} MB"
                  + ("" if size < 500_000 else f" (target: grader <= 250 MB: "
                     f"{'met' if result['grader_mb'] <= 250 else 'NOT met'})"))
    return 0 if ok else 1



# ----- randomised exercises against the fixed bank (python bench/grade.py --randomised) -----

def frozen_bank(exercises, folder: Path) -> Path:
    """The exercises as fixed files (each its default variant): the baseline's bank."""
    from derivtutor.course.variants import default_values, fill, is_randomised

    bank = folder / "fixed-bank"
    bank.mkdir()
    for ex in exercises:
        text = Path(ex.path).read_text(encoding="utf-8")
        if is_randomised(ex):
            text = fill(text.split("[parameters]")[0], default_values(ex))
        (bank / Path(ex.path).name).write_text(text, encoding="utf-8")
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
    runs = {"fixed": [], "randomised": []}
    with tempfile.TemporaryDirectory() as folder:
        fixed_bank, folder = frozen_bank(exercises, Path(folder)), Path(folder)
        (folder / "f").mkdir(), (folder / "r").mkdir()
        fixed_csv, own_csv = write_csv(rows, folder / "f"), write_csv(own, folder / "r")
        for _ in range(args.repeat):
            for name, path, extra in (("fixed", fixed_csv, ("--exercises", str(fixed_bank))),
                                      ("randomised", own_csv, ("--seed", "bench"))):
                result = grade_in_child(path, folder / f"{name}.csv", 2, extra=extra)
                runs[name].append(result)
                print(f"  {name:<10} {result['wall']:.2f} s, {len(rows) / result['wall']:.0f} answers/s, {_cpu([result])}")
    fixed, own_time = (statistics.median(r["wall"] for r in runs[name]) for name in ("fixed", "randomised"))
    cpu = {name: statistics.median(r["grader_cpu"] + r["workers_cpu"] for r in runs[name]) for name in runs}
    print(f"--jobs 2: fixed bank {len(rows) / fixed:.0f} answers/s, own variants {len(rows) / own_time:.0f} answers/s; "
          f"randomised / fixed time: {own_time / fixed:.2f}x, CPU: {cpu['randomised'] / cpu['fixed']:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
