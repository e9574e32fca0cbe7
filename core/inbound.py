"""Customers' messages into the store: contacts, conversations, messages, media, greetings.

Every function here is idempotent on WhatsApp's message id (unique per channel), so a body that is
processed twice, or delivered twice by 360Dialog, changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.d360.events import InboundMessage, MessageEcho
from core.models import (
    Channel,
    Contact,
    Conversation,
    MediaFile,
    Message,
    MessageStatus,
    utcnow,
)
from core.optouts import record_if_opt_out
from core.phones import canonical_wa_id, equivalent_wa_ids

PREVIEW_LENGTH = 120
UNSUPPORTED_TYPES = frozenset({"unsupported", "unknown"})


def find_or_create_contact(
    session: Session, channel: Channel, wa_id: str, name: str | None = None
) -> tuple[Contact, bool]:
    """The contact for ``wa_id`` on ``channel`` (any of its equivalent forms), and if it is new."""
    contact = session.exec(
        select(Contact)
        .where(Contact.channel_id == channel.id)
        .where(col(Contact.wa_id).in_(equivalent_wa_ids(wa_id)))
    ).first()
    if contact is not None:
        if name and contact.profile_name != name:
            contact.profile_name = name
        return contact, False
    canonical = canonical_wa_id(wa_id)
    contact = Contact(
        channel_id=channel.id,
        wa_id=canonical,
        phone_e164=f"+{canonical}" if canonical.isdigit() else None,
        profile_name=name or "",
    )
    session.add(contact)
    session.flush()
    return contact, True


def find_or_create_conversation(
    session: Session, channel: Channel, contact: Contact
) -> Conversation:
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.channel_id == channel.id)
        .where(Conversation.contact_id == contact.id)
    ).first()
    if conversation is None:
        conversation = Conversation(channel_id=channel.id, contact_id=contact.id)
        session.add(conversation)
        session.flush()
    return conversation


def message_exists(session: Session, channel: Channel, wa_message_id: str | None) -> Message | None:
    if not wa_message_id:
        return None
    return session.exec(
        select(Message)
        .where(Message.channel_id == channel.id)
        .where(Message.wa_message_id == wa_message_id)
    ).first()


def touch_conversation(
    conversation: Conversation, when: datetime, preview: str, *, inbound: bool
) -> None:
    """Move the thread's last-activity markers forward (never back, for late retries)."""
    if conversation.last_message_at is None or when >= conversation.last_message_at:
        conversation.last_message_at = when
        conversation.last_message_preview = preview[:PREVIEW_LENGTH]
    if inbound:
        conversation.unread_count += 1
        if conversation.last_inbound_at is None or when > conversation.last_inbound_at:
            conversation.last_inbound_at = when


def summary(message: InboundMessage | MessageEcho) -> str:
    """The one line a list shows for a message (its type when there is no text)."""
    return message.text or f"[{message.type}]"


def apply_inbound(
    session: Session, channel: Channel, message: InboundMessage, problems: list[str]
) -> Message | None:
    """Store one customer message (and what follows from it); ``None`` when already stored."""
    if not message.wa_id:
        problems.append(f"message {message.message_id or '?'} has no sender; kept in the raw body")
        return None
    if message.revoked_message_id and _revoke(session, channel, message):
        return None
    if message.edit and _edit(session, channel, message):
        return None
    wa_message_id = message.message_id or _content_id(message)
    if message_exists(session, channel, wa_message_id):
        return None
    contact, is_new = find_or_create_contact(session, channel, message.wa_id, message.contact_name)
    if message.user_id and not contact.user_id:
        contact.user_id = message.user_id
    conversation = find_or_create_conversation(session, channel, contact)
    when = message.timestamp or utcnow()
    stored = Message(
        channel_id=channel.id,
        conversation_id=conversation.id,
        wa_message_id=wa_message_id,
        direction="in",
        type=message.type,
        text=message.text or "",
        content=_content(message),
        reply_to_wa_id=(message.reaction.message_id if message.reaction else None)
        or message.context_message_id,
        status=MessageStatus.RECEIVED,
        created_at=when,
        status_at=when,
    )
    if message.errors:
        first = message.errors[0]
        stored.error_code, stored.error_title = first.code, first.title or first.message
        stored.error_details = first.details
    session.add(stored)
    session.flush()
    if message.type != "reaction":
        touch_conversation(conversation, when, summary(message), inbound=True)
    if message.type in {"text", "button", "interactive"}:
        record_if_opt_out(session, contact, message.text or "")
    if contact.last_inbound_at is None or when > contact.last_inbound_at:
        contact.last_inbound_at = when
    if message.media is not None and message.media.id:
        session.add(
            MediaFile(
                channel_id=channel.id,
                message_id=stored.id,
                wa_media_id=message.media.id,
                mime_type=message.media.mime_type or "",
                sha256=message.media.sha256,
                filename=message.media.filename,
            )
        )
    if is_new:
        _greet(session, channel, contact, conversation)
    return stored


def apply_echo(
    session: Session, channel: Channel, echo: MessageEcho, problems: list[str]
) -> Message | None:
    """A message the business sent from the WhatsApp Business app (coexistence): an outbound row."""
    if not echo.to_wa_id:
        problems.append(f"echo {echo.message_id or '?'} has no recipient; kept in the raw body")
        return None
    if message_exists(session, channel, echo.message_id):
        return None
    contact, _ = find_or_create_contact(session, channel, echo.to_wa_id)
    conversation = find_or_create_conversation(session, channel, contact)
    when = echo.timestamp or utcnow()
    stored = Message(
        channel_id=channel.id,
        conversation_id=conversation.id,
        wa_message_id=echo.message_id,
        direction="out",
        type=echo.type,
        text=echo.text or "",
        content=echo.raw,
        status=MessageStatus.SENT,
        created_at=when,
        status_at=when,
    )
    session.add(stored)
    touch_conversation(conversation, when, summary(echo), inbound=False)
    return stored


def _content_id(message: InboundMessage) -> str:
    """A stable stand-in id for a message WhatsApp sent without one, so retries still dedupe."""
    digest = hashlib.sha256(json.dumps(message.raw, sort_keys=True).encode()).hexdigest()
    return f"noid:{digest[:40]}"


def _content(message: InboundMessage) -> dict[str, Any]:
    """What the thread view needs, plus the message exactly as received."""
    parts: dict[str, Any] = {"raw": message.raw}
    for name in ("media", "location", "interactive", "referral", "system", "reaction"):
        value = getattr(message, name)
        if value is not None:
            parts[name] = _plain(asdict(value))
    if message.contacts:
        parts["contacts"] = [_plain(asdict(contact)) for contact in message.contacts]
    if message.forwarded:
        parts["forwarded"] = True
    return parts


def _plain(value: Any) -> Any:
    """JSON-safe copy of a dataclass dict (tuples to lists, datetimes to ISO)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _revoke(session: Session, channel: Channel, message: InboundMessage) -> bool:
    """The customer deleted a message for everyone: mark ours, keep its row (nothing lost)."""
    original = message_exists(session, channel, message.revoked_message_id)
    if original is None:
        return False
    original.status = MessageStatus.DELETED
    original.content = {**(original.content or {}), "deleted": True}
    return True


def _edit(session: Session, channel: Channel, message: InboundMessage) -> bool:
    """The customer edited a message: new text on the original, the old text kept in history."""
    assert message.edit is not None
    original = message_exists(session, channel, message.edit.original_message_id)
    if original is None:
        return False
    history = list((original.content or {}).get("edits", []))
    if any(entry.get("id") == message.message_id for entry in history):
        return True
    history.append({"id": message.message_id, "previous_text": original.text})
    original.text = message.edit.new_text or original.text
    original.content = {**(original.content or {}), "edits": history}
    return True


def _greet(
    session: Session, channel: Channel, contact: Contact, conversation: Conversation
) -> None:
    """Seed point 6: the channel's greeting is the first reply to a new contact, sent once."""
    if not channel.greeting_message.strip() or contact.greeted_at is not None:
        return
    from core.outbox import enqueue_text

    enqueue_text(
        session,
        channel,
        conversation,
        channel.greeting_message,
        idempotency_key=f"greeting:{contact.id}",
        sent_by_user_id=None,
    )
    contact.greeted_at = utcnow()
