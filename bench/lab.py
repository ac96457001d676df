"""Autograding the framework lab: seconds per submission, and a class's throughput.

    python bench/lab.py [--repeats N] [--class-size N] [--jobs N]

Part 1, on one core (the process and its sandboxed children pinned to CPU 0):
seconds to grade one submission of lab-ownframework with every test, training
on scikit-learn's digits included, for the reference solution and three
mutants. Target: 20 s or less. Baseline in the same run: the reference's own
code trained on the same digits split, in this process, with no sandbox and no
gradient checks (the least any grader must spend).

Part 2: a class of ``--class-size`` submissions (reference and mutants, as
``<student>.py`` files) graded by ``derivtutor grade``'s library entry point in
folder mode, with 1 and with ``--jobs`` workers: submissions per minute and the
speedup.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REFERENCE = (ROOT / "tests" / "lab" / "reference.py").read_text()
MUTANTS = {
    "reference": REFERENCE,
    "ce-missing-1/n": REFERENCE.replace("-= 1.0 / len(self.y)", "-= 1.0"),
    "softmax-p(1-p)": REFERENCE.replace("return pdp - p * pdp.sum(axis=1, keepdims=True)", "return dp * p * (1 - p)"),
    "dW-no-upstream": REFERENCE.replace("dW = np.dot(dz.T, self.x)", "dW = np.dot(np.ones_like(dz).T, self.x)"),
    # a correct framework written another way (aliases, W as (nin, nout), 0.01 init): full marks too
    "renamed-correct": (ROOT / "tests" / "lab" / "renamed.py").read_text(),
}


def pin_to_one_core() -> str:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return "pinned to one core"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def per_submission(repeats: int) -> dict:
    from derivtutor.course.bank import find_exercise
    from derivtutor.course.lab_kind import spec_of
    from derivtutor.lab import check_submission

    spec, rows = spec_of(find_exercise("lab-ownframework")), {}
    check_submission(spec, REFERENCE)  # warm the page cache (numpy, scikit-learn's data file)
    for name, source in MUTANTS.items():
        times, report = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            report = check_submission(spec, source)
            times.append(time.perf_counter() - start)
        rows[name] = (statistics.median(times), max(times), report.total, report.max_total)
    rows["sandbox"] = report.sandbox
    return rows


def baseline(repeats: int) -> float:
    """The reference trained on digits in-process: Net of the spec's sizes, the spec's epochs."""
    import numpy as np

    from derivtutor.lab import data

    namespace: dict = {}
    exec(compile(REFERENCE, "reference.py", "exec"), namespace)  # our own file, not a student's
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_x, train_y, test_x, test_y = data.dataset("digits", 1)
        np.random.seed(1)
        net = namespace["Net"]()
        for layer in (namespace["Linear"](64, 32), namespace["Tanh"](), namespace["Linear"](32, 10), namespace["Softmax"]()):
            net.add(layer)
        loss = namespace["CrossEntropyLoss"]()
        for _ in range(15):
            namespace["train_epoch"](net, train_x, train_y, loss, 16, 0.1)
        accuracy = float(np.mean(net.forward(test_x).argmax(axis=1) == test_y))
        times.append(time.perf_counter() - start)
    assert accuracy > 0.85, accuracy
    return statistics.median(times)


def class_throughput(size: int, jobs: int) -> dict:
    from derivtutor.grading.grader import grade_file

    sources = list(MUTANTS.values())
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for k in range(size):
            # a comment makes every file distinct, so the grader's de-duplication does not help
            Path(folder, f"student{k:03d}.py").write_text(f"# student {k}\n" + sources[k % len(sources)])
        for n in sorted({1, jobs}):
            start = time.perf_counter()
            report = grade_file(folder, assignment=["lab-ownframework"], jobs=n, timeout=180, progress=False)
            seconds = time.perf_counter() - start
            assert len(report.students) == size
            out[n] = seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--class-size", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    print(f"Part 1: one submission, every test, digits included ({pin_to_one_core()}), median of {args.repeats}")
    rows = per_submission(args.repeats)
    sandbox = rows.pop("sandbox")
    print(f"  (load {os.getloadavg()[0]:.1f}; the child ran as uid {sandbox.get('uid')}, "
          f"user switched: {sandbox.get('user_dropped')}, reads confined: {sandbox.get('reads_confined')})")
    base = baseline(args.repeats)
    for name, (median, worst, score, top) in rows.items():
        verdict = "ok" if median <= 20 else "OVER TARGET"
        print(f"  {name:<16} median {median:6.2f} s  max {worst:6.2f} s  score {score:g}/{top:g}  "
              f"ratio to baseline {median / base:5.1f}x  [{verdict}: target <= 20 s]")
    print(f"  baseline: the reference trained on digits in-process, no sandbox: median {base:.2f} s")
    if affinity:
        os.sched_setaffinity(0, affinity)
    print(f"Part 2: a class of {args.class_size} submissions in folder mode (derivtutor grade)")
    times = class_throughput(args.class_size, args.jobs)
    for jobs, seconds in times.items():
        print(f"  --jobs {jobs}: {seconds:6.1f} s, {60 * args.class_size / seconds:5.1f} submissions/min")
    if len(times) > 1:
        print(f"  speedup --jobs {args.jobs} / --jobs 1: {times[1] / times[args.jobs]:.2f}x")


if __name__ == "__main__":
    main()
