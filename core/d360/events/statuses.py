"""News about messages we sent (``statuses``), and the order statuses may move in.

Statuses arrive out of order and more than once; ``status_rank`` lets the store refuse to move a
message's status backwards (``STATUS_ORDER`` says how ``failed`` is treated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.d360.errors import D360Error
from core.d360.events.base import Generation, Ignored, Route, as_dict, as_text, read_timestamp
from core.d360.events.values import ErrorInfo, Pricing

STATUS_ORDER: tuple[str, ...] = ("sent", "failed", "delivered", "read", "played", "deleted")
"""Outbound statuses from least to most advanced.

- ``sent → delivered → read → played`` is the normal progression (``played``: voice note heard).
- ``failed`` sits just above ``sent``: it replaces ``sent`` (the send was accepted, then failed)
  but never ``delivered``/``read`` (a message the phone confirmed cannot have failed; a late
  ``failed`` is stale). A later ``delivered`` or ``read`` does replace ``failed``: proof that the
  customer got the message beats a claim that it did not. So failed is terminal unless WhatsApp
  itself contradicts it with evidence of delivery.
- ``deleted`` (the message was deleted for everyone) is terminal: nothing replaces it.
- ``warning`` (informational, e.g. a catalog item problem) has rank 0: record its errors, keep
  the current status.
"""

KNOWN_STATUSES: frozenset[str] = frozenset(STATUS_ORDER) | {"warning"}

_RANKS: dict[str, int] = {"warning": 0} | {s: (i + 1) * 10 for i, s in enumerate(STATUS_ORDER)}


def status_rank(status: str | None) -> int:
    """Position of ``status`` in ``STATUS_ORDER`` (higher = further along); -1 when unknown."""
    if not status:
        return -1
    return _RANKS.get(status.lower(), -1)


def should_apply_status(current: str | None, new: str) -> bool:
    """Whether a message whose status is ``current`` should take ``new`` (never backwards)."""
    new_rank = status_rank(new)
    if new_rank <= 0:
        return False
    return current is None or new_rank > status_rank(current)


@dataclass(frozen=True)
class StatusUpdate:
    """News about a message we sent: sent, delivered, read, failed, deleted, played, warning."""

    message_id: str | None
    status: str
    timestamp: datetime | None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    generation: Generation = "cloud"
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    errors: tuple[ErrorInfo, ...] = ()
    conversation_id: str | None = None
    conversation_expires_at: datetime | None = None
    conversation_origin: str | None = None
    pricing: Pricing | None = None
    biz_opaque_callback_data: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_raw(
        cls,
        raw: dict[str, Any],
        route: Route,
        contacts: list[dict[str, Any]],
        problems: list[str],
    ) -> StatusUpdate | Ignored:
        """One item of ``statuses``. A status we do not know is no update: it comes back as
        ``Ignored`` (and a problem), so it can never move a message anywhere."""
        message_id = as_text(raw.get("id"))
        what = f"status of message {message_id}" if message_id else "a status"
        if message_id is None:
            problems.append("a status has no message id; it cannot be matched to a message")
        status = (as_text(raw.get("status")) or "").lower()
        if status not in KNOWN_STATUSES:
            problems.append(f"{what} has an unknown status {raw.get('status')!r}; ignored")
            return Ignored(f"unknown status {raw.get('status')!r} for message {message_id}")
        recipient = as_text(raw.get("recipient_id")) or as_text(
            as_dict(raw.get("message")).get("recipient_id")
        )
        contact = next(
            (c for c in contacts if recipient and as_text(c.get("wa_id")) == recipient), {}
        )
        conversation = as_dict(raw.get("conversation"))
        expires = conversation.get("expiration_timestamp")
        return cls(
            message_id=message_id,
            status=status,
            timestamp=read_timestamp(raw.get("timestamp"), what, problems),
            recipient_id=recipient,
            recipient_user_id=as_text(raw.get("recipient_user_id"))
            or as_text(contact.get("user_id")),
            recipient_parent_user_id=as_text(raw.get("recipient_parent_user_id"))
            or as_text(contact.get("parent_user_id")),
            generation=route.generation,
            phone_number_id=route.phone_number_id,
            display_phone_number=route.display_phone_number,
            errors=ErrorInfo.all_from_raw(raw.get("errors")),
            conversation_id=as_text(conversation.get("id")),
            conversation_expires_at=read_timestamp(
                expires, f"{what} (conversation expiry)", problems
            )
            if expires is not None
            else None,
            conversation_origin=as_text(as_dict(conversation.get("origin")).get("type")),
            pricing=Pricing.from_raw(raw.get("pricing")),
            biz_opaque_callback_data=as_text(raw.get("biz_opaque_callback_data")),
            raw=raw,
        )

    @property
    def rank(self) -> int:
        return status_rank(self.status)

    @property
    def error(self) -> D360Error | None:
        """The first error as an exception (its family, and whether a retry can help)."""
        return self.errors[0].to_exception() if self.errors else None
