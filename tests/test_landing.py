"""The SQLite landing file: webhooks answered whoever holds the database, bodies moved once."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, func, select

from core.channels.registry import WEBHOOK_SECRET_HEADER, webhook_url
from core.models import WebhookEvent, utcnow
from core.webhooks import landing
from core.webhooks.processor import process_pending
from tests.d360.helpers import load
from tests.live import serve_routes
from tests.store_helpers import WEBHOOK_SECRET, make_channel


def stored(engine) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookEvent).order_by(WebhookEvent.id)))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: PostgreSQL has no landing file (the test below)."""
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_only_a_sqlite_file_has_a_landing_file(engine) -> None:
    assert landing.landing_for(engine) is not None
    for elsewhere in ("postgresql+psycopg://app@127.0.0.1/test", "sqlite://"):
        assert landing.landing_for(create_engine(elsewhere)) is None


@contextmanager
def database_held(database: str) -> Iterator[None]:
    """Another process's writer (a dashboard's reply, say) holding the main database's write
    lock meanwhile."""
    holder = sqlite3.connect(database, timeout=0, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")  # as the server's connections leave it
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_webhooks_are_answered_while_another_writer_holds_the_database(engine) -> None:
    """Before the landing file, each of these waited for the holder (up to SQLite's 30-s busy
    timeout): under load the dashboard's writes made webhooks wait hundreds of ms."""
    channel = make_channel(engine)
    body = load("courier/cloud_webhook__hello.json")
    with serve_routes() as base, database_held(engine.url.database):
        answers = [
            httpx.post(
                webhook_url(base, channel.id),
                json=body,
                headers={WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET},
                timeout=10,
            )
            for _ in range(5)
        ]
        assert [answer.status_code for answer in answers] == [200] * 5
        assert landing.waiting(engine) == 5
    assert process_pending(engine) == 5  # moved in, then processed
    assert [event.state for event in stored(engine)] == ["processed"] * 5
    assert landing.waiting(engine) == 0


def test_landed_bodies_move_in_order_with_their_arrival_time(engine) -> None:
    channel = make_channel(engine)
    target = landing.landing_for(engine)
    arrived = utcnow()
    landing.land(target, [(channel.id, b'{"n": 1}'), (channel.id, b'{"n": 2}')], arrived)
    landing.land(target, [(channel.id, b'{"n": 3}')], arrived)
    assert landing.move_landed(engine, limit=2) == 2
    assert landing.move_landed(engine) == 1
    events = stored(engine)
    assert [event.body for event in events] == [b'{"n": 1}', b'{"n": 2}', b'{"n": 3}']
    assert {event.received_at for event in events} == {arrived}
    assert {event.state for event in events} == {"pending"}
    assert landing.move_landed(engine) == 0


def test_a_crash_before_the_landing_file_is_cleared_moves_nothing_twice(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = make_channel(engine)
    target = landing.landing_for(engine)
    landing.land(target, [(channel.id, b"{}"), (channel.id, b"[]")], utcnow())

    def crash(*_args, **_kwargs):
        raise RuntimeError("the worker died here")

    with monkeypatch.context() as patched:
        patched.setattr(landing, "delete", crash)  # the landing file's cleanup never runs
        with pytest.raises(RuntimeError):
            landing.move_landed(engine)
    assert len(stored(engine)) == 2  # the move itself committed with its mark
    assert landing.waiting(engine) == 0
    assert landing.move_landed(engine) == 0  # the rows left behind are cleared, not moved
    assert len(stored(engine)) == 2
    with target.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(landing.landed)).scalar() == 0


def test_a_new_landing_file_starts_from_nothing(engine) -> None:
    """Its ids start again at 1; the mark of the file it replaced must not skip them."""
    channel = make_channel(engine)
    first = landing.landing_for(engine)
    landing.land(first, [(channel.id, b"{}"), (channel.id, b"{}")], utcnow())
    assert landing.move_landed(engine) == 2
    first.engine.dispose()
    database = Path(engine.url.database)
    for leftover in database.parent.glob(database.name + landing.LANDING_SUFFIX + "*"):
        leftover.unlink()
    landing._open_landings.pop(database)  # as a process started after the file was lost
    second = landing.landing_for(engine)
    assert second.generation != first.generation
    landing.land(second, [(channel.id, b'{"again": true}')], utcnow())
    assert landing.move_landed(engine) == 1
    assert stored(engine)[-1].body == b'{"again": true}'
