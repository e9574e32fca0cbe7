"""Retarget in one click: a draft campaign for the people of a past one who did not read it or
who replied, with the values they were sent; run against the sandbox over HTTP."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.campaigns import retarget
from core.channels.registry import client_for
from core.db import session_scope
from core.errors import UserFacingError
from core.models import CampaignRecipient, Role
from core.outbox.sender import Sender
from core.webhooks import processor
from tests.test_campaigns import launch, live, run_until_done  # noqa: F401  (``live``: a fixture)

pytestmark = pytest.mark.sandbox(review_delay=0.05, status_delays=(0.02, 0.05, 0.08))

PEOPLE = pd.DataFrame(
    {
        "telefono": [f"+34 611 00000{i}" for i in range(4)],
        "nombre": ["Ana", "Beto", "Caro", "Dani"],
    }
)
UNREAD = ("34611000001", "34611000002")


def test_retarget_non_readers_and_repliers_as_drafts(engine, team, live) -> None:  # noqa: F811
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    for customer in UNREAD:
        control.call(
            "PATCH", f"/accounts/{control.number}/customers/{customer}", {"auto_read": False}
        )
    past = launch(engine, marketer, workspace_id, PEOPLE, "Otoño")
    run_until_done(engine, past.id, Sender(engine, client_for), control)
    control.idle()
    control.customer_writes(customer="34611000003", type="text", text="¿Hay tallas?")
    control.idle()
    processor.process_pending(engine)

    with session_scope(engine) as session:
        again = retarget.retarget(session, marketer, past.id, "not_read")
        replied = retarget.retarget(session, marketer, past.id, "replied")
        with pytest.raises(UserFacingError):
            retarget.retarget(session, marketer, past.id, "failed")  # nobody failed
        ids = again.id, replied.id
        assert (again.state, again.retarget_of) == ("draft", past.id)
    with Session(engine) as session:
        recipients = session.exec(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == ids[0])
        ).all()
        repliers = session.exec(
            select(CampaignRecipient.wa_id).where(CampaignRecipient.campaign_id == ids[1])
        ).all()
    assert sorted(r.wa_id for r in recipients) == list(UNREAD)
    assert all(r.state == "pending" for r in recipients)
    assert {r.values["body"][0] for r in recipients} == {"Beto", "Caro"}
    assert repliers == ["34611000003"]
    assert len(control.sent()) == 4  # drafts send nothing
