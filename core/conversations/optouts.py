"""Opt-outs: a contact who writes STOP or BAJA (configurable) gets no marketing template again.

WhatsApp can tell us the same thing: a marketing template that fails with 131050 means the customer
stopped this business's marketing messages in WhatsApp itself
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/), so the contact is
opted out just as if they had written the keyword, and campaigns leave them out from then on.

Only an admin can opt someone back in (for example after they asked in another channel); both
directions are audited.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlmodel import Session, col, select

from core.access import audit
from core.access import settings as app_settings
from core.access.auth import Actor, Permission, require
from core.db import one_of
from core.errors import UserFacingError
from core.models import Contact, Conversation, Message, utcnow

_NOT_WORD = re.compile(r"[^\w]+")


def keywords(session: Session) -> set[str]:
    return {
        word.strip().upper() for word in app_settings.get(session, app_settings.OPT_OUT_KEYWORDS)
    }


def is_opt_out(text: str, words: set[str]) -> bool:
    """The whole message is one of the keywords ("stop", "BAJA.", " Baja! ")."""
    return _NOT_WORD.sub("", text).upper() in words


def record_if_opt_out(session: Session, contact: Contact, text: str, words: set[str]) -> bool:
    """Called for every customer text with the :func:`keywords` (read once per batch); returns
    whether it opted the contact out."""
    if contact.opted_out or not text or not is_opt_out(text, words):
        return False
    contact.opted_out, contact.opted_out_at = True, utcnow()
    audit.record(session, "system", "contact.opt_out", contact.wa_id, keyword=text.strip())
    return True


def record_marketing_stopped(session: Session, message_ids: Collection[int]) -> list[Contact]:
    """The contacts our messages ``message_ids`` went to, opted out because WhatsApp said they
    stopped marketing messages from this business (131050); returns those newly opted out."""
    if not message_ids:
        return []
    their_contacts = (
        select(Conversation.contact_id)
        .join(Message, col(Message.conversation_id) == col(Conversation.id))
        .where(one_of(session, col(Message.id), message_ids))
    )
    contacts = list(
        session.exec(
            select(Contact)
            .where(col(Contact.id).in_(their_contacts))
            .where(Contact.opted_out == False)  # noqa: E712
        )
    )
    for contact in contacts:
        contact.opted_out, contact.opted_out_at = True, utcnow()
        audit.record(
            session, "system", "contact.opt_out", contact.wa_id, reason="stopped_marketing"
        )
    return contacts


def set_opted_out(session: Session, actor: Actor, contact_id: int, opted_out: bool) -> Contact:
    """An admin marks a contact opted out, or opts them back in."""
    require(actor, Permission.MANAGE_CHANNELS)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise UserFacingError("campaigns.error.no_contact")
    contact.opted_out = opted_out
    contact.opted_out_at = utcnow() if opted_out else None
    audit.record(
        session, actor, "contact.opt_out" if opted_out else "contact.opt_in", contact.wa_id
    )
    return contact


def list_opted_out(
    session: Session, actor: Actor, channel_id: int, limit: int = 50
) -> list[Contact]:
    """The channel's opted-out contacts, most recent first (for an admin to review)."""
    require(actor, Permission.MANAGE_CHANNELS)
    return list(
        session.exec(
            select(Contact)
            .where(Contact.channel_id == channel_id, Contact.opted_out == True)  # noqa: E712
            .order_by(col(Contact.opted_out_at).desc())
            .limit(limit)
        )
    )
