"""The background loops: woken at once, survive a failing step, stop cleanly."""

import threading
import time

import pytest

from core.runtime.background import Loop


def test_loop_runs_when_woken_and_survives_errors() -> None:
    calls: list[int] = []
    ran = threading.Event()

    def step() -> int:
        calls.append(1)
        ran.set()
        if len(calls) == 2:
            raise RuntimeError("a bad row")
        return 0

    loop = Loop("test", step, idle_seconds=60).start()
    assert ran.wait(5)
    for _ in range(2):
        ran.clear()
        loop.wake()
        assert ran.wait(5), "a wake runs the step again, even after it raised"
    loop.stop()
    stopped_at = len(calls)
    time.sleep(0.05)  # the thing under test is an absence: nothing runs for a while after stop
    assert len(calls) == stopped_at == 3


def test_busy_loop_keeps_going_without_waiting() -> None:
    remaining = [5]
    done = threading.Event()

    def step() -> int:
        remaining[0] -= 1
        if remaining[0] <= 0:
            done.set()
            return 0
        return 1

    loop = Loop("busy", step, idle_seconds=60).start()
    assert done.wait(5), "work found means the next round starts at once"
    loop.stop()


def test_the_rate_limiter_never_admits_more_than_the_rate_in_any_second() -> None:
    from core.outbox.limiter import RateLimiter

    now = [0.0]
    limiter = RateLimiter(
        clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds)
    )
    admitted = []
    for _ in range(50):  # everybody arrives at once (threads that woke late together)
        limiter.admit(1, 10)
        admitted.append(now[0])
        limiter.release(1)
    for start in admitted:
        assert sum(1 for t in admitted if start <= t < start + 1.0) <= 10
    assert admitted[-1] < 5.0  # and nobody waits longer than needed


def test_a_send_counts_in_the_window_until_a_second_after_its_request_returned() -> None:
    """A thread can run late between its admission and its request: until the request returned
    the send holds its place, so late requests never crowd into one second with later ones."""
    from core.outbox.limiter import RateLimiter

    now = [0.0]
    limiter = RateLimiter(
        clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds)
    )
    for _ in range(10):
        limiter.admit(1, 10)
    now[0] = 0.7  # the ten requests only went (and returned) now
    for _ in range(10):
        limiter.release(1)
    limiter.admit(1, 10)
    assert now[0] >= 1.7


def test_the_pace_makes_up_a_short_stall_but_not_an_idle_spell() -> None:
    from core.outbox.limiter import CATCH_UP_SECONDS, RateLimiter

    now = [0.0]
    limiter = RateLimiter(
        clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds)
    )
    for _ in range(5):  # 10 a second: slots at 0.0, 0.1 … 0.4
        limiter.wait(1, 10)
    now[0] = 0.7  # the threads were held back: the slots at 0.5 and 0.6 were missed
    for _ in range(3):
        limiter.wait(1, 10)
    assert now[0] == 0.7, "missed slots go at once"
    limiter.wait(1, 10)
    assert now[0] == pytest.approx(0.8), "then the pace goes on"
    now[0] += CATCH_UP_SECONDS + 1  # idle: the pace starts anew instead of a burst
    start = now[0]
    limiter.wait(1, 10)
    limiter.wait(1, 10)
    assert now[0] == pytest.approx(start + 0.1)
