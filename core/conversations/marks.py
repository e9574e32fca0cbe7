"""What an open thread shows, reduced to a value that changes whenever what it shows does.

A channel's version (``core.channels.changes``) moves with every message, tick and teammate's
change on the whole channel: at hundreds of messages a second it moves every time a tab asks.
A tab cannot redraw for each of them (a hundred tabs would take the dashboard's processor from
everything else), so it asks one more question first: did *its* open conversation change? That
thread is what the person at the screen is reading; its change is drawn at once, while the rest
of the page (the list) waits its turn (``core.channels.redraws``).

The mark is two small indexed reads: the conversation's row (with its notes' and labels' counts)
and the ids and states of its latest messages, as many as the thread shows.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import Conversation, ConversationLabel, ConversationNote, Message


def thread_mark(session: Session, conversation_id: int, shown: int) -> Hashable:
    """A value equal for two reads exactly when the thread's latest ``shown`` messages (new ones,
    ticks, reactions, deletions), its notes, labels, status, assignee and window are the same.
    Not its unread count: the thread does not show it, and drawing the thread clears it."""
    notes = ConversationNote.conversation_id == conversation_id
    labels = ConversationLabel.conversation_id == conversation_id
    counts = [
        select(func.count()).where(notes).scalar_subquery(),
        select(func.max(ConversationNote.id)).where(notes).scalar_subquery(),
        select(func.count()).where(labels).scalar_subquery(),
        select(func.sum(ConversationLabel.label_id)).where(labels).scalar_subquery(),
    ]
    row = session.exec(
        select(
            Conversation.status,
            Conversation.assignee_id,
            Conversation.snoozed_until,
            Conversation.last_message_at,
            Conversation.last_inbound_at,
            *counts,
        ).where(Conversation.id == conversation_id)
    ).first()
    latest = session.exec(
        select(Message.id, Message.status)
        .where(Message.conversation_id == conversation_id)  # ix_messages_conversation_created
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(shown)
    ).all()
    return (tuple(row) if row is not None else None, tuple(map(tuple, latest)))


@dataclass(frozen=True)
class ThreadMark:
    """The mark of an open thread showing its latest ``shown`` messages, read in a transaction of
    its own: what a tab's live watch compares (``core.channels.watchers``). Equal for two tabs
    reading the same thread, so they share one read."""

    conversation_id: int
    shown: int

    def __call__(self) -> Hashable:
        with session_scope() as session:
            return thread_mark(session, self.conversation_id, self.shown)
