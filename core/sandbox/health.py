"""``GET /health_status``: whether the number can send, entity by entity.

360Dialog returns Meta's ``health_status`` for the phone number, its WhatsApp Business Account,
the business and the app (https://docs.360dialog.com/docs/messaging/health-status). Each entity's
``can_send_message`` is ``AVAILABLE``, ``LIMITED`` or ``BLOCKED``; a limited or blocked one says
why in ``errors`` (``error_code``, ``error_description``, ``possible_solution``), a limited one may
add ``additional_info`` sentences; the overall value is the most restrictive of the entities
(https://developers.facebook.com/documentation/business-messaging/whatsapp/support/health-status,
and the examples in Meta's OpenAPI: a WABA BLOCKED by 141006 "There is an error with the payment
method", a business LIMITED by 141010 "The Business has not passed business verification").

Every entity is available until a test says otherwise:
``PUT /sandbox/api/accounts/{number}/health/{entity_type}``.
"""

from __future__ import annotations

from typing import Any

from core.sandbox.state import Account

LEVELS = ("AVAILABLE", "LIMITED", "BLOCKED")
ENTITY_TYPES = ("PHONE_NUMBER", "WABA", "BUSINESS", "APP")


def body(account: Account) -> dict[str, Any]:
    """The answer to ``GET /health_status`` for ``account``."""
    ids = {
        "PHONE_NUMBER": account.phone_number_id,
        "WABA": account.waba_id,
        "BUSINESS": account.waba_id[::-1],
        "APP": "1" + account.phone_number_id[1:],
    }
    entities = [
        {
            "entity_type": kind,
            "id": ids[kind],
            "can_send_message": "AVAILABLE",
            **account.health.get(kind, {}),
        }
        for kind in ENTITY_TYPES
    ]
    overall = max((e["can_send_message"] for e in entities), key=LEVELS.index)
    return {
        "health_status": {"can_send_message": overall, "entities": entities},
        "id": account.phone_number_id,
    }


def set_entity(account: Account, entity_type: str, spec: dict[str, Any]) -> None:
    """``{"can_send_message", "errors"?, "additional_info"?}`` for one entity."""
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"entity_type must be one of {ENTITY_TYPES}")
    level = spec.get("can_send_message")
    if level not in LEVELS:
        raise ValueError(f"can_send_message must be one of {LEVELS}")
    override: dict[str, Any] = {"can_send_message": level}
    errors = spec.get("errors") or []
    if not isinstance(errors, list) or not all(
        isinstance(e, dict) and {"error_code", "error_description"} <= set(e) for e in errors
    ):
        raise ValueError("errors must be objects with error_code and error_description")
    if errors:
        override["errors"] = [
            {
                key: e[key]
                for key in ("error_code", "error_description", "possible_solution")
                if key in e
            }
            for e in errors
        ]
    info = spec.get("additional_info") or []
    if not isinstance(info, list) or not all(isinstance(i, str) for i in info):
        raise ValueError("additional_info must be a list of sentences")
    if info:
        override["additional_info"] = info
    if level == "AVAILABLE":
        account.health.pop(entity_type, None)
    else:
        account.health[entity_type] = override
