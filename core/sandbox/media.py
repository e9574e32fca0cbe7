"""Media storage and Meta's lookaside download URLs.

On Cloud, ``GET /{media-id}`` answers a URL on ``lookaside.fbsbx.com``
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media); 360Dialog's clients
replace that host with their 360Dialog base URL and download with their API key
(https://docs.360dialog.com/docs/messaging-api/api-reference/media). The sandbox hands out the
real-looking URL and serves ``/whatsapp_business/attachments/`` itself, so a client that does the
documented rewrite works unchanged. Like Meta's, the URL expires (5 minutes, sandbox clock).
"""

from __future__ import annotations

import base64
import mimetypes
from typing import Any
from urllib.parse import urlencode

from core.sandbox import ids
from core.sandbox.errors import ApiError
from core.sandbox.state import Account, Media

LOOKASIDE = "https://lookaside.fbsbx.com"
ATTACHMENTS_PATH = "/whatsapp_business/attachments/"
URL_LIFETIME = 300
MAX_BYTES = 100 * 1024 * 1024

SUPPORTED = {
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/mp4",
    "video/3gpp",
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

# Tiny but valid files a simulated customer "sends" when no bytes are given.
PLACEHOLDERS: dict[str, tuple[str, bytes]] = {
    "image": (
        "image/png",
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        ),
    ),
    "sticker": (
        "image/webp",
        base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="),
    ),
    "document": (
        "application/pdf",
        b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    ),
    "audio": ("audio/ogg", b"OggS\x00\x02" + bytes(20)),
    "video": ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"),
}


def base_mime(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def store(
    account: Account, data: bytes, mime_type: str, now: float, filename: str | None = None
) -> Media:
    """Keep bytes for ``account``; ids follow the account's generation."""
    if base_mime(mime_type) not in SUPPORTED:
        raise ApiError(
            100, f"Param file must be a file with one of the supported types (got {mime_type})."
        )
    if not data:
        raise ApiError(131053, "The uploaded file is empty.")
    if len(data) > MAX_BYTES:
        raise ApiError(131053, "The uploaded file exceeds the 100 MB limit.")
    media_id = ids.onprem_media_id() if account.generation == "onprem" else ids.graph_object_id()
    item = Media(id=media_id, data=data, mime_type=mime_type, created_at=now, filename=filename)
    account.media[media_id] = item
    return item


def find(account: Account, media_id: str) -> Media:
    item = account.media.get(media_id)
    if item is None:
        raise ApiError(
            100,
            f"Unsupported get request. Object with ID '{media_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            subcode=33,
        )
    return item


def lookaside_url(item: Media, now: float) -> str:
    query = urlencode({"mid": item.id, "ext": int(now) + URL_LIFETIME, "hash": item.token})
    return f"{LOOKASIDE}{ATTACHMENTS_PATH}?{query}"


def describe(item: Media, now: float) -> dict[str, Any]:
    """Meta's ``GET /{media-id}`` answer."""
    return {
        "messaging_product": "whatsapp",
        "url": lookaside_url(item, now),
        "mime_type": item.mime_type,
        "sha256": item.sha256_hex,
        "file_size": str(len(item.data)),
        "id": item.id,
    }


def resolve_download(account: Account, query: dict[str, str], now: float) -> Media:
    """The media a lookaside URL points to, if the URL is genuine and still valid."""
    item = account.media.get(query.get("mid", ""))
    if item is None or query.get("hash") != item.token:
        raise ApiError(100, "Media not found.", http_status=404, subcode=33)
    try:
        expires = int(query.get("ext", "0"))
    except ValueError:
        expires = 0
    if expires < now:
        raise ApiError(100, "The media URL has expired; request a new one.", http_status=404)
    return item


def extension(mime_type: str) -> str:
    return (mimetypes.guess_extension(base_mime(mime_type)) or ".bin").lstrip(".")
