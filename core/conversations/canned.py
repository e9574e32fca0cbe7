"""Canned replies: texts the team shares, typed as ``/shortcut`` in the composer or picked from
a list, with ``{{name}}``, ``{{number}}`` and the contact's custom attributes (``{{plan}}``)
filled in. Admins and marketers manage them (``Permission.MANAGE_INBOX``).

A field the contact has no value for stays written as ``{{field}}`` and is named in ``missing``,
so the agent sees the gap in the composer instead of sending "Hola ," to a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.conversations.assignment import conversation_for
from core.errors import UserFacingError
from core.models import CannedReply, Contact, utcnow

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MAX_TEXT_LENGTH = 4096


@dataclass(frozen=True)
class Filled:
    """A canned reply made ready for one contact."""

    text: str
    missing: tuple[str, ...]


def normal_shortcut(shortcut: str) -> str:
    """``/Hola`` and ``hola`` are the same shortcut."""
    clean = shortcut.strip().lstrip("/").lower()
    if not SHORTCUT.match(clean):
        raise UserFacingError("inbox.error.shortcut", shortcut=shortcut)
    return clean


def list_replies(session: Session, actor: Actor, search: str = "") -> list[CannedReply]:
    """Every canned reply by shortcut, or those whose shortcut or text contain ``search``."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    query = select(CannedReply).order_by(col(CannedReply.shortcut))
    term = search.strip().lstrip("/")
    if term:
        query = query.where(
            or_(
                col(CannedReply.shortcut).ilike(f"%{term}%"),
                col(CannedReply.text).ilike(f"%{term}%"),
            )
        )
    return list(session.exec(query))


def _text(text: str) -> str:
    body = text.strip()
    if not body:
        raise UserFacingError("inbox.error.canned_empty")
    if len(body) > MAX_TEXT_LENGTH:
        raise UserFacingError("conversations.error.too_long", maximum=MAX_TEXT_LENGTH)
    return body


def add_reply(session: Session, actor: Actor, shortcut: str, text: str) -> CannedReply:
    require(actor, Permission.MANAGE_INBOX)
    clean = normal_shortcut(shortcut)
    if _by_shortcut(session, clean) is not None:
        raise UserFacingError("inbox.error.shortcut_taken", shortcut=clean)
    reply = CannedReply(shortcut=clean, text=_text(text), updated_by=actor.username)
    session.add(reply)
    session.flush()
    audit.record(session, actor, "canned.create", f"canned:{reply.id}", shortcut=clean)
    return reply


def update_reply(
    session: Session, actor: Actor, reply_id: int, shortcut: str, text: str
) -> CannedReply:
    require(actor, Permission.MANAGE_INBOX)
    reply = _reply(session, reply_id)
    clean = normal_shortcut(shortcut)
    same = _by_shortcut(session, clean)
    if same is not None and same.id != reply.id:
        raise UserFacingError("inbox.error.shortcut_taken", shortcut=clean)
    previous = reply.shortcut
    reply.shortcut, reply.text = clean, _text(text)
    reply.updated_at, reply.updated_by = utcnow(), actor.username
    session.add(reply)
    audit.record(
        session, actor, "canned.change", f"canned:{reply.id}", previous=previous, shortcut=clean
    )
    return reply


def delete_reply(session: Session, actor: Actor, reply_id: int) -> None:
    require(actor, Permission.MANAGE_INBOX)
    reply = _reply(session, reply_id)
    session.delete(reply)
    audit.record(session, actor, "canned.delete", f"canned:{reply_id}", shortcut=reply.shortcut)


def _reply(session: Session, reply_id: int) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise UserFacingError("inbox.error.no_canned", shortcut=f"#{reply_id}")
    return reply


def _by_shortcut(session: Session, shortcut: str) -> CannedReply | None:
    return session.exec(select(CannedReply).where(CannedReply.shortcut == shortcut)).first()


def fill(text: str, contact: Contact) -> Filled:
    """``text`` with the contact's fields: name, number, then its custom attributes."""
    values = {key.lower(): value for key, value in (contact.attributes or {}).items()}
    values["name"] = contact.profile_name
    values["number"] = f"+{contact.wa_id}"
    missing: list[str] = []

    def value_of(match: re.Match[str]) -> str:
        field = match.group(1).lower()
        if values.get(field):
            return str(values[field])
        if field not in missing:
            missing.append(field)
        return match.group(0)

    return Filled(FIELD.sub(value_of, text), tuple(missing))


def expand(session: Session, actor: Actor, conversation_id: int, typed: str) -> Filled | None:
    """What the composer shows for ``typed``: the canned reply its ``/shortcut`` names, filled
    for the conversation's contact; ``None`` when ``typed`` is no known shortcut."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    word = typed.strip()
    if not word.startswith("/") or " " in word:
        return None
    reply = _by_shortcut(session, word[1:].lower())
    if reply is None:
        return None
    conversation = conversation_for(session, actor, conversation_id)
    contact = session.get(Contact, conversation.contact_id)
    assert contact is not None
    return fill(reply.text, contact)
