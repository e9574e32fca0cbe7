"""Has anything a page shows for these channels changed? One number per channel says so.

Every writer of what a dashboard shows (webhook processing, the sender, campaigns, template
review, an agent's reply or read) raises its channels' ``version`` in the same transaction, once
per channel however many messages the transaction holds: at a thousand messages a second a row
updated per message would make PostgreSQL's writers wait for each other's commits. Writers
either :func:`note` a channel on their session (raised just before it commits) or, writing
through a bare connection, :func:`bump` it there.

A savepoint (``session.begin_nested()``, one per API request in a group commit) is not the
commit: SQLAlchemy fires ``before_commit`` when one is released too, so what a savepoint noted is
handed to the enclosing transaction when it is released and forgotten when it is rolled back,
and the channels are bumped once, at the outermost commit.

A dashboard process's live watcher (``core.channels.watchers``) asks :func:`current` four times
a second for every open tab and reruns a tab only when its channels' versions moved. However many
tabs and page runs ask, each process reads the table at most every ``MAX_AGE_SECONDS``: all of a
Streamlit server's sessions share one answer.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from core.db import get_engine
from core.models import ChannelChange

CHANGES = ChannelChange.__table__.c  # type: ignore[attr-defined]
_NOTED = "changed_channels"
"""``Session.info`` key: the channels to bump when the session commits, by the savepoint that
noted them (``None``: the transaction itself)."""

MAX_AGE_SECONDS = 0.25
"""How old the shared answer may be: a change is noticed within this (plus the watcher's tick),
for at most four reads of a one-row-per-channel table a second per process."""

Versions = Mapping[int, int]
"""Channel id → version; a channel never changed is absent (version 0)."""


def bump(connection: Connection, channel_ids: Iterable[int]) -> None:
    """Raise each channel's version by one (made at 1 the first time): an UPSERT that both
    SQLite and PostgreSQL understand, in channel order so concurrent writers never deadlock."""
    rows = [{"channel_id": channel_id, "version": 1} for channel_id in sorted(set(channel_ids))]
    if rows:
        connection.execute(_raising(connection.dialect.name), rows)


@cache
def _raising(dialect_name: str) -> Any:
    """:func:`bump`'s statement, built once (every write transaction runs it)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(ChannelChange.__table__).on_conflict_do_update(  # type: ignore[arg-type]
        index_elements=[CHANGES.channel_id], set_={"version": CHANGES.version + 1}
    )


Noted = dict[SessionTransaction | None, set[int]]


def note(session: Session, *channel_ids: int | None) -> None:
    """``session`` changed what pages show for these channels: bumped once each as it commits
    (at the end of the transaction, so a PostgreSQL row lock is held only for the commit)."""
    noted: Noted = session.info.setdefault(_NOTED, {})
    channels = noted.setdefault(session.get_nested_transaction(), set())
    channels.update(id_ for id_ in channel_ids if id_ is not None)


def _scope(transaction: SessionTransaction | None) -> SessionTransaction | None:
    """Where a transaction's notes are kept: its own savepoint, or ``None`` for the outermost."""
    return transaction if transaction is not None and transaction.nested else None


@event.listens_for(Session, "before_commit")
def _bump_noted(session: Session) -> None:
    released = session.get_nested_transaction()
    if released is not None:  # a savepoint released: its channels wait for the real commit
        noted: Noted = session.info.get(_NOTED, {})
        if released in noted:
            channels = noted.pop(released)
            noted.setdefault(_scope(released.parent), set()).update(channels)
        return
    noted = session.info.pop(_NOTED, {})
    channels = set().union(*noted.values())
    if channels:
        bump(session.connection(), channels)


@event.listens_for(Session, "after_soft_rollback")
def _forget_noted(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back forgets what it noted; the transaction rolled back, everything."""
    if previous.nested:
        session.info.get(_NOTED, {}).pop(previous, None)
    else:
        session.info.pop(_NOTED, None)


def read_versions(engine: Engine) -> Versions:
    """Every channel's version, from the store (a handful of rows)."""
    with engine.connect() as connection:
        rows = connection.execute(select(CHANGES.channel_id, CHANGES.version)).all()
    return MappingProxyType({row.channel_id: row.version for row in rows})


class SharedVersions:
    """The versions as read at most every ``max_age`` seconds, shared by every thread (each
    Streamlit session runs in its own); a caller arriving during a read waits for its answer."""

    def __init__(
        self,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        read: Callable[[Engine], Versions] = read_versions,
    ) -> None:
        self._max_age = max_age
        self._clock = clock
        self._read = read
        self._lock = threading.Lock()
        self._answers: weakref.WeakKeyDictionary[Engine, tuple[float, Versions]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, engine: Engine) -> Versions:
        with self._lock:
            read_at, versions = self._answers.get(engine, (None, MappingProxyType({})))
            now = self._clock()
            if read_at is None or now - read_at >= self._max_age:
                versions = self._read(engine)
                self._answers[engine] = (now, versions)
            return versions


_SHARED = SharedVersions()

Token = tuple[tuple[int, int], ...]
"""What a page compares: ``((channel_id, version), ...)``, in channel order."""


def current(channel_ids: Iterable[int] | None = None, engine: Engine | None = None) -> Token:
    """The versions of ``channel_ids`` (every channel when ``None``) now, as this process last
    read them (at most ``MAX_AGE_SECONDS`` ago)."""
    versions = _SHARED.get(engine or get_engine())
    if channel_ids is None:
        return tuple(sorted(versions.items()))
    return tuple(
        (channel_id, versions.get(channel_id, 0)) for channel_id in sorted(set(channel_ids))
    )
