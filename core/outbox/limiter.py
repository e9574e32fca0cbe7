"""The pace of sending: never more than a channel's throughput in any second.

WhatsApp gives each number a throughput (80 messages a second by default, up to 1,000 for
numbers 360Dialog upgraded) and refuses sends beyond it (error 130429). One worker at a time sends
for a channel (the sender's lease on it), and inside that worker every send thread waits for its
turn here, so the pace is one schedule however many threads send.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

PACE_MARGIN = 0.98
"""Sends are spread a little under the channel's rate, so that the strict window (at the full
rate) seldom has to hold one back."""

CATCH_UP_SECONDS = 0.5
"""Slots missed by up to this much (a garbage collection or a busy GIL held the threads back) are
still used, at once: the pace makes up a short stall instead of losing it, and the strict
window keeps the burst within the rate. A channel further behind was idle: its pace starts anew.
"""

ADMIT_POLL_SECONDS = 0.005
"""How often a send waits for room taken by requests still running (not by recent ones)."""


@dataclass
class RateLimiter:
    """Per-channel pace: never more than ``rate`` sends in any second (WhatsApp's throughput).

    ``slot`` wraps one request: ``wait`` spreads sends evenly (making up short stalls, see
    ``CATCH_UP_SECONDS``), ``admit`` is the strict part, a sliding one-second window. The window
    counts a send from its admission until one second after its request returned (``release``),
    a moment no earlier than the one it reached 360Dialog. So however late a thread runs between
    admission and request (the GIL was busy, a garbage collection), no second holds more than
    ``rate`` requests as they were made."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next_at: dict[int, float] = field(default_factory=dict)
    _returned: dict[int, deque[float]] = field(default_factory=dict)
    _open: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def slot(self, channel_id: int, rate: float) -> Iterator[None]:
        """Wait for a send's turn and hold its place in the window while its request runs."""
        self.wait(channel_id, rate * PACE_MARGIN)
        self.admit(channel_id, rate)
        try:
            yield
        finally:
            self.release(channel_id)

    def wait(self, channel_id: int, rate: float) -> None:
        interval = 1.0 / max(rate, 0.001)
        with self._lock:
            now = self.clock()
            scheduled = self._next_at.get(channel_id, now)
            start = now if scheduled < now - CATCH_UP_SECONDS else scheduled
            self._next_at[channel_id] = start + interval
        if start > now:
            self.sleep(start - now)

    def admit(self, channel_id: int, rate: float) -> None:
        allowed = max(int(rate), 1)
        while True:
            with self._lock:
                now = self.clock()
                returned = self._returned.setdefault(channel_id, deque())
                while returned and returned[0] <= now - 1.0:
                    returned.popleft()
                running = self._open.get(channel_id, 0)
                if len(returned) + running < allowed:
                    self._open[channel_id] = running + 1
                    return
                pause = returned[0] + 1.0 - now if returned else ADMIT_POLL_SECONDS
            self.sleep(max(pause, 0.0005))

    def release(self, channel_id: int) -> None:
        """The request of an admitted send returned (or failed): it counts for one more second."""
        with self._lock:
            self._open[channel_id] -= 1
            self._returned.setdefault(channel_id, deque()).append(self.clock())
