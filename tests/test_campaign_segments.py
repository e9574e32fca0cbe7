"""Segments: a channel's contacts by label and last activity, saved by name, as an audience."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from core.access.auth import PermissionDenied
from core.campaigns import segments
from core.db import session_scope
from core.errors import UserFacingError
from core.models import Contact, Role, utcnow
from tests.store_helpers import make_channel


@pytest.fixture
def channel_id(engine) -> int:
    channel = make_channel(engine)
    now = utcnow()
    with session_scope(engine) as session:
        for wa_id, name, labels, last in [
            ("34611000001", "Lucía", ["vip"], now - timedelta(days=2)),
            ("34611000002", "Marcos", ["vip", "mayorista"], now - timedelta(days=40)),
            ("34611000003", "Nora", None, now - timedelta(days=1)),
            ("34611000004", "Olga", ["vip"], None),
        ]:
            session.add(
                Contact(
                    channel_id=channel.id,
                    wa_id=wa_id,
                    profile_name=name,
                    labels=labels,
                    last_inbound_at=last,
                )
            )
    return channel.id


def test_conditions_all_hold_and_a_saved_segment_is_reused(engine, team, channel_id) -> None:
    marketer = team[Role.MARKETER]
    vip_recent = [{"kind": "label", "value": "vip"}, {"kind": "active_within_days", "value": 30}]
    with session_scope(engine) as session:
        frame = segments.contacts(session, marketer, channel_id, vip_recent)
        assert list(frame["name"]) == ["Lucía"]
        asleep = segments.contacts(
            session, marketer, channel_id, [{"kind": "inactive_for_days", "value": 30}]
        )
        assert list(asleep["number"]) == ["+34611000002", "+34611000004"]
        segments.save(session, marketer, channel_id, "VIP activos", vip_recent)
        segments.save(session, marketer, channel_id, "VIP activos", vip_recent[:1])  # replaced
    with Session(engine) as session:
        (saved,) = segments.saved(session, marketer, channel_id)
        again = segments.contacts(session, marketer, channel_id, saved.conditions)
    assert saved.name == "VIP activos"
    assert list(again["name"]) == ["Lucía", "Marcos", "Olga"]


def test_unknown_or_wrong_conditions_are_refused_in_words(engine, team, channel_id) -> None:
    with Session(engine) as session:
        with pytest.raises(UserFacingError) as unknown:
            segments.contacts(
                session, team[Role.MARKETER], channel_id, [{"kind": "attribute", "value": "x"}]
            )
        assert "attribute" in unknown.value.message("en")
        with pytest.raises(UserFacingError):
            segments.save(
                session,
                team[Role.MARKETER],
                channel_id,
                "Mal",
                [{"kind": "active_within_days", "value": "pronto"}],
            )
        with pytest.raises(PermissionDenied):
            segments.contacts(session, team[Role.AGENT], channel_id, [])
