"""What a campaign did: live counts, failures by WhatsApp's error, sends over time, and every
recipient's outcome for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.models import Campaign, CampaignRecipient, Message, MessageStatus


@dataclass(frozen=True)
class Counts:
    """A campaign's recipients by what happened to them. ``held`` and ``paused`` are messages
    360Dialog accepted that WhatsApp has not sent yet (the send's ``message_status``): counted on
    their own, never as sent, until their status webhook comes."""

    total: int
    pending: int
    queued: int
    held: int
    paused: int
    sent: int
    delivered: int
    read: int
    failed: int
    replied: int
    skipped: dict[str, int]
    retrying: int = 0
    """Refused with 131049 (Meta's marketing limit) and waiting for their next try."""
    given_up: int = 0
    """Refused with 131049 on every try."""


SENT_OR_LATER = {
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.PLAYED,
}


def counts(session: Session, actor: Actor, campaign_id: int) -> Counts:
    """Live counts: recipients by state, their messages by status, and who replied."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    by_state = dict(
        session.exec(
            select(CampaignRecipient.state, func.count())
            .where(CampaignRecipient.campaign_id == campaign_id)
            .group_by(CampaignRecipient.state)
        ).all()
    )
    skipped = dict(
        session.exec(
            select(CampaignRecipient.skip_reason, func.count())
            .where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.state == "skipped"
            )
            .group_by(CampaignRecipient.skip_reason)
        ).all()
    )
    statuses: dict[MessageStatus, int] = dict(
        session.exec(
            select(Message.status, func.count())
            .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
            .where(CampaignRecipient.campaign_id == campaign_id)
            .group_by(Message.status)
        ).all()
    )
    delivered = sum(
        statuses.get(s, 0)
        for s in (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED)
    )
    read = sum(statuses.get(s, 0) for s in (MessageStatus.READ, MessageStatus.PLAYED))
    return Counts(
        total=sum(by_state.values()),
        pending=by_state.get("pending", 0),
        queued=statuses.get(MessageStatus.QUEUED, 0) + statuses.get(MessageStatus.SENDING, 0),
        held=statuses.get(MessageStatus.HELD, 0),
        paused=statuses.get(MessageStatus.PAUSED, 0),
        sent=sum(statuses.get(s, 0) for s in SENT_OR_LATER),
        delivered=delivered,
        read=read,
        failed=statuses.get(MessageStatus.FAILED, 0),
        replied=_replied(session, campaign_id),
        skipped={str(k): v for k, v in skipped.items()},
        retrying=by_state.get("retry", 0),
        given_up=by_state.get("given_up", 0),
    )


def _replied(session: Session, campaign_id: int) -> int:
    return len(repliers(session, campaign_id))


def repliers(session: Session, campaign_id: int) -> set[int]:
    """The conversations of recipients who wrote back after their campaign message.

    WhatsApp's timestamps have whole seconds, so a reply within the same second as the send
    counts: the send time is compared without its fraction."""
    sends = (
        select(Message.conversation_id, Message.created_at)
        .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
        .where(CampaignRecipient.campaign_id == campaign_id)
    )
    sent_at = dict(session.exec(sends).all())
    if not sent_at:
        return set()
    latest_reply = dict(
        session.exec(
            select(Message.conversation_id, func.max(Message.created_at))
            .where(Message.direction == "in")
            .where(
                col(Message.conversation_id).in_(
                    sends.with_only_columns(Message.conversation_id).scalar_subquery()
                )
            )
            .group_by(Message.conversation_id)
        ).all()
    )
    return {
        conversation_id
        for conversation_id, when in sent_at.items()
        if (reply := latest_reply.get(conversation_id)) is not None
        and reply >= when.replace(microsecond=0)
    }


@dataclass(frozen=True)
class Failure:
    code: int | None
    title: str | None
    count: int


def failures(session: Session, actor: Actor, campaign_id: int) -> list[Failure]:
    """Failed sends grouped by WhatsApp's error (the page says each in words)."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    rows = session.exec(
        select(Message.error_code, func.min(Message.error_title), func.count())
        .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
        .where(CampaignRecipient.campaign_id == campaign_id, Message.status == MessageStatus.FAILED)
        .group_by(Message.error_code)
        .order_by(func.count().desc())
    )
    return [Failure(code, title, count) for code, title, count in rows]


def timeline(
    session: Session, actor: Actor, campaign_id: int, bucket: timedelta = timedelta(minutes=1)
) -> list[tuple[datetime, int]]:
    """Messages queued per time bucket (the report's chart)."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    seconds = bucket.total_seconds()
    found: dict[datetime, int] = {}
    for queued_at in session.exec(
        select(CampaignRecipient.queued_at).where(
            CampaignRecipient.campaign_id == campaign_id,
            col(CampaignRecipient.queued_at).is_not(None),
        )
    ):
        start = datetime.fromtimestamp(
            queued_at.timestamp() // seconds * seconds, tz=queued_at.tzinfo
        )
        found[start] = found.get(start, 0) + 1
    return sorted(found.items())


def get_campaign(session: Session, actor: Actor, campaign_id: int) -> Campaign | None:
    require(actor, Permission.VIEW_CAMPAIGNS)
    return session.get(Campaign, campaign_id)


def list_campaigns(session: Session, actor: Actor, channel_id: int | None = None) -> list[Campaign]:
    require(actor, Permission.VIEW_CAMPAIGNS)
    query = select(Campaign).order_by(col(Campaign.created_at).desc())
    if channel_id:
        query = query.where(Campaign.channel_id == channel_id)
    return list(session.exec(query.limit(200)))


def export_csv(session: Session, actor: Actor, campaign_id: int) -> str:
    """Every recipient with what happened to them, for a spreadsheet."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["number", "name", "state", "skip_reason", "status", "error_code", "error"])
    rows: Iterable[Any] = session.exec(
        select(CampaignRecipient, Message)
        .outerjoin(Message, col(Message.id) == CampaignRecipient.message_id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .order_by(col(CampaignRecipient.id))
    )
    for recipient, message in rows:
        writer.writerow(
            [
                f"+{recipient.wa_id}" if recipient.wa_id.isdigit() else "",
                recipient.name,
                recipient.state,
                recipient.skip_reason or "",
                message.status.value if message else "",
                message.error_code if message and message.error_code else "",
                message.error_title if message and message.error_title else "",
            ]
        )
    return output.getvalue()
