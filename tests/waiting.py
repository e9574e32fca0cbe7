"""Waiting in tests: a deadline on a condition, never a bare sleep.

A sleep long enough for a loaded CI machine is wasted time everywhere else, and one short enough
for a laptop fails on the loaded machine. ``wait_until`` asks the condition again and again until
it holds, and only fails when its deadline has passed, saying what it was waiting for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], *, timeout: float = 10.0, message: str = "", interval: float = 0.05
) -> T:
    """The condition's first truthy answer; an ``AssertionError`` naming ``message`` at the deadline.

    ``interval`` is the pause between two asks (0 asks again at once, for conditions that do a
    round of work themselves).
    """
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() >= deadline:
            raise AssertionError(f"not done within {timeout:g} s: {message or condition!r}")
        time.sleep(interval)
