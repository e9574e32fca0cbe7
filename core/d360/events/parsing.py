"""Reading a whole webhook body into events: every entry, every change, never raising.

``parse_webhook(body)`` only reads, for any JSON value. It returns every event it could build plus
a list of *problems* (plain sentences) for whatever was broken, so the receiver can answer 200,
store the raw body, and let someone look at the problems later. A body with several entries or
changes (360Dialog batches them) is read whole, not only its first entry. Both body shapes are
accepted:

- Cloud API (today's default): ``{"object": ..., "entry": [{"changes": [{"field", "value"}]}]}``,
  as in https://docs.360dialog.com/docs/waba-messaging/webhook and
  https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components.
- On-Premise (legacy): flat ``{"contacts", "messages"}`` / ``{"statuses"}`` / ``{"errors"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.d360.events.account import AccountEvent, ErrorNotice, TemplateStatusChange
from core.d360.events.base import Ignored, Route, as_dict, as_text, read_timestamp
from core.d360.events.messages import InboundMessage, MessageEcho
from core.d360.events.statuses import StatusUpdate

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


def _parse_messages_value(value: dict[str, Any], route: Route, where: str, out: _Collector) -> None:
    """The payload of a ``messages`` change (Cloud) or a whole On-Premise body."""
    contacts = _items(value, "contacts", where, out)
    messages = _items(value, "messages", where, out)
    statuses = _items(value, "statuses", where, out)
    errors = _items(value, "errors", where, out)
    for msg in messages:
        out.add_message(InboundMessage.from_raw(msg, route, contacts, out.problems))
    for raw in statuses:
        out.events.append(StatusUpdate.from_raw(raw, route, contacts, out.problems))
    for error in errors:
        out.events.append(ErrorNotice.from_raw(error, route))
    if not (messages or statuses or errors):
        present = sorted(k for k in value if value.get(k) not in (None, [], {}))
        out.events.append(
            Ignored(f"{where}: nothing to process (only {', '.join(present) or 'empty value'})")
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
    field_name = as_text(change.get("field"))
    if not isinstance(value, dict):
        out.problems.append(f"{where}: change {field_name or '?'} has no value object")
        out.events.append(Ignored(f"{where}: change without a value"))
        return
    field_name = field_name or _guess_field(value)
    where = f"{where} field {field_name}"
    metadata = as_dict(value.get("metadata"))
    route = Route(
        generation="cloud",
        phone_number_id=as_text(metadata.get("phone_number_id")),
        display_phone_number=as_text(metadata.get("display_phone_number")),
        waba_id=waba_id,
    )
    if field_name == "messages":
        _parse_messages_value(value, route, where, out)
    elif field_name == "smb_message_echoes":
        echoes = _items(value, "message_echoes", where, out)
        for echo in echoes:
            out.events.append(MessageEcho.from_raw(echo, route, out.problems))
        if not echoes:
            out.events.append(Ignored(f"{where}: no message_echoes"))
    elif field_name == "message_template_status_update":
        out.events.append(TemplateStatusChange.from_raw(value, waba_id))
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
        waba_id = as_text(entry.get("id"))
        where = f"entry {index}"
        time = None
        if entry.get("time") is not None:
            time = read_timestamp(entry.get("time"), where, out.problems)
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
            _parse_messages_value(body, Route(generation="onprem"), "on-premise body", out)
        else:
            keys = ", ".join(sorted(map(str, body))) or "no keys"
            out.problems.append(f"unrecognised body ({keys}): neither Cloud nor On-Premise")
    except Exception as exc:  # noqa: BLE001 — the receiver must never crash on a body
        out.problems.append(f"internal parser error: {type(exc).__name__}: {exc}")
    return out.result()
