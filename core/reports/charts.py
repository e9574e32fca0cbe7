"""What the Reports page draws: messages by hour of day and day of week (in the viewer's
timezone), first-response time day by day, and each team member's figures.

Read from the hourly report rows: a month is at most a few thousand rows, turned into the
viewer's hours here (a timezone with half hours puts each UTC hour in the local hour it starts in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.models import Conversation, ConversationStatus, User
from core.reports.periods import Period
from core.reports.response_times import Percentiles
from core.reports.summary import ACTIVITY, RESOLUTIONS, RESPONSES, in_period


@dataclass(frozen=True)
class HeatCell:
    weekday: int  # 0 Monday … 6 Sunday
    hour: int  # 0–23, the viewer's
    messages: int


def messages_by_hour(
    session: Session,
    actor: Actor,
    period: Period,
    zone: tzinfo,
    channel_id: int | None = None,
    direction: str | None = None,
) -> list[HeatCell]:
    """Messages (both ways, or ``direction``'s) per local weekday and hour, every cell present."""
    require(actor, Permission.VIEW_REPORTS)
    conditions = in_period(ACTIVITY, period, channel_id)
    if direction is not None:
        conditions.append(ACTIVITY.direction == direction)
    rows = session.connection().execute(
        select(ACTIVITY.hour, func.sum(ACTIVITY.messages))
        .where(*conditions)
        .group_by(ACTIVITY.hour)
    )
    cells = {(weekday, hour): 0 for weekday in range(7) for hour in range(24)}
    for moment, count in rows:
        local = moment.astimezone(zone)  # the column's type gives it back aware, in UTC
        cells[(local.weekday(), local.hour)] += int(count)
    return [HeatCell(weekday, hour, count) for (weekday, hour), count in cells.items()]


@dataclass(frozen=True)
class DayOfResponses:
    day: date  # the viewer's
    answered: int
    first_response: Percentiles


def responses_by_day(
    session: Session, actor: Actor, period: Period, zone: tzinfo, channel_id: int | None = None
) -> list[DayOfResponses]:
    """Median and 90th-percentile first response of each local day with answers, in order."""
    require(actor, Permission.VIEW_REPORTS)
    rows = session.connection().execute(
        select(RESPONSES.hour, RESPONSES.bucket, func.sum(RESPONSES.answers))
        .where(*in_period(RESPONSES, period, channel_id))
        .group_by(RESPONSES.hour, RESPONSES.bucket)
    )
    days: dict[date, dict[int, int]] = {}
    for moment, bucket, count in rows:
        day = moment.astimezone(zone).date()
        buckets = days.setdefault(day, {})
        buckets[bucket] = buckets.get(bucket, 0) + int(count)
    return [
        DayOfResponses(day, sum(counts.values()), Percentiles.of(counts))
        for day, counts in sorted(days.items())
    ]


@dataclass(frozen=True)
class TeamMember:
    user_id: int
    name: str
    sent: int
    answered: int
    first_response: Percentiles
    resolved: int = 0
    """Conversations they resolved in the period."""
    assigned: int = 0
    """Conversations assigned to them now and not resolved (open, pending or snoozed)."""


def team(
    session: Session, actor: Actor, period: Period, channel_id: int | None = None
) -> list[TeamMember]:
    """Per team member: messages sent, customers answered (first responses) and how fast,
    conversations resolved in the period and assigned to them now; the most active first.
    Messages no one of the team sent (greetings, campaigns) are left out."""
    require(actor, Permission.VIEW_REPORTS)
    sent = _per_user(
        session,
        select(ACTIVITY.user_id, func.sum(ACTIVITY.messages))
        .where(*in_period(ACTIVITY, period, channel_id))
        .where(ACTIVITY.direction == "out", ACTIVITY.user_id != 0),
        ACTIVITY.user_id,
    )
    answers: dict[int, dict[int, int]] = {}
    for user_id, bucket, count in session.connection().execute(
        select(RESPONSES.user_id, RESPONSES.bucket, func.sum(RESPONSES.answers))
        .where(*in_period(RESPONSES, period, channel_id))
        .where(RESPONSES.user_id != 0)
        .group_by(RESPONSES.user_id, RESPONSES.bucket)
    ):
        answers.setdefault(user_id, {})[bucket] = int(count)
    resolved = _per_user(
        session,
        select(RESOLUTIONS.user_id, func.sum(RESOLUTIONS.resolutions))
        .where(*in_period(RESOLUTIONS, period, channel_id))
        .where(RESOLUTIONS.user_id != 0),
        RESOLUTIONS.user_id,
    )
    threads = Conversation.__table__.c  # type: ignore[attr-defined]
    assigned_now = (
        select(threads.assignee_id, func.count())
        .where(threads.assignee_id.is_not(None))
        .where(threads.status != ConversationStatus.RESOLVED)
    )
    if channel_id is not None:
        assigned_now = assigned_now.where(threads.channel_id == channel_id)
    assigned = _per_user(session, assigned_now, threads.assignee_id)
    people = set(sent) | set(answers) | set(resolved) | set(assigned)
    users = User.__table__.c  # type: ignore[attr-defined]
    names = {
        user_id: name
        for user_id, name in session.connection().execute(
            select(users.id, func.coalesce(func.nullif(users.name, ""), users.username)).where(
                users.id.in_(people)
            )
        )
    }
    members = [
        TeamMember(
            user_id,
            names.get(user_id, str(user_id)),
            int(sent.get(user_id, 0)),
            sum(answers.get(user_id, {}).values()),
            Percentiles.of(answers.get(user_id, {})),
            resolved.get(user_id, 0),
            assigned.get(user_id, 0),
        )
        for user_id in people
    ]
    return sorted(members, key=lambda member: (-member.sent, member.name))


def _per_user(session: Session, query: Any, user_column: Any) -> dict[int, int]:
    """A ``(user, count)`` query's counts, grouped by the user."""
    return {
        user_id: int(count)
        for user_id, count in session.connection().execute(query.group_by(user_column))
    }
