"""The channels as stored: list, read, settings that cannot stop messages arriving, deactivation,
the webhook address, and a stored channel's 360Dialog client.

The API key leaves this package in clear only inside a 360Dialog client (:func:`client_for`'s,
or the one a connection change checks it with); everything else returns :class:`ChannelInfo`,
which has the key's hint and never the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core import crypto
from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels.errors import ChannelError
from core.channels.validation import validate_greeting, validate_name, validate_throughput
from core.d360.client import D360Client
from core.models import Channel, utcnow

WEBHOOK_PATH = "/webhooks/360dialog/{channel_id}"
"""Where 360Dialog posts a channel's events, under ``PUBLIC_URL``."""

WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
"""The custom header 360Dialog sends with every event: 360Dialog signs nothing, so a per-channel
secret in a header is the only way to tell its posts from anyone else's."""


def webhook_url(public_url: str, channel_id: int) -> str:
    """The address 360Dialog posts channel ``channel_id``'s events to."""
    return public_url.rstrip("/") + WEBHOOK_PATH.format(channel_id=channel_id)


@dataclass(frozen=True)
class ChannelInfo:
    """A channel as pages, the CLI and other modules may show it: the key only as its hint."""

    id: int
    name: str
    number: str
    phone_number_id: str | None
    waba_id: str | None
    generation: str
    base_url: str
    api_key_hint: str
    webhook_url: str | None
    greeting_message: str
    throughput_mps: int
    active: bool
    created_at: datetime
    updated_at: datetime
    last_webhook_at: datetime | None
    last_error: str | None
    last_error_code: int | None
    last_error_at: datetime | None
    auto_assign: bool = False

    @classmethod
    def of(cls, channel: Channel) -> ChannelInfo:
        assert channel.id is not None, "a stored channel has an id"
        return cls(
            id=channel.id,
            name=channel.name,
            number=channel.number,
            phone_number_id=channel.phone_number_id,
            waba_id=channel.waba_id,
            generation=channel.generation,
            base_url=channel.base_url,
            api_key_hint=channel.api_key_hint,
            webhook_url=channel.webhook_url,
            greeting_message=channel.greeting_message,
            throughput_mps=channel.throughput_mps,
            active=channel.active,
            created_at=channel.created_at,
            updated_at=channel.updated_at,
            last_webhook_at=channel.last_webhook_at,
            last_error=channel.last_error,
            last_error_code=channel.last_error_code,
            last_error_at=channel.last_error_at,
            auto_assign=channel.auto_assign,
        )


def channel_row(session: Session, channel_id: int) -> Channel:
    """The stored channel, or a refusal naming the id (a stale page, a mistyped CLI argument)."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ChannelError("channels.error.not_found_id", id=channel_id)
    return channel


def list_channels(
    session: Session, actor: Actor, *, include_inactive: bool = False
) -> list[ChannelInfo]:
    require(actor, Permission.VIEW_CHANNELS)
    query = select(Channel)
    if not include_inactive:
        query = query.where(Channel.active == True)  # noqa: E712
    query = query.order_by(col(Channel.name), col(Channel.id))
    return [ChannelInfo.of(channel) for channel in session.exec(query)]


def get_channel(session: Session, actor: Actor, channel_id: int) -> ChannelInfo:
    require(actor, Permission.VIEW_CHANNELS)
    return ChannelInfo.of(channel_row(session, channel_id))


def update_channel_settings(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    name: str,
    greeting_message: str,
    throughput_mps: int | None = None,
) -> ChannelInfo:
    """Name, greeting (the first reply a new contact gets) and sending pace: settings that cannot
    stop messages arriving. The pace is WhatsApp's throughput for the number: 80/s by default, up
    to 1,000/s for numbers 360Dialog upgraded; the sender never goes above it."""
    require(actor, Permission.MANAGE_CHANNELS)
    channel = channel_row(session, channel_id)
    new_name = validate_name(name)
    greeting = validate_greeting(greeting_message)
    pace = validate_throughput(channel.throughput_mps if throughput_mps is None else throughput_mps)
    changed = [
        label
        for label, old, new in (
            ("name", channel.name, new_name),
            ("greeting_message", channel.greeting_message, greeting),
            ("throughput_mps", channel.throughput_mps, pace),
        )
        if old != new
    ]
    if not changed:
        return ChannelInfo.of(channel)
    audit.record(
        session,
        actor,
        "channel.settings",
        f"channel:{channel.id}",
        changed=changed,
        old_name=channel.name,
        name=new_name,
    )
    channel.name = new_name
    channel.greeting_message = greeting
    channel.throughput_mps = pace
    channel.updated_at = utcnow()
    session.add(channel)
    session.flush()
    return ChannelInfo.of(channel)


def deactivate_channel(session: Session, actor: Actor, channel_id: int) -> ChannelInfo:
    """Stop using a channel here: it leaves the lists and its number may be connected again.

    360Dialog is not told: its webhook keeps pointing here until the number is connected again
    (here or elsewhere), so nothing is lost if the deactivation was a mistake.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    channel = channel_row(session, channel_id)
    if channel.active:
        channel.active = False
        channel.updated_at = utcnow()
        session.add(channel)
        audit.record(
            session, actor, "channel.deactivate", f"channel:{channel.id}", number=channel.number
        )
        session.flush()
    return ChannelInfo.of(channel)


def client_for(channel: Channel) -> D360Client:
    """A 360Dialog client for a stored channel (the sender, media downloads, template sync).
    Close it (``with client_for(channel) as client: ...``)."""
    return D360Client(
        channel.base_url,
        crypto.decrypt(channel.api_key_encrypted),
        "onprem" if channel.generation == "onprem" else "cloud",
    )
