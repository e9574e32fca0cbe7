"""Every answer 360Dialog gives to a send and to a template listing, against the sandbox over HTTP.

- A paced template's message is answered ``held_for_quality_assessment`` (or ``paused``):
  https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing
  and Meta's send response, https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
- ``contacts[].wa_id`` may differ from the input (same reference; a Brazilian account made
  before the ninth digit).
- Listings page with offset/limit, with or without ``total``, or with Graph's cursors
  (https://docs.360dialog.com/docs/waba-messaging/template-messaging,
  https://developers.facebook.com/docs/graph-api/results); items carry 360Dialog's ``id`` and
  Meta's ``external_id``, and ``rejected_reason: "NONE"`` when there is none.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core.channels.registry import client_for
from core.db import session_scope
from core.models import Contact, Message, MessageStatus, RemoteTemplate, Role
from core.outbox.sender import Sender
from core.templates import library
from core.templates.library import sync_templates
from core.templates.sending import send_template_to_number
from core.templates.values import TemplateValues
from core.webhooks import processor
from tests.test_templates import submit_directly
from tests.waiting import wait_until

pytestmark = pytest.mark.sandbox(review_delay=0.05)


def approved_template(control, engine, team, channel_id: int, name: str = "oferta") -> None:
    submit_directly(channel_id, engine, name, body_text="Hola {{1}}, tenemos ofertas.")
    control.idle()
    with session_scope(engine) as session:
        sync_templates(session, team[Role.MANAGER], channel_id)


def send_template(engine, team, channel_id: int, number: str, name: str = "oferta") -> int:
    with session_scope(engine) as session:
        message = send_template_to_number(
            session,
            team[Role.MARKETER],
            channel_id,
            number,
            name,
            "es",
            TemplateValues(body=["Ana"]),
        )
        return message.id


def status_of(engine, message_id: int) -> MessageStatus:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message.status


@pytest.mark.parametrize(
    ("answer", "shown"),
    [("held_for_quality_assessment", MessageStatus.HELD), ("paused", MessageStatus.PAUSED)],
)
def test_a_paced_templates_message_is_held_not_sent_until_whatsapp_lets_it_go(
    engine, team, live, answer, shown
) -> None:
    control, channel_id = live
    approved_template(control, engine, team, channel_id)
    path = f"/accounts/{control.number}/templates/oferta/pacing"
    control.call("POST", path, {"message_status": answer})
    message_id = send_template(engine, team, channel_id, "+34611000999")
    Sender(engine, client_for).run_once()
    control.idle()
    processor.process_pending(engine)
    assert status_of(engine, message_id) == shown  # no status webhook while held
    assert control.call("POST", path, {"message_status": "accepted"})["released"] == 1

    def moved_on() -> bool:
        control.idle()
        processor.process_pending(engine)
        return status_of(engine, message_id) in (MessageStatus.DELIVERED, MessageStatus.READ)

    wait_until(moved_on, message="the released message's statuses")


def test_a_late_answer_never_moves_a_message_back() -> None:
    """Held sits below sent: the answer only moves queued or sending messages
    (``core.conversations.statuses.WAITING_RANK``)."""
    from core.conversations.statuses import WAITING_RANK
    from core.d360.events import status_rank

    assert status_rank("sent") > WAITING_RANK > -1


def test_the_number_whatsapp_answers_with_is_kept_on_the_contact(engine, team, live) -> None:
    control, channel_id = live
    approved_template(control, engine, team, channel_id)
    control.call(
        "PATCH",
        f"/accounts/{control.number}",
        {"registered_as": {"5511987654321": "551187654321"}},
    )
    send_template(engine, team, channel_id, "+5511987654321")
    send_template(engine, team, channel_id, "+34611000999")
    Sender(engine, client_for).run_once()
    with Session(engine) as session:
        reported = {c.wa_id: c.reported_wa_id for c in session.exec(select(Contact))}
    assert reported == {"5511987654321": "551187654321", "34611000999": None}


@pytest.mark.parametrize("shape", ["360dialog", "without_total", "graph"])
def test_sync_reads_every_page_whatever_the_listing_shape(engine, team, live, shape) -> None:
    control, channel_id = live
    for index in range(7):
        submit_directly(channel_id, engine, f"promo_{index}")
    control.idle()
    control.call("PATCH", f"/accounts/{control.number}", {"template_listing": shape})
    listed = control.call("GET", f"/accounts/{control.number}/templates")
    original = library.SYNC_PAGE_SIZE
    library.SYNC_PAGE_SIZE = 3
    try:
        with session_scope(engine) as session:
            result = sync_templates(session, team[Role.MANAGER], channel_id)
    finally:
        library.SYNC_PAGE_SIZE = original
    assert result.fetched == 7 and result.created == 7
    with Session(engine) as session:
        stored = list(session.exec(select(RemoteTemplate)))
    assert all(t.external_id and t.rejected_reason is None for t in stored)
    if shape != "graph":  # Graph's listing has Meta's id only
        assert all(t.remote_id and t.remote_id != t.external_id for t in stored)
    assert {t.external_id for t in stored} == {str(t["external_id"]) for t in listed}


def test_a_status_webhook_finds_its_template_by_metas_id(engine, team, live) -> None:
    control, channel_id = live
    approved_template(control, engine, team, channel_id, "aviso")
    with session_scope(engine) as session:
        sync_templates(session, team[Role.MANAGER], channel_id)
        template = session.exec(select(RemoteTemplate)).one()
        meta_id = template.external_id
        template.name = "aviso_renamed_here"  # only Meta's id can find it now
    control.call(
        "POST",
        f"/accounts/{control.number}/templates/aviso/status",
        {"status": "REJECTED", "reason": "INVALID_FORMAT"},
    )
    control.idle()
    processor.process_pending(engine)
    with Session(engine) as session:
        [template] = session.exec(select(RemoteTemplate)).all()
    assert template.external_id == meta_id and template.status == "REJECTED"
    assert template.rejected_reason == "INVALID_FORMAT"
