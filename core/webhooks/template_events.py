"""``message_template_status_update`` webhooks onto the synced templates, with their history."""

from __future__ import annotations

from sqlmodel import Session, select

from core.d360.events import TemplateStatusChange
from core.models import Channel, RemoteTemplate
from core.templates.library import normalize_status, record_status


def apply_template_status(
    session: Session, channel: Channel, change: TemplateStatusChange, problems: list[str]
) -> RemoteTemplate | None:
    """Record a template's new status; a template we have not synced yet is created from it."""
    if not change.name or not change.event:
        problems.append("template status update without a template name or event")
        return None
    query = select(RemoteTemplate).where(
        RemoteTemplate.channel_id == channel.id, RemoteTemplate.name == change.name
    )
    if change.language:
        query = query.where(RemoteTemplate.language == change.language)
    template = session.exec(query).first()
    if template is None:
        template = RemoteTemplate(
            channel_id=channel.id,
            name=change.name,
            language=change.language or "",
            category=change.category or "",
            remote_id=change.template_id,
        )
        session.add(template)
        session.flush()
    record_status(session, template, normalize_status(change.event), change.reason)
    return template
