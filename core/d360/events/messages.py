"""Messages: those customers send to our number, and the business app's echoes of those sent from
the phone on a coexistence number.

A sender is known by phone digits (``wa_id``), by Meta's business-scoped user id ("BSUID", e.g.
``US.1234``, sent when the phone is hidden), or both; a value that is neither is reported, never
guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.d360.events.base import (
    Generation,
    Route,
    as_dict,
    as_text,
    is_bsuid,
    phone_digits,
    read_timestamp,
)
from core.d360.events.content import MessageContent
from core.d360.events.values import (
    ErrorInfo,
    Interactive,
    Location,
    MediaRef,
    MessageEdit,
    Reaction,
    Referral,
    SharedContact,
    SystemChange,
)


@dataclass(frozen=True)
class InboundMessage:
    """A message a customer sent to our number.

    The contact is identified by ``wa_id`` (digits of their phone) and/or ``user_id`` (Meta's
    business-scoped user id, "BSUID", e.g. ``US.1234``, sent when the phone is hidden). At least
    one is present unless a problem was reported. ``text`` is what to show in the inbox: the
    body of a text, or a one-line summary of anything else (caption, button title, emoji,
    place, contact names, order…). ``type`` is kept as sent, even when we don't know it.
    """

    message_id: str | None
    wa_id: str | None
    type: str
    timestamp: datetime | None
    text: str | None = None
    generation: Generation = "cloud"
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    waba_id: str | None = None
    contact_name: str | None = None
    username: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    media: MediaRef | None = None
    context_message_id: str | None = None
    context_from: str | None = None
    forwarded: bool = False
    reaction: Reaction | None = None
    location: Location | None = None
    contacts: tuple[SharedContact, ...] = ()
    interactive: Interactive | None = None
    referral: Referral | None = None
    edit: MessageEdit | None = None
    revoked_message_id: str | None = None
    system: SystemChange | None = None
    group_id: str | None = None
    errors: tuple[ErrorInfo, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sender_id(self) -> str | None:
        """The most stable key we have for the sender: phone digits, else the BSUID."""
        return self.wa_id or self.user_id

    @classmethod
    def from_raw(
        cls,
        msg: dict[str, Any],
        route: Route,
        contacts: list[dict[str, Any]],
        problems: list[str],
    ) -> InboundMessage:
        """One item of ``messages``, its sender's name and user ids taken from ``contacts``."""
        message_id = as_text(msg.get("id"))
        what = f"message {message_id}" if message_id else "a message"
        if message_id is None:
            problems.append("a message has no id (it cannot be deduplicated or replied to)")
        wa_id, user_id, parent_user_id, contact = _sender(msg, what, contacts, problems)
        profile = as_dict(contact.get("profile"))
        kind = as_text(msg.get("type"))
        if kind is None:
            problems.append(f"{what} has no type")
        content = MessageContent.from_raw(msg, what, problems)
        context = as_dict(msg.get("context"))
        return cls(
            message_id=message_id,
            wa_id=wa_id,
            type=kind or "unknown",
            timestamp=read_timestamp(msg.get("timestamp"), what, problems),
            text=content.text,
            generation=route.generation,
            phone_number_id=route.phone_number_id,
            display_phone_number=route.display_phone_number,
            waba_id=route.waba_id,
            contact_name=as_text(profile.get("name")),
            username=as_text(profile.get("username")),
            user_id=user_id,
            parent_user_id=parent_user_id,
            media=content.media,
            context_message_id=as_text(context.get("id")),
            context_from=as_text(context.get("from")),
            forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
            reaction=content.reaction,
            location=content.location,
            contacts=content.contacts,
            interactive=content.interactive,
            referral=Referral.from_raw(msg.get("referral")),
            edit=content.edit,
            revoked_message_id=content.revoked_message_id,
            system=content.system,
            group_id=as_text(msg.get("group_id")),
            errors=ErrorInfo.all_from_raw(msg.get("errors")),
            raw=msg,
        )


@dataclass(frozen=True)
class MessageEcho:
    """A message the business sent from the WhatsApp Business app on a coexistence number
    (``smb_message_echoes``): store it as outgoing, already delivered."""

    message_id: str | None
    to_wa_id: str | None
    type: str
    timestamp: datetime | None
    text: str | None = None
    from_number: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    media: MediaRef | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_raw(cls, msg: dict[str, Any], route: Route, problems: list[str]) -> MessageEcho:
        """One item of ``message_echoes``; its recipient (``to``) is the customer."""
        message_id = as_text(msg.get("id"))
        what = f"echo {message_id}" if message_id else "an echo"
        content = MessageContent.from_raw(msg, what, problems)
        to_wa_id = phone_digits(as_text(msg.get("to")))
        to_user_id = _checked_user_id(msg.get("to_user_id"), what, problems)
        if to_wa_id is None and to_user_id is None:
            problems.append(f"{what} has no recipient (no 'to' phone and no user id)")
        return cls(
            message_id=message_id,
            to_wa_id=to_wa_id,
            type=as_text(msg.get("type")) or "unknown",
            timestamp=read_timestamp(msg.get("timestamp"), what, problems)
            if "timestamp" in msg
            else None,
            text=content.text,
            from_number=as_text(msg.get("from")),
            to_user_id=to_user_id,
            to_parent_user_id=_checked_user_id(msg.get("to_parent_user_id"), what, problems),
            phone_number_id=route.phone_number_id,
            display_phone_number=route.display_phone_number,
            media=content.media,
            raw=msg,
        )


def _sender(
    msg: dict[str, Any], what: str, contacts: list[dict[str, Any]], problems: list[str]
) -> tuple[str | None, str | None, str | None, dict[str, Any]]:
    """Who sent ``msg``: phone digits, user id, parent user id, and their ``contacts`` entry.

    The message's own ``from`` fields come first; the contact entry fills the user ids they lack.
    """
    sender = as_text(msg.get("from"))
    wa_id = phone_digits(sender)
    user_id = _checked_user_id(msg.get("from_user_id"), what, problems)
    parent_user_id = _checked_user_id(msg.get("from_parent_user_id"), what, problems)
    if sender and wa_id is None:
        if is_bsuid(sender):
            user_id = user_id or sender
        else:
            problems.append(
                f"{what} comes from {sender!r}, which is neither a phone number nor a user id"
            )
    contact = _find_contact(contacts, wa_id, user_id)
    contact_user_id = as_text(contact.get("user_id"))
    if contact_user_id == as_text(msg.get("from_user_id")):
        contact_user_id = user_id  # same value: already checked (and reported) above
    else:
        contact_user_id = _checked_user_id(contact_user_id, f"{what} (contact)", problems)
    user_id = user_id or contact_user_id
    contact_parent = as_text(contact.get("parent_user_id"))
    parent_user_id = parent_user_id or (contact_parent if is_bsuid(contact_parent) else None)
    if wa_id is None and user_id is None:
        problems.append(f"{what} has no sender (no 'from' phone and no user id)")
    return wa_id, user_id, parent_user_id, contact


def _find_contact(
    contacts: list[dict[str, Any]], wa_id: str | None, user_id: str | None
) -> dict[str, Any]:
    for contact in contacts:
        if (wa_id and as_text(contact.get("wa_id")) == wa_id) or (
            user_id and as_text(contact.get("user_id")) == user_id
        ):
            return contact
    # On-Premise bodies name the sender in their single contact even when that contact's
    # ``wa_id`` differs from the message's ``from`` (seen with shared contact cards).
    return contacts[0] if len(contacts) == 1 else {}


def _checked_user_id(value: object, what: str, problems: list[str]) -> str | None:
    text = as_text(value)
    if text is None:
        return None
    if is_bsuid(text):
        return text
    problems.append(f"{what} has an invalid user id {text!r} (expected like 'US.1234'); ignored")
    return None
