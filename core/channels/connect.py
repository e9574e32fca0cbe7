"""Connecting a number, and changing a connection without losing messages.

Connecting a channel checks the number and API key against 360Dialog, registers our webhook with
a secret header of its own and reads it back, and only then stores the channel (the key
encrypted, a hint of it kept for display). Changing the number, the key or 360Dialog's address
can stop messages from arriving, so :func:`change_connection` goes through the same steps with
the new values and saves nothing unless 360Dialog confirms the new webhook.

Both share the two steps that talk to 360Dialog: :func:`_check_key` (the key works, the number
is not another channel's, and which webhook the number has now) and :func:`_swapped_webhook` (our
webhook in, and the one it had before put back when anything fails, saving included).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from core import crypto
from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels.errors import ChannelError
from core.channels.registry import (
    WEBHOOK_SECRET_HEADER,
    ChannelInfo,
    channel_row,
    webhook_url,
)
from core.channels.validation import (
    ensure_account_free,
    ensure_number_free,
    normalize_number,
    validate_base_url,
    validate_generation,
    validate_name,
    validate_public_url,
)
from core.d360.client import DEFAULT_BASE_URL, D360Client
from core.d360.errors import AuthenticationError, ConnectionFailed, D360Error
from core.models import Channel, utcnow

ClientFactory = Callable[..., D360Client]


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


def _check_key(
    session: Session, client: D360Client, base_url: str, *, except_id: int | None = None
) -> tuple[_Account, dict[str, Any]]:
    """The key works and its number is no other channel's; and the webhook the number has now,
    to put back if the swap fails."""
    account = _check_account(client, base_url)
    ensure_account_free(session, account.phone_number_id, except_id=except_id)
    return account, _current_webhook(client, base_url)


@contextmanager
def _swapped_webhook(
    client: D360Client,
    base_url: str,
    url: str,
    secret: str,
    previous: Mapping[str, Any],
    *,
    not_restored: str,
) -> Iterator[None]:
    """Point the number at ``url`` with ``secret`` and read it back; the caller saves inside.

    When the registration or the saving fails, the webhook the number had before is put back, so
    whoever received its messages still does. A refusal that could not be undone is raised as
    ``not_restored`` (the admin must act: messages may stop arriving); anything else as it was."""
    try:
        _register_webhook(client, base_url, url, secret)
        yield
    except BaseException as exc:
        restored = _restore_webhook(client, previous)
        if not restored and isinstance(exc, ChannelError):
            raise ChannelError(not_restored, cause=exc, url=previous.get("url")) from exc
        raise


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
    """Check the key, register and verify our webhook, then store the channel.

    Nothing is stored unless 360Dialog confirmed the webhook; if anything fails after the webhook
    was changed, the one it had before is put back.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    e164 = normalize_number(number)
    key = (api_key or "").strip()
    if not key:
        raise ChannelError("channels.error.key_empty")
    channel_name = validate_name(name) if name and name.strip() else e164
    generation = validate_generation(generation)
    base_url = validate_base_url(base_url)
    public_url = validate_public_url(public_url, base_url)
    ensure_number_free(session, e164)

    with client_factory(base_url, key, generation) as client:
        account, previous = _check_key(session, client, base_url)
        secret = _new_secret()
        channel = _add_channel(
            session, channel_name, e164, generation, base_url, key, secret, account
        )
        session.flush()  # the id is part of the webhook URL
        assert channel.id is not None
        url = webhook_url(public_url, channel.id)
        try:
            with _swapped_webhook(
                client,
                base_url,
                url,
                secret,
                previous,
                not_restored="channels.error.connect_failed_not_restored",
            ):
                _save_connection(session, actor, channel, url, previous.get("url"))
        except BaseException:
            _forget(session, channel)
            raise
    return ConnectResult(
        channel=ChannelInfo.of(channel),
        webhook_secret=secret,
        previous_webhook_url=previous.get("url") if previous.get("url") != url else None,
    )


def _add_channel(
    session: Session,
    name: str,
    number: str,
    generation: str,
    base_url: str,
    key: str,
    secret: str,
    account: _Account,
) -> Channel:
    """The new channel's row, its key encrypted and only a hint of it in clear."""
    now = utcnow()
    channel = Channel(
        name=name,
        number=number,
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
    return channel


def _save_connection(
    session: Session, actor: Actor, channel: Channel, url: str, previous_url: str | None
) -> None:
    """360Dialog confirmed our webhook: the channel keeps its address, and the connection is
    audited with where the number pointed before."""
    channel.webhook_url = url
    session.add(channel)
    audit.record(
        session,
        actor,
        "channel.connect",
        f"channel:{channel.id}",
        number=channel.number,
        name=channel.name,
        generation=channel.generation,
        base_url=channel.base_url,
        webhook_url=url,
        api_key_hint=channel.api_key_hint,
        previous_webhook_url=previous_url,
    )
    session.flush()


def _forget(session: Session, channel: Channel) -> None:
    """Take back a row flushed in the caller's transaction (which may not roll back itself)."""
    try:
        session.delete(channel)
        session.flush()
    except Exception:  # noqa: BLE001  (the transaction is failing anyway; the caller rolls back)
        session.expunge(channel)


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
    """Move a channel to another number, key or address without losing messages.

    The new values are checked with 360Dialog, the webhook is registered again with a NEW secret
    and read back, and only then saved. On any failure nothing is saved, the webhook 360Dialog
    held before is put back, and the error says the old connection is still active.
    """
    require(actor, Permission.MANAGE_CHANNELS)
    channel = channel_row(session, channel_id)
    if not channel.active:
        raise ChannelError("channels.error.inactive", name=channel.name)
    assert channel.id is not None
    not_restored = "channels.error.change_failed_not_restored"
    try:
        new = _new_connection(session, channel, number, api_key, base_url, public_url)
        url, secret = webhook_url(new.public_url, channel.id), _new_secret()
        with client_factory(new.base_url, new.key, channel.generation) as client:
            account, previous = _check_key(session, client, new.base_url, except_id=channel.id)
            with _swapped_webhook(
                client, new.base_url, url, secret, previous, not_restored=not_restored
            ):
                return _save_change(session, actor, channel, new, account, url, secret)
    except ChannelError as exc:
        if exc.key == not_restored:
            raise
        raise ChannelError("channels.error.change_failed", cause=exc) from exc


@dataclass(frozen=True)
class _NewConnection:
    """A change's values, each the channel's own where the admin left it empty."""

    number: str
    key: str
    key_changed: bool
    base_url: str
    public_url: str


def _new_connection(
    session: Session,
    channel: Channel,
    number: str | None,
    api_key: str | None,
    base_url: str | None,
    public_url: str | None,
) -> _NewConnection:
    new_number = normalize_number(number) if number and number.strip() else channel.number
    old_key = _stored_key(channel, needed=not (api_key or "").strip())
    new_key = (api_key or "").strip() or old_key
    new_base_url = validate_base_url(base_url) if base_url else channel.base_url
    new_public_url = validate_public_url(public_url, new_base_url)
    ensure_number_free(session, new_number, except_id=channel.id)
    return _NewConnection(
        number=new_number,
        key=new_key,
        key_changed=not secrets.compare_digest(new_key.encode(), old_key.encode()),
        base_url=new_base_url,
        public_url=new_public_url,
    )


def _save_change(
    session: Session,
    actor: Actor,
    channel: Channel,
    new: _NewConnection,
    account: _Account,
    url: str,
    secret: str,
) -> ChangeResult:
    """Store the new connection (360Dialog has confirmed its webhook) and audit it."""
    old_number = channel.number
    number_changed = new.number != old_number
    flags = {
        "number_changed": number_changed,
        "key_changed": new.key_changed,
        "base_url_changed": new.base_url != channel.base_url,
        "webhook_url_changed": url != channel.webhook_url,
    }
    audit.record(
        session,
        actor,
        "channel.change_connection",
        f"channel:{channel.id}",
        old_number=old_number,
        number=new.number,
        old_api_key_hint=channel.api_key_hint,
        api_key_hint=crypto.mask(new.key),
        old_base_url=channel.base_url,
        base_url=new.base_url,
        webhook_url=url,
        **flags,
    )
    channel.number = new.number
    if new.key_changed:
        channel.api_key_encrypted = crypto.encrypt(new.key)
        channel.api_key_hint = crypto.mask(new.key)
    channel.base_url = new.base_url
    channel.phone_number_id = account.phone_number_id or (
        None if number_changed else channel.phone_number_id
    )
    channel.waba_id = account.waba_id or (None if number_changed else channel.waba_id)
    channel.webhook_secret_hash = crypto.fingerprint(secret)
    channel.webhook_url = url
    channel.last_error = channel.last_error_code = channel.last_error_at = None
    channel.updated_at = utcnow()
    session.add(channel)
    session.flush()
    return ChangeResult(
        channel=ChannelInfo.of(channel), webhook_secret=secret, old_number=old_number, **flags
    )
