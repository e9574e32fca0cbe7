"""Free-form answers queued many at once: each checked by a single reply's rules and answered on
its own, the accepted ones queued together."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from core import db
from core.access.auth import PermissionDenied
from core.conversations import assignment
from core.conversations.replies import MAX_TEXT_LENGTH, TextReply, reply_texts
from core.errors import UserFacingError
from core.models import AuditEntry, Conversation, Message, OutboundJob, Role, utcnow
from core.outbox.queue import Queued
from tests.inbox.helpers import customer_writes


def test_each_answer_gets_its_own_outcome_and_the_accepted_are_queued_once(
    engine, team, agents, channel_id, conversation_id
) -> None:
    customer_writes(
        engine, channel_id, "wamid.old", wa_id="34611000002", at=utcnow() - timedelta(days=2)
    )
    with Session(engine) as session:
        closed = session.exec(select(Conversation).where(Conversation.id != conversation_id)).one()
    with db.session_scope(engine) as session:
        assignment.take(session, agents[1], conversation_id)
    agent, owner = agents[0], agents[1]
    replies = [
        TextReply(owner, conversation_id, "  Sale hoy.  ", idempotency_key="k1"),
        TextReply(team[Role.MANAGER], conversation_id, "no puede"),
        TextReply(owner, conversation_id, "   "),
        TextReply(owner, conversation_id, "x" * (MAX_TEXT_LENGTH + 1)),
        TextReply(owner, 999_999, "nadie"),
        TextReply(agent, conversation_id, "no es suya"),
        TextReply(owner, closed.id, "tarde"),
        TextReply(owner, conversation_id, "otra vez", idempotency_key="k1"),
        TextReply(team[Role.ADMIN], conversation_id, "Y mañana."),
    ]
    with db.session_scope(engine) as session:
        outcomes = reply_texts(session, replies)
    refused = [o.key if isinstance(o, UserFacingError) else type(o).__name__ for o in outcomes[1:7]]
    assert refused == [
        PermissionDenied.__name__,
        "conversations.error.empty",
        "conversations.error.too_long",
        "conversations.error.not_found",
        "inbox.error.not_yours",
        "conversations.error.window_closed",
    ]
    first, repeated, admin = outcomes[0], outcomes[7], outcomes[8]
    assert isinstance(first, Queued) and isinstance(admin, Queued)
    assert repeated == first and admin.message_id != first.message_id
    with Session(engine) as session:
        sent = session.exec(
            select(Message).where(Message.direction == "out").order_by(col(Message.id))
        )
        assert [(m.text, m.sent_by_user_id) for m in sent] == [
            ("Sale hoy.", owner.user_id),
            ("Y mañana.", team[Role.ADMIN].user_id),
        ]
        job = session.exec(
            select(OutboundJob).where(OutboundJob.message_id == first.message_id)
        ).one()
        assert job.idempotency_key == "k1" and job.payload["to"] == "5493415551234"
        audited = session.exec(select(AuditEntry.actor).where(AuditEntry.action == "message.send"))
        assert sorted(audited) == sorted([owner.username, team[Role.ADMIN].username])
        thread = session.get(Conversation, conversation_id)
        assert thread is not None and thread.last_message_preview == "Y mañana."

    with db.session_scope(engine) as session:  # a key already taken: its message, nothing more
        [again] = reply_texts(
            session, [TextReply(owner, conversation_id, "hola", idempotency_key="k1")]
        )
    assert again == first
    with Session(engine) as session:
        assert len(session.exec(select(Message).where(Message.direction == "out")).all()) == 2


def test_a_thread_loaded_in_the_session_shows_the_reply_as_its_last_message(
    engine, team, conversation_id
) -> None:
    with db.session_scope(engine) as session:
        thread = session.get(Conversation, conversation_id)
        assert thread is not None and thread.last_message_preview == "Hola"
        reply_texts(session, [TextReply(team[Role.AGENT], conversation_id, "Buenas")])
        assert thread.last_message_preview == "Buenas"
