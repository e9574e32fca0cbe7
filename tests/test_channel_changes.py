"""The change counter open pages watch: raised once per channel and transaction by every writer of
what they show, read by a whole process at most twice a second."""

from __future__ import annotations

import json
import threading
import time
from contextlib import suppress
from types import MappingProxyType, SimpleNamespace
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access.auth import Actor
from core.channels import changes
from core.conversations import threads
from core.d360.errors import D360Error
from core.db import session_scope
from core.models import ChannelChange, Conversation, Message, MessageStatus, Role
from core.outbox.sender import Sender
from core.webhooks import processor, receiver
from tests.manual_clock import ManualClock
from tests.process_helpers import inbound_body
from tests.store_helpers import WEBHOOK_SECRET, make_channel, make_sent_message
from tests.webhook_bodies import status_webhook


def version(engine: Engine, channel_id: int) -> int:
    with Session(engine) as session:
        row = session.get(ChannelChange, channel_id)
        return row.version if row is not None else 0


def deliver(engine: Engine, channel_id: int, body: dict[str, Any]) -> None:
    receipt = receiver.receive(engine, channel_id, WEBHOOK_SECRET, json.dumps(body).encode())
    assert receipt.status_code == 200


def status_body(wa_message_id: str, status: str) -> dict[str, Any]:
    return status_webhook(wa_message_id, status, "34622000001")


def test_bump_makes_the_row_then_raises_it_on_both_stores(engine) -> None:
    first = make_channel(engine).id
    second = make_channel(engine, number="+15550000002", phone_number_id="2").id
    with engine.begin() as connection:
        changes.bump(connection, [first])
    with engine.begin() as connection:
        changes.bump(connection, [second, first, first])
    assert (version(engine, first), version(engine, second)) == (2, 1)


def test_noted_channels_are_bumped_once_when_the_session_commits(engine) -> None:
    channel = make_channel(engine).id
    with session_scope(engine) as session:
        for _ in range(50):
            changes.note(session, channel)
    assert version(engine, channel) == 1
    try:
        with session_scope(engine) as session:
            changes.note(session, channel)
            raise RuntimeError("the transaction fails")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        pass  # a later transaction of nothing noted bumps nothing
    assert version(engine, channel) == 1


def test_savepoints_hand_their_channels_to_the_commit_which_bumps_each_once(engine) -> None:
    """Releasing a savepoint fires ``before_commit`` too: one per API request of a batch."""
    first = make_channel(engine).id
    second = make_channel(engine, number="+15550000002", phone_number_id="2").id
    third = make_channel(engine, number="+15550000003", phone_number_id="3").id
    with session_scope(engine) as session:
        changes.note(session, first)
        for _ in range(3):
            with session.begin_nested():
                changes.note(session, first)
        with suppress(RuntimeError), session.begin_nested():
            with session.begin_nested():
                changes.note(session, second)  # released into the savepoint refused next
            changes.note(session, second)
            raise RuntimeError("this request is refused; the transaction goes on")
        with session.begin_nested(), session.begin_nested():
            changes.note(session, third)
        assert session.get(ChannelChange, first) is None  # nothing bumped before the commit
    assert [version(engine, channel) for channel in (first, second, third)] == [1, 0, 1]


def test_a_batch_of_customer_messages_bumps_its_channel_once(engine) -> None:
    channel = make_channel(engine).id
    for index in range(30):
        deliver(engine, channel, inbound_body(index))
    assert processor.process_pending(engine, batch=100) == 30
    assert version(engine, channel) == 1
    deliver(engine, channel, inbound_body(99))
    processor.process_pending(engine)
    assert version(engine, channel) == 2


def test_statuses_bump_the_channel_of_the_messages_they_move(engine) -> None:
    channel = make_channel(engine)
    with session_scope(engine) as session:
        make_sent_message(session, channel, "wamid.live.1", "34622000001")
    before = version(engine, channel.id)
    deliver(engine, channel.id, status_body("wamid.live.1", "delivered"))
    deliver(engine, channel.id, status_body("wamid.live.1", "read"))
    processor.process_pending(engine)
    assert version(engine, channel.id) == before + 1
    with Session(engine) as session:
        assert session.exec(select(Message)).one().status == MessageStatus.READ


class FakeClient:
    """Answers a send as 360Dialog does (``messages[0].id``), or refuses it for good."""

    def __init__(self, refuse: bool) -> None:
        self.refuse = refuse
        self.sent = 0

    def send_message(self, payload: dict[str, Any]) -> SimpleNamespace:
        if self.refuse:
            raise D360Error("Recipient phone number not in allowed list", code=131030)
        self.sent += 1
        return SimpleNamespace(
            message_id=f"wamid.fake.{self.sent}", message_status=None, reported_wa_id=None
        )

    def close(self) -> None:
        pass


def written_now(index: int) -> dict[str, Any]:
    """A customer's message sent just now, so the 24-hour window is open."""
    body = inbound_body(index)
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()))
    return body


def queued_reply(engine: Engine, channel_id: int, agent: Actor) -> None:
    deliver(engine, channel_id, written_now(1))
    processor.process_pending(engine)
    with session_scope(engine) as session:
        conversation = session.exec(select(Conversation)).one()
        threads.reply_text(session, agent, conversation.id, "Hola")


def test_queueing_and_sending_bump_the_channel(engine, team) -> None:
    channel = make_channel(engine).id
    queued_reply(engine, channel, team[Role.AGENT])
    assert version(engine, channel) == 2  # the customer's message, then the reply queued
    Sender(engine, lambda _: FakeClient(refuse=False)).run_once()
    assert version(engine, channel) == 4  # sending, then sent
    with Session(engine) as session:
        assert session.exec(select(Message).where(Message.direction == "out")).one().status == (
            MessageStatus.SENT
        )


def test_a_refused_send_bumps_the_channel(engine, team) -> None:
    channel = make_channel(engine).id
    queued_reply(engine, channel, team[Role.AGENT])
    before = version(engine, channel)
    Sender(engine, lambda _: FakeClient(refuse=True)).run_once()
    assert version(engine, channel) == before + 2  # sending, then failed
    with Session(engine) as session:
        reply = session.exec(select(Message).where(Message.direction == "out")).one()
        assert reply.status == MessageStatus.FAILED


def test_marking_a_thread_read_bumps_its_channel(engine, team) -> None:
    channel = make_channel(engine).id
    deliver(engine, channel, inbound_body(1))
    processor.process_pending(engine)
    with session_scope(engine) as session:
        conversation = session.exec(select(Conversation)).one()
        threads.mark_read(session, team[Role.AGENT], conversation.id)
    assert version(engine, channel) == 2


def test_many_tabs_asking_at_once_cost_one_read() -> None:
    reads: list[object] = []
    clock = ManualClock(100.0)
    shared = changes.SharedVersions(
        max_age=0.5,
        clock=clock,
        read=lambda engine: reads.append(engine) or MappingProxyType({7: 3}),
    )
    engine = ManualClock(100.0)  # any object stands for the store here
    answers: list[Any] = []
    workers = [
        threading.Thread(target=lambda: answers.append(shared.get(engine)))  # type: ignore[arg-type]
        for _ in range(40)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(reads) == 1 and all(answer == {7: 3} for answer in answers)
    clock.now += 0.4
    shared.get(engine)  # type: ignore[arg-type]
    assert len(reads) == 1
    clock.now += 0.1
    shared.get(engine)  # type: ignore[arg-type]
    assert len(reads) == 2


def test_current_names_every_asked_channel_unchanged_ones_at_zero(engine) -> None:
    channel = make_channel(engine).id
    with engine.begin() as connection:
        changes.bump(connection, [channel])
    assert changes.current([channel, 999], engine) == ((channel, 1), (999, 0))
    assert changes.current(None, engine) == ((channel, 1),)
