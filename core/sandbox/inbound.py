"""A customer writes to the business: build the message object, open the window, notify.

The customer side is driven by the control API (tests, the customer page, the chatter). Each
message becomes a webhook in the account's generation format, refreshes that contact's 24-hour
window and, since a customer who replies has the chat open, marks the business's earlier messages
as read.

Cloud and on-premise message objects differ in a few places the clients care about: a voice note
is ``type: "audio"`` with ``"voice": true`` on Cloud
(https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples) but
``type: "voice"`` on-premise (https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound);
message ids are wamids on Cloud.

A message WhatsApp cannot pass on to a business (a kind the Cloud API does not support yet)
reaches the webhook as ``type: "unsupported"`` with error 131051 instead of a content object (the
"Unsupported Message" example of Meta's OpenAPI; Cloud API only).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from core.sandbox import ids, media, payloads, statuses, templates
from core.sandbox.engine import Sandbox
from core.sandbox.errors import ApiError, cloud_status_error
from core.sandbox.state import Account, Message, digits

MESSAGE_TYPES = (
    "text",
    "image",
    "video",
    "document",
    "audio",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "button",
    "button_reply",
    "list_reply",
    "unsupported",
)


class CustomerInputError(ValueError):
    """The control API request describing the customer's message is unusable."""


def receive(sandbox: Sandbox, account: Account, customer: str, spec: dict[str, Any]) -> Message:
    """Deliver a customer's message to the business."""
    wa_id = digits(customer)
    if not wa_id:
        raise CustomerInputError("the customer number must contain digits")
    kind = spec.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise CustomerInputError(f"type must be one of {', '.join(MESSAGE_TYPES)}")
    now = sandbox.clock.now()
    onprem = account.generation == "onprem"
    message_id = ids.onprem_message_id(True) if onprem else ids.wamid(wa_id, inbound=True)
    obj: dict[str, Any] = {"from": wa_id, "id": message_id, "timestamp": str(int(now))}
    reply_to = spec.get("reply_to")
    original = account.messages.get(reply_to) if reply_to else None
    if reply_to:
        if original is None:
            raise CustomerInputError(f"reply_to {reply_to!r} is not a message of this chat")
        obj["context"] = {"from": account.display_phone_number, "id": reply_to}
    wire_type, content = BUILDERS[kind](account, spec, original, now)
    obj["type"] = wire_type
    if wire_type == "unsupported":
        obj["errors"] = [cloud_status_error(131051)]
    else:
        obj[wire_type] = content

    with sandbox.state.lock:
        contact = account.contact(wa_id, spec.get("name"))
        contact.last_inbound_at = now
        record = Message(
            id=message_id,
            direction="inbound",
            customer=wa_id,
            type=wire_type,
            payload=obj,
            timestamp=now,
            status="received",
        )
        account.messages[message_id] = record
    statuses.customer_reads(sandbox, account, wa_id)
    sandbox.emit(account, payloads.inbound(account, contact.name, wa_id, obj), f"message:{kind}")
    return record


Built = tuple[str, Any]


def _text(account: Account, spec: dict[str, Any], original: Message | None, now: float) -> Built:
    text = spec.get("text")
    if not isinstance(text, str) or not text:
        raise CustomerInputError("a text message needs a non-empty 'text'")
    return "text", {"body": text}


def _media(account: Account, spec: dict[str, Any], original: Message | None, now: float) -> Built:
    kind = spec["type"]
    default_mime, default_bytes = media.PLACEHOLDERS[kind]
    data = default_bytes
    if spec.get("data_base64"):
        try:
            data = base64.b64decode(spec["data_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise CustomerInputError("data_base64 is not valid base64") from None
    mime = spec.get("mime_type") or default_mime
    voice = bool(spec.get("voice", kind == "audio"))
    if kind == "audio" and voice:
        mime = spec.get("mime_type") or "audio/ogg; codecs=opus"
    filename = spec.get("filename")
    if kind == "document" and not filename:
        filename = f"document.{media.extension(mime)}"
    try:
        item = media.store(account, data, mime, now, filename)
    except ApiError as exc:  # an unsupported type is the caller's mistake here
        raise CustomerInputError(exc.details) from None
    content: dict[str, Any] = {"mime_type": mime, "sha256": item.sha256_b64, "id": item.id}
    if spec.get("caption") and kind in ("image", "video", "document"):
        content["caption"] = spec["caption"]
    if kind == "document":
        content["filename"] = filename
    if kind == "sticker":
        content["animated"] = False
    if kind == "audio":
        if account.generation == "onprem":
            return ("voice" if voice else "audio"), content
        content["voice"] = voice
    return kind, content


def _location(
    account: Account, spec: dict[str, Any], original: Message | None, now: float
) -> Built:
    """``{"location": {"latitude", "longitude", "name"?, "address"?, "url"?}}`` (nested, so the
    place's name does not clash with the customer's ``name``)."""
    place = spec.get("location")
    try:
        content: dict[str, Any] = {
            "latitude": float(place["latitude"]),
            "longitude": float(place["longitude"]),
        }
    except (KeyError, TypeError, ValueError):
        raise CustomerInputError(
            "a location needs {'location': {'latitude': …, 'longitude': …}}"
        ) from None
    for key in ("name", "address", "url"):
        if place.get(key):
            content[key] = place[key]
    return "location", content


def _contacts(
    account: Account, spec: dict[str, Any], original: Message | None, now: float
) -> Built:
    if isinstance(spec.get("contacts"), list) and spec["contacts"]:
        return "contacts", spec["contacts"]
    name, phone = spec.get("contact_name"), spec.get("contact_phone")
    if not name or not phone:
        raise CustomerInputError("contacts needs 'contacts' or 'contact_name' + 'contact_phone'")
    first, _, last = str(name).partition(" ")
    card: dict[str, Any] = {
        "name": {"formatted_name": name, "first_name": first},
        "phones": [{"phone": phone, "wa_id": digits(phone), "type": "CELL"}],
    }
    if last:
        card["name"]["last_name"] = last
    return "contacts", [card]


def _reaction(
    account: Account, spec: dict[str, Any], original: Message | None, now: float
) -> Built:
    target = spec.get("message_id")
    if not target or target not in account.messages:
        raise CustomerInputError("a reaction needs the 'message_id' of a message in this chat")
    return "reaction", {"message_id": target, "emoji": spec.get("emoji", "👍")}


def _button(account: Account, spec: dict[str, Any], original: Message | None, now: float) -> Built:
    """A tap on a template's quick-reply button (``type: "button"``)."""
    if original is None or original.type != "template":
        raise CustomerInputError("a button reply needs 'reply_to' naming a template message")
    text = spec.get("text")
    if not text:
        raise CustomerInputError("a button reply needs the button 'text'")
    payload = spec.get("payload") or _quick_reply_payload(account, original, text) or text
    return "button", {"payload": payload, "text": text}


def _quick_reply_payload(account: Account, original: Message, text: str) -> str | None:
    """The payload the business attached to that button when it sent the template."""
    if original.template is None:
        return None
    template = account.templates.get((original.template["name"], original.template["language"]))
    if template is None:
        return None
    labels = templates.quick_reply_labels(template)
    if text not in labels:
        return None
    index = str(labels.index(text))
    for component in original.payload["template"].get("components") or []:
        if str(component.get("type")).lower() == "button" and str(component.get("index")) == index:
            for parameter in component.get("parameters") or []:
                if parameter.get("type") == "payload":
                    return str(parameter.get("payload"))
    return None


def _interactive_reply(
    account: Account, spec: dict[str, Any], original: Message | None, now: float
) -> Built:
    """A tap on an interactive message's reply button or list row."""
    kind = spec["type"]
    if original is None or original.type != "interactive":
        raise CustomerInputError(f"a {kind} needs 'reply_to' naming an interactive message")
    choice_id = spec.get("id")
    options = _options(original.payload["interactive"], kind)
    chosen = options.get(choice_id) if choice_id else None
    if chosen is None:
        raise CustomerInputError(f"id must be one of {sorted(options)}")
    reply = {"id": choice_id, "title": chosen["title"]}
    if kind == "list_reply" and chosen.get("description"):
        reply["description"] = chosen["description"]
    return "interactive", {"type": kind, kind: reply}


def _options(interactive: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    action = interactive.get("action", {})
    if kind == "button_reply":
        return {b["reply"]["id"]: b["reply"] for b in action.get("buttons", [])}
    return {row["id"]: row for section in action.get("sections", []) for row in section["rows"]}


def _unsupported(
    account: Account, spec: dict[str, Any], original: Message | None, now: float
) -> Built:
    """Something the customer sent that WhatsApp does not pass on (e.g. a poll)."""
    if account.generation != "cloud":
        raise CustomerInputError("unsupported messages are reported by the Cloud API only")
    return "unsupported", None


BUILDERS = {
    "text": _text,
    **dict.fromkeys(("image", "video", "document", "audio", "sticker"), _media),
    "location": _location,
    "contacts": _contacts,
    "reaction": _reaction,
    "button": _button,
    "button_reply": _interactive_reply,
    "list_reply": _interactive_reply,
    "unsupported": _unsupported,
}
