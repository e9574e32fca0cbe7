"""The one way from the receive path into the send path: a new contact's greeting.

Receiving a webhook records what happened; the only thing it ever sends in return is the
channel's greeting to a contact who has just written for the first time. Giving that one need a
named function here keeps the receive path (``core.webhooks``, ``core.conversations.inbound``)
from depending on how the outbox queues, sends and retries, so either side can change without the
other, and anyone reading the receive path sees at once the single place where it asks for a send.
"""

from __future__ import annotations

from sqlmodel import Session

from core.models import Channel, Contact, Conversation, Message
from core.outbox.queue import enqueue_text


def queue_greeting(
    session: Session, channel: Channel, contact: Contact, conversation: Conversation
) -> Message:
    """Queue the channel's greeting to ``contact``; keyed on the contact, so a webhook processed
    twice (or two first messages in one batch) never greets twice."""
    return enqueue_text(
        session,
        channel,
        conversation,
        channel.greeting_message,
        idempotency_key=f"greeting:{contact.id}",
        sent_by_user_id=None,
    )
