"""The templates as 360Dialog has them: kept in step (sync, status webhooks), listed, deleted.

Every template of a channel is a ``RemoteTemplate`` row, refreshed by :func:`sync_templates` and
by ``message_template_status_update`` webhooks (``core.webhooks.template_events``); each status
change is kept in its history (``TemplateStatusChange``). A workspace template whose template is no
longer approved is flagged here, when the status changes, so it is never sent silently.
360Dialog's template endpoints: https://docs.360dialog.com/docs/waba-messaging/template-messaging
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.channels.registry import client_for
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.failures import describe_error
from core.hooks.events import Event, emit
from core.i18n import t
from core.models import Channel, RemoteTemplate, TemplateStatusChange, WorkspaceTemplate, utcnow
from core.paging import Page, fetch_page

ClientFactory = Callable[[Channel], D360Client]
APPROVED = "APPROVED"
DRAFT = "DRAFT"
SYNC_PAGE_SIZE = 250

STATUS_ALIASES = {"SUBMITTED": "PENDING", "CREATED": "PENDING", "REINSTATED": "APPROVED"}
"""360Dialog's older listings say ``submitted``/``created`` where Meta says PENDING; a template
status webhook's ``REINSTATED`` event means a paused template may be sent again: it is approved
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pausing)."""
HELD_BY_META = ("PAUSED", "DISABLED")
"""Statuses Meta gives an approved template whose quality fell: paused for hours (then approved
again), or disabled for good (template pausing, above)."""

NO_REASON = "NONE"
"""What 360Dialog's listings and Meta's status webhooks put in a reason when there is none
(``rejected_reason: "NONE"`` on every approved template; ``reason: "NONE"`` in
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update)."""


def normalize_status(status: str | None) -> str:
    """A status as Meta names it, whichever generation of 360Dialog's API said it."""
    upper = (status or "").strip().upper()
    return STATUS_ALIASES.get(upper, upper)


def normalize_reason(reason: object) -> str | None:
    """A rejection reason, or ``None`` when there is none (``"NONE"``, empty or not a text)."""
    if not isinstance(reason, str) or reason.strip().upper() in ("", NO_REASON):
        return None
    return reason.strip()


class D360ActionFailed(UserFacingError):
    """360Dialog refused or could not be reached; carries its words for the user."""

    def __init__(self, error: D360Error) -> None:
        self.error = error
        super().__init__("templates.error.d360", reason=describe_error(error, "en"))

    def message(self, language: str | None = None) -> str:
        return t("templates.error.d360", language, reason=describe_error(self.error, language))


def channel_of(session: Session, channel_id: int) -> Channel:
    """The channel a template action is for, or the user's words for a channel that is gone."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise UserFacingError("templates.error.no_channel")
    return channel


def ensure_approved(template: RemoteTemplate) -> None:
    """Only an approved template may be sent or enter the workspace; anything else is refused in
    the user's words, naming its status."""
    if template.status != APPROVED:
        raise UserFacingError(
            "templates.error.not_approved", name=template.name, status=template.status
        )


def record_status(
    session: Session, template: RemoteTemplate, status: str, reason: str | None
) -> None:
    """Set a template's status, keeping the change in its history (only real changes)."""
    reason = normalize_reason(reason)
    if template.status == status and template.rejected_reason == reason:
        return
    template.status = status
    template.rejected_reason = reason
    template.remote_modified_at = utcnow()
    session.add(template)
    session.flush()
    changes.note(session, template.channel_id)
    session.add(TemplateStatusChange(template_id=template.id, status=status, reason=reason))
    _flag_workspace(session, template)
    emit(
        session,
        [
            Event(
                "template.status",
                f"template:{template.id}",
                {
                    "template_id": template.id,
                    "channel_id": template.channel_id,
                    "name": template.name,
                    "language": template.language,
                    "status": status,
                    "reason": reason,
                },
            )
        ],
    )


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
    progress: Callable[[int, int | None], None] | None = None,
) -> SyncResult:
    """Page through 360Dialog's list and bring the store in step.

    Whichever way the listing pages (``total``, a short last page, or Graph's cursors: see
    ``TemplatePage``), every page is read; ``progress`` gets the templates read so far and the
    total when the answer says it (``None`` otherwise)."""
    require(actor, Permission.VIEW_TEMPLATES)
    channel = channel_of(session, channel_id)
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
    changes.note(session, channel.id)  # quality and categories change without a status change
    try:
        with client_factory(channel) as client:
            read = 0
            for page in client.iter_template_pages(SYNC_PAGE_SIZE):
                for item in page.templates:
                    key = (str(item.get("name", "")), str(item.get("language", "")))
                    if not key[0] or key in seen:
                        continue
                    seen.add(key)
                    fetched += 1
                    was_new, was_changed = _upsert(session, channel, existing.get(key), item)
                    created += was_new
                    changed += was_changed
                read += len(page.templates)
                if progress is not None:
                    progress(read, page.total)
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
    reason = normalize_reason(item.get("rejected_reason"))
    is_new = template is None
    if template is None:
        template = RemoteTemplate(
            channel_id=channel.id, name=str(item["name"]), language=str(item.get("language", ""))
        )
    # 360Dialog's own id, and Meta's (what status webhooks name the template by)
    template.remote_id = _id(item.get("id")) or template.remote_id
    template.external_id = _id(item.get("external_id")) or template.external_id
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


def _id(raw: Any) -> str | None:
    """An id as text (Meta's come as numbers in some answers), ``None`` when absent."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    return str(raw).strip() or None


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


def template_record(template: RemoteTemplate) -> dict[str, Any]:
    """What the HTTP API and the CLI both say of a template: which it is and Meta's verdict."""
    return {
        "id": template.id,
        "channel_id": template.channel_id,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "status": template.status,
        "rejected_reason": template.rejected_reason,
    }


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


def as_body(template: RemoteTemplate) -> dict[str, Any]:
    """The body 360Dialog takes for this template (what the builder edits)."""
    return {
        "name": template.name,
        "category": template.category,
        "language": template.language,
        "components": template.components or [],
    }


def delete_template(
    session: Session, actor: Actor, template_id: int, *, client_factory: ClientFactory = client_for
) -> None:
    """Delete on 360Dialog (every language of that name, as its API does), then here."""
    require(actor, Permission.EDIT_TEMPLATES)
    template = get_template(session, actor, template_id)
    if not template.is_draft:
        channel = channel_of(session, template.channel_id)
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
