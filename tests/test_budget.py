"""time_limit: cannot be swallowed by `except Exception`, works off the main thread, nests."""
from __future__ import annotations

import threading
import time

import pytest

from derivtutor.budget import TimeLimitExceeded, time_limit


def spin():
    while True:
        sum(range(50))


def swallowing_spin():
    """Code that tries to absorb every error, as careless library code does."""
    while True:
        try:
            spin()
        except Exception:  # noqa: BLE001 -- the point of the test
            pass


@pytest.mark.parametrize("body", [spin, swallowing_spin], ids=["plain", "except-Exception"])
def test_limit_interrupts_the_block(body):
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            body()


def test_limit_works_off_the_main_thread():
    outcomes = []

    def worker():
        try:
            with time_limit(0.2):
                swallowing_spin()
        except TimeLimitExceeded:
            outcomes.append("timed out")

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcomes == ["timed out"] * 3


def test_inner_handler_does_not_catch_the_outer_limit():
    caught = []
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2) as outer:
            try:
                with time_limit(30) as inner:
                    spin()
            except inner:
                caught.append("inner")
    assert caught == []
    assert issubclass(outer, TimeLimitExceeded)


def test_finished_block_leaves_no_pending_exception():
    with time_limit(0.05):
        pass
    time.sleep(0.2)  # past the deadline: nothing may be raised now
    total = sum(range(1000))
    assert total == 499500


def test_no_limit_when_seconds_is_none():
    with time_limit(None):
        value = sum(range(10))
    assert value == 45


def test_the_limit_counts_cpu_seconds_not_a_loaded_machines_wall_clock():
    """Waiting (as a thread does on a loaded machine) uses no CPU: the block runs to its end."""
    with time_limit(0.1):
        time.sleep(0.4)
        done = True
    assert done


def test_a_block_that_never_uses_the_cpu_still_ends_at_the_wall_ceiling(monkeypatch):
    import derivtutor.budget as budget
    monkeypatch.setattr(budget, "WALL_FACTOR", 1.0)
    monkeypatch.setattr(budget, "WALL_SLACK", 0.1)
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.1):
            for _ in range(400):
                time.sleep(0.05)  # the exception arrives between two sleeps


def test_process_cpu_seconds_grows_with_work():
    import os

    from derivtutor.budget import process_cpu_seconds
    before = process_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert process_cpu_seconds(os.getpid()) - before >= 0.2
