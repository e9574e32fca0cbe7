"""131049 is not a hard failure: the person is tried again later, on the campaign's schedule.

Meta withholds a marketing template with 131049 ("This message was not delivered to maintain
healthy ecosystem engagement") when the person has reached their marketing limit, which depends
on what every business sent them lately; Meta advises trying again later, not at once
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits).
So each such recipient waits ``retry_delays`` hours (by default 24, then 48) after each refusal
and is given up after the last one. The failure arrives as a status webhook, after the send, so a
campaign that had finished reopens for the retries it learns of within a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from core.campaigns.audience import MARKETING_LIMIT
from core.errors import UserFacingError
from core.models import Campaign, CampaignRecipient, Message, MessageStatus

DEFAULT_RETRY_HOURS: tuple[float, ...] = (24.0, 48.0)
REOPEN_WITHIN = timedelta(days=1)
"""How long after finishing a campaign still takes in a 131049 that arrives late."""


def delays_of(campaign: Campaign) -> tuple[float, ...]:
    """Hours to wait after each 131049, in turn (the campaign's own, or the default)."""
    return (
        tuple(float(h) for h in campaign.retry_delays)
        if campaign.retry_delays is not None
        else DEFAULT_RETRY_HOURS
    )


def parse_hours(text: str) -> list[float]:
    """``"24, 48"`` → ``[24.0, 48.0]``; ``""`` → no retries; anything else refused in words."""
    try:
        hours = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise UserFacingError("campaigns.retry.error.hours") from None
    if any(h <= 0 for h in hours):
        raise UserFacingError("campaigns.retry.error.hours")
    return hours


def schedule(session: Session, now: datetime) -> int:
    """Recipients whose latest send came back 131049 get their next try (state ``retry`` with a
    ``due_at``) or are given up after the last; campaigns that had finished reopen for them.
    Returns how many were scheduled again."""
    live = select(Campaign.id).where(
        or_(
            col(Campaign.state).in_(["scheduled", "running", "paused"]),
            and_(Campaign.state == "done", col(Campaign.finished_at) >= now - REOPEN_WITHIN),
        )
    )
    refused = session.exec(
        select(
            CampaignRecipient.id,
            CampaignRecipient.campaign_id,
            CampaignRecipient.attempts,
            Message.status_at,
        )
        .join(Message, col(Message.id) == CampaignRecipient.message_id)
        .where(
            col(CampaignRecipient.campaign_id).in_(live),
            CampaignRecipient.state == "queued",
            Message.status == MessageStatus.FAILED,
            Message.error_code == MARKETING_LIMIT,
        )
    ).all()
    if not refused:
        return 0
    campaigns = {
        c.id: c
        for c in session.exec(
            select(Campaign).where(col(Campaign.id).in_({row[1] for row in refused}))
        )
    }
    retried = 0
    for recipient_id, campaign_id, attempts, refused_at in refused:
        campaign = campaigns[campaign_id]
        delays = delays_of(campaign)
        changes: dict[str, Any]
        if 0 < attempts <= len(delays):
            wait = timedelta(hours=delays[attempts - 1])
            changes = {"state": "retry", "due_at": (refused_at or now) + wait}
            retried += 1
            if campaign.state == "done":  # the refusal came after the last send
                campaign.state, campaign.finished_at = "running", None
        else:
            changes = {"state": "given_up", "skip_reason": "marketing_limit"}
        session.execute(
            update(CampaignRecipient)
            .where(col(CampaignRecipient.id) == recipient_id)
            .values(**changes)
        )
    return retried
