"""What happens when the business sends a message, in either generation.

Order of checks, as Meta applies them: body validation (100/131008/131009), template checks
(132000/132001/132012/132015/132016), media ids, throughput (130429), pair limit (131056). All of
those fail synchronously (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/). Once accepted the message gets an id and its fate is played out by webhooks:
what fails later is in ``later_failures.py``; everything else goes sent → delivered → read.

The answer (:func:`answer`) is Meta's send response
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages; Meta's OpenAPI
``MessageResponsePayload``): ``contacts[{input, wa_id}]``, where ``wa_id`` is the number as
WhatsApp knows it and may differ from the input (``Account.registered_as``, e.g. a Brazilian
account made before the ninth digit), and ``messages[{id, message_status}]`` for templates. A
paced template's message is answered ``held_for_quality_assessment`` (or ``paused``) and gets no
status until Meta lets it go (:func:`release`): then sent → delivered → read
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing).
"""

from __future__ import annotations

from typing import Any

from core.sandbox import ids, statuses, templates
from core.sandbox.engine import Sandbox
from core.sandbox.errors import ApiError
from core.sandbox.later_failures import later_failure
from core.sandbox.media import find
from core.sandbox.state import Account, Message, Template, digits
from core.sandbox.validation import MEDIA_TYPES, validate_message

PACED = ("held_for_quality_assessment", "paused")
"""``message_status`` values of a message Meta holds (Meta's OpenAPI ``MessageResponsePayload``)."""


def send(sandbox: Sandbox, account: Account, body: Any) -> Message:
    """Validate, rate-limit and accept a message; raises :class:`ApiError` when refused."""
    validate_message(body, account.generation)
    kind = body.get("type", "text")
    template = None
    if kind == "template":
        template = templates.check_send(account, body["template"])
    if kind in MEDIA_TYPES and body[kind].get("id"):
        find(account, str(body[kind]["id"]))
    customer = account.registered_as.get(digits(body["to"]), digits(body["to"]))
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
        status=template.pacing if template else "accepted",
        template={"name": template.name, "language": template.language} if template else None,
        category=template.category.lower() if template else "service",
    )
    with sandbox.state.lock:
        contact = account.contact(customer)
        account.messages[message.id] = message
    if message.status != "accepted":  # held by Meta: its statuses wait for release()
        return message
    failure = later_failure(account, message, contact, sandbox.web, now, sandbox.random.random)
    statuses.schedule(sandbox, account, message, failure)
    return message


def answer(body: dict[str, Any], message: Message) -> dict[str, Any]:
    """The Cloud API's answer to an accepted send: the recipient as given and as WhatsApp
    knows it, and the message's id (with its ``message_status`` when it is a template's)."""
    sent: dict[str, Any] = {"id": message.id}
    if message.template is not None:
        sent["message_status"] = message.status
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": body["to"], "wa_id": message.customer}],
        "messages": [sent],
    }


def release(sandbox: Sandbox, account: Account, template: Template) -> int:
    """Meta lets the template's held messages go (sent → delivered → read, or the failure a
    message to that customer meets, as for any accepted message); returns how many."""
    with sandbox.state.lock:
        held = [
            m
            for m in account.messages.values()
            if m.direction == "outbound"
            and m.status in PACED
            and m.template == {"name": template.name, "language": template.language}
        ]
        for message in held:
            message.status = "accepted"
    now = sandbox.clock.now()
    for message in held:
        contact = account.contact(message.customer)
        failure = later_failure(account, message, contact, sandbox.web, now, sandbox.random.random)
        statuses.schedule(sandbox, account, message, failure)
    return len(held)


def mark_read(sandbox: Sandbox, account: Account, message_id: Any) -> None:
    """The business marks a customer's message as read (blue ticks on the customer's phone)."""
    message = account.messages.get(str(message_id or ""))
    if message is None or message.direction != "inbound":
        raise ApiError(100, f"Invalid message_id {message_id!r}: no such incoming message.")
    with sandbox.state.lock:
        message.read_by_business = True
