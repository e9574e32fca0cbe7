"""Webhooks from 360Dialog, after ``core.webhooks.receiver`` stored them: processed once, in order.

Nothing lost: a body that got 200 is already committed in ``webhook_events`` (on SQLite, in the
landing file the processor moves it from, ``core.webhooks.landing``). Nothing duplicated:
processing one stored body and marking it processed happen in one transaction, and every effect is
idempotent on WhatsApp's ids, so 360Dialog's retries (for days), duplicates and our own re-runs
after a crash change nothing. Statuses never move backwards (``core.d360.events.status_rank``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from core.channels import number_health
from core.conversations.inbound import (
    Arrival,
    InboundPlan,
    apply_echo,
    apply_inbound,
    plan_messages,
    store_messages,
)
from core.conversations.statuses import StatusArrival, StatusPlan, apply_statuses, plan_statuses
from core.d360.events import (
    AccountEvent,
    ErrorNotice,
    Event,
    InboundMessage,
    MessageEcho,
    ParsedWebhook,
    StatusUpdate,
    TemplateStatusChange,
    parse_webhook,
)
from core.db import one_of, session_scope, writer_turn
from core.failures import stored_title
from core.models import Channel, WebhookEvent, utcnow
from core.webhooks import landing
from core.webhooks.template_events import apply_template_status

log = logging.getLogger(__name__)

STATUS_RETRY_DELAYS = (2, 5, 15, 30, 60, 120, 300, 600)
"""Seconds to wait before re-reading a body whose statuses name a message we have not stored yet
(the webhook can overtake the answer to our own send); after the last, the problem is recorded."""


MAX_PROCESSING_FAILURES = 5
"""A body whose processing keeps crashing is set aside as ``failed`` (visible, with the error)
after this many tries, so one poison body never blocks the queue behind it."""


BATCH = 1000
"""Bodies processed per transaction on PostgreSQL: one commit and one statement per step for many
bodies keeps up with thousands per second (every statement is a round trip; 1,000 bodies a batch
processed about 50% more per second than 250). Concurrent processors claim disjoint batches."""

SQLITE_BATCH = 200
"""On SQLite the webhook intake waits while a batch is written (one writer at a time): a batch is
read before the writer turn is taken, so only its writes (a few milliseconds) hold the intake."""

HEARD_PRECISION = timedelta(seconds=5)
"""How stale a channel's "last webhook received" may be."""

MAX_CONFLICT_RETRIES = 3
"""Batches redone in a row after another processor stored the same rows first, before the
bodies are taken one by one."""

PAUSE_BETWEEN_BATCHES = 0.002
"""After each batch the processor lets go of the store for a moment, so the other writers (on
SQLite, the dashboard and the API's sends) take their turn at once rather than after a run of
batches."""


def process_pending(
    engine: Engine, limit: int = 1000, worker: str = "local", batch: int | None = None
) -> int:
    """Process up to ``limit`` stored bodies that are due; returns how many were handled.

    Bodies go in batches, one transaction each. If any body of a batch fails, the batch is rolled
    back and its bodies are processed one at a time, so only the failing one is set aside. On
    SQLite the bodies the front landed since the last round are moved in first."""
    landing.move_landed(engine)
    batch = batch or (SQLITE_BATCH if engine.dialect.name == "sqlite" else BATCH)
    handled = 0
    conflicts = 0
    while handled < limit:
        size = min(batch, limit - handled)
        try:
            with session_scope(engine) as session:
                events = _claim(session, size)
                # One flush for the batch instead of one per lookup: each step below reads what
                # it needs for the whole batch in one query and flushes what it made.
                with session.no_autoflush:
                    count = _process(session, worker, events)
        except ClaimLost:
            log.info("another worker processed part of a batch first; claiming afresh")
            continue
        except IntegrityError:
            # Another processor stored the same message or contact a moment earlier (360Dialog
            # sends duplicates; several processors run at once): the batch read before that
            # commit. Done again, its reads see it.
            conflicts += 1
            if conflicts <= MAX_CONFLICT_RETRIES:
                continue
            count = _fall_back_to_one_by_one(engine, worker, size)
        except Exception:  # noqa: BLE001  (retried body by body just below)
            count = _fall_back_to_one_by_one(engine, worker, size)
        handled += count
        if count < size:
            break  # the queue is drained
        time.sleep(PAUSE_BETWEEN_BATCHES)
    return handled


def process_backlog(engine: Engine, worker: str, limit: int = 1000) -> int:
    """The worker's step: like :func:`process_pending`, but 0 once the queue is drained, so the
    worker's loop waits a moment and its next round finds full batches rather than a handful of
    bodies each (the per-batch costs, and on SQLite the writer turns, are shared by many)."""
    handled = process_pending(engine, limit, worker)
    return handled if handled == limit else 0


def _fall_back_to_one_by_one(engine: Engine, worker: str, size: int) -> int:
    log.warning("a batch of webhooks failed; processing its bodies one by one", exc_info=True)
    return _process_one_by_one(engine, worker, size)


def _process_one_by_one(engine: Engine, worker: str, count: int) -> int:
    handled = 0
    while handled < count:
        event_id: int | None = None
        try:
            with session_scope(engine) as session:
                claimed = _claim(session, 1)
                if not claimed:
                    break
                event_id = claimed[0].id
                _process(session, worker, claimed)
        except ClaimLost:
            continue
        except Exception as exc:  # noqa: BLE001  (recorded on the body, then the queue moves on)
            if event_id is None or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
                raise  # the store itself failed (not this body): the caller's loop retries
            log.exception("webhook %s could not be processed", event_id)
            _record_crash(engine, event_id, exc)
        handled += 1
    return handled


def _mark_channels_heard(session: Session, events: Sequence[Claimed]) -> None:
    """Each channel's "last webhook received", moved forward at most every few seconds: the
    health line needs no more, and a row every batch updated would make concurrent batches (on
    PostgreSQL) wait for each other's commit."""
    latest: dict[int, datetime] = {}
    for event in events:
        if event.channel_id is not None:
            latest[event.channel_id] = max(
                event.received_at, latest.get(event.channel_id, event.received_at)
            )
    channels = Channel.__table__.c  # type: ignore[attr-defined]
    for channel_id, received_at in latest.items():
        session.connection().execute(
            update(Channel.__table__)  # type: ignore[arg-type]
            .where(channels.id == channel_id)
            .where(
                channels.last_webhook_at.is_(None)
                | (channels.last_webhook_at < received_at - HEARD_PRECISION)
            )
            .values(last_webhook_at=received_at)
        )


def _record_crash(engine: Engine, event_id: int, error: Exception) -> None:
    """Nothing of the failed attempt was kept (rolled back); note it and back off."""
    with session_scope(engine) as session:
        event = session.get(WebhookEvent, event_id)
        assert event is not None
        if event.state != "pending":
            return  # another worker processed it meanwhile (SQLite: claims are checked late)
        event.attempts += 1
        event.problems = f"processing failed: {type(error).__name__}: {error}"
        if event.attempts >= MAX_PROCESSING_FAILURES:
            event.state = "failed"
        else:
            event.claimed_until = utcnow() + timedelta(seconds=2**event.attempts)


Claimed = Row[tuple[int, int | None, bytes, int, datetime]]
"""A claimed body: ``id``, ``channel_id``, ``body``, ``attempts``, ``received_at``."""


def _claim(session: Session, count: int) -> Sequence[Claimed]:
    """The oldest due pending bodies, locked for this transaction (SKIP LOCKED on PostgreSQL, so
    several processes share the queue without taking the same body)."""
    now = utcnow()
    query = (
        select(
            WebhookEvent.id,
            WebhookEvent.channel_id,
            WebhookEvent.body,
            WebhookEvent.attempts,
            WebhookEvent.received_at,
        )
        .where(WebhookEvent.state == "pending")
        .where((col(WebhookEvent.claimed_until).is_(None)) | (WebhookEvent.claimed_until <= now))
        .order_by(col(WebhookEvent.id))
        .limit(count)
        .with_for_update(skip_locked=True)
    )
    return session.exec(query).all()  # type: ignore[return-value]


def _channels(session: Session) -> dict[int, Channel]:
    """Every channel, held for the batch (a handful of rows; looked up per event otherwise)."""
    return {channel.id: channel for channel in session.exec(select(Channel))}


@dataclass
class _Body:
    """One claimed body while its batch is applied."""

    event: Claimed
    parsed: ParsedWebhook
    problems: list[str] = field(default_factory=list)
    unmatched_statuses: int = 0


class ClaimLost(Exception):
    """Another worker processed some of the bodies of this batch first (SQLite has no row locks,
    so a claim there is checked when the batch is written); the batch is rolled back."""


class _Pending:
    """Customer messages and statuses gathered from consecutive bodies, applied set-wise."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.statuses: list[tuple[_Body, StatusArrival]] = []
        self._plans: tuple[InboundPlan, StatusPlan] | None = None

    def plan(self, session: Session) -> None:
        """The reads (which messages are new, the contacts, threads and messages named)."""
        self._plans = (
            plan_messages(session, self.arrivals),
            plan_statuses(session, [arrival for _, arrival in self.statuses]),
        )

    def write(self, session: Session) -> None:
        if self._plans is None:
            session.flush()  # what the one-at-a-time events before changed, then the reads
            self.plan(session)
        assert self._plans is not None
        inbound, statuses = self._plans
        store_messages(session, inbound)
        apply_statuses(session, statuses)
        unmatched = {id(arrival) for arrival in statuses.unmatched}
        for body, arrival in self.statuses:
            if id(arrival) in unmatched:
                body.unmatched_statuses += 1


def _process(session: Session, worker: str, events: Sequence[Claimed]) -> int:
    """Apply claimed bodies' events in order and commit; everything lands, or nothing does.

    Customer messages and statuses, nearly all of the traffic, gather into sets applied together;
    any other event is applied on its own after the sets gathered before it, so order is kept.
    When a batch holds only sets, all its reads happen before the writer turn is taken, so on
    SQLite the webhook intake waits only for the writes."""
    if not events:
        return 0
    channels = _channels(session)
    bodies = [_Body(event, parse_webhook(event.body)) for event in events]
    steps: list[_Pending | tuple[_Body, Channel, Event]] = []
    pending = _Pending()
    for body in bodies:
        body.problems.extend(body.parsed.problems)
        channel = channels.get(body.event.channel_id) if body.event.channel_id else None
        for item in body.parsed.events:
            target = _route(channels, channel, item, body.problems)
            if target is None:
                continue
            if isinstance(item, StatusUpdate):
                pending.statuses.append((body, StatusArrival(target, item, body.problems)))
            elif isinstance(item, InboundMessage) and not (item.edit or item.revoked_message_id):
                pending.arrivals.append(Arrival(target, item, body.problems))
            else:
                steps += [pending, (body, target, item)]
                pending = _Pending()
    steps.append(pending)
    if len(steps) == 1:
        pending.plan(session)
    with writer_turn(session.get_bind()):
        for step in steps:
            if isinstance(step, _Pending):
                step.write(session)
            else:
                _apply_one(session, *step)
        _record_outcomes(session, worker, bodies)
        _mark_channels_heard(session, events)
        session.commit()
    return len(events)


def _record_outcomes(session: Session, worker: str, bodies: list[_Body]) -> None:
    """Each body processed (or due again), on the condition that it is still pending: one
    update per distinct outcome, and nearly every body of a batch has the same one."""
    now = utcnow()
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for body in bodies:
        outcome = tuple(sorted(_outcome(body, worker, now).items()))
        groups.setdefault(outcome, []).append(body.event.id)
    events = WebhookEvent.__table__.c  # type: ignore[attr-defined]
    updated = 0
    for outcome, ids in groups.items():
        updated += (
            session.connection()
            .execute(
                update(WebhookEvent.__table__)  # type: ignore[arg-type]
                .where(one_of(session, events.id, ids))
                .where(events.state == "pending")
                .values(dict(outcome))
            )
            .rowcount
        )
    if updated != len(bodies):
        raise ClaimLost


def _apply_one(session: Session, body: _Body, target: Channel, item: Event) -> None:
    """An event that is not a plain customer message or status, on its own."""
    if isinstance(item, InboundMessage):
        apply_inbound(session, target, item, body.problems)
    elif isinstance(item, MessageEcho):
        apply_echo(session, target, item, body.problems)
    elif isinstance(item, TemplateStatusChange):
        apply_template_status(session, target, item, body.problems)
    elif isinstance(item, ErrorNotice):
        target.last_error = stored_title(item.error.to_exception())
        target.last_error_code = item.error.code
        target.last_error_at = utcnow()
    elif isinstance(item, AccountEvent) and item.field in number_health.WEBHOOK_FIELDS:
        number_health.apply_webhook(session, target, item.field, item.value)
    elif isinstance(item, AccountEvent):
        log.info(
            "account event %s on channel %s kept in webhook %s",
            item.field,
            target.id,
            body.event.id,
        )


def _outcome(body: _Body, worker: str, now: datetime) -> dict[str, Any]:
    """The body's row after this attempt: processed, or (statuses for messages not stored yet)
    due again a little later."""
    attempts = body.event.attempts + 1
    outcome: dict[str, Any] = {
        "attempts": attempts,
        "claimed_by": worker,
        "state": "processed",
        "processed_at": now,
        "claimed_until": None,
    }
    if body.unmatched_statuses and attempts <= len(STATUS_RETRY_DELAYS):
        delay = timedelta(seconds=STATUS_RETRY_DELAYS[attempts - 1])
        outcome.update(state="pending", processed_at=None, claimed_until=now + delay)
    elif body.unmatched_statuses:
        body.problems.append(
            f"{body.unmatched_statuses} status(es) for messages this store never sent"
        )
    outcome["problems"] = "\n".join(body.problems) or None
    return outcome


def _route(
    channels: dict[int, Channel], channel: Channel | None, item: Event, problems: list[str]
) -> Channel | None:
    """The channel an event belongs to.

    The URL (authenticated by its secret) names a channel; a Cloud body also names its number in
    ``metadata``. When that number is another of our channels, the body's number wins (one
    360Dialog webhook may serve several numbers); a number we do not have is skipped, not filed
    under the wrong channel.
    """
    phone_number_id = getattr(item, "phone_number_id", None)
    display_number = getattr(item, "display_phone_number", None)
    if channel is None:
        problems.append("webhook for a channel that no longer exists")
        return None
    if not phone_number_id and not display_number:
        return channel
    if _same_number(channel, phone_number_id, display_number):
        return channel
    for other in channels.values():
        if (
            other.active
            and other.id != channel.id
            and _same_number(other, phone_number_id, display_number)
        ):
            return other
    problems.append(
        f"event for number {display_number or '?'} (phone_number_id {phone_number_id or '?'}) "
        f"is not channel {channel.id}'s; skipped"
    )
    return None


def _same_number(channel: Channel, phone_number_id: str | None, display_number: str | None) -> bool:
    if channel.phone_number_id and phone_number_id:
        return channel.phone_number_id == phone_number_id
    if display_number:
        digits = "".join(ch for ch in display_number if ch.isdigit())
        return digits == channel.number.lstrip("+")
    return True
