"""Cloud API webhook bodies as 360Dialog forwards them, for tests that feed the receiver directly
(https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components): one envelope, so
each test writes only the ``value`` it is about."""

from __future__ import annotations

from typing import Any


def messages_webhook(**value: Any) -> dict[str, Any]:
    """A ``messages`` webhook whose one change carries ``value`` (``messages``, ``statuses``…)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {"field": "messages", "value": {"messaging_product": "whatsapp", **value}}
                ],
            }
        ],
    }


def status_webhook(
    wa_message_id: str, status: str, recipient_id: str, timestamp: str = "1795558140"
) -> dict[str, Any]:
    """A status of one of our messages (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components#statuses-object)."""
    return messages_webhook(
        statuses=[
            {
                "id": wa_message_id,
                "status": status,
                "timestamp": timestamp,
                "recipient_id": recipient_id,
            }
        ]
    )
