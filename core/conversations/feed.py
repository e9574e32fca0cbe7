"""Conversations and messages for other systems (the API), read by cursor in a stable order.

The dashboard lists threads by last activity, page by page; a program that syncs them wants an
order that never shifts under it: conversations newest first by id, a thread's messages oldest
first by id (a message stored later always comes after the cursor). Both are index seeks
(``core.paging.fetch_after``), and both check the reader's role like the dashboard's lists.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import Channel, Contact, Conversation, Message
from core.paging import CursorPage, fetch_after
from core.phones import InvalidPhoneNumber, canonical_wa_id, wa_id_of


def conversations(
    session: Session, actor: Actor, cursor: str | None, limit: int = 50
) -> CursorPage[tuple[Conversation, Contact]]:
    """Conversations with their contact, newest first."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    query = select(Conversation, Contact).join(Contact, col(Contact.id) == Conversation.contact_id)
    return fetch_after(session, query, col(Conversation.id), cursor, limit, newest_first=True)


def messages(
    session: Session, actor: Actor, conversation_id: int, cursor: str | None, limit: int = 50
) -> CursorPage[Message]:
    """A thread's messages, oldest first."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    if session.get(Conversation, conversation_id) is None:
        raise UserFacingError("conversations.error.not_found")
    query = select(Message).where(Message.conversation_id == conversation_id)
    return fetch_after(session, query, col(Message.id), cursor, limit)


def message(session: Session, actor: Actor, message_id: int) -> Message:
    """One message, to follow its status."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    found = session.get(Message, message_id)
    if found is None:
        raise UserFacingError("api.error.message_not_found", id=message_id)
    return found


def conversation_with(session: Session, channel_id: int, number: str) -> Conversation:
    """The conversation of the channel with a number, for a free-form message to it; a number
    that never wrote has no open window, which the refusal says."""
    try:
        wa_id = canonical_wa_id(wa_id_of(number))
    except InvalidPhoneNumber as exc:
        raise UserFacingError("api.error.number", number=number) from exc
    found = session.exec(
        select(Conversation)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(Contact.channel_id == channel_id, Contact.wa_id == wa_id)
    ).first()
    if found is None:
        if session.get(Channel, channel_id) is None:
            raise UserFacingError("templates.error.no_channel")
        raise UserFacingError("conversations.error.window_closed")
    return found
