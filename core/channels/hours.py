"""A channel's business hours (timezone, weekly spans, holidays) and its away message.

A customer who writes while the channel is closed gets the away message once per conversation
(again only after the conversation is resolved), and only while WhatsApp's 24-hour window is
open, as any free-form message: the customer's message has just opened it, unless the message
arrives late (a webhook retried for more than a day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import BusinessHours, Channel, utcnow

Span = tuple[time, time]
DAYS = range(7)  # Monday 0 … Sunday 6, as datetime.weekday()
MAX_AWAY_LENGTH = 4096


@dataclass(frozen=True)
class Schedule:
    """When a channel is open; with ``enabled`` off it is always open (no away message)."""

    enabled: bool = False
    timezone: str = "UTC"
    week: dict[int, tuple[Span, ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    away_message: str = ""

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (any timezone) falls in the hours, read in the channel's timezone."""
        if not self.enabled:
            return True
        local = at.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.week.get(local.weekday(), ()))


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise UserFacingError("inbox.error.hours_time", value=text) from None


def _spans(
    raw: dict[str, list[list[str]]] | dict[int, list[tuple[str, str]]],
) -> dict[int, tuple[Span, ...]]:
    week: dict[int, tuple[Span, ...]] = {}
    for day, spans in raw.items():
        number = int(day)
        if number not in DAYS:
            raise UserFacingError("inbox.error.hours_day", day=day)
        parsed = tuple(sorted((_time(start), _time(end)) for start, end in spans))
        for start, end in parsed:
            if start >= end:
                raise UserFacingError(
                    "inbox.error.hours_span",
                    start=start.isoformat("minutes"),
                    end=end.isoformat("minutes"),
                )
        if parsed:
            week[number] = parsed
    return week


def _holidays(raw: list[str]) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(day.strip()) for day in raw if day.strip())
    except ValueError as exc:
        raise UserFacingError("inbox.error.holiday", value=str(exc)) from None


def schedule_of(row: BusinessHours | None) -> Schedule:
    if row is None:
        return Schedule()
    return Schedule(
        enabled=row.enabled,
        timezone=row.timezone,
        week=_spans(row.week or {}),
        holidays=_holidays(row.holidays or []),
        away_message=row.away_message,
    )


def get_hours(session: Session, actor: Actor, channel_id: int) -> Schedule:
    require(actor, Permission.VIEW_CHANNELS)
    return schedule_of(session.get(BusinessHours, channel_id))


def set_hours(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    enabled: bool,
    timezone: str,
    week: dict[int, list[tuple[str, str]]],
    holidays: list[str],
    away_message: str,
) -> Schedule:
    """Admins set a channel's hours; checked whole before anything is stored, and audited."""
    require(actor, Permission.MANAGE_CHANNELS)
    if session.get(Channel, channel_id) is None:
        raise UserFacingError("inbox.error.no_channel")
    if timezone not in available_timezones():
        raise UserFacingError("inbox.error.timezone", timezone=timezone)
    spans = _spans(week)
    days_off = _holidays(holidays)
    message = away_message.strip()
    if len(message) > MAX_AWAY_LENGTH:
        raise UserFacingError("conversations.error.too_long", maximum=MAX_AWAY_LENGTH)
    if enabled and not message:
        raise UserFacingError("inbox.error.away_empty")
    row = session.get(BusinessHours, channel_id) or BusinessHours(channel_id=channel_id)
    row.enabled, row.timezone, row.away_message = enabled, timezone, message
    row.week = {
        str(day): [
            [start.isoformat("minutes"), end.isoformat("minutes")] for start, end in day_spans
        ]
        for day, day_spans in sorted(spans.items())
    }
    row.holidays = sorted(day.isoformat() for day in days_off)
    row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session,
        actor,
        "channel.hours",
        f"channel:{channel_id}",
        enabled=enabled,
        timezone=timezone,
        week=row.week,
        holidays=row.holidays,
    )
    return schedule_of(row)


def stored_schedule(session: Session, channel_id: int) -> Schedule | None:
    """The receive path's read: the channel's schedule when it has hours switched on."""
    row = session.get(BusinessHours, channel_id)
    if row is None or not row.enabled or not row.away_message.strip():
        return None
    try:
        ZoneInfo(row.timezone)
    except ZoneInfoNotFoundError:
        return None  # a zone the system lost since it was saved: never block the receive path
    return schedule_of(row)
