"""Workspace templates: the approved templates the team may send, and adding or removing one.

A workspace template is added with five fields (template name, content, template ID, category,
language), prefilled from a synced approved template in one click. Only a template 360Dialog
reports as approved can be added; one whose status later changes is flagged by ``library`` and
is no longer offered for sending.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, or_, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import RemoteTemplate, WorkspaceTemplate
from core.templates.library import APPROVED, as_body, channel_of, ensure_approved


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
    """A workspace template from its five fields; ``partner_template_id`` is 360Dialog's id of the
    template.

    Only a template that 360Dialog reports as approved (after a sync) can be added."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = channel_of(session, channel_id)
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
    ensure_approved(remote)
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
    """The five fields of a workspace template, filled from a synced approved template (one click)."""
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
    ensure_approved(remote)
    return remote


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


def flagged_workspace(session: Session, actor: Actor, channel_id: int) -> list[WorkspaceTemplate]:
    """The channel's workspace templates that may not be sent now (Meta paused or disabled
    them, or they are otherwise no longer approved): named where templates are picked, so
    nobody wonders where one went."""
    require(actor, Permission.VIEW_CHANNELS)
    return list(
        session.exec(
            select(WorkspaceTemplate)
            .where(WorkspaceTemplate.channel_id == channel_id)
            .where(col(WorkspaceTemplate.flagged_reason).is_not(None))
            .order_by(col(WorkspaceTemplate.name))
        )
    )
