"""A campaign whose marketing template Meta withholds with 131049 (per-user marketing limit,
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits)
tries those people again on its schedule, against the sandbox over HTTP; what it actually cost
comes from the ``pricing`` of delivered statuses (per-message pricing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.campaigns import audience, report, runner
from core.campaigns.costs import actual_cost
from core.campaigns.estimate import estimate
from core.campaigns.rates import current_card
from core.channels.registry import client_for
from core.db import session_scope
from core.models import Campaign, CampaignRecipient, Role, utcnow
from core.outbox.sender import Sender
from core.webhooks import processor
from tests.test_campaigns import MAPPING, live  # noqa: F401  (``live``: a fixture)
from tests.waiting import wait_until

pytestmark = pytest.mark.sandbox(review_delay=0.05, status_delays=(0.02, 0.05, 0.08))

# Uruguay and Portugal: markets the shipped card prices
PEOPLE = pd.DataFrame(
    {
        "telefono": ["+598 99 123 401", "+598 99 123 402", "+351 912 345 601"],
        "nombre": ["Ana", "Beto", "Caro"],
    }
)
STUBBORN = "59899123402"  # still at their limit when tried again


def rounds(engine, sender: Sender, control, now, until) -> None:  # type: ignore[no-untyped-def]
    """Runner, sender and webhooks at ``now`` until ``until()`` holds."""

    def step() -> bool:
        runner.run_due(engine, now)
        sender.run_once()
        control.idle()
        processor.process_pending(engine)
        return until()

    wait_until(step, timeout=60, message="the campaign's rounds", interval=0)


def states(engine, campaign_id: int) -> dict[str, str]:
    with Session(engine) as session:
        return dict(
            session.exec(
                select(CampaignRecipient.wa_id, CampaignRecipient.state).where(
                    CampaignRecipient.campaign_id == campaign_id
                )
            ).all()
        )


def test_131049_failures_are_retried_on_schedule_then_given_up(engine, team, live) -> None:  # noqa: F811
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    account = f"/accounts/{control.number}"
    control.call("PATCH", account, {"marketing_limit_share": 1.0, "pricing_model": "PMP"})
    with session_scope(engine) as session:
        planned = audience.plan(session, marketer, workspace_id, PEOPLE, MAPPING)
        campaign = runner.create(
            session,
            marketer,
            name="Límite",
            workspace_template_id=workspace_id,
            planned=planned,
            mapping=MAPPING,
            retry_delays=[1.0],
        )
        runner.start(session, marketer, campaign.id)
    sender = Sender(engine, client_for)
    rounds(
        engine,
        sender,
        control,
        utcnow(),
        lambda: set(states(engine, campaign.id).values()) == {"retry"},
    )
    with Session(engine) as session:
        counts = report.counts(session, team[Role.MANAGER], campaign.id)
        waiting = session.exec(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
        ).all()
        # a new plan leaves out who Meta's limit refused in the last 24 hours
        again = estimate(session, marketer, workspace_id, PEOPLE, MAPPING)
    assert counts.retrying == 3 and counts.given_up == 0
    assert again.excluded["marketing_limit"] == 3 and again.reachable == 0
    due = min(r.due_at for r in waiting)
    assert all(r.attempts == 1 for r in waiting)

    control.call("PATCH", account, {"marketing_limit_share": 0.0})
    control.call("PATCH", f"{account}/customers/{STUBBORN}", {"marketing_limited": True})
    runner.run_due(engine, due - timedelta(minutes=1))  # not yet: nobody is sent again early
    sender.run_once()
    assert len(control.sent()) == 3
    finished_at = due + timedelta(minutes=1)
    rounds(engine, sender, control, finished_at, lambda: _done(engine, campaign.id))

    assert states(engine, campaign.id) == {
        "59899123401": "queued",
        STUBBORN: "given_up",
        "351912345601": "queued",
    }
    sends = sorted(message["customer"] for message in control.sent())
    assert sends == sorted(["59899123401", STUBBORN, "351912345601"] * 2)
    with Session(engine) as session:
        counts = report.counts(session, team[Role.MANAGER], campaign.id)
        cost = actual_cost(session, team[Role.MANAGER], campaign.id)
        card = current_card(session)
    assert (counts.retrying, counts.given_up, counts.delivered) == (0, 1, 2)
    assert cost.charged == 2 and cost.unpriced == {}
    assert cost.total == card.rate("Rest of Latin America", "marketing") + card.rate(
        "Rest of Western Europe", "marketing"
    )
    assert cost.total > Decimal(0)


def _done(engine, campaign_id: int) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        return campaign.state == "done" and "retry" not in states(engine, campaign_id).values()
