"""The sender: takes queued jobs (``core.outbox.queue``) and sends them through 360Dialog.

- The sender claims due jobs (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share
  the queue), sends at the channel's rate (``core.outbox.limiter``), retries transient failures
  (429, 5xx, timeouts) with backoff and records permanent ones on the message in words a user
  understands (``core.outbox.refusals``, a round's at once).
- Each send carries ``biz_opaque_callback_data`` naming our row. If the process dies between
  360Dialog's answer and our commit, the job stays ``sending``; its status webhooks (which echo
  that data) then tell us it went out. Only when none arrives within ``UNCERTAIN_GRACE`` is it sent
  again — the one case where a duplicate is possible, and only if 360Dialog lost both its answer
  and every status webhook of the message.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, update
from sqlmodel import Session, col, or_, select

from core.channels import changes
from core.conversations.media import upload_for_send
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.db import in_row_order, session_scope
from core.models import (
    Channel,
    Contact,
    Conversation,
    Message,
    MessageStatus,
    OutboundJob,
    utcnow,
)
from core.outbox.limiter import RateLimiter
from core.outbox.refusals import Refused, record_refused

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60
LEASE = timedelta(seconds=30)
UNCERTAIN_GRACE = timedelta(minutes=2)

ClientFactory = Callable[[Channel], D360Client]

JOBS = OutboundJob.__table__.c  # type: ignore[attr-defined]
MESSAGES_TABLE = Message.__table__
MESSAGES = MESSAGES_TABLE.c  # type: ignore[attr-defined]
CONVERSATIONS = Conversation.__table__.c  # type: ignore[attr-defined]
CONTACTS = Contact.__table__.c  # type: ignore[attr-defined]


MAX_IN_FLIGHT = 2000
"""Jobs claimed and not yet recorded, per worker: about two seconds at WhatsApp's top pace."""

SEND_CONCURRENCY = 16
"""Send threads per sender, so sends in flight at once: enough for 1,000/s at a few milliseconds
per answer, and to make up a stall at once."""


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
    """A job 360Dialog accepted, to be recorded with the others of its round: the message's
    status as the answer says it, and the number WhatsApp knows the contact by when it is not
    the one we sent to."""

    job_id: int
    channel_id: int
    message_id: int | None
    wa_message_id: str | None
    status: MessageStatus = MessageStatus.SENT
    reported_wa_id: str | None = None


HELD_ANSWERS = {
    "held_for_quality_assessment": MessageStatus.HELD,
    "paused": MessageStatus.PAUSED,
}
"""``messages[].message_status`` values that mean WhatsApp has not sent the message yet
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages; Meta's OpenAPI
``MessageResponsePayload``). ``accepted``, none (On-Premise) or any other value is sent."""


PROCESS_LIMITER = RateLimiter()
"""One pace per channel for the whole process: a sender started after another (a restart of the
loop) continues the same schedule instead of starting a new second."""


Outcome = Sent | Refused | BaseException
"""What a send thread hands back: an accepted or a refused send to record, or an unexpected
error to raise in the sender's loop."""


class Sender:
    """Claims due jobs and sends them; one per process (several on PostgreSQL share the queue).

    Claimed jobs go to a few long-lived send threads through a queue, and what they send comes
    back through another: at 1,000 sends a second a future per job (its lock, its condition,
    checking thousands of them each round) was a measurable share of the sender's time."""

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
        self._concurrency = concurrency
        self._threads: list[threading.Thread] = []
        self._to_send: queue.SimpleQueue[ClaimedJob | None] = queue.SimpleQueue()
        self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self._in_flight = 0

    def run_once(self, limit: int = 200, wait: bool = True) -> int:
        """Recover stuck jobs, then start sending what is due; returns how many jobs it took.

        Each send waits for its slot at the channel's pace (the limiter) in a send thread and
        then goes at once, so sends are paced where they happen and a slow answer from 360Dialog
        does not slow the pace. ``wait=False`` (the background loop) keeps claiming while earlier
        sends are still waiting for their slots, so the pace never pauses between rounds."""
        self.recover_uncertain()
        room = MAX_IN_FLIGHT - self._in_flight
        jobs = self._claim(min(limit, room)) if room > 0 else []
        if jobs and not self._threads:
            self._start_threads()
        for job in jobs:
            self._to_send.put(job)
        self._in_flight += len(jobs)
        self._record_finished(wait)
        return len(jobs)

    def _start_threads(self) -> None:
        self._threads = [
            threading.Thread(target=self._send_loop, name=f"send_{number}", daemon=True)
            for number in range(self._concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def _stop_threads(self) -> None:
        for _ in self._threads:
            self._to_send.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _send_loop(self) -> None:
        while (job := self._to_send.get()) is not None:
            try:
                outcome: Outcome = self._send(job)
            except BaseException as error:  # handed to the loop, which raises it
                outcome = error
            self._outcomes.put(outcome)

    def _record_finished(self, wait: bool) -> None:
        """Record the sends that finished (all in flight when ``wait``), then raise the first
        unexpected error of a send thread, if any: the others are recorded regardless."""
        sent: list[Sent] = []
        refused: list[Refused] = []
        errors: list[BaseException] = []
        while self._in_flight:
            try:
                outcome = self._outcomes.get(block=wait)
            except queue.Empty:
                break
            self._in_flight -= 1
            if isinstance(outcome, Sent):
                sent.append(outcome)
            elif isinstance(outcome, Refused):
                refused.append(outcome)
            else:
                errors.append(outcome)
        self._record_sent(sent)
        self._record_refused(refused)
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Stop: what the send threads are sending finishes and is recorded; jobs claimed but not
        yet taken by a thread go back to the queue unsent (a round claims up to
        ``MAX_IN_FLIGHT``, which at the channel's pace took up to minutes to send out before a
        stop could finish); this worker's channels are released so another worker takes them at
        once."""
        unstarted = self._take_unstarted()
        self._in_flight -= len(unstarted)
        try:
            self._hand_back(unstarted)
            self._record_finished(wait=True)
        finally:
            self._stop_threads()
        with session_scope(self.engine) as session:
            session.execute(
                update(Channel)
                .where(col(Channel.sender_lease_holder) == self.worker)
                .values(sender_lease_holder=None, sender_lease_until=None)
            )
        for _, client in self._clients.values():
            client.close()
        self._clients.clear()

    def _take_unstarted(self) -> list[ClaimedJob]:
        taken: list[ClaimedJob] = []
        while True:
            try:
                job = self._to_send.get_nowait()
            except queue.Empty:
                return taken
            if job is not None:
                taken.append(job)

    def _hand_back(self, jobs: list[ClaimedJob]) -> None:
        """Claimed jobs never sent: queued again as they were (their claim's attempt undone).
        Their messages stay ``sending``, since the next claim sends them without delay."""
        if not jobs:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(OutboundJob.__table__)  # type: ignore[arg-type]
                .where(
                    JOBS.id.in_([job.id for job in jobs]),
                    JOBS.claimed_by == self.worker,
                    JOBS.state == "sending",
                )
                .values(
                    state="queued",
                    claimed_by=None,
                    claimed_until=None,
                    attempts=JOBS.attempts - 1,
                )
            )
        log.info("handed back %d unsent jobs on stopping", len(jobs))

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
        """Take up to ``limit`` due jobs of the channels this worker holds, oldest first.

        One ``UPDATE … RETURNING`` marks them ``sending`` and reads what sending needs: a round
        claims hundreds, and loading them as models cost more than their sends."""
        now = utcnow()
        with session_scope(self.engine) as session:
            held = self._hold_channels(session, now)
            if not held:
                return []
            due = (
                select(JOBS.id)
                .where(JOBS.channel_id.in_(held), JOBS.state == "queued")
                .where(or_(JOBS.next_attempt_at.is_(None), JOBS.next_attempt_at <= now))
                .order_by(JOBS.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            connection = session.connection()
            rows = connection.execute(
                update(OutboundJob.__table__)  # type: ignore[arg-type]
                .where(JOBS.id.in_(due.scalar_subquery()))
                .values(
                    state="sending",
                    claimed_by=self.worker,
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                    attempts=JOBS.attempts + 1,
                )
                .returning(JOBS.id, JOBS.channel_id, JOBS.kind, JOBS.payload, JOBS.message_id)
            ).all()
            message_ids = [row.message_id for row in rows if row.message_id is not None]
            if message_ids:
                connection.execute(
                    update(Message.__table__)  # type: ignore[arg-type]
                    .where(MESSAGES.id.in_(message_ids), MESSAGES.status == MessageStatus.QUEUED)
                    .values(status=MessageStatus.SENDING)
                )
                changes.note(session, *{row.channel_id for row in rows if row.message_id})
            channels = {id_: session.get(Channel, id_) for id_ in {row.channel_id for row in rows}}
            return [
                ClaimedJob(
                    row.id,
                    channels[row.channel_id],
                    row.kind,
                    dict(row.payload or {}),
                    row.message_id,
                )
                for row in sorted(rows, key=lambda row: row.id)
            ]

    def _send(self, claimed: ClaimedJob) -> Sent | Refused:
        """One HTTP call at the channel's pace; its answer is returned for recording. Whatever
        else a send needs is done before its slot, so the request follows its admission at
        once."""
        job_id, channel, kind, payload = claimed.id, claimed.channel, claimed.kind, claimed.payload
        pace = self.limiter.slot(channel.id, channel.throughput_mps)
        try:
            client = self._client(channel)
            if kind == "mark_read":
                with pace:
                    client.mark_read(payload["message_id"])
                return Sent(job_id, channel.id, claimed.message_id, None)
            self._attach_uploaded_media(client, job_id, payload)
            with pace:
                answer = client.send_message(payload)
        except D360Error as error:
            return Refused(job_id, error)
        return Sent(
            job_id,
            channel.id,
            claimed.message_id,
            answer.message_id,
            HELD_ANSWERS.get(answer.message_status or "", MessageStatus.SENT),
            answer.reported_wa_id,
        )

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
        """A round's accepted sends, in one transaction: WhatsApp's id; "sent", or "held" /
        "paused" as the answer says, unless a status webhook already moved the message on (a
        stored status is never moved back); and the number WhatsApp reported for a contact."""
        if not sent:
            return
        now = utcnow()
        with self.engine.begin() as connection:
            connection.execute(
                update(OutboundJob)
                .where(col(OutboundJob.id).in_([item.job_id for item in sent]))
                .values(state="done", finished_at=now, claimed_until=None)
            )
            named = {
                item.message_id: {"row": item.message_id, "wamid": item.wa_message_id}
                for item in sent
                if item.message_id is not None and item.wa_message_id
            }
            if named:
                connection.execute(
                    update(Message.__table__)
                    .where(MESSAGES.id == bindparam("row"))
                    .where(MESSAGES.wa_message_id.is_(None))
                    .values(wa_message_id=bindparam("wamid")),
                    in_row_order(named),
                )
            by_status: dict[MessageStatus, list[int]] = {}
            for item in sent:
                if item.message_id is not None:
                    by_status.setdefault(item.status, []).append(item.message_id)
            for status, ids in by_status.items():
                connection.execute(
                    update(Message)
                    .where(col(Message.id).in_(ids))
                    .where(col(Message.status).in_([MessageStatus.QUEUED, MessageStatus.SENDING]))
                    .values(status=status, status_at=now)
                )
            _record_reported_wa_ids(connection, sent)
            changes.bump(connection, {item.channel_id for item in sent if item.message_id})

    def _record_refused(self, refused: list[Refused]) -> None:
        """A round's refused sends, in one transaction (``core.outbox.refusals``)."""
        if refused:
            with self.engine.begin() as connection:
                record_refused(connection, refused)

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
                        changes.note(session, job.channel_id)
                elif job.claimed_until is not None and job.claimed_until + UNCERTAIN_GRACE <= now:
                    job.state, job.next_attempt_at = "queued", None
                    recovered += 1
        return recovered


def _record_reported_wa_ids(connection: Connection, sent: list[Sent]) -> None:
    """Keep on each contact the ``wa_id`` WhatsApp answered with where it is not the number we
    sent to; rare, so the contact is found from the message here rather than for every send."""
    reported = {
        item.message_id: {"row": item.message_id, "reported": item.reported_wa_id}
        for item in sent
        if item.message_id is not None and item.reported_wa_id
    }
    if not reported:
        return
    contact_of_message = (
        select(CONVERSATIONS.contact_id)
        .join(MESSAGES_TABLE, MESSAGES.conversation_id == CONVERSATIONS.id)
        .where(MESSAGES.id == bindparam("row"))
        .scalar_subquery()
    )
    connection.execute(
        update(Contact.__table__)  # type: ignore[arg-type]
        .where(CONTACTS.id == contact_of_message)
        .values(reported_wa_id=bindparam("reported")),
        in_row_order(reported),
    )
