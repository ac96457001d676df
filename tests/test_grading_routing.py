"""Checking a class fast without changing a verdict: one check per distinct answer, shared
by every row that wrote it; tasks in batches of one exercise; each exercise (or variant)
kept by the worker that set it up; variants built in the workers, not in the grader.

The witness of a row's grade is a fresh ``check_exercise`` of that row alone, in this
process, on the student's own variant (``for_student``), never the grader's outcome.
"""
from __future__ import annotations

import multiprocessing
import os
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from derivtutor.course import bank as exercises
from derivtutor.course.bank import check_exercise, load_exercises
from derivtutor.course.variants import for_student
from derivtutor.grading import grader as grading, workers
from derivtutor.grading.grader import grade, normalise
from derivtutor.grading.records import Submission
from derivtutor.grading.workers import BATCH, _Router, check_tasks

BANK = load_exercises()


def pid_check(exercise, answer, lang="en"):
    """A stand-in checker that says which process checked the answer."""
    return SimpleNamespace(verdict="correct" if answer == "ok" else "incorrect", score=float(answer == "ok"),
                           diagnosis=None, message=f"{exercise.id}|{os.getpid()}", expected=None)


@pytest.fixture
def pids(monkeypatch):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the stand-in checker reaches workers only through fork")
    monkeypatch.setitem(exercises.KIND_CHECKERS, "derivative", f"{__name__}:pid_check")


def _rows(table):
    return [Submission(student, exercise, answer, source="c.csv", line=n + 2)
            for n, (student, exercise, answer) in enumerate(table)]


def _fresh(student, exercise_id, answer):
    """The witness: this row checked alone, against the student's own variant."""
    result = check_exercise(for_student(BANK[exercise_id], student), answer, timeout=20)
    return result.verdict, round(float(result.score or 0.0) * BANK[exercise_id].points, 6), tuple(result.diagnosis), \
        result.message


# Many students, few distinct answers: the same text in other spacings, right and wrong ones,
# an unreadable one; a fixed exercise and a randomised one (each student their own variant).
CLASS = [(f"s{i:02d}", exercise, answer) for i in range(8) for exercise, answer in (
    ("table-sin", ["cos x", "cos(x)", " cos  x ", "-cos x", "sin x", "cos("][i % 6]),
    ("chain-sin-3x", ["3cos(3x)", "3 cos(3x)", "cos(3x)", "4cos(4x)"][i % 4]),
)]


def test_each_row_gets_what_a_fresh_check_of_it_gives():
    report = grade(_rows(CLASS), jobs=2, timeout=20, progress=False)
    items = {(i.student, i.exercise): i for i in report.items}
    assert len(items) == len(CLASS)
    for student, exercise_id, answer in CLASS:
        item = items[(student, exercise_id)]
        assert (item.verdict, item.score, item.diagnosis, item.message) == _fresh(student, exercise_id, answer), \
            (student, exercise_id, answer)
    variants = {items[(s, "chain-sin-3x")].variant for s, e, _ in CLASS if e == "chain-sin-3x"}
    assert len(variants) > 1 and "" not in variants         # the randomised exercise: own variants


def test_one_check_per_distinct_answer_and_variant(pids, checked_tasks):
    seen = checked_tasks
    report = grade(_rows(CLASS), jobs=2, progress=False)
    keys = {(grading.task_key(BANK, s, e), normalise(a), "auto") for s, e, a in CLASS}
    assert sorted(seen) == sorted(keys)                      # each distinct task once, none missing
    assert len(seen) < len(CLASS)
    by_task = {}
    for item in report.items:   # every row of a task carries that task's one outcome
        key = (grading.task_key(BANK, item.student, item.exercise), normalise(item.answer))
        by_task.setdefault(key, set()).add(item.message)
    assert all(len(messages) == 1 for messages in by_task.values())


def test_duplicates_inside_one_students_rows_still_warn(pids):
    table = [("a", "table-sin", "ok"), ("b", "table-sin", "ok"), ("a", "table-sin", "ok"), ("a", "table-cos", "no"),
             ("a", "table-cos", "ok")]
    report = grade(_rows(table), jobs=2, progress=False)
    warnings = [(p.line, dict(p.fields)) for p, _ in report.problems if p.code == "grading.duplicate"]
    assert warnings == [(2, {"student": "a", "exercise": "table-sin", "later": 4}),
                        (5, {"student": "a", "exercise": "table-cos", "later": 6})]
    statuses = {(i.student, i.line): i.status for i in report.items}
    assert statuses == {("a", 2): "superseded", ("b", 3): "graded", ("a", 4): "graded", ("a", 5): "superseded",
                        ("a", 6): "graded"}
    assert report.total("a") == 2.0 and report.total("b") == 1.0


def test_batches_hold_tasks_of_one_exercise_and_every_task_comes_back_once(pids, monkeypatch):
    given_out = []
    real_give = workers._Worker.give

    def give(self, batch, hard_limit):
        given_out.append(list(batch))
        return real_give(self, batch, hard_limit)

    monkeypatch.setattr(workers._Worker, "give", give)
    # interleaved exercises: the router regroups them
    tasks = [(["table-sin", "table-cos", "table-tg"][n % 3], f"a{n}", "auto") for n in range(300)]
    outcomes = {}
    check_tasks(enumerate(tasks), exercises=BANK, jobs=2, total=len(tasks),
                on_outcome=lambda index, outcome: outcomes.setdefault(index, []).append(outcome))
    assert sorted(outcomes) == list(range(len(tasks))) and all(len(o) == 1 for o in outcomes.values())
    assert all(o[0]["message"].split("|")[0] == tasks[i][0] for i, o in outcomes.items())
    assert all(1 <= len(batch) <= BATCH for batch in given_out)
    assert all(len({task[0] for _, task in batch}) == 1 for batch in given_out)
    assert len(given_out) < len(tasks) / 4                   # batches, not one task per round trip


def test_an_exercise_stays_with_the_worker_that_set_it_up(pids):
    # short queues (3 tasks a key): never worth a second set-up, so each key has one process
    keys = sorted(i for i, ex in BANK.items() if ex.kind == "derivative" and "parameters" not in ex.data)[:6]
    tasks = [(key, f"a{n}", "auto") for n in range(3) for key in keys]
    seen = {}
    check_tasks(enumerate(tasks), exercises=BANK, jobs=2, total=len(tasks),
                on_outcome=lambda index, outcome: seen.setdefault(tasks[index][0], set()).add(
                    outcome["message"].split("|")[1]))
    assert len(seen) == 6 and all(len(processes) == 1 for processes in seen.values())
    assert len(set().union(*seen.values())) == 2              # both workers had work


def test_variants_are_built_in_the_workers_not_in_the_grader(pids, monkeypatch):
    built = []
    real = grading.variant_of
    monkeypatch.setattr(grading, "variant_of", lambda *args: built.append(args) or real(*args))
    table = [(f"s{i}", "chain-sin-3x", "ok") for i in range(12)]
    report = grade(_rows(table), jobs=2, progress=False)
    assert built == []             # the grader's own process built none (the workers' appends stay there)
    items = {i.student: i for i in report.items}
    for student, _, _ in table:
        mine = for_student(BANK["chain-sin-3x"], student)
        assert items[student].variant == mine.get("variant")
        assert items[student].message.split("|")[0] == f"chain-sin-3x@{mine.get('variant')}"


ROUTER_CASES = [
    # (tasks as keys in arrival order, calls as (slot, size), expected keys of each batch)
    ("own-key-first", "aabab", [(0, 1), (1, 1), (0, 8), (1, 8)], ["a", "b", "a", "b"]),
    ("new-key-before-stealing", "aaaab", [(0, 1), (1, 8), (1, 8)], ["a", "b", "a"]),
    ("short-queue-left-to-its-owner", "aaa", [(0, 1), (1, 8), (0, 8)], ["a", "", "a"]),
]


@pytest.mark.parametrize("keys, calls, expected", [c[1:] for c in ROUTER_CASES], ids=[c[0] for c in ROUTER_CASES])
def test_router_choices(keys, calls, expected):
    router = _Router(iter(enumerate((k, str(n), "auto") for n, k in enumerate(keys))), steal_from=3)
    got = []
    for slot, size in calls:
        batch = router.batch(slot, size)
        assert len({task[0] for _, task in batch}) <= 1 and len(batch) <= size
        got.append(batch[0][1][0] if batch else "")
    assert got == expected


def test_router_hands_back_unfinished_tasks_first_and_loses_none():
    tasks = [("a", str(n), "auto") for n in range(10)]
    router = _Router(iter(enumerate(tasks)), lookahead=4)
    first = router.batch(0, 3)
    router.put_back(first[1:])                               # the worker died after its first task
    again = router.batch(1, 8)
    assert [i for i, _ in again[:2]] == [1, 2]
    rest = []
    while batch := router.batch(0, 8) or router.batch(1, 8):
        rest.extend(batch)
    assert sorted(i for i, _ in [first[0], *again, *rest]) == list(range(10))


def _normalise_witness(answer: str) -> str:
    """The rule spelled out by hand: per line, runs of whitespace become one space, the spaces
    next to an operator go, and blank lines are dropped."""
    out = []
    for line in answer.splitlines():
        words = " ".join(line.split())
        for op in "-+*/^(),=[]{}|":
            words = words.replace(f" {op}", op).replace(f"{op} ", op)
        if words:
            out.append(words)
    return "\n".join(out)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("x1 +-*/^()\\{}|=\t\n,sin")), max_size=30))
def test_normalise_agrees_with_the_rule(answer):
    assert normalise(answer) == _normalise_witness(answer)


def test_a_busy_worker_is_never_handed_another_workers_exercise():
    router = _Router(iter(enumerate([("a", "1", "auto"), ("a", "2", "auto"), ("a", "3", "auto"), ("a", "4", "auto")])),
                     steal_from=1)
    assert [i for i, _ in router.batch(0, 1)] == [0]
    assert router.batch(1, 8, steal=False) == []              # busy: it waits for its own or a new exercise
    assert [i for i, _ in router.batch(1, 8)] == [1, 2, 3]    # idle: it helps


def test_a_second_batch_keeps_the_clock_of_the_task_running(monkeypatch):
    from collections import deque

    clock = iter([100.0, 105.0, 107.0])
    monkeypatch.setattr(workers.time, "monotonic", lambda: next(clock))
    worker = workers._Worker.__new__(workers._Worker)   # no process: only the bookkeeping
    worker.held, worker.conn, worker.process = deque(), SimpleNamespace(send=lambda batch: None), \
        SimpleNamespace(pid=os.getpid())
    worker.give([(0, ("a", "1", "auto"))], 4.0)
    assert worker.deadline == 104.0
    worker.give([(1, ("a", "2", "auto"))], 4.0)              # handed over while task 0 runs
    assert worker.deadline == 104.0 and len(worker.held) == 2
    worker.restart_clock(4.0, cpu=12.5)                      # task 0 reported, with the worker's CPU clock
    assert (worker.deadline, worker.cpu_mark) == (109.0, 12.5)


def test_checking_starts_while_the_class_is_still_read(pids, monkeypatch):
    # The witness is the order of events: how many rows the grader had read when it forked its
    # first worker, and when it handed out its first batch (no clock involved).
    read, forks, batches = [], [], []
    real_init, real_give = workers._Worker.__init__, workers._Worker.give

    def init(self, *args):
        forks.append(len(read))
        real_init(self, *args)

    def give(self, batch, hard_limit):
        batches.append(len(read))
        return real_give(self, batch, hard_limit)

    monkeypatch.setattr(workers._Worker, "__init__", init)
    monkeypatch.setattr(workers._Worker, "give", give)
    table = [(f"s{i:03d}", ex, "ok" if i % 3 else f"no {i}") for i in range(200) for ex in ("table-sin", "table-cos")]

    def rows():
        for row in _rows(table):
            read.append(row)
            yield row

    report = grade(rows(), jobs=2, progress=False)
    assert len(read) == len(table)
    assert forks and forks[0] < len(table) // 4 and batches[0] < len(table) // 4
    items = {(i.student, i.exercise): i for i in report.items}
    assert all(items[(s, e)].score == (1.0 if a == "ok" else 0.0) for s, e, a in table)


def test_a_class_with_one_task_forks_one_worker(pids, monkeypatch):
    forks = []
    real_init = workers._Worker.__init__
    monkeypatch.setattr(workers._Worker, "__init__", lambda self, *args: forks.append(1) or real_init(self, *args))
    report = grade(_rows([("a", "table-sin", "ok"), ("b", "table-sin", "ok"), ("c", "table-sin", "")]), jobs=2,
                   progress=False)
    assert len(forks) == 1
    assert [(i.student, i.status, i.score) for i in report.items] == [("a", "graded", 1.0), ("b", "graded", 1.0),
                                                                        ("c", "missing", 0.0)]
