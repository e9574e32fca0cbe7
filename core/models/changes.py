"""How far each channel's shown data has moved: what open dashboards compare to know they are stale."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class ChannelChange(SQLModel, table=True):
    """One row per channel, its ``version`` raised by every transaction that changes something a
    dashboard shows for it (messages, statuses, templates, campaigns). Pages read this one small
    table instead of re-reading their data every few seconds (``core.channels.changes``)."""

    __tablename__ = "channel_changes"

    channel_id: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id"), primary_key=True, autoincrement=False)
    )
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
