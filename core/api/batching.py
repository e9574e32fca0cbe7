"""The API's writes, group-committed: requests arriving together share one transaction.

A send is a message, its job, the thread's last message and an audit entry: a few
milliseconds of work, and on SQLite one writer at a time, so at hundreds of sends a second one
transaction each would queue the requests behind each other's commits. Here every write that
arrives while a batch is being written joins the next batch, and each is answered only after
the commit holding its work (as ``core.webhooks.receiver`` does for bodies).

Requests of one kind that core can write set-wise (text sends: ``run_together``) are written
with one call for the whole batch, in one savepoint: their statements are a handful per batch
instead of a dozen per request. Every other write (``run``) gets its own savepoint and runs
unchanged, the core functions the pages call. Either way a refused request (a closed window, a
wrong value) undoes only itself: a set-wise call answers each request, and if it fails as a
whole (e.g. an idempotency key another process took meanwhile) its requests are written again
one savepoint each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import session_scope, writer_turn

MAX_BATCH = 100
LINGER_SECONDS = 0.005
"""While requests keep arriving, the next batch waits this long for more once one is written: a
batch of two costs the front nearly what a batch of ten does (a dozen statements and a commit),
so at hundreds of sends a second the pause halves its CPU per send. A request arriving after a
quiet spell is written at once."""
CONCURRENT_WRITERS = 4
"""Batches in flight on PostgreSQL (several transactions commit at once); SQLite has one."""

Work = Callable[[Session], Any]
WriteMany = Callable[[Session, list[Any]], list[Any]]
"""Writes many requests' items at once; answers each in order: its result, or the exception
refusing it (and having written nothing of it)."""
Outcome = tuple[bool, Any]
"""``(True, result)`` or ``(False, exception)``."""


@dataclass(frozen=True)
class Together:
    """One request's item, written by ``write_many`` with the batch's other items for it."""

    write_many: WriteMany
    item: Any


class WriteBatcher:
    """Runs queued work in shared transactions on a thread, one savepoint each (one for all the
    items of a ``WriteMany``)."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.max_writers = 1 if engine.dialect.name == "sqlite" else CONCURRENT_WRITERS
        self._pending: list[tuple[Work | Together, asyncio.Future[Any]]] = []
        self._writers = 0

    async def run(self, work: Work) -> Any:
        """``work(session)``'s result once its batch committed (or its own exception)."""
        return await self._queue(work)

    async def run_together(self, write_many: WriteMany, item: Any) -> Any:
        """``item``'s answer from ``write_many`` once its batch committed (or its refusal)."""
        return await self._queue(Together(write_many, item))

    async def _queue(self, job: Work | Together) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((job, future))
        if self._writers < self.max_writers:
            self._writers += 1
            loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                try:
                    outcomes = await asyncio.to_thread(self._write, [job for job, _ in batch])
                except Exception as exc:  # noqa: BLE001  (the commit failed: every request hears it)
                    outcomes = [(False, exc)] * len(batch)
                for (_, future), (done, value) in zip(batch, outcomes, strict=True):
                    if done:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                if 0 < len(self._pending) < self.max_batch:
                    await asyncio.sleep(LINGER_SECONDS)
        finally:
            self._writers -= 1

    def _write(self, batch: list[Work | Together]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        together: dict[WriteMany, dict[int, Any]] = {}  # each set-wise writer's items, by request
        with writer_turn(self.engine), session_scope(self.engine) as session:
            if self.engine.dialect.name == "sqlite":
                # The write lock first. A savepoint starts SQLite's transaction as a reader, and
                # a reader whose snapshot another process wrote past cannot become the writer:
                # SQLite says "database is locked" at once instead of waiting its turn.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            for index, job in enumerate(batch):
                if isinstance(job, Together):
                    together.setdefault(job.write_many, {})[index] = job.item
                else:
                    outcomes[index] = _alone(session, job)
            for write_many, items in together.items():
                answers = _together(session, write_many, list(items.values()))
                outcomes.update(zip(items, answers, strict=True))
        return [outcomes[index] for index in range(len(batch))]


def _alone(session: Session, work: Work) -> Outcome:
    try:
        with session.begin_nested():
            return True, work(session)
    except Exception as exc:  # noqa: BLE001  (this request's refusal; others go on)
        return False, exc


def _together(session: Session, write_many: WriteMany, items: list[Any]) -> list[Outcome]:
    """All items in one savepoint; if that fails as a whole, each item alone."""
    try:
        with session.begin_nested():
            answers = write_many(session, items)
    except Exception as exc:  # noqa: BLE001  (one item's, perhaps: the others go on without it)
        if len(items) == 1:
            return [(False, exc)]
        return [outcome for item in items for outcome in _together(session, write_many, [item])]
    return [(not isinstance(answer, Exception), answer) for answer in answers]
