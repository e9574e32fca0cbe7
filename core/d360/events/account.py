"""Events about the account rather than one conversation: a template's review, any other webhook
field, and errors WhatsApp reports outside any message or status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.d360.events.base import Generation, Route, as_text
from core.d360.events.values import ErrorInfo


@dataclass(frozen=True)
class TemplateStatusChange:
    """A template was approved, rejected, paused, disabled… (``message_template_status_update``)."""

    event: str | None
    template_id: str | None
    name: str | None
    language: str | None
    reason: str | None = None
    category: str | None = None
    waba_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_raw(cls, value: dict[str, Any], waba_id: str | None) -> TemplateStatusChange:
        return cls(
            event=as_text(value.get("event")),
            template_id=as_text(value.get("message_template_id")),
            name=as_text(value.get("message_template_name")),
            language=as_text(value.get("message_template_language")),
            reason=as_text(value.get("reason")),
            category=as_text(value.get("message_template_category")),
            waba_id=waba_id,
            raw=value,
        )


@dataclass(frozen=True)
class AccountEvent:
    """Any other webhook field (account_update, quality, template category/quality updates,
    user_preferences, groups, calls…): kept whole, for the account log."""

    field: str
    value: Any
    waba_id: str | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class ErrorNotice:
    """An error WhatsApp reported outside any message or status (e.g. 130429 rate limit)."""

    error: ErrorInfo
    generation: Generation = "cloud"
    phone_number_id: str | None = None
    display_phone_number: str | None = None

    @classmethod
    def from_raw(cls, raw: object, route: Route) -> ErrorNotice:
        """One item of a value's ``errors`` (or of an On-Premise body's)."""
        return cls(
            error=ErrorInfo.from_raw(raw),
            generation=route.generation,
            phone_number_id=route.phone_number_id,
            display_phone_number=route.display_phone_number,
        )
