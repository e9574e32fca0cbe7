"""The phone number's own fields: quality rating, messaging limit, display name status.

Meta answers them on the phone-number node, ``GET /{phone-number-id}?fields=...``
(https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account-to-number-current-status/
and Meta's OpenAPI ``phone_number_get_response_200`` examples): ``quality_rating`` ``GREEN``,
``YELLOW``, ``RED`` or ``NA``; ``name_status`` ``APPROVED``, ``AVAILABLE_WITHOUT_REVIEW``,
``DECLINED``, ``EXPIRED``, ``PENDING_REVIEW`` or ``NONE``; and the messaging limit, which since
October 2025 is the business portfolio's, ``whatsapp_business_manager_messaging_limit``
(``messaging_limit_tier`` before v24;
https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
360Dialog's Cloud base drops the phone-number id from Meta's paths (``/messages``,
``/whatsapp_business_profile``), so the node itself is its root: ``GET /?fields=...``.

A test changes them with ``PATCH /sandbox/api/accounts/{number}/standing``; each change is
announced by the webhook Meta sends for it: ``phone_number_quality_update`` (event ``FLAGGED``,
``UNFLAGGED``, ``UPGRADE``, ``DOWNGRADE``; ``old_limit``, ``current_limit`` and
``max_daily_conversations_per_business``,
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update)
and ``phone_number_name_update`` (``decision`` ``APPROVED``, ``REJECTED``, ``PENDING``,
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_name_update).
"""

from __future__ import annotations

from typing import Any

from core.sandbox.errors import ApiError
from core.sandbox.payloads import cloud_envelope
from core.sandbox.state import Account

QUALITY_RATINGS = ("GREEN", "YELLOW", "RED", "NA")
NAME_STATUSES = (
    "APPROVED",
    "AVAILABLE_WITHOUT_REVIEW",
    "DECLINED",
    "EXPIRED",
    "PENDING_REVIEW",
    "NONE",
)
LIMITS = ("TIER_250", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")
"""The portfolio's messaging limits, lowest first (Meta's messaging limits page)."""
DEFAULTS = {
    "quality_rating": "GREEN",
    "whatsapp_business_manager_messaging_limit": "TIER_250",  # where a new portfolio starts
    "name_status": "APPROVED",
}
CHOICES = {
    "quality_rating": QUALITY_RATINGS,
    "whatsapp_business_manager_messaging_limit": LIMITS,
    "name_status": NAME_STATUSES,
}
NAME_DECISIONS = {"APPROVED": "APPROVED", "DECLINED": "REJECTED", "PENDING_REVIEW": "PENDING"}


def verified_name(account: Account) -> str:
    """The display name WhatsApp shows for the number (its profile's name in the sandbox)."""
    return f"Sandbox {account.number[-4:]}"


def standing(account: Account) -> dict[str, str]:
    return {**DEFAULTS, **account.standing}


def node(account: Account, fields: str | None) -> dict[str, Any]:
    """The answer to ``GET /?fields=...``: the fields asked for (Meta's defaults without any)."""
    values = {
        "id": account.phone_number_id,
        "display_phone_number": account.display_phone_number or "+" + account.number,
        "verified_name": verified_name(account),
        "messaging_limit_tier": None,  # filled below: the older name of the same limit
        **standing(account),
    }
    values["messaging_limit_tier"] = values["whatsapp_business_manager_messaging_limit"]
    asked = [f.strip() for f in (fields or "").split(",") if f.strip()] or [
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
    ]
    unknown = [f for f in asked if f not in values]
    if unknown:
        raise ApiError(
            100,
            f"Tried accessing nonexisting field ({unknown[0]}) on node type "
            "(WhatsAppBusinessPhoneNumber)",
        )
    return {"id": account.phone_number_id, **{f: values[f] for f in asked}}


def change(account: Account, spec: dict[str, Any], now: float) -> list[tuple[str, dict[str, Any]]]:
    """Apply ``spec`` (any of ``CHOICES``); returns the webhooks Meta would send about it, each
    with its field."""
    unknown = set(spec) - set(CHOICES)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}; known: {sorted(CHOICES)}")
    for key, value in spec.items():
        if value not in CHOICES[key]:
            raise ValueError(f"{key} must be one of {CHOICES[key]}")
    before = standing(account)
    account.standing.update(spec)
    after = standing(account)
    if account.generation != "cloud":
        return []
    return [
        (field, cloud_envelope(account, value, field, now))
        for field, value in _news(account, before, after)
    ]


def _news(
    account: Account, before: dict[str, str], after: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    number = account.display_phone_number or account.number
    news: list[tuple[str, dict[str, Any]]] = []
    limit_key = "whatsapp_business_manager_messaging_limit"
    old_limit, new_limit = before[limit_key], after[limit_key]
    if old_limit != new_limit:
        event = "UPGRADE" if LIMITS.index(new_limit) > LIMITS.index(old_limit) else "DOWNGRADE"
        news.append(("phone_number_quality_update", _quality(number, event, after, old_limit)))
    old_quality, new_quality = before["quality_rating"], after["quality_rating"]
    if old_quality != new_quality and "RED" in (old_quality, new_quality):
        event = "FLAGGED" if new_quality == "RED" else "UNFLAGGED"
        news.append(("phone_number_quality_update", _quality(number, event, after)))
    decision = NAME_DECISIONS.get(after["name_status"])
    if before["name_status"] != after["name_status"] and decision:
        value = {
            "display_phone_number": number,
            "decision": decision,
            "requested_verified_name": verified_name(account),
        }
        if decision == "REJECTED":
            value["rejection_reason"] = "NAME_FORMAT_UNACCEPTABLE"
        news.append(("phone_number_name_update", value))
    return news


def _quality(
    number: str, event: str, after: dict[str, str], old_limit: str | None = None
) -> dict[str, Any]:
    limit = after["whatsapp_business_manager_messaging_limit"]
    value = {"display_phone_number": number, "event": event}
    if old_limit:  # only for messaging limit changes
        value["old_limit"] = old_limit
    return {**value, "current_limit": limit, "max_daily_conversations_per_business": limit}
