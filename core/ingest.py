"""Webhooks from 360Dialog, after ``core.receiver`` stored them: processed once, in order.

Nothing lost: a body that got 200 is already committed in ``webhook_events``. Nothing duplicated:
processing one stored body and marking it processed happen in one transaction, and every effect is
idempotent on WhatsApp's ids, so 360Dialog's retries (for days), duplicates and our own re-runs
after a crash change nothing. Statuses never move backwards (``core.d360.events.status_rank``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

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
from core.db import session_scope, writer_turn
from core.inbound import apply_echo, apply_inbound
from core.models import Channel, Message, WebhookEvent, utcnow
from core.statuses import apply_status, prefetch
from core.template_events import apply_template_status

log = logging.getLogger(__name__)

STATUS_RETRY_DELAYS = (2, 5, 15, 30, 60, 120, 300, 600)
"""Seconds to wait before re-reading a body whose statuses name a message we have not stored yet
(the webhook can overtake the answer to our own send); after the last, the problem is recorded."""


MAX_PROCESSING_FAILURES = 5
"""A body whose processing keeps crashing is set aside as ``failed`` (visible, with the error)
after this many tries, so one poison body never blocks the queue behind it."""


BATCH = 100
"""Bodies processed per transaction: one commit for many keeps up with thousands per second."""


def process_pending(
    engine: Engine, limit: int = 1000, worker: str = "local", batch: int = BATCH
) -> int:
    """Process up to ``limit`` stored bodies that are due; returns how many were handled.

    Bodies go in batches, one transaction each. If any body of a batch fails, the batch is rolled
    back and its bodies are processed one at a time, so only the failing one is set aside."""
    handled = 0
    while handled < limit:
        size = min(batch, limit - handled)
        try:
            with writer_turn(engine), session_scope(engine) as session:
                events = _claim(session, worker, size)
                channels = _channels(session)
                # One flush for the batch instead of one per lookup. A duplicate inside the same
                # batch then fails at the final flush (unique ids) and the batch is redone body by
                # body below, where each body sees the ones before it.
                with session.no_autoflush:
                    parsed = [(event, parse_webhook(event.body)) for event in events]
                    known = prefetch(session, _status_ids(parsed))
                    for event, body in parsed:
                        _process(session, event, channels, body, known)
                _mark_channels_heard(session, events)
        except Exception:  # noqa: BLE001  (retried body by body just below)
            log.warning("a batch of webhooks failed; processing its bodies one by one")
            events = [None] * _process_one_by_one(engine, worker, size)
        if not events:
            break
        handled += len(events)
    return handled


def _process_one_by_one(engine: Engine, worker: str, count: int) -> int:
    handled = 0
    while handled < count:
        event_id: int | None = None
        try:
            with session_scope(engine) as session:
                claimed = _claim(session, worker, 1)
                if not claimed:
                    break
                event_id = claimed[0].id
                _process(session, claimed[0], _channels(session), parse_webhook(claimed[0].body))
                _mark_channels_heard(session, claimed)
        except Exception as exc:  # noqa: BLE001  (recorded on the body, then the queue moves on)
            if event_id is None:
                raise  # the store itself failed: the caller's loop logs and retries
            log.exception("webhook %s could not be processed", event_id)
            _record_crash(engine, event_id, exc)
        handled += 1
    return handled


def _mark_channels_heard(session: Session, events: list[WebhookEvent]) -> None:
    """Each channel's "last webhook received", moved forward once per batch."""
    latest: dict[int, datetime] = {}
    for event in events:
        if event.channel_id is not None:
            latest[event.channel_id] = max(
                event.received_at, latest.get(event.channel_id, event.received_at)
            )
    for channel_id, received_at in latest.items():
        session.execute(
            update(Channel)
            .where(col(Channel.id) == channel_id)
            .where(
                (col(Channel.last_webhook_at).is_(None)) | (Channel.last_webhook_at < received_at)
            )
            .values(last_webhook_at=received_at)
        )


def _record_crash(engine: Engine, event_id: int, error: Exception) -> None:
    """Nothing of the failed attempt was kept (rolled back); note it and back off."""
    with session_scope(engine) as session:
        event = session.get(WebhookEvent, event_id)
        assert event is not None
        event.attempts += 1
        event.problems = f"processing failed: {type(error).__name__}: {error}"
        if event.attempts >= MAX_PROCESSING_FAILURES:
            event.state = "failed"
        else:
            event.claimed_until = utcnow() + timedelta(seconds=2**event.attempts)


def _claim(session: Session, worker: str, count: int) -> list[WebhookEvent]:
    """The oldest due pending bodies, locked for this transaction (SKIP LOCKED on PostgreSQL, so
    several processes share the queue without taking the same body)."""
    now = utcnow()
    query = (
        select(WebhookEvent)
        .where(WebhookEvent.state == "pending")
        .where((col(WebhookEvent.claimed_until).is_(None)) | (WebhookEvent.claimed_until <= now))
        .order_by(col(WebhookEvent.id))
        .limit(count)
        .with_for_update(skip_locked=True)
    )
    events = list(session.exec(query))
    for event in events:
        event.claimed_by = worker
    return events


def _channels(session: Session) -> dict[int, Channel]:
    """Every channel, held for the batch (a handful of rows; looked up per event otherwise)."""
    return {channel.id: channel for channel in session.exec(select(Channel))}


def _status_ids(parsed: list[tuple[WebhookEvent, ParsedWebhook]]) -> set[str]:
    return {
        item.message_id
        for _, body in parsed
        for item in body.events
        if isinstance(item, StatusUpdate) and item.message_id
    }


def _process(
    session: Session,
    event: WebhookEvent,
    channels: dict[int, Channel],
    parsed: ParsedWebhook,
    known: dict[tuple[int, str], Message] | None = None,
) -> None:
    """Apply one body's events; everything lands, or nothing does (the transaction)."""
    problems = list(parsed.problems)
    channel = channels.get(event.channel_id) if event.channel_id else None
    unmatched_statuses = 0
    for item in parsed.events:
        target = _route(channels, channel, item, problems)
        if target is None:
            continue
        if isinstance(item, InboundMessage):
            apply_inbound(session, target, item, problems)
        elif isinstance(item, MessageEcho):
            apply_echo(session, target, item, problems)
        elif isinstance(item, StatusUpdate):
            if not apply_status(session, target, item, problems, known):
                unmatched_statuses += 1
        elif isinstance(item, TemplateStatusChange):
            apply_template_status(session, target, item, problems)
        elif isinstance(item, ErrorNotice):
            target.last_error = f"{item.error.code}: {item.error.title or item.error.message}"
            target.last_error_at = utcnow()
        elif isinstance(item, AccountEvent):
            log.info(
                "account event %s on channel %s kept in webhook %s", item.field, target.id, event.id
            )
    event.attempts += 1
    if unmatched_statuses and event.attempts <= len(STATUS_RETRY_DELAYS):
        event.claimed_until = utcnow() + timedelta(seconds=STATUS_RETRY_DELAYS[event.attempts - 1])
        event.problems = "\n".join(problems) or None
        return
    if unmatched_statuses:
        problems.append(f"{unmatched_statuses} status(es) for messages this store never sent")
    event.state = "processed"
    event.processed_at = utcnow()
    event.problems = "\n".join(problems) or None


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
