"""Status (open, pending, snoozed, resolved; reopened by the customer), labels and private notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core import db
from core.access.auth import PermissionDenied
from core.conversations import assignment, labels, lifecycle, notes, threads
from core.conversations.threads import ConversationFilter, ThreadMessage
from core.errors import UserFacingError
from core.models import (
    AuditEntry,
    Conversation,
    ConversationNote,
    ConversationStatus,
    OutboundJob,
    Role,
    utcnow,
)
from tests.inbox.helpers import conversation_of, customer_writes

RESOLVED, SNOOZED = ConversationStatus.RESOLVED, ConversationStatus.SNOOZED


def test_agents_resolve_and_snooze_managers_cannot(engine, team, conversation_id) -> None:
    agent = team[Role.AGENT]
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            lifecycle.set_status(session, team[Role.MANAGER], conversation_id, RESOLVED)
        with pytest.raises(UserFacingError) as no_time:
            lifecycle.set_status(session, agent, conversation_id, SNOOZED)
        assert no_time.value.key == "inbox.error.snooze_until"
        with pytest.raises(UserFacingError):
            lifecycle.set_status(
                session, agent, conversation_id, SNOOZED, until=utcnow() - timedelta(minutes=1)
            )
        with pytest.raises(UserFacingError) as not_snooze:
            lifecycle.set_status(session, agent, conversation_id, "pending", until=utcnow())
        assert not_snooze.value.key == "inbox.error.until_only_snooze"
        with pytest.raises(UserFacingError) as unknown:
            lifecycle.set_status(session, agent, conversation_id, "closed")
        assert "open, pending, snoozed, resolved" in unknown.value.message("en")
    with db.session_scope(engine) as session:
        lifecycle.set_status(session, agent, conversation_id, "resolved")
    with Session(engine) as session:
        assert session.get(Conversation, conversation_id).status == RESOLVED
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "conversation.status"))
        assert entry.one().details["status"] == "resolved"


@pytest.mark.parametrize("status", ["resolved", "snoozed", "pending"])
def test_a_customer_message_reopens_the_conversation_keeping_its_assignee(
    engine, team, conversation_id, channel_id, status
) -> None:
    agent = team[Role.AGENT]
    until = utcnow() + timedelta(days=1) if status == "snoozed" else None
    with db.session_scope(engine) as session:
        assignment.take(session, agent, conversation_id)
        lifecycle.set_status(session, agent, conversation_id, status, until=until)
    customer_writes(engine, channel_id, "wamid.again")
    with Session(engine) as session:
        conversation = conversation_of(session)
        assert (conversation.status, conversation.snoozed_until) == (ConversationStatus.OPEN, None)
        assert conversation.assignee_id == agent.user_id


def test_a_snooze_ends_by_itself(engine, team, conversation_id) -> None:
    with db.session_scope(engine) as session:
        lifecycle.set_status(
            session, team[Role.AGENT], conversation_id, SNOOZED, until=utcnow() + timedelta(hours=1)
        )

    def listed(status: ConversationStatus) -> list[int]:
        with Session(engine) as session:
            filters = ConversationFilter(status=status)
            return [
                row.id
                for row in threads.list_conversations(session, team[Role.ADMIN], filters).items
            ]

    assert listed(SNOOZED) == [conversation_id] and listed(ConversationStatus.OPEN) == []
    with db.session_scope(engine) as session:
        session.get(Conversation, conversation_id).snoozed_until = utcnow() - timedelta(seconds=1)
    assert listed(SNOOZED) == [] and listed(ConversationStatus.OPEN) == [conversation_id]
    with Session(engine) as session:
        row = threads.list_conversations(session, team[Role.ADMIN], ConversationFilter()).items[0]
        assert row.status == ConversationStatus.OPEN


def test_labels_are_made_by_admins_and_marketers_and_put_on_by_agents(
    engine, team, conversation_id
) -> None:
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            labels.create_label(session, team[Role.AGENT], "VIP")
        with pytest.raises(UserFacingError) as colour:
            labels.create_label(session, team[Role.MARKETER], "VIP", "red")
        assert colour.value.key == "inbox.error.label_color"
    with db.session_scope(engine) as session:
        vip = labels.create_label(session, team[Role.MARKETER], " VIP ", "#FF0000")
        labels.create_label(session, team[Role.ADMIN], "Factura")
        with pytest.raises(UserFacingError) as taken:
            labels.create_label(session, team[Role.ADMIN], "vip")
        assert taken.value.key == "inbox.error.label_taken"
    with db.session_scope(engine) as session:
        on = labels.change_labels(
            session, team[Role.AGENT], conversation_id, add=["vip", "Factura"]
        )
        assert [label.name for label in on] == ["Factura", "VIP"]
        with pytest.raises(UserFacingError) as unknown:
            labels.change_labels(session, team[Role.AGENT], conversation_id, add=["Nope"])
        assert unknown.value.key == "inbox.error.no_label"
    with db.session_scope(engine) as session:
        left = labels.change_labels(session, team[Role.AGENT], conversation_id, remove=["Factura"])
        assert [label.name for label in left] == ["VIP"]
    with Session(engine) as session:
        admin = team[Role.ADMIN]
        row = threads.list_conversations(session, admin, ConversationFilter(label_id=vip.id)).items
        assert [(r.id, [label.color for label in r.labels]) for r in row] == [
            (conversation_id, ["#ff0000"])
        ]
    with db.session_scope(engine) as session:
        labels.delete_label(session, team[Role.MARKETER], vip.id)
    with Session(engine) as session:
        assert labels.labels_of(session, [conversation_id]) == {}


def test_notes_show_in_the_thread_and_are_never_sent(engine, team, conversation_id) -> None:
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            notes.add_note(session, team[Role.MANAGER], conversation_id, "Hmm")
        with pytest.raises(UserFacingError) as empty:
            notes.add_note(session, team[Role.AGENT], conversation_id, "  ")
        assert empty.value.key == "inbox.error.note_empty"
    with db.session_scope(engine) as session:
        notes.add_note(session, team[Role.AGENT], conversation_id, "Pidió factura A")
    with Session(engine) as session:
        thread = threads.get_thread(session, team[Role.MANAGER], conversation_id)
        kinds = [type(item).__name__ for item in thread.timeline]
        assert kinds == [ThreadMessage.__name__, ConversationNote.__name__]
        assert thread.notes[0].author == "agent1" and thread.notes[0].text == "Pidió factura A"
        assert session.exec(select(OutboundJob)).all() == []


@pytest.mark.parametrize("few", [0, 1_000], ids=["walks-newest", "starts-from-label"])
def test_the_label_filter_finds_the_same_either_way(
    engine, team, channel_id, monkeypatch, few
) -> None:
    from core.conversations import views

    monkeypatch.setattr(views, "FEW_LABELLED", few)
    for number in ("111", "222", "333"):
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    with db.session_scope(engine) as session:
        vip = labels.create_label(session, team[Role.ADMIN], "VIP")
        for number in ("111", "333"):
            conversation = conversation_of(session, number).id
            labels.change_labels(session, team[Role.AGENT], conversation, add=["VIP"])
    with Session(engine) as session:
        filters = ConversationFilter(label_id=vip.id, status=ConversationStatus.OPEN)
        rows = threads.list_conversations(session, team[Role.AGENT], filters, page_size=1)
        assert [row.wa_id for row in rows.items] == ["333"] and rows.has_next
        second = threads.list_conversations(session, team[Role.AGENT], filters, 2, page_size=1)
        assert [row.wa_id for row in second.items] == ["111"] and not second.has_next
