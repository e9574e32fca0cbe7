"""Rows the store tests need again and again (a connected channel without going through 360Dialog,
a message we sent)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from core import crypto
from core.db import session_scope
from core.models import Channel, Contact, Conversation, Message, MessageStatus

WEBHOOK_SECRET = "test-webhook-secret"


def make_channel(
    engine: Engine,
    *,
    number: str = "+15550783881",
    phone_number_id: str | None = "106540352242922",
    base_url: str = "http://127.0.0.1:9",
    api_key: str = "test-api-key",
    greeting: str = "",
    generation: str = "cloud",
) -> Channel:
    with session_scope(engine) as session:
        channel = Channel(
            name="Ventas",
            number=number,
            phone_number_id=phone_number_id,
            generation=generation,
            base_url=base_url,
            api_key_encrypted=crypto.encrypt(api_key),
            api_key_hint=crypto.mask(api_key),
            webhook_secret_hash=crypto.fingerprint(WEBHOOK_SECRET),
            greeting_message=greeting,
        )
        session.add(channel)
        session.flush()
        return channel


def make_sent_message(
    session: Session, channel: Channel, wa_message_id: str, wa_id: str
) -> Message:
    """A text we sent to ``wa_id`` and WhatsApp accepted, for statuses to find (its contact and
    conversation are made when missing)."""
    contact = session.exec(
        select(Contact).where(Contact.channel_id == channel.id, Contact.wa_id == wa_id)
    ).first()
    if contact is None:
        contact = Contact(channel_id=channel.id, wa_id=wa_id)
        session.add(contact)
        session.flush()
    conversation = session.exec(
        select(Conversation).where(Conversation.contact_id == contact.id)
    ).first()
    if conversation is None:
        conversation = Conversation(channel_id=channel.id, contact_id=contact.id)
        session.add(conversation)
        session.flush()
    message = Message(
        channel_id=channel.id,
        conversation_id=conversation.id,
        wa_message_id=wa_message_id,
        direction="out",
        type="text",
        text="Hola",
        status=MessageStatus.SENT,
    )
    session.add(message)
    return message
