"""The overview's figures and ``reports summary``: messages, conversations, first responses,
resolution times, who is waiting, templates by status, campaigns running.

Every figure is read from the kept report rows or a small table (never from the messages), so
a period of any length costs a few thousand rows. Each reader checks its own permission: the
home page shows each role the figures it may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.models import (
    ActivityHour,
    Campaign,
    RemoteTemplate,
    ReplyWait,
    ResolutionHour,
    ResponseHour,
    utcnow,
)
from core.reports import response_times
from core.reports.periods import Period
from core.reports.response_times import Percentiles, rounded

ACTIVITY = ActivityHour.__table__.c  # type: ignore[attr-defined]
RESPONSES = ResponseHour.__table__.c  # type: ignore[attr-defined]
RESOLUTIONS = ResolutionHour.__table__.c  # type: ignore[attr-defined]
WAITS = ReplyWait.__table__.c  # type: ignore[attr-defined]

TEMPLATE_STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED")
"""The statuses the overview counts (Meta's names; any other is counted under its own)."""


@dataclass(frozen=True)
class Traffic:
    """What happened in a period."""

    inbound: int = 0
    outbound: int = 0
    conversations: int = 0
    """Conversations opened (``core.reports.recording.SERVICE_WINDOW``)."""
    responses: dict[int, int] = field(default_factory=dict)
    """First responses per time bucket."""
    resolutions: dict[int, int] = field(default_factory=dict)
    """Conversations resolved per time bucket (how long each was open)."""

    @property
    def first_response(self) -> Percentiles:
        return Percentiles.of(self.responses)

    @property
    def resolution(self) -> Percentiles:
        return Percentiles.of(self.resolutions)

    @property
    def resolved(self) -> int:
        return sum(self.resolutions.values())

    @property
    def answered(self) -> int:
        return sum(self.responses.values())

    def answered_within(self, target_seconds: int) -> float | None:
        """The share of first responses within the target (``None`` when none)."""
        if not self.answered:
            return None
        return response_times.answered_within(self.responses, target_seconds) / self.answered


def in_period(columns: Any, period: Period, channel_id: int | None) -> list[Any]:
    """The conditions that pick a period's hourly rows (of one channel, or every one)."""
    conditions = [columns.hour >= period.start, columns.hour < period.end]
    if channel_id is not None:
        conditions.append(columns.channel_id == channel_id)
    return conditions


def traffic(
    session: Session, actor: Actor, period: Period, channel_id: int | None = None
) -> Traffic:
    require(actor, Permission.VIEW_REPORTS)
    counts = {
        row.direction: row
        for row in session.connection().execute(
            select(
                ACTIVITY.direction,
                func.sum(ACTIVITY.messages).label("messages"),
                func.sum(ACTIVITY.conversations_opened).label("opened"),
            )
            .where(*in_period(ACTIVITY, period, channel_id))
            .group_by(ACTIVITY.direction)
        )
    }
    inbound, outbound = counts.get("in"), counts.get("out")
    return Traffic(
        inbound=int(inbound.messages) if inbound else 0,
        outbound=int(outbound.messages) if outbound else 0,
        conversations=int(inbound.opened) if inbound else 0,
        responses=bucket_counts(session, RESPONSES.answers, period, channel_id),
        resolutions=bucket_counts(session, RESOLUTIONS.resolutions, period, channel_id),
    )


def bucket_counts(
    session: Session, counted: Any, period: Period, channel_id: int | None = None
) -> dict[int, int]:
    """A period's counts per time bucket of ``counted``: first responses' answers or
    resolutions."""
    columns = counted.table.c
    rows = session.connection().execute(
        select(columns.bucket, func.sum(counted))
        .where(*in_period(columns, period, channel_id))
        .group_by(columns.bucket)
    )
    return {bucket: int(count) for bucket, count in rows if count}


@dataclass(frozen=True)
class Waiting:
    """Conversations whose customer waits for the team's answer now."""

    conversations: int
    oldest_since: datetime | None

    def oldest_seconds(self, now: datetime | None = None) -> float | None:
        if self.oldest_since is None:
            return None
        return ((now or utcnow()) - self.oldest_since).total_seconds()


def waiting(session: Session, actor: Actor, channel_id: int | None = None) -> Waiting:
    require(actor, Permission.VIEW_CONVERSATIONS)
    query = select(func.count(), func.min(WAITS.since))
    if channel_id is not None:
        query = query.where(WAITS.channel_id == channel_id)
    count, oldest = session.connection().execute(query).one()
    return Waiting(int(count), oldest)  # min() keeps the column's type: an aware UTC time


def templates_by_status(
    session: Session, actor: Actor, channel_id: int | None = None
) -> dict[str, int]:
    """Every template 360Dialog has (drafts aside), counted by status; the overview's four first."""
    require(actor, Permission.VIEW_TEMPLATES)
    query = (
        select(RemoteTemplate.status, func.count())  # type: ignore[call-overload]
        .where(RemoteTemplate.is_draft.is_(False))  # type: ignore[attr-defined]
        .group_by(RemoteTemplate.status)
    )
    if channel_id is not None:
        query = query.where(RemoteTemplate.channel_id == channel_id)
    counts = {status: 0 for status in TEMPLATE_STATUSES}
    for status, count in session.connection().execute(query):
        counts[status or "UNKNOWN"] = counts.get(status or "UNKNOWN", 0) + int(count)
    return counts


def campaigns_running(session: Session, actor: Actor) -> int:
    require(actor, Permission.VIEW_CAMPAIGNS)
    query = select(func.count()).where(Campaign.state == "running")  # type: ignore[arg-type]
    return int(session.connection().execute(query).scalar_one())


def summary(
    session: Session, actor: Actor, period: Period, channel_id: int | None = None
) -> dict[str, Any]:
    """``python -m core reports summary``: the period's figures and the present state."""
    figures = traffic(session, actor, period, channel_id)
    now_waiting = waiting(session, actor, channel_id)
    target = response_times.target_minutes(session) * 60
    share = figures.answered_within(target)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "inbound": figures.inbound,
        "outbound": figures.outbound,
        "conversations": figures.conversations,
        "first_response_s": figures.first_response.as_dict(),
        "resolution_s": figures.resolution.as_dict(),
        "answered": figures.answered,
        "resolved": figures.resolved,
        "answered_within_target": {
            "target_s": target,
            "share": None if share is None else round(share, 4),
        },
        "waiting": now_waiting.conversations,
        "oldest_wait_s": rounded(now_waiting.oldest_seconds()),
        "templates": templates_by_status(session, actor, channel_id),
        "campaigns_running": campaigns_running(session, actor),
    }
