"""The events other systems can subscribe to, and queueing them for each subscriber.

An event becomes one ``hook_deliveries`` row per interested subscription, inserted in the
transaction of the change it reports (a message stored, a status applied, a template's status
changed, a campaign finished): it is delivered if and only if the change happened, and the
webhook processor's only cost is one read of the subscriptions and one multi-row insert per batch.
Sending is the worker's (``core.hooks.delivery``), so a slow or dead endpoint never slows intake.

Adding an event is a line in :data:`EVENTS` and a call to :func:`emit` where the change happens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.db import one_of
from core.models import Conversation, HookDelivery, HookSubscription, Message, utcnow

EVENTS: dict[str, str] = {
    "message.received": "a customer's message was stored",
    "message.status": "one of our messages was sent, delivered, read or failed",
    "template.status": "a template's review status changed",
    "campaign.finished": "a campaign sent to its last recipient",
    "conversation.assigned": "a conversation was given to a team member, or to nobody",
    "conversation.resolved": "a conversation was marked resolved",
}
"""Every event a subscription may name, and when it happens."""


@dataclass(frozen=True)
class Event:
    """What happened (``name``), about what (``data``), delivered in order per ``ordering_key``."""

    name: str
    ordering_key: str
    data: dict[str, Any]


def conversation_event(name: str, conversation: Conversation, **data: Any) -> Event:
    """An event about a conversation, delivered in order with its messages' events."""
    return Event(
        name,
        conversation_key(conversation.id or 0),
        {"conversation_id": conversation.id, "channel_id": conversation.channel_id, **data},
    )


def body_of(event: Event, at: datetime) -> str:
    """The JSON a subscriber receives (and the signature covers)."""
    return json.dumps(
        {"event": event.name, "created_at": at.isoformat(), "data": event.data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def _subscribers(session: Session) -> list[tuple[int, list[str]]]:
    return [
        (subscription_id, events or [])
        for subscription_id, events in session.exec(
            select(HookSubscription.id, HookSubscription.events).where(
                col(HookSubscription.deleted_at).is_(None)
            )
        )
    ]


def emit(
    session: Session,
    events: Sequence[Event],
    subscribers: list[tuple[int, list[str]]] | None = None,
) -> int:
    """Queue each event for every subscription taking it, in the caller's transaction; returns
    how many deliveries were queued (one insert for all)."""
    if not events:
        return 0
    if subscribers is None:
        subscribers = _subscribers(session)
    now = utcnow()
    rows = [
        {
            "subscription_id": subscription_id,
            "event": event.name,
            "ordering_key": event.ordering_key,
            "body": body_of(event, now),
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event in events
        for subscription_id, names in subscribers
        if event.name in names
    ]
    if rows:
        session.connection().execute(insert(HookDelivery.__table__), rows)  # type: ignore[arg-type]
    return len(rows)


def conversation_key(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def messages_received(session: Session, rows: Sequence[dict[str, Any]], ids: Sequence[int]) -> int:
    """``message.received`` for customer messages just stored (``rows`` as inserted)."""
    subscribers = _subscribers(session) if rows else []
    if not any("message.received" in names for _, names in subscribers):
        return 0  # nobody listens: nothing built (the processor's usual case)
    return emit(
        session,
        [
            Event(
                "message.received",
                conversation_key(row["conversation_id"]),
                {
                    "message_id": message_id,
                    "conversation_id": row["conversation_id"],
                    "channel_id": row["channel_id"],
                    "wamid": row["wa_message_id"],
                    "type": row["type"],
                    "text": row["text"],
                    "at": row["created_at"],
                },
            )
            for row, message_id in zip(rows, ids, strict=True)
        ],
        subscribers,
    )


def statuses_applied(session: Session, changes: Sequence[tuple[int, str, Any]]) -> int:
    """``message.status`` for our messages' statuses as WhatsApp reported them, in order:
    ``(message_id, status, error code or None)``."""
    subscribers = _subscribers(session) if changes else []
    if not any("message.status" in names for _, names in subscribers):
        return 0
    messages = Message.__table__.c  # type: ignore[attr-defined]
    found = {
        row.id: row
        for row in session.connection().execute(
            select(messages.id, messages.conversation_id, messages.wa_message_id).where(
                one_of(session, messages.id, {message_id for message_id, _, _ in changes})
            )
        )
    }
    return emit(
        session,
        [
            Event(
                "message.status",
                conversation_key(found[message_id].conversation_id),
                {
                    "message_id": message_id,
                    "conversation_id": found[message_id].conversation_id,
                    "wamid": found[message_id].wa_message_id,
                    "status": status,
                    "error": error,
                },
            )
            for message_id, status, error in changes
            if message_id in found
        ],
        subscribers,
    )
