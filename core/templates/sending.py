"""Sending an approved template: to a conversation (the team), or to a number (the command line).

A template is the only message WhatsApp lets a business send outside the 24-hour window after a
customer last wrote. The send is built and checked here (``messages``) before it is queued, so a
send Meta would refuse never leaves; the outbox sends it at the channel's pace.
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels.registry import client_for
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.conversations.threads import media_kind
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.models import Conversation, Message, RemoteTemplate, WorkspaceTemplate
from core.outbox.queue import enqueue
from core.phones import wa_id_of
from core.templates.library import (
    ClientFactory,
    D360ActionFailed,
    as_body,
    channel_of,
    ensure_approved,
)
from core.templates.messages import build_template_message, summary_text
from core.templates.values import MediaParam, TemplateValues
from core.templates.workspace import sendable_template


def send_template(
    session: Session,
    actor: Actor,
    conversation_id: int,
    workspace_template_id: int,
    values: TemplateValues,
) -> Message:
    """An approved workspace template to a contact, inside or outside the 24-hour window.

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
    *,
    idempotency_key: str | None = None,
) -> Message:
    """Any approved template of the channel to a phone number (the CLI's ``templates send``,
    the API's template sends: ``idempotency_key`` returns the one already queued under it)."""
    require(actor, Permission.SEND_TEMPLATES)
    channel = channel_of(session, channel_id)
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
    ensure_approved(template)
    contact, _ = find_or_create_contact(session, channel, wa_id_of(number))
    conversation = find_or_create_conversation(session, channel, contact)
    return _queue_template(session, actor, conversation, template, values, idempotency_key)


def _queue_template(
    session: Session,
    actor: Actor,
    conversation: Conversation,
    template: RemoteTemplate,
    values: TemplateValues,
    idempotency_key: str | None = None,
) -> Message:
    """Build the send (refused when a value is wrong), queue it and keep who sent it."""
    channel = channel_of(session, conversation.channel_id)
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
        idempotency_key=idempotency_key,
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
    """The file a template send shows in its media header, uploaded to 360Dialog (a media id).

    Not for a template's sample: Meta reviews those from a Resumable Upload handle
    (``core.templates.samples``)."""
    if not actor.can(Permission.EDIT_TEMPLATES):
        require(actor, Permission.SEND_TEMPLATES)
    channel = channel_of(session, channel_id)
    kind = media_kind(mime_type)
    if kind not in {"image", "video", "document"}:
        kind = "document"
    try:
        with client_factory(channel) as client:
            media_id = client.upload_media(content, mime_type, filename)
    except D360Error as error:
        raise D360ActionFailed(error) from error
    return MediaParam(kind=kind, id=media_id, filename=filename if kind == "document" else None)
