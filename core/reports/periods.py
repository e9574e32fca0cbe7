"""The stretches of time reports compare: today, the last 7 or 30 days, or dates chosen.

Reports count whole hours (their rows are hourly), so a period runs from one hour's start to
another's; "the last 7 days" ends with the current hour included. Each period has a previous one
of the same length just before it, which the overview compares against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from core.models import utcnow
from core.reports.recording import hour_of


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    """Exclusive."""

    @property
    def previous(self) -> Period:
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


def last_days(days: int, now: datetime | None = None) -> Period:
    end = hour_of(now or utcnow()) + timedelta(hours=1)
    return Period(end - timedelta(days=days), end)


def today(zone: tzinfo, now: datetime | None = None) -> Period:
    """From the viewer's midnight to the end of the current hour."""
    now = now or utcnow()
    midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
    return Period(hour_of(midnight), hour_of(now) + timedelta(hours=1))


def between(first: date | None, last: date | None, now: datetime | None = None) -> Period:
    """From the start of day ``first`` to the end of day ``last`` (UTC), both included; the
    last 30 days up to ``last`` when ``first`` is not given."""
    end = (
        datetime.combine(last + timedelta(days=1), time(), UTC)
        if last
        else hour_of(now or utcnow()) + timedelta(hours=1)
    )
    start = datetime.combine(first, time(), UTC) if first else end - timedelta(days=30)
    return Period(start, end)
