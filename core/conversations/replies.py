"""Free-form text answers, queued many at once.

The API's sends arrive by the hundred a second and are written together (``core.api.batching``):
checking and queueing them one by one cost a dozen statements and as many ORM objects each.
:func:`reply_texts` checks every answer by the rules a reply follows (the actor may answer, the
text is not empty nor too long, the conversation exists and the actor sees it, its 24-hour window
is open), then reads and writes set-wise: the conversations in one query, the idempotency keys
already taken in one query, one ``enqueue_many`` per channel, one audit insert. A single reply
(``core.conversations.threads.reply_text``) is a one-answer call of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, PermissionDenied, require
from core.conversations.assignment import require_assignee_visible, sees_everything
from core.conversations.window import window_after
from core.db import one_of
from core.errors import UserFacingError
from core.models import Channel, Contact, Conversation, MessageStatus
from core.outbox.queue import Outgoing, Queued, enqueue_many, queued_under, text_body

MAX_TEXT_LENGTH = 4096
TEXT: dict[str, Any] = {"type": "text"}
"""The audit details of a text answer."""

Outcome = Queued | UserFacingError | PermissionDenied
"""What became of one answer: its message (queued now, or earlier under its idempotency key),
or why it was refused."""


@dataclass(frozen=True)
class TextReply:
    """One free-form answer to queue."""

    actor: Actor
    conversation_id: int
    text: str
    reply_to_wa_id: str | None = None
    idempotency_key: str | None = None
    """With a key (the API's ``Idempotency-Key``), the message already queued under it is the
    answer instead of another; two answers of one call under one key give the first's message."""


def require_open_window(last_inbound_at: datetime | None) -> None:
    """Free-form messages only inside the 24-hour window (after it, templates only)."""
    if not window_after(last_inbound_at).is_open():
        raise UserFacingError("conversations.error.window_closed")


def reply_texts(session: Session, replies: Sequence[TextReply]) -> list[Outcome]:
    """Queue the answers that pass the rules; each one's outcome, in order."""
    threads = _threads(session, {reply.conversation_id for reply in replies})
    taken = queued_under(session, [r.idempotency_key for r in replies if r.idempotency_key])
    sees_all: dict[Actor, bool] = {}
    outcomes: dict[int, Outcome] = {}
    queueing: dict[int, dict[int, Outgoing]] = {}  # by channel: each answer's message
    first_under: dict[str, int] = {}  # a key and the answer of this call queueing under it
    repeats: dict[int, int] = {}  # a later answer under such a key and that first answer
    for index, reply in enumerate(replies):
        try:
            outgoing, channel_id = _checked(session, reply, threads, sees_all)
        except (UserFacingError, PermissionDenied) as refusal:
            outcomes[index] = refusal
            continue
        key = reply.idempotency_key
        if key in taken:
            outcomes[index] = taken[key]
        elif key in first_under:
            repeats[index] = first_under[key]
        else:
            if key is not None:
                first_under[key] = index
            queueing.setdefault(channel_id, {})[index] = outgoing
    outcomes |= _queue(session, replies, queueing)
    outcomes |= {index: outcomes[first] for index, first in repeats.items()}
    return [outcomes[index] for index in range(len(replies))]


def _queue(
    session: Session, replies: Sequence[TextReply], queueing: dict[int, dict[int, Outgoing]]
) -> dict[int, Queued]:
    """One ``enqueue_many`` per channel, one audit insert for all: each answer's message."""
    queued: dict[int, Queued] = {}
    entries: list[audit.Entry] = []
    for channel_id, messages in sorted(queueing.items()):
        channel = session.get(Channel, channel_id)
        assert channel is not None
        message_ids = enqueue_many(session, channel, list(messages.values()))
        for (index, outgoing), message_id in zip(messages.items(), message_ids, strict=True):
            queued[index] = Queued(message_id, MessageStatus.QUEUED)
            target = f"conversation:{outgoing.conversation_id}"
            entries.append(audit.Entry(replies[index].actor, "message.send", target, TEXT))
    audit.record_many(session, entries)
    return queued


def _threads(session: Session, conversation_ids: set[int]) -> dict[int, Row[Any]]:
    """What the rules and the queue need of each conversation, in one query."""
    if not conversation_ids:
        return {}
    rows = session.exec(
        select(
            Conversation.id,
            Conversation.channel_id,
            Conversation.assignee_id,
            Conversation.last_inbound_at,
            Contact.wa_id,
        )
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(one_of(session, col(Conversation.id), conversation_ids))
    )
    return {row.id: row for row in rows}


def _checked(
    session: Session, reply: TextReply, threads: dict[int, Row[Any]], sees_all: dict[Actor, bool]
) -> tuple[Outgoing, int]:
    """The message to queue for ``reply`` and its channel, or the refusal raised."""
    actor = reply.actor
    require(actor, Permission.REPLY_CONVERSATIONS)
    body = reply.text.strip()
    if not body:
        raise UserFacingError("conversations.error.empty")
    if len(body) > MAX_TEXT_LENGTH:
        raise UserFacingError("conversations.error.too_long", maximum=MAX_TEXT_LENGTH)
    thread = threads.get(reply.conversation_id)
    if thread is None:
        raise UserFacingError("conversations.error.not_found")
    if actor not in sees_all:
        sees_all[actor] = sees_everything(session, actor)
    require_assignee_visible(actor, thread.assignee_id, sees_all[actor])
    require_open_window(thread.last_inbound_at)
    outgoing = Outgoing(
        thread.id,
        thread.wa_id,
        "text",
        text_body(body),
        body,
        idempotency_key=reply.idempotency_key,
        sent_by_user_id=actor.user_id,
        reply_to_wa_id=reply.reply_to_wa_id,
    )
    return outgoing, thread.channel_id
