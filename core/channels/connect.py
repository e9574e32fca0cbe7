"""WhatsApp channels through 360Dialog: connect, configure, change safely, and watch (seed 1-7).

Connecting a channel is the seed's "Done" button: the number and API key are checked against
360Dialog, our webhook is registered with a secret header of its own and read back, and only then
is the channel stored (the key encrypted, a hint of it kept for display). Changing the number or
the key can stop messages from arriving (seed point 7), so :func:`change_connection` does the same
checks with the new values and saves nothing unless 360Dialog confirms the new webhook; when
anything fails, the webhook 360Dialog held before is put back.

The API key leaves this module in clear only inside :func:`client_for`'s client; every other
function returns :class:`ChannelInfo`, which has the hint and never the key.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, func, select

from core import crypto
from core.access import audit
from core.access.auth import Actor, Permission, require
from core.d360.client import DEFAULT_BASE_URL, D360Client
from core.d360.errors import AuthenticationError, ConnectionFailed, D360Error
from core.errors import UserFacingError
from core.failures import describe_error
from core.i18n import t
from core.models import Channel, Message, utcnow
from core.phones import InvalidPhoneNumber, to_e164

__all__ = [
    "GENERATIONS",
    "MAX_GREETING_LENGTH",
    "MAX_NAME_LENGTH",
    "WEBHOOK_PATH",
    "WEBHOOK_SECRET_HEADER",
    "ChangeResult",
    "ChannelError",
    "ChannelHealth",
    "ChannelInfo",
    "ConnectResult",
    "change_connection",
    "channel_health",
    "client_for",
    "connect_channel",
    "deactivate_channel",
    "get_channel",
    "list_channels",
    "update_channel_settings",
    "validate_public_url",
    "webhook_url",
]

MESSAGES_TODAY_CAP = 10_000
"""Counting further than this for the health line would make the page slow on a busy number."""

MIN_THROUGHPUT, MAX_THROUGHPUT = 1, 1000
"""Messages per second a channel may send: WhatsApp's tiers go from 80 (default) to 1,000."""

WEBHOOK_PATH = "/webhooks/360dialog/{channel_id}"
"""Where 360Dialog posts a channel's events, under ``PUBLIC_URL``."""

WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
"""The custom header 360Dialog sends with every event: 360Dialog signs nothing, so a per-channel
secret in a header is the only way to tell its posts from anyone else's."""

GENERATIONS = ("cloud", "onprem")
MAX_NAME_LENGTH = 120
MAX_GREETING_LENGTH = 4096
"""WhatsApp's limit for a text message body; the greeting is sent as one."""

ClientFactory = Callable[..., D360Client]


# --- errors ---------------------------------------------------------------------------------


Cause = D360Error | InvalidPhoneNumber | UserFacingError


def _cause_text(cause: Cause, language: str | None) -> str:
    if isinstance(cause, UserFacingError):
        return cause.message(language)
    if isinstance(cause, D360Error):
        return describe_error(cause, language)
    return cause.user_message(language)


class ChannelError(UserFacingError):
    """A refused channel action; ``cause`` (360Dialog's error, a bad number, an inner refusal)
    fills ``{reason}`` in the reader's language, not only in English."""

    def __init__(self, key: str, *, cause: Cause | None = None, **values: object) -> None:
        self.cause = cause
        if cause is not None:
            values["reason"] = _cause_text(cause, "en")
        super().__init__(key, **values)

    def message(self, language: str | None = None) -> str:
        values = dict(self.values)
        if self.cause is not None:
            values["reason"] = _cause_text(self.cause, language)
        return t(self.key, language, **values)


# --- what callers get back ------------------------------------------------------------------


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
        )


@dataclass(frozen=True)
class ConnectResult:
    """A new channel, plus its webhook secret in clear: returned once, stored only as a hash."""

    channel: ChannelInfo
    webhook_secret: str = field(repr=False)
    previous_webhook_url: str | None = None
    """Where the number sent its events before (another system, or nothing)."""

    @property
    def webhook_headers(self) -> dict[str, str]:
        return {WEBHOOK_SECRET_HEADER: self.webhook_secret}


@dataclass(frozen=True)
class ChangeResult:
    """What a connection change did, for the page to tell the admin."""

    channel: ChannelInfo
    webhook_secret: str = field(repr=False)
    old_number: str
    number_changed: bool
    key_changed: bool
    base_url_changed: bool
    webhook_url_changed: bool

    @property
    def webhook_headers(self) -> dict[str, str]:
        return {WEBHOOK_SECRET_HEADER: self.webhook_secret}


@dataclass(frozen=True)
class ChannelHealth:
    last_webhook_at: datetime | None
    last_error: str | None
    last_error_code: int | None
    last_error_at: datetime | None
    messages_today: int

    @property
    def messages_today_text(self) -> str:
        """The count as shown: exact up to the cap, then "10,000+"."""
        if self.messages_today > MESSAGES_TODAY_CAP:
            return f"{MESSAGES_TODAY_CAP:,}+"
        return f"{self.messages_today:,}"


# --- rules ----------------------------------------------------------------------------------


def webhook_url(public_url: str, channel_id: int) -> str:
    """The address 360Dialog posts channel ``channel_id``'s events to."""
    return public_url.rstrip("/") + WEBHOOK_PATH.format(channel_id=channel_id)


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
    """``public_url`` if 360Dialog can deliver webhooks to it (API.md §4.3), else the rule broken.

    360Dialog only calls HTTPS URLs without an explicit ``:port`` and without ``_`` in host names.
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


def _normalize_number(number: str) -> str:
    try:
        return to_e164(number)
    except InvalidPhoneNumber as exc:
        raise ChannelError("channels.error.number", cause=exc) from exc


def _validate_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ChannelError("channels.error.name_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ChannelError("channels.error.name_long", maximum=MAX_NAME_LENGTH)
    return cleaned


def _validate_generation(generation: str) -> str:
    if generation not in GENERATIONS:
        raise ChannelError(
            "channels.error.generation", generation=generation, allowed=", ".join(GENERATIONS)
        )
    return generation


def _ensure_number_free(session: Session, number: str, *, except_id: int | None = None) -> None:
    query = select(Channel).where(Channel.number == number, Channel.active == True)  # noqa: E712
    if except_id is not None:
        query = query.where(Channel.id != except_id)
    existing = session.exec(query).first()
    if existing is not None:
        raise ChannelError("channels.error.duplicate", number=number, name=existing.name)


def _ensure_account_free(
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


# --- talking to 360Dialog -------------------------------------------------------------------


def _provider_error(exc: D360Error, base_url: str) -> ChannelError:
    """360Dialog's refusal in words that point at what the admin typed."""
    if isinstance(exc, AuthenticationError):
        return ChannelError("channels.error.wrong_key")
    if isinstance(exc, ConnectionFailed):
        return ChannelError("channels.error.unreachable", base_url=base_url)
    if exc.http_status == 404:
        return ChannelError("channels.error.not_found", base_url=base_url)
    return ChannelError("channels.error.provider", cause=exc)


@dataclass(frozen=True)
class _Account:
    phone_number_id: str | None
    waba_id: str | None


def _read_account(health: Any) -> _Account:
    """The ids Cloud's ``health_status`` names; On-Premise tells none (both stay ``None``)."""
    status = health.get("health_status") if isinstance(health, Mapping) else None
    entities = status.get("entities") if isinstance(status, Mapping) else None
    found: dict[str, str] = {}
    for entity in entities if isinstance(entities, list) else []:
        if isinstance(entity, Mapping) and isinstance(entity.get("id"), str | int):
            found.setdefault(str(entity.get("entity_type")), str(entity["id"]))
    phone_number_id = found.get("PHONE_NUMBER")
    if phone_number_id is None and isinstance(status, Mapping) and isinstance(health, Mapping):
        top = health.get("id")
        phone_number_id = str(top) if isinstance(top, str | int) and top else None
    return _Account(phone_number_id=phone_number_id, waba_id=found.get("WABA"))


def _check_account(client: D360Client, base_url: str) -> _Account:
    try:
        return _read_account(client.health())
    except D360Error as exc:
        raise _provider_error(exc, base_url) from exc


def _current_webhook(client: D360Client, base_url: str) -> dict[str, Any]:
    try:
        current = client.get_webhook()
    except D360Error as exc:
        raise _provider_error(exc, base_url) from exc
    return current if isinstance(current, dict) else {}


def _header(headers: object, name: str) -> str | None:
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value if isinstance(value, str) else None
    return None


def _register_webhook(client: D360Client, base_url: str, url: str, secret: str) -> None:
    """Point the number at ``url`` with our secret, then read it back: 360Dialog answering 200
    is not proof it kept what we sent."""
    try:
        client.set_webhook(url, {WEBHOOK_SECRET_HEADER: secret})
    except D360Error as exc:
        if isinstance(exc, AuthenticationError | ConnectionFailed) or exc.http_status == 404:
            raise _provider_error(exc, base_url) from exc
        raise ChannelError(
            "channels.error.webhook_refused", url=url, detail=exc.title or exc.kind
        ) from exc
    stored = _current_webhook(client, base_url)
    if stored.get("url") != url or _header(stored.get("headers"), WEBHOOK_SECRET_HEADER) != secret:
        raise ChannelError("channels.error.webhook_not_kept", url=url)


def _restore_webhook(client: D360Client, previous: Mapping[str, Any]) -> bool:
    """Put back the webhook 360Dialog held before we changed it; whether that worked."""
    url = previous.get("url")
    if not isinstance(url, str) or not url:
        return True  # there was none; what we set points at a channel that does not exist
    headers = previous.get("headers")
    try:
        client.set_webhook(url, dict(headers) if isinstance(headers, Mapping) else None)
    except D360Error:
        return False
    return True


def _stored_key(channel: Channel, *, needed: bool) -> str:
    """The channel's key in clear; unreadable (lost master secret) is only a problem if needed."""
    try:
        return crypto.decrypt(channel.api_key_encrypted)
    except crypto.SecretError:
        if needed:
            raise ChannelError("channels.error.key_unreadable") from None
        return ""


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _get_row(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ChannelError("channels.error.not_found_id", id=channel_id)
    return channel


# --- actions --------------------------------------------------------------------------------


def connect_channel(
    session: Session,
    actor: Actor,
    *,
    number: str,
    api_key: str,
    name: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    generation: str = "cloud",
    public_url: str | None,
    client_factory: ClientFactory = D360Client,
) -> ConnectResult:
    """The seed's "Done": check the key, register and verify our webhook, then store the channel.

    Nothing is stored unless 360Dialog confirmed the webhook; if anything fails after the webhook
    was changed, the one it had before is put back.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    e164 = _normalize_number(number)
    key = (api_key or "").strip()
    if not key:
        raise ChannelError("channels.error.key_empty")
    channel_name = _validate_name(name) if name and name.strip() else e164
    generation = _validate_generation(generation)
    base_url = validate_base_url(base_url)
    public_url = validate_public_url(public_url, base_url)
    _ensure_number_free(session, e164)

    with client_factory(base_url, key, generation) as client:
        account = _check_account(client, base_url)
        _ensure_account_free(session, account.phone_number_id)
        previous = _current_webhook(client, base_url)
        secret = _new_secret()
        now = utcnow()
        channel = Channel(
            name=channel_name,
            number=e164,
            phone_number_id=account.phone_number_id,
            waba_id=account.waba_id,
            generation=generation,
            base_url=base_url,
            api_key_encrypted=crypto.encrypt(key),
            api_key_hint=crypto.mask(key),
            webhook_secret_hash=crypto.fingerprint(secret),
            created_at=now,
            updated_at=now,
        )
        session.add(channel)
        session.flush()  # the id is part of the webhook URL
        assert channel.id is not None
        url = webhook_url(public_url, channel.id)
        try:
            _register_webhook(client, base_url, url, secret)
            channel.webhook_url = url
            session.add(channel)
            audit.record(
                session,
                actor,
                "channel.connect",
                f"channel:{channel.id}",
                number=e164,
                name=channel_name,
                generation=generation,
                base_url=base_url,
                webhook_url=url,
                api_key_hint=channel.api_key_hint,
                previous_webhook_url=previous.get("url"),
            )
            session.flush()
        except BaseException as exc:
            restored = _restore_webhook(client, previous)
            _forget(session, channel)
            if not restored and isinstance(exc, ChannelError):
                raise ChannelError(
                    "channels.error.connect_failed_not_restored",
                    cause=exc,
                    url=previous.get("url"),
                ) from exc
            raise
    return ConnectResult(
        channel=ChannelInfo.of(channel),
        webhook_secret=secret,
        previous_webhook_url=previous.get("url") if previous.get("url") != url else None,
    )


def _forget(session: Session, channel: Channel) -> None:
    """Take back a row flushed in the caller's transaction (which may not roll back itself)."""
    try:
        session.delete(channel)
        session.flush()
    except Exception:  # noqa: BLE001  (the transaction is failing anyway; the caller rolls back)
        session.expunge(channel)


def update_channel_settings(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    name: str,
    greeting_message: str,
    throughput_mps: int | None = None,
) -> ChannelInfo:
    """Name (seed 5), greeting (seed 6) and sending pace: settings that cannot stop messages
    arriving. The pace is WhatsApp's throughput for the number: 80/s by default, up to 1,000/s
    for numbers 360Dialog upgraded; the sender never goes above it."""
    require(actor, Permission.MANAGE_CHANNELS)
    channel = _get_row(session, channel_id)
    new_name = _validate_name(name)
    greeting = (greeting_message or "").strip()
    if len(greeting) > MAX_GREETING_LENGTH:
        raise ChannelError("channels.error.greeting_long", maximum=MAX_GREETING_LENGTH)
    pace = channel.throughput_mps if throughput_mps is None else throughput_mps
    if not MIN_THROUGHPUT <= pace <= MAX_THROUGHPUT:
        raise ChannelError("channels.error.throughput", low=MIN_THROUGHPUT, high=MAX_THROUGHPUT)
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


def change_connection(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    number: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    public_url: str | None,
    client_factory: ClientFactory = D360Client,
) -> ChangeResult:
    """Move a channel to another number, key or address without losing messages (seed 7).

    The new values are checked with 360Dialog, the webhook is registered again with a NEW secret
    and read back, and only then saved. On any failure nothing is saved, the webhook 360Dialog
    held before is put back, and the error says the old connection is still active.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    channel = _get_row(session, channel_id)
    if not channel.active:
        raise ChannelError("channels.error.inactive", name=channel.name)
    assert channel.id is not None
    try:
        new_number = _normalize_number(number) if number and number.strip() else channel.number
        old_key = _stored_key(channel, needed=not (api_key or "").strip())
        new_key = (api_key or "").strip() or old_key
        new_base_url = validate_base_url(base_url) if base_url else channel.base_url
        new_public_url = validate_public_url(public_url, new_base_url)
        _ensure_number_free(session, new_number, except_id=channel.id)
    except ChannelError as exc:
        raise ChannelError("channels.error.change_failed", cause=exc) from exc

    url = webhook_url(new_public_url, channel.id)
    secret = _new_secret()
    with client_factory(new_base_url, new_key, channel.generation) as client:
        try:
            account = _check_account(client, new_base_url)
            _ensure_account_free(session, account.phone_number_id, except_id=channel.id)
            previous = _current_webhook(client, new_base_url)
        except ChannelError as exc:
            raise ChannelError("channels.error.change_failed", cause=exc) from exc
        try:
            _register_webhook(client, new_base_url, url, secret)
        except ChannelError as exc:
            if not _restore_webhook(client, previous):
                raise ChannelError("channels.error.change_failed_not_restored", cause=exc) from exc
            raise ChannelError("channels.error.change_failed", cause=exc) from exc

        old_number = channel.number
        key_changed = not secrets.compare_digest(new_key.encode(), old_key.encode())
        result_flags = {
            "number_changed": new_number != old_number,
            "key_changed": key_changed,
            "base_url_changed": new_base_url != channel.base_url,
            "webhook_url_changed": url != channel.webhook_url,
        }
        try:
            audit.record(
                session,
                actor,
                "channel.change_connection",
                f"channel:{channel.id}",
                old_number=old_number,
                number=new_number,
                old_api_key_hint=channel.api_key_hint,
                api_key_hint=crypto.mask(new_key),
                old_base_url=channel.base_url,
                base_url=new_base_url,
                webhook_url=url,
                **result_flags,
            )
            channel.number = new_number
            if key_changed:
                channel.api_key_encrypted = crypto.encrypt(new_key)
                channel.api_key_hint = crypto.mask(new_key)
            channel.base_url = new_base_url
            channel.phone_number_id = account.phone_number_id or (
                None if result_flags["number_changed"] else channel.phone_number_id
            )
            channel.waba_id = account.waba_id or (
                None if result_flags["number_changed"] else channel.waba_id
            )
            channel.webhook_secret_hash = crypto.fingerprint(secret)
            channel.webhook_url = url
            channel.last_error = channel.last_error_code = channel.last_error_at = None
            channel.updated_at = utcnow()
            session.add(channel)
            session.flush()
        except BaseException:
            _restore_webhook(client, previous)
            raise
    return ChangeResult(
        channel=ChannelInfo.of(channel),
        webhook_secret=secret,
        old_number=old_number,
        **result_flags,
    )


def deactivate_channel(session: Session, actor: Actor, channel_id: int) -> ChannelInfo:
    """Stop using a channel here: it leaves the lists and its number may be connected again.

    360Dialog is not told: its webhook keeps pointing here until the number is connected again
    (here or elsewhere), so nothing is lost if the deactivation was a mistake.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    channel = _get_row(session, channel_id)
    if channel.active:
        channel.active = False
        channel.updated_at = utcnow()
        session.add(channel)
        audit.record(
            session, actor, "channel.deactivate", f"channel:{channel.id}", number=channel.number
        )
        session.flush()
    return ChannelInfo.of(channel)


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
    return ChannelInfo.of(_get_row(session, channel_id))


def channel_health(
    session: Session, actor: Actor, channel_id: int, *, now: datetime | None = None
) -> ChannelHealth:
    """The health line: last webhook received, last error, and messages since UTC midnight."""
    require(actor, Permission.VIEW_CHANNELS)
    channel = _get_row(session, channel_id)
    midnight = datetime.combine((now or utcnow()).astimezone(UTC).date(), time(), tzinfo=UTC)
    todays = (
        select(Message.id)
        .where(Message.channel_id == channel_id, Message.created_at >= midnight)
        .limit(MESSAGES_TODAY_CAP + 1)
        .subquery()
    )
    messages_today = session.exec(select(func.count()).select_from(todays)).one()
    return ChannelHealth(
        last_webhook_at=channel.last_webhook_at,
        last_error=channel.last_error,
        last_error_code=channel.last_error_code,
        last_error_at=channel.last_error_at,
        messages_today=messages_today,
    )


def client_for(channel: Channel) -> D360Client:
    """A 360Dialog client for a stored channel (the sender and ingest use it); the only place
    the key is decrypted. Close it (``with client_for(channel) as client: ...``)."""
    return D360Client(
        channel.base_url,
        crypto.decrypt(channel.api_key_encrypted),
        "onprem" if channel.generation == "onprem" else "cloud",
    )
