"""Media attachments: downloaded at once (WhatsApp's media ids expire), kept under DATA_DIR/media.

360Dialog blocks a number's media downloads for an hour after more than 5 failed requests within an
hour, and asks clients not to retry failed media requests blindly: so each file gets at most
``MAX_ATTEMPTS`` tries with growing pauses, and a channel stops trying for the rest of the hour
once it has failed ``CHANNEL_FAILURES_PER_HOUR`` times. A file that failed for good stays visible
with its error and can be retried by a person.
"""

from __future__ import annotations

import mimetypes
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.config import get_settings
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.db import session_scope
from core.failures import stored_title
from core.models import Channel, MediaFile, Message, utcnow

MAX_ATTEMPTS = 5
CHANNEL_FAILURES_PER_HOUR = 5
RETRY_DELAYS = (30, 120, 600, 1800)

_failures: dict[int, deque[datetime]] = defaultdict(deque)
_failures_lock = threading.Lock()


def _channel_blocked(channel_id: int, now: datetime) -> bool:
    with _failures_lock:
        window = _failures[channel_id]
        while window and window[0] < now - timedelta(hours=1):
            window.popleft()
        return len(window) >= CHANNEL_FAILURES_PER_HOUR


def _note_failure(channel_id: int, now: datetime) -> None:
    with _failures_lock:
        _failures[channel_id].append(now)


def _safe_name(media: MediaFile) -> str:
    extension = mimetypes.guess_extension((media.mime_type or "").split(";")[0].strip()) or ""
    base = Path(media.filename).name if media.filename else f"{media.wa_media_id}{extension}"
    return re.sub(r"[^\w.\-]+", "_", base)[:120] or "file"


def download_pending(
    engine: Engine, client_factory: Callable[[Channel], D360Client], limit: int = 20
) -> int:
    """Download due media files; returns how many were attempted."""
    now = utcnow()
    with session_scope(engine) as session:
        due = list(
            session.exec(
                select(MediaFile)
                .where(MediaFile.status == "pending")
                .where(
                    or_(col(MediaFile.next_attempt_at).is_(None), MediaFile.next_attempt_at <= now)
                )
                .order_by(col(MediaFile.id))
                .limit(limit)
            )
        )
        channels = {
            c.id: c
            for c in session.exec(
                select(Channel).where(col(Channel.id).in_({m.channel_id for m in due}))
            )
        }
    attempted = 0
    for media in due:
        channel = channels[media.channel_id]
        if _channel_blocked(channel.id, now):
            continue
        attempted += 1
        _download_one(engine, client_factory, channel, media.id)
    return attempted


def _download_one(
    engine: Engine, client_factory: Callable[[Channel], D360Client], channel: Channel, media_id: int
) -> None:
    with session_scope(engine) as session:
        media = session.get(MediaFile, media_id)
        assert media is not None
        media.attempts += 1
        changes.note(session, channel.id)  # "downloading" becomes the file, or a retry button
        try:
            with client_factory(channel) as client:
                content = client.download_media(media.wa_media_id or "")
        except D360Error as error:
            now = utcnow()
            _note_failure(channel.id, now)
            media.last_error, media.last_error_code = stored_title(error), error.code
            if media.attempts >= MAX_ATTEMPTS:
                media.status = "failed"
            else:
                delay = RETRY_DELAYS[min(media.attempts - 1, len(RETRY_DELAYS) - 1)]
                media.next_attempt_at = now + timedelta(seconds=delay)
            return
        folder = get_settings().media_dir / str(channel.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{media.id}-{_safe_name(media)}"
        path.write_bytes(content.content)
        media.path = str(path.relative_to(get_settings().media_dir))
        media.size_bytes = len(content.content)
        media.mime_type = media.mime_type or content.mime_type or ""
        media.status, media.last_error, media.last_error_code = "downloaded", None, None


def store_outgoing(
    session: Session,
    channel: Channel,
    message: Message,
    content: bytes,
    filename: str,
    mime_type: str,
) -> MediaFile:
    """Keep an attachment the team sends; ``status="local"`` until the sender uploads it."""
    media = MediaFile(
        channel_id=channel.id,
        message_id=message.id,
        mime_type=mime_type,
        filename=filename,
        size_bytes=len(content),
        status="local",
    )
    session.add(media)
    session.flush()
    folder = get_settings().media_dir / str(channel.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{media.id}-{_safe_name(media)}"
    path.write_bytes(content)
    media.path = str(path.relative_to(get_settings().media_dir))
    return media


def upload_for_send(session: Session, client: D360Client, message_id: int) -> str | None:
    """The 360Dialog media id of a message's attachment, uploading it the first time only."""
    media = session.exec(select(MediaFile).where(MediaFile.message_id == message_id)).first()
    if media is None or media.path is None:
        return None
    if media.wa_media_id is None:
        path = file_path(media)
        assert path is not None
        media.wa_media_id = client.upload_media(
            path.read_bytes(), media.mime_type, media.filename or path.name
        )
        media.status = "uploaded"
    return media.wa_media_id


def retry(session: Session, actor: Actor, media_id: int) -> MediaFile:
    """A person asks for a failed download again."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    media = session.get(MediaFile, media_id)
    if media is None:
        raise LookupError(media_id)
    media.status, media.attempts, media.next_attempt_at = "pending", 0, None
    changes.note(session, media.channel_id)
    return media


def file_path(media: MediaFile) -> Path | None:
    """Where a downloaded file lives on disk."""
    return get_settings().media_dir / media.path if media.path else None
