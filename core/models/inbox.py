"""The team inbox: labels on conversations, canned replies, private notes and business hours.

A conversation's own inbox state (status, assignee, snooze, away message sent) lives on the
``conversations`` row and a team member's availability on ``users``: they are read on every list.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column


class ConversationStatus(StrEnum):
    """Where a conversation stands for the team.

    ``pending`` waits on the customer; ``snoozed`` is out of sight until ``snoozed_until`` (then it
    counts as open again); a new customer message makes every status open (keeping the assignee).
    """

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Label(SQLModel, table=True):
    """A coloured tag the team puts on conversations (e.g. "VIP", "invoice")."""

    __tablename__ = "labels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)
    color: str = Field(default="#4e79a7", max_length=7)  # "#RRGGBB"
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = created_column()


class ConversationLabel(SQLModel, table=True):
    """A label on a conversation; the primary key serves "labels of this page's conversations"."""

    __tablename__ = "conversation_labels"
    __table_args__ = (
        # the list filtered by label: the conversations carrying one label
        Index("ix_conversation_labels_label_conversation", "label_id", "conversation_id"),
    )

    conversation_id: int = Field(foreign_key="conversations.id", primary_key=True)
    label_id: int = Field(foreign_key="labels.id", primary_key=True)


class CannedReply(SQLModel, table=True):
    """A reply the team shares, typed as ``/shortcut`` in the composer; ``{{name}}``-style fields
    are filled from the contact when it is used."""

    __tablename__ = "canned_replies"

    id: int | None = Field(default=None, primary_key=True)
    shortcut: str = Field(max_length=40, unique=True, index=True)
    text: str = Field(sa_type=Text)
    updated_by: str = Field(default="", max_length=64)
    created_at: datetime = created_column()
    updated_at: datetime = created_column()


class ConversationNote(SQLModel, table=True):
    """A private note in a thread: the team reads it, the customer never receives it."""

    __tablename__ = "conversation_notes"
    __table_args__ = (
        # the thread: a conversation's notes in time order, beside its messages
        Index("ix_conversation_notes_conversation_created", "conversation_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id")
    author: str = Field(max_length=64)  # username, or "cli"
    text: str = Field(sa_type=Text)
    created_at: datetime = created_column()


class BusinessHours(SQLModel, table=True):
    """When a channel's team answers, in the channel's timezone, and what a customer who writes
    outside those hours is told (once per conversation)."""

    __tablename__ = "business_hours"

    channel_id: int = Field(foreign_key="channels.id", primary_key=True)
    enabled: bool = Field(default=False)
    timezone: str = Field(default="UTC", max_length=64)  # an IANA name, "Europe/Madrid"
    week: dict[str, Any] | None = json_column()
    """Opening spans per weekday, Monday "0" to Sunday "6": ``{"0": [["09:00", "18:00"]]}``."""
    holidays: list[str] | None = json_column()  # ISO dates, closed all day
    away_message: str = Field(default="", sa_type=Text)
    updated_at: datetime = created_column()
