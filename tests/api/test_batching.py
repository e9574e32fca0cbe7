"""The API's group-committed writes: many requests, one transaction, each its own outcome."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, func, select

from core.access.auth import CLI_ACTOR
from core.api.actions import Call, send_message
from core.api.batching import WriteBatcher
from core.api.tokens import TokenCache, create_token
from core.db import session_scope
from core.errors import UserFacingError
from core.models import Contact, Conversation, Message, utcnow
from tests.store_helpers import make_channel


def test_a_refused_request_undoes_only_itself_and_a_repeated_key_sends_once(engine) -> None:
    channel = make_channel(engine)
    with session_scope(engine) as session:
        contact = Contact(channel_id=channel.id, wa_id="34611000001", last_inbound_at=utcnow())
        session.add(contact)
        session.flush()
        session.add(
            Conversation(channel_id=channel.id, contact_id=contact.id, last_inbound_at=utcnow())
        )
        _, token = create_token(session, CLI_ACTOR, "CRM", "send")
    holder = TokenCache(ttl=0).lookup(engine, token)
    assert holder is not None

    def call(to: str, key: str | None = None) -> Call:
        return Call(
            holder, json={"channel_id": channel.id, "to": to, "text": "hola"}, idempotency_key=key
        )

    calls = [
        call("+34611000001", "a"),
        call("+34699999999"),
        call("+34611000001", "a"),
        call("+34611000001"),
    ]

    async def together() -> list[object]:
        batcher = WriteBatcher(engine)
        return await asyncio.gather(
            *(batcher.run(lambda session, c=c: send_message(session, c)) for c in calls),
            return_exceptions=True,
        )

    first, refused, repeated, other = asyncio.run(together())
    assert isinstance(refused, UserFacingError) and refused.key.endswith("window_closed")
    assert first[0] == repeated[0] == 202 and first[1]["id"] == repeated[1]["id"]  # type: ignore[index]
    assert other[1]["id"] != first[1]["id"]  # type: ignore[index]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Message)).one() == 2
