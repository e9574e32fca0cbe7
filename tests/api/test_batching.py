"""The API's group-committed writes: many requests, one transaction, each its own outcome."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, col, func, select

from core.access import audit
from core.access.auth import CLI_ACTOR
from core.api.actions import Call, send_message, send_texts
from core.api.batching import WriteBatcher
from core.api.errors import ApiError
from core.api.tokens import TokenCache, create_token
from core.db import session_scope
from core.errors import UserFacingError
from core.models import AuditEntry, ChannelChange, Contact, Conversation, Message, utcnow
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


def open_and_closed_customers(engine, channel_id: int) -> None:
    """``+34611000001`` and ``+34611000002`` wrote just now; ``+34611000003`` two days ago."""
    with session_scope(engine) as session:
        for number, wrote in (
            ("1", utcnow()),
            ("2", utcnow()),
            ("3", utcnow() - timedelta(days=2)),
        ):
            contact = Contact(
                channel_id=channel_id, wa_id=f"3461100000{number}", last_inbound_at=wrote
            )
            session.add(contact)
            session.flush()
            session.add(
                Conversation(channel_id=channel_id, contact_id=contact.id, last_inbound_at=wrote)
            )


def test_text_sends_of_a_batch_are_written_together_each_with_its_own_answer(engine) -> None:
    channel = make_channel(engine)
    open_and_closed_customers(engine, channel.id)
    with session_scope(engine) as session:
        _, token = create_token(session, CLI_ACTOR, "CRM", "send")
    holder = TokenCache(ttl=0).lookup(engine, token)
    assert holder is not None

    def call(to: str, key: str | None = None, **fields: object) -> Call:
        body = {"channel_id": channel.id, "to": to, "text": "Sale hoy."} | fields
        return Call(holder, json=body, idempotency_key=key)

    def version() -> int:
        with Session(engine) as session:
            row = session.get(ChannelChange, channel.id)
            return row.version if row is not None else 0

    async def together(calls: list[Call]) -> list[object]:
        batcher = WriteBatcher(engine)
        return await asyncio.gather(
            *(batcher.run_together(send_texts, c) for c in calls), return_exceptions=True
        )

    [earlier] = asyncio.run(together([call("+34611000002", "retried")]))
    before = version()
    answers = asyncio.run(
        together(
            [
                call("+34611000001", "a"),
                call("+34611000003"),  # wrote two days ago
                call("+34699999999"),  # never wrote
                call("+34611000001", "a"),  # the same request twice in one batch
                call("+34 611 000 002"),
                call("not a number"),
                call("+34611000002", "retried", text=""),  # a retry: its message, body unread
                call("+34611000001", text=5),
                call("+34611000001", text="   "),
            ]
        )
    )
    first, closed, unknown, repeated, other, invalid, retried, wrong, empty = answers
    assert first[0] == 202 and first[1]["status"] == "queued"  # type: ignore[index]
    assert repeated == first and retried == earlier and other[1]["id"] != first[1]["id"]  # type: ignore[index]
    assert isinstance(closed, UserFacingError) and closed.key.endswith("window_closed")
    assert isinstance(unknown, UserFacingError) and unknown.key.endswith("window_closed")
    assert isinstance(invalid, UserFacingError) and invalid.key == "api.error.number"
    assert isinstance(wrong, ApiError) and wrong.status == 400
    assert isinstance(empty, UserFacingError) and empty.key.endswith("empty")
    assert version() == before + 1  # one transaction, the channel bumped once
    with Session(engine) as session:
        messages = session.exec(select(Message.id).order_by(col(Message.id))).all()
        assert len(messages) == 3  # the earlier one, then two of this batch
        audited = session.exec(select(AuditEntry.target).where(AuditEntry.action == "message.send"))
        assert len(list(audited)) == 3  # one entry per message


def test_a_set_wise_write_failing_as_a_whole_is_written_again_one_item_each(engine) -> None:
    """E.g. an idempotency key another process took meanwhile: only its request is refused."""

    def write_many(session: Session, items: list[str]) -> list[object]:
        for item in items:
            audit.record(session, "test", "item.write", item)
            session.flush()
            if item == "bad":
                raise RuntimeError("a key another process took")
        return [f"wrote {item}" for item in items]

    async def together() -> list[object]:
        batcher = WriteBatcher(engine)
        return await asyncio.gather(
            *(batcher.run_together(write_many, item) for item in ("a", "bad", "b")),
            return_exceptions=True,
        )

    first, refused, last = asyncio.run(together())
    assert (first, last) == ("wrote a", "wrote b") and isinstance(refused, RuntimeError)
    with Session(engine) as session:
        written = session.exec(select(AuditEntry.target).where(AuditEntry.action == "item.write"))
        assert sorted(written) == ["a", "b"]  # the failed group's writes were undone
