"""The parts a webhook message or status is made of: errors, files, reactions, places, contact
cards, answers, referrals, edits and system notices.

Each builds itself from its raw object (``from_raw``), as WhatsApp documents it in
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components; a missing or
mistyped field becomes ``None``, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.d360.errors import D360Error, error_from_webhook
from core.d360.events.base import as_dict, as_float, as_int, as_list, as_text


@dataclass(frozen=True)
class ErrorInfo:
    """One item of an ``errors`` array in a webhook, as sent (``to_exception`` classifies it)."""

    code: int | None
    title: str | None
    message: str | None = None
    details: str | None = None
    href: str | None = None

    @classmethod
    def from_raw(cls, raw: object) -> ErrorInfo:
        if not isinstance(raw, dict):
            return cls(code=None, title=as_text(raw))
        data = raw.get("error_data") if isinstance(raw.get("error_data"), dict) else {}
        return cls(
            code=as_int(raw.get("code")),
            title=as_text(raw.get("title")),
            message=as_text(raw.get("message")),
            details=as_text(raw.get("details")) or as_text(data.get("details")),
            href=as_text(raw.get("href")),
        )

    @classmethod
    def all_from_raw(cls, raw: object) -> tuple[ErrorInfo, ...]:
        """Every item of an ``errors`` array; nothing when it is not a list."""
        return tuple(cls.from_raw(item) for item in as_list(raw))

    def to_exception(self) -> D360Error:
        """The error family for this code (which says whether a retry can help)."""
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
class Pricing:
    """What a message costs, from a status's ``pricing`` object.

    Under per-message pricing (``model == "PMP"``, since July 2025) ``type`` says whether the
    message is charged (``regular``) or free (``free_customer_service``: inside the 24-hour
    window; ``free_entry_point``: after an ad or a Facebook-page button), and ``category`` what it
    is charged as (``marketing``, ``utility``, ``authentication``,
    ``authentication_international``, ``marketing_lite``, ``service``). Conversation-based pricing
    (``CBP``) sent no ``type``. ``billable`` is deprecated but still sent
    (https://developers.facebook.com/docs/whatsapp/pricing,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/).
    """

    model: str | None
    category: str | None
    type: str | None = None
    billable: bool | None = None

    @classmethod
    def from_raw(cls, raw: object) -> Pricing | None:
        """The status's ``pricing`` object; ``None`` when it has none."""
        if not isinstance(raw, dict):
            return None
        billable = raw.get("billable")
        return cls(
            model=as_text(raw.get("pricing_model")),
            category=as_text(raw.get("category")),
            type=as_text(raw.get("type")),
            billable=billable if isinstance(billable, bool) else None,
        )

    def stored(self) -> dict[str, Any]:
        """What a message keeps of it: the fields that were sent."""
        return {
            key: value
            for key, value in (
                ("model", self.model),
                ("category", self.category),
                ("type", self.type),
                ("billable", self.billable),
            )
            if value is not None
        }


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
    def from_raw(cls, raw: dict[str, Any], *, voice: bool = False) -> MediaRef:
        return cls(
            id=as_text(raw.get("id")),
            mime_type=as_text(raw.get("mime_type")),
            sha256=as_text(raw.get("sha256")),
            filename=as_text(raw.get("filename")),
            caption=as_text(raw.get("caption")),
            url=as_text(raw.get("url")) or as_text(raw.get("link")),
            voice=voice or raw.get("voice") is True,
            animated=raw.get("animated") is True,
            status=as_text(raw.get("status")),
        )


@dataclass(frozen=True)
class Reaction:
    """An emoji put on (or, with an empty emoji, taken off) one of our messages."""

    message_id: str | None
    emoji: str

    @classmethod
    def from_raw(cls, raw: object) -> Reaction:
        reaction = as_dict(raw)
        return cls(
            message_id=as_text(reaction.get("message_id")), emoji=reaction.get("emoji") or ""
        )

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

    @classmethod
    def from_raw(cls, raw: object) -> Location:
        place = as_dict(raw)
        return cls(
            latitude=as_float(place.get("latitude")),
            longitude=as_float(place.get("longitude")),
            name=as_text(place.get("name")),
            address=as_text(place.get("address")),
            url=as_text(place.get("url")),
        )

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

    @classmethod
    def from_raw(cls, raw: object) -> SharedContact:
        """A card named by its formatted name, else first and last name, else its first phone."""
        card = as_dict(raw)
        name = as_dict(card.get("name"))
        full = as_text(name.get("formatted_name")) or " ".join(
            p for p in (as_text(name.get("first_name")), as_text(name.get("last_name"))) if p
        )
        numbers = [as_dict(x) for x in as_list(card.get("phones"))]
        phones = tuple(p for p in (as_text(x.get("phone")) for x in numbers) if p)
        wa_ids = tuple(p for p in (as_text(x.get("wa_id")) for x in numbers) if p)
        return cls(
            name=full or (phones[0] if phones else ""), phones=phones, wa_ids=wa_ids, raw=card
        )


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

    @classmethod
    def from_button(cls, raw: object) -> Interactive:
        """A template's quick-reply button (``type: button``): its payload is the id."""
        button = as_dict(raw)
        return cls(
            kind="button", id=as_text(button.get("payload")), title=as_text(button.get("text"))
        )

    @classmethod
    def from_raw(cls, body: dict[str, Any], what: str, problems: list[str]) -> Interactive:
        """An ``interactive`` object: a button or list reply, or a Flow's answer, whose JSON is
        kept both as sent and read (when it is an object)."""
        kind = as_text(body.get("type")) or "unknown"
        reply = as_dict(body.get(kind))
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
            return cls(
                kind=kind,
                id=as_text(reply.get("name")),
                title=as_text(reply.get("body")),
                flow_response=parsed,
                flow_response_json=raw_json if isinstance(raw_json, str) else None,
            )
        if not reply:
            problems.append(f"{what} is interactive of kind {kind!r} without its {kind!r} object")
        return cls(
            kind=kind,
            id=as_text(reply.get("id")),
            title=as_text(reply.get("title")),
            description=as_text(reply.get("description")),
        )


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

    @classmethod
    def from_raw(cls, raw: object) -> Referral | None:
        """The message's ``referral`` object; ``None`` when it has none."""
        if not isinstance(raw, dict):
            return None
        return cls(
            source_type=as_text(raw.get("source_type")),
            source_id=as_text(raw.get("source_id")),
            source_url=as_text(raw.get("source_url")),
            headline=as_text(raw.get("headline")),
            body=as_text(raw.get("body")),
            media_type=as_text(raw.get("media_type")),
            ctwa_clid=as_text(raw.get("ctwa_clid")),
            raw=raw,
        )


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

    @classmethod
    def from_raw(cls, raw: object) -> SystemChange:
        system = as_dict(raw)
        return cls(
            kind=as_text(system.get("type")),
            body=as_text(system.get("body")),
            new_wa_id=as_text(system.get("new_wa_id")) or as_text(system.get("wa_id")),
        )
