"""The process's budget for redraws nobody waits for: a token bucket of drawing seconds."""

from __future__ import annotations

from core.channels.redraws import RedrawBudget
from tests.manual_clock import ManualClock


def test_a_quiet_process_redraws_a_burst_then_half_a_second_per_second() -> None:
    clock = ManualClock()
    budget = RedrawBudget(share=0.5, burst=1.0, clock=clock)
    granted = sum(budget.take(0.125) for _ in range(30))
    assert granted == 8  # the burst: one second of eighth-of-a-second draws
    clock.now = 1.0
    assert [budget.take(0.125) for _ in range(5)] == [True] * 4 + [False]


def test_a_slow_draw_is_charged_at_most_the_burst() -> None:
    clock = ManualClock()
    budget = RedrawBudget(share=0.5, burst=1.0, clock=clock)
    assert budget.take(30.0)  # one draw slowed by a storm, charged one second: the bucket is empty
    assert not budget.take(0.125)
    clock.now = 0.25  # not a minute later: refilled at half a second a second
    assert budget.take(0.125)


def test_a_long_quiet_spell_refills_no_more_than_the_burst() -> None:
    clock = ManualClock()
    budget = RedrawBudget(share=0.5, burst=1.0, clock=clock)
    clock.now = 3600.0
    assert sum(budget.take(0.25) for _ in range(10)) == 4
