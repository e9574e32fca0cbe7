"""Outgoing webhooks over real HTTP: a receiver checks each delivery's signature, sees a
conversation's events in order, and after an outage gets every event exactly once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.hooks import delivery
from core.hooks.delivery import RETRY_DELAYS, Deliverer, signature_matches
from core.hooks.subscriptions import create_subscription, delete_subscription, send_again
from core.models import HookDelivery, utcnow
from core.webhooks import processor, receiver
from tests.live import serve
from tests.process_helpers import inbound_body
from tests.store_helpers import WEBHOOK_SECRET, make_channel, make_sent_message
from tests.webhook_bodies import status_webhook


class Receiver:
    """A subscriber's endpoint: keeps what it is sent, answers 503 while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def hook(self, request: Request) -> JSONResponse:
        if self.down:
            return JSONResponse({"error": "maintenance"}, status_code=503)
        self.received.append((dict(request.headers), await request.body()))
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


def customer_writes(engine, channel_id: int, index: int, wa_id: str | None = None) -> None:
    """A customer message arrives from 360Dialog and is processed (as the worker does)."""
    body = inbound_body(index)
    if wa_id:  # the same customer again: the same conversation
        value = body["entry"][0]["changes"][0]["value"]
        value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = wa_id
    assert (
        receiver.receive(engine, channel_id, WEBHOOK_SECRET, json.dumps(body).encode()).status_code
        == 200
    )
    processor.process_pending(engine)


def test_deliveries_are_signed_and_verified_by_the_receiver(engine) -> None:
    channel = make_channel(engine)
    subscriber = Receiver()
    with serve(subscriber.app()) as url:
        with session_scope(engine) as session:
            _, secret = create_subscription(session, CLI_ACTOR, f"{url}/hook", ["message.received"])
        customer_writes(engine, channel.id, 1)
        deliverer = Deliverer(engine)
        try:
            assert deliverer.run_once() == 1
        finally:
            deliverer.close()
    [(headers, body)] = subscriber.received
    assert signature_matches(secret, body, headers["x-signature-256"])
    assert not signature_matches("whsec_other", body, headers["x-signature-256"])
    event = json.loads(body)
    assert event["event"] == "message.received" and headers["x-hook-event"] == "message.received"
    assert event["data"]["text"] == "hola 1" and event["data"]["wamid"] == "wamid.scale.1"


def test_after_an_outage_every_event_is_delivered_once_in_order(engine) -> None:
    channel = make_channel(engine)
    subscriber = Receiver()
    with serve(subscriber.app()) as url:
        with session_scope(engine) as session:
            create_subscription(
                session, CLI_ACTOR, f"{url}/hook", ["message.received", "message.status"]
            )
        for index in (1, 2, 3):  # one customer, three messages: one conversation
            customer_writes(engine, channel.id, index, wa_id="34622000001")
        customer_writes(engine, channel.id, 4)  # another customer
        deliverer = Deliverer(engine)
        try:
            subscriber.down = True
            now = utcnow()
            # the receiver is down: each conversation's first delivery fails; the rest wait
            # behind it (after one failure, a subscription's other deliveries of the round too)
            assert deliverer.run_once(now) == 1
            assert subscriber.received == []
            # still down at the first retry; the rest of the day the retries back off
            later = now + timedelta(seconds=RETRY_DELAYS[0] + 1)
            assert deliverer.run_once(later) == 1
            subscriber.down = False
            assert deliverer.run_once(later) == 0  # not due yet: backing off
            back = later + timedelta(seconds=RETRY_DELAYS[1] + LEASE + 1)
            while deliverer.run_once(back):
                pass
        finally:
            deliverer.close()
    texts = [event["data"]["text"] for event in subscriber.events()]
    assert sorted(texts) == ["hola 1", "hola 2", "hola 3", "hola 4"]  # each once
    same_customer = [text for text in texts if text != "hola 4"]
    assert same_customer == ["hola 1", "hola 2", "hola 3"]  # in the order they happened
    with Session(engine) as session:
        states = {
            state: count
            for state, count in session.exec(
                select(HookDelivery.state, func.count()).group_by(HookDelivery.state)
            )
        }
    assert states == {"delivered": 4}


LEASE = delivery.LEASE_SECONDS


def test_a_dead_endpoint_gives_up_after_a_day_and_send_again_starts_afresh(engine) -> None:
    channel = make_channel(engine)
    subscriber = Receiver()
    subscriber.down = True
    with serve(subscriber.app()) as url:
        with session_scope(engine) as session:
            create_subscription(session, CLI_ACTOR, f"{url}/hook", ["message.received"])
        customer_writes(engine, channel.id, 1)
        deliverer = Deliverer(engine)
        try:
            now = utcnow()
            for delay in (0, *RETRY_DELAYS):
                now += timedelta(seconds=delay + 1)
                assert deliverer.run_once(now) == 1
            assert deliverer.run_once(now + timedelta(days=2)) == 0
            with Session(engine) as session:
                [failed] = session.exec(select(HookDelivery)).all()
            assert failed.state == "failed" and failed.attempts == len(RETRY_DELAYS) + 1
            assert failed.last_status == 503
            assert sum(RETRY_DELAYS) == pytest.approx(24 * 3600, rel=0.05)
            subscriber.down = False
            with session_scope(engine) as session:
                send_again(session, CLI_ACTOR, failed.id)
            assert deliverer.run_once() == 1
        finally:
            deliverer.close()
    assert len(subscriber.received) == 1


def test_statuses_and_template_changes_are_events_and_deleting_cancels(engine) -> None:
    channel = make_channel(engine)
    with session_scope(engine) as session:
        subscription, _ = create_subscription(
            session, CLI_ACTOR, "https://crm.example/hook", ["message.status"]
        )
        message = make_sent_message(session, channel, "wamid.ours.1", "34622000009")
    status = status_webhook("wamid.ours.1", "delivered", "34622000009", timestamp="1795558139")
    receiver.receive(engine, channel.id, WEBHOOK_SECRET, json.dumps(status).encode())
    customer_writes(engine, channel.id, 5)  # not subscribed: no delivery
    with Session(engine) as session:
        [queued] = session.exec(select(HookDelivery)).all()
    event = json.loads(queued.body)
    assert event["event"] == "message.status"
    assert event["data"] | {"message_id": None} == {
        "message_id": None,
        "conversation_id": message.conversation_id,
        "wamid": "wamid.ours.1",
        "status": "delivered",
        "error": None,
    }
    with session_scope(engine) as session:
        delete_subscription(session, CLI_ACTOR, subscription.id)
    with Session(engine) as session:
        assert session.get(HookDelivery, queued.id).state == "cancelled"
