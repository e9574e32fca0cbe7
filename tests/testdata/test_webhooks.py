"""Every body of ``webhooks/`` through ``parse_webhook`` and then through the receiver and the
processor into the store, with what must come out of each.

One row per file, as in courier's testdata: the event the body carries, key fields of that event
(``"media.voice"`` reads nested objects), and what the store holds about it afterwards. A file
without a row fails ``test_every_file_has_a_row``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.d360.errors import (
    InvalidRequest,
    MarketingLimited,
    MarketingStopped,
    RateLimited,
    WindowClosed,
)
from core.d360.events import (
    AccountEvent,
    ErrorNotice,
    Event,
    InboundMessage,
    Pricing,
    StatusUpdate,
    TemplateStatusChange,
    parse_webhook,
)
from core.models import Channel, Message, RemoteTemplate, WebhookEvent
from core.webhooks import processor, receiver
from tests.store_helpers import WEBHOOK_SECRET, make_channel, make_sent_message
from tests.testdata import HERE, load, names

CUSTOMER = "5493415551234"
SENT_AT = datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
STATUS_AT = datetime(2025, 6, 8, 20, 59, 50, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    """What one file must give: its single event, some of its fields, and what is stored."""

    event: type[Event]
    fields: dict[str, Any]
    stored: tuple[Any, ...] = field(default=())


def inbound(type_: str, text: str | None, **fields: Any) -> Row:
    """A customer's message: stored as an incoming message of that type, showing ``text``."""
    return Row(
        InboundMessage,
        {"wa_id": CUSTOMER, "type": type_, "text": text, "timestamp": SENT_AT, **fields},
        ("in", type_, text or ""),
    )


def status(name: str, error_code: int | None = None, **fields: Any) -> Row:
    """A status of a message we sent: that message takes it (and keeps WhatsApp's error code)."""
    return Row(
        StatusUpdate,
        {"status": name, "recipient_id": CUSTOMER, "timestamp": STATUS_AT, **fields},
        (name, error_code),
    )


MESSAGES: dict[str, Row] = {
    "text": inbound(
        "text",
        "¿Hacen envíos a Rosario?",
        message_id="wamid.in.text",
        contact_name="Marta Gómez",
        phone_number_id="106540352242922",
        display_phone_number="15550783881",
        waba_id="102290129340398",
    ),
    "image": inbound(
        "image",
        "Así llegó la caja",
        **{"media.id": "1003383421387256", "media.mime_type": "image/jpeg"},
    ),
    "audio": inbound("audio", None, **{"media.voice": True, "media.id": "1003383421387257"}),
    "video": inbound("video", "Se ve el golpe", **{"media.mime_type": "video/mp4"}),
    "document": inbound(
        "document",
        "La factura",
        **{"media.filename": "factura-marzo.pdf", "media.caption": "La factura"},
    ),
    "sticker": inbound(
        "sticker", None, **{"media.mime_type": "image/webp", "media.animated": False}
    ),
    "location": inbound(
        "location",
        "Monumento a la Bandera, Santa Fe 581, Rosario",
        **{"location.latitude": -32.9477, "location.longitude": -60.6304},
    ),
    "contacts": inbound("contacts", "Juan Pérez", **{"contacts.0.phones": ("+54 9 341 555-0000",)}),
    "order": inbound("order", "🛒 2× yerba-1kg, 1× mate-calabaza — 85 ARS · Para el sábado"),
    "referral": inbound(
        "text",
        "Hola, quiero saber más",
        **{"referral.source_type": "ad", "referral.headline": "Escribinos"},
    ),
    "onprem_text": inbound(
        "text", "Hola, ¿siguen abiertos?", generation="onprem", display_phone_number=None
    ),
}
"""What customers send."""

ANSWERS: dict[str, Row] = {
    "interactive_button_reply": inbound(
        "interactive",
        "Sí, cambiar",
        context_message_id="wamid.out.buttons",
        **{"interactive.kind": "button_reply", "interactive.id": "change-yes"},
    ),
    "interactive_list_reply": inbound(
        "interactive",
        "Envío exprés",
        **{"interactive.kind": "list_reply", "interactive.description": "Llega en 24 horas"},
    ),
    "button": inbound(
        "button",
        "Dejar de recibir",
        context_message_id="wamid.out.template",
        **{"interactive.kind": "button", "interactive.id": "Dejar de recibir"},
    ),
    "reaction": inbound(
        "reaction",
        "👍",
        **{"reaction.message_id": "wamid.out.reacted", "reaction.removed": False},
    ),
    "system": inbound(
        "system",
        "Marta Gómez changed from 5493415551234 to 5493415559876",
        contact_name=None,
        **{"system.kind": "user_changed_number", "system.new_wa_id": "5493415559876"},
    ),
    "unsupported": inbound(
        "unsupported", None, **{"errors.0.code": 131051, "error_family": InvalidRequest}
    ),
}
"""Customers answering what we sent, and WhatsApp speaking for them."""

STATUSES: dict[str, Row] = {
    "status_sent": status(
        "sent",
        conversation_id="6ceb9d929c5ce4a7ff3a3ad0f9f3b0b4",
        conversation_expires_at=datetime(2025, 6, 9, 20, 59, 50, tzinfo=UTC),
        conversation_origin="service",
        **{"pricing.category": "service"},
    ),
    "status_delivered": status("delivered", conversation_expires_at=None),
    "status_read": status("read", pricing=None),
    "status_failed": status(
        "failed", 131047, **{"errors.0.code": 131047, "error_family": WindowClosed}
    ),
    "status_sent_pmp": status(
        "sent",
        conversation_id=None,
        pricing=Pricing(model="PMP", category="marketing", type="regular", billable=True),
    ),
    "status_failed_stopped_marketing": status(
        "failed", 131050, **{"errors.0.code": 131050, "error_family": MarketingStopped}
    ),
    "status_failed_marketing_limit": status(
        "failed", 131049, **{"errors.0.code": 131049, "error_family": MarketingLimited}
    ),
    "onprem_status_read": status("read", generation="onprem", phone_number_id=None),
}
"""News about messages we sent."""

ACCOUNT_EVENTS: dict[str, Row] = {
    "errors": Row(
        ErrorNotice,
        {"error.code": 130429, "error_family": RateLimited, "phone_number_id": "106540352242922"},
        (130429,),
    ),
    "template_approved": Row(
        TemplateStatusChange,
        {"name": "pedido_listo", "language": "es_AR", "template_id": "1689556908129832"},
        ("APPROVED", None),  # reason "NONE" means none
    ),
    "template_rejected": Row(
        TemplateStatusChange,
        {"name": "oferta_flash", "event": "REJECTED", "reason": "INVALID_FORMAT"},
        ("REJECTED", "INVALID_FORMAT"),
    ),
    "account_update": Row(
        AccountEvent,
        {
            "field": "account_update",
            "value.event": "ACCOUNT_VIOLATION",
            "waba_id": "102290129340398",
        },
    ),
}
"""About the number, its templates and its account."""

ROWS = {**MESSAGES, **ANSWERS, **STATUSES, **ACCOUNT_EVENTS}


def _read(obj: Any, path: str) -> Any:
    if path == "error_family":  # the family WhatsApp's first error code belongs to
        errors = getattr(obj, "errors", None) or (obj.error,)
        return type(errors[0].to_exception())
    for part in path.split("."):
        if part.isdigit():
            obj = obj[int(part)]
        else:
            obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def test_every_file_has_a_row() -> None:
    assert sorted(ROWS) == names("webhooks"), "add a row to ROWS for every file in webhooks/"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_parser_reads_each_body(name: str) -> None:
    row = ROWS[name]
    parsed = parse_webhook((HERE / "webhooks" / f"{name}.json").read_bytes())
    assert parsed.problems == ()
    assert [type(event) for event in parsed.events] == [row.event]
    for path, expected in row.fields.items():
        assert _read(parsed.events[0], path) == expected, path


def _stored(session: Session, channel: Channel, event: Event) -> tuple[Any, ...]:
    """What the store says about one event, in the shape of ``Row.stored``."""
    if isinstance(event, InboundMessage | StatusUpdate):
        query = select(Message).where(Message.wa_message_id == event.message_id)
        message = session.exec(query).one()
        if isinstance(event, InboundMessage):
            return (message.direction, message.type, message.text)
        return (message.status.value, message.error_code)
    if isinstance(event, TemplateStatusChange):
        template = session.exec(select(RemoteTemplate).where(RemoteTemplate.name == event.name))
        one = template.one()
        return (one.status, one.rejected_reason)
    if isinstance(event, ErrorNotice):
        return (session.get(Channel, channel.id).last_error_code,)
    return ()


def test_the_receiver_and_the_processor_store_what_each_body_carries(engine: Engine) -> None:
    """All files into one store, as 360Dialog would post them: each answered 200, processed
    without a problem, and its effect stored."""
    channel = make_channel(engine)  # the number every file names
    parsed = {name: parse_webhook(load(f"webhooks/{name}.json")) for name in ROWS}
    with Session(engine) as session:
        for result in parsed.values():
            for update in result.statuses:
                make_sent_message(session, channel, update.message_id or "", CUSTOMER)
        session.commit()
    for name in ROWS:
        body = json.dumps(load(f"webhooks/{name}.json")).encode()
        assert receiver.receive(engine, channel.id, WEBHOOK_SECRET, body).status_code == 200, name
    processor.process_pending(engine)
    with Session(engine) as session:
        outcomes = session.exec(select(WebhookEvent.state, WebhookEvent.problems)).all()
        assert set(outcomes) == {("processed", None)}
        found = {name: _stored(session, channel, parsed[name].events[0]) for name in ROWS}
    assert found == {name: row.stored for name, row in ROWS.items()}
