"""What WhatsApp says about a number's standing, kept over time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column


class NumberHealthRecord(SQLModel, table=True):
    """One state of a number's health: whether it can send (with Meta's reasons), its quality
    rating, its messaging limit and its display name's status.

    A row is added only when something changed (a check that finds the same state moves
    ``checked_at`` on), so the history lists changes, not every five-minute check."""

    __tablename__ = "number_health"
    # the channels page and the overview read a channel's newest rows
    __table_args__ = (Index("ix_number_health_channel_recorded", "channel_id", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    source: str = Field(max_length=40)
    """``check`` (we asked 360Dialog) or the webhook field that announced it."""
    event: str | None = Field(default=None, max_length=64)
    """The webhook's own word for what happened (``FLAGGED``, ``DOWNGRADE``, ``ACCOUNT_VIOLATION``…)."""
    can_send: str | None = Field(default=None, max_length=16)
    quality_rating: str | None = Field(default=None, max_length=16)
    messaging_limit: str | None = Field(default=None, max_length=32)
    name_status: str | None = Field(default=None, max_length=32)
    reasons: list[dict[str, Any]] | None = json_column()
    """Meta's reasons for a limited or blocked number, as Meta wrote them."""
    worsened: list[str] | None = json_column()
    """What got worse than the row before (``can_send``, ``quality_rating``, …): the warning."""
    recorded_at: datetime = created_column()
    checked_at: datetime = created_column()
