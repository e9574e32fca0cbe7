"""Receiving webhooks fast: authenticate from a small cache, then group-commit the bodies.

360Dialog wants answers well under 250 ms and sends up to 3 × outbound + inbound messages per
second. One transaction per body would make the disk's sync the limit; instead every body that
arrives while the previous write is in progress joins the next one, and each request is answered
only after the transaction holding its body committed — durable first, 200 after.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from core import crypto
from core.db import writer_turn
from core.models import Channel, WebhookEvent, utcnow
from core.webhooks import landing

MAX_BODY_BYTES = 1_000_000
"""WhatsApp's webhook bodies are a few KB; anything near a megabyte is not from 360Dialog."""

SECRET_TTL_SECONDS = 5.0
MAX_BATCH = 500
CONCURRENT_WRITERS = 4


@dataclass(frozen=True)
class Receipt:
    """What the route answers: an HTTP status and a short reason."""

    status_code: int
    reason: str
    event_id: int | None = None
    """The stored body's id when it was stored on its own (a batch's ids are not read back)."""


class SecretCache:
    """Channels' webhook secret hashes, read at most every few seconds (and on a mismatch)."""

    def __init__(self, ttl: float = SECRET_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._hashes: dict[tuple[str, int], tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def cached_match(self, engine: Engine, channel_id: int, secret: str | None) -> bool:
        """True when a fresh cached hash matches (no database call: safe on the event loop)."""
        cached = self._hashes.get((_store_key(engine), channel_id))
        return (
            bool(secret)
            and cached is not None
            and cached[0] is not None
            and time.monotonic() - cached[1] < self.ttl
            and crypto.same_secret(secret or "", cached[0])
        )

    def matches(self, engine: Engine, channel_id: int, secret: str | None) -> bool:
        if not secret:
            return False
        stored = self._get(engine, channel_id, fresh=False)
        if stored is not None and crypto.same_secret(secret, stored):
            return True
        # a secret changed moments ago (new connection): look again before refusing
        stored = self._get(engine, channel_id, fresh=True)
        return stored is not None and crypto.same_secret(secret, stored)

    def _get(self, engine: Engine, channel_id: int, *, fresh: bool) -> str | None:
        now = time.monotonic()
        key = (_store_key(engine), channel_id)
        with self._lock:
            cached = self._hashes.get(key)
        if cached is not None and not fresh and now - cached[1] < self.ttl:
            return cached[0]
        with engine.connect() as connection:
            stored = connection.execute(
                select(Channel.webhook_secret_hash).where(Channel.id == channel_id)
            ).scalar()
        with self._lock:
            self._hashes[key] = (stored, now)
        return stored


@functools.cache
def _store_key(engine: Engine) -> str:
    """The database an engine points at (tests run servers on several stores in one process)."""
    return engine.url.render_as_string(hide_password=True)


def check(
    cache: SecretCache, engine: Engine, channel_id: int, secret: str | None, body: bytes
) -> Receipt | None:
    """A refusal (413, 401, 400), or None when the body may be stored."""
    if len(body) > MAX_BODY_BYTES:
        return Receipt(413, "body too large")
    if not cache.matches(engine, channel_id, secret):
        return Receipt(401, "missing or wrong webhook secret")
    return _check_json(body)


def check_body(body: bytes) -> Receipt | None:
    """Size and JSON: what is refused whoever sent it."""
    if len(body) > MAX_BODY_BYTES:
        return Receipt(413, "body too large")
    return _check_json(body)


def _check_json(body: bytes) -> Receipt | None:
    try:
        json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Receipt(400, "body is not JSON")
    return None


_COPY_BODIES = "COPY webhook_events (channel_id, received_at, body, state, attempts) FROM STDIN"


def store_batch(engine: Engine, items: list[tuple[int, bytes]]) -> None:
    """Store bodies in one transaction: on SQLite in the landing file, which no other writer
    holds up (``core.webhooks.landing``); on PostgreSQL in ``webhook_events`` with ``COPY``, a
    third of the client's work of a multi-row ``INSERT`` (one statement, no placeholders to
    render), and less of the server's."""
    now = utcnow()
    target = landing.landing_for(engine)
    if target is not None:
        landing.land(target, items, now)
        return
    with writer_turn(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(_COPY_BODIES) as copy:
                for channel_id, body in items:
                    copy.write_row((channel_id, now, body, "pending", 0))
            return
        connection.execute(
            insert(WebhookEvent.__table__),  # type: ignore[arg-type]
            [landing.pending_row(channel_id, body, now) for channel_id, body in items],
        )


def store_one(engine: Engine, channel_id: int, body: bytes) -> int:
    """Insert one body into ``webhook_events`` on its own; its id. For the command line and
    tests, where no webhook waits on the answer, so the landing file is not needed."""
    table = WebhookEvent.__table__
    with writer_turn(engine), engine.begin() as connection:
        return connection.execute(
            insert(table).returning(table.c.id),  # type: ignore[arg-type, attr-defined]
            landing.pending_row(channel_id, body, utcnow()),
        ).scalar_one()


class GroupCommitter:
    """Collects bodies from concurrent requests and writes them in as few transactions as it can.

    Runs on the server's event loop; the database work happens in a thread so the loop keeps
    accepting requests while a batch is being written."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        # SQLite has one writer at a time; a server database commits several transactions at
        # once, so a few batches in flight hide each commit's round trip and sync.
        self.max_writers = 1 if engine.dialect.name == "sqlite" else CONCURRENT_WRITERS
        self._pending: list[tuple[int, bytes, asyncio.Future[None]]] = []
        self._writers = 0

    async def store(self, channel_id: int, body: bytes) -> None:
        """Returns once the body is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((channel_id, body, future))
        if self._writers < self.max_writers:
            self._writers += 1
            asyncio.get_running_loop().create_task(self._drain())
        await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = (
                    self._pending[: self.max_batch],
                    self._pending[self.max_batch :],
                )
                try:
                    await asyncio.to_thread(store_batch, self.engine, [(c, b) for c, b, _ in batch])
                except Exception as exc:  # noqa: BLE001  (each waiting request gets the error)
                    for _, _, future in batch:
                        future.set_exception(exc)
                    continue
                for _, _, future in batch:
                    future.set_result(None)
        finally:
            self._writers -= 1


_committers: dict[tuple[int, int], GroupCommitter] = {}
_cache = SecretCache()


def committer_for(engine: Engine) -> GroupCommitter:
    """One committer per engine and event loop (tests run several servers in one process)."""
    key = (id(engine), id(asyncio.get_running_loop()))
    committer = _committers.get(key)
    if committer is None:
        committer = _committers[key] = GroupCommitter(engine)
    return committer


async def receive_async(
    engine: Engine, channel_id: int, secret: str | None, body: bytes
) -> Receipt:
    """The webhook route's work: refuse, or store durably and then say 200.

    The usual case (a known channel, its secret cached) is checked on the event loop itself; only
    a cache miss goes to a thread for the database."""
    if _cache.cached_match(engine, channel_id, secret):
        refusal = check_body(body)
    else:
        refusal = await asyncio.to_thread(check, _cache, engine, channel_id, secret, body)
    if refusal is not None:
        return refusal
    await committer_for(engine).store(channel_id, body)
    return Receipt(200, "stored")


def receive(engine: Engine, channel_id: int, secret: str | None, body: bytes) -> Receipt:
    """The same, synchronously, one body at a time (command line and tests)."""
    refusal = check(_cache, engine, channel_id, secret, body)
    if refusal is not None:
        return refusal
    return Receipt(200, "stored", store_one(engine, channel_id, body))
