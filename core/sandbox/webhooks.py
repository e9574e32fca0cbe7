"""Webhook delivery the way 360Dialog does it, plus switches that make it misbehave on purpose.

360Dialog POSTs each event to the configured URL with the configured custom headers, gives the
receiver 5 seconds, treats anything but a 2xx as a failure (redirects are not followed) and retries
with exponential backoff for a long time (7 days on Cloud):
https://docs.360dialog.com/partner/messaging/receiving-messages-via-webhook. Delivery is at-least-once and order is
not guaranteed. A dashboard has to survive all of that, so :class:`Faults` can inject duplicates,
reordering and failed attempts.

Per account, first attempts go out one at a time in the order events were produced (an
``asyncio.Lock`` is FIFO), so without faults a receiver sees events in order; a retried delivery
gives the lock back while it waits, letting later events overtake it, exactly the reordering a
real failing webhook produces.

Everything runs on the server's event loop. :class:`Scheduler` counts outstanding background work
so ``POST /sandbox/api/idle`` can tell tests when the sandbox has gone quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from core.sandbox.state import Account, Clock

log = logging.getLogger(__name__)

FailMode = Literal["drop", "error"]
MAX_LOGGED_DELIVERIES = 5000


TIMER_TICK = 0.01
"""Delayed jobs due in the same 10 ms share one timer (and none runs early)."""


class Scheduler:
    """Runs background jobs on the loop and knows when none are left."""

    def __init__(self) -> None:
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._due: dict[int, list[Callable[[], None]]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._begin()
        task = asyncio.get_running_loop().create_task(self._run(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def later(self, delay: float, job: Callable[[], None]) -> None:
        """Run ``job`` after ``delay`` seconds of real time (at most a tick later).

        Jobs wait on shared timers, not in tasks of their own: every accepted send plans three
        statuses, and at 1,000 sends a second a timer (let alone a sleeping task) per status cost
        the sandbox as much as the sends."""
        self._begin()
        loop = asyncio.get_running_loop()
        tick = math.ceil((loop.time() + delay) / TIMER_TICK)
        jobs = self._due.get(tick)
        if jobs is None:
            jobs = self._due[tick] = []
            self._timers[tick] = loop.call_at(tick * TIMER_TICK, self._run_due, tick)
        jobs.append(job)

    def _run_due(self, tick: int) -> None:
        del self._timers[tick]
        for job in self._due.pop(tick):
            try:
                job()
            except Exception:  # a broken job must not take the sandbox down
                log.exception("sandbox background job failed")
            finally:
                self._end()

    async def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken job must not take the sandbox down
            log.exception("sandbox background job failed")
        finally:
            self._end()

    def _begin(self) -> None:
        self._pending += 1
        self._idle.clear()

    def _end(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._idle.set()

    @property
    def pending(self) -> int:
        return self._pending

    async def wait_idle(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._pending == 0

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._due.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclass
class Faults:
    """Misbehaviour switches, set through ``PUT /sandbox/api/faults``.

    ``duplicates``: every event is delivered twice (two independent deliveries).
    ``reorder``: the status webhooks of each message are emitted in shuffled order.
    ``fail_next_deliveries``: the next N delivery attempts fail; with ``fail_mode`` ``drop``
    the request is never sent (connection dropped), with ``error`` it is sent but treated as a
    non-2xx answer, so the receiver sees the retry as a duplicate.
    """

    duplicates: bool = False
    reorder: bool = False
    fail_next_deliveries: int = 0
    fail_mode: FailMode = "drop"

    def public(self) -> dict[str, Any]:
        return {
            "duplicates": self.duplicates,
            "reorder": self.reorder,
            "fail_next_deliveries": self.fail_next_deliveries,
            "fail_mode": self.fail_mode,
        }

    def update(self, changes: dict[str, Any]) -> None:
        if "duplicates" in changes:
            self.duplicates = bool(changes["duplicates"])
        if "reorder" in changes:
            self.reorder = bool(changes["reorder"])
        if "fail_next_deliveries" in changes:
            self.fail_next_deliveries = max(0, int(changes["fail_next_deliveries"]))
        if "fail_mode" in changes:
            if changes["fail_mode"] not in ("drop", "error"):
                raise ValueError("fail_mode must be 'drop' or 'error'")
            self.fail_mode = changes["fail_mode"]

    def take_failure(self) -> FailMode | None:
        if self.fail_next_deliveries <= 0:
            return None
        self.fail_next_deliveries -= 1
        return self.fail_mode


@dataclass
class RetryPolicy:
    """Backoff ``base * 2**(n-1)`` capped at ``max_delay``, bounded in count and age."""

    timeout: float = 5.0
    base: float = 1.0
    max_delay: float = 3600.0
    max_attempts: int = 10
    max_age: float = 7 * 24 * 3600.0

    def delay(self, attempt: int) -> float:
        return min(self.base * 2 ** (attempt - 1), self.max_delay)


@dataclass
class Attempt:
    number: int
    at: float
    url: str | None
    outcome: str
    status_code: int | None = None
    error: str | None = None
    elapsed_ms: int = 0


@dataclass
class Delivery:
    """One event on its way to one account's webhook."""

    id: int
    account: str
    kind: str
    body: dict[str, Any]
    created: float
    state: str = "pending"  # pending | delivered | abandoned | no_webhook
    attempts: list[Attempt] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": "+" + self.account,
            "kind": self.kind,
            "state": self.state,
            "body": self.body,
            "attempts": [vars(a) for a in self.attempts],
        }


class Dispatcher:
    """Queues events per account and delivers them with retries."""

    def __init__(
        self, scheduler: Scheduler, clock: Clock, faults: Faults, policy: RetryPolicy
    ) -> None:
        self.scheduler = scheduler
        self.clock = clock
        self.faults = faults
        self.policy = policy
        self.deliveries: deque[Delivery] = deque(maxlen=MAX_LOGGED_DELIVERIES)
        self._ids = itertools.count(1)
        self._locks: dict[str, asyncio.Lock] = {}
        self._client = httpx.AsyncClient(follow_redirects=False, timeout=policy.timeout)

    async def close(self) -> None:
        await self._client.aclose()

    def enqueue(self, account: Account, body: dict[str, Any], kind: str) -> None:
        copies = 2 if self.faults.duplicates else 1
        for _ in range(copies):
            delivery = Delivery(next(self._ids), account.number, kind, body, time.monotonic())
            self.deliveries.append(delivery)
            if not account.webhook_url:  # a number without a webhook: its events go nowhere
                delivery.state = "no_webhook"
                continue
            self.scheduler.spawn(self._deliver(account, delivery))

    def clear(self) -> None:
        self.deliveries.clear()

    async def _deliver(self, account: Account, delivery: Delivery) -> None:
        lock = self._locks.setdefault(account.number, asyncio.Lock())
        payload = b""
        while True:
            async with lock:
                if not account.webhook_url:
                    delivery.state = "no_webhook"
                    return
                payload = payload or json.dumps(delivery.body, ensure_ascii=False).encode()
                attempt = await self._attempt(account, delivery, payload)
            delivery.attempts.append(attempt)
            if attempt.outcome == "delivered":
                delivery.state = "delivered"
                return
            wait = self.policy.delay(len(delivery.attempts))
            age = time.monotonic() - delivery.created + wait
            if len(delivery.attempts) >= self.policy.max_attempts or age > self.policy.max_age:
                delivery.state = "abandoned"
                return
            await asyncio.sleep(wait)

    async def _attempt(self, account: Account, delivery: Delivery, payload: bytes) -> Attempt:
        url = account.webhook_url
        number = len(delivery.attempts) + 1
        attempt = Attempt(number=number, at=self.clock.now(), url=url, outcome="delivered")
        injected = self.faults.take_failure()
        if injected == "drop":
            attempt.outcome, attempt.error = "injected_drop", "connection dropped (fault)"
            return attempt
        headers = {**account.webhook_headers, "Content-Type": "application/json"}
        started = time.monotonic()
        try:
            response = await self._client.post(url or "", content=payload, headers=headers)
        except httpx.TimeoutException as exc:
            attempt.outcome, attempt.error = "timeout", repr(exc)
        except httpx.HTTPError as exc:
            attempt.outcome, attempt.error = "connection_error", repr(exc)
        else:
            attempt.status_code = response.status_code
            if not 200 <= response.status_code < 300:
                attempt.outcome = "redirect" if response.is_redirect else "http_error"
            elif injected == "error":
                attempt.outcome, attempt.error = "injected_error", "treated as non-2xx (fault)"
        attempt.elapsed_ms = int((time.monotonic() - started) * 1000)
        return attempt
