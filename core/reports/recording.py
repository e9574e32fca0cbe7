"""The report rows, kept up to date in the transaction that stores messages, once per batch.

The webhook processor (customer messages) and the send queue (every message we send) call this
with the rows they have just inserted. Each call is a handful of set-wise statements: hourly
counts added with an upsert (``+ n``, so concurrent writers never overwrite each other), the
conversations now waiting for an answer, and the answers that end a wait.

A wait starts with a customer's message when the conversation is not waiting already and ends
with the team's next outbound message in that conversation: one a team member sent
(``sent_by_user_id``). Greetings and campaign messages are automatic and end no wait.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.db import one_of
from core.models import ActivityHour, Conversation, ReplyWait, ResponseHour
from core.reports.response_times import bucket_of

SLOTS = 8
"""Rows per hour and key that concurrent batches spread over (see ``core.models.reports``)."""

SERVICE_WINDOW = timedelta(hours=24)
"""A customer's message opens a conversation when none came in this long before it: WhatsApp's
customer service window (https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows)."""

NOT_A_CONVERSATION_TURN = frozenset({"reaction"})
"""Customer messages that are counted but neither open a conversation nor wait for an answer."""


@dataclass(frozen=True)
class Stored:
    """One message just stored: where, when, which way and who sent it."""

    channel_id: int
    conversation_id: int
    at: datetime
    direction: str
    type: str = "text"
    user_id: int | None = None

    @property
    def answers(self) -> bool:
        """A team member's message: it answers the customer."""
        return self.direction == "out" and self.user_id is not None


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def record_inbound(
    session: Session, messages: list[Stored], last_inbound: dict[int, datetime]
) -> None:
    """Customer messages. ``last_inbound``: their conversations' last inbound times before them
    (:func:`last_inbound`), which say which messages open a conversation."""
    if not messages:
        return
    turns = [message for message in messages if message.type not in NOT_A_CONVERSATION_TURN]
    previous = dict(last_inbound)
    opened: list[Stored] = []
    for message in sorted(turns, key=lambda message: message.at):
        before = previous.get(message.conversation_id)
        if before is None or message.at - before >= SERVICE_WINDOW:
            opened.append(message)
        if before is None or message.at > before:
            previous[message.conversation_id] = message.at
    counts = _activity(messages)
    for message in opened:
        counts[_activity_key(message)]["conversations_opened"] += 1
    add_activity(session, counts)
    _start_waits(session, turns)


def record_outbound(session: Session, messages: list[Stored]) -> None:
    """Messages we send: counted; a team member's ends its conversation's wait."""
    if not messages:
        return
    add_activity(session, _activity(messages))
    answers = {}
    for message in messages:
        if message.answers:
            answers.setdefault(message.conversation_id, message)
    if not answers:
        return
    waits = ReplyWait.__table__.c  # type: ignore[attr-defined]
    ended = session.connection().execute(
        delete(ReplyWait.__table__)  # type: ignore[arg-type]
        .where(one_of(session, waits.conversation_id, list(answers)))
        .returning(waits.conversation_id, waits.since)
    )
    counts: dict[tuple[int, datetime, int, int], int] = {}
    for conversation_id, since in ended:
        answer = answers[conversation_id]
        seconds = (answer.at - _aware(since)).total_seconds()
        key = (answer.channel_id, hour_of(answer.at), answer.user_id or 0, bucket_of(seconds))
        counts[key] = counts.get(key, 0) + 1
    add_responses(session, counts)


def add_activity(
    session: Session, counts: dict[tuple[int, datetime, str, int], dict[str, int]]
) -> None:
    """Add message and conversation counts to their hours (``+ n``: concurrent batches add up)."""
    slot = random.randrange(SLOTS)
    rows = [
        {"channel_id": c, "hour": h, "direction": d, "user_id": u, "slot": slot, **values}
        for (c, h, d, u), values in sorted(counts.items())  # one lock order: no deadlocks
    ]
    _upsert(session, ActivityHour.__table__, rows, ("messages", "conversations_opened"))  # type: ignore[arg-type]


def add_responses(session: Session, counts: dict[tuple[int, datetime, int, int], int]) -> None:
    slot = random.randrange(SLOTS)
    rows = [
        {"channel_id": c, "hour": h, "user_id": u, "bucket": b, "slot": slot, "answers": n}
        for (c, h, u, b), n in sorted(counts.items())
    ]
    _upsert(session, ResponseHour.__table__, rows, ("answers",))  # type: ignore[arg-type]


def _activity(messages: Iterable[Stored]) -> dict[tuple[int, datetime, str, int], dict[str, int]]:
    counts: dict[tuple[int, datetime, str, int], dict[str, int]] = {}
    for message in messages:
        entry = counts.setdefault(
            _activity_key(message), {"messages": 0, "conversations_opened": 0}
        )
        entry["messages"] += 1
    return counts


def _activity_key(message: Stored) -> tuple[int, datetime, str, int]:
    return (message.channel_id, hour_of(message.at), message.direction, message.user_id or 0)


def last_inbound(session: Session, conversation_ids: Iterable[int]) -> dict[int, datetime]:
    """When each conversation's customer last wrote (those who have), read with a batch's
    other reads, before its writes."""
    conversation_ids = set(conversation_ids)
    if not conversation_ids:
        return {}
    threads = Conversation.__table__.c  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(threads.id, threads.last_inbound_at)
        .where(one_of(session, threads.id, sorted(conversation_ids)))
        .where(threads.last_inbound_at.is_not(None))
    )
    return {row.id: _aware(row.last_inbound_at) for row in rows}


def _start_waits(session: Session, turns: list[Stored]) -> None:
    """A wait from each conversation's earliest new message; one already waiting keeps its own."""
    earliest: dict[int, Stored] = {}
    for message in turns:
        known = earliest.get(message.conversation_id)
        if known is None or message.at < known.at:
            earliest[message.conversation_id] = message
    if not earliest:
        return
    rows = [
        {"conversation_id": m.conversation_id, "channel_id": m.channel_id, "since": m.at}
        for _, m in sorted(earliest.items())
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.connection().execute(
        dialect.insert(ReplyWait.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
            index_elements=["conversation_id"]
        ),
        rows,
    )


def _upsert(
    session: Session, table: Table, rows: list[dict[str, Any]], added: tuple[str, ...]
) -> None:
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    unique = [name for name in rows[0] if name not in added]
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=unique,
            set_={name: table.c[name] + statement.excluded[name] for name in added},
        ),
        rows,
    )


def _aware(moment: datetime) -> datetime:
    """A time read with plain SQL (SQLite keeps no zone: the store's times are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
