"""Sending: every outbound message is a row first, then a background sender delivers it.

- A message and its job are written in one transaction, so a click or a greeting is never lost.
- The sender claims due jobs (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share
  the queue), sends at the channel's rate, retries transient failures (429, 5xx, timeouts) with
  backoff and records permanent ones on the message in words a user understands.
- Each send carries ``biz_opaque_callback_data`` naming our row. If the process dies between
  360Dialog's answer and our commit, the job stays ``sending``; its status webhooks (which echo
  that data) then tell us it went out. Only when none arrives within ``UNCERTAIN_GRACE`` is it sent
  again — the one case where a duplicate is possible, and only if 360Dialog lost both its answer
  and every status webhook of the message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, update
from sqlmodel import Session, col, or_, select

from core.d360.api import D360Client
from core.d360.errors import D360Error
from core.db import session_scope
from core.media import upload_for_send
from core.models import Channel, Contact, Conversation, Message, MessageStatus, OutboundJob, utcnow
from core.statuses import callback_data_for

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60
LEASE = timedelta(seconds=30)
UNCERTAIN_GRACE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300

ClientFactory = Callable[[Channel], D360Client]


def enqueue(
    session: Session,
    channel: Channel,
    conversation: Conversation,
    *,
    message_type: str,
    body: dict[str, Any],
    text: str,
    idempotency_key: str | None = None,
    sent_by_user_id: int | None = None,
    reply_to_wa_id: str | None = None,
    template_name: str | None = None,
) -> Message:
    """Queue one message (``body``: the type's object, e.g. ``{"body": "hola"}`` for text)."""
    if idempotency_key:
        existing = session.exec(
            select(OutboundJob).where(OutboundJob.idempotency_key == idempotency_key)
        ).first()
        if existing is not None and existing.message_id is not None:
            message = session.get(Message, existing.message_id)
            assert message is not None
            return message
    contact = session.get(Contact, conversation.contact_id)
    assert contact is not None
    [message] = enqueue_many(
        session,
        channel,
        [
            Outgoing(
                conversation,
                contact,
                message_type,
                body,
                text,
                idempotency_key=idempotency_key,
                sent_by_user_id=sent_by_user_id,
                reply_to_wa_id=reply_to_wa_id,
                template_name=template_name,
            )
        ],
    )
    return message


@dataclass(frozen=True)
class Outgoing:
    """One message to queue (see :func:`enqueue_many`)."""

    conversation: Conversation
    contact: Contact
    message_type: str
    body: dict[str, Any]
    text: str
    idempotency_key: str | None = None
    sent_by_user_id: int | None = None
    reply_to_wa_id: str | None = None
    template_name: str | None = None


def enqueue_many(session: Session, channel: Channel, items: list[Outgoing]) -> list[Message]:
    """Queue many messages with two batched inserts (campaigns queue thousands a second).

    Each message and its job are written in the caller's transaction; the caller has made sure
    none of the idempotency keys is taken (``enqueue`` checks for one message)."""
    now = utcnow()
    messages = [
        Message(
            channel_id=channel.id,
            conversation_id=item.conversation.id,
            direction="out",
            type=item.message_type,
            text=item.text,
            content={item.message_type: item.body},
            reply_to_wa_id=item.reply_to_wa_id,
            template_name=item.template_name,
            status=MessageStatus.QUEUED,
            sent_by_user_id=item.sent_by_user_id,
            created_at=now,
            status_at=now,
        )
        for item in items
    ]
    session.add_all(messages)
    session.flush()
    jobs = []
    for item, message in zip(items, messages, strict=True):
        payload: dict[str, Any] = {
            "recipient_type": "individual",
            "to": item.contact.wa_id,
            "type": item.message_type,
            item.message_type: item.body,
            "biz_opaque_callback_data": callback_data_for(message.id),
        }
        if item.reply_to_wa_id:
            payload["context"] = {"message_id": item.reply_to_wa_id}
        jobs.append(
            OutboundJob(
                channel_id=channel.id,
                message_id=message.id,
                kind="message",
                payload=payload,
                idempotency_key=item.idempotency_key or f"message:{message.id}",
            )
        )
        conversation = item.conversation
        if conversation.last_message_at is None or now >= conversation.last_message_at:
            conversation.last_message_at = now
            conversation.last_message_preview = (item.text or f"[{item.message_type}]")[:120]
    session.add_all(jobs)
    return messages


def enqueue_text(
    session: Session,
    channel: Channel,
    conversation: Conversation,
    text: str,
    *,
    idempotency_key: str | None = None,
    sent_by_user_id: int | None = None,
    reply_to_wa_id: str | None = None,
) -> Message:
    return enqueue(
        session,
        channel,
        conversation,
        message_type="text",
        body={"body": text, "preview_url": "http" in text},
        text=text,
        idempotency_key=idempotency_key,
        sent_by_user_id=sent_by_user_id,
        reply_to_wa_id=reply_to_wa_id,
    )


def enqueue_mark_read(session: Session, channel: Channel, wa_message_id: str) -> None:
    """Blue ticks for the customer: tell WhatsApp we read up to this message (once)."""
    key = f"read:{channel.id}:{wa_message_id}"
    if session.exec(select(OutboundJob.id).where(OutboundJob.idempotency_key == key)).first():
        return
    session.add(
        OutboundJob(
            channel_id=channel.id,
            kind="mark_read",
            payload={"message_id": wa_message_id},
            idempotency_key=key,
        )
    )


def requeue(session: Session, message: Message) -> bool:
    """Send a failed message again (the user's "retry"); ``False`` when it cannot be."""
    job = session.exec(select(OutboundJob).where(OutboundJob.message_id == message.id)).first()
    if job is None or job.state != "failed":
        return False
    job.state, job.attempts, job.next_attempt_at = "queued", 0, None
    job.last_error = job.last_error_code = None
    message.status = MessageStatus.QUEUED
    message.error_code = message.error_title = message.error_details = None
    message.status_at = utcnow()
    return True


@dataclass
class RateLimiter:
    """Per-channel pace: never more than ``rate`` sends in any second (WhatsApp's throughput).

    ``wait`` spreads sends evenly; ``admit``, called right before the HTTP request, is the strict
    part: a sliding one-second window that holds a send back when threads that woke late (the
    GIL was busy) would otherwise go together and exceed the rate."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next_at: dict[int, float] = field(default_factory=dict)
    _recent: dict[int, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, channel_id: int, rate: float) -> None:
        interval = 1.0 / max(rate, 0.001)
        with self._lock:
            now = self.clock()
            start = max(now, self._next_at.get(channel_id, now))
            self._next_at[channel_id] = start + interval
        if start > now:
            self.sleep(start - now)

    def admit(self, channel_id: int, rate: float) -> None:
        allowed = max(int(rate), 1)
        while True:
            with self._lock:
                now = self.clock()
                recent = self._recent.setdefault(channel_id, deque())
                while recent and recent[0] <= now - 1.0:
                    recent.popleft()
                if len(recent) < allowed:
                    recent.append(now)
                    return
                pause = recent[0] + 1.0 - now
            self.sleep(max(pause, 0.0005))


MAX_IN_FLIGHT = 2000
"""Jobs claimed and not yet recorded, per worker: about two seconds at WhatsApp's top pace."""

PACE_MARGIN = 0.98
"""Sends are paced and admitted a little under the channel's rate: the moment a request leaves
can trail its admission by a few milliseconds, and that must never add up to more than the rate
in any one second."""

SEND_CONCURRENCY = 16
"""Sends in flight at once per process: enough for 1,000/s at a few milliseconds per answer."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker owns now, with what sending it needs (read in the claiming transaction)."""

    id: int
    channel: Channel
    kind: str
    payload: dict[str, Any]
    message_id: int | None


@dataclass(frozen=True)
class Sent:
    """A job 360Dialog accepted, to be recorded with the others of its round."""

    job_id: int
    message_id: int | None
    wa_message_id: str | None


PROCESS_LIMITER = RateLimiter()
"""One pace per channel for the whole process: a sender started after another (a restart of the
loop) continues the same schedule instead of starting a new second."""


class Sender:
    """Claims due jobs and sends them; one per process (several on PostgreSQL share the queue)."""

    def __init__(
        self,
        engine: Engine,
        client_factory: ClientFactory,
        worker: str = "local",
        limiter: RateLimiter | None = None,
        concurrency: int = SEND_CONCURRENCY,
    ) -> None:
        self.engine = engine
        self.client_factory = client_factory
        self.worker = worker
        self.limiter = limiter or PROCESS_LIMITER
        self._clients: dict[int, tuple[Any, D360Client]] = {}
        self._clients_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="send")
        self._in_flight: list[futures.Future[Sent | None]] = []

    def run_once(self, limit: int = 200, wait: bool = True) -> int:
        """Recover stuck jobs, then start sending what is due; returns how many jobs it took.

        Each send waits for its slot at the channel's pace (the limiter) in a pool thread and then
        goes at once, so sends are paced where they happen and a slow answer from 360Dialog does
        not slow the pace. ``wait=False`` (the background loop) keeps claiming while earlier sends
        are still waiting for their slots, so the pace never pauses between rounds."""
        self.recover_uncertain()
        room = MAX_IN_FLIGHT - len(self._in_flight)
        jobs = self._claim(min(limit, room)) if room > 0 else []
        self._in_flight += [self._pool.submit(self._paced_send, job) for job in jobs]
        self._record_finished(wait)
        return len(jobs)

    def _paced_send(self, job: ClaimedJob) -> Sent | None:
        self.limiter.wait(job.channel.id, job.channel.throughput_mps * PACE_MARGIN)
        self.limiter.admit(job.channel.id, job.channel.throughput_mps * PACE_MARGIN)
        return self._send(job)

    def _record_finished(self, wait: bool) -> None:
        if wait:
            futures.wait(self._in_flight)
        finished = [future for future in self._in_flight if future.done()]
        self._in_flight = [future for future in self._in_flight if not future.done()]
        self._record_sent([sent for future in finished if (sent := future.result()) is not None])

    def close(self) -> None:
        """Stop: finish what is in flight, release this worker's channels so another worker takes
        them at once."""
        self._record_finished(wait=True)
        self._pool.shutdown(wait=True)
        with session_scope(self.engine) as session:
            session.execute(
                update(Channel)
                .where(col(Channel.sender_lease_holder) == self.worker)
                .values(sender_lease_holder=None, sender_lease_until=None)
            )
        for _, client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, channel: Channel) -> D360Client:
        """One HTTP client per channel, rebuilt when the channel's connection changed."""
        with self._clients_lock:
            cached = self._clients.get(channel.id)
            if cached is not None and cached[0] == channel.updated_at:
                return cached[1]
            if cached is not None:
                cached[1].close()
            client = self.client_factory(channel)
            self._clients[channel.id] = (channel.updated_at, client)
            return client

    def _hold_channels(self, session: Session, now: datetime) -> list[int]:
        """Channels this worker sends for now: one worker per channel at a time, so the channel's
        pace holds however many workers run (another worker takes over when a lease expires)."""
        session.execute(
            update(Channel)
            .where(
                or_(
                    col(Channel.sender_lease_holder).is_(None),
                    col(Channel.sender_lease_holder) == self.worker,
                    col(Channel.sender_lease_until) < now,
                )
            )
            .where(
                col(Channel.id).in_(
                    select(OutboundJob.channel_id).where(OutboundJob.state == "queued").distinct()
                )
            )
            .values(sender_lease_holder=self.worker, sender_lease_until=now + LEASE)
        )
        return list(
            session.exec(select(Channel.id).where(Channel.sender_lease_holder == self.worker))
        )

    def _claim(self, limit: int) -> list[ClaimedJob]:
        now = utcnow()
        with session_scope(self.engine) as session:
            held = self._hold_channels(session, now)
            if not held:
                return []
            jobs = list(
                session.exec(
                    select(OutboundJob)
                    .where(col(OutboundJob.channel_id).in_(held))
                    .where(OutboundJob.state == "queued")
                    .where(
                        or_(
                            col(OutboundJob.next_attempt_at).is_(None),
                            OutboundJob.next_attempt_at <= now,
                        )
                    )
                    .order_by(col(OutboundJob.id))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for job in jobs:
                job.state = "sending"
                job.claimed_by = self.worker
                job.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
                job.attempts += 1
            message_ids = [job.message_id for job in jobs if job.message_id is not None]
            if message_ids:
                session.execute(
                    update(Message)
                    .where(col(Message.id).in_(message_ids))
                    .where(col(Message.status) == MessageStatus.QUEUED)
                    .values(status=MessageStatus.SENDING)
                )
            channels = {job.channel_id: session.get(Channel, job.channel_id) for job in jobs}
            return [
                ClaimedJob(
                    job.id,
                    channels[job.channel_id],
                    job.kind,
                    dict(job.payload or {}),
                    job.message_id,
                )
                for job in jobs
            ]

    def _send(self, claimed: ClaimedJob) -> Sent | None:
        """One HTTP call; an accepted send is returned for recording, a refusal recorded now."""
        job_id, channel, kind, payload = claimed.id, claimed.channel, claimed.kind, claimed.payload
        try:
            client = self._client(channel)
            if kind == "mark_read":
                client.mark_read(payload["message_id"])
                wa_id = None
            else:
                self._attach_uploaded_media(client, job_id, payload)
                wa_id = client.send_message(payload).message_id
        except D360Error as error:
            self._record_failure(job_id, error)
            return None
        return Sent(job_id, claimed.message_id, wa_id)

    def _attach_uploaded_media(
        self, client: D360Client, job_id: int, payload: dict[str, Any]
    ) -> None:
        """An attachment goes by 360Dialog media id: upload the stored file first (once)."""
        message_type = payload.get("type")
        if message_type not in {"image", "video", "audio", "document", "sticker"}:
            return
        body = payload.get(message_type) or {}
        if body.get("id") or body.get("link"):
            return
        with session_scope(self.engine) as session:
            job = session.get(OutboundJob, job_id)
            assert job is not None and job.message_id is not None
            media_id = upload_for_send(session, client, job.message_id)
        payload[message_type] = {**body, "id": media_id}

    def _record_sent(self, sent: list[Sent]) -> None:
        """A round's accepted sends, in one transaction (WhatsApp's id, and "sent" unless a
        status webhook already moved the message further)."""
        if not sent:
            return
        now = utcnow()
        message_ids = [item.message_id for item in sent if item.message_id is not None]
        with self.engine.begin() as connection:
            connection.execute(
                update(OutboundJob)
                .where(col(OutboundJob.id).in_([item.job_id for item in sent]))
                .values(state="done", finished_at=now, claimed_until=None)
            )
            named = [
                {"row": item.message_id, "wamid": item.wa_message_id}
                for item in sent
                if item.message_id is not None and item.wa_message_id
            ]
            if named:
                connection.execute(
                    update(Message.__table__)
                    .where(Message.__table__.c.id == bindparam("row"))
                    .where(Message.__table__.c.wa_message_id.is_(None))
                    .values(wa_message_id=bindparam("wamid")),
                    named,
                )
            if message_ids:
                connection.execute(
                    update(Message)
                    .where(col(Message.id).in_(message_ids))
                    .where(col(Message.status).in_([MessageStatus.QUEUED, MessageStatus.SENDING]))
                    .values(status=MessageStatus.SENT, status_at=now)
                )

    def _record_failure(self, job_id: int, error: D360Error) -> None:
        with session_scope(self.engine) as session:
            job = session.get(OutboundJob, job_id)
            assert job is not None
            job.last_error_code = error.code
            job.last_error = str(error)
            job.claimed_until = None
            message = session.get(Message, job.message_id) if job.message_id else None
            if error.is_transient and job.attempts < MAX_ATTEMPTS:
                delay = error.retry_after or min(2**job.attempts, MAX_BACKOFF_SECONDS)
                job.state = "queued"
                job.next_attempt_at = utcnow() + timedelta(seconds=delay)
                if message is not None and message.status == MessageStatus.SENDING:
                    message.status = MessageStatus.QUEUED
                return
            job.state, job.finished_at = "failed", utcnow()
            if message is not None:
                message.status = MessageStatus.FAILED
                message.status_at = utcnow()
                message.error_code = error.code
                message.error_title = error.title or type(error).__name__
                message.error_details = error.details
            log.info("job %s failed for good: %s", job_id, error)

    def recover_uncertain(self) -> int:
        """Jobs left ``sending`` by a dead worker: done if a webhook proved the send, else retried."""
        now = utcnow()
        recovered = 0
        with session_scope(self.engine) as session:
            stuck = session.exec(
                select(OutboundJob)
                .where(OutboundJob.state == "sending")
                .where(OutboundJob.claimed_until < now)
                .with_for_update(skip_locked=True)
            )
            for job in stuck:
                message = session.get(Message, job.message_id) if job.message_id else None
                if message is not None and message.wa_message_id:
                    job.state, job.finished_at = "done", now
                    if message.status in {MessageStatus.QUEUED, MessageStatus.SENDING}:
                        message.status = MessageStatus.SENT
                elif job.claimed_until is not None and job.claimed_until + UNCERTAIN_GRACE <= now:
                    job.state, job.next_attempt_at = "queued", None
                    recovered += 1
        return recovered
