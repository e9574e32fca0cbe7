"""Saved segments: a channel's contacts chosen by conditions, used as a campaign audience."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column


class Segment(SQLModel, table=True):
    """A named filter over a channel's contacts (``core.campaigns.segments`` reads it)."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("channel_id", "name", name="uq_segments_channel_name"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    name: str = Field(max_length=120)
    conditions: list[dict[str, Any]] | None = json_column()
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = created_column()
