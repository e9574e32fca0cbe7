"""The API's writes, group-committed: requests arriving together share one transaction.

A send is a message, its job, the thread's last message and an audit entry: a few
milliseconds of work, and on SQLite one writer at a time, so at hundreds of sends a second one
transaction each would queue the requests behind each other's commits. Here every write that
arrives while a batch is being written joins the next batch; each request still gets its own
savepoint, so a refused one (a closed window, a wrong value) undoes only itself, and each is
answered only after the commit holding its work (as ``core.webhooks.receiver`` does for bodies).
Each action runs unchanged: the core functions the pages call, one after the other in a session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import session_scope, writer_turn

MAX_BATCH = 100
CONCURRENT_WRITERS = 4
"""Batches in flight on PostgreSQL (several transactions commit at once); SQLite has one."""

Work = Callable[[Session], Any]


class WriteBatcher:
    """Runs queued work in shared transactions on a thread, one savepoint each."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.max_writers = 1 if engine.dialect.name == "sqlite" else CONCURRENT_WRITERS
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writers = 0

    async def run(self, work: Work) -> Any:
        """``work(session)``'s result once its batch committed (or its own exception)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((work, future))
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
                    outcomes = await asyncio.to_thread(self._write, [work for work, _ in batch])
                except Exception as exc:  # noqa: BLE001  (the commit failed: every request hears it)
                    outcomes = [(False, exc)] * len(batch)
                for (_, future), (done, value) in zip(batch, outcomes, strict=True):
                    if done:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._writers -= 1

    def _write(self, batch: list[Work]) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        with writer_turn(self.engine), session_scope(self.engine) as session:
            if self.engine.dialect.name == "sqlite":
                # The write lock first. A savepoint starts SQLite's transaction as a reader, and
                # a reader whose snapshot another process wrote past cannot become the writer:
                # SQLite says "database is locked" at once instead of waiting its turn.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            for work in batch:
                try:
                    with session.begin_nested():
                        outcomes.append((True, work(session)))
                except Exception as exc:  # noqa: BLE001  (this request's refusal; others go on)
                    outcomes.append((False, exc))
        return outcomes
