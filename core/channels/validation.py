"""What a channel's values must be before 360Dialog is asked anything: each rule a refusal in words.

Checked here, a mistake (a plain-HTTP address, a number connected twice) is named before the
number's webhook is touched; left to 360Dialog, it would come back as a vaguer error, or not at
all (a webhook URL 360Dialog accepts but never calls).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sqlmodel import Session, select

from core.channels.errors import ChannelError
from core.d360.client import DEFAULT_BASE_URL
from core.models import Channel
from core.phones import InvalidPhoneNumber, to_e164

GENERATIONS = ("cloud", "onprem")
MAX_NAME_LENGTH = 120
MAX_GREETING_LENGTH = 4096
"""WhatsApp's limit for a text message body; the greeting is sent as one."""

MIN_THROUGHPUT, MAX_THROUGHPUT = 1, 1000
"""Messages per second a channel may send: WhatsApp's tiers go from 80 (default) to 1,000."""


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_local_sandbox(base_url: str) -> bool:
    """A 360Dialog API on this machine can only be the sandbox (demo mode, tests)."""
    return _is_loopback(urlsplit(base_url).hostname)


def validate_base_url(base_url: str | None) -> str:
    """360Dialog's address: HTTPS (the key travels in a header), plain HTTP only on loopback."""
    text = (base_url or "").strip().rstrip("/") or DEFAULT_BASE_URL
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ChannelError("channels.error.base_url_invalid", url=text) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError("channels.error.base_url_invalid", url=text)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ChannelError("channels.error.base_url_https", url=text)
    return text


def validate_public_url(public_url: str | None, base_url: str) -> str:
    """``public_url`` if 360Dialog can deliver webhooks to it, else the rule broken.

    360Dialog only calls HTTPS URLs without an explicit ``:port`` and without ``_`` in host names
    (https://docs.360dialog.com/partner/messaging/receiving-messages-via-webhook/multiple-webhooks-per-phone-number).
    When the API is a local sandbox and our address is loopback too (demo mode, tests), plain
    ``http://127.0.0.1:PORT`` is fine: nothing leaves the machine.
    """
    text = (public_url or "").strip().rstrip("/")
    if not text:
        raise ChannelError("channels.error.no_public_url")
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ChannelError("channels.error.public_url_invalid", url=text) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError("channels.error.public_url_invalid", url=text)
    if parts.query or parts.fragment:
        raise ChannelError("channels.error.public_url_query", url=text)
    if _is_local_sandbox(base_url) and _is_loopback(parts.hostname):
        return text
    if parts.scheme != "https":
        raise ChannelError("channels.error.public_url_https", url=text)
    if port is not None:
        raise ChannelError("channels.error.public_url_port", url=text, port=port)
    if "_" in parts.hostname:
        raise ChannelError("channels.error.public_url_underscore", url=text, host=parts.hostname)
    if _is_loopback(parts.hostname):
        raise ChannelError("channels.error.public_url_loopback", url=text)
    return text


def normalize_number(number: str) -> str:
    try:
        return to_e164(number)
    except InvalidPhoneNumber as exc:
        raise ChannelError("channels.error.number", cause=exc) from exc


def validate_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ChannelError("channels.error.name_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ChannelError("channels.error.name_long", maximum=MAX_NAME_LENGTH)
    return cleaned


def validate_generation(generation: str) -> str:
    if generation not in GENERATIONS:
        raise ChannelError(
            "channels.error.generation", generation=generation, allowed=", ".join(GENERATIONS)
        )
    return generation


def validate_greeting(greeting_message: str | None) -> str:
    greeting = (greeting_message or "").strip()
    if len(greeting) > MAX_GREETING_LENGTH:
        raise ChannelError("channels.error.greeting_long", maximum=MAX_GREETING_LENGTH)
    return greeting


def validate_throughput(pace: int) -> int:
    """The sender never goes above a channel's pace: it must be one of WhatsApp's tiers' range."""
    if not MIN_THROUGHPUT <= pace <= MAX_THROUGHPUT:
        raise ChannelError("channels.error.throughput", low=MIN_THROUGHPUT, high=MAX_THROUGHPUT)
    return pace


def ensure_number_free(session: Session, number: str, *, except_id: int | None = None) -> None:
    query = select(Channel).where(Channel.number == number, Channel.active == True)  # noqa: E712
    if except_id is not None:
        query = query.where(Channel.id != except_id)
    existing = session.exec(query).first()
    if existing is not None:
        raise ChannelError("channels.error.duplicate", number=number, name=existing.name)


def ensure_account_free(
    session: Session, phone_number_id: str | None, *, except_id: int | None = None
) -> None:
    """The same 360Dialog number under another name would split its conversations in two."""
    if not phone_number_id:
        return
    query = select(Channel).where(
        Channel.phone_number_id == phone_number_id,
        Channel.active == True,  # noqa: E712
    )
    if except_id is not None:
        query = query.where(Channel.id != except_id)
    existing = session.exec(query).first()
    if existing is not None:
        raise ChannelError(
            "channels.error.duplicate_account", number=existing.number, name=existing.name
        )
