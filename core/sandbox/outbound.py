"""What happens when the business sends a message, in either generation.

Order of checks, as Meta applies them: body validation (100/131008/131009), template checks
(132000/132001/132012/132015/132016), media ids, throughput (130429), pair limit (131056). All of
those fail synchronously (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/). Once accepted the message gets an id and its fate is played out by webhooks:
what fails later is in ``later_failures.py``; everything else goes sent → delivered → read.
"""

from __future__ import annotations

from typing import Any

from core.sandbox import ids, statuses, templates
from core.sandbox.engine import Sandbox
from core.sandbox.errors import ApiError
from core.sandbox.later_failures import later_failure
from core.sandbox.media import find
from core.sandbox.state import Account, Message, digits
from core.sandbox.validation import MEDIA_TYPES, validate_message


def send(sandbox: Sandbox, account: Account, body: Any) -> Message:
    """Validate, rate-limit and accept a message; raises :class:`ApiError` when refused."""
    validate_message(body, account.generation)
    kind = body.get("type", "text")
    template = None
    if kind == "template":
        template = templates.check_send(account, body["template"])
    if kind in MEDIA_TYPES and body[kind].get("id"):
        find(account, str(body[kind]["id"]))
    customer = digits(body["to"])
    sandbox.limits.take_throughput(account)
    sandbox.limits.take_pair(account, customer)

    now = sandbox.clock.now()
    message = Message(
        id=ids.onprem_message_id(False)
        if account.generation == "onprem"
        else ids.wamid(customer, inbound=False),
        direction="outbound",
        customer=customer,
        type=kind,
        payload=body,
        timestamp=now,
        status="accepted",
        template={"name": template.name, "language": template.language} if template else None,
        category=template.category.lower() if template else "service",
    )
    with sandbox.state.lock:
        contact = account.contact(customer)
        account.messages[message.id] = message
    failure = later_failure(account, message, contact, sandbox.web, now)
    statuses.schedule(sandbox, account, message, failure)
    return message


def mark_read(sandbox: Sandbox, account: Account, message_id: Any) -> None:
    """The business marks a customer's message as read (blue ticks on the customer's phone)."""
    message = account.messages.get(str(message_id or ""))
    if message is None or message.direction != "inbound":
        raise ApiError(100, f"Invalid message_id {message_id!r}: no such incoming message.")
    with sandbox.state.lock:
        message.read_by_business = True
