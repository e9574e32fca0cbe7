"""The two durable queues: webhook bodies as received, and what is to be sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column, when_column


class WebhookEvent(SQLModel, table=True):
    """A webhook body exactly as received, stored before answering 200 (nothing lost)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        # the processor's queue: oldest pending first
        Index("ix_webhook_events_state", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", index=True)
    received_at: datetime = created_column()
    body: bytes = Field(sa_type=LargeBinary)
    state: str = Field(default="pending", max_length=16)  # pending | processed | failed
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = when_column()
    processed_at: datetime | None = when_column()
    problems: str | None = Field(default=None, sa_type=Text)


class LandingMark(SQLModel, table=True):
    """How far the worker has moved a SQLite landing file's bodies into ``webhook_events``.

    Written in the same transaction as the moved rows, so a crash between that commit and the
    landing file's cleanup neither loses a body nor moves it twice (``core.webhooks.landing``).
    A landing file is known by the generation it drew when it was created: a new file starts
    from nothing."""

    __tablename__ = "webhook_landing_marks"

    generation: str = Field(primary_key=True, max_length=36)
    last_id: int = Field(default=0)


class OutboundJob(SQLModel, table=True):
    """Something to send to 360Dialog; a row first, so a crash never loses or repeats it."""

    __tablename__ = "outbound_jobs"
    __table_args__ = (
        # the sender's queue: due jobs per state
        Index("ix_outbound_jobs_state_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    kind: str = Field(max_length=20)  # message | mark_read | template_submit ...
    payload: dict[str, Any] | None = json_column()
    idempotency_key: str = Field(max_length=80, unique=True)
    state: str = Field(default="queued", max_length=16)  # queued | sending | done | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = when_column()
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = when_column()
    last_error_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = created_column()
    finished_at: datetime | None = when_column()
