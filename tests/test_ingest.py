"""Webhook bodies in: stored before 200, processed once, every shared payload handled."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, func, select

from core.conversations import inbound
from core.d360.events import InboundMessage, StatusUpdate, parse_webhook, status_rank
from core.models import (
    Contact,
    Conversation,
    Message,
    MessageStatus,
    OutboundJob,
    WebhookEvent,
    utcnow,
)
from core.webhooks import processor, receiver
from tests.d360.helpers import WEBHOOK_FILES, load
from tests.reference import requires_payloads
from tests.store_helpers import WEBHOOK_SECRET, make_channel


def count(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def deliver(engine, channel_id: int, body: Any, secret: str = WEBHOOK_SECRET) -> receiver.Receipt:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return receiver.receive(engine, channel_id, secret, raw)


def metadata_of(body: Any) -> dict[str, str]:
    for entry in body.get("entry") or [] if isinstance(body, dict) else []:
        for change in (entry or {}).get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and isinstance(value.get("metadata"), dict):
                return value["metadata"]
    return {}


def test_wrong_or_missing_secret_gets_401_and_stores_nothing(engine) -> None:
    channel = make_channel(engine)
    assert deliver(engine, channel.id, {"object": "x"}, secret="nope").status_code == 401
    assert receiver.receive(engine, channel.id, None, b"{}").status_code == 401
    assert deliver(engine, 999, {"object": "x"}).status_code == 401
    with Session(engine) as session:
        assert count(session, WebhookEvent) == 0


def test_not_json_gets_400_and_huge_gets_413(engine) -> None:
    channel = make_channel(engine)
    assert deliver(engine, channel.id, b"<xml>not json</xml>").status_code == 400
    huge = json.dumps({"padding": "x" * (receiver.MAX_BODY_BYTES + 1)}).encode()
    assert deliver(engine, channel.id, huge).status_code == 413
    with Session(engine) as session:
        assert count(session, WebhookEvent) == 0


def test_body_is_durable_before_processing_and_processed_once(engine) -> None:
    channel = make_channel(engine)
    body = load("courier/cloud_webhook__hello.json")
    body["entry"][0]["changes"][0]["value"]["metadata"] = {
        "display_phone_number": "15550783881",
        "phone_number_id": "106540352242922",
    }
    receipt = deliver(engine, channel.id, body)
    assert receipt.status_code == 200
    with Session(engine) as session:
        stored = session.get(WebhookEvent, receipt.event_id)
        assert stored.state == "pending" and json.loads(stored.body) == body
    assert processor.process_pending(engine) == 1
    assert processor.process_pending(engine) == 0
    with Session(engine) as session:
        assert session.get(WebhookEvent, receipt.event_id).state == "processed"
        message = session.exec(select(Message)).one()
        assert (message.text, message.direction, message.type) == ("Hello World", "in", "text")
        contact = session.exec(select(Contact)).one()
        assert (contact.wa_id, contact.profile_name) == ("5678", "Kerry Fisher")
        conversation = session.exec(select(Conversation)).one()
        assert conversation.unread_count == 1
        assert conversation.last_inbound_at == message.created_at


def test_a_retried_body_changes_nothing(engine) -> None:
    body = load("courier/cloud_webhook__hello.json")
    channel = channel_for(engine, body)
    for _ in range(3):
        assert deliver(engine, channel.id, body).status_code == 200
    assert processor.process_pending(engine) == 3
    with Session(engine) as session:
        assert count(session, Message) == 1
        assert session.exec(select(Conversation)).one().unread_count == 1


def channel_for(engine, body: Any, **options: Any):
    """A channel whose number is the one the body's metadata names."""
    metadata = metadata_of(body)
    digits = "".join(c for c in metadata.get("display_phone_number", "") if c.isdigit())
    return make_channel(
        engine,
        number="+" + (digits or "15550000000"),
        phone_number_id=metadata.get("phone_number_id"),
        **options,
    )


def test_statuses_never_go_backwards_and_wait_for_our_own_send(engine) -> None:
    body = load("courier/cloud_webhook__valid_status.json")
    channel = channel_for(engine, body)
    status = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    read = json.loads(json.dumps(body))
    read["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "read"
    deliver(engine, channel.id, read)
    processor.process_pending(engine)
    with Session(engine) as session:
        early = session.exec(select(WebhookEvent)).one()
        assert early.state == "pending" and early.claimed_until > utcnow()
    _outbound_message(engine, channel, status["id"])
    with Session(engine) as session:
        early = session.exec(select(WebhookEvent)).one()
        early.claimed_until = utcnow()
        session.add(early)
        session.commit()
    deliver(engine, channel.id, body)  # "delivered", arriving after "read"
    processor.process_pending(engine)
    with Session(engine) as session:
        message = session.exec(select(Message)).one()
        assert message.status == MessageStatus.READ
        assert count(session, WebhookEvent, WebhookEvent.state == "processed") == 2


def test_greeting_goes_once_to_a_new_contact(engine) -> None:
    channel = make_channel(
        engine, phone_number_id=None, number="+250788123200", greeting="¡Hola! 👋"
    )
    first = load("courier/cloud_webhook__hello.json")
    second = json.loads(json.dumps(first))
    second["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "another"
    deliver(engine, channel.id, first)
    deliver(engine, channel.id, second)
    processor.process_pending(engine)
    with Session(engine) as session:
        jobs = session.exec(select(OutboundJob)).all()
        assert [job.payload["text"]["body"] for job in jobs] == ["¡Hola! 👋"]
        assert jobs[0].payload["to"] == "5678"
        greeting = session.get(Message, jobs[0].message_id)
        assert greeting.status == MessageStatus.QUEUED and greeting.direction == "out"


def test_event_for_a_number_we_do_not_have_is_skipped_with_a_reason(engine) -> None:
    channel = make_channel(engine, phone_number_id="123456789")
    body = load("courier/cloud_webhook__hello.json")
    body["entry"][0]["changes"][0]["value"]["metadata"] = load(
        "chatwoot/cloud_routing_phone_number_id_mismatch.json"
    )["entry"][0]["changes"][0]["value"]["metadata"]
    deliver(engine, channel.id, body)
    processor.process_pending(engine)
    with Session(engine) as session:
        event = session.exec(select(WebhookEvent)).one()
        assert event.state == "processed"
        assert "skipped" in event.problems
        assert count(session, Message) == 0


def _outbound_message(engine, channel, wa_message_id: str) -> None:
    from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
    from core.db import session_scope

    with session_scope(engine) as session:
        contact, _ = find_or_create_contact(session, channel, "15551234567")
        conversation = find_or_create_conversation(session, channel, contact)
        session.add(
            Message(
                channel_id=channel.id,
                conversation_id=conversation.id,
                wa_message_id=wa_message_id,
                direction="out",
                type="text",
                text="hola",
                status=MessageStatus.SENT,
            )
        )


@requires_payloads
@pytest.mark.parametrize("relative", WEBHOOK_FILES)
def test_every_shared_webhook_body_is_accepted_and_handled(engine, relative: str) -> None:
    """Each real payload: 200, processed, what it carries is stored, a replay changes nothing."""
    body = load(relative)
    channel = channel_for(engine, body)
    parsed = parse_webhook(body)
    final_status: dict[str, str] = {}
    for item in parsed.events:
        if (
            isinstance(item, StatusUpdate)
            and item.message_id
            and status_rank(item.status) > max(0, status_rank(final_status.get(item.message_id)))
        ):
            final_status[item.message_id] = item.status
    for wa_message_id in final_status:
        _outbound_message(engine, channel, wa_message_id)
    for _ in range(2):
        assert deliver(engine, channel.id, body).status_code == 200
    assert processor.process_pending(engine) == 2
    with Session(engine) as session:
        events = session.exec(select(WebhookEvent)).all()
        assert {event.state for event in events} == {"processed"}, [e.problems for e in events]
        inbound_ids = {
            item.message_id
            for item in parsed.events
            if isinstance(item, InboundMessage)
            and item.wa_id
            and not item.edit
            and not item.revoked_message_id
        }
        stored_in = session.exec(select(Message).where(Message.direction == "in")).all()
        assert {m.wa_message_id for m in stored_in if not m.wa_message_id.startswith("noid:")} == {
            i for i in inbound_ids if i
        }
        assert len(stored_in) == len(inbound_ids)
        for wa_message_id, status in final_status.items():
            stored = session.exec(
                select(Message).where(Message.wa_message_id == wa_message_id)
            ).one()
            assert stored.status.value in {
                status,
                "failed",
                "read",
                "delivered",
                "played",
                "deleted",
            }
            assert (
                status_rank(stored.status.value) >= status_rank(status)
                or stored.status.value == "failed"
            )


def test_a_crash_mid_body_keeps_nothing_half_done_and_retries(engine, monkeypatch) -> None:
    body = load("courier/cloud_webhook__hello.json")
    channel = channel_for(engine, body)
    deliver(engine, channel.id, body)
    calls = {"n": 0}
    real_touch = inbound._touch_threads

    def dies_twice(*args, **kwargs):  # dies after the message row, before the thread
        calls["n"] += 1
        if calls["n"] <= 2:  # in its batch, then alone
            raise RuntimeError("killed")
        return real_touch(*args, **kwargs)

    monkeypatch.setattr(inbound, "_touch_threads", dies_twice)
    assert processor.process_pending(engine) == 1
    with Session(engine) as session:
        event = session.exec(select(WebhookEvent)).one()
        assert event.state == "pending" and "killed" in event.problems
        assert count(session, Message) == 0
        event.claimed_until = utcnow()
        session.add(event)
        session.commit()
    processor.process_pending(engine)
    with Session(engine) as session:
        assert session.exec(select(WebhookEvent)).one().state == "processed"
        assert count(session, Message) == 1


def test_a_body_that_always_crashes_is_set_aside(engine, monkeypatch) -> None:
    body = load("courier/cloud_webhook__hello.json")
    channel = channel_for(engine, body)
    deliver(engine, channel.id, body)
    deliver(engine, channel.id, load("courier/cloud_webhook__hello.json"))
    monkeypatch.setattr(processor, "store_messages", lambda *a: 1 / 0)
    for _ in range(processor.MAX_PROCESSING_FAILURES):
        with Session(engine) as session:
            for event in session.exec(select(WebhookEvent)):
                event.claimed_until = None
                session.add(event)
            session.commit()
        processor.process_pending(engine)
    with Session(engine) as session:
        states = [e.state for e in session.exec(select(WebhookEvent).order_by(WebhookEvent.id))]
        assert states == ["failed", "failed"]


def test_writes_respect_what_another_writer_changed_after_the_reads(engine) -> None:
    """A batch reads first and writes later; in between an agent read the thread and a newer
    status arrived. The thread's unread count is added to (not overwritten) and the message's
    status does not go back."""
    from sqlalchemy import update

    from core.conversations.inbound import Arrival, plan_messages, store_messages
    from core.conversations.statuses import StatusArrival, apply_statuses, plan_statuses
    from core.phones import canonical_wa_id

    hello = load("courier/cloud_webhook__hello.json")
    channel = channel_for(engine, hello)
    deliver(engine, channel.id, hello)
    processor.process_pending(engine)
    _outbound_message(engine, channel, "wamid.ours")
    message = parse_webhook(hello).messages[0]
    again = InboundMessage(**{**message.__dict__, "message_id": "wamid.second"})
    status = StatusUpdate(message_id="wamid.ours", status="delivered", timestamp=utcnow())
    with Session(engine) as session:
        problems: list[str] = []
        inbound_plan = plan_messages(session, [Arrival(channel, again, problems)])
        status_plan = plan_statuses(session, [StatusArrival(channel, status, problems)])
        with Session(engine) as other:  # meanwhile: the thread is read, the message was read
            other.execute(update(Conversation).values(unread_count=0))
            other.execute(
                update(Message)
                .where(Message.wa_message_id == "wamid.ours")
                .values(status=MessageStatus.READ)
            )
            other.commit()
        store_messages(session, inbound_plan)
        apply_statuses(session, status_plan)
        session.commit()
    with Session(engine) as session:
        thread = session.exec(
            select(Conversation)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(Contact.wa_id == canonical_wa_id(message.wa_id or ""))
        ).one()
        assert thread.unread_count == 1
        ours = session.exec(select(Message).where(Message.wa_message_id == "wamid.ours")).one()
        assert ours.status == MessageStatus.READ
        assert problems == []


def test_an_error_webhook_is_the_channels_last_error_in_the_readers_words(engine) -> None:
    from core.d360.errors import class_for_code
    from core.failures import describe, describe_error
    from core.models import Channel

    channel = make_channel(engine)
    body = {"errors": [{"code": 470, "title": "Re-engagement message"}]}
    assert deliver(engine, channel.id, body).status_code == 200
    assert processor.process_pending(engine) == 1
    with Session(engine) as session:
        stored = session.get(Channel, channel.id)
    assert (stored.last_error_code, stored.last_error) == (470, "Re-engagement message")
    assert stored.last_error_at is not None
    family = class_for_code(470)
    assert family is not None
    for language in ("es", "en"):
        assert describe(stored.last_error_code, stored.last_error, language) == describe_error(
            family("", code=470), language
        )
