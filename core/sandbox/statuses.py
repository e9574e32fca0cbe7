"""The life of a message the business sent: sent → delivered → read, or failed.

After an accepted send the sandbox plays WhatsApp's part: the message reaches the phone
(``delivered``) and, when the customer looks at it, ``read``. Each step is a webhook
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/).
Problems Meta only detects after accepting the request (``later_failures.py``: closed 24-hour
window, number not on WhatsApp, marketing limits, unusable media links;
https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/) arrive as a
``failed`` status instead.

Statuses never move backwards on the stored message even when webhooks are delivered out of
order, the way a client should also treat them.
"""

from __future__ import annotations

from typing import Any

from core.sandbox import ids, payloads
from core.sandbox.engine import Sandbox
from core.sandbox.later_failures import LaterFailure
from core.sandbox.state import WINDOW_SECONDS, Account, Message, StatusEvent

RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3}


def schedule(
    sandbox: Sandbox, account: Account, message: Message, failure: LaterFailure | None
) -> None:
    """Plan the status webhooks of a freshly accepted message."""
    sent_delay, delivered_delay, read_delay = sandbox.config.status_delays
    if failure is not None:
        sandbox.scheduler.later(sent_delay, lambda: fail(sandbox, account, message, failure))
        return
    steps = [("sent", sent_delay), ("delivered", delivered_delay)]
    if _auto_read(sandbox, account, message.customer):
        steps.append(("read", read_delay))
    if sandbox.faults.reorder:
        names = [name for name, _ in steps]
        shuffled = names[:]
        while shuffled == names:
            sandbox.random.shuffle(shuffled)

        def all_at_once() -> None:
            for name in shuffled:
                advance(sandbox, account, message, name)

        sandbox.scheduler.later(sent_delay, all_at_once)
        return
    for name, delay in steps:
        sandbox.scheduler.later(delay, lambda n=name: advance(sandbox, account, message, n))


def _auto_read(sandbox: Sandbox, account: Account, customer: str) -> bool:
    contact = account.contacts.get(customer)
    if contact is not None and contact.auto_read is not None:
        return contact.auto_read
    return sandbox.auto_read


def advance(sandbox: Sandbox, account: Account, message: Message, name: str) -> None:
    """Record and announce one status (``sent``, ``delivered`` or ``read``)."""
    if message.status == "failed" or message.id not in account.messages:
        return
    now = sandbox.clock.now()
    with sandbox.state.lock:
        if RANK[name] > RANK[message.status]:
            message.status = name
        message.statuses.append(StatusEvent(name, now))
        conversation = _conversation(account, message, now)
        contact = account.contacts.get(message.customer)
        window_open = bool(contact and contact.window_open(message.timestamp))
    item = payloads.status_item(account, message, name, now, conversation, window_open=window_open)
    sandbox.emit(account, payloads.statuses(account, item), f"status:{name}")


def fail(sandbox: Sandbox, account: Account, message: Message, failure: LaterFailure) -> None:
    now = sandbox.clock.now()
    item = payloads.status_item(account, message, "failed", now, None, failure)
    with sandbox.state.lock:
        message.status = "failed"
        message.error_code = failure.code
        message.statuses.append(StatusEvent("failed", now, item["errors"]))
    sandbox.emit(account, payloads.statuses(account, item), "status:failed")


def customer_reads(sandbox: Sandbox, account: Account, customer: str) -> list[str]:
    """The customer opens the chat: every unread business message becomes delivered and read."""
    read: list[str] = []
    for message in list(account.messages.values()):
        if message.direction != "outbound" or message.customer != customer:
            continue
        if message.status not in ("sent", "delivered"):
            continue
        if message.status == "sent":
            advance(sandbox, account, message, "delivered")
        advance(sandbox, account, message, "read")
        read.append(message.id)
    return read


def _conversation(account: Account, message: Message, now: float) -> dict[str, Any]:
    """The open billing conversation for this customer and category, opened if needed."""
    key = (message.customer, message.category)
    conversation = account.conversations.get(key)
    if conversation is None or conversation["expires_at"] <= now:
        conversation = {"id": ids.conversation_id(), "expires_at": now + WINDOW_SECONDS}
        account.conversations[key] = conversation
    return conversation
