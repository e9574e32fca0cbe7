"""A customer writing to the test channel through the real receive path (receiver, processor)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from core.models import Channel, Contact, Conversation, utcnow
from core.webhooks import processor, receiver
from tests import testdata
from tests.store_helpers import WEBHOOK_SECRET


def customer_writes(
    engine: Engine,
    channel_id: int,
    message_id: str,
    *,
    wa_id: str = "5493415551234",
    name: str = "Marta Gómez",
    text: str = "Hola",
    at: datetime | None = None,
) -> None:
    """One text message from ``wa_id`` (Meta's text webhook, our values) to the channel,
    stored and processed."""
    body = testdata.load("webhooks/text.json")
    value = body["entry"][0]["changes"][0]["value"]
    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        value["metadata"] = {
            "display_phone_number": channel.number.lstrip("+"),
            "phone_number_id": channel.phone_number_id,
        }
    value["contacts"][0].update(wa_id=wa_id, profile={"name": name})
    message = value["messages"][0]
    message.update(id=message_id, timestamp=str(int((at or utcnow()).timestamp())))
    message["from"], message["text"]["body"] = wa_id, text
    receiver.receive(engine, channel_id, WEBHOOK_SECRET, json.dumps(body).encode())
    processor.process_pending(engine)


def conversation_of(session: Session, wa_id: str = "5493415551234") -> Conversation:
    session.expire_all()
    found = session.exec(select(Conversation).join(Contact).where(Contact.wa_id == wa_id)).one()
    return found
