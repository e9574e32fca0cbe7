"""Conversations: the list (filtered by the team inbox's views), a thread, the 24-hour window, and
replies.

Queries are paginated and served by indexes (``ix_conversations_last_message``,
``ix_conversations_status_last_message``, ``ix_conversations_assignee_last_message``,
``ix_conversation_labels_label_conversation``, ``ix_messages_conversation_created``); nothing
loads a whole table. The window rule is WhatsApp's:
free-form messages only within 24 hours of the customer's last message; after that, templates only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.conversations import media, views
from core.conversations.assignment import require_visible, usernames
from core.conversations.labels import labels_of
from core.conversations.lifecycle import current_status
from core.conversations.notes import notes_since
from core.conversations.replies import TextReply, reply_texts, require_open_window
from core.conversations.views import View
from core.conversations.window import WINDOW, Window, window_of
from core.errors import UserFacingError
from core.models import (
    Channel,
    Contact,
    Conversation,
    ConversationNote,
    ConversationStatus,
    Label,
    MediaFile,
    Message,
    MessageStatus,
    utcnow,
)
from core.outbox.queue import Queued, enqueue, enqueue_mark_read, requeue
from core.paging import Page


@dataclass(frozen=True)
class ConversationRow:
    """One line of the conversation list."""

    id: int
    channel_id: int
    channel_name: str
    contact_name: str
    wa_id: str
    last_message_at: datetime | None
    preview: str
    unread: int
    window: Window
    status: ConversationStatus = ConversationStatus.OPEN
    assignee: str | None = None
    labels: tuple[Label, ...] = ()


@dataclass(frozen=True)
class ConversationFilter:
    search: str = ""
    unread_only: bool = False
    open_window_only: bool = False
    channel_id: int | None = None
    view: View = View.ALL
    status: ConversationStatus | None = None
    assignee_id: int | None = None
    """One member's conversations (a manager's or admin's filter)."""
    label_id: int | None = None


def _plain_conditions(filters: ConversationFilter) -> list[ColumnElement[bool]]:
    """The list's own filters: channel, unread, open window, a name or number."""
    conditions: list[ColumnElement[bool]] = []
    if filters.channel_id:
        conditions.append(Conversation.channel_id == filters.channel_id)
    if filters.unread_only:
        conditions.append(Conversation.unread_count > 0)
    if filters.open_window_only:
        conditions.append(col(Conversation.last_inbound_at) > utcnow() - WINDOW)
    term = filters.search.strip()
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        matches = [col(Contact.profile_name).ilike(f"%{term}%")]
        if digits:
            matches.append(col(Contact.wa_id).contains(digits))
        conditions.append(or_(*matches))
    return conditions


def list_conversations(
    session: Session, actor: Actor, filters: ConversationFilter, page: int = 1, page_size: int = 30
) -> Page[ConversationRow]:
    """Newest first; search by name or number; the inbox's views; one page at a time."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    page = max(page, 1)
    narrowed = views.narrowing(
        session,
        actor,
        view=filters.view,
        status=filters.status,
        assignee_id=filters.assignee_id,
        label_id=filters.label_id,
    )
    conditions = [*_plain_conditions(filters), *narrowed.conditions]
    if narrowed.choices:
        conditions = [views.one_of_in_order(conditions, narrowed.choices, page * page_size + 1)]
    query = (
        select(Conversation, Contact, Channel)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .join(Channel, col(Channel.id) == Conversation.channel_id)
        .where(*conditions)
        .order_by(*views.NEWEST_FIRST)
    )
    rows = list(session.exec(query.offset((page - 1) * page_size).limit(page_size + 1)))
    shown = [conversation for conversation, _, _ in rows[:page_size]]
    labels = labels_of(session, [c.id for c in shown if c.id is not None])
    names = usernames(session, {c.assignee_id for c in shown if c.assignee_id is not None})
    items = [
        ConversationRow(
            id=conversation.id,
            channel_id=channel.id,
            channel_name=channel.name,
            contact_name=contact.profile_name or f"+{contact.wa_id}",
            wa_id=contact.wa_id,
            last_message_at=conversation.last_message_at,
            preview=conversation.last_message_preview,
            unread=conversation.unread_count,
            window=window_of(conversation),
            status=current_status(conversation),
            assignee=names.get(conversation.assignee_id or 0),
            labels=tuple(labels.get(conversation.id or 0, ())),
        )
        for conversation, contact, channel in rows[:page_size]
    ]
    return Page(items=items, page=page, page_size=page_size, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class ThreadMessage:
    """A message as the thread shows it, with the reactions on it and its attachment."""

    message: Message
    reactions: tuple[str, ...]
    media: MediaFile | None
    quoted: Message | None


@dataclass(frozen=True)
class Thread:
    conversation: Conversation
    contact: Contact
    channel: Channel
    messages: list[ThreadMessage]
    has_older: bool
    notes: list[ConversationNote] = field(default_factory=list)
    """The team's private notes from the oldest shown message on: never sent to the customer."""

    @property
    def window(self) -> Window:
        return window_of(self.conversation)

    @property
    def timeline(self) -> list[ThreadMessage | ConversationNote]:
        """Messages and notes interleaved by time, oldest first, as the thread shows them."""

        def at(item: ThreadMessage | ConversationNote) -> datetime:
            return item.message.created_at if isinstance(item, ThreadMessage) else item.created_at

        return sorted([*self.messages, *self.notes], key=at)


def get_thread(
    session: Session,
    actor: Actor,
    conversation_id: int,
    limit: int = 50,
    before: datetime | None = None,
) -> Thread:
    """The latest ``limit`` messages (older ones with ``before``), oldest first for display."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    conversation = _conversation(session, conversation_id)
    require_visible(session, actor, conversation)
    contact = session.get(Contact, conversation.contact_id)
    channel = session.get(Channel, conversation.channel_id)
    assert contact is not None and channel is not None
    query = select(Message).where(Message.conversation_id == conversation.id)
    if before is not None:
        query = query.where(Message.created_at < before)
    query = query.order_by(col(Message.created_at).desc(), col(Message.id).desc())
    rows = list(session.exec(query.limit(limit + 1)))
    has_older = len(rows) > limit
    rows = list(reversed(rows[:limit]))
    visible = [m for m in rows if m.type != "reaction"]
    reactions = _reactions(session, channel, [m.wa_message_id for m in visible if m.wa_message_id])
    media = _media(session, [m.id for m in visible])
    quoted = _quoted(session, channel, [m.reply_to_wa_id for m in visible if m.reply_to_wa_id])
    return Thread(
        conversation=conversation,
        contact=contact,
        channel=channel,
        messages=[
            ThreadMessage(
                message=m,
                reactions=reactions.get(m.wa_message_id or "", ()),
                media=media.get(m.id),
                quoted=quoted.get(m.reply_to_wa_id or ""),
            )
            for m in visible
        ],
        has_older=has_older,
        notes=notes_since(session, conversation_id, rows[0].created_at if has_older else None),
    )


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise UserFacingError("conversations.error.not_found")
    return conversation


def _reactions(
    session: Session, channel: Channel, targets: list[str]
) -> dict[str, tuple[str, ...]]:
    """The current reaction of each person per message (an empty emoji removed theirs)."""
    if not targets:
        return {}
    rows = session.exec(
        select(Message)
        .where(Message.channel_id == channel.id, Message.type == "reaction")
        .where(col(Message.reply_to_wa_id).in_(targets))
        .order_by(col(Message.created_at), col(Message.id))
    )
    latest: dict[tuple[str, str], str] = {}
    for reaction in rows:
        latest[(reaction.reply_to_wa_id or "", reaction.direction)] = reaction.text
    found: dict[str, list[str]] = {}
    for (target, _), emoji in latest.items():
        if emoji:
            found.setdefault(target, []).append(emoji)
    return {target: tuple(emojis) for target, emojis in found.items()}


def _media(session: Session, message_ids: list[int]) -> dict[int, MediaFile]:
    if not message_ids:
        return {}
    rows = session.exec(select(MediaFile).where(col(MediaFile.message_id).in_(message_ids)))
    return {media.message_id: media for media in rows if media.message_id is not None}


def _quoted(session: Session, channel: Channel, wa_ids: list[str]) -> dict[str, Message]:
    if not wa_ids:
        return {}
    rows = session.exec(
        select(Message)
        .where(Message.channel_id == channel.id)
        .where(col(Message.wa_message_id).in_(wa_ids))
    )
    return {m.wa_message_id: m for m in rows if m.wa_message_id}


def mark_read(session: Session, actor: Actor, conversation_id: int) -> None:
    """The team has seen the thread: clear its unread count, send blue ticks to the customer."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    conversation = _conversation(session, conversation_id)
    if conversation.unread_count == 0:
        return
    conversation.unread_count = 0
    changes.note(session, conversation.channel_id)  # other tabs drop the unread badge
    last_inbound = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .where(col(Message.wa_message_id).is_not(None))
        .where(~col(Message.wa_message_id).startswith("noid:"))
        .order_by(col(Message.created_at).desc())
        .limit(1)
    ).first()
    if last_inbound is not None and actor.can(Permission.REPLY_CONVERSATIONS):
        channel = session.get(Channel, conversation.channel_id)
        assert channel is not None and last_inbound.wa_message_id is not None
        enqueue_mark_read(session, channel, last_inbound.wa_message_id)


def reply_text(
    session: Session,
    actor: Actor,
    conversation_id: int,
    text: str,
    *,
    reply_to_wa_id: str | None = None,
    idempotency_key: str | None = None,
) -> Message:
    """A free-form answer; refused outside the 24-hour window (only templates may go then).

    With ``idempotency_key`` (the API's ``Idempotency-Key``), one already queued under that
    key is returned instead of queueing another. The rules are :func:`reply_texts`' (one answer
    of many)."""
    reply = TextReply(actor, conversation_id, text, reply_to_wa_id, idempotency_key)
    [outcome] = reply_texts(session, [reply])
    if not isinstance(outcome, Queued):
        raise outcome
    message = session.get(Message, outcome.message_id)
    assert message is not None
    return message


MEDIA_LIMITS = {"image": 5, "video": 16, "audio": 16, "document": 100}
"""WhatsApp's size limits per attachment kind, in MB."""


def media_kind(mime_type: str) -> str:
    """The WhatsApp message type for a file (what is not image, video or audio goes as document)."""
    main = mime_type.split(";")[0].strip().lower()
    if main in {"image/jpeg", "image/png"}:
        return "image"
    if main in {"video/mp4", "video/3gpp"}:
        return "video"
    if main.startswith("audio/"):
        return "audio"
    return "document"


def reply_attachment(
    session: Session,
    actor: Actor,
    conversation_id: int,
    *,
    content: bytes,
    filename: str,
    mime_type: str,
    caption: str = "",
    reply_to_wa_id: str | None = None,
) -> Message:
    """An attachment: kept on disk and queued at once; the sender uploads it, then sends it.

    Nothing is lost if 360Dialog is slow or down: the file and the message are stored first."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    kind = media_kind(mime_type)
    if len(content) > MEDIA_LIMITS[kind] * 1024 * 1024:
        raise UserFacingError("conversations.error.too_big", kind=kind, maximum=MEDIA_LIMITS[kind])
    conversation = _conversation(session, conversation_id)
    require_visible(session, actor, conversation)
    require_open_window(conversation.last_inbound_at)
    channel = session.get(Channel, conversation.channel_id)
    assert channel is not None
    body: dict[str, Any] = {}
    if caption.strip() and kind != "audio":
        body["caption"] = caption.strip()
    if kind == "document":
        body["filename"] = filename
    message = enqueue(
        session,
        channel,
        conversation,
        message_type=kind,
        body=body,
        text=caption.strip() or filename,
        sent_by_user_id=actor.user_id,
        reply_to_wa_id=reply_to_wa_id,
    )
    media.store_outgoing(session, channel, message, content, filename, mime_type)
    audit.record(session, actor, "message.send", f"conversation:{conversation.id}", type=kind)
    return message


def retry_message(session: Session, actor: Actor, message_id: int) -> Message:
    """Send a failed message again (window rules apply again for free-form messages)."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    message = session.get(Message, message_id)
    if message is None or message.direction != "out" or message.status != MessageStatus.FAILED:
        raise UserFacingError("conversations.error.cannot_retry")
    conversation = _conversation(session, message.conversation_id)
    require_visible(session, actor, conversation)
    if message.template_name is None:
        require_open_window(conversation.last_inbound_at)
    retried = message
    if not requeue(session, message):
        # accepted by 360Dialog, failed later (a webhook said so): send a copy as a new message
        channel = session.get(Channel, conversation.channel_id)
        assert channel is not None
        retried = enqueue(
            session,
            channel,
            conversation,
            message_type=message.type,
            body=(message.content or {}).get(message.type, {}),
            text=message.text,
            sent_by_user_id=actor.user_id,
            reply_to_wa_id=message.reply_to_wa_id,
            template_name=message.template_name,
        )
    audit.record(session, actor, "message.retry", f"message:{message.id}")
    return retried
