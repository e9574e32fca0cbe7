"""Conversations and messages for other systems (the API), read by cursor in a stable order.

The dashboard lists threads by last activity, page by page; a program that syncs them wants an
order that never shifts under it: conversations newest first by id, a thread's messages oldest
first by id (a message stored later always comes after the cursor). Both are index seeks
(``core.paging.fetch_after``), and both check the reader's role like the dashboard's lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.db import one_of
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


def conversations_with(
    session: Session, channel_id: int, numbers: Iterable[str]
) -> dict[str, int | UserFacingError]:
    """The conversation of the channel with each number (its id), for free-form messages to
    them, in one query; the refusal for a number that is none, or never wrote (no open window)."""
    found: dict[str, int | UserFacingError] = {}
    wanted: dict[str, list[str]] = {}  # a contact's wa_id and the numbers written for it
    for number in set(numbers):
        try:
            wanted.setdefault(canonical_wa_id(wa_id_of(number)), []).append(number)
        except InvalidPhoneNumber:
            found[number] = UserFacingError("api.error.number", number=number)
    rows = session.exec(
        select(Contact.wa_id, Conversation.id)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(Contact.channel_id == channel_id, one_of(session, col(Contact.wa_id), wanted))
        .where(Conversation.channel_id == channel_id)  # the thread by its unique index, no scan
    )
    for wa_id, conversation_id in rows:
        found |= dict.fromkeys(wanted.pop(wa_id), conversation_id)
    if wanted:
        refusal = (
            UserFacingError("templates.error.no_channel")
            if session.get(Channel, channel_id) is None
            else UserFacingError("conversations.error.window_closed")
        )
        found |= {number: refusal for numbers in wanted.values() for number in numbers}
    return found
