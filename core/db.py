"""Engine, sessions and migrations for SQLite (default, WAL) and PostgreSQL (``DATABASE_URL``).

The same code runs on both; SQLite gets the pragmas that make it safe for a server process and its
worker (WAL so readers never block the webhook writer, a busy timeout instead of
"database is locked" errors, foreign keys on).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Engine, any_, bindparam, event, inspect, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, create_engine

from core.config import get_settings
from core.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``, with SQLite's pragmas applied to every connection."""
    if not database_url.startswith("sqlite"):
        engine = create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _custom_plans(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # psycopg prepares a statement run a few times (the webhook batches' executemany
            # then skip parsing), but PostgreSQL would soon switch a prepared statement to a
            # generic plan that ignores the values: for the batch lookups (``IN`` lists of
            # WhatsApp ids) that plan scans a channel's messages instead of using the unique
            # index. Each run is planned for its values instead.
            dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
            dbapi_connection.commit()

        return engine
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


_turns_lock = threading.Lock()
_turns: dict[str, tuple[threading.Lock, int | None]] = {}


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """On SQLite, the busy writers of a database file take turns on a lock: a waiting writer
    wakes the moment the other commits, instead of sleeping in SQLite's busy handler, which backs
    off for up to 100 ms at a time. Threads of one process queue on a mutex, processes on an
    advisory lock file next to the database; each file has its own (the webhook landing file's
    turns never wait for the main database's). PostgreSQL needs no turns."""
    if engine.dialect.name != "sqlite":
        yield
        return
    mutex, lock_file = _turn(sqlite_file(engine))
    with mutex:
        if lock_file is None:  # in memory: this process is the only one
            yield
            return
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _turn(database: Path | None) -> tuple[threading.Lock, int | None]:
    """The mutex and open lock file (``None`` in memory) of a SQLite database, made on first
    use."""
    key = str(database or "")
    with _turns_lock:
        if key not in _turns:
            lock_file = None
            if database is not None:
                path = database.with_name(database.name + "-writer.lock")
                lock_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            _turns[key] = (threading.Lock(), lock_file)
        return _turns[key]


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database on disk; ``None`` on PostgreSQL or for one in memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def in_row_order(rows: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """An executemany's parameters by row id: concurrent batches that update some of the same
    rows then lock them in the same order, so they wait for each other instead of deadlocking."""
    return [rows[row_id] for row_id in sorted(rows)]


def one_of(
    session: Session, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN (values)`` for a batch's lookups. On PostgreSQL it is written ``column =
    ANY(:values)``: one array parameter whatever the batch's size, so the statement stays short
    and the same for every batch (psycopg converts and prepares it once) where an ``IN`` list
    has a placeholder per value."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


@cache
def get_engine() -> Engine:
    """The process-wide engine for the configured ``DATABASE_URL``."""
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # Alembic loads only when a store needs it (``migrate``)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def stored_revision(engine: Engine) -> str | None:
    """The revision the store was last migrated to (``None``: never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe to run at every start.

    Every command and server process starts with it, and nearly always the store is already at
    the newest revision: that is one query, while importing Alembic and reading every migration
    script costs about a second of CPU."""
    engine = engine or get_engine()
    if revision == "head" and stored_revision(engine) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
