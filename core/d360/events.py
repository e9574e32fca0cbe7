"""Typed webhook events: what 360Dialog POSTs to us, as frozen dataclasses.

Parsing is kept apart from handling: ``parse_webhook(body)`` only reads and never raises, for any
JSON value. It returns every event it could build plus a list of *problems* (plain sentences) for
whatever was broken, so the receiver can answer 200, store the raw body, and let someone look at
the problems later. Both body shapes are accepted:

- Cloud API (today's default): ``{"object": ..., "entry": [{"changes": [{"field", "value"}]}]}``
  — every entry, every change, every message and status is read, not only the first.
- On-Premise (legacy): flat ``{"contacts", "messages"}`` / ``{"statuses"}`` / ``{"errors"}``.

Statuses arrive out of order and more than once; ``status_rank`` lets the store refuse to move a
message's status backwards (see its docstring for how ``failed`` is treated).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from core.d360.errors import D360Error, error_from_webhook

__all__ = [
    "KNOWN_STATUSES",
    "STATUS_ORDER",
    "AccountEvent",
    "ErrorInfo",
    "ErrorNotice",
    "Event",
    "Ignored",
    "InboundMessage",
    "Interactive",
    "Location",
    "MediaRef",
    "MessageEcho",
    "MessageEdit",
    "ParsedWebhook",
    "Reaction",
    "Referral",
    "SharedContact",
    "StatusUpdate",
    "SystemChange",
    "TemplateStatusChange",
    "parse_webhook",
    "should_apply_status",
    "status_rank",
]

Generation = Literal["cloud", "onprem"]

MEDIA_TYPES = ("image", "video", "audio", "voice", "document", "sticker")

# ---------------------------------------------------------------------------------------------
# Status ordering
# ---------------------------------------------------------------------------------------------

STATUS_ORDER: tuple[str, ...] = ("sent", "failed", "delivered", "read", "played", "deleted")
"""Outbound statuses from least to most advanced.

- ``sent → delivered → read → played`` is the normal progression (``played``: voice note heard).
- ``failed`` sits just above ``sent``: it replaces ``sent`` (the send was accepted, then failed)
  but never ``delivered``/``read`` (a message the phone confirmed cannot have failed; a late
  ``failed`` is stale). A later ``delivered`` or ``read`` does replace ``failed``: proof that the
  customer got the message beats a claim that it did not. So failed is terminal unless WhatsApp
  itself contradicts it with evidence of delivery.
- ``deleted`` (the message was deleted for everyone) is terminal: nothing replaces it.
- ``warning`` (informational, e.g. a catalog item problem) has rank 0: record its errors, keep
  the current status.
"""

KNOWN_STATUSES: frozenset[str] = frozenset(STATUS_ORDER) | {"warning"}

_RANKS: dict[str, int] = {"warning": 0} | {s: (i + 1) * 10 for i, s in enumerate(STATUS_ORDER)}


def status_rank(status: str | None) -> int:
    """Position of ``status`` in ``STATUS_ORDER`` (higher = further along); -1 when unknown."""
    if not status:
        return -1
    return _RANKS.get(status.lower(), -1)


def should_apply_status(current: str | None, new: str) -> bool:
    """Whether a message whose status is ``current`` should take ``new`` (never backwards)."""
    new_rank = status_rank(new)
    if new_rank <= 0:
        return False
    return current is None or new_rank > status_rank(current)


# ---------------------------------------------------------------------------------------------
# Small value objects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorInfo:
    """One item of an ``errors`` array in a webhook, as sent (``to_exception`` classifies it)."""

    code: int | None
    title: str | None
    message: str | None = None
    details: str | None = None
    href: str | None = None

    @classmethod
    def from_dict(cls, raw: object) -> ErrorInfo:
        if not isinstance(raw, dict):
            return cls(code=None, title=_text(raw))
        data = raw.get("error_data") if isinstance(raw.get("error_data"), dict) else {}
        return cls(
            code=_int(raw.get("code")),
            title=_text(raw.get("title")),
            message=_text(raw.get("message")),
            details=_text(raw.get("details")) or _text(data.get("details")),
            href=_text(raw.get("href")),
        )

    def to_exception(self) -> D360Error:
        """The error family (and user-facing words) for this code."""
        return error_from_webhook(
            {
                "code": self.code,
                "title": self.title,
                "message": self.message,
                "details": self.details,
            }
        )

    def __str__(self) -> str:
        head = f"{self.code}: {self.title}" if self.code is not None else str(self.title)
        return f"{head} ({self.details})" if self.details else head


@dataclass(frozen=True)
class MediaRef:
    """A file attached to a message; download it later with ``D360Client.download_media(id)``.

    ``id`` is ``None`` when WhatsApp could not fetch the file (On-Premise ``status:
    "undownloaded"``); ``url`` is set when the webhook carried a direct link.
    """

    id: str | None
    mime_type: str | None = None
    sha256: str | None = None
    filename: str | None = None
    caption: str | None = None
    url: str | None = None
    voice: bool = False
    animated: bool = False
    status: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, voice: bool = False) -> MediaRef:
        return cls(
            id=_text(raw.get("id")),
            mime_type=_text(raw.get("mime_type")),
            sha256=_text(raw.get("sha256")),
            filename=_text(raw.get("filename")),
            caption=_text(raw.get("caption")),
            url=_text(raw.get("url")) or _text(raw.get("link")),
            voice=voice or raw.get("voice") is True,
            animated=raw.get("animated") is True,
            status=_text(raw.get("status")),
        )


@dataclass(frozen=True)
class Reaction:
    """An emoji put on (or, with an empty emoji, taken off) one of our messages."""

    message_id: str | None
    emoji: str

    @property
    def removed(self) -> bool:
        return not self.emoji


@dataclass(frozen=True)
class Location:
    latitude: float | None
    longitude: float | None
    name: str | None = None
    address: str | None = None
    url: str | None = None

    def summary(self) -> str:
        parts = [self.name] if self.name else []
        if self.address and self.address != self.name:
            parts.append(self.address)
        if parts:
            return ", ".join(parts)
        if self.latitude is not None and self.longitude is not None:
            return f"{self.latitude}, {self.longitude}"
        return ""


@dataclass(frozen=True)
class SharedContact:
    """A contact card the customer shared (``type: contacts``)."""

    name: str
    phones: tuple[str, ...] = ()
    wa_ids: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Interactive:
    """The customer's answer to something we sent: a reply button, a list row, a template
    quick-reply button (``kind == "button"``, id = its payload) or a Flow (``nfm_reply``)."""

    kind: str
    id: str | None = None
    title: str | None = None
    description: str | None = None
    flow_response: dict[str, Any] | None = None
    flow_response_json: str | None = None


@dataclass(frozen=True)
class Referral:
    """Where the conversation came from (a click-to-WhatsApp ad or post)."""

    source_type: str | None
    source_id: str | None
    source_url: str | None
    headline: str | None = None
    body: str | None = None
    media_type: str | None = None
    ctwa_clid: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MessageEdit:
    """The customer edited an earlier message."""

    original_message_id: str | None
    new_text: str | None
    new_message: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SystemChange:
    """A system notice, e.g. the customer changed their number (``new_wa_id``)."""

    kind: str | None
    body: str | None
    new_wa_id: str | None = None


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class StatusUpdate:
    """News about a message we sent: sent, delivered, read, failed, deleted, played, warning."""

    message_id: str | None
    status: str
    timestamp: datetime | None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    generation: Generation = "cloud"
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    errors: tuple[ErrorInfo, ...] = ()
    conversation_id: str | None = None
    conversation_expires_at: datetime | None = None
    conversation_origin: str | None = None
    pricing: dict[str, Any] | None = None
    biz_opaque_callback_data: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rank(self) -> int:
        return status_rank(self.status)

    @property
    def error(self) -> D360Error | None:
        """The first error as an exception (family, transient flag, words for users)."""
        return self.errors[0].to_exception() if self.errors else None


@dataclass(frozen=True)
class TemplateStatusChange:
    """A template was approved, rejected, paused, disabled… (``message_template_status_update``)."""

    event: str | None
    template_id: str | None
    name: str | None
    language: str | None
    reason: str | None = None
    category: str | None = None
    waba_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class AccountEvent:
    """Any other webhook field (account_update, quality, template category/quality updates,
    user_preferences, groups, calls…): kept whole, for the account log."""

    field: str
    value: Any
    waba_id: str | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class ErrorNotice:
    """An error WhatsApp reported outside any message or status (e.g. 130429 rate limit)."""

    error: ErrorInfo
    generation: Generation = "cloud"
    phone_number_id: str | None = None
    display_phone_number: str | None = None


@dataclass(frozen=True)
class Ignored:
    """Something deliberately not turned into an event, and why (empty change, metadata only)."""

    reason: str


Event = (
    InboundMessage
    | MessageEcho
    | StatusUpdate
    | TemplateStatusChange
    | AccountEvent
    | ErrorNotice
    | Ignored
)


@dataclass(frozen=True)
class ParsedWebhook:
    events: tuple[Event, ...]
    problems: tuple[str, ...]

    @property
    def messages(self) -> tuple[InboundMessage, ...]:
        return tuple(e for e in self.events if isinstance(e, InboundMessage))

    @property
    def statuses(self) -> tuple[StatusUpdate, ...]:
        return tuple(e for e in self.events if isinstance(e, StatusUpdate))

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[0-9A-Za-z]+$")
_DIGITS = re.compile(r"^\+?\d{3,20}$")


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _timestamp(value: object, what: str, problems: list[str]) -> datetime | None:
    """Unix seconds (string or number) → aware UTC datetime; a problem when absent or wrong."""
    if value is None or value == "":
        problems.append(f"{what} has no timestamp")
        return None
    seconds = _float(value)
    if seconds is None:
        problems.append(f"{what} has an invalid timestamp {value!r}")
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        problems.append(f"{what} has an out-of-range timestamp {value!r}")
        return None


def _is_bsuid(value: str | None) -> bool:
    return bool(value and _BSUID.match(value))


def _phone_digits(value: str | None) -> str | None:
    if value and _DIGITS.match(value):
        return value.lstrip("+")
    return None


@dataclass(frozen=True)
class _Route:
    """Where a ``value`` came from: which number it is for (the channel routing keys)."""

    generation: Generation
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    waba_id: str | None = None


def _errors(raw: object) -> tuple[ErrorInfo, ...]:
    return tuple(ErrorInfo.from_dict(item) for item in _list(raw))


def _shared_contacts(raw: object) -> tuple[SharedContact, ...]:
    result = []
    for card in _list(raw):
        card = _dict(card)
        name = _dict(card.get("name"))
        full = _text(name.get("formatted_name")) or " ".join(
            p for p in (_text(name.get("first_name")), _text(name.get("last_name"))) if p
        )
        phones = tuple(
            p for p in (_text(_dict(x).get("phone")) for x in _list(card.get("phones"))) if p
        )
        wa_ids = tuple(
            p for p in (_text(_dict(x).get("wa_id")) for x in _list(card.get("phones"))) if p
        )
        result.append(
            SharedContact(
                name=full or (phones[0] if phones else ""), phones=phones, wa_ids=wa_ids, raw=card
            )
        )
    return tuple(result)


def _order_summary(order: dict[str, Any]) -> str:
    items = [_dict(i) for i in _list(order.get("product_items"))]
    parts = [
        f"{_int(i.get('quantity')) or 1}× {_text(i.get('product_retailer_id')) or '?'}"
        for i in items
    ]
    currencies = {_text(i.get("currency")) for i in items} - {None}
    line = "🛒 " + ", ".join(parts) if parts else "🛒"
    if len(currencies) == 1:
        total = sum(
            (_float(i.get("item_price")) or 0) * (_int(i.get("quantity")) or 1) for i in items
        )
        line += f" — {total:g} {currencies.pop()}"
    note = _text(order.get("text"))
    return f"{line} · {note}" if note else line


@dataclass
class _Content:
    """What a message says, shared by inbound messages, edits and echoes."""

    text: str | None = None
    media: MediaRef | None = None
    reaction: Reaction | None = None
    location: Location | None = None
    contacts: tuple[SharedContact, ...] = ()
    interactive: Interactive | None = None
    edit: MessageEdit | None = None
    revoked_message_id: str | None = None
    system: SystemChange | None = None


def _content(msg: dict[str, Any], what: str, problems: list[str]) -> _Content:
    kind = _text(msg.get("type")) or ""
    body = msg.get(kind) if kind else None
    out = _Content()
    if kind == "text" or (kind not in MEDIA_TYPES and isinstance(msg.get("text"), dict)):
        out.text = _dict(msg.get("text")).get("body") or None
    if kind in MEDIA_TYPES:
        if isinstance(body, dict):
            out.media = MediaRef.from_dict(body, voice=kind == "voice")
            out.text = out.media.caption or (out.media.filename if kind == "document" else None)
        else:
            problems.append(f"{what} is of type {kind!r} but has no {kind!r} object")
    elif kind == "location":
        loc = _dict(body)
        out.location = Location(
            latitude=_float(loc.get("latitude")),
            longitude=_float(loc.get("longitude")),
            name=_text(loc.get("name")),
            address=_text(loc.get("address")),
            url=_text(loc.get("url")),
        )
        out.text = out.location.summary() or None
    elif kind == "contacts":
        out.contacts = _shared_contacts(msg.get("contacts"))
        out.text = ", ".join(c.name for c in out.contacts if c.name) or None
    elif kind == "reaction":
        reaction = _dict(body)
        out.reaction = Reaction(
            message_id=_text(reaction.get("message_id")), emoji=reaction.get("emoji") or ""
        )
        out.text = out.reaction.emoji or None
        if out.reaction.message_id is None:
            problems.append(f"{what} is a reaction without the id of the message it reacts to")
    elif kind == "button":
        button = _dict(body)
        out.interactive = Interactive(
            kind="button", id=_text(button.get("payload")), title=_text(button.get("text"))
        )
        out.text = out.interactive.title
    elif kind == "interactive":
        out.interactive = _interactive(_dict(body), what, problems)
        out.text = out.interactive.title
    elif kind == "order":
        out.text = _order_summary(_dict(body))
    elif kind == "system":
        system = _dict(body)
        out.system = SystemChange(
            kind=_text(system.get("type")),
            body=_text(system.get("body")),
            new_wa_id=_text(system.get("new_wa_id")) or _text(system.get("wa_id")),
        )
        out.text = out.system.body
    elif kind == "edit":
        edit = _dict(body)
        inner = _dict(edit.get("message"))
        inner_content = _content(inner, f"{what} (edited content)", problems) if inner else None
        out.edit = MessageEdit(
            original_message_id=_text(edit.get("original_message_id")),
            new_text=inner_content.text if inner_content else None,
            new_message=inner,
        )
        out.text = out.edit.new_text
        if inner_content:
            out.media = inner_content.media
    elif kind == "revoke":
        out.revoked_message_id = _text(_dict(body).get("original_message_id"))
    elif out.text is None and isinstance(body, dict):
        out.text = _text(body.get("body")) or _text(body.get("text"))
    return out


def _interactive(body: dict[str, Any], what: str, problems: list[str]) -> Interactive:
    kind = _text(body.get("type")) or "unknown"
    reply = _dict(body.get(kind))
    if kind == "nfm_reply":
        raw_json = reply.get("response_json")
        parsed: dict[str, Any] | None = None
        if isinstance(raw_json, str):
            try:
                value = json.loads(raw_json)
            except ValueError:
                value = None
            if isinstance(value, dict):
                parsed = value
            else:
                problems.append(f"{what}: the Flow response is not a JSON object")
        elif isinstance(raw_json, dict):
            parsed, raw_json = raw_json, json.dumps(raw_json, ensure_ascii=False)
        return Interactive(
            kind=kind,
            id=_text(reply.get("name")),
            title=_text(reply.get("body")),
            flow_response=parsed,
            flow_response_json=raw_json if isinstance(raw_json, str) else None,
        )
    if not reply:
        problems.append(f"{what} is interactive of kind {kind!r} without its {kind!r} object")
    return Interactive(
        kind=kind,
        id=_text(reply.get("id")),
        title=_text(reply.get("title")),
        description=_text(reply.get("description")),
    )


def _referral(raw: object) -> Referral | None:
    if not isinstance(raw, dict):
        return None
    return Referral(
        source_type=_text(raw.get("source_type")),
        source_id=_text(raw.get("source_id")),
        source_url=_text(raw.get("source_url")),
        headline=_text(raw.get("headline")),
        body=_text(raw.get("body")),
        media_type=_text(raw.get("media_type")),
        ctwa_clid=_text(raw.get("ctwa_clid")),
        raw=raw,
    )


def _find_contact(contacts: list[dict[str, Any]], wa_id: str | None, user_id: str | None) -> dict:
    for contact in contacts:
        if (wa_id and _text(contact.get("wa_id")) == wa_id) or (
            user_id and _text(contact.get("user_id")) == user_id
        ):
            return contact
    # On-Premise bodies name the sender in the single contact even when ``wa_id`` differs
    # from ``from`` (chatwoot d360_inbound_contacts_vcard.json).
    return contacts[0] if len(contacts) == 1 else {}


def _checked_user_id(value: object, what: str, problems: list[str]) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if _is_bsuid(text):
        return text
    problems.append(f"{what} has an invalid user id {text!r} (expected like 'US.1234'); ignored")
    return None


def _inbound(
    msg: dict[str, Any], route: _Route, contacts: list[dict[str, Any]], problems: list[str]
) -> InboundMessage:
    message_id = _text(msg.get("id"))
    what = f"message {message_id}" if message_id else "a message"
    if message_id is None:
        problems.append("a message has no id (it cannot be deduplicated or replied to)")
    sender = _text(msg.get("from"))
    wa_id = _phone_digits(sender)
    user_id = _checked_user_id(msg.get("from_user_id"), what, problems)
    parent_user_id = _checked_user_id(msg.get("from_parent_user_id"), what, problems)
    if sender and wa_id is None:
        if _is_bsuid(sender):
            user_id = user_id or sender
        else:
            problems.append(
                f"{what} comes from {sender!r}, which is neither a phone number nor a user id"
            )
    contact = _find_contact(contacts, wa_id, user_id)
    contact_user_id = _text(contact.get("user_id"))
    if contact_user_id == _text(msg.get("from_user_id")):
        contact_user_id = user_id  # same value: already checked (and reported) above
    else:
        contact_user_id = _checked_user_id(contact_user_id, f"{what} (contact)", problems)
    user_id = user_id or contact_user_id
    parent_user_id = parent_user_id or (
        _text(contact.get("parent_user_id"))
        if _is_bsuid(_text(contact.get("parent_user_id")))
        else None
    )
    if wa_id is None and user_id is None:
        problems.append(f"{what} has no sender (no 'from' phone and no user id)")
    profile = _dict(contact.get("profile"))
    kind = _text(msg.get("type"))
    if kind is None:
        problems.append(f"{what} has no type")
    content = _content(msg, what, problems)
    context = _dict(msg.get("context"))
    errors = _errors(msg.get("errors"))
    return InboundMessage(
        message_id=message_id,
        wa_id=wa_id,
        type=kind or "unknown",
        timestamp=_timestamp(msg.get("timestamp"), what, problems),
        text=content.text,
        generation=route.generation,
        phone_number_id=route.phone_number_id,
        display_phone_number=route.display_phone_number,
        waba_id=route.waba_id,
        contact_name=_text(profile.get("name")),
        username=_text(profile.get("username")),
        user_id=user_id,
        parent_user_id=parent_user_id,
        media=content.media,
        context_message_id=_text(context.get("id")),
        context_from=_text(context.get("from")),
        forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
        reaction=content.reaction,
        location=content.location,
        contacts=content.contacts,
        interactive=content.interactive,
        referral=_referral(msg.get("referral")),
        edit=content.edit,
        revoked_message_id=content.revoked_message_id,
        system=content.system,
        group_id=_text(msg.get("group_id")),
        errors=errors,
        raw=msg,
    )


def _status(
    raw: dict[str, Any], route: _Route, contacts: list[dict[str, Any]], problems: list[str]
) -> StatusUpdate | Ignored:
    message_id = _text(raw.get("id"))
    what = f"status of message {message_id}" if message_id else "a status"
    if message_id is None:
        problems.append("a status has no message id; it cannot be matched to a message")
    status = (_text(raw.get("status")) or "").lower()
    if status not in KNOWN_STATUSES:
        problems.append(f"{what} has an unknown status {raw.get('status')!r}; ignored")
        return Ignored(f"unknown status {raw.get('status')!r} for message {message_id}")
    recipient = _text(raw.get("recipient_id")) or _text(
        _dict(raw.get("message")).get("recipient_id")
    )
    contact = next((c for c in contacts if recipient and _text(c.get("wa_id")) == recipient), {})
    conversation = _dict(raw.get("conversation"))
    expires = conversation.get("expiration_timestamp")
    pricing = raw.get("pricing") if isinstance(raw.get("pricing"), dict) else None
    return StatusUpdate(
        message_id=message_id,
        status=status,
        timestamp=_timestamp(raw.get("timestamp"), what, problems),
        recipient_id=recipient,
        recipient_user_id=_text(raw.get("recipient_user_id")) or _text(contact.get("user_id")),
        recipient_parent_user_id=_text(raw.get("recipient_parent_user_id"))
        or _text(contact.get("parent_user_id")),
        generation=route.generation,
        phone_number_id=route.phone_number_id,
        display_phone_number=route.display_phone_number,
        errors=_errors(raw.get("errors")),
        conversation_id=_text(conversation.get("id")),
        conversation_expires_at=_timestamp(expires, f"{what} (conversation expiry)", problems)
        if expires is not None
        else None,
        conversation_origin=_text(_dict(conversation.get("origin")).get("type")),
        pricing=pricing,
        biz_opaque_callback_data=_text(raw.get("biz_opaque_callback_data")),
        raw=raw,
    )


def _echo(msg: dict[str, Any], route: _Route, problems: list[str]) -> MessageEcho:
    message_id = _text(msg.get("id"))
    what = f"echo {message_id}" if message_id else "an echo"
    content = _content(msg, what, problems)
    to = _text(msg.get("to"))
    to_wa_id = _phone_digits(to)
    to_user_id = _checked_user_id(msg.get("to_user_id"), what, problems)
    if to_wa_id is None and to_user_id is None:
        problems.append(f"{what} has no recipient (no 'to' phone and no user id)")
    return MessageEcho(
        message_id=message_id,
        to_wa_id=to_wa_id,
        type=_text(msg.get("type")) or "unknown",
        timestamp=_timestamp(msg.get("timestamp"), what, problems) if "timestamp" in msg else None,
        text=content.text,
        from_number=_text(msg.get("from")),
        to_user_id=to_user_id,
        to_parent_user_id=_checked_user_id(msg.get("to_parent_user_id"), what, problems),
        phone_number_id=route.phone_number_id,
        display_phone_number=route.display_phone_number,
        media=content.media,
        raw=msg,
    )


class _Collector:
    """Accumulates events and problems for one body; drops exact repeats of a message id."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.problems: list[str] = []
        self._seen_messages: set[str] = set()

    def add_message(self, message: InboundMessage) -> None:
        if message.message_id and message.message_id in self._seen_messages:
            self.problems.append(
                f"message {message.message_id} appears twice in the same body; kept the first"
            )
            return
        if message.message_id:
            self._seen_messages.add(message.message_id)
        self.events.append(message)

    def result(self) -> ParsedWebhook:
        return ParsedWebhook(events=tuple(self.events), problems=tuple(self.problems))


def _items(value: dict[str, Any], key: str, where: str, out: _Collector) -> list[dict[str, Any]]:
    raw = value.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        out.problems.append(f"{where}: {key!r} is a {type(raw).__name__}, expected a list")
        return []
    items = []
    for item in raw:
        if isinstance(item, dict):
            items.append(item)
        else:
            out.problems.append(f"{where}: an item of {key!r} is not an object: {item!r}")
    return items


def _parse_messages_value(
    value: dict[str, Any], route: _Route, where: str, out: _Collector
) -> None:
    """The payload of a ``messages`` change (Cloud) or a whole On-Premise body."""
    contacts = _items(value, "contacts", where, out)
    messages = _items(value, "messages", where, out)
    statuses = _items(value, "statuses", where, out)
    errors = _items(value, "errors", where, out)
    for msg in messages:
        out.add_message(_inbound(msg, route, contacts, out.problems))
    for raw in statuses:
        out.events.append(_status(raw, route, contacts, out.problems))
    for error in errors:
        out.events.append(
            ErrorNotice(
                error=ErrorInfo.from_dict(error),
                generation=route.generation,
                phone_number_id=route.phone_number_id,
                display_phone_number=route.display_phone_number,
            )
        )
    if not (messages or statuses or errors):
        present = sorted(k for k in value if value.get(k) not in (None, [], {}))
        out.events.append(
            Ignored(f"{where}: nothing to process (only {', '.join(present) or 'empty value'})")
        )


def _template_status(value: dict[str, Any], waba_id: str | None) -> TemplateStatusChange:
    return TemplateStatusChange(
        event=_text(value.get("event")),
        template_id=_text(value.get("message_template_id")),
        name=_text(value.get("message_template_name")),
        language=_text(value.get("message_template_language")),
        reason=_text(value.get("reason")),
        category=_text(value.get("message_template_category")),
        waba_id=waba_id,
        raw=value,
    )


def _guess_field(value: dict[str, Any]) -> str:
    """Some senders (and test fixtures) leave out ``field``; infer it from the value's keys."""
    if "message_echoes" in value:
        return "smb_message_echoes"
    if "event" in value and "message_template_id" in value:
        return "message_template_status_update"
    return "messages"


def _parse_change(
    change: object, entry_where: str, waba_id: str | None, time: datetime | None, out: _Collector
) -> None:
    where = entry_where
    if not isinstance(change, dict) or not change:
        out.events.append(Ignored(f"{where}: empty change"))
        return
    value = change.get("value")
    field_name = _text(change.get("field"))
    if not isinstance(value, dict):
        out.problems.append(f"{where}: change {field_name or '?'} has no value object")
        out.events.append(Ignored(f"{where}: change without a value"))
        return
    field_name = field_name or _guess_field(value)
    where = f"{where} field {field_name}"
    metadata = _dict(value.get("metadata"))
    route = _Route(
        generation="cloud",
        phone_number_id=_text(metadata.get("phone_number_id")),
        display_phone_number=_text(metadata.get("display_phone_number")),
        waba_id=waba_id,
    )
    if field_name == "messages":
        _parse_messages_value(value, route, where, out)
    elif field_name == "smb_message_echoes":
        echoes = _items(value, "message_echoes", where, out)
        for echo in echoes:
            out.events.append(_echo(echo, route, out.problems))
        if not echoes:
            out.events.append(Ignored(f"{where}: no message_echoes"))
    elif field_name == "message_template_status_update":
        out.events.append(_template_status(value, waba_id))
    else:
        out.events.append(AccountEvent(field=field_name, value=value, waba_id=waba_id, time=time))


def _parse_cloud(body: dict[str, Any], out: _Collector) -> None:
    obj = body.get("object")
    if obj != "whatsapp_business_account":
        out.problems.append(f"unexpected object {obj!r} (expected 'whatsapp_business_account')")
    entries = body.get("entry")
    if not isinstance(entries, list):
        out.problems.append(
            f"'entry' is {type(entries).__name__ if entries is not None else 'missing'}, "
            "expected a list; nothing could be read"
        )
        return
    if not entries:
        out.events.append(Ignored("the body has an empty 'entry' list"))
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            out.problems.append(f"entry {index} is not an object")
            continue
        waba_id = _text(entry.get("id"))
        where = f"entry {index}"
        time = None
        if entry.get("time") is not None:
            time = _timestamp(entry.get("time"), where, out.problems)
        changes = entry.get("changes")
        if not isinstance(changes, list):
            out.problems.append(f"{where}: 'changes' is missing or not a list")
            continue
        if not changes:
            out.events.append(Ignored(f"{where}: no changes"))
        for change_index, change in enumerate(changes):
            _parse_change(change, f"{where} change {change_index}", waba_id, time, out)


def parse_webhook(body: object) -> ParsedWebhook:
    """Read one webhook body (already-decoded JSON, or its bytes/str) into typed events.

    Never raises. Anything unreadable becomes a sentence in ``problems``; whatever could still be
    read is returned. A body that carries nothing to act on yields an ``Ignored`` with the reason,
    so no body ever silently produces nothing.
    """
    out = _Collector()
    if isinstance(body, bytes | bytearray | str):
        try:
            body = json.loads(body)
        except ValueError as exc:
            out.problems.append(f"the body is not valid JSON ({getattr(exc, 'msg', exc)})")
            return out.result()
    if not isinstance(body, dict):
        out.problems.append(f"the body is a JSON {type(body).__name__}, expected an object")
        return out.result()
    try:
        if "object" in body or "entry" in body:
            _parse_cloud(body, out)
        elif any(key in body for key in ("messages", "statuses", "errors", "contacts")):
            _parse_messages_value(body, _Route(generation="onprem"), "on-premise body", out)
        else:
            keys = ", ".join(sorted(map(str, body))) or "no keys"
            out.problems.append(f"unrecognised body ({keys}): neither Cloud nor On-Premise")
    except Exception as exc:  # noqa: BLE001 — the receiver must never crash on a body
        out.problems.append(f"internal parser error: {type(exc).__name__}: {exc}")
    return out.result()
