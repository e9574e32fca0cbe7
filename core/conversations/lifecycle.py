"""Where a conversation stands: open, pending (waiting on the customer), snoozed until a time,
resolved.

Resolving counts how long the conversation was open (``core.reports.recording``): the manager's
resolution time.

A snooze ends by itself: once ``snoozed_until`` has passed the conversation reads (here) and
filters (``core.conversations.views``) as open, with nothing to wake it. A new customer message makes any conversation open again
(``core.conversations.inbound`` does it in the same update that counts the message as unread),
keeping whoever it is assigned to.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.conversations.assignment import conversation_for
from core.errors import UserFacingError
from core.hooks.events import conversation_event, emit
from core.models import Conversation, ConversationStatus, utcnow
from core.reports import recording


def parse_status(value: str) -> ConversationStatus:
    try:
        return ConversationStatus(value.strip().lower())
    except ValueError:
        raise UserFacingError(
            "inbox.error.status", status=value, choices=", ".join(ConversationStatus)
        ) from None


def current_status(conversation: Conversation, now: datetime | None = None) -> ConversationStatus:
    """The status as the team sees it now: a snooze whose time has passed is open."""
    if conversation.status == ConversationStatus.SNOOZED and not _still_snoozed(
        conversation.snoozed_until, now or utcnow()
    ):
        return ConversationStatus.OPEN
    return ConversationStatus(conversation.status)


def _still_snoozed(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now


def set_status(
    session: Session,
    actor: Actor,
    conversation_id: int,
    status: ConversationStatus | str,
    *,
    until: datetime | None = None,
) -> Conversation:
    """Move a conversation on. Snoozing needs a time in the future; resolving ends the
    conversation, so its next customer message starts a new one (and may get the away message
    again)."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    status = parse_status(status) if isinstance(status, str) else status
    conversation = conversation_for(session, actor, conversation_id)
    if status == ConversationStatus.SNOOZED:
        if until is None or until.tzinfo is None or until <= utcnow():
            raise UserFacingError("inbox.error.snooze_until")
    elif until is not None:
        raise UserFacingError("inbox.error.until_only_snooze")
    previous = current_status(conversation)
    if status == ConversationStatus.RESOLVED and previous != status:
        recording.record_resolved(session, conversation, actor.user_id, utcnow())
    elif previous == ConversationStatus.RESOLVED and status != previous:
        recording.record_reopened(session, conversation, utcnow())
    conversation.status = status
    conversation.snoozed_until = until
    if status == ConversationStatus.RESOLVED:
        conversation.away_sent_at = None
    session.add(conversation)
    changes.note(session, conversation.channel_id)  # other tabs' status filters and rows
    audit.record(
        session,
        actor,
        "conversation.status",
        f"conversation:{conversation.id}",
        previous=previous.value,
        status=status.value,
        until=until.isoformat() if until else None,
    )
    if status == ConversationStatus.RESOLVED:
        emit(
            session, [conversation_event("conversation.resolved", conversation, by=actor.username)]
        )
    return conversation
