"""Meta's two send limits.

* Throughput: each phone number may send ``throughput_mps`` messages per second (80 by default,
  Meta's standard tier: https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput). Measured on real time over a sliding one-second window: moving the
  sandbox clock does not make a burst legal. Exceeding it answers 130429.
* Pair limit: one business number may not flood one customer. Meta describes bursts of up to 45
  messages that "borrow" future quota, then about one message every 6 seconds: a token bucket of
  ``pair_burst`` tokens refilled one per ``pair_refill_seconds``. Measured on the sandbox clock
  so a test can refill it by advancing time. Exceeding it answers 131056
  (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from core.sandbox.errors import ApiError
from core.sandbox.state import Account, Clock


class Limits:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._recent_sends: dict[str, deque[float]] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._recent_sends.clear()
            self._buckets.clear()

    def take_throughput(self, account: Account) -> None:
        now = time.monotonic()
        with self._lock:
            sends = self._recent_sends.setdefault(account.number, deque())
            while sends and now - sends[0] >= 1.0:
                sends.popleft()
            if len(sends) >= account.throughput_mps:
                raise ApiError(
                    130429,
                    "Message failed to send because there were too many messages sent from this "
                    "phone number in a short period of time",
                )
            sends.append(now)

    def take_pair(self, account: Account, customer: str) -> None:
        now = self.clock.now()
        key = (account.number, customer)
        with self._lock:
            tokens, last = self._buckets.get(key, (float(account.pair_burst), now))
            refill = (
                (now - last) / account.pair_refill_seconds if account.pair_refill_seconds else 0
            )
            tokens = min(float(account.pair_burst), tokens + refill)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise ApiError(
                    131056,
                    "Message failed to send because there were too many messages sent from this "
                    "phone number to the same phone number in a short period of time.",
                )
            self._buckets[key] = (tokens - 1.0, now)
