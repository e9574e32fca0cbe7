"""How much of the dashboard's processor redraws that nobody is waiting for may take.

When messages stream in, every open tab's page is out of date every second. Redrawing each tab
as soon as its channels move makes a hundred tabs a hundred busy loops in one interpreter: the
person reading a thread then waits behind ninety-nine redraws of lists nobody is looking at, and
the webhook intake and the workers lose the processor too. So redraws come in two kinds:

- a tab whose open thread changed (``core.conversations.marks``) redraws at its next tick: the
  person at that screen is waiting for it;
- any other stale tab redraws only when the process's :class:`RedrawBudget` lets it: at most
  ``SHARE`` of a processor second, per second, for all such redraws together (a token bucket
  holding at most ``BURST`` seconds). A tab refused tries again at its next tick, so under a
  steady stream the tabs take turns, and a change after a quiet spell still shows at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

SHARE = 0.5
"""Seconds of background redrawing per second: half a processor, whatever the number of tabs."""
BURST = 1.0
"""Seconds of redrawing a quiet process may spend at once (a burst after a quiet spell)."""


class RedrawBudget:
    """A token bucket of drawing seconds, shared by every tab (thread) of the process."""

    def __init__(
        self,
        share: float = SHARE,
        burst: float = BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.share = share
        self.burst = burst
        self._clock = clock
        self._seconds = burst
        self._at = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._seconds = min(self.burst, self._seconds + (now - self._at) * self.share)
        self._at = now

    def take(self, cost: float) -> bool:
        """Whether a redraw expected to take ``cost`` seconds may start now. It is then charged,
        at most ``burst`` (a draw slowed by a storm must not silence every tab for a minute):
        a long draw leaves the next ones waiting longer, the bucket going below zero."""
        with self._lock:
            self._refill()
            if self._seconds <= 0:
                return False
            self._seconds -= min(cost, self.burst)
            return True


_SHARED = RedrawBudget()


def shared() -> RedrawBudget:
    """The process's budget, shared by all its sessions."""
    return _SHARED
