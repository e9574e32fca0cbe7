"""The open thread's mark: it moves with every change the thread shows (so the reading tab
redraws at once) and stays put for changes elsewhere on the channel (which wait their turn)."""

from __future__ import annotations

import json
from collections.abc import Hashable

from sqlalchemy import Engine
from sqlmodel import Session

from core import db
from core.access.auth import Actor
from core.conversations import assignment, labels, notes, threads
from core.conversations.marks import thread_mark
from core.models import Channel, Role
from core.webhooks import processor, receiver
from tests.inbox.helpers import conversation_of, customer_writes
from tests.store_helpers import WEBHOOK_SECRET, make_sent_message
from tests.webhook_bodies import status_webhook

CUSTOMER = "5493415551234"


def mark(engine: Engine, conversation_id: int) -> Hashable:
    with Session(engine) as session:
        return thread_mark(session, conversation_id, 50)


def status(engine: Engine, channel_id: int, wa_message_id: str, state: str) -> None:
    body = status_webhook(wa_message_id, state, CUSTOMER)
    receiver.receive(engine, channel_id, WEBHOOK_SECRET, json.dumps(body).encode())
    processor.process_pending(engine)


def test_a_new_message_and_each_tick_move_the_mark(engine, channel_id, conversation_id) -> None:
    before = mark(engine, conversation_id)
    customer_writes(engine, channel_id, "wamid.second", text="¿Sigue en pie?")
    after_message = mark(engine, conversation_id)
    assert after_message != before
    with db.session_scope(engine) as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        make_sent_message(session, channel, "wamid.ours", CUSTOMER)
    sent = mark(engine, conversation_id)
    status(engine, channel_id, "wamid.ours", "delivered")
    delivered = mark(engine, conversation_id)
    status(engine, channel_id, "wamid.ours", "read")  # within the same second as "delivered"
    assert len({after_message, sent, delivered, mark(engine, conversation_id)}) == 4


def test_the_teams_changes_move_it_and_reading_does_not(
    engine, team: dict[Role, Actor], conversation_id
) -> None:
    agent, admin = team[Role.AGENT], team[Role.ADMIN]
    marks = [mark(engine, conversation_id)]
    with db.session_scope(engine) as session:
        threads.mark_read(session, agent, conversation_id)  # the unread count is the list's
    assert mark(engine, conversation_id) == marks[-1]
    with db.session_scope(engine) as session:
        labels.create_label(session, admin, "VIP")
    assert mark(engine, conversation_id) == marks[-1]  # a label nobody carries yet
    for change in (
        lambda session: notes.add_note(session, agent, conversation_id, "Llamarla mañana"),
        lambda session: labels.change_labels(session, agent, conversation_id, add=["VIP"]),
        lambda session: assignment.take(session, agent, conversation_id),
    ):
        with db.session_scope(engine) as session:
            change(session)
        marks.append(mark(engine, conversation_id))
    assert len(set(marks)) == len(marks)


def test_another_conversation_on_the_channel_leaves_it_alone(
    engine, channel_id, conversation_id
) -> None:
    before = mark(engine, conversation_id)
    customer_writes(engine, channel_id, "wamid.other", wa_id="5493415559999", name="Otro")
    with Session(engine) as session:
        assert conversation_of(session, "5493415559999").id != conversation_id
    assert mark(engine, conversation_id) == before
