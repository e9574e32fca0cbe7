"""The sandbox as one object: configuration, state, and the background machinery.

:class:`Sandbox` is what the HTTP layer (``server.create_app``) serves. It can be built without a
running loop; :meth:`Sandbox.start` (called by the app's lifespan) creates the loop-bound parts:
the job scheduler and the webhook dispatcher.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from core.sandbox import templates
from core.sandbox.gateway import Gateway
from core.sandbox.limits import Limits
from core.sandbox.state import Account, Clock, SandboxState
from core.sandbox.web import Web
from core.sandbox.webhooks import Dispatcher, Faults, RetryPolicy, Scheduler

ReviewPolicy = Literal["approve", "reject", "rules"]
REVIEW_POLICIES: tuple[ReviewPolicy, ...] = ("approve", "reject", "rules")

# Meta's "hello_world" sample template: every new number shows it, approved, and Meta's getting
# started guide sends it first (https://developers.facebook.com/docs/whatsapp/cloud-api/get-started).
HELLO_WORLD: dict[str, Any] = {
    "name": "hello_world",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
        {
            "type": "BODY",
            "text": "Welcome and congratulations!! This message demonstrates your ability to "
            "send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you "
            "for taking the time to test with us.",
        },
        {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
    ],
}


@dataclass
class SandboxConfig:
    """Everything that shapes one sandbox.

    ``strict_webhook_urls`` applies 360Dialog's URL rules (HTTPS, no explicit port, no ``_`` in
    host names); it is off by default so local receivers at ``http://127.0.0.1:PORT`` work.
    ``status_delays`` are the real-time delays, after an accepted send, of the ``sent``,
    ``delivered`` and (when ``auto_read``) ``read`` statuses. Webhook timing: ``webhook_timeout``
    per attempt (360Dialog: 5 s), backoff ``webhook_retry_base * 2**(n-1)`` capped at
    ``webhook_retry_max_delay``, at most ``webhook_max_attempts`` attempts within
    ``webhook_max_age`` seconds (360Dialog: 7 days; see ``webhooks.py``). ``chatter_seconds`` makes simulated customers write in.
    ``random_seed`` makes shuffling and chatter reproducible.
    """

    accounts: list[Account] = field(default_factory=list)
    strict_webhook_urls: bool = False
    review_policy: ReviewPolicy = "rules"
    review_delay: float = 5.0
    webhook_timeout: float = 5.0
    webhook_retry_base: float = 1.0
    webhook_retry_max_delay: float = 3600.0
    webhook_max_attempts: int = 10
    webhook_max_age: float = 7 * 24 * 3600.0
    status_delays: tuple[float, float, float] = (0.2, 1.0, 2.5)
    auto_read: bool = True
    chatter_seconds: float | None = None
    random_seed: int | None = None


@dataclass
class ReviewSettings:
    """Template review behaviour; changeable at run time through the control API."""

    policy: ReviewPolicy
    delay: float

    def update(self, changes: dict[str, Any]) -> None:
        if "policy" in changes:
            if changes["policy"] not in REVIEW_POLICIES:
                raise ValueError(f"policy must be one of {REVIEW_POLICIES}")
            self.policy = changes["policy"]
        if "delay_seconds" in changes:
            self.delay = max(0.0, float(changes["delay_seconds"]))


class Sandbox:
    """A local 360Dialog: accounts, clock, limits, faults, review settings and delivery, the
    web media links are fetched from, and 360Dialog's gateway in front of it all."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = Clock()
        self.state = SandboxState(self.clock)
        self.limits = Limits(self.clock)
        self.faults = Faults()
        self.web = Web()
        self.gateway = Gateway(self.clock)
        self.review = ReviewSettings(self.config.review_policy, self.config.review_delay)
        self.auto_read = self.config.auto_read
        self.random = random.Random(self.config.random_seed)
        self._scheduler: Scheduler | None = None
        self._dispatcher: Dispatcher | None = None
        # Long-running loops (the chatter) that are not "work" the idle endpoint waits for.
        self.background: list[asyncio.Task[None]] = []
        for account in self.config.accounts:
            self.add_account(account)

    # -- accounts ---------------------------------------------------------------------------
    def add_account(self, account: Account) -> Account:
        self.state.add_account(account)
        self._install_sample_templates(account)
        return account

    def _install_sample_templates(self, account: Account) -> None:
        now = self.clock.now()
        for spec in account.sample_templates:
            templates.create(account, spec, now).status = "APPROVED"

    # -- loop-bound machinery ---------------------------------------------------------------
    async def start(self) -> None:
        self._scheduler = Scheduler()
        policy = RetryPolicy(
            timeout=self.config.webhook_timeout,
            base=self.config.webhook_retry_base,
            max_delay=self.config.webhook_retry_max_delay,
            max_attempts=self.config.webhook_max_attempts,
            max_age=self.config.webhook_max_age,
        )
        self._dispatcher = Dispatcher(self._scheduler, self.clock, self.faults, policy)

    async def stop(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        self.background.clear()
        if self._scheduler is not None:
            await self._scheduler.close()
        if self._dispatcher is not None:
            await self._dispatcher.close()

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            raise RuntimeError("the sandbox is not running (call start() on its event loop)")
        return self._scheduler

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            raise RuntimeError("the sandbox is not running (call start() on its event loop)")
        return self._dispatcher

    def emit(self, account: Account, body: dict[str, Any], kind: str) -> None:
        """Queue a webhook event for ``account``."""
        self.dispatcher.enqueue(account, body, kind)

    def reset(self) -> None:
        """Forget messages, contacts, media, templates, deliveries, faults and clock offset.

        Accounts, their webhook configuration and their sample templates stay.
        """
        with self.state.lock:
            for account in self.state.accounts():
                account.clear()
            self.clock.reset()
            for account in self.state.accounts():
                self._install_sample_templates(account)
        self.limits.reset()
        self.web.clear()
        self.gateway.reset()
        self.faults.update(Faults().public())
        self.review = ReviewSettings(self.config.review_policy, self.config.review_delay)
        self.auto_read = self.config.auto_read
        if self._dispatcher is not None:
            self._dispatcher.clear()
