"""Rows the store tests need again and again (a connected channel without going through 360Dialog)."""

from __future__ import annotations

from sqlalchemy import Engine

from core import crypto
from core.db import session_scope
from core.models import Channel

WEBHOOK_SECRET = "test-webhook-secret"


def make_channel(
    engine: Engine,
    *,
    number: str = "+15550783881",
    phone_number_id: str | None = "106540352242922",
    base_url: str = "http://127.0.0.1:9",
    api_key: str = "test-api-key",
    greeting: str = "",
    generation: str = "cloud",
) -> Channel:
    with session_scope(engine) as session:
        channel = Channel(
            name="Ventas",
            number=number,
            phone_number_id=phone_number_id,
            generation=generation,
            base_url=base_url,
            api_key_encrypted=crypto.encrypt(api_key),
            api_key_hint=crypto.mask(api_key),
            webhook_secret_hash=crypto.fingerprint(WEBHOOK_SECRET),
            greeting_message=greeting,
        )
        session.add(channel)
        session.flush()
        return channel
