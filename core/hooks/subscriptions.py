"""Subscriptions: admins name a URL and the events it receives; its secret signs every delivery.

The secret is returned once, when the subscription is made (the receiver keeps it to check
signatures); the store keeps it encrypted (``core.crypto``), since signing needs it back.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from core import crypto
from core.access import audit
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.hooks.events import EVENTS
from core.models import HookDelivery, HookSubscription, utcnow
from core.paging import Page, fetch_page

SECRET_PREFIX = "whsec_"


def check_url(url: str) -> str:
    """An absolute http(s) URL, or a refusal saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UserFacingError("hooks.error.url", url=url)
    return url.strip()


def check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise UserFacingError(
            "hooks.error.events", given=",".join(unknown) or "-", known=",".join(EVENTS)
        )
    return [name for name in EVENTS if name in events]


def create_subscription(
    session: Session, actor: Actor, url: str, events: list[str]
) -> tuple[HookSubscription, str]:
    """A new subscription and its signing secret (shown now; kept encrypted)."""
    require(actor, Permission.MANAGE_CHANNELS)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    subscription = HookSubscription(
        url=check_url(url),
        events=check_events(events),
        secret_encrypted=crypto.encrypt(secret),
        created_by=actor.username,
    )
    session.add(subscription)
    session.flush()
    audit.record(session, actor, "hook.create", subscription.url, id=subscription.id, events=events)
    return subscription, secret


def list_subscriptions(session: Session, actor: Actor) -> list[HookSubscription]:
    """The subscriptions in force, oldest first."""
    require(actor, Permission.VIEW_CHANNELS)
    return list(
        session.exec(
            select(HookSubscription)
            .where(col(HookSubscription.deleted_at).is_(None))
            .order_by(col(HookSubscription.id))
        )
    )


def get_subscription(session: Session, actor: Actor, subscription_id: int) -> HookSubscription:
    require(actor, Permission.VIEW_CHANNELS)
    subscription = session.get(HookSubscription, subscription_id)
    if subscription is None or subscription.deleted_at is not None:
        raise UserFacingError("hooks.error.not_found", id=subscription_id)
    return subscription


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """No more events for it; what was still waiting to be delivered is cancelled."""
    require(actor, Permission.MANAGE_CHANNELS)
    subscription = get_subscription(session, actor, subscription_id)
    subscription.deleted_at = utcnow()
    deliveries = HookDelivery.__table__.c  # type: ignore[attr-defined]
    session.connection().execute(
        update(HookDelivery.__table__)  # type: ignore[arg-type]
        .where(deliveries.subscription_id == subscription_id, deliveries.state == "pending")
        .values(state="cancelled")
    )
    audit.record(session, actor, "hook.delete", subscription.url, id=subscription_id)


def delivery_log(
    session: Session,
    actor: Actor,
    subscription_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[HookDelivery]:
    """Deliveries newest first (one subscription's, or all): what was sent, when, and how it went."""
    require(actor, Permission.MANAGE_CHANNELS)
    query = select(HookDelivery)
    if subscription_id is not None:
        query = query.where(HookDelivery.subscription_id == subscription_id)
    return fetch_page(session, query.order_by(col(HookDelivery.id).desc()), page, page_size)


def send_again(session: Session, actor: Actor, delivery_id: int) -> HookDelivery:
    """Deliver once more (the log's "send again"), with a fresh series of retries."""
    require(actor, Permission.MANAGE_CHANNELS)
    delivery = session.get(HookDelivery, delivery_id)
    if delivery is None:
        raise UserFacingError("hooks.error.delivery_not_found", id=delivery_id)
    get_subscription(session, actor, delivery.subscription_id)
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    audit.record(session, actor, "hook.send_again", f"delivery:{delivery_id}")
    return delivery
