"""Customers' messages into the store: contacts, conversations, messages, media, greetings.

Every function here is idempotent on WhatsApp's message id (unique per channel), so a body that is
processed twice, or delivered twice by 360Dialog, changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, case, func, insert, or_, update
from sqlmodel import Session, select

from core.channels import changes
from core.conversations import contacts
from core.conversations.arrivals import Wrote, after_customer_wrote
from core.conversations.optouts import is_opt_out, keywords, record_if_opt_out
from core.d360.events import InboundMessage, MessageEcho
from core.db import in_row_order, one_of
from core.hooks import events as hook_events
from core.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    MediaFile,
    Message,
    MessageStatus,
    UTCDateTime,
    utcnow,
)
from core.outbox.bridge import queue_greeting
from core.reports import recording

PREVIEW_LENGTH = 120
OPT_OUT_TYPES = frozenset({"text", "button", "interactive"})
"""Message types whose text can be a STOP / BAJA."""


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


@dataclass
class Arrival:
    """One customer message from a webhook body, for the channel it was routed to."""

    channel: Channel
    message: InboundMessage
    problems: list[str]
    """The body's problem list: what cannot be stored is said there."""


@dataclass
class InboundPlan:
    """What storing a set of customer messages needs to know, read before anything is written."""

    fresh: list[tuple[Arrival, str]]
    """The messages not stored yet, each with its WhatsApp id (or a stand-in), in order."""
    found: contacts.Found
    """The senders' contacts and conversations that exist already."""
    last_inbound: dict[int, datetime] = field(default_factory=dict)
    """When each of those conversations' customer last wrote, before these messages (reports:
    which messages open a conversation)."""


def apply_inbound(
    session: Session, channel: Channel, message: InboundMessage, problems: list[str]
) -> None:
    """One customer message: a deletion or an edit of an earlier one, or a new message."""
    if (message.revoked_message_id and _revoke(session, channel, message)) or (
        message.edit and _edit(session, channel, message)
    ):
        changes.note(session, channel.id)
        return
    store_messages(session, plan_messages(session, [Arrival(channel, message, problems)]))


def plan_messages(session: Session, arrivals: list[Arrival]) -> InboundPlan:
    """The reads for :func:`store_messages`, one query each for the whole set: which messages
    are stored already (skipped: a webhook delivered or processed twice changes nothing), and the
    senders' contacts and threads."""
    fresh = _not_stored_yet(session, arrivals)
    if not fresh:
        return InboundPlan([], contacts.Found({}, {}))
    found = contacts.find(session, (_contact_key(a) for a, _ in fresh))
    return InboundPlan(fresh, found, recording.last_inbound(session, found.threads.values()))


def store_messages(session: Session, plan: InboundPlan) -> None:
    """Store the planned customer messages and what follows from each: the contact (created,
    named, last seen), the thread (last message, unread count), media to download, opt-outs and
    the greeting to a new contact.

    Set-wise: one insert per table, one executemany per update. Updates are relative ("unread
    + n", "the later of the two times"), so what another writer changed since the plan was read
    (an agent marking a thread read) is kept."""
    if not plan.fresh:
        return
    changes.note(session, *{arrival.channel.id for arrival, _ in plan.fresh})
    reached = contacts.ensure(
        session, plan.found, {_contact_key(a): a.message.contact_name or "" for a, _ in plan.fresh}
    )
    contact_ids, thread_ids = reached.contact_ids, reached.thread_ids
    rows = [
        _message_row(arrival, wa_id, thread_ids[contact_ids[_contact_key(arrival)]])
        for arrival, wa_id in plan.fresh
    ]
    message_ids = (
        session.connection()
        .execute(
            insert(Message.__table__).returning(  # type: ignore[arg-type]
                Message.__table__.c.id,  # type: ignore[attr-defined]
                sort_by_parameter_order=True,
            ),
            rows,
        )
        .scalars()
        .all()
    )
    recording.record_inbound(session, [_stored(row) for row in rows], plan.last_inbound)
    latest = _touch_threads(session, plan, contact_ids, thread_ids)
    _touch_contacts(session, plan, contact_ids)
    _queue_media(session, plan, message_ids)
    hook_events.messages_received(session, rows, message_ids)
    _follow_ups(session, plan, contact_ids, thread_ids, reached.created)
    after_customer_wrote(session, latest)


def _stored(row: dict[str, Any]) -> recording.Stored:
    return recording.Stored(
        row["channel_id"],
        row["conversation_id"],
        row["created_at"],
        "in",
        row["type"],
        quoting=row["reply_to_wa_id"],
    )


def _not_stored_yet(session: Session, arrivals: list[Arrival]) -> list[tuple[Arrival, str]]:
    """The arrivals to store, each with its WhatsApp id, in order; the rest are said or dropped."""
    candidates: list[tuple[Arrival, str]] = []
    for arrival in arrivals:
        message = arrival.message
        if not message.wa_id:
            arrival.problems.append(
                f"message {message.message_id or '?'} has no sender; kept in the raw body"
            )
            continue
        candidates.append((arrival, message.message_id or _content_id(message)))
    if not candidates:
        return []
    messages = Message.__table__.c  # type: ignore[attr-defined]
    stored = set(
        session.connection().execute(
            select(messages.channel_id, messages.wa_message_id)  # the (channel, wa id) index
            .where(messages.channel_id.in_({a.channel.id for a, _ in candidates}))
            .where(one_of(session, messages.wa_message_id, {w for _, w in candidates}))
        )
    )
    fresh = []
    for arrival, wa_message_id in candidates:
        key = (arrival.channel.id, wa_message_id)
        if key not in stored:
            stored.add(key)  # the same message twice in one batch: stored once
            fresh.append((arrival, wa_message_id))
    return fresh


def _contact_key(arrival: Arrival) -> contacts.ContactKey:
    return contacts.contact_key(arrival.channel.id or 0, arrival.message.wa_id or "")


def _touch_threads(
    session: Session,
    plan: InboundPlan,
    contact_ids: dict[tuple[int, str], int],
    thread_ids: dict[int, int],
) -> list[Wrote]:
    """Each thread's unread count up by its new messages, its last message and last inbound
    time moved forward (never back: a late retry of an old message changes neither), and the
    thread open again, whatever its status (resolved, pending, snoozed), keeping its assignee.
    Returns each thread's latest message, for the team inbox's follow-ups."""
    latest: dict[int, dict[str, Any]] = {}
    wrote: dict[int, Wrote] = {}
    for arrival, wa_message_id in plan.fresh:
        message = arrival.message
        if message.type == "reaction":
            continue
        thread = thread_ids[contact_ids[_contact_key(arrival)]]
        when = message.timestamp or utcnow()
        entry = latest.setdefault(thread, {"row": thread, "unread": 0, "when": when, "preview": ""})
        entry["unread"] += 1
        if when >= entry["when"]:
            entry["when"], entry["preview"] = when, summary(message)[:PREVIEW_LENGTH]
            wrote[thread] = Wrote(arrival.channel, thread, wa_message_id, when)
    if not latest:
        return []
    table = Conversation.__table__
    c = table.c  # type: ignore[attr-defined]
    when = bindparam("when", type_=UTCDateTime)
    message_is_newer = or_(c.last_message_at.is_(None), c.last_message_at <= when)
    session.connection().execute(
        update(table)  # type: ignore[arg-type]
        .where(c.id == bindparam("row"))
        .values(
            unread_count=c.unread_count + bindparam("unread"),
            last_message_preview=case(
                (message_is_newer, bindparam("preview")), else_=c.last_message_preview
            ),
            last_message_at=case((message_is_newer, when), else_=c.last_message_at),
            last_inbound_at=case(
                (or_(c.last_inbound_at.is_(None), c.last_inbound_at < when), when),
                else_=c.last_inbound_at,
            ),
            status=ConversationStatus.OPEN,
            snoozed_until=None,
        ),
        in_row_order(latest),
    )
    return list(wrote.values())


def _touch_contacts(
    session: Session, plan: InboundPlan, contact_ids: dict[tuple[int, str], int]
) -> None:
    """Each contact's last inbound time (forward only), its WhatsApp name and user id."""
    latest: dict[int, dict[str, Any]] = {}
    for arrival, _ in plan.fresh:
        message = arrival.message
        contact = contact_ids[_contact_key(arrival)]
        when = message.timestamp or utcnow()
        entry = latest.setdefault(
            contact, {"row": contact, "when": when, "name": None, "user": None}
        )
        entry["when"] = max(entry["when"], when)
        entry["name"] = message.contact_name or entry["name"]
        entry["user"] = entry["user"] or message.user_id
    table = Contact.__table__
    c = table.c  # type: ignore[attr-defined]
    when = bindparam("when", type_=UTCDateTime)
    session.connection().execute(
        update(table)  # type: ignore[arg-type]
        .where(c.id == bindparam("row"))
        .values(
            last_inbound_at=case(
                (or_(c.last_inbound_at.is_(None), c.last_inbound_at < when), when),
                else_=c.last_inbound_at,
            ),
            profile_name=func.coalesce(bindparam("name", type_=String), c.profile_name),
            user_id=func.coalesce(c.user_id, bindparam("user", type_=String)),
        ),
        in_row_order(latest),
    )


def _queue_media(session: Session, plan: InboundPlan, message_ids: Sequence[int]) -> None:
    """Attachments to download (``core.conversations.media`` fetches them from 360Dialog)."""
    rows = [
        {
            "channel_id": arrival.channel.id,
            "message_id": message_id,
            "wa_media_id": media.id,
            "mime_type": media.mime_type or "",
            "sha256": media.sha256,
            "filename": media.filename,
            "status": "pending",
            "attempts": 0,
            "created_at": utcnow(),
        }
        for (arrival, _), message_id in zip(plan.fresh, message_ids, strict=True)
        if (media := arrival.message.media) is not None and media.id
    ]
    if rows:
        session.connection().execute(insert(MediaFile.__table__), rows)  # type: ignore[arg-type]


def _follow_ups(
    session: Session,
    plan: InboundPlan,
    contact_ids: dict[tuple[int, str], int],
    thread_ids: dict[int, int],
    new_contacts: set[int],
) -> None:
    """The rare cases that need whole rows: a STOP / BAJA opts its sender out; a new contact
    gets the channel's greeting."""
    words: set[str] | None = None
    for arrival, _ in plan.fresh:
        message, key = arrival.message, _contact_key(arrival)
        known = plan.found.contacts.get(key)
        if message.type not in OPT_OUT_TYPES or not message.text or (known and known.opted_out):
            continue
        words = keywords(session) if words is None else words
        if is_opt_out(message.text, words):
            contact = session.get(Contact, contact_ids[key])
            assert contact is not None
            record_if_opt_out(session, contact, message.text, words)
    greeted: set[int] = set()
    for arrival, _ in plan.fresh:
        contact_id = contact_ids[_contact_key(arrival)]
        if not arrival.channel.greeting_message.strip():
            continue  # no greeting to send: the new contact's rows need not be loaded
        if contact_id in new_contacts and contact_id not in greeted:
            greeted.add(contact_id)
            contact = session.get(Contact, contact_id)
            conversation = session.get(Conversation, thread_ids[contact_id])
            assert contact is not None and conversation is not None
            _greet(session, arrival.channel, contact, conversation)


def _message_row(arrival: Arrival, wa_message_id: str, conversation_id: int) -> dict[str, Any]:
    message = arrival.message
    when = message.timestamp or utcnow()
    first = message.errors[0] if message.errors else None
    return {
        "channel_id": arrival.channel.id,
        "conversation_id": conversation_id,
        "wa_message_id": wa_message_id,
        "direction": "in",
        "type": message.type,
        "text": message.text or "",
        "content": _content(message),
        "reply_to_wa_id": (message.reaction.message_id if message.reaction else None)
        or message.context_message_id,
        "status": MessageStatus.RECEIVED,
        "created_at": when,
        "status_at": when,
        "error_code": first.code if first else None,
        "error_title": (first.title or first.message) if first else None,
        "error_details": first.details if first else None,
    }


def apply_echo(
    session: Session, channel: Channel, echo: MessageEcho, problems: list[str]
) -> Message | None:
    """A message the business sent from the WhatsApp Business app (coexistence): an outbound row."""
    if not echo.to_wa_id:
        problems.append(f"echo {echo.message_id or '?'} has no recipient; kept in the raw body")
        return None
    if message_exists(session, channel, echo.message_id):
        return None
    contact, _ = contacts.find_or_create_contact(session, channel, echo.to_wa_id)
    conversation = contacts.find_or_create_conversation(session, channel, contact)
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
    changes.note(session, channel.id)
    recording.record_outbound(
        session, [recording.Stored(channel.id or 0, conversation.id or 0, when, "out", echo.type)]
    )
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
    """The channel's greeting is the first reply to a new contact, sent once."""
    if not channel.greeting_message.strip() or contact.greeted_at is not None:
        return
    queue_greeting(session, channel, contact, conversation)
    contact.greeted_at = utcnow()
