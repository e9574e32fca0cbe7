"""A channel's health line: is it hearing from 360Dialog, what went wrong last, how busy is it today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session, func, select

from core.access.auth import Actor, Permission, require
from core.channels.registry import channel_row
from core.models import Message, utcnow

MESSAGES_TODAY_CAP = 10_000
"""Counting further than this for the health line would make the page slow on a busy number."""


@dataclass(frozen=True)
class ChannelHealth:
    last_webhook_at: datetime | None
    last_error: str | None
    last_error_code: int | None
    last_error_at: datetime | None
    messages_today: int

    @property
    def messages_today_text(self) -> str:
        """The count as shown: exact up to the cap, then "10,000+"."""
        if self.messages_today > MESSAGES_TODAY_CAP:
            return f"{MESSAGES_TODAY_CAP:,}+"
        return f"{self.messages_today:,}"


def channel_health(
    session: Session, actor: Actor, channel_id: int, *, now: datetime | None = None
) -> ChannelHealth:
    """The health line: last webhook received, last error, and messages since UTC midnight."""
    require(actor, Permission.VIEW_CHANNELS)
    channel = channel_row(session, channel_id)
    midnight = datetime.combine((now or utcnow()).astimezone(UTC).date(), time(), tzinfo=UTC)
    todays = (
        select(Message.id)
        .where(Message.channel_id == channel_id, Message.created_at >= midnight)
        .limit(MESSAGES_TODAY_CAP + 1)
        .subquery()
    )
    messages_today = session.exec(select(func.count()).select_from(todays)).one()
    return ChannelHealth(
        last_webhook_at=channel.last_webhook_at,
        last_error=channel.last_error,
        last_error_code=channel.last_error_code,
        last_error_at=channel.last_error_at,
        messages_today=messages_today,
    )
