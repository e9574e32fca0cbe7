"""What the team inbox does when customers write, in the transaction that stores their messages:
unassigned conversations go round-robin to available agents on channels that ask for it, and a
customer writing outside the channel's business hours gets its away message once per
conversation, only inside WhatsApp's 24-hour window.

Called by ``core.conversations.inbound`` for each batch; it reads whole rows only on channels
with automatic assignment or business hours switched on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.channels.hours import Schedule, stored_schedule
from core.conversations.assignment import auto_assign
from core.conversations.window import WINDOW
from core.models import Channel, Conversation, utcnow
from core.outbox.bridge import queue_away_message


@dataclass(frozen=True)
class Wrote:
    """A customer's latest message of the batch in one conversation."""

    channel: Channel
    conversation_id: int
    wa_message_id: str
    at: datetime


def after_customer_wrote(session: Session, latest: list[Wrote]) -> None:
    """Assign, then answer outside hours (the away message sees the assignee's conversation)."""
    by_channel: dict[int, list[Wrote]] = {}
    for wrote in latest:
        by_channel.setdefault(wrote.channel.id or 0, []).append(wrote)
    for writes in by_channel.values():
        channel = writes[0].channel
        auto_assign(session, channel, [wrote.conversation_id for wrote in writes])
        schedule = stored_schedule(session, channel.id or 0)
        if schedule is not None:
            for wrote in writes:
                _away_if_closed(session, schedule, wrote)


def _away_if_closed(session: Session, schedule: Schedule, wrote: Wrote) -> None:
    now = utcnow()
    if schedule.is_open(wrote.at) or wrote.at + WINDOW <= now:
        return
    conversation = session.get(Conversation, wrote.conversation_id)
    assert conversation is not None
    if conversation.away_sent_at is not None:
        return
    queue_away_message(
        session, wrote.channel, conversation, schedule.away_message, because_of=wrote.wa_message_id
    )
    conversation.away_sent_at = now
    session.add(conversation)
