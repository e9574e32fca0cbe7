"""Delivery statuses from webhooks onto our outbound messages, never backwards, a set at a time.

A status names our message by WhatsApp's id, or (when it overtakes the answer to our own send) by
the ``biz_opaque_callback_data`` we attached to the send; the latter also tells a sender that
restarted after a crash that a message it was unsure about did go out.

Statuses are most of what 360Dialog posts (sent, delivered and read for every message we send),
so a batch's statuses are applied set-wise: one query finds the messages they name, the furthest
status per message is picked in memory, and one executemany writes it, on the condition (in SQL)
that it moves the message forward, so whatever another writer did in between is respected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    String,
    TextClause,
    bindparam,
    case,
    or_,
    text,
    type_coerce,
    update,
)
from sqlmodel import Session, select

from core.channels import changes
from core.conversations.optouts import record_marketing_stopped
from core.d360.errors import MarketingStopped
from core.d360.events import STATUS_ORDER, StatusUpdate, status_rank
from core.db import in_row_order, one_of
from core.hooks.events import statuses_applied
from core.models import Channel, Message, MessageStatus, UTCDateTime, utcnow

CALLBACK_PREFIX = "msg:"
_TRACKED = {status.value for status in MessageStatus}


def callback_data_for(message_id: int) -> str:
    """What we attach to a send so its status webhooks can name our row."""
    return f"{CALLBACK_PREFIX}{message_id}"


@dataclass
class StatusArrival:
    """One status from a webhook body, for the channel it was routed to."""

    channel: Channel
    update: StatusUpdate
    problems: list[str]
    """The body's problem list: what cannot be applied is said there."""


@dataclass
class StatusPlan:
    """The statuses of a set, each matched to the stored message it names (read beforehand)."""

    matched: list[tuple[int, StatusArrival]]
    unmatched: list[StatusArrival]
    unnamed: dict[int, str] = field(default_factory=dict)
    """Our messages a status names by callback data that have no WhatsApp id stored yet."""


def plan_statuses(session: Session, arrivals: list[StatusArrival]) -> StatusPlan:
    """Find the message each status names: one query by WhatsApp id, one by callback data."""
    messages = Message.__table__.c  # type: ignore[attr-defined]
    columns = (messages.id, messages.channel_id, messages.wa_message_id)
    wa_ids = {a.update.message_id for a in arrivals if a.update.message_id}
    by_wa_id: dict[tuple[int, str], Row[Any]] = (
        {
            (row.channel_id, row.wa_message_id): row
            for row in session.connection().execute(
                select(*columns)  # both columns, so the (channel, WhatsApp id) index serves it
                .where(messages.channel_id.in_({a.channel.id for a in arrivals}))
                .where(one_of(session, messages.wa_message_id, wa_ids))
            )
        }
        if wa_ids
        else {}
    )
    callback_ids = {
        number
        for a in arrivals
        if (a.channel.id, a.update.message_id or "") not in by_wa_id
        and (number := _callback_id(a.update.biz_opaque_callback_data)) is not None
    }
    by_id = (
        {
            (row.channel_id, row.id): row
            for row in session.connection().execute(
                select(*columns).where(one_of(session, messages.id, callback_ids))
            )
        }
        if callback_ids
        else {}
    )
    plan = StatusPlan([], [])
    for arrival in arrivals:
        row = by_wa_id.get((arrival.channel.id, arrival.update.message_id or "")) or by_id.get(
            (arrival.channel.id, _callback_id(arrival.update.biz_opaque_callback_data))
        )
        if row is None:
            plan.unmatched.append(arrival)
            continue
        plan.matched.append((row.id, arrival))
        if row.wa_message_id is None and arrival.update.message_id:
            plan.unnamed.setdefault(row.id, arrival.update.message_id)
    return plan


def apply_statuses(session: Session, plan: StatusPlan) -> None:
    """Write the planned statuses: per message the furthest one (never backwards, also against
    what is stored), WhatsApp's id where we had none, the errors of failures and warnings, and
    what the message costs (its ``pricing``). A failure saying the customer stopped marketing
    messages opts the contact out."""
    furthest: dict[int, dict[str, Any]] = {}
    failures: dict[int, dict[str, Any]] = {}
    warnings: dict[int, dict[str, Any]] = {}
    prices: dict[int, dict[str, Any]] = {}
    stopped_marketing: set[int] = set()
    changes.note(session, *{arrival.channel.id for _, arrival in plan.matched})
    for message_id, arrival in plan.matched:
        status = arrival.update
        if status.pricing is not None:
            prices[message_id] = {"row": message_id, "pricing": json.dumps(status.pricing.stored())}
        if status.status == "failed" and isinstance(status.error, MarketingStopped):
            stopped_marketing.add(message_id)
        if status.errors:
            error = status.errors[0]
            fields = {
                "row": message_id,
                "code": error.code,
                "title": error.title or error.message,
                "details": error.details,
            }
            if status.status == "failed":  # the latest failure's reason
                failures[message_id] = fields
            elif status.status == "warning":  # kept only where no error is recorded yet
                warnings.setdefault(message_id, fields)
        rank = status_rank(status.status)
        if rank <= 0:
            continue
        if status.status not in _TRACKED:
            arrival.problems.append(
                f"status {status.status!r} of {status.message_id} is not one we track"
            )
            continue
        if rank > furthest.get(message_id, {}).get("rank", 0):
            furthest[message_id] = {
                "row": message_id,
                "rank": rank,
                "status": MessageStatus(status.status),
                "at": status.timestamp or utcnow(),
            }
    connection = session.connection()
    if plan.unnamed:
        connection.execute(
            _NAME_MESSAGE,
            in_row_order({k: {"row": k, "wamid": v} for k, v in plan.unnamed.items()}),
        )
    if failures:
        connection.execute(_RECORD_ERROR, in_row_order(failures))
    if warnings:
        connection.execute(
            _RECORD_ERROR.where(_MESSAGES.error_code.is_(None)), in_row_order(warnings)
        )
    if furthest:
        connection.execute(_MOVE_FORWARD, in_row_order(furthest))
    if prices:
        connection.execute(_keep_pricing(connection.dialect.name), in_row_order(prices))
    _forget_cached(session, {message_id for message_id, _ in plan.matched})
    record_marketing_stopped(session, stopped_marketing)
    statuses_applied(
        session,
        [
            (message_id, arrival.update.status, _error_of(arrival.update))
            for message_id, arrival in plan.matched
            if status_rank(arrival.update.status) > 0 and arrival.update.status in _TRACKED
        ],
    )


def _error_of(status: StatusUpdate) -> dict[str, Any] | None:
    """A status's first error as subscribers receive it (WhatsApp's code and title)."""
    if not status.errors:
        return None
    return {
        "code": status.errors[0].code,
        "title": status.errors[0].title or status.errors[0].message,
    }


_MESSAGES = Message.__table__.c  # type: ignore[attr-defined]

WAITING_RANK = 0
"""Where ``held`` and ``paused`` sit: after queued and sending (-1: WhatsApp has the message),
before sent (its first webhook). Only the send's answer sets them, and only over queued or
sending (``core.outbox.sender``), so they never replace a status a webhook brought; any status
WhatsApp reports later (sent when it releases the message, failed when it drops it) moves the
message on. Neither replaces the other."""

_STORED_RANK = case(
    {status: status_rank(status) for status in STATUS_ORDER}
    | {MessageStatus.HELD.value: WAITING_RANK, MessageStatus.PAUSED.value: WAITING_RANK},
    value=type_coerce(_MESSAGES.status, String),
    else_=-1,
)

_MOVE_FORWARD = (
    update(Message.__table__)  # type: ignore[arg-type]
    .where(_MESSAGES.id == bindparam("row"))
    .where(or_(_MESSAGES.status.is_(None), bindparam("rank", type_=Integer) > _STORED_RANK))
    .values(status=bindparam("status"), status_at=bindparam("at", type_=UTCDateTime))
)

_NAME_MESSAGE = (
    update(Message.__table__)  # type: ignore[arg-type]
    .where(_MESSAGES.id == bindparam("row"))
    .where(_MESSAGES.wa_message_id.is_(None))
    .values(wa_message_id=bindparam("wamid"))
)

_RECORD_ERROR = (
    update(Message.__table__)  # type: ignore[arg-type]
    .where(_MESSAGES.id == bindparam("row"))
    .values(
        error_code=bindparam("code"),
        error_title=bindparam("title"),
        error_details=bindparam("details"),
    )
)


def _keep_pricing(dialect: str) -> TextClause:
    """Sets ``content["pricing"]`` in the database itself, beside what the message holds: a
    price arrives with most statuses, and reading every message's content to write it back would
    double the cost of a batch. No column of its own: the price is read with the message, never
    searched by."""
    if dialect == "postgresql":
        merged = (
            "(COALESCE(content::jsonb, '{}'::jsonb) "
            "|| jsonb_build_object('pricing', CAST(:pricing AS jsonb)))::json"
        )
    else:
        merged = "json_set(COALESCE(content, '{}'), '$.pricing', json(:pricing))"
    return text(f"UPDATE messages SET content = {merged} WHERE id = :row")  # noqa: S608


def _callback_id(data: str | None) -> int | None:
    if not data or not data.startswith(CALLBACK_PREFIX):
        return None
    try:
        return int(data.removeprefix(CALLBACK_PREFIX))
    except ValueError:
        return None


def _forget_cached(session: Session, message_ids: set[int]) -> None:
    """Messages this session already holds are re-read on next use (the update bypassed them)."""
    for held in list(session.identity_map.values()):
        if isinstance(held, Message) and held.id in message_ids:
            session.expire(held)
