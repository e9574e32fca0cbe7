"""The report rows, kept up to date in the transaction that stores messages, once per batch.

The webhook processor (customer messages) and the send queue (every message we send) call this
with the rows they have just inserted. Each call is a handful of set-wise statements: hourly
counts added with an upsert (``+ n``, so concurrent writers never overwrite each other), the
conversations now waiting for an answer, and the answers that end a wait.

A wait starts with a customer's message when the conversation is not waiting already and ends
with the team's next outbound message in that conversation: one a team member sent
(``sent_by_user_id``). Greetings and campaign messages are automatic and end no wait.

A conversation is open from its customer's first message since it was last resolved (or from
the team reopening it) until someone resolves it: the resolve counts how long it was open, in the
resolver's hour (``record_resolved``).

A template is replied when the customer's next message in its conversation comes before any
other message of ours: a template sent leaves its conversation awaiting a reply, the customer's
next message counts the reply, another message of ours first clears it. A button press names the
template message it answers (its ``context``), which is counted as a press on that template.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.db import one_of
from core.models import (
    ActivityHour,
    Conversation,
    ConversationOpening,
    Message,
    ReplyWait,
    ResolutionHour,
    ResponseHour,
    TemplateAwaitingReply,
    TemplateHour,
)
from core.reports.response_times import bucket_of

SLOTS = 8
"""Rows per hour and key that concurrent batches spread over (see ``core.models.reports``)."""

SERVICE_WINDOW = timedelta(hours=24)
"""A customer's message opens a conversation when none came in this long before it: WhatsApp's
customer service window (https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows)."""

NOT_A_CONVERSATION_TURN = frozenset({"reaction"})
"""Customer messages that are counted but neither open a conversation nor wait for an answer."""

BUTTON_PRESSES = frozenset({"button", "interactive"})
"""Customer messages that press a button of the message they quote: a template's quick reply
arrives as ``button`` (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components)."""


@dataclass(frozen=True)
class Stored:
    """One message just stored: where, when, which way and who sent it."""

    channel_id: int
    conversation_id: int
    at: datetime
    direction: str
    type: str = "text"
    user_id: int | None = None
    template_name: str | None = None
    quoting: str | None = None
    """The WhatsApp id of the message it answers (``context``), for customer messages."""

    @property
    def answers(self) -> bool:
        """A team member's message: it answers the customer."""
        return self.direction == "out" and self.user_id is not None


BucketKey = tuple[int, datetime, int, int]
"""(channel id, hour, user id, time bucket): one row of a bucketed table per slot."""


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
    first_turns = _earliest_by_conversation(turns)
    _start_waits(session, first_turns)
    _insert_openings(session, [(c, m.channel_id, m.at) for c, m in sorted(first_turns.items())])
    templates = _template_replies(session, turns)
    for key, presses in _button_presses(session, turns).items():
        templates.setdefault(key, {"replied": 0, "clicks": 0})["clicks"] += presses
    add_template_counts(session, templates)


def record_outbound(session: Session, messages: list[Stored]) -> None:
    """Messages we send: counted; a team member's ends its conversation's wait."""
    if not messages:
        return
    add_activity(session, _activity(messages))
    _await_template_replies(session, messages)
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
    counts: dict[BucketKey, int] = {}
    for conversation_id, since in ended:
        answer = answers[conversation_id]
        seconds = (answer.at - _aware(since)).total_seconds()
        key = (answer.channel_id, hour_of(answer.at), answer.user_id or 0, bucket_of(seconds))
        counts[key] = counts.get(key, 0) + 1
    add_bucket_counts(session, ResponseHour, counts)


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


COUNTED = {ResponseHour: "answers", ResolutionHour: "resolutions"}
"""The tables of times in buckets, each with the column it counts in: the same shape, two things."""


def add_bucket_counts(
    session: Session, table: type[ResponseHour] | type[ResolutionHour], counts: dict[BucketKey, int]
) -> None:
    """Add ``counts`` to a table of times in buckets: first responses or resolutions."""
    column = COUNTED[table]
    slot = random.randrange(SLOTS)
    rows = [
        {"channel_id": c, "hour": h, "user_id": u, "bucket": b, "slot": slot, column: n}
        for (c, h, u, b), n in sorted(counts.items())  # one lock order: no deadlocks
    ]
    _upsert(session, table.__table__, rows, (column,))  # type: ignore[arg-type]


def record_resolved(
    session: Session, conversation: Conversation, user_id: int | None, at: datetime
) -> None:
    """A conversation resolved at ``at``: how long it was open, counted in the resolver's hour.
    One resolved with nothing open (only our messages, or resolved already) counts nothing."""
    openings = ConversationOpening.__table__.c  # type: ignore[attr-defined]
    since = (
        session.connection()
        .execute(
            delete(ConversationOpening.__table__)  # type: ignore[arg-type]
            .where(openings.conversation_id == conversation.id)
            .returning(openings.since)
        )
        .scalar_one_or_none()
    )
    if since is None:
        return
    seconds = (at - _aware(since)).total_seconds()
    key = (conversation.channel_id, hour_of(at), user_id or 0, bucket_of(seconds))
    add_bucket_counts(session, ResolutionHour, {key: 1})


def record_reopened(session: Session, conversation: Conversation, at: datetime) -> None:
    """The team moved a resolved conversation back to open, pending or snoozed: a new stretch."""
    assert conversation.id is not None
    _insert_openings(session, [(conversation.id, conversation.channel_id, at)])


TemplateKey = tuple[int, datetime, str]
"""A template's report row: channel, the hour it was sent, its name."""


def add_template_counts(session: Session, counts: dict[TemplateKey, dict[str, int]]) -> None:
    slot = random.randrange(SLOTS)
    rows = [
        {"channel_id": c, "hour": h, "template_name": name, "slot": slot, **values}
        for (c, h, name), values in sorted(counts.items())
    ]
    _upsert(session, TemplateHour.__table__, rows, ("replied", "clicks"))  # type: ignore[arg-type]


def _await_template_replies(session: Session, messages: list[Stored]) -> None:
    """Each conversation's last message of ours decides: a template awaits a reply; anything
    else means the customer's next message replies to that instead."""
    last = {message.conversation_id: message for message in messages}
    templates = [m for m in last.values() if m.template_name]
    others = [m.conversation_id for m in last.values() if not m.template_name]
    awaiting = TemplateAwaitingReply.__table__
    if others:
        session.connection().execute(
            delete(awaiting).where(one_of(session, awaiting.c.conversation_id, sorted(others)))  # type: ignore[attr-defined]
        )
    if templates:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(awaiting)
        session.connection().execute(
            statement.on_conflict_do_update(
                index_elements=["conversation_id"],
                set_={
                    "template_name": statement.excluded.template_name,
                    "sent_at": statement.excluded.sent_at,
                },
            ),
            [
                {
                    "conversation_id": m.conversation_id,
                    "channel_id": m.channel_id,
                    "template_name": m.template_name,
                    "sent_at": m.at,
                }
                for m in sorted(templates, key=lambda m: m.conversation_id)
            ],
        )


def _template_replies(session: Session, turns: list[Stored]) -> dict[TemplateKey, dict[str, int]]:
    """The templates these customer messages reply to, counted by template and hour sent."""
    counts: dict[TemplateKey, dict[str, int]] = {}
    if not turns:
        return counts
    awaiting = TemplateAwaitingReply.__table__.c  # type: ignore[attr-defined]
    replied = session.connection().execute(
        delete(TemplateAwaitingReply.__table__)  # type: ignore[arg-type]
        .where(
            one_of(session, awaiting.conversation_id, sorted({m.conversation_id for m in turns}))
        )
        .returning(awaiting.channel_id, awaiting.template_name, awaiting.sent_at)
    )
    for channel_id, name, sent_at in replied:
        key = (channel_id, hour_of(_aware(sent_at)), name)
        counts.setdefault(key, {"replied": 0, "clicks": 0})["replied"] += 1
    return counts


def _button_presses(session: Session, turns: list[Stored]) -> dict[TemplateKey, int]:
    """Presses on our templates' buttons, by the template message each press quotes."""
    presses = [m for m in turns if m.type in BUTTON_PRESSES and m.quoting]
    if not presses:
        return {}
    columns = Message.__table__.c  # type: ignore[attr-defined]
    quoted = {
        (row.channel_id, row.wa_message_id): (
            row.channel_id,
            hour_of(row.created_at),
            row.template_name,
        )
        for row in session.connection().execute(
            select(
                columns.channel_id, columns.wa_message_id, columns.template_name, columns.created_at
            )
            .where(columns.channel_id.in_({m.channel_id for m in presses}))
            .where(one_of(session, columns.wa_message_id, {m.quoting for m in presses}))
            .where(columns.template_name.is_not(None))
        )
    }
    counts: dict[TemplateKey, int] = {}
    for press in presses:
        key = quoted.get((press.channel_id, press.quoting))
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return counts


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


def _earliest_by_conversation(turns: list[Stored]) -> dict[int, Stored]:
    earliest: dict[int, Stored] = {}
    for message in turns:
        known = earliest.get(message.conversation_id)
        if known is None or message.at < known.at:
            earliest[message.conversation_id] = message
    return earliest


def _start_waits(session: Session, earliest: dict[int, Stored]) -> None:
    """A wait from each conversation's earliest new message; one already waiting keeps its own."""
    _insert_new(
        session,
        ReplyWait.__table__,  # type: ignore[arg-type]
        [
            {"conversation_id": c, "channel_id": m.channel_id, "since": m.at}
            for c, m in sorted(earliest.items())
        ],
    )


def _insert_openings(session: Session, openings: list[tuple[int, int, datetime]]) -> None:
    """Conversations open since when (a customer's first message since the last resolve, or a
    reopening); one open already keeps its own start."""
    _insert_new(
        session,
        ConversationOpening.__table__,  # type: ignore[arg-type]
        [{"conversation_id": c, "channel_id": ch, "since": at} for c, ch, at in openings],
    )


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows keyed by conversation; a conversation that has one already keeps it."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.connection().execute(
        dialect.insert(table).on_conflict_do_nothing(index_elements=["conversation_id"]), rows
    )


def _upsert(
    session: Session, table: Table, rows: list[dict[str, Any]], added: tuple[str, ...]
) -> None:
    if not rows:
        return
    unique = tuple(name for name in rows[0] if name not in added)
    statement = _adding(session.get_bind().dialect.name, table, unique, added)
    session.connection().execute(statement, rows)


@cache
def _adding(
    dialect_name: str, table: Table, unique: tuple[str, ...], added: tuple[str, ...]
) -> Any:
    """The upsert adding the ``added`` columns to the row of the ``unique`` ones, built once:
    building it (its ``excluded`` alias) cost more than running it for a batch of a few."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(unique),
        set_={name: table.c[name] + statement.excluded[name] for name in added},
    )


def _aware(moment: datetime) -> datetime:
    """A time read with plain SQL (SQLite keeps no zone: the store's times are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
