"""On SQLite, webhook bodies land in a file of their own; the worker moves them on.

SQLite lets one writer at a time into a database file. In the main database, the intake would
share that turn with the dashboard's writes (a reply, a conversation marked read, a login kept
fresh). The dashboard runs at a low priority beside a hundred tabs' reruns. Under load
(``bench.sessions``: 100 idle and 20 active tabs, 1,000 webhooks a second) its transactions were
seen holding the write lock for 100 to 500 ms, and every webhook waited meanwhile: p99 525 ms.

The landing file next to the database (``whatsapp.db-landing``) is written by the intake alone;
the worker only clears what it has moved. A webhook's answer waits for no one else's
transaction, and the body is as durable there as in the database (same pragmas, committed
before the 200).

Before each round, the worker's processor moves landed bodies into ``webhook_events``. The rows
and the new mark (``LandingMark``) are written in one transaction of the main database; then the
moved rows are deleted from the landing file. A crash between the two leaves rows the mark
already covers: they are skipped and cleared the next time. Nothing is lost or moved twice.

PostgreSQL locks rows, not the whole database: there the intake writes ``webhook_events``
directly and there is no landing file. Neither is there for a database in memory (tests).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.db import make_engine, sqlite_file, writer_turn
from core.models import LandingMark, UTCDateTime, WebhookEvent

LANDING_SUFFIX = "-landing"
MOVE_LIMIT = 5_000
"""Bodies moved per round at most: a backlog moves in pieces, each a short transaction."""

_schema = MetaData()
landed = Table(
    "landed",
    _schema,
    Column("id", Integer, primary_key=True),
    Column("channel_id", Integer, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    # ids never come back after the rows are deleted: the mark stays below every new row
    sqlite_autoincrement=True,
)
_generation = Table(
    "generation",
    _schema,
    Column("id", Integer, primary_key=True),
    Column("token", String(36), nullable=False),
)


@dataclass(frozen=True)
class Landing:
    """An open landing file, and the generation it drew when it was created."""

    engine: Engine
    generation: str


_open_landings: dict[Path, Landing] = {}
_opening = threading.Lock()


def landing_for(engine: Engine) -> Landing | None:
    """The landing file of a SQLite database file (created on first use); ``None`` on
    PostgreSQL or in memory, where bodies go to ``webhook_events`` directly."""
    database = sqlite_file(engine)
    if database is None:
        return None
    with _opening:
        landing = _open_landings.get(database)
        if landing is None:
            landing = _open_landings[database] = _open(database)
    return landing


def _open(database: Path) -> Landing:
    engine = make_engine(f"sqlite:///{database.with_name(database.name + LANDING_SUFFIX)}")
    with writer_turn(engine), engine.begin() as connection:
        _schema.create_all(connection)
        connection.execute(
            sqlite_insert(_generation)
            .values(id=1, token=str(uuid.uuid4()))
            .on_conflict_do_nothing(index_elements=["id"])
        )
        token = connection.execute(select(_generation.c.token)).scalar_one()
    return Landing(engine, token)


def pending_row(channel_id: int, body: bytes, received_at: datetime) -> dict[str, Any]:
    """A ``webhook_events`` row for a body the processor has yet to handle."""
    return {
        "channel_id": channel_id,
        "body": body,
        "received_at": received_at,
        "state": "pending",
        "attempts": 0,
    }


def land(landing: Landing, items: list[tuple[int, bytes]], received_at: datetime) -> None:
    """Store bodies in the landing file, in one transaction."""
    with writer_turn(landing.engine), landing.engine.begin() as connection:
        connection.execute(
            insert(landed),
            [
                {"channel_id": channel_id, "received_at": received_at, "body": body}
                for channel_id, body in items
            ],
        )


def move_landed(engine: Engine, limit: int = MOVE_LIMIT) -> int:
    """Move up to ``limit`` landed bodies into ``webhook_events``, oldest first; how many."""
    landing = landing_for(engine)
    if landing is None or _empty(landing):
        return 0
    with writer_turn(engine), engine.begin() as connection:
        mark = _mark(connection, landing)
        with landing.engine.connect() as source:
            rows = source.execute(
                select(landed).where(landed.c.id > mark).order_by(landed.c.id).limit(limit)
            ).all()
            left_behind = source.execute(select(landed.c.id).where(landed.c.id <= mark).limit(1))
            clear = bool(rows) or left_behind.first() is not None
        if rows:
            connection.execute(
                insert(WebhookEvent.__table__),  # type: ignore[arg-type]
                [pending_row(row.channel_id, row.body, row.received_at) for row in rows],
            )
            mark = rows[-1].id
            connection.execute(
                sqlite_insert(LandingMark.__table__)  # type: ignore[arg-type]
                .values(generation=landing.generation, last_id=mark)
                .on_conflict_do_update(index_elements=["generation"], set_={"last_id": mark})
            )
    if clear:
        with writer_turn(landing.engine), landing.engine.begin() as connection:
            connection.execute(delete(landed).where(landed.c.id <= mark))
    return len(rows)


def waiting(engine: Engine) -> int:
    """Landed bodies not yet moved into ``webhook_events`` (0 without a landing file)."""
    landing = landing_for(engine)
    if landing is None:
        return 0
    with engine.connect() as connection:
        mark = _mark(connection, landing)
    with landing.engine.connect() as source:
        return source.execute(
            select(func.count()).select_from(landed).where(landed.c.id > mark)
        ).scalar_one()


def _empty(landing: Landing) -> bool:
    """Nothing landed, nothing left to clear: the idle state, which the worker's rounds (ten a
    second) tell from one read of the landing file, without a turn on the main database."""
    with landing.engine.connect() as source:
        return source.execute(select(landed.c.id).limit(1)).first() is None


def _mark(connection: Any, landing: Landing) -> int:
    return (
        connection.execute(
            select(LandingMark.last_id).where(LandingMark.generation == landing.generation)
        ).scalar()
        or 0
    )
