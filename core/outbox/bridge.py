"""The one way from the receive path into the send path: a new contact's greeting and the away
message outside business hours.

Receiving a webhook records what happened; the only things it ever sends in return are the
channel's greeting to a contact who has just written for the first time and the channel's away
message to a customer who writes while it is closed. Giving those needs named functions here
keeps the receive path (``core.webhooks``, ``core.conversations.inbound``) from depending on how
the outbox queues, sends and retries, so either side can change without the other, and anyone
reading the receive path sees at once the single place where it asks for a send.
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


def queue_away_message(
    session: Session, channel: Channel, conversation: Conversation, text: str, *, because_of: str
) -> Message:
    """Queue the channel's away message to a customer who wrote outside business hours; keyed on
    the customer's message (``because_of``), so processing it twice never sends it twice."""
    return enqueue_text(
        session,
        channel,
        conversation,
        text,
        idempotency_key=f"away:{conversation.id}:{because_of}",
        sent_by_user_id=None,
    )
