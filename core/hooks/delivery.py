"""Sending queued deliveries: signed, in order per conversation, retried with backoff for a day.

Each delivery is POSTed with its body signed by HMAC-SHA256 under the subscription's secret
(``X-Signature-256: sha256=<hex>``, the scheme GitHub's and Meta's own webhooks use:
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads), so a
receiver can tell the body came from us unchanged. Any 2xx answer is delivered; anything else
(or no answer within :data:`TIMEOUT_SECONDS`) is tried again after the next of
:data:`RETRY_DELAYS`, about 24 hours in all, then the delivery is ``failed`` (the log's "send
again" starts a new series).

Order: only the oldest pending delivery of a subscription and ordering key (a conversation, a
template, a campaign) is ever sent, so a receiver sees a conversation's events in the order they
happened, even across an outage. Delivered-once: a delivery is leased while it is sent and
marked delivered right after the 2xx; ``X-Hook-Delivery`` names it for receivers that must never
act twice on the rare repeat (a worker killed between the answer and the mark).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, and_, bindparam, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from core import crypto
from core.db import session_scope
from core.models import HookDelivery, HookSubscription, UTCDateTime, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-256"
RETRY_DELAYS = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 28800)
"""Seconds before each retry: 13 attempts over about 24 hours."""
TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 60
"""A claimed delivery is not claimed again meanwhile (a crashed worker's comes back after it)."""
BATCH = 100
PARALLEL_SUBSCRIPTIONS = 4
"""Subscriptions sent to at the same time: one endpoint that hangs holds up only its own."""


def sign(secret: str, body: bytes) -> str:
    """The ``X-Signature-256`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does with the header (constant-time comparison)."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


@dataclass(frozen=True)
class Claimed:
    id: int
    subscription_id: int
    event: str
    body: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _claim(engine: Engine, now: datetime, limit: int) -> list[Claimed]:
    """Due deliveries that are the oldest pending of their subscription and ordering key,
    leased for :data:`LEASE_SECONDS` (SKIP LOCKED: several workers share the queue)."""
    earlier = aliased(HookDelivery)
    blocked = (
        select(earlier.id)
        .where(
            earlier.subscription_id == HookDelivery.subscription_id,
            earlier.ordering_key == HookDelivery.ordering_key,
            earlier.state == "pending",
            col(earlier.id) < HookDelivery.id,
        )
        .exists()
    )
    with session_scope(engine) as session:
        rows = list(
            session.exec(
                select(
                    HookDelivery.id,
                    HookDelivery.subscription_id,
                    HookDelivery.event,
                    HookDelivery.body,
                    HookDelivery.attempts,
                )
                .where(HookDelivery.state == "pending", col(HookDelivery.next_attempt_at) <= now)
                .where(~blocked)
                .order_by(col(HookDelivery.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if rows:
            deliveries = HookDelivery.__table__.c  # type: ignore[attr-defined]
            session.connection().execute(
                update(HookDelivery.__table__)  # type: ignore[arg-type]
                .where(deliveries.id.in_([row[0] for row in rows]))
                .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
            )
    return [Claimed(*row) for row in rows]


def _secrets(engine: Engine, subscription_ids: set[int]) -> dict[int, tuple[str, str]]:
    with session_scope(engine) as session:
        return {
            row.id: (row.url, crypto.decrypt(row.secret_encrypted))
            for row in session.exec(
                select(HookSubscription).where(col(HookSubscription.id).in_(subscription_ids))
            )
        }


class Deliverer:
    """The worker's sender of deliveries (one HTTP client, kept between rounds)."""

    def __init__(self, engine: Engine, client: httpx.Client | None = None) -> None:
        self.engine = engine
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self.pool = ThreadPoolExecutor(PARALLEL_SUBSCRIPTIONS, thread_name_prefix="hooks")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    def run_once(self, now: datetime | None = None, limit: int = BATCH) -> int:
        """One round: claim, send per subscription in parallel, record; how many were tried."""
        now = now or utcnow()
        claimed = _claim(self.engine, now, limit)
        if not claimed:
            return 0
        endpoints = _secrets(self.engine, {c.subscription_id for c in claimed})
        groups: dict[int, list[Claimed]] = defaultdict(list)
        for delivery in claimed:
            groups[delivery.subscription_id].append(delivery)
        outcomes = [
            outcome
            for results in self.pool.map(
                lambda group: self._send_group(endpoints[group[0].subscription_id], group),
                groups.values(),
            )
            for outcome in results
        ]
        _record(self.engine, claimed, outcomes, utcnow())
        return len(outcomes)

    def _send_group(self, endpoint: tuple[str, str], group: list[Claimed]) -> list[Outcome]:
        """A subscription's deliveries in order; after a failure the rest wait with it (the
        endpoint is likely down: no point in a timeout each)."""
        outcomes = []
        for delivery in group:
            outcome = self._send(endpoint, delivery)
            outcomes.append(outcome)
            if not outcome.delivered:
                break
        return outcomes

    def _send(self, endpoint: tuple[str, str], delivery: Claimed) -> Outcome:
        url, secret = endpoint
        body = delivery.body.encode()
        try:
            answer = self.client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, body),
                    "X-Hook-Event": delivery.event,
                    "X-Hook-Delivery": str(delivery.id),
                },
            )
        except httpx.HTTPError as exc:
            return Outcome(delivery.id, None, f"{type(exc).__name__}: {exc}"[:500])
        error = None if 200 <= answer.status_code < 300 else answer.text[:500]
        return Outcome(delivery.id, answer.status_code, error)


def _record(engine: Engine, claimed: list[Claimed], outcomes: list[Outcome], now: datetime) -> None:
    """Each tried delivery's result; the untried ones of a failed group wait as long as it."""
    tried = {outcome.delivery_id: outcome for outcome in outcomes}
    by_id = {delivery.id: delivery for delivery in claimed}
    rows = []
    retry_of_group: dict[int, datetime] = {}
    for delivery_id, outcome in sorted(tried.items()):
        attempts = by_id[delivery_id].attempts + 1
        row = {
            "row": delivery_id,
            "tries": attempts,
            "status": outcome.status,
            "error": outcome.error,
            "outcome": "delivered" if outcome.delivered else "pending",
            "at": now if outcome.delivered else None,
            "next": None,
        }
        if not outcome.delivered:
            if attempts > len(RETRY_DELAYS):
                row["outcome"] = "failed"
            else:
                row["next"] = now + timedelta(seconds=RETRY_DELAYS[attempts - 1])
                retry_of_group[by_id[delivery_id].subscription_id] = row["next"]
        rows.append(row)
    deliveries = HookDelivery.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        connection = session.connection()
        connection.execute(
            update(HookDelivery.__table__)  # type: ignore[arg-type]
            .where(and_(deliveries.id == bindparam("row"), deliveries.state == "pending"))
            .values(
                attempts=bindparam("tries"),
                last_status=bindparam("status"),
                last_error=bindparam("error"),
                state=bindparam("outcome"),
                delivered_at=bindparam("at", type_=UTCDateTime),
                next_attempt_at=bindparam("next", type_=UTCDateTime),
            ),
            rows,
        )
        for delivery in claimed:
            if delivery.id not in tried:
                connection.execute(
                    update(HookDelivery.__table__)  # type: ignore[arg-type]
                    .where(deliveries.id == delivery.id)
                    .values(next_attempt_at=retry_of_group.get(delivery.subscription_id, now))
                )
