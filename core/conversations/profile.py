"""The contact beside the thread: who they are, what the team knows of them (custom attributes),
whether they opted out, their other conversations and the campaigns that reached them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.conversations.assignment import (
    conversation_for,
    require_visible,
    usernames,
    visibility,
)
from core.conversations.labels import labels_of
from core.conversations.lifecycle import current_status
from core.errors import UserFacingError
from core.models import (
    Campaign,
    CampaignRecipient,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Label,
    Message,
    MessageStatus,
)

ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ATTRIBUTE_LENGTH = 500
RESERVED = frozenset({"name", "number"})
"""Canned replies' own fields: an attribute of the same name would never be used."""


@dataclass(frozen=True)
class OtherConversation:
    id: int
    channel_name: str
    status: ConversationStatus
    assignee: str | None
    last_message_at: datetime | None


@dataclass(frozen=True)
class CampaignReceived:
    name: str
    sent_at: datetime
    status: MessageStatus


@dataclass(frozen=True)
class ContactProfile:
    contact_id: int
    conversation_id: int
    name: str
    wa_id: str
    channel_id: int
    channel_name: str
    first_seen: datetime
    labels: list[Label]
    attributes: dict[str, str]
    opted_out: bool
    opted_out_at: datetime | None
    conversations: list[OtherConversation]
    campaigns: list[CampaignReceived]


def profile(session: Session, actor: Actor, conversation_id: int) -> ContactProfile:
    """The profile of the conversation's contact."""
    conversation = conversation_for(session, actor, conversation_id)
    assert conversation.id is not None
    contact = session.get(Contact, conversation.contact_id)
    channel = session.get(Channel, conversation.channel_id)
    assert contact is not None and channel is not None and contact.id is not None
    threads = _threads_of_number(session, actor, contact.wa_id)
    return ContactProfile(
        contact_id=contact.id,
        conversation_id=conversation.id,
        name=contact.profile_name,
        wa_id=contact.wa_id,
        channel_id=channel.id or 0,
        channel_name=channel.name,
        first_seen=contact.created_at,
        labels=labels_of(session, [conversation.id]).get(conversation.id, []),
        attributes=dict(contact.attributes or {}),
        opted_out=contact.opted_out,
        opted_out_at=contact.opted_out_at,
        conversations=[other for other in threads if other.id != conversation.id],
        campaigns=_campaigns(session, [other.id for other in threads] or [conversation.id]),
    )


def profile_by_number(
    session: Session, actor: Actor, wa_id: str, channel_id: int | None = None
) -> ContactProfile:
    """The profile of the number's conversation (on ``channel_id`` when it wrote to several)."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    query = select(Conversation).join(Contact, col(Contact.id) == Conversation.contact_id)
    query = query.where(Contact.wa_id == digits)
    if channel_id is not None:
        query = query.where(Conversation.channel_id == channel_id)
    found = list(session.exec(query.limit(2)))
    if not found:
        raise UserFacingError("inbox.error.no_contact", number=wa_id)
    if len(found) > 1:
        raise UserFacingError("inbox.error.which_channel", number=wa_id)
    assert found[0].id is not None
    return profile(session, actor, found[0].id)


def _threads_of_number(session: Session, actor: Actor, wa_id: str) -> list[OtherConversation]:
    """The same number's conversations on every channel ``actor`` may see
    (``uq_contacts_channel_wa_id`` cannot serve a number alone, but a number has few rows)."""
    query = (
        select(Conversation, Channel)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .join(Channel, col(Channel.id) == Conversation.channel_id)
        .where(Contact.wa_id == wa_id)
        .order_by(col(Conversation.last_message_at).desc())
    )
    if (condition := visibility(session, actor)) is not None:
        query = query.where(condition)
    rows = list(session.exec(query.limit(20)))
    names = usernames(session, {c.assignee_id for c, _ in rows if c.assignee_id is not None})
    return [
        OtherConversation(
            id=conversation.id or 0,
            channel_name=channel.name,
            status=current_status(conversation),
            assignee=names.get(conversation.assignee_id or 0),
            last_message_at=conversation.last_message_at,
        )
        for conversation, channel in rows
    ]


def _campaigns(session: Session, conversation_ids: list[int]) -> list[CampaignReceived]:
    """Campaign messages sent into these conversations, newest first (a recipient's message id
    is indexed, and so are a conversation's messages)."""
    rows = session.exec(
        select(Campaign.name, Message.created_at, Message.status)
        .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
        .join(Campaign, col(Campaign.id) == CampaignRecipient.campaign_id)
        .where(col(Message.conversation_id).in_(conversation_ids))
        .where(Message.direction == "out", col(Message.template_name).is_not(None))
        .order_by(col(Message.created_at).desc())
        .limit(20)
    )
    return [
        CampaignReceived(name, sent_at, MessageStatus(status)) for name, sent_at, status in rows
    ]


def set_attribute(
    session: Session, actor: Actor, contact_id: int, key: str, value: str
) -> dict[str, str]:
    """Set one custom attribute of a contact (an empty value removes it); the attributes after."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise UserFacingError("inbox.error.no_contact", number=f"#{contact_id}")
    thread = session.exec(select(Conversation).where(Conversation.contact_id == contact.id)).first()
    if thread is not None:
        require_visible(session, actor, thread)  # an agent edits only the customers they may see
    clean = key.strip().lower()
    if not ATTRIBUTE_KEY.match(clean) or clean in RESERVED:
        raise UserFacingError("inbox.error.attribute_key", attribute=key)
    text = value.strip()
    if len(text) > MAX_ATTRIBUTE_LENGTH:
        raise UserFacingError("inbox.error.attribute_value", maximum=MAX_ATTRIBUTE_LENGTH)
    attributes = dict(contact.attributes or {})
    previous = attributes.get(clean)
    if text:
        attributes[clean] = text
    else:
        attributes.pop(clean, None)
    contact.attributes = attributes  # a new dict: the JSON column sees the change
    session.add(contact)
    changes.note(session, contact.channel_id)  # other tabs' profile of this contact
    audit.record(
        session,
        actor,
        "contact.attribute",
        f"contact:{contact.id}",
        key=clean,
        previous=previous,
        value=text or None,
    )
    return attributes
