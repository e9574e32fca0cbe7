"""Webhook bodies in each generation's shape.

Cloud (Meta's envelope, what 360Dialog's waba-v2 forwards;
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples)::

    {"object": "whatsapp_business_account",
     "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {...}}]}]}

On-premise (flat): ``{"contacts": [...], "messages": [...]}`` or ``{"statuses": [...]}``
(https://developers.facebook.com/docs/whatsapp/on-premises/webhooks).

Conversation and pricing follow Meta's status reference
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/):
a ``sent`` status carries ``conversation`` with its ``expiration_timestamp`` and ``pricing``;
``delivered`` repeats both without the expiration; ``read`` carries neither; ``failed`` carries the
error instead.
"""

from __future__ import annotations

from typing import Any

from core.sandbox.errors import cloud_status_error, onprem_status_error
from core.sandbox.state import Account, Message, Template

CONVERSATION_STATUSES = ("sent", "delivered")


def cloud_envelope(
    account: Account, value: dict[str, Any], field: str = "messages", time: float | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": account.waba_id}
    if time is not None:  # WABA-level fields carry an integer entry time
        entry["time"] = int(time)
    entry["changes"] = [{"value": value, "field": field}]
    return {"object": "whatsapp_business_account", "entry": [entry]}


def _metadata(account: Account) -> dict[str, str]:
    return {
        "display_phone_number": account.display_phone_number,
        "phone_number_id": account.phone_number_id,
    }


def inbound(account: Account, name: str, wa_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """A customer's message."""
    contacts = [{"profile": {"name": name}, "wa_id": wa_id}]
    if account.generation == "onprem":
        return {"contacts": contacts, "messages": [message]}
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(account),
        "contacts": contacts,
        "messages": [message],
    }
    return cloud_envelope(account, value)


def status_item(
    account: Account,
    message: Message,
    status_name: str,
    timestamp: float,
    conversation: dict[str, Any] | None,
    error_code: int | None = None,
) -> dict[str, Any]:
    """One status object about a message the business sent."""
    onprem = account.generation == "onprem"
    item: dict[str, Any] = {
        "id": message.id,
        "status": status_name,
        "timestamp": str(int(timestamp)),
        "recipient_id": message.customer,
    }
    if onprem:
        item["type"] = "message"
    if conversation and status_name in CONVERSATION_STATUSES:
        conv: dict[str, Any] = {"id": conversation["id"], "origin": {"type": message.category}}
        if status_name == "sent":
            conv["expiration_timestamp"] = str(int(conversation["expires_at"]))
        item["conversation"] = conv
        item["pricing"] = {
            "billable": True,
            "pricing_model": "CBP",
            "category": message.category,
        }
    if error_code is not None:
        error = onprem_status_error(error_code) if onprem else cloud_status_error(error_code)
        item["errors"] = [error]
        if onprem:
            item["message"] = {"recipient_id": message.customer}
    callback = message.payload.get("biz_opaque_callback_data")
    if callback and not onprem:
        item["biz_opaque_callback_data"] = callback
    return item


def statuses(account: Account, item: dict[str, Any]) -> dict[str, Any]:
    """The webhook body carrying one status object."""
    if account.generation == "onprem":
        return {"statuses": [item]}
    value = {"messaging_product": "whatsapp", "metadata": _metadata(account), "statuses": [item]}
    return cloud_envelope(account, value)


def template_status(
    account: Account, template: Template, event: str, now: float, reason: str, recommendation: str
) -> dict[str, Any]:
    """Meta's ``message_template_status_update`` webhook (a WABA-level field)."""
    value: dict[str, Any] = {
        "event": event,
        "message_template_id": int(template.id),
        "message_template_name": template.name,
        "message_template_language": template.language,
        "reason": reason,
        "message_template_category": template.category,
    }
    if event == "REJECTED":
        value["rejection_info"] = {"reason": reason, "recommendation": recommendation}
    elif event in ("PAUSED", "DISABLED"):
        value["other_info"] = {
            "title": "FIRST_PAUSE" if event == "PAUSED" else "TEMPLATE_DISABLED",
            "description": recommendation or f"Your template has been {event.lower()}.",
        }
    return cloud_envelope(account, value, field="message_template_status_update", time=now)
