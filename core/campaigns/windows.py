"""Sending windows: a campaign may send only between two times of day in each recipient's own
local time (for example 09:00–20:00), so nobody is woken by a promotion.

A number's timezone comes from its prefix (phonenumbers' timezone data). Where a prefix spans
several zones (Spain with the Canaries, Russia's eleven), the window must hold in all of them;
when the zones are too far apart for that ever to happen, in any of them. A number whose zone is
unknown is sent at any time.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_timezones

from core.errors import UserFacingError

STEP = timedelta(minutes=5)
HORIZON = timedelta(hours=48)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> str:
    """``"9:00"`` → ``"09:00"``; anything else that is not a time of day is refused in words."""
    text = text.strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    if not _HHMM.match(text):
        raise UserFacingError("campaigns.window.error.time", value=text)
    return text


def zones_of(wa_id: str) -> tuple[str, ...]:
    """The timezones of a number's prefix; empty when unknown."""
    try:
        found = number_timezones.time_zones_for_number(phonenumbers.parse("+" + wa_id))
    except phonenumbers.NumberParseException:
        return ()
    return tuple(zone for zone in found if zone != "Etc/Unknown")


def next_opening(wa_id: str, send_from: str, send_until: str, now: datetime) -> datetime | None:
    """None when the number's window is open at ``now``; else when it next opens (UTC)."""
    at = now.replace(second=0, microsecond=0)
    return _next_opening(zones_of(wa_id), send_from, send_until, at)


@lru_cache(maxsize=4096)
def _next_opening(
    zones: tuple[str, ...], send_from: str, send_until: str, at: datetime
) -> datetime | None:
    """Cached per prefix's zones and minute: a campaign's thousands of numbers share a few."""
    infos = []
    for zone in zones:
        try:
            infos.append(ZoneInfo(zone))
        except ZoneInfoNotFoundError:
            continue
    if not infos:
        return None
    start, end = time.fromisoformat(send_from), time.fromisoformat(send_until)
    for needs_all in (True, False):
        moment = at
        while moment <= at + HORIZON:
            inside = [_inside(moment.astimezone(info).time(), start, end) for info in infos]
            if all(inside) if needs_all else any(inside):
                return None if moment == at else moment
            moment += STEP
    return None


def _inside(local: time, start: time, end: time) -> bool:
    """Whether a local time is in the window (which may run past midnight, 22:00–06:00)."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end
