"""Business hours per channel and the away message: once per conversation, outside the hours
only, inside WhatsApp's 24-hour window only (a free-form message, see
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from core import db
from core.access.auth import PermissionDenied
from core.channels import hours
from core.conversations import lifecycle
from core.errors import UserFacingError
from core.models import Message, Role, utcnow
from tests.inbox.helpers import conversation_of, customer_writes

AWAY = "Estamos cerrados; te respondemos mañana a las 9."
WEEKDAYS_NINE_TO_SIX = {day: [("09:00", "18:00")] for day in range(5)}


def madrid(**week_and_holidays) -> hours.Schedule:
    return hours.Schedule(
        enabled=True,
        timezone="Europe/Madrid",
        week={d: ((time(9), time(18)),) for d in range(5)},
        away_message=AWAY,
        **week_and_holidays,
    )


def test_open_is_read_in_the_channels_timezone() -> None:
    monday_winter = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # 09:30 in Madrid (UTC+1)
    assert madrid().is_open(monday_winter)
    assert not madrid().is_open(monday_winter - timedelta(hours=1))  # 08:30 in Madrid
    assert not madrid().is_open(datetime(2026, 12, 5, 12, tzinfo=UTC))  # a Saturday
    assert not madrid(holidays=frozenset({date(2026, 12, 7)})).is_open(monday_winter)
    assert hours.Schedule().is_open(monday_winter - timedelta(hours=9))  # no hours: always open


def test_only_admins_set_hours_and_bad_values_are_said(engine, team, channel_id) -> None:
    admin = team[Role.ADMIN]

    def attempt(actor=admin, **changes) -> hours.Schedule:
        values = dict(
            enabled=True,
            timezone="Europe/Madrid",
            week=WEEKDAYS_NINE_TO_SIX,
            holidays=["2026-12-25"],
            away_message=AWAY,
        )
        with db.session_scope(engine) as session:
            return hours.set_hours(session, actor, channel_id, **{**values, **changes})

    with pytest.raises(PermissionDenied):
        attempt(team[Role.MARKETER])
    for changes, key in (
        ({"timezone": "Mars/Olympus"}, "inbox.error.timezone"),
        ({"week": {0: [("18:00", "09:00")]}}, "inbox.error.hours_span"),
        ({"week": {0: [("9am", "18:00")]}}, "inbox.error.hours_time"),
        ({"week": {7: [("09:00", "18:00")]}}, "inbox.error.hours_day"),
        ({"holidays": ["25/12"]}, "inbox.error.holiday"),
        ({"away_message": " "}, "inbox.error.away_empty"),
    ):
        with pytest.raises(UserFacingError) as refused:
            attempt(**changes)
        assert refused.value.key == key
    attempt()
    with Session(engine) as session:
        stored = hours.get_hours(session, team[Role.AGENT], channel_id)
    assert stored.week[0] == ((time(9), time(18)),) and 5 not in stored.week
    assert stored.holidays == frozenset({date(2026, 12, 25)}) and stored.away_message == AWAY


def set_hours(engine, team, channel_id: int, week, *, enabled: bool = True) -> None:
    with db.session_scope(engine) as session:
        hours.set_hours(
            session,
            team[Role.ADMIN],
            channel_id,
            enabled=enabled,
            timezone="UTC",
            week=week,
            holidays=[],
            away_message=AWAY,
        )


def away_messages(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Message).where(Message.text == AWAY)).all())


def test_outside_hours_the_away_message_goes_once_per_conversation(
    engine, team, channel_id
) -> None:
    set_hours(engine, team, channel_id, week={})  # closed every day
    customer_writes(engine, channel_id, "wamid.1")
    customer_writes(engine, channel_id, "wamid.2")
    assert away_messages(engine) == 1
    with db.session_scope(engine) as session:
        lifecycle.set_status(session, team[Role.AGENT], conversation_of(session).id, "resolved")
    customer_writes(engine, channel_id, "wamid.3")
    assert away_messages(engine) == 2


def test_inside_hours_no_away_message(engine, team, channel_id) -> None:
    at = (utcnow() - timedelta(hours=1)).replace(minute=30)
    span = (f"{at.hour:02d}:00", f"{at.hour:02d}:59")
    set_hours(engine, team, channel_id, week={at.weekday(): [span]})
    customer_writes(engine, channel_id, "wamid.1", at=at)
    assert away_messages(engine) == 0


def test_a_message_older_than_the_window_gets_no_away_message(engine, team, channel_id) -> None:
    set_hours(engine, team, channel_id, week={})
    customer_writes(engine, channel_id, "wamid.late", at=utcnow() - timedelta(hours=25))
    assert away_messages(engine) == 0


def test_hours_switched_off_send_nothing(engine, team, channel_id) -> None:
    set_hours(engine, team, channel_id, week={}, enabled=False)
    customer_writes(engine, channel_id, "wamid.1")
    assert away_messages(engine) == 0
