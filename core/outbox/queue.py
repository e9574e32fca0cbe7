"""The send queue: every outbound message is a row first, then a background sender delivers it.

A message and its job are written in one transaction, so a click, a greeting or a campaign's
recipient is never lost: if 360Dialog is slow or down, the message waits in the queue. The
sender (``core.outbox.sender``) takes the jobs from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, or_, select

from core.channels import changes
from core.conversations.statuses import callback_data_for
from core.db import in_row_order, one_of
from core.models import Channel, Contact, Conversation, Message, MessageStatus, OutboundJob, utcnow
from core.reports import recording

MESSAGES = Message.__table__.c  # type: ignore[attr-defined]
PREVIEW_LENGTH = 120


@dataclass(frozen=True)
class Outgoing:
    """One message to queue (see :func:`enqueue_many`): its thread, the contact's WhatsApp id
    (``to``) and what to send."""

    conversation_id: int
    to: str
    message_type: str
    body: dict[str, Any]
    text: str
    idempotency_key: str | None = None
    sent_by_user_id: int | None = None
    reply_to_wa_id: str | None = None
    template_name: str | None = None

    @property
    def preview(self) -> str:
        return (self.text or f"[{self.message_type}]")[:PREVIEW_LENGTH]


@dataclass(frozen=True)
class Queued:
    """A message in the queue as its sender is answered: its id and its status now."""

    message_id: int
    status: MessageStatus


def queued_under(session: Session, keys: Iterable[str]) -> dict[str, Queued]:
    """The messages already queued under these idempotency keys (one query for a batch's)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.exec(
        select(OutboundJob.idempotency_key, Message.id, Message.status)
        .join(Message, col(Message.id) == OutboundJob.message_id)
        .where(one_of(session, col(OutboundJob.idempotency_key), wanted))
    )
    return {key: Queued(message_id, status) for key, message_id, status in rows}


def enqueue(
    session: Session,
    channel: Channel,
    conversation: Conversation,
    *,
    message_type: str,
    body: dict[str, Any],
    text: str,
    idempotency_key: str | None = None,
    sent_by_user_id: int | None = None,
    reply_to_wa_id: str | None = None,
    template_name: str | None = None,
) -> Message:
    """Queue one message (``body``: the type's object, e.g. ``{"body": "hola"}`` for text)."""
    if idempotency_key and (queued := queued_under(session, [idempotency_key])):
        message = session.get(Message, queued[idempotency_key].message_id)
        assert message is not None
        return message
    contact = session.get(Contact, conversation.contact_id)
    assert contact is not None and conversation.id is not None
    [message_id] = enqueue_many(
        session,
        channel,
        [
            Outgoing(
                conversation.id,
                contact.wa_id,
                message_type,
                body,
                text,
                idempotency_key=idempotency_key,
                sent_by_user_id=sent_by_user_id,
                reply_to_wa_id=reply_to_wa_id,
                template_name=template_name,
            )
        ],
    )
    message = session.get(Message, message_id)
    assert message is not None
    return message


def enqueue_many(session: Session, channel: Channel, items: list[Outgoing]) -> list[int]:
    """Queue many messages; returns their ids, in order.

    Set-wise SQL in the caller's transaction (one insert per table, one executemany for the
    threads) and no model objects: a campaign queues thousands a second, and building an ORM row
    per message cost more than sending it. The caller has made sure none of the idempotency keys
    is taken (:func:`queued_under`)."""
    if not items:
        return []
    now = utcnow()
    connection = session.connection()
    message_ids: list[int] = list(
        connection.execute(
            insert(Message.__table__).returning(  # type: ignore[arg-type]
                MESSAGES.id, sort_by_parameter_order=True
            ),
            [_message_row(channel, item, now) for item in items],
        ).scalars()
    )
    connection.execute(
        insert(OutboundJob.__table__),  # type: ignore[arg-type]
        [
            _job_row(channel, item, message_id)
            for item, message_id in zip(items, message_ids, strict=True)
        ],
    )
    _touch_threads(session, items, now)
    changes.note(session, channel.id)
    recording.record_outbound(
        session,
        [
            recording.Stored(
                channel.id or 0,
                item.conversation_id,
                now,
                "out",
                item.message_type,
                item.sent_by_user_id,
                item.template_name,
            )
            for item in items
        ],
    )
    return message_ids


def _message_row(channel: Channel, item: Outgoing, now: datetime) -> dict[str, Any]:
    return {
        "channel_id": channel.id,
        "conversation_id": item.conversation_id,
        "direction": "out",
        "type": item.message_type,
        "text": item.text,
        "content": {item.message_type: item.body},
        "reply_to_wa_id": item.reply_to_wa_id,
        "template_name": item.template_name,
        "status": MessageStatus.QUEUED,
        "sent_by_user_id": item.sent_by_user_id,
        "created_at": now,
        "status_at": now,
    }


def _job_row(channel: Channel, item: Outgoing, message_id: int) -> dict[str, Any]:
    """The job sending message ``message_id``; its callback data names the row (crash safety)."""
    payload: dict[str, Any] = {
        "recipient_type": "individual",
        "to": item.to,
        "type": item.message_type,
        item.message_type: item.body,
        "biz_opaque_callback_data": callback_data_for(message_id),
    }
    if item.reply_to_wa_id:
        payload["context"] = {"message_id": item.reply_to_wa_id}
    return {
        "channel_id": channel.id,
        "message_id": message_id,
        "kind": "message",
        "payload": payload,
        "idempotency_key": item.idempotency_key or f"message:{message_id}",
    }


def _touch_threads(session: Session, items: list[Outgoing], now: datetime) -> None:
    """Each thread's last message is its newest queued one (never moved back in time); rows in
    order, as every executemany that concurrent writers may share. Written in SQL, so the
    session's objects of these threads read their last message again."""
    latest = {
        item.conversation_id: {"row": item.conversation_id, "at": now, "preview": item.preview}
        for item in items
    }
    for conversation_id in latest:
        loaded = session.identity_map.get(session.identity_key(Conversation, conversation_id))
        if loaded is not None:
            session.expire(loaded, ["last_message_at", "last_message_preview"])
    session.connection().execute(TOUCH_THREAD, in_row_order(latest))  # a thread's last item wins


THREADS = Conversation.__table__.c  # type: ignore[attr-defined]
TOUCH_THREAD = (
    update(Conversation.__table__)  # type: ignore[arg-type]
    .where(THREADS.id == bindparam("row"))
    .where(or_(THREADS.last_message_at.is_(None), THREADS.last_message_at <= bindparam("at")))
    .values(last_message_at=bindparam("at"), last_message_preview=bindparam("preview"))
)


def enqueue_text(
    session: Session,
    channel: Channel,
    conversation: Conversation,
    text: str,
    *,
    idempotency_key: str | None = None,
    sent_by_user_id: int | None = None,
    reply_to_wa_id: str | None = None,
) -> Message:
    return enqueue(
        session,
        channel,
        conversation,
        message_type="text",
        body=text_body(text),
        text=text,
        idempotency_key=idempotency_key,
        sent_by_user_id=sent_by_user_id,
        reply_to_wa_id=reply_to_wa_id,
    )


def text_body(text: str) -> dict[str, Any]:
    """A text message's object; a link in it gets WhatsApp's preview."""
    return {"body": text, "preview_url": "http" in text}


def enqueue_mark_read(session: Session, channel: Channel, wa_message_id: str) -> None:
    """Blue ticks for the customer: tell WhatsApp we read up to this message (once)."""
    key = f"read:{channel.id}:{wa_message_id}"
    if session.exec(select(OutboundJob.id).where(OutboundJob.idempotency_key == key)).first():
        return
    session.add(
        OutboundJob(
            channel_id=channel.id,
            kind="mark_read",
            payload={"message_id": wa_message_id},
            idempotency_key=key,
        )
    )


def requeue(session: Session, message: Message) -> bool:
    """Send a failed message again (the user's "retry"); ``False`` when it cannot be."""
    job = session.exec(select(OutboundJob).where(OutboundJob.message_id == message.id)).first()
    if job is None or job.state != "failed":
        return False
    job.state, job.attempts, job.next_attempt_at = "queued", 0, None
    job.last_error = job.last_error_code = None
    message.status = MessageStatus.QUEUED
    message.error_code = message.error_title = message.error_details = None
    message.status_at = utcnow()
    changes.note(session, message.channel_id)
    return True
