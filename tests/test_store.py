"""The store on both databases: migrations, constraints, timestamps, indexes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core import db
from core.migrations import HEAD
from core.models import AuditEntry, Channel, Contact, User, utcnow


def make_channel(session: Session) -> Channel:
    channel = Channel(
        name="Ventas",
        number="+5491122334455",
        base_url="http://127.0.0.1:1",
        api_key_encrypted=b"x",
        api_key_hint="••••1234",
        webhook_secret_hash="h",
    )
    session.add(channel)
    session.flush()
    return channel


def test_migrations_create_every_table(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "users",
        "channels",
        "contacts",
        "conversations",
        "messages",
        "media_files",
        "templates",
        "template_status_changes",
        "workspace_templates",
        "webhook_events",
        "outbound_jobs",
        "audit_log",
        "app_settings",
        "alembic_version",
    } <= tables


def test_migrating_twice_changes_nothing(engine) -> None:
    db.migrate(engine)
    head = ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head()
    assert db.stored_revision(engine) == head == HEAD  # HEAD moves with every new migration


def test_a_store_at_the_newest_revision_is_not_handed_to_alembic(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command and server process migrates at start: on an up-to-date store that is one
    query, not Alembic reading every script; a store one revision behind is still upgraded."""
    from alembic import command

    upgrades: list[str] = []
    upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda config, rev: upgrades.append(rev))
    db.migrate(engine)
    assert upgrades == []
    monkeypatch.setattr(command, "upgrade", upgrade)
    command.downgrade(db.alembic_config(engine), "-1")
    db.migrate(engine)
    assert db.stored_revision(engine) == HEAD


def test_the_migrated_schema_is_the_models_schema(engine) -> None:
    """A column added to a model without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_indexes_serve_the_page_queries(engine) -> None:
    inspector = inspect(engine)
    message_indexes = {index["name"] for index in inspector.get_indexes("messages")}
    assert "ix_messages_conversation_created" in message_indexes
    assert "ix_conversations_channel_last_message" in {
        index["name"] for index in inspector.get_indexes("conversations")
    }
    assert "ix_webhook_events_state" in {
        index["name"] for index in inspector.get_indexes("webhook_events")
    }


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    when = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=-3)))
    session.add(AuditEntry(actor="a", action="x", at=when))
    session.flush()
    session.expire_all()
    stored = session.exec(select(AuditEntry)).one()
    assert stored.at == when
    assert stored.at.tzinfo is not None
    assert stored.at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(AuditEntry(actor="a", action="x", at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_one_contact_per_channel_and_wa_id(session: Session) -> None:
    channel = make_channel(session)
    session.add(Contact(channel_id=channel.id, wa_id="5491122334455"))
    session.flush()
    session.add(Contact(channel_id=channel.id, wa_id="5491122334455"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Contact(channel_id=999_999, wa_id="1"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_usernames_are_unique(session: Session) -> None:
    for _ in range(2):
        session.add(User(username="ana", password_hash="x", role="agent"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_utcnow_is_aware() -> None:
    assert utcnow().tzinfo is UTC
