"""The business profile customers see in WhatsApp: about, description, address, email, websites,
industry (vertical) and profile photo.

360Dialog's Cloud base serves Meta's endpoint as ``GET|POST /whatsapp_business_profile``
(https://docs.360dialog.com/docs/waba-management/set-whatsapp-profile-information; the On-Premise
``/v1/settings/business/profile`` is the older generation's and not used here). A change sends
only the fields that changed; the photo goes up through Meta's Resumable Upload and the profile
takes its handle (``profile_picture_handle``), as template samples do. The limits below are the
ones 360Dialog's page and Meta's OpenAPI description give; the form keeps within them, and what
Meta refuses is said in Meta's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels.errors import ChannelError
from core.channels.registry import channel_row, client_for
from core.d360.client import D360Client
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.models import Channel

FIELDS = ("about", "address", "description", "email", "profile_picture_url", "websites", "vertical")
TEXT_LIMITS = {"about": 139, "address": 256, "description": 512, "email": 128}
MAX_WEBSITES = 2
VERTICALS = (
    "OTHER",
    "AUTO",
    "BEAUTY",
    "APPAREL",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GROCERY",
    "GOVT",
    "HOTEL",
    "HEALTH",
    "NONPROFIT",
    "PROF_SERVICES",
    "RETAIL",
    "TRAVEL",
    "RESTAURANT",
    "ALCOHOL",
    "ONLINE_GAMBLING",
    "PHYSICAL_GAMBLING",
    "OTC_DRUGS",
)
"""Meta's ``WhatsAppBusinessVertical`` values (its OpenAPI description, v23)."""
PHOTO_TYPES = ("image/jpeg", "image/png")

ClientFactory = Callable[[Channel], D360Client]


@dataclass(frozen=True)
class BusinessProfile:
    about: str = ""
    address: str = ""
    description: str = ""
    email: str = ""
    websites: tuple[str, ...] = ()
    vertical: str = ""
    profile_picture_url: str = ""

    @classmethod
    def from_answer(cls, answer: Any) -> BusinessProfile:
        """``{"data": [{...}]}`` read leniently; Meta's OpenAPI example nests the fields once more
        under ``business_profile``, its reference page does not: both are read."""
        data = answer.get("data") if isinstance(answer, Mapping) else None
        first = data[0] if isinstance(data, list) and data else {}
        fields = first.get("business_profile", first) if isinstance(first, Mapping) else {}
        websites = fields.get("websites")
        return cls(
            **{key: str(fields.get(key) or "") for key in TEXT_LIMITS},
            websites=tuple(str(w) for w in websites) if isinstance(websites, list) else (),
            vertical=str(fields.get("vertical") or ""),
            profile_picture_url=str(fields.get("profile_picture_url") or ""),
        )


@dataclass(frozen=True)
class Photo:
    content: bytes
    mime_type: str
    filename: str


def _cloud_channel(session: Session, channel_id: int) -> Channel:
    channel = channel_row(session, channel_id)
    if channel.generation != "cloud":
        raise ChannelError("channels.profile.cloud_only")
    return channel


def read_profile(
    session: Session, actor: Actor, channel_id: int, *, client_factory: ClientFactory = client_for
) -> BusinessProfile:
    require(actor, Permission.VIEW_CHANNELS)
    channel = _cloud_channel(session, channel_id)
    try:
        with client_factory(channel) as client:
            return BusinessProfile.from_answer(client.business_profile(FIELDS))
    except D360Error as error:
        raise ChannelError("channels.profile.not_read", cause=error) from error


def update_profile(
    session: Session,
    actor: Actor,
    channel_id: int,
    changes: Mapping[str, Any],
    *,
    photo: Photo | None = None,
    client_factory: ClientFactory = client_for,
) -> list[str]:
    """Change the fields given (and the photo); returns the names of what changed."""
    require(actor, Permission.MANAGE_CHANNELS)
    channel = _cloud_channel(session, channel_id)
    body = normalized(changes)
    if photo is not None and photo.mime_type not in PHOTO_TYPES:
        raise UserFacingError("channels.profile.photo_type")
    if not body and photo is None:
        raise UserFacingError("channels.profile.nothing")
    try:
        with client_factory(channel) as client:
            if photo is not None:
                body["profile_picture_handle"] = client.upload_sample(
                    photo.content, photo.mime_type, photo.filename
                )
            client.update_business_profile(body)
    except D360Error as error:
        raise ChannelError(
            "channels.profile.refused", cause=error, meta=_meta_words(error)
        ) from error
    changed = sorted(key if key != "profile_picture_handle" else "photo" for key in body)
    audit.record(session, actor, "channel.profile", channel.name, fields=",".join(changed))
    return changed


def _meta_words(error: D360Error) -> str:
    """What Meta said about the value it refused (its details name the field)."""
    return error.details or error.user_message or error.title or ""


def normalized(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as Meta takes them: texts trimmed, websites a list, the vertical in capitals.
    The limits are Meta's to enforce (the form only keeps within them): what it refuses is said
    in its words."""
    unknown = set(changes) - {*TEXT_LIMITS, "websites", "vertical"}
    if unknown:
        raise UserFacingError("channels.profile.unknown_field", field=sorted(unknown)[0])
    body: dict[str, Any] = {
        key: str(changes[key] or "").strip() for key in TEXT_LIMITS if key in changes
    }
    if "websites" in changes:
        value = changes["websites"]
        websites = value.split() if isinstance(value, str) else list(value or [])
        body["websites"] = [str(w).strip() for w in websites if str(w).strip()]
    if "vertical" in changes:
        body["vertical"] = str(changes["vertical"] or "").strip().upper()
    return body
