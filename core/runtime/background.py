"""Background work: webhook processing, sending, media downloads, campaigns, template sync,
outgoing webhook deliveries.

It runs in a worker process (``python -m core worker``), never in the server's own: the server's
event loop answers 360Dialog's webhooks and the dashboard, and a CPU-busy thread beside it would
hold Python's interpreter lock for milliseconds at a time, stalling every answer. ``serve`` starts
and supervises one worker child (``RUN_WORKERS=0`` leaves workers to be run separately).

In the worker each job is a small loop in a thread that polls its queue in the store, so work
stored by any process (or left by a crash) is picked up.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from core.config import get_settings
from core.db import get_engine, session_scope
from core.runtime.children import RESTART_SECONDS, ChildProcess, supervisor_gone, supervisor_pid

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
WEBHOOK_POLL_SECONDS = 0.1
"""The webhook queue is polled often (one indexed query): a customer's message shows at once,
and under load each round still finds full batches."""
PROCESSORS = 2
"""Webhook processing threads per worker on PostgreSQL: a batch spends much of its time waiting
for the database, so a second batch (claimed with SKIP LOCKED) runs meanwhile. SQLite has one
writer at a time, so one thread there."""
TEMPLATE_SYNC_SECONDS = 300.0
HOOK_POLL_SECONDS = 0.5
"""Outgoing webhooks are looked for twice a second: a subscriber hears of a message about as
soon as the dashboard shows it."""
SESSION_PRUNE_SECONDS = 24 * 3600.0


class Loop:
    """Run ``step`` (returns how much it did) until stopped; wake early with :meth:`wake`."""

    def __init__(
        self,
        name: str,
        step: Callable[[], int],
        idle_seconds: float = POLL_SECONDS,
        on_stop: Callable[[], None] | None = None,
    ):
        self.name = name
        self.step = step
        self.idle_seconds = idle_seconds
        self.on_stop = on_stop
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Loop:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        if self.on_stop is not None:
            self.on_stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step() > 0
            except Exception:  # noqa: BLE001  (a bad row must not kill the loop; it is logged)
                log.exception("%s failed; retrying", self.name)
                busy = False
            if not busy:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker() -> None:
    """``python -m core worker``: the background loops alone, until SIGTERM or SIGINT.

    Several workers (and servers started with ``RUN_WORKERS=0``) share one PostgreSQL store: every
    queue is claimed with ``SKIP LOCKED`` and each channel is sent for by one worker at a time."""
    import signal

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    loops = start_workers()
    # As in the front: what exists now lives as long as the worker, so full garbage collections
    # walk only what comes after. A 100-ms collection while a loop holds SQLite's one write lock
    # stalls the front's writes too.
    gc.freeze()
    log.info("worker %s running", worker_name())
    supervisor = supervisor_pid()
    # a server's child also ends when its server is gone (even killed), never left orphaned
    while not stop.wait(RESTART_SECONDS):
        if supervisor_gone(supervisor):
            break
    for loop in loops:
        loop.stop()


def start_workers() -> list[Loop]:
    """The webhook processor, the sender, the media downloader, outgoing webhook deliveries, the
    campaign runner, the template sync, the number health check and login pruning, sharing one
    engine."""
    from core.campaigns import runner
    from core.channels import number_health
    from core.channels.registry import client_for
    from core.conversations import media
    from core.hooks.delivery import Deliverer
    from core.outbox.sender import Sender
    from core.webhooks import processor

    engine = get_engine()
    name = worker_name()
    sender = Sender(engine, client_for, worker=name)
    deliverer = Deliverer(engine)
    loops = [
        *(
            Loop(
                f"webhooks-{number}",
                lambda: processor.process_backlog(engine, name),
                idle_seconds=WEBHOOK_POLL_SECONDS,
            )
            for number in range(1 if engine.dialect.name == "sqlite" else PROCESSORS)
        ),
        Loop(
            "sender",
            lambda: sender.run_once(wait=False),
            idle_seconds=0.2,
            on_stop=sender.close,
        ),
        Loop("media", lambda: media.download_pending(engine, client_for)),
        Loop(
            "hooks",
            deliverer.run_once,
            idle_seconds=HOOK_POLL_SECONDS,
            on_stop=deliverer.close,
        ),
        Loop("campaigns", lambda: runner.run_due(engine), idle_seconds=0.5),
        Loop("templates", lambda: sync_all_templates(engine), idle_seconds=TEMPLATE_SYNC_SECONDS),
        Loop(
            "number health",
            lambda: number_health.check_all(engine),
            idle_seconds=number_health.CHECK_SECONDS,
        ),
        Loop("sessions", lambda: prune_sessions(engine), idle_seconds=SESSION_PRUNE_SECONDS),
    ]
    for loop in loops:
        loop.start()
    return loops


def prune_sessions(engine: Engine) -> int:
    """Ended and expired logins and unused tickets, a batch at a time: the loop comes straight
    back while there were some, then sleeps a day."""
    from core.access import sessions

    with session_scope(engine) as session:
        return sessions.prune(session)


def sync_all_templates(engine: Engine) -> int:
    """Every few minutes: each active channel's templates as 360Dialog has them now.

    Returns 0 so the loop then sleeps its full interval; a failing channel is logged and the
    others still sync."""
    from core.access.auth import SYSTEM_ACTOR
    from core.models import Channel
    from core.templates.library import sync_templates

    with session_scope(engine) as session:
        channel_ids = list(session.exec(select(Channel.id).where(Channel.active == True)))  # noqa: E712
    for channel_id in channel_ids:
        try:
            with session_scope(engine) as session:
                sync_templates(session, SYSTEM_ACTOR, channel_id)
        except Exception:  # noqa: BLE001  (one channel's outage must not stop the others)
            log.exception("template sync failed for channel %s", channel_id)
    return 0


def worker_process() -> ChildProcess:
    """The server's ``python -m core worker`` child."""
    return ChildProcess("background worker", [sys.executable, "-m", "core", "worker"])


@asynccontextmanager
async def background_work(public_url: str | None = None) -> AsyncIterator[dict[str, Any]]:
    """Start what the server runs besides serving: the demo sandbox (its webhooks go to
    ``public_url``, by default the dashboard's own address) and the worker child; stop them on
    shutdown."""
    state: dict[str, Any] = {}
    settings = get_settings()
    if settings.demo:
        from core.runtime.demo import start_demo

        state["demo"] = start_demo(settings, public_url)
    worker = worker_process().start() if settings.run_workers else None
    try:
        yield state
    finally:
        if worker is not None:
            worker.stop()
        if "demo" in state:
            state["demo"].stop()
