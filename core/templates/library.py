"""Message templates: sync with 360Dialog, submit, drafts, workspace templates (seed points 8-15).

A template lives in two places: 360Dialog's list (``RemoteTemplate`` rows, kept in step by
:func:`sync_templates` and by ``message_template_status_update`` webhooks, each change kept in the
history), and the workspace (``WorkspaceTemplate``: approved templates the team may send, seed
point 14). A workspace template whose remote status later changes is flagged, not silently used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, or_, select

from core.access import audit
from core.access import settings as app_settings
from core.access.auth import Actor, Permission, require
from core.channels.registry import client_for
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.conversations.threads import media_kind
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.models import (
    Channel,
    Conversation,
    Message,
    RemoteTemplate,
    TemplateStatusChange,
    WorkspaceTemplate,
    utcnow,
)
from core.outbox.queue import enqueue
from core.paging import Page, fetch_page
from core.phones import wa_id_of
from core.templates.messages import MediaParam, TemplateValues, build_template_message, summary_text
from core.templates.rules import META_LIMITS, SEED_LIMITS, Limits, Violation, validate_template

ClientFactory = Callable[[Channel], D360Client]
APPROVED = "APPROVED"
DRAFT = "DRAFT"
SYNC_PAGE_SIZE = 250

STATUS_ALIASES = {"SUBMITTED": "PENDING", "CREATED": "PENDING"}
"""360Dialog's older listings say ``submitted``/``created`` where Meta says PENDING."""


def normalize_status(status: str | None) -> str:
    upper = (status or "").strip().upper()
    return STATUS_ALIASES.get(upper, upper)


class D360ActionFailed(UserFacingError):
    """360Dialog refused or could not be reached; carries its words for the user."""

    def __init__(self, error: D360Error) -> None:
        self.error = error
        super().__init__("templates.error.d360", reason=error.user_message("en"))

    def message(self, language: str | None = None) -> str:
        from core.i18n import t

        return t("templates.error.d360", language, reason=self.error.user_message(language))


def _channel(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise UserFacingError("templates.error.no_channel")
    return channel


def record_status(
    session: Session, template: RemoteTemplate, status: str, reason: str | None
) -> None:
    """Set a template's status, keeping the change in its history (only real changes)."""
    if template.status == status and template.rejected_reason == reason:
        return
    template.status = status
    template.rejected_reason = reason
    template.remote_modified_at = utcnow()
    session.add(template)
    session.flush()
    session.add(TemplateStatusChange(template_id=template.id, status=status, reason=reason))
    _flag_workspace(session, template)


def _flag_workspace(session: Session, template: RemoteTemplate) -> None:
    """A workspace template whose remote one is no longer approved is flagged (and unflagged)."""
    for workspace in session.exec(
        select(WorkspaceTemplate).where(WorkspaceTemplate.remote_template_id == template.id)
    ):
        workspace.flagged_reason = None if template.status == APPROVED else template.status


@dataclass(frozen=True)
class SyncResult:
    fetched: int
    created: int
    changed: int
    gone: int


def sync_templates(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    client_factory: ClientFactory = client_for,
    progress: Callable[[int, int], None] | None = None,
) -> SyncResult:
    """Page through 360Dialog's list until ``total`` and bring the store in step."""
    require(actor, Permission.VIEW_TEMPLATES)
    channel = _channel(session, channel_id)
    existing = {
        (t.name, t.language): t
        for t in session.exec(
            select(RemoteTemplate).where(
                RemoteTemplate.channel_id == channel.id,
                RemoteTemplate.is_draft == False,  # noqa: E712
            )
        )
    }
    seen: set[tuple[str, str]] = set()
    fetched = created = changed = 0
    try:
        with client_factory(channel) as client:
            offset = 0
            while True:
                page = client.list_templates(limit=SYNC_PAGE_SIZE, offset=offset)
                for item in page.templates:
                    key = (str(item.get("name", "")), str(item.get("language", "")))
                    if not key[0] or key in seen:
                        continue
                    seen.add(key)
                    fetched += 1
                    was_new, was_changed = _upsert(session, channel, existing.get(key), item)
                    created += was_new
                    changed += was_changed
                offset += len(page.templates)
                if progress is not None:
                    progress(offset, page.total)
                if not page.templates or offset >= page.total:
                    break
    except D360Error as error:
        raise D360ActionFailed(error) from error
    gone = 0
    for key, template in existing.items():
        if key not in seen and template.status != "DELETED":
            record_status(session, template, "DELETED", None)
            gone += 1
    return SyncResult(fetched=fetched, created=created, changed=changed, gone=gone)


def _upsert(
    session: Session, channel: Channel, template: RemoteTemplate | None, item: dict[str, Any]
) -> tuple[bool, bool]:
    status = normalize_status(item.get("status"))
    reason = item.get("rejected_reason")
    is_new = template is None
    if template is None:
        template = RemoteTemplate(
            channel_id=channel.id, name=str(item["name"]), language=str(item.get("language", ""))
        )
    template.remote_id = str(item.get("id") or template.remote_id or "") or None
    template.category = str(item.get("category") or template.category or "")
    template.components = item.get("components") or template.components
    template.namespace = item.get("namespace") or template.namespace
    template.quality = _quality(item.get("quality_score"))
    template.synced_at = utcnow()
    session.add(template)
    session.flush()
    changed = template.status != status or template.rejected_reason != reason
    record_status(session, template, status, reason)
    return is_new, changed and not is_new


def _quality(raw: Any) -> str | None:
    if isinstance(raw, dict):
        return raw.get("score") or None
    return str(raw) if raw else None


@dataclass(frozen=True)
class TemplateFilter:
    channel_id: int | None = None
    status: str | None = None
    category: str | None = None
    language: str | None = None
    search: str = ""
    include_drafts: bool = True


SORTS = {
    "name": col(RemoteTemplate.name),
    "status": col(RemoteTemplate.status),
    "changed": col(RemoteTemplate.remote_modified_at).desc().nulls_last(),
}


def list_templates(
    session: Session,
    actor: Actor,
    filters: TemplateFilter,
    sort: str = "changed",
    page: int = 1,
    page_size: int = 50,
) -> Page[RemoteTemplate]:
    require(actor, Permission.VIEW_TEMPLATES)
    query = select(RemoteTemplate).where(*_conditions(filters))
    query = query.order_by(SORTS.get(sort, SORTS["changed"]), col(RemoteTemplate.id))
    return fetch_page(session, query, page, page_size)


def _conditions(filters: TemplateFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.channel_id:
        conditions.append(RemoteTemplate.channel_id == filters.channel_id)
    if filters.status:
        conditions.append(RemoteTemplate.status == filters.status)
    if filters.category:
        conditions.append(RemoteTemplate.category == filters.category)
    if filters.language:
        conditions.append(RemoteTemplate.language == filters.language)
    if filters.search.strip():
        conditions.append(col(RemoteTemplate.name).contains(filters.search.strip().lower()))
    if not filters.include_drafts:
        conditions.append(RemoteTemplate.is_draft == False)  # noqa: E712
    return conditions


def status_counts(session: Session, actor: Actor, filters: TemplateFilter) -> dict[str, int]:
    """How many templates per status (the status chart)."""
    require(actor, Permission.VIEW_TEMPLATES)
    rows = session.exec(
        select(RemoteTemplate.status, func.count())
        .where(*_conditions(filters))
        .group_by(RemoteTemplate.status)
    )
    return {status or "?": count for status, count in rows}


def history(session: Session, actor: Actor, template_id: int) -> list[TemplateStatusChange]:
    require(actor, Permission.VIEW_TEMPLATES)
    return list(
        session.exec(
            select(TemplateStatusChange)
            .where(TemplateStatusChange.template_id == template_id)
            .order_by(col(TemplateStatusChange.changed_at), col(TemplateStatusChange.id))
        )
    )


def get_template(session: Session, actor: Actor, template_id: int) -> RemoteTemplate:
    require(actor, Permission.VIEW_TEMPLATES)
    template = session.get(RemoteTemplate, template_id)
    if template is None:
        raise UserFacingError("templates.error.not_found")
    return template


def delete_template(
    session: Session, actor: Actor, template_id: int, *, client_factory: ClientFactory = client_for
) -> None:
    """Delete on 360Dialog (every language of that name, as its API does), then here."""
    require(actor, Permission.EDIT_TEMPLATES)
    template = get_template(session, actor, template_id)
    if not template.is_draft:
        channel = _channel(session, template.channel_id)
        try:
            with client_factory(channel) as client:
                client.delete_template(template.name)
        except D360Error as error:
            raise D360ActionFailed(error) from error
        for same_name in session.exec(
            select(RemoteTemplate).where(
                RemoteTemplate.channel_id == channel.id, RemoteTemplate.name == template.name
            )
        ):
            record_status(session, same_name, "DELETED", None)
    else:
        session.delete(template)
    audit.record(session, actor, "template.delete", template.name, language=template.language)


def _ensure_approved(template: RemoteTemplate) -> None:
    if template.status != APPROVED:
        raise UserFacingError(
            "templates.error.not_approved", name=template.name, status=template.status
        )


def add_to_workspace(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    name: str,
    content: str,
    partner_template_id: str,
    category: str,
    language: str,
) -> WorkspaceTemplate:
    """Seed point 14: template name, content, template ID, category, language; then "Save".

    Only a template that 360Dialog reports as approved (after a sync) can be added."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = _channel(session, channel_id)
    remote = session.exec(
        select(RemoteTemplate).where(
            RemoteTemplate.channel_id == channel.id,
            RemoteTemplate.name == name.strip(),
            RemoteTemplate.language == language.strip(),
            RemoteTemplate.is_draft == False,  # noqa: E712
        )
    ).first()
    if remote is None:
        raise UserFacingError("templates.error.not_synced", name=name, language=language)
    _ensure_approved(remote)
    if not content.strip() or not partner_template_id.strip():
        raise UserFacingError("templates.error.workspace_fields")
    duplicate = session.exec(
        select(WorkspaceTemplate).where(
            WorkspaceTemplate.channel_id == channel.id,
            WorkspaceTemplate.name == remote.name,
            WorkspaceTemplate.language == remote.language,
        )
    ).first()
    if duplicate is not None:
        raise UserFacingError("templates.error.in_workspace", name=name, language=language)
    workspace = WorkspaceTemplate(
        channel_id=channel.id,
        remote_template_id=remote.id,
        name=remote.name,
        content=content.strip(),
        partner_template_id=partner_template_id.strip(),
        category=category,
        language=remote.language,
        created_by_user_id=actor.user_id,
    )
    session.add(workspace)
    audit.record(session, actor, "template.add_to_workspace", remote.name, language=remote.language)
    session.flush()
    return workspace


def workspace_prefill(template: RemoteTemplate) -> dict[str, str]:
    """The seed's five fields, filled from a synced approved template (one click)."""
    body = next(
        (
            c.get("text", "")
            for c in template.components or []
            if str(c.get("type", "")).upper() == "BODY"
        ),
        "",
    )
    return {
        "name": template.name,
        "content": body,
        "partner_template_id": template.remote_id or "",
        "category": template.category,
        "language": template.language,
    }


def list_workspace(
    session: Session, actor: Actor, channel_id: int | None = None, search: str = ""
) -> list[WorkspaceTemplate]:
    require(actor, Permission.VIEW_TEMPLATES)
    query = select(WorkspaceTemplate).order_by(col(WorkspaceTemplate.name))
    if channel_id:
        query = query.where(WorkspaceTemplate.channel_id == channel_id)
    if search.strip():
        query = query.where(or_(col(WorkspaceTemplate.name).contains(search.strip())))
    return list(session.exec(query))


def remove_from_workspace(session: Session, actor: Actor, workspace_id: int) -> None:
    require(actor, Permission.EDIT_TEMPLATES)
    workspace = session.get(WorkspaceTemplate, workspace_id)
    if workspace is not None:
        session.delete(workspace)
        audit.record(session, actor, "template.remove_from_workspace", workspace.name)


class TemplateInvalid(UserFacingError):
    """The template breaks rules; nothing was sent. ``violations`` name each field and rule."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("templates.error.invalid", count=len(violations))

    def message(self, language: str | None = None) -> str:
        return "\n".join(violation.message(language) for violation in self.violations)


def active_limits(session: Session) -> Limits:
    """The seed's stricter limits by default; Meta's when an admin chose them."""
    return (
        META_LIMITS
        if app_settings.get(session, app_settings.TEMPLATE_LIMITS) == "meta"
        else SEED_LIMITS
    )


def validate(session: Session, body: dict[str, Any]) -> list[Violation]:
    return validate_template(body, active_limits(session))


def save_draft(
    session: Session, actor: Actor, channel_id: int, body: dict[str, Any]
) -> RemoteTemplate:
    """Keep a template being composed (not sent anywhere); a draft of the same name is replaced."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = _channel(session, channel_id)
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


def as_body(template: RemoteTemplate) -> dict[str, Any]:
    """The body 360Dialog takes for this template (what the builder edits)."""
    return {
        "name": template.name,
        "category": template.category,
        "language": template.language,
        "components": template.components or [],
    }


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
    """Seed point 12: validate, then ``POST /v1/configs/templates``; in the status table at once."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = _channel(session, channel_id)
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


def sendable_template(session: Session, workspace: WorkspaceTemplate) -> RemoteTemplate:
    """The approved 360Dialog template behind a workspace template (refused when flagged)."""
    remote = (
        session.get(RemoteTemplate, workspace.remote_template_id)
        if workspace.remote_template_id
        else None
    )
    if remote is None:
        raise UserFacingError(
            "templates.error.not_synced", name=workspace.name, language=workspace.language
        )
    _ensure_approved(remote)
    return remote


def send_template(
    session: Session,
    actor: Actor,
    conversation_id: int,
    workspace_template_id: int,
    values: TemplateValues,
) -> Message:
    """Seed point 15: an approved workspace template to a contact, inside or outside the window.

    Answering a conversation with a workspace template is part of answering (agents may); sending
    templates to arbitrary numbers and campaigns is the marketers' (``SEND_TEMPLATES``)."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    conversation = session.get(Conversation, conversation_id)
    workspace = session.get(WorkspaceTemplate, workspace_template_id)
    if conversation is None or workspace is None or workspace.channel_id != conversation.channel_id:
        raise UserFacingError("templates.error.not_found")
    return _queue_template(
        session, actor, conversation, sendable_template(session, workspace), values
    )


def send_template_to_number(
    session: Session,
    actor: Actor,
    channel_id: int,
    number: str,
    name: str,
    language: str,
    values: TemplateValues,
) -> Message:
    """The CLI's ``templates send``: any approved template of the channel to a phone number."""
    require(actor, Permission.SEND_TEMPLATES)
    channel = _channel(session, channel_id)
    template = session.exec(
        select(RemoteTemplate).where(
            RemoteTemplate.channel_id == channel.id,
            RemoteTemplate.name == name,
            RemoteTemplate.language == language,
            RemoteTemplate.is_draft == False,  # noqa: E712
        )
    ).first()
    if template is None:
        raise UserFacingError("templates.error.not_synced", name=name, language=language)
    _ensure_approved(template)
    contact, _ = find_or_create_contact(session, channel, wa_id_of(number))
    conversation = find_or_create_conversation(session, channel, contact)
    return _queue_template(session, actor, conversation, template, values)


def _queue_template(
    session: Session,
    actor: Actor,
    conversation: Conversation,
    template: RemoteTemplate,
    values: TemplateValues,
) -> Message:
    channel = _channel(session, conversation.channel_id)
    definition = as_body(template)
    body = build_template_message(definition, values)
    message = enqueue(
        session,
        channel,
        conversation,
        message_type="template",
        body=body,
        text=summary_text(definition, values),
        sent_by_user_id=actor.user_id,
        template_name=template.name,
    )
    audit.record(
        session,
        actor,
        "template.send",
        template.name,
        language=template.language,
        message=message.id,
    )
    return message


def upload_header_media(
    session: Session,
    actor: Actor,
    channel_id: int,
    content: bytes,
    filename: str,
    mime_type: str,
    *,
    client_factory: ClientFactory = client_for,
) -> MediaParam:
    """A media header's file uploaded to 360Dialog: the builder's example (``header_handle``) or
    the file of a template send."""
    if not actor.can(Permission.EDIT_TEMPLATES):
        require(actor, Permission.SEND_TEMPLATES)
    channel = _channel(session, channel_id)
    kind = media_kind(mime_type)
    if kind not in {"image", "video", "document"}:
        kind = "document"
    try:
        with client_factory(channel) as client:
            media_id = client.upload_media(content, mime_type, filename)
    except D360Error as error:
        raise D360ActionFailed(error) from error
    return MediaParam(kind=kind, id=media_id, filename=filename if kind == "document" else None)


def sendable_workspace(
    session: Session, actor: Actor, channel_id: int
) -> list[tuple[WorkspaceTemplate, dict[str, Any]]]:
    """What an answering team member may send in a conversation: approved, unflagged workspace
    templates of the channel, each with its definition (for the variables and the preview)."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    found = []
    for workspace in session.exec(
        select(WorkspaceTemplate)
        .where(WorkspaceTemplate.channel_id == channel_id)
        .where(col(WorkspaceTemplate.flagged_reason).is_(None))
        .order_by(col(WorkspaceTemplate.name))
    ):
        remote = (
            session.get(RemoteTemplate, workspace.remote_template_id)
            if workspace.remote_template_id
            else None
        )
        if remote is not None and remote.status == APPROVED:
            found.append((workspace, as_body(remote)))
    return found


def addable_to_workspace(
    session: Session, actor: Actor, channel_id: int, search: str = "", limit: int = 100
) -> list[RemoteTemplate]:
    """Approved templates of the channel not yet in the workspace (a page of them, by name)."""
    require(actor, Permission.VIEW_TEMPLATES)
    in_workspace = (
        select(WorkspaceTemplate.id)
        .where(WorkspaceTemplate.channel_id == channel_id)
        .where(WorkspaceTemplate.name == RemoteTemplate.name)
        .where(WorkspaceTemplate.language == RemoteTemplate.language)
    )
    query = (
        select(RemoteTemplate)
        .where(RemoteTemplate.channel_id == channel_id, RemoteTemplate.status == APPROVED)
        .where(RemoteTemplate.is_draft == False)  # noqa: E712
        .where(~in_workspace.exists())
    )
    if search.strip():
        query = query.where(col(RemoteTemplate.name).contains(search.strip().lower()))
    return list(session.exec(query.order_by(col(RemoteTemplate.name)).limit(limit)))
