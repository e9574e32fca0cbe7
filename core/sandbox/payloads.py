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
error instead. Under per-message pricing (an account's ``pricing_model`` ``PMP``; Meta's model
since July 2025, https://developers.facebook.com/docs/whatsapp/pricing) ``pricing`` says
``pricing_model: "PMP"`` and gains a ``type``, and the status has no ``conversation`` (only free
entry-point conversations keep one, which the sandbox does not open).
"""

from __future__ import annotations

from typing import Any

from core.sandbox.errors import cloud_status_error, onprem_status_error
from core.sandbox.later_failures import LaterFailure
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
    failure: LaterFailure | None = None,
    window_open: bool = False,
) -> dict[str, Any]:
    """One status object about a message the business sent (``window_open``: the customer's
    24-hour window was open when it was sent, which makes some messages free under PMP)."""
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
        if account.pricing_model == "PMP":
            item["pricing"] = per_message_pricing(message, window_open)
        else:
            conv: dict[str, Any] = {"id": conversation["id"], "origin": {"type": message.category}}
            if status_name == "sent":
                conv["expiration_timestamp"] = str(int(conversation["expires_at"]))
            item["conversation"] = conv
            item["pricing"] = {
                "billable": True,
                "pricing_model": "CBP",
                "category": message.category,
            }
    if failure is not None:
        item["errors"] = [
            onprem_status_error(failure.code)
            if onprem
            else cloud_status_error(failure.code, failure.details, failure.title)
        ]
        if onprem:
            item["message"] = {"recipient_id": message.customer}
    callback = message.payload.get("biz_opaque_callback_data")
    if callback and not onprem:
        item["biz_opaque_callback_data"] = callback
    return item


def per_message_pricing(message: Message, window_open: bool) -> dict[str, Any]:
    """``pricing`` under PMP: a free-form reply (category ``service``) and a utility template
    inside the customer's open window are ``free_customer_service``; everything else is
    ``regular`` and billed in the template's category (Meta's pricing page)."""
    free = message.category == "service" or (message.category == "utility" and window_open)
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "type": "free_customer_service" if free else "regular",
        "category": message.category,
    }


def statuses(account: Account, item: dict[str, Any]) -> dict[str, Any]:
    """The webhook body carrying one status object."""
    if account.generation == "onprem":
        return {"statuses": [item]}
    value = {"messaging_product": "whatsapp", "metadata": _metadata(account), "statuses": [item]}
    return cloud_envelope(account, value)


def value_errors(account: Account, code: int, details: str | None = None) -> dict[str, Any]:
    """An error about the number rather than one message (``value.errors``, e.g. 130429 when
    sending too fast; Meta's "errors" webhook reference,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/errors);
    on-premise bodies carried ``errors`` at the top."""
    if account.generation == "onprem":
        return {"errors": [onprem_status_error(code)]}
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(account),
        "errors": [cloud_status_error(code, details)],
    }
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
