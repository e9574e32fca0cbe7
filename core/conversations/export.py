"""``messages export``: one record per message, streamed in id order (millions fit in constant memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.models import Channel, Contact, Conversation, MediaFile, Message

FIELDS = (
    "id",
    "channel",
    "contact_wa_id",
    "contact_name",
    "direction",
    "type",
    "text",
    "media_filename",
    "media_mime_type",
    "status",
    "error_code",
    "created_at",
    "status_at",
)
BATCH = 2000


def records(
    engine: Engine, actor: Actor, channel_id: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every message as a flat record; keyset pagination on the primary key, batch by batch."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    last_id = 0
    while True:
        with Session(engine) as session:
            query = (
                select(Message, Contact, Channel, MediaFile)
                .join(Conversation, col(Conversation.id) == Message.conversation_id)
                .join(Contact, col(Contact.id) == Conversation.contact_id)
                .join(Channel, col(Channel.id) == Message.channel_id)
                .outerjoin(MediaFile, col(MediaFile.message_id) == Message.id)
                .where(Message.id > last_id)
                .order_by(col(Message.id))
                .limit(BATCH)
            )
            if channel_id is not None:
                query = query.where(Message.channel_id == channel_id)
            rows = list(session.exec(query))
        if not rows:
            return
        for message, contact, channel, media in rows:
            yield {
                "id": message.wa_message_id,
                "channel": channel.name,
                "contact_wa_id": contact.wa_id,
                "contact_name": contact.profile_name,
                "direction": message.direction,
                "type": message.type,
                "text": message.text,
                "media_filename": media.filename if media else None,
                "media_mime_type": media.mime_type if media else None,
                "status": message.status.value,
                "error_code": message.error_code,
                "created_at": message.created_at.isoformat(),
                "status_at": message.status_at.isoformat() if message.status_at else None,
            }
        last_id = rows[-1][0].id


def write(rows: Iterator[dict[str, Any]], output: IO[str], fmt: str) -> int:
    """Write ``rows`` as ``jsonl`` or ``csv``; returns how many were written."""
    written = 0
    if fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            written += 1
        return written
    for row in rows:
        output.write(json.dumps(row, ensure_ascii=False) + "\n")
        written += 1
    return written
