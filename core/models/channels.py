"""A WhatsApp number connected through 360Dialog."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, Text
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, when_column


class Channel(SQLModel, table=True):
    """A WhatsApp number connected through 360Dialog."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    number: str = Field(max_length=20, index=True)  # E.164, "+5491122334455"
    phone_number_id: str | None = Field(default=None, max_length=64, index=True)
    waba_id: str | None = Field(default=None, max_length=64)
    generation: str = Field(default="cloud", max_length=10)  # "cloud" | "onprem"
    base_url: str = Field(max_length=500)
    api_key_encrypted: bytes = Field(sa_type=LargeBinary)
    api_key_hint: str = Field(max_length=16)  # "••••abcd", the only form ever shown again
    webhook_secret_hash: str = Field(max_length=128)
    webhook_url: str | None = Field(default=None, max_length=500)
    greeting_message: str = Field(default="", sa_type=Text)
    throughput_mps: int = Field(default=80)
    auto_assign: bool = Field(default=False)
    """New unassigned conversations go round-robin to available agents (``conversations.assignment``)."""
    last_auto_assignee_id: int | None = Field(default=None, foreign_key="users.id")
    messaging_limit: int | None = None
    """Meta's messaging limit: unique people the number may send templates to in 24 hours
    (250, 1,000, 10,000, 100,000; None: unlimited or not known;
    https://developers.facebook.com/docs/whatsapp/messaging-limits). Campaign estimates split an
    audience over days by it."""
    active: bool = Field(default=True)
    created_at: datetime = created_column()
    updated_at: datetime = created_column()
    last_webhook_at: datetime | None = when_column()
    last_error: str | None = Field(default=None, sa_type=Text)
    """WhatsApp's title of the last error a webhook reported, or a reason (``core.failures``)."""
    last_error_code: int | None = None
    last_error_at: datetime | None = when_column()
    sender_lease_holder: str | None = Field(default=None, max_length=64)
    sender_lease_until: datetime | None = when_column()
