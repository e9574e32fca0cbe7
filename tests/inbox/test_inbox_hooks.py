"""Subscribers hear of the team inbox's changes: ``conversation.assigned`` (by hand or round-robin)
and ``conversation.resolved``, queued in the transaction of the change, ordered with the
conversation's messages."""

from __future__ import annotations

import json

from sqlmodel import select

from core import db
from core.access.auth import CLI_ACTOR
from core.conversations import assignment, lifecycle
from core.hooks.subscriptions import create_subscription
from core.models import HookDelivery


def queued(engine) -> list[tuple[str, dict]]:
    with db.session_scope(engine) as session:
        rows = session.exec(select(HookDelivery).order_by(HookDelivery.id)).all()
        return [(row.event, json.loads(row.body)["data"]) for row in rows]


def test_taking_and_resolving_a_conversation_are_events(engine, team, agents, conversation_id):
    with db.session_scope(engine) as session:
        create_subscription(
            session,
            CLI_ACTOR,
            "https://crm.example/hook",
            ["conversation.assigned", "conversation.resolved"],
        )
    with db.session_scope(engine) as session:
        assignment.take(session, agents[0], conversation_id)
    with db.session_scope(engine) as session:
        lifecycle.set_status(session, agents[0], conversation_id, "pending")
        lifecycle.set_status(session, agents[0], conversation_id, "resolved")
    events = queued(engine)
    assert [name for name, _ in events] == ["conversation.assigned", "conversation.resolved"]
    assert events[0][1]["assignee"] == "agent1"
    assert events[0][1]["conversation_id"] == conversation_id
    assert events[1][1] == {
        "conversation_id": conversation_id,
        "channel_id": events[0][1]["channel_id"],
        "by": "agent1",
    }
