"""Delivery statuses from webhooks onto our outbound messages, never backwards.

A status names our message by WhatsApp's id, or (when it overtakes the answer to our own send) by
the ``biz_opaque_callback_data`` we attached to the send; the latter also tells a sender that
restarted after a crash that a message it was unsure about did go out.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.d360.events import StatusUpdate, should_apply_status
from core.inbound import message_exists
from core.models import Channel, Message, MessageStatus, utcnow

CALLBACK_PREFIX = "msg:"


def callback_data_for(message_id: int) -> str:
    """What we attach to a send so its status webhooks can name our row."""
    return f"{CALLBACK_PREFIX}{message_id}"


def _by_callback(session: Session, channel: Channel, data: str | None) -> Message | None:
    if not data or not data.startswith(CALLBACK_PREFIX):
        return None
    try:
        message = session.get(Message, int(data.removeprefix(CALLBACK_PREFIX)))
    except ValueError:
        return None
    return message if message is not None and message.channel_id == channel.id else None


def prefetch(session: Session, wa_message_ids: set[str]) -> dict[tuple[int, str], Message]:
    """The stored messages a batch's statuses name, in one query (keyed by channel and id)."""
    if not wa_message_ids:
        return {}
    rows = session.exec(select(Message).where(col(Message.wa_message_id).in_(wa_message_ids)))
    return {(m.channel_id, m.wa_message_id or ""): m for m in rows}


def apply_status(
    session: Session,
    channel: Channel,
    update: StatusUpdate,
    problems: list[str],
    known: dict[tuple[int, str], Message] | None = None,
) -> bool:
    """Apply one status; ``False`` when no stored message matches it (yet). ``known``: messages
    already read for the batch (see :func:`prefetch`); others are looked up one by one."""
    found = (known or {}).get((channel.id, update.message_id or ""))
    message = (
        found
        or message_exists(session, channel, update.message_id)
        or _by_callback(session, channel, update.biz_opaque_callback_data)
    )
    if message is None:
        return False
    if message.wa_message_id is None and update.message_id:
        message.wa_message_id = update.message_id
    if update.errors and (update.status in {"failed", "warning"}):
        error = update.errors[0]
        if update.status == "failed" or message.error_code is None:
            message.error_code = error.code
            message.error_title = error.title or error.message
            message.error_details = error.details
    if not should_apply_status(message.status.value if message.status else None, update.status):
        return True
    try:
        message.status = MessageStatus(update.status)
    except ValueError:
        problems.append(f"status {update.status!r} of {update.message_id} is not one we track")
        return True
    message.status_at = update.timestamp or utcnow()
    return True
