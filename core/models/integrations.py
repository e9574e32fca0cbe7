"""What other systems use the number through: API tokens, their use, and outgoing webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from core.models.columns import UTCDateTime, created_column, json_column, when_column


class ApiToken(SQLModel, table=True):
    """A key a CRM or automation tool calls the API with (``core.api.tokens``).

    Only the token's SHA-256 is kept (it is random and long, so a fast hash suffices, and the
    API checks one per request): a copy of this table calls nothing."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)  # the token's first characters, to recognise it in lists
    scopes: str = Field(max_length=100)  # comma-separated: send,read,templates
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    created_by: str = Field(max_length=64)
    created_at: datetime = created_column()
    expires_at: datetime | None = when_column()
    revoked_at: datetime | None = when_column()
    last_used_at: datetime | None = when_column()


class ApiUsage(SQLModel, table=True):
    """How many requests a token made in one minute: the audit of its use at any rate (a row
    per request would outgrow the audit log at hundreds a second)."""

    __tablename__ = "api_usage"

    token_id: int = Field(foreign_key="api_tokens.id", primary_key=True)
    minute: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    requests: int = Field(default=0)
    refused: int = Field(default=0)  # of which answered 4xx (scope, rate limit, bad input)


class HookSubscription(SQLModel, table=True):
    """A URL that is sent some events as they happen (``core.hooks``)."""

    __tablename__ = "hook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: list[str] | None = json_column()
    secret_encrypted: bytes = Field(sa_type=LargeBinary)  # signs each delivery; encrypted at rest
    created_by: str = Field(max_length=64)
    created_at: datetime = created_column()
    deleted_at: datetime | None = when_column()


class HookDelivery(SQLModel, table=True):
    """One event for one subscription: queued with the event, sent (and retried) by the worker."""

    __tablename__ = "hook_deliveries"
    __table_args__ = (
        # the worker's queue: due pending deliveries
        Index("ix_hook_deliveries_state_due", "state", "next_attempt_at"),
        # order per conversation: is an earlier delivery of the same key still pending?
        Index("ix_hook_deliveries_order", "subscription_id", "ordering_key", "state", "id"),
        # the delivery log, newest first per subscription
        Index("ix_hook_deliveries_subscription", "subscription_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="hook_subscriptions.id")
    event: str = Field(max_length=40)
    ordering_key: str = Field(max_length=80)  # e.g. conversation:12: delivered in order
    body: str = Field(sa_type=Text)  # the exact JSON signed and sent
    state: str = Field(default="pending", max_length=16)  # pending | delivered | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = when_column()
    created_at: datetime = created_column()
    delivered_at: datetime | None = when_column()
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
