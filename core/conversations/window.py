"""WhatsApp's customer service window: free-form messages only within 24 hours of the customer's
last message; after that, approved templates only.

https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows

A module of its own because both sides need it: the thread and the replies (send path), and the
receive path, which sends the away message only while the window is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.models import Conversation, utcnow

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Window:
    """The customer service window of one conversation."""

    closes_at: datetime | None

    def is_open(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or utcnow()) < self.closes_at

    def remaining(self, now: datetime | None = None) -> timedelta:
        if self.closes_at is None:
            return timedelta(0)
        return max(self.closes_at - (now or utcnow()), timedelta(0))


def window_of(conversation: Conversation) -> Window:
    return window_after(conversation.last_inbound_at)


def window_after(last_inbound_at: datetime | None) -> Window:
    """The window a customer's last message (``None``: they never wrote) left open."""
    return Window(closes_at=last_inbound_at + WINDOW if last_inbound_at else None)
