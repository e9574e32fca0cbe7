"""``message_template_status_update`` webhooks onto the synced templates, with their history.

The webhook names the template by Meta's id (``message_template_id``), its name and its language
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update).
Meta's id is what we match first: 360Dialog's listing gives it as ``external_id`` beside its own
``id``, and a name alone is ambiguous (one name, many languages; a name deleted and made again).
The name and language are the fallback for a template synced before we kept Meta's id.
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.d360.events import TemplateStatusChange
from core.models import Channel, RemoteTemplate
from core.templates.library import normalize_status, record_status


def apply_template_status(
    session: Session, channel: Channel, change: TemplateStatusChange, problems: list[str]
) -> RemoteTemplate | None:
    """Record a template's new status; a template we have not synced yet is created from it."""
    if not change.event or not (change.name or change.template_id):
        problems.append("template status update without a template id or name, or an event")
        return None
    template = _by_meta_id(session, channel, change) or _by_name(session, channel, change)
    if template is None:
        if not change.name:
            problems.append(f"template status update for unknown template {change.template_id}")
            return None
        template = RemoteTemplate(
            channel_id=channel.id,
            name=change.name,
            language=change.language or "",
            category=change.category or "",
        )
    template.external_id = change.template_id or template.external_id
    session.add(template)
    session.flush()
    record_status(session, template, normalize_status(change.event), change.reason)
    return template


def _by_meta_id(
    session: Session, channel: Channel, change: TemplateStatusChange
) -> RemoteTemplate | None:
    if not change.template_id:
        return None
    return session.exec(
        select(RemoteTemplate).where(
            RemoteTemplate.channel_id == channel.id,
            RemoteTemplate.external_id == change.template_id,
        )
    ).first()


def _by_name(
    session: Session, channel: Channel, change: TemplateStatusChange
) -> RemoteTemplate | None:
    """The template of that name and language: one synced before we kept Meta's id, or made
    again under the same name (a new Meta id, which replaces the old one)."""
    if not change.name:
        return None
    query = select(RemoteTemplate).where(
        RemoteTemplate.channel_id == channel.id, RemoteTemplate.name == change.name
    )
    if change.language:
        query = query.where(RemoteTemplate.language == change.language)
    return session.exec(query).first()
