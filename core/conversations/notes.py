"""Private notes in a thread: the team writes them beside the messages; they are never sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.conversations.assignment import conversation_for
from core.errors import UserFacingError
from core.models import ConversationNote

MAX_NOTE_LENGTH = 4096
MAX_NOTES_SHOWN = 200
"""A thread shows at most this many notes at once (the newest), like its page of messages."""


def add_note(session: Session, actor: Actor, conversation_id: int, text: str) -> ConversationNote:
    """Members who answer write notes; the note is stored, never queued for WhatsApp."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    body = text.strip()
    if not body:
        raise UserFacingError("inbox.error.note_empty")
    if len(body) > MAX_NOTE_LENGTH:
        raise UserFacingError("inbox.error.note_too_long", maximum=MAX_NOTE_LENGTH)
    conversation = conversation_for(session, actor, conversation_id)
    note = ConversationNote(conversation_id=conversation.id, author=actor.username, text=body)
    session.add(note)
    session.flush()
    changes.note(session, conversation.channel_id)  # the note shows in other tabs' thread
    audit.record(session, actor, "conversation.note", f"conversation:{conversation.id}")
    return note


def notes_since(
    session: Session, conversation_id: int, since: datetime | None
) -> list[ConversationNote]:
    """A conversation's notes from ``since`` on (all with ``None``), oldest first
    (``ix_conversation_notes_conversation_created``)."""
    query = select(ConversationNote).where(ConversationNote.conversation_id == conversation_id)
    if since is not None:
        query = query.where(ConversationNote.created_at >= since)
    query = query.order_by(col(ConversationNote.created_at).desc(), col(ConversationNote.id).desc())
    return list(reversed(session.exec(query.limit(MAX_NOTES_SHOWN)).all()))
