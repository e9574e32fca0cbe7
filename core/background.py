"""Background work run by the server's lifespan: webhook processing, sending, media downloads.

Each is a small loop in a daemon thread that sleeps until woken (a webhook arrived) or until its
poll interval passes, so work stored by another process (or left by a crash) is picked up too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from core.config import get_settings
from core.db import get_engine, session_scope

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
TEMPLATE_SYNC_SECONDS = 300.0


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


_loops: dict[str, Loop] = {}


def wake_processor() -> None:
    """Called by the webhook route after storing a body, so it is processed at once."""
    loop = _loops.get("webhooks")
    if loop is not None:
        loop.wake()


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
    log.info("worker %s running", worker_name())
    stop.wait()
    for loop in loops:
        loop.stop()


def start_workers() -> list[Loop]:
    """The webhook processor, the sender and the media downloader, sharing one engine."""
    from core import campaigns, ingest, media
    from core.channels import client_for
    from core.outbox import Sender

    engine = get_engine()
    name = worker_name()
    sender = Sender(engine, client_for, worker=name)
    loops = [
        Loop("webhooks", lambda: ingest.process_pending(engine, worker=name)),
        Loop(
            "sender",
            lambda: sender.run_once(wait=False),
            idle_seconds=0.2,
            on_stop=sender.close,
        ),
        Loop("media", lambda: media.download_pending(engine, client_for)),
        Loop("campaigns", lambda: campaigns.run_due(engine), idle_seconds=0.5),
        Loop("templates", lambda: sync_all_templates(engine), idle_seconds=TEMPLATE_SYNC_SECONDS),
    ]
    for loop in loops:
        _loops[loop.name] = loop.start()
    return loops


def sync_all_templates(engine: Engine) -> int:
    """Every few minutes: each active channel's templates as 360Dialog has them now.

    Returns 0 so the loop then sleeps its full interval; a failing channel is logged and the
    others still sync."""
    from core.auth import SYSTEM_ACTOR
    from core.models import Channel
    from core.templates import sync_templates

    with session_scope(engine) as session:
        channel_ids = list(session.exec(select(Channel.id).where(Channel.active == True)))  # noqa: E712
    for channel_id in channel_ids:
        try:
            with session_scope(engine) as session:
                sync_templates(session, SYSTEM_ACTOR, channel_id)
        except Exception:  # noqa: BLE001  (one channel's outage must not stop the others)
            log.exception("template sync failed for channel %s", channel_id)
    return 0


@asynccontextmanager
async def background_work() -> AsyncIterator[dict[str, Any]]:
    """Start what the process runs besides serving pages; stop it on shutdown."""
    state: dict[str, Any] = {}
    settings = get_settings()
    if settings.demo:
        from core.demo import start_demo

        state["demo"] = start_demo(settings)
    loops = start_workers() if settings.run_workers else []
    try:
        yield state
    finally:
        for loop in loops:
            loop.stop()
            _loops.pop(loop.name, None)
        if "demo" in state:
            state["demo"].stop()
