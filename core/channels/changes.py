"""Has anything a page shows for these channels changed? One number per channel says so.

Every writer of what a dashboard shows (webhook processing, the sender, campaigns, template
review, an agent's reply or read) raises its channels' ``version`` in the same transaction, once
per channel however many messages the transaction holds: at a thousand messages a second a row
updated per message would make PostgreSQL's writers wait for each other's commits. Writers
either :func:`note` a channel on their session (raised just before it commits) or, writing
through a bare connection, :func:`bump` it there.

An open page asks :func:`current` every second and reruns only when its channels' versions
moved. However many tabs ask, each process reads the table at most every ``MAX_AGE_SECONDS``:
all of a Streamlit server's sessions share one answer.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import ChannelChange

CHANGES = ChannelChange.__table__.c  # type: ignore[attr-defined]
_NOTED = "changed_channels"  # Session.info key: channels to bump when the session commits

MAX_AGE_SECONDS = 0.5
"""How old the shared answer may be: a change shows within this (plus the page's own tick),
for at most two reads of a one-row-per-channel table a second per process."""

Versions = Mapping[int, int]
"""Channel id → version; a channel never changed is absent (version 0)."""


def bump(connection: Connection, channel_ids: Iterable[int]) -> None:
    """Raise each channel's version by one (made at 1 the first time): an UPSERT that both
    SQLite and PostgreSQL understand, in channel order so concurrent writers never deadlock."""
    rows = [{"channel_id": channel_id, "version": 1} for channel_id in sorted(set(channel_ids))]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ChannelChange.__table__).values(rows)  # type: ignore[arg-type]
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[CHANGES.channel_id], set_={"version": CHANGES.version + 1}
        )
    )


def note(session: Session, *channel_ids: int | None) -> None:
    """``session`` changed what pages show for these channels: bumped once each as it commits
    (at the end of the transaction, so a PostgreSQL row lock is held only for the commit)."""
    session.info.setdefault(_NOTED, set()).update(id_ for id_ in channel_ids if id_ is not None)


@event.listens_for(Session, "before_commit")
def _bump_noted(session: Session) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        bump(session.connection(), noted)


@event.listens_for(Session, "after_rollback")
def _forget_noted(session: Session) -> None:
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
