"""Every change the team inbox makes raises its channel's version, so other open tabs (another
agent's inbox, a manager's) redraw it within a second or two (``core.channels.changes``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core import db
from core.access.auth import Actor
from core.conversations import assignment, labels, lifecycle, notes, profile
from core.models import ChannelChange, Conversation, ConversationStatus, Role, utcnow

Change = Callable[[Session, dict[Role, Actor], int], object]


def version(engine: Engine, channel_id: int) -> int:
    with Session(engine) as session:
        row = session.get(ChannelChange, channel_id)
        return row.version if row is not None else 0


def contact_of(session: Session, conversation_id: int) -> int:
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    return conversation.contact_id


CHANGES: dict[str, Change] = {
    "take": lambda s, team, c: assignment.take(s, team[Role.AGENT], c),
    "assign": lambda s, team, c: assignment.assign(s, team[Role.ADMIN], c, "marketer1"),
    "resolve": lambda s, team, c: lifecycle.set_status(
        s, team[Role.AGENT], c, ConversationStatus.RESOLVED
    ),
    "snooze": lambda s, team, c: lifecycle.set_status(
        s, team[Role.AGENT], c, ConversationStatus.SNOOZED, until=utcnow() + timedelta(hours=2)
    ),
    "label": lambda s, team, c: labels.change_labels(s, team[Role.AGENT], c, add=["VIP"]),
    "note": lambda s, team, c: notes.add_note(s, team[Role.AGENT], c, "Quiere factura A"),
    "attribute": lambda s, team, c: profile.set_attribute(
        s, team[Role.AGENT], contact_of(s, c), "plan", "oro"
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_inbox_change_bumps_the_conversations_channel(
    engine, team, channel_id, conversation_id, change
) -> None:
    with db.session_scope(engine) as session:
        labels.create_label(session, team[Role.ADMIN], "VIP")
    before = version(engine, channel_id)
    with db.session_scope(engine) as session:
        CHANGES[change](session, team, conversation_id)
    assert version(engine, channel_id) == before + 1


def test_renaming_or_deleting_a_label_bumps_the_channels_that_show_it(
    engine, team, channel_id, conversation_id
) -> None:
    admin = team[Role.ADMIN]
    with db.session_scope(engine) as session:
        vip = labels.create_label(session, admin, "VIP").id
        unused = labels.create_label(session, admin, "Mayorista").id
        labels.change_labels(session, admin, conversation_id, add=["VIP"])
    before = version(engine, channel_id)
    with db.session_scope(engine) as session:
        labels.update_label(session, admin, unused, "Mayoristas", "#59a14f")
    assert version(engine, channel_id) == before  # on no conversation: nothing to redraw
    with db.session_scope(engine) as session:
        labels.update_label(session, admin, vip, "Cliente VIP", "#e15759")
    assert version(engine, channel_id) == before + 1
    with db.session_scope(engine) as session:
        labels.delete_label(session, admin, vip)
    assert version(engine, channel_id) == before + 2
