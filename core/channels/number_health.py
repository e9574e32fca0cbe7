"""Number health over time: whether WhatsApp lets the number send (and why not), its quality
rating, the messaging limit and the display name's status, with a warning when any worsens.

Two ways in, both recorded in ``number_health`` (a row per change, see ``NumberHealthRecord``):

- a check (:func:`check_number`): 360Dialog's ``GET /health_status``
  (https://docs.360dialog.com/docs/messaging/health-status) and the number's own fields,
  ``quality_rating``, ``name_status`` and the business portfolio's messaging limit,
  ``whatsapp_business_manager_messaging_limit`` (``messaging_limit_tier`` before Graph v24;
  https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits). The
  worker checks every active Cloud channel every few minutes; an admin can check on demand.
- the webhooks announcing a change (:func:`apply_webhook`): ``phone_number_quality_update``,
  ``phone_number_name_update``, ``account_update`` and ``business_capability_update``
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.access.auth import SYSTEM_ACTOR, Actor, Permission, require
from core.channels.health import HealthReason, MessagingHealth, read_health
from core.channels.registry import channel_row, client_for
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.db import session_scope
from core.models import Channel, NumberHealthRecord, utcnow

log = logging.getLogger(__name__)

NUMBER_FIELDS = ("quality_rating", "name_status", "whatsapp_business_manager_messaging_limit")
WEBHOOK_FIELDS = (
    "phone_number_quality_update",
    "phone_number_name_update",
    "account_update",
    "business_capability_update",
)
CHECK_SECONDS = 300.0
"""How often the worker checks every number (Meta changes these at most a few times a day)."""

SEND_ORDER = ("AVAILABLE", "LIMITED", "BLOCKED")
QUALITY_ORDER = ("GREEN", "YELLOW", "RED")
LIMIT_ORDER = (
    "TIER_UNLIMITED",
    "TIER_100K",
    "TIER_10K",
    "TIER_2K",
    "TIER_1K",
    "TIER_250",
    "TIER_50",
)
"""Messaging limits, highest first: later in the list is worse (the older 50 and 1K included)."""
PEOPLE_PER_DAY: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
}
"""Each messaging limit as the unique people a day the number may send templates to (``None``:
unlimited), the campaign estimate's ``Channel.messaging_limit``. Meta names them so in the number's
``whatsapp_business_manager_messaging_limit``
(https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits) and in
``phone_number_quality_update``'s ``current_limit`` and ``max_daily_conversations_per_business``
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update);
``TIER_NOT_SET`` (a number that has not sent yet) says nothing about the limit."""
NAME_GOOD = ("APPROVED", "AVAILABLE_WITHOUT_REVIEW")
NAME_BAD = ("DECLINED", "EXPIRED")
NAME_DECISIONS = {"APPROVED": "APPROVED", "REJECTED": "DECLINED", "PENDING": "PENDING_REVIEW"}
"""``phone_number_name_update``'s ``decision`` as the ``name_status`` it leads to."""
BAD_ACCOUNT_EVENTS = ("ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION", "DISABLED_UPDATE")
"""``account_update`` events that limit what the number may do."""
EVENT_ASPECTS = {"FLAGGED": "quality_rating", "DOWNGRADE": "messaging_limit"}
"""``phone_number_quality_update`` events that are a worsening in themselves."""


@dataclass(frozen=True)
class NumberHealth:
    """What WhatsApp says about a number now; ``None`` where it has not said."""

    can_send: str | None = None
    quality_rating: str | None = None
    messaging_limit: str | None = None
    name_status: str | None = None
    reasons: tuple[HealthReason, ...] = ()
    event: str | None = None
    source: str = "check"
    worsened: tuple[str, ...] = ()
    recorded_at: datetime | None = None
    checked_at: datetime | None = None

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong now (each aspect once), for a warning even when nothing just changed."""
        found = []
        if self.can_send in ("LIMITED", "BLOCKED"):
            found.append("can_send")
        if self.quality_rating in ("YELLOW", "RED"):
            found.append("quality_rating")
        if self.name_status in NAME_BAD:
            found.append("name_status")
        return tuple(found)

    @property
    def needs_attention(self) -> bool:
        return bool(self.problems or self.worsened)


def _rank(order: tuple[str, ...], value: str | None) -> int | None:
    return order.index(value) if value in order else None


def worsened(before: NumberHealth, after: NumberHealth) -> tuple[str, ...]:
    """The aspects worse in ``after`` than in ``before`` (an unknown value is never worse)."""
    found = []
    for aspect, order in (
        ("can_send", SEND_ORDER),
        ("quality_rating", QUALITY_ORDER),
        ("messaging_limit", LIMIT_ORDER),
    ):
        old, new = _rank(order, getattr(before, aspect)), _rank(order, getattr(after, aspect))
        if old is not None and new is not None and new > old:
            found.append(aspect)
    if after.name_status in NAME_BAD and before.name_status not in NAME_BAD:
        found.append("name_status")
    if after.event in BAD_ACCOUNT_EVENTS:
        found.append("account")
    elif after.event in EVENT_ASPECTS:
        found.append(EVENT_ASPECTS[after.event])
    return tuple(dict.fromkeys(found))


def _from_row(row: NumberHealthRecord) -> NumberHealth:
    return NumberHealth(
        can_send=row.can_send,
        quality_rating=row.quality_rating,
        messaging_limit=row.messaging_limit,
        name_status=row.name_status,
        reasons=tuple(HealthReason(**reason) for reason in row.reasons or []),
        event=row.event,
        source=row.source,
        worsened=tuple(row.worsened or ()),
        recorded_at=row.recorded_at,
        checked_at=row.checked_at,
    )


def _latest_row(session: Session, channel_id: int) -> NumberHealthRecord | None:
    return session.exec(
        select(NumberHealthRecord)
        .where(NumberHealthRecord.channel_id == channel_id)
        .order_by(col(NumberHealthRecord.recorded_at).desc(), col(NumberHealthRecord.id).desc())
        .limit(1)
    ).first()


def current(session: Session, actor: Actor, channel_id: int) -> NumberHealth | None:
    """The newest state recorded for the channel, or ``None`` before the first check."""
    require(actor, Permission.VIEW_CHANNELS)
    channel_row(session, channel_id)
    row = _latest_row(session, channel_id)
    return _from_row(row) if row else None


def known_or_checked(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    client_factory: Callable[[Channel], D360Client] = client_for,
) -> NumberHealth | None:
    """The newest recorded state; a channel never checked (just connected) is checked now."""
    known = current(session, actor, channel_id)
    if known is not None:
        return known
    return check_number(session, actor, channel_id, client_factory=client_factory)


def history(session: Session, actor: Actor, channel_id: int, limit: int = 50) -> list[NumberHealth]:
    """The channel's recorded changes, newest first."""
    require(actor, Permission.VIEW_CHANNELS)
    channel_row(session, channel_id)
    rows = session.exec(
        select(NumberHealthRecord)
        .where(NumberHealthRecord.channel_id == channel_id)
        .order_by(col(NumberHealthRecord.recorded_at).desc(), col(NumberHealthRecord.id).desc())
        .limit(limit)
    )
    return [_from_row(row) for row in rows]


def record(session: Session, channel: Channel, state: NumberHealth) -> NumberHealth:
    """Keep ``state`` as the channel's newest: a new row when anything changed, otherwise the
    last row is only marked as seen again (``checked_at``). The messaging limit also goes to
    ``Channel.messaging_limit``, which campaign estimates read."""
    now = utcnow()
    _keep_limit(session, channel, state.messaging_limit)
    row = _latest_row(session, channel.id)  # type: ignore[arg-type]
    before = _from_row(row) if row else None
    same = before is not None and _facts(before) == _facts(state) and state.event is None
    if row is not None and same:
        row.checked_at = now
        session.add(row)
        return replace(before, checked_at=now)  # type: ignore[type-var]
    state = replace(
        state, worsened=worsened(before or NumberHealth(), state), recorded_at=now, checked_at=now
    )
    session.add(
        NumberHealthRecord(
            channel_id=channel.id,
            source=state.source,
            event=state.event,
            can_send=state.can_send,
            quality_rating=state.quality_rating,
            messaging_limit=state.messaging_limit,
            name_status=state.name_status,
            reasons=[reason.__dict__ for reason in state.reasons],
            worsened=list(state.worsened),
            recorded_at=now,
            checked_at=now,
        )
    )
    session.flush()
    return state


def _keep_limit(session: Session, channel: Channel, limit: str | None) -> None:
    """Fill the channel's ``messaging_limit`` (people a day) from Meta's value: one of
    :data:`PEOPLE_PER_DAY`, or a plain number of people; any other value leaves it as it was."""
    if limit in PEOPLE_PER_DAY:
        people = PEOPLE_PER_DAY[limit]
    elif limit is not None and limit.isdigit():
        people = int(limit)
    else:
        return
    stored = session.get(Channel, channel.id)  # this session's copy, whichever ``channel`` is
    if stored is not None and stored.messaging_limit != people:
        stored.messaging_limit = people
        session.add(stored)


def _facts(state: NumberHealth) -> tuple[Any, ...]:
    return (
        state.can_send,
        state.quality_rating,
        state.messaging_limit,
        state.name_status,
        state.reasons,
    )


def check_number(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    client_factory: Callable[[Channel], D360Client] = client_for,
) -> NumberHealth | None:
    """Ask 360Dialog now and record the answer; ``None`` for an On-Premise number, which has
    none of these. A part 360Dialog does not answer keeps its last known value."""
    require(actor, Permission.VIEW_CHANNELS)
    channel = channel_row(session, channel_id)
    if channel.generation != "cloud":
        return None
    last = _latest_row(session, channel_id)
    known = _from_row(last) if last else NumberHealth()
    with client_factory(channel) as client:
        try:
            health: MessagingHealth | None = read_health(client.health())
        except D360Error:
            health = None
        try:
            fields = client.phone_number(NUMBER_FIELDS)
        except D360Error:
            fields = {}
    if health is None and not fields:
        return known if last else None
    state = NumberHealth(
        can_send=health.can_send if health else known.can_send,
        reasons=health.reasons if health else known.reasons,
        quality_rating=_text(fields.get("quality_rating")) or known.quality_rating,
        messaging_limit=_limit(fields) or known.messaging_limit,
        name_status=_text(fields.get("name_status")) or known.name_status,
    )
    return record(session, channel, state)


def _text(value: object) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _limit(value: Mapping[str, Any]) -> str | None:
    """The portfolio's messaging limit, under its current name or the older one."""
    return _text(value.get("whatsapp_business_manager_messaging_limit")) or _text(
        value.get("messaging_limit_tier")
    )


def apply_webhook(session: Session, channel: Channel, field: str, value: Any) -> NumberHealth:
    """A webhook announcing a change, recorded on top of the last known state."""
    last = _latest_row(session, channel.id)  # type: ignore[arg-type]
    known = replace(_from_row(last), event=None) if last else NumberHealth()
    value = value if isinstance(value, Mapping) else {}
    event = _text(value.get("event"))
    state = replace(known, source=field, event=event)
    if field == "phone_number_quality_update":
        limit = _text(value.get("max_daily_conversations_per_business")) or _text(
            value.get("current_limit")
        )
        state = replace(state, messaging_limit=limit or known.messaging_limit)
    elif field == "business_capability_update":
        limit = _text(value.get("max_daily_conversations_per_business"))
        state = replace(state, messaging_limit=limit or known.messaging_limit)
    elif field == "phone_number_name_update":
        decision = _text(value.get("decision"))
        state = replace(
            state, event=decision, name_status=NAME_DECISIONS.get(decision or "", known.name_status)
        )
    elif field == "account_update" and event in BAD_ACCOUNT_EVENTS:
        state = replace(state, reasons=known.reasons + _account_reasons(value, event))
    return record(session, channel, state)


def _account_reasons(value: Mapping[str, Any], event: str) -> tuple[HealthReason, ...]:
    """What an ``account_update`` says was restricted or violated, as Meta wrote it."""
    found = []
    violation = value.get("violation_info")
    if isinstance(violation, Mapping) and violation.get("violation_type"):
        found.append(HealthReason("WABA", None, str(violation["violation_type"])))
    restrictions = value.get("restriction_info")
    for item in restrictions if isinstance(restrictions, list) else []:
        if isinstance(item, Mapping) and item.get("restriction_type"):
            until = f" (until {item['expiration']})" if item.get("expiration") else ""
            found.append(HealthReason("WABA", None, f"{item['restriction_type']}{until}"))
    return tuple(found) or (HealthReason("WABA", None, event),)


def check_all(engine: Engine) -> int:
    """The worker's step: every active Cloud channel checked; one failing does not stop the
    others. Returns 0 so the loop sleeps its full interval."""
    with session_scope(engine) as session:
        channel_ids = list(
            session.exec(
                select(Channel.id).where(Channel.active == True, Channel.generation == "cloud")  # noqa: E712
            )
        )
    for channel_id in channel_ids:
        try:
            with session_scope(engine) as session:
                check_number(session, SYSTEM_ACTOR, channel_id)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001  (one channel's outage must not stop the others)
            log.exception("number check failed for channel %s", channel_id)
    return 0
