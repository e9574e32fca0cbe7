"""Typed webhook events: what 360Dialog POSTs to us, as frozen dataclasses.

Reading is kept apart from handling. Each event type builds itself from its raw object with a
``from_raw`` classmethod (``messages``, ``statuses``, ``account``; their parts in ``values`` and
``content``), and ``parsing.parse_webhook`` walks a whole body, every entry and every change,
never raising, and reports in plain sentences whatever it had to skip. What to do with an event
is decided elsewhere (``core.webhooks.processor``).
"""

from core.d360.events.account import AccountEvent, ErrorNotice, TemplateStatusChange
from core.d360.events.base import Ignored
from core.d360.events.messages import InboundMessage, MessageEcho
from core.d360.events.parsing import Event, ParsedWebhook, parse_webhook
from core.d360.events.statuses import (
    KNOWN_STATUSES,
    STATUS_ORDER,
    StatusUpdate,
    should_apply_status,
    status_rank,
)
from core.d360.events.values import (
    ErrorInfo,
    Interactive,
    Location,
    MediaRef,
    MessageEdit,
    Pricing,
    Reaction,
    Referral,
    SharedContact,
    SystemChange,
)

__all__ = [
    "KNOWN_STATUSES",
    "STATUS_ORDER",
    "AccountEvent",
    "ErrorInfo",
    "ErrorNotice",
    "Event",
    "Ignored",
    "InboundMessage",
    "Interactive",
    "Location",
    "MediaRef",
    "MessageEcho",
    "MessageEdit",
    "ParsedWebhook",
    "Pricing",
    "Reaction",
    "Referral",
    "SharedContact",
    "StatusUpdate",
    "SystemChange",
    "TemplateStatusChange",
    "parse_webhook",
    "should_apply_status",
    "status_rank",
]
