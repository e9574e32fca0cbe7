"""Sending windows in each recipient's own local time (their number's timezone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.campaigns import runner, windows
from core.campaigns.audience import plan
from core.channels.registry import client_for
from core.db import session_scope
from core.errors import UserFacingError
from core.models import CampaignRecipient, Role
from core.outbox.sender import Sender
from tests.test_campaigns import MAPPING, live  # noqa: F401  (``live``: a fixture)

pytestmark = pytest.mark.sandbox(review_delay=0.05, status_delays=(0.02, 0.05, 0.08))

NIGHT = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 04:00 in Madrid, 22:00 in New York
MADRID_AND_CANARIES_OPEN = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 Madrid, 09:00 Canaries


def test_the_window_is_each_numbers_local_time() -> None:
    assert windows.next_opening("34611000001", "09:00", "20:00", NIGHT) == (
        MADRID_AND_CANARIES_OPEN
    )
    assert windows.next_opening("34611000001", "09:00", "20:00", MADRID_AND_CANARIES_OPEN) is None
    # New York: 09:00 local is 14:00 UTC
    assert windows.next_opening("12127365000", "09:00", "20:00", NIGHT) == datetime(
        2026, 12, 2, 14, 0, tzinfo=UTC
    )
    assert windows.next_opening("12127365000", "21:00", "08:00", NIGHT) is None  # past midnight
    assert windows.next_opening("59899", "09:00", "20:00", NIGHT) is None  # zone unknown
    assert windows.parse_time("9:30") == "09:30"
    with pytest.raises(UserFacingError):
        windows.parse_time("25:00")


def test_a_campaign_waits_for_its_recipients_window(engine, team, live) -> None:  # noqa: F811
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    people = pd.DataFrame({"telefono": ["+34 611 300001", "+34 611 300002"], "nombre": ["A", "B"]})
    with session_scope(engine) as session:
        campaign = runner.create(
            session,
            marketer,
            name="Mañana",
            workspace_template_id=workspace_id,
            planned=plan(session, marketer, workspace_id, people, MAPPING),
            mapping=MAPPING,
            window=("9:00", "20:00"),
        )
        runner.start(session, marketer, campaign.id)
    assert runner.run_due(engine, NIGHT) == 0
    with Session(engine) as session:
        waiting = session.exec(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
        ).all()
    assert [(r.state, r.due_at, r.queued_at) for r in waiting] == [
        ("pending", MADRID_AND_CANARIES_OPEN, None)
    ] * 2
    assert runner.run_due(engine, MADRID_AND_CANARIES_OPEN) == 2
    Sender(engine, client_for).run_once()
    assert sorted(m["customer"] for m in control.sent()) == ["34611300001", "34611300002"]
