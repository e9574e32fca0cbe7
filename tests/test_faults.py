"""Faults: 360Dialog failing in every way, a locked SQLite, hostile bodies. Nothing crashes,
nothing is lost, the user sees what happened."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.channels.registry import client_for
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.d360.events import parse_webhook
from core.db import session_scope
from core.models import Channel, ChannelChange, Message, MessageStatus, OutboundJob, WebhookEvent
from core.outbox.queue import enqueue_text, requeue
from core.outbox.sender import Sender
from core.webhooks import processor, receiver
from tests import testdata
from tests.d360.helpers import WEBHOOK_BODIES
from tests.live import free_port, serve
from tests.store_helpers import WEBHOOK_SECRET, make_channel


class Flaky360:
    """A 360Dialog that answers from a script: 500s, 429 storms, hangs, then success."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.calls = 0

    async def messages(self, request: Request) -> Response:
        self.calls += 1
        step = self.script.pop(0) if self.script else "ok"
        if step == "500":
            return JSONResponse(
                {
                    "meta": {
                        "httpCode": 500,
                        "developerMessage": "Internal server error",
                        "success": False,
                    }
                },
                status_code=500,
            )
        if step == "429":
            return JSONResponse(
                {"error": {"message": "(#130429) Rate limit hit", "code": 130429}},
                status_code=429,
                headers={"Retry-After": "0"},
            )
        if step == "hang":
            time.sleep(1.5)  # longer than the client's timeout below
        body = await request.json()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.flaky.{self.calls}"}],
            }
        )


@pytest.fixture
def flaky(engine) -> Iterator[tuple[Flaky360, Channel]]:
    fake = Flaky360()
    with serve(Starlette(routes=[Route("/messages", fake.messages, methods=["POST"])])) as url:
        yield fake, make_channel(engine, base_url=url)


def queue_one(engine, channel: Channel) -> int:
    with session_scope(engine) as session:
        row = session.get(Channel, channel.id)
        contact, _ = find_or_create_contact(session, row, "34611222333")
        conversation = find_or_create_conversation(session, row, contact)
        return enqueue_text(session, row, conversation, "hola").id


def due_now(engine) -> None:
    with session_scope(engine) as session:
        for job in session.exec(select(OutboundJob)):
            job.next_attempt_at = None


def short_timeout_client(channel: Channel):  # type: ignore[no-untyped-def]
    client = client_for(channel)
    client.timeout = 0.5
    return client


def test_500s_429_storms_and_timeouts_are_retried_until_sent(engine, flaky) -> None:
    fake, channel = flaky
    fake.script = ["500", "429", "429", "429", "hang", "500"]
    message_id = queue_one(engine, channel)
    sender = Sender(engine, short_timeout_client)
    for _ in range(10):
        due_now(engine)
        sender.run_once()
    with Session(engine) as session:
        message = session.get(Message, message_id)
        job = session.exec(select(OutboundJob)).one()
    assert message.status == MessageStatus.SENT and message.wa_message_id.startswith("wamid.flaky")
    assert job.state == "done" and job.attempts == 7


def test_360dialog_gone_for_good_leaves_a_visible_retryable_failure(engine) -> None:
    channel = make_channel(engine, base_url=f"http://127.0.0.1:{free_port()}")  # nobody listens
    message_id = queue_one(engine, channel)
    sender = Sender(engine, client_for)
    from core.outbox.refusals import MAX_ATTEMPTS

    for _ in range(MAX_ATTEMPTS):
        due_now(engine)
        sender.run_once()
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        assert message.status == MessageStatus.FAILED and message.error_title
        assert requeue(session, message)
        assert message.status == MessageStatus.QUEUED


def test_a_round_of_sends_refused_for_360dialog_being_down_is_recorded_at_once(engine) -> None:
    """One transaction for the round, not one per send: while 360Dialog is down the refusals
    would otherwise keep SQLite's one writer from the API and the webhook intake."""
    channel = make_channel(engine, base_url=f"http://127.0.0.1:{free_port()}")  # nobody listens
    with session_scope(engine) as session:
        row = session.get(Channel, channel.id)
        for index in range(30):
            contact, _ = find_or_create_contact(session, row, f"346112220{index:02d}")
            conversation = find_or_create_conversation(session, row, contact)
            enqueue_text(session, row, conversation, "hola")
    with Session(engine) as session:
        before = session.get(ChannelChange, channel.id).version
    Sender(engine, client_for).run_once()
    with Session(engine) as session:
        assert session.get(ChannelChange, channel.id).version == before + 2  # claimed, refused
        jobs = session.exec(select(OutboundJob)).all()
        assert {(job.state, job.attempts) for job in jobs} == {("queued", 1)}
        assert all(job.next_attempt_at and job.last_error for job in jobs)
        statuses = session.exec(select(Message.status)).all()
        assert set(statuses) == {MessageStatus.QUEUED} and len(statuses) == 30


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's one-writer lock
def test_a_locked_sqlite_makes_webhooks_wait_not_fail(engine) -> None:
    channel = make_channel(engine)
    body = json.dumps(testdata.load("webhooks/text.json")).encode()
    blocker = engine.raw_connection()
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a while
    release = threading.Timer(1.0, lambda: (blocker.execute("COMMIT"), blocker.close()))
    release.start()
    started = time.monotonic()
    receipt = receiver.receive(engine, channel.id, WEBHOOK_SECRET, body)
    assert receipt.status_code == 200 and time.monotonic() - started >= 0.9
    release.join()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)
KEYS = [
    "object",
    "entry",
    "changes",
    "value",
    "messages",
    "statuses",
    "contacts",
    "errors",
    "id",
    "from",
    "type",
    "text",
    "timestamp",
    "status",
    "metadata",
]


def mutate(value: Any, data: st.DataObject) -> Any:
    """A real payload with one value somewhere replaced by something hostile."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: mutate(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutate(value[index], data), *value[index + 1 :]]
    return data.draw(JSON | st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parsing_never_raises_on_hostile_bodies(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(WEBHOOK_BODIES))
    parsed = parse_webhook(mutate(original, data))
    assert isinstance(parsed.problems, tuple)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hostile_bodies_are_stored_and_processed_without_a_crash(
    engine, data: st.DataObject
) -> None:
    with Session(engine) as session:
        channel = session.exec(select(Channel)).first()
    channel = channel or make_channel(engine)
    body = mutate(data.draw(st.sampled_from(WEBHOOK_BODIES)), data)
    receipt = receiver.receive(engine, channel.id, WEBHOOK_SECRET, json.dumps(body).encode())
    assert receipt.status_code == 200
    processor.process_pending(engine)
    with Session(engine) as session:
        event = session.get(WebhookEvent, receipt.event_id)
        assert event.state in {
            "processed",
            "pending",
        }  # pending: statuses waiting for their message


def test_garbage_and_huge_bodies_get_clear_answers(engine) -> None:
    channel = make_channel(engine)
    for garbage in (b"", b"\\xff\\xfe", b"{", b"null{}", "ñ".encode("latin-1")):
        assert receiver.receive(engine, channel.id, WEBHOOK_SECRET, garbage).status_code == 400
    huge = b'{"object": "' + b"x" * (2 * receiver.MAX_BODY_BYTES) + b'"}'
    assert receiver.receive(engine, channel.id, WEBHOOK_SECRET, huge).status_code == 413
    for valid_json in (b"null", b"[]", b"42", b'"text"', b"{}"):
        assert receiver.receive(engine, channel.id, WEBHOOK_SECRET, valid_json).status_code == 200
    processor.process_pending(engine)
    with Session(engine) as session:
        events = session.exec(select(WebhookEvent)).all()
        assert [e.state for e in events] == ["processed"] * 5
        assert all(e.problems for e in events[:4])  # each says why nothing could be read
