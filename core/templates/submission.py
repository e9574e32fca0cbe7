"""Composing a template and submitting it to WhatsApp for approval: drafts, validation, submit.

A draft is a ``RemoteTemplate`` row kept here only (``is_draft``), never sent to 360Dialog.
Submitting validates first, under the limits an admin chose (``active_limits``), so a template
that breaks a rule never leaves; 360Dialog then forwards it to Meta's review, whose answer arrives
as a status webhook.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from core.access import audit
from core.access import settings as app_settings
from core.access.auth import Actor, Permission, require
from core.channels.registry import client_for
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.models import RemoteTemplate, utcnow
from core.templates.library import (
    DRAFT,
    ClientFactory,
    D360ActionFailed,
    as_body,
    channel_of,
    get_template,
    normalize_status,
    record_status,
)
from core.templates.limits import COMPACT_LIMITS, META_LIMITS, Limits
from core.templates.rules import validate_template
from core.templates.violations import Violation


class TemplateInvalid(UserFacingError):
    """The template breaks rules; nothing was sent. ``violations`` name each field and rule."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("templates.error.invalid", count=len(violations))

    def message(self, language: str | None = None) -> str:
        return "\n".join(violation.message(language) for violation in self.violations)


def active_limits(session: Session) -> Limits:
    """The layout an admin chose: Meta's rules (the default) or the stricter compact buttons
    layout; any other stored value (one an older version wrote, or one unknown) reads as compact,
    so an installation that chose the stricter layout never silently loosens."""
    chosen = app_settings.get(session, app_settings.TEMPLATE_LIMITS)
    return META_LIMITS if chosen == META_LIMITS.name else COMPACT_LIMITS


def validate(session: Session, body: dict[str, Any]) -> list[Violation]:
    """Every rule ``body`` breaks under the limits an admin chose."""
    return validate_template(body, active_limits(session))


def save_draft(
    session: Session, actor: Actor, channel_id: int, body: dict[str, Any]
) -> RemoteTemplate:
    """Keep a template being composed (not sent anywhere); a draft of the same name is replaced."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = channel_of(session, channel_id)
    name = str(body.get("name", "")).strip()
    language = str(body.get("language", "")).strip()
    if not name:
        raise UserFacingError("templates.error.no_name")
    draft = session.exec(
        select(RemoteTemplate).where(
            RemoteTemplate.channel_id == channel.id,
            RemoteTemplate.name == name,
            RemoteTemplate.language == language,
        )
    ).first()
    if draft is not None and not draft.is_draft:
        raise UserFacingError("templates.error.name_taken", name=name, language=language)
    draft = draft or RemoteTemplate(
        channel_id=channel.id, name=name, language=language, is_draft=True
    )
    draft.category = str(body.get("category", ""))
    draft.components = list(body.get("components") or [])
    draft.status = DRAFT
    session.add(draft)
    audit.record(session, actor, "template.save_draft", name, language=language)
    session.flush()
    return draft


def clone_to_draft(
    session: Session, actor: Actor, template_id: int, new_name: str
) -> RemoteTemplate:
    """Start a new draft from any template (the usual way to fix a rejected one)."""
    source = get_template(session, actor, template_id)
    return save_draft(
        session, actor, source.channel_id, {**as_body(source), "name": new_name.strip()}
    )


def submit_template(
    session: Session,
    actor: Actor,
    channel_id: int,
    body: dict[str, Any],
    *,
    client_factory: ClientFactory = client_for,
) -> RemoteTemplate:
    """Validate, then create it on 360Dialog (``POST /v1/configs/templates``); it is in the status
    table at once, pending until Meta's review answers."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = channel_of(session, channel_id)
    violations = validate(session, body)
    if violations:
        raise TemplateInvalid(violations)
    try:
        with client_factory(channel) as client:
            answer = client.create_template(body)
    except D360Error as error:
        raise D360ActionFailed(error) from error
    template = session.exec(
        select(RemoteTemplate).where(
            RemoteTemplate.channel_id == channel.id,
            RemoteTemplate.name == body["name"],
            RemoteTemplate.language == body["language"],
        )
    ).first() or RemoteTemplate(channel_id=channel.id, name=body["name"], language=body["language"])
    template.is_draft = False
    template.category = str(answer.get("category") or body.get("category", ""))
    template.components = answer.get("components") or body.get("components")
    template.remote_id = str(answer.get("id") or "") or None
    template.namespace = answer.get("namespace") or template.namespace
    template.synced_at = utcnow()
    session.add(template)
    session.flush()
    record_status(
        session,
        template,
        normalize_status(answer.get("status")) or "PENDING",
        answer.get("rejected_reason"),
    )
    audit.record(session, actor, "template.submit", template.name, language=template.language)
    return template
