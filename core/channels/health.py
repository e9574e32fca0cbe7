"""A channel's health line: is it hearing from 360Dialog, what went wrong last, how busy is it
today; and reading whether WhatsApp lets it send at all (``read_health``, which
``number_health`` asks for and keeps).

WhatsApp's ``health_status`` names each entity behind the number (the phone number, its WhatsApp
Business Account, the business, the app) as ``AVAILABLE``, ``LIMITED`` or ``BLOCKED``, with the
reasons of a limited or blocked one (``errors``: code, description, possible solution; sometimes
``additional_info`` sentences) and the most restrictive as the overall answer
(https://docs.360dialog.com/docs/messaging/health-status,
https://developers.facebook.com/documentation/business-messaging/whatsapp/support/health-status).
Meta writes those reasons in English only; they are shown as Meta wrote them, under a warning in
the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlmodel import Session, func, select

from core.access.auth import Actor, Permission, require
from core.channels.registry import channel_row
from core.models import Message, utcnow

MESSAGES_TODAY_CAP = 10_000
"""Counting further than this for the health line would make the page slow on a busy number."""


@dataclass(frozen=True)
class ChannelHealth:
    last_webhook_at: datetime | None
    last_error: str | None
    last_error_code: int | None
    last_error_at: datetime | None
    messages_today: int

    @property
    def messages_today_text(self) -> str:
        """The count as shown: exact up to the cap, then "10,000+"."""
        if self.messages_today > MESSAGES_TODAY_CAP:
            return f"{MESSAGES_TODAY_CAP:,}+"
        return f"{self.messages_today:,}"


def channel_health(
    session: Session, actor: Actor, channel_id: int, *, now: datetime | None = None
) -> ChannelHealth:
    """The health line: last webhook received, last error, and messages since UTC midnight."""
    require(actor, Permission.VIEW_CHANNELS)
    channel = channel_row(session, channel_id)
    midnight = datetime.combine((now or utcnow()).astimezone(UTC).date(), time(), tzinfo=UTC)
    todays = (
        select(Message.id)
        .where(Message.channel_id == channel_id, Message.created_at >= midnight)
        .limit(MESSAGES_TODAY_CAP + 1)
        .subquery()
    )
    messages_today = session.exec(select(func.count()).select_from(todays)).one()
    return ChannelHealth(
        last_webhook_at=channel.last_webhook_at,
        last_error=channel.last_error,
        last_error_code=channel.last_error_code,
        last_error_at=channel.last_error_at,
        messages_today=messages_today,
    )


ENTITIES = ("PHONE_NUMBER", "WABA", "BUSINESS", "APP")


@dataclass(frozen=True)
class HealthReason:
    """Why an entity is limited or blocked, as Meta wrote it."""

    entity: str
    """``PHONE_NUMBER``, ``WABA``, ``BUSINESS``, ``APP``, or ``OTHER`` for one Meta adds later."""
    code: int | None
    description: str
    solution: str | None = None


@dataclass(frozen=True)
class MessagingHealth:
    """Whether WhatsApp lets the channel send: ``AVAILABLE``, ``LIMITED`` or ``BLOCKED``."""

    can_send: str
    reasons: tuple[HealthReason, ...] = ()

    @property
    def restricted(self) -> bool:
        return self.can_send in ("LIMITED", "BLOCKED")


def read_health(answer: Any) -> MessagingHealth | None:
    """``GET /health_status``'s answer read leniently; ``None`` without a ``can_send_message``."""
    status = answer.get("health_status") if isinstance(answer, Mapping) else None
    overall = status.get("can_send_message") if isinstance(status, Mapping) else None
    if not isinstance(overall, str):
        return None
    reasons: list[HealthReason] = []
    entities = status.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, Mapping) or entity.get("can_send_message") == "AVAILABLE":
            continue
        kind = str(entity.get("entity_type") or "")
        kind = kind if kind in ENTITIES else "OTHER"
        errors = entity.get("errors")
        for error in errors if isinstance(errors, list) else []:
            if isinstance(error, Mapping) and error.get("error_description"):
                code = error.get("error_code")
                solution = error.get("possible_solution")
                reasons.append(
                    HealthReason(
                        kind,
                        int(code) if isinstance(code, int | float) else None,
                        str(error["error_description"]),
                        str(solution) if solution else None,
                    )
                )
        info = entity.get("additional_info")
        for sentence in info if isinstance(info, list) else []:
            if isinstance(sentence, str) and sentence:
                reasons.append(HealthReason(kind, None, sentence))
    return MessagingHealth(overall.upper(), tuple(reasons))
