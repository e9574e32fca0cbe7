"""Channels against a real sandbox over HTTP: connect, keys at rest, URL rules, safe changes, roles.

The sandbox runs in this process (``SandboxServer``); the product reaches it only over HTTP, as it
reaches 360Dialog. The CLI tests run ``python -m core`` as a subprocess talking to the same sandbox.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from core import crypto
from core.access.auth import PermissionDenied
from core.channels.connect import change_connection, connect_channel
from core.channels.errors import ChannelError
from core.channels.health import (
    MESSAGES_TODAY_CAP,
    ChannelHealth,
    HealthReason,
    channel_health,
)
from core.channels.number_health import check_number
from core.channels.registry import (
    WEBHOOK_SECRET_HEADER,
    client_for,
    deactivate_channel,
    get_channel,
    list_channels,
    update_channel_settings,
    webhook_url,
)
from core.channels.validation import validate_base_url, validate_public_url
from core.d360.client import D360Client
from core.d360.errors import ConnectionFailed
from core.models import (
    AuditEntry,
    Channel,
    Contact,
    Conversation,
    Message,
    MessageStatus,
    Role,
)
from core.sandbox import Account, SandboxConfig, SandboxServer
from core.webhooks import receiver

KEY = "cloud-key-0001"
OTHER_KEY = "cloud-key-0002"
ONPREM_KEY = "onprem-key-0003"
NUMBER = "+34600000001"
OTHER_NUMBER = "+34600000002"
ONPREM_NUMBER = "+34600000003"
LOCAL_PUBLIC_URL = "http://127.0.0.1:8501"


def webhook_accepted(session: Session, channel: Channel, secret: str | None) -> bool:
    """Whether the webhook receiver (with nothing cached) takes ``secret`` for ``channel``, once
    the change is committed as the page commits it."""
    session.commit()
    return receiver.SecretCache().matches(session.get_bind(), channel.id, secret)


def sandbox_accounts() -> list[Account]:
    return [
        Account(KEY, NUMBER),
        Account(OTHER_KEY, OTHER_NUMBER),
        Account(ONPREM_KEY, ONPREM_NUMBER, generation="onprem"),
    ]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(accounts=sandbox_accounts())) as server:
        yield server


@pytest.fixture
def strict_sandbox() -> Iterator[SandboxServer]:
    config_ = SandboxConfig(accounts=sandbox_accounts(), strict_webhook_urls=True)
    with SandboxServer(config_) as server:
        yield server


def remote_webhook(server: SandboxServer, key: str = KEY) -> dict[str, Any]:
    """What 360Dialog (the sandbox) holds for the number of ``key``, read over HTTP."""
    response = httpx.get(server.base_url + "/v1/configs/webhook", headers={"D360-API-KEY": key})
    response.raise_for_status()
    return response.json()


def another_systems_webhook(server: SandboxServer) -> dict[str, Any]:
    """Register, on 360Dialog, the webhook another system had before ours; returns it."""
    old = {"url": "http://127.0.0.1:9/other-system", "headers": {"Authorization": "Basic x"}}
    httpx.post(
        server.base_url + "/v1/configs/webhook", headers={"D360-API-KEY": KEY}, json=old
    ).raise_for_status()
    return old


def sandbox_account(server: SandboxServer, key: str) -> Account:
    return next(a for a in server.sandbox.config.accounts if a.api_key == key)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect(session: Session, actor, server: SandboxServer, **overrides: Any):  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {
        "number": NUMBER,
        "api_key": KEY,
        "name": "Tienda",
        "base_url": server.base_url,
        "public_url": LOCAL_PUBLIC_URL,
    }
    values.update(overrides)
    return connect_channel(session, actor, **values)


def stored(session: Session) -> list[Channel]:
    return list(session.exec(select(Channel)))


def actions(session: Session) -> list[str]:
    return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def refusal(call: Callable[[], object]) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        call()
    return caught.value


# --- connecting -----------------------------------------------------------------------------


def test_connect_registers_our_webhook_with_a_secret_header(session, team, sandbox) -> None:
    result = connect(session, team[Role.ADMIN], sandbox, number="+34 600 000 001")
    channel = result.channel
    assert channel.number == NUMBER
    assert channel.name == "Tienda"
    assert channel.webhook_url == f"{LOCAL_PUBLIC_URL}/webhooks/360dialog/{channel.id}"
    assert remote_webhook(sandbox) == {
        "url": channel.webhook_url,
        "headers": {WEBHOOK_SECRET_HEADER: result.webhook_secret},
    }
    assert result.webhook_headers == {"X-Webhook-Secret": result.webhook_secret}
    assert len(result.webhook_secret) >= 32
    account = sandbox_account(sandbox, KEY)
    assert (channel.phone_number_id, channel.waba_id) == (account.phone_number_id, account.waba_id)
    assert result.previous_webhook_url is None
    assert webhook_url("https://w.example.com/", 7) == (
        "https://w.example.com/webhooks/360dialog/7"
    )


def test_connect_tells_where_the_number_pointed_before(session, team, sandbox) -> None:
    httpx.post(
        sandbox.base_url + "/v1/configs/webhook",
        headers={"D360-API-KEY": KEY},
        json={"url": "http://127.0.0.1:9/other-system"},
    ).raise_for_status()
    result = connect(session, team[Role.ADMIN], sandbox)
    assert result.previous_webhook_url == "http://127.0.0.1:9/other-system"


def test_name_defaults_to_the_number_and_onprem_has_no_meta_ids(session, team, sandbox) -> None:
    result = connect(
        session,
        team[Role.ADMIN],
        sandbox,
        number=ONPREM_NUMBER,
        api_key=ONPREM_KEY,
        name=None,
        generation="onprem",
    )
    assert result.channel.name == ONPREM_NUMBER
    assert result.channel.generation == "onprem"
    assert (result.channel.phone_number_id, result.channel.waba_id) == (None, None)
    assert remote_webhook(sandbox, ONPREM_KEY)["url"] == result.channel.webhook_url


def test_the_key_is_stored_encrypted_and_only_its_hint_is_shown(session, team, sandbox) -> None:
    result = connect(session, team[Role.ADMIN], sandbox)
    row = session.get(Channel, result.channel.id)
    assert KEY.encode() not in row.api_key_encrypted
    assert crypto.decrypt(row.api_key_encrypted) == KEY
    assert row.api_key_hint == "••••0001"
    assert row.webhook_secret_hash == crypto.fingerprint(result.webhook_secret)
    assert result.webhook_secret not in repr(row.__dict__)
    for info in (
        result.channel,
        get_channel(session, team[Role.AGENT], result.channel.id),
        *list_channels(session, team[Role.MANAGER]),
    ):
        assert info.api_key_hint == "••••0001"
        assert KEY not in repr(info)
    assert result.webhook_secret not in repr(result)
    with client_for(row) as client:
        assert KEY not in repr(client)
        assert client.health()["id"] == result.channel.phone_number_id


def test_a_wrong_key_is_refused_in_words_and_nothing_is_saved(session, team, sandbox) -> None:
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, api_key="not-the-key"))
    assert error.key == "channels.error.wrong_key"
    assert "360Dialog did not accept this API key" in error.message("en")
    assert "360Dialog no aceptó esta API key" in error.message("es")
    assert stored(session) == []
    assert "channel.connect" not in actions(session)
    assert remote_webhook(sandbox)["url"] is None


def test_an_unreachable_host_is_said_in_words(session, team, sandbox) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, base_url=base_url))
    assert error.key == "channels.error.unreachable"
    assert error.message("en") == (
        f"Could not reach 360Dialog at {base_url}. "
        "Check the base URL and this server's internet connection."
    )
    assert stored(session) == []


def test_a_wrong_generation_or_a_bad_number_is_named(session, team, sandbox) -> None:
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, generation="onprem"))
    assert error.key == "channels.error.not_found"
    assert "Cloud or On-Premise" in error.message("en")
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, number="600000001"))
    assert error.message("en") == (
        "Check the WhatsApp number: “600000001” is not a valid number in its country. Check it."
    )
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, api_key="  "))
    assert error.key == "channels.error.key_empty"
    assert stored(session) == []


@pytest.mark.parametrize(
    ("public_url", "rule", "words"),
    [
        ("http://hooks.example.com", "public_url_https", "must start with https://"),
        ("https://hooks.example.com:8443", "public_url_port", "cannot name a port (:8443)"),
        ("https://my_hooks.example.com", "public_url_underscore", "does not accept underscores"),
        ("https://hooks.example.com/?x=1", "public_url_query", "cannot contain “?” or “#”"),
        ("hooks.example.com", "public_url_invalid", "is not a valid web address"),
        ("", "no_public_url", "PUBLIC_URL is missing"),
        (None, "no_public_url", "PUBLIC_URL is missing"),
    ],
)
def test_public_url_rules_are_named_before_anything_changes(
    session, team, sandbox, public_url, rule, words
) -> None:
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, public_url=public_url))
    assert error.key == f"channels.error.{rule}"
    assert words in error.message("en")
    assert stored(session) == []
    assert remote_webhook(sandbox)["url"] is None


def test_production_rules_apply_when_360dialog_is_not_local() -> None:
    production = "https://waba-v2.360dialog.io"
    assert validate_public_url("https://w.example.com/wa/", production) == (
        "https://w.example.com/wa"
    )
    for url, rule in (
        (LOCAL_PUBLIC_URL, "public_url_https"),
        ("https://localhost", "public_url_loopback"),
        ("https://127.0.0.1", "public_url_loopback"),
    ):
        error = refusal(lambda url=url: validate_public_url(url, production))
        assert error.key == f"channels.error.{rule}"
    # a local sandbox accepts a loopback address with a port, plain HTTP
    assert validate_public_url("http://localhost:8501", "http://127.0.0.1:8790")
    error = refusal(lambda: validate_base_url("http://waba.example.com"))
    assert error.key == "channels.error.base_url_https"


def test_a_strict_sandbox_refuses_a_local_url_and_takes_a_proper_one(
    session, team, strict_sandbox
) -> None:
    error = refusal(lambda: connect(session, team[Role.ADMIN], strict_sandbox))
    assert error.key == "channels.error.webhook_refused"
    assert "must use https" in error.message("en")
    assert stored(session) == []
    assert remote_webhook(strict_sandbox)["url"] is None

    result = connect(
        session, team[Role.ADMIN], strict_sandbox, public_url="https://whatsapp.example.com"
    )
    assert remote_webhook(strict_sandbox)["url"] == (
        f"https://whatsapp.example.com/webhooks/360dialog/{result.channel.id}"
    )


def test_a_number_is_connected_only_once(session, team, sandbox) -> None:
    first = connect(session, team[Role.ADMIN], sandbox)
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, api_key=OTHER_KEY))
    assert (
        error.message("en") == "The number +34600000001 is already connected as channel “Tienda”."
    )
    # the same 360Dialog number under another typed number: its key gives it away
    error = refusal(lambda: connect(session, team[Role.ADMIN], sandbox, number=OTHER_NUMBER))
    assert error.key == "channels.error.duplicate_account"
    assert [c.id for c in stored(session)] == [first.channel.id]
    # a deactivated channel frees its number
    deactivate_channel(session, team[Role.ADMIN], first.channel.id)
    again = connect(session, team[Role.ADMIN], sandbox)
    assert again.channel.id != first.channel.id
    assert [c.id for c in list_channels(session, team[Role.ADMIN])] == [again.channel.id]


class TamperedReadBack(D360Client):
    """Real HTTP, except that reading the webhook back after setting it shows it without our
    header (what 360Dialog might keep; the one case the sandbox cannot be asked to produce)."""

    was_set = False

    def set_webhook(self, url: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        self.was_set = True
        return super().set_webhook(url, headers)

    def get_webhook(self) -> dict[str, Any]:
        stored_config = super().get_webhook()
        return {**stored_config, "headers": {}} if self.was_set else stored_config


def test_a_webhook_not_kept_by_360dialog_saves_nothing_and_restores_the_old_one(
    session, team, sandbox
) -> None:
    old = another_systems_webhook(sandbox)
    error = refusal(
        lambda: connect(session, team[Role.ADMIN], sandbox, client_factory=TamperedReadBack)
    )
    assert error.key == "channels.error.webhook_not_kept"
    assert stored(session) == []
    assert remote_webhook(sandbox) == old


class UnrestorableWebhook(TamperedReadBack):
    """As :class:`TamperedReadBack`, and 360Dialog is gone when the old webhook is put back."""

    def set_webhook(self, url: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        if self.was_set:
            raise ConnectionFailed("connection reset")
        return super().set_webhook(url, headers)


def test_a_webhook_that_cannot_be_put_back_is_said_on_connect_and_on_change(
    session, team, sandbox
) -> None:
    old = another_systems_webhook(sandbox)
    error = refusal(
        lambda: connect(session, team[Role.ADMIN], sandbox, client_factory=UnrestorableWebhook)
    )
    assert error.key == "channels.error.connect_failed_not_restored"
    assert old["url"] in error.message("en")
    assert error.cause is not None and error.cause.key == "channels.error.webhook_not_kept"
    assert stored(session) == []

    first = connect(session, team[Role.ADMIN], sandbox)
    error = refusal(
        lambda: change_connection(
            session,
            team[Role.ADMIN],
            first.channel.id,
            public_url="http://localhost:8600",
            client_factory=UnrestorableWebhook,
        )
    )
    assert error.key == "channels.error.change_failed_not_restored"
    assert "messages may stop arriving" in error.message("en")
    assert error.cause is not None and error.cause.key == "channels.error.webhook_not_kept"
    assert "channel.change_connection" not in actions(session)


# --- settings, changes, health --------------------------------------------------------------


def test_settings_are_saved_and_audited(session, team, sandbox) -> None:
    channel_id = connect(session, team[Role.ADMIN], sandbox).channel.id
    info = update_channel_settings(
        session,
        team[Role.ADMIN],
        channel_id,
        name="  Tienda Centro ",
        greeting_message="¡Hola! Gracias por escribirnos.",
    )
    assert (info.name, info.greeting_message) == (
        "Tienda Centro",
        "¡Hola! Gracias por escribirnos.",
    )
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "channel.settings")).one()
    assert entry.actor == "admin1"
    assert entry.details["changed"] == ["name", "greeting_message"]
    error = refusal(
        lambda: update_channel_settings(
            session, team[Role.ADMIN], channel_id, name=" ", greeting_message=""
        )
    )
    assert error.key == "channels.error.name_empty"
    error = refusal(
        lambda: update_channel_settings(
            session, team[Role.ADMIN], channel_id, name="x", greeting_message="a" * 4097
        )
    )
    assert "at most 4096 characters" in error.message("en")


def test_changing_number_and_key_re_registers_with_a_new_secret(session, team, sandbox) -> None:
    first = connect(session, team[Role.ADMIN], sandbox)
    changed = change_connection(
        session,
        team[Role.ADMIN],
        first.channel.id,
        number=OTHER_NUMBER,
        api_key=OTHER_KEY,
        public_url=LOCAL_PUBLIC_URL,
    )
    assert changed.number_changed and changed.key_changed and not changed.base_url_changed
    assert changed.old_number == NUMBER
    assert changed.channel.number == OTHER_NUMBER
    assert changed.channel.api_key_hint == "••••0002"
    assert changed.channel.phone_number_id == sandbox_account(sandbox, OTHER_KEY).phone_number_id
    assert remote_webhook(sandbox, OTHER_KEY) == {
        "url": first.channel.webhook_url,
        "headers": {WEBHOOK_SECRET_HEADER: changed.webhook_secret},
    }
    assert changed.webhook_secret != first.webhook_secret
    row = session.get(Channel, first.channel.id)
    assert crypto.decrypt(row.api_key_encrypted) == OTHER_KEY
    assert webhook_accepted(session, row, changed.webhook_secret)
    assert not webhook_accepted(session, row, first.webhook_secret)
    assert not webhook_accepted(session, row, None)
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "channel.change_connection")
    ).one()
    assert entry.details["old_number"] == NUMBER and entry.details["number"] == OTHER_NUMBER
    assert OTHER_KEY not in json.dumps(entry.details)
    assert changed.webhook_secret not in json.dumps(entry.details)


def test_a_change_with_the_same_key_rotates_the_secret(session, team, sandbox) -> None:
    first = connect(session, team[Role.ADMIN], sandbox)
    changed = change_connection(
        session, team[Role.ADMIN], first.channel.id, public_url="http://localhost:8600"
    )
    assert not (changed.number_changed or changed.key_changed or changed.base_url_changed)
    assert changed.webhook_url_changed
    assert remote_webhook(sandbox) == {
        "url": f"http://localhost:8600/webhooks/360dialog/{first.channel.id}",
        "headers": {WEBHOOK_SECRET_HEADER: changed.webhook_secret},
    }
    row = session.get(Channel, first.channel.id)
    assert not webhook_accepted(session, row, first.webhook_secret)


def test_a_failed_change_keeps_the_old_connection(session, team, sandbox) -> None:
    first = connect(session, team[Role.ADMIN], sandbox)
    before = session.get(Channel, first.channel.id)
    snapshot = (before.number, before.api_key_encrypted, before.webhook_secret_hash)
    error = refusal(
        lambda: change_connection(
            session,
            team[Role.ADMIN],
            first.channel.id,
            api_key="revoked-key",
            public_url=LOCAL_PUBLIC_URL,
        )
    )
    assert error.key == "channels.error.change_failed"
    assert error.message("en") == (
        "Nothing was changed and the previous connection is still active. Reason: 360Dialog did "
        "not accept this API key. Copy it again from the 360Dialog Hub (each number has its own) "
        "and try again."
    )
    assert "la conexión anterior sigue activa" in error.message("es")
    for bad in ({"number": "12"}, {"public_url": "https://bad_host.example.com"}):
        error = refusal(
            lambda bad=bad: change_connection(
                session,
                team[Role.ADMIN],
                first.channel.id,
                **{"public_url": LOCAL_PUBLIC_URL, **bad},
            )
        )
        assert "previous connection is still active" in error.message("en")

    # 360Dialog takes the new webhook but does not keep our header: the old one is put back
    error = refusal(
        lambda: change_connection(
            session,
            team[Role.ADMIN],
            first.channel.id,
            public_url="http://localhost:8600",
            client_factory=TamperedReadBack,
        )
    )
    assert error.key == "channels.error.change_failed"
    session.refresh(before)
    assert (before.number, before.api_key_encrypted, before.webhook_secret_hash) == snapshot
    assert remote_webhook(sandbox) == {
        "url": first.channel.webhook_url,
        "headers": {WEBHOOK_SECRET_HEADER: first.webhook_secret},
    }
    assert "channel.change_connection" not in actions(session)


def test_a_number_taken_by_another_channel_is_refused_on_change(session, team, sandbox) -> None:
    first = connect(session, team[Role.ADMIN], sandbox)
    connect(session, team[Role.ADMIN], sandbox, number=OTHER_NUMBER, api_key=OTHER_KEY)
    error = refusal(
        lambda: change_connection(
            session,
            team[Role.ADMIN],
            first.channel.id,
            number=OTHER_NUMBER,
            public_url=LOCAL_PUBLIC_URL,
        )
    )
    assert "+34600000002 is already connected" in error.message("en")


def test_health_line(session, team, sandbox) -> None:
    channel_id = connect(session, team[Role.ADMIN], sandbox).channel.id
    now = datetime(2025, 3, 10, 15, 30, tzinfo=UTC)
    contact = Contact(channel_id=channel_id, wa_id="34611222333")
    session.add(contact)
    session.flush()
    conversation = Conversation(channel_id=channel_id, contact_id=contact.id)
    session.add(conversation)
    session.flush()
    for created_at in (
        now - timedelta(days=1),
        datetime(2025, 3, 9, 23, 59, 59, tzinfo=UTC),
        datetime(2025, 3, 10, 0, 0, tzinfo=UTC),
        now - timedelta(minutes=5),
    ):
        session.add(
            Message(
                channel_id=channel_id,
                conversation_id=conversation.id,
                direction="in",
                type="text",
                status=MessageStatus.RECEIVED,
                created_at=created_at,
            )
        )
    row = session.get(Channel, channel_id)
    row.last_webhook_at = now - timedelta(minutes=5)
    row.last_error, row.last_error_code = "Re-engagement message", 131047
    row.last_error_at = now - timedelta(hours=1)
    session.add(row)
    session.flush()
    health = channel_health(session, team[Role.AGENT], channel_id, now=now)
    assert health == ChannelHealth(
        last_webhook_at=now - timedelta(minutes=5),
        last_error="Re-engagement message",
        last_error_code=131047,
        last_error_at=now - timedelta(hours=1),
        messages_today=2,
    )
    fresh = connect(session, team[Role.ADMIN], sandbox, number=OTHER_NUMBER, api_key=OTHER_KEY)
    assert channel_health(session, team[Role.ADMIN], fresh.channel.id) == (
        ChannelHealth(None, None, None, None, 0)
    )


def _set_health(server: SandboxServer, entity: str, **spec: Any) -> None:
    path = f"/sandbox/api/accounts/{NUMBER}/health/{entity}"
    httpx.put(server.base_url + path, json=spec).raise_for_status()


def test_whatsapp_health_available_limited_and_blocked_with_metas_reasons(
    session, team, sandbox
) -> None:
    """360Dialog's health status (https://docs.360dialog.com/docs/messaging/health-status) with
    the reasons of Meta's OpenAPI examples."""
    channel_id = connect(session, team[Role.ADMIN], sandbox).channel.id
    agent = team[Role.AGENT]
    assert check_number(session, agent, channel_id).can_send == "AVAILABLE"
    verification = {
        "error_code": 141010,
        "error_description": "The Business has not passed business verification.",
        "possible_solution": "Visit business settings and start or resolve the business "
        "verification request.",
    }
    _set_health(sandbox, "BUSINESS", can_send_message="LIMITED", errors=[verification])
    limited = check_number(session, agent, channel_id)
    assert limited.can_send == "LIMITED"
    assert limited.reasons == (
        HealthReason(
            "BUSINESS",
            141010,
            verification["error_description"],
            verification["possible_solution"],
        ),
    )
    assert "can_send" in limited.problems
    payment = {"error_code": 141006, "error_description": "There is an error with the payment."}
    _set_health(sandbox, "WABA", can_send_message="BLOCKED", errors=[payment])
    blocked = check_number(session, agent, channel_id)
    assert blocked.can_send == "BLOCKED"
    assert [reason.code for reason in blocked.reasons] == [141006, 141010]


def test_whatsapp_health_is_unknown_on_premise_or_when_360dialog_does_not_answer(
    session, team, sandbox
) -> None:
    admin = team[Role.ADMIN]
    onprem = connect(
        session, admin, sandbox, number=ONPREM_NUMBER, api_key=ONPREM_KEY, generation="onprem"
    )
    assert check_number(session, admin, onprem.channel.id) is None
    cloud = connect(session, admin, sandbox).channel.id
    row = session.get(Channel, cloud)
    row.base_url = f"http://127.0.0.1:{closed_port()}"
    assert check_number(session, admin, cloud) is None


# --- roles and audit ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER, Role.AGENT])
def test_only_admins_change_channels(session, team, sandbox, role) -> None:
    channel_id = connect(session, team[Role.ADMIN], sandbox).channel.id
    actor = team[role]
    changes: list[Callable[[], object]] = [
        lambda: connect(session, actor, sandbox, number=OTHER_NUMBER, api_key=OTHER_KEY),
        lambda: update_channel_settings(session, actor, channel_id, name="x", greeting_message=""),
        lambda: change_connection(
            session, actor, channel_id, api_key=OTHER_KEY, public_url=LOCAL_PUBLIC_URL
        ),
        lambda: deactivate_channel(session, actor, channel_id),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
    assert [c.name for c in list_channels(session, actor)] == ["Tienda"]
    assert channel_health(session, actor, channel_id).messages_today == 0


def test_every_change_is_audited_without_secrets(session, team, sandbox) -> None:
    result = connect(session, team[Role.ADMIN], sandbox)
    channel_id = result.channel.id
    update_channel_settings(
        session, team[Role.ADMIN], channel_id, name="Tienda", greeting_message="Hola"
    )
    change_connection(
        session, team[Role.ADMIN], channel_id, api_key=KEY, public_url=LOCAL_PUBLIC_URL
    )
    deactivate_channel(session, team[Role.ADMIN], channel_id)
    entries = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.target == f"channel:{channel_id}")
            .order_by(AuditEntry.id)
        )
    )
    assert [(e.actor, e.action) for e in entries] == [
        ("admin1", "channel.connect"),
        ("admin1", "channel.settings"),
        ("admin1", "channel.change_connection"),
        ("admin1", "channel.deactivate"),
    ]
    assert entries[0].details["number"] == NUMBER
    assert entries[0].details["api_key_hint"] == "••••0001"
    everything = json.dumps([e.details for e in entries])
    assert KEY not in everything
    assert result.webhook_secret not in everything


# --- command line ---------------------------------------------------------------------------


def test_cli_adds_and_lists_channels(run_cli, sandbox) -> None:
    added = run_cli(
        "channels",
        "add",
        "--number",
        NUMBER,
        "--api-key",
        KEY,
        "--name",
        "Tienda",
        "--base-url",
        sandbox.base_url,
        "--public-url",
        LOCAL_PUBLIC_URL,
        "--json",
    )
    assert added.returncode == 0, added.stderr
    data = json.loads(added.stdout)
    assert set(data) == {
        "id",
        "name",
        "number",
        "phone_number_id",
        "webhook_url",
        "webhook_headers",
    }
    assert data["number"] == NUMBER and data["name"] == "Tienda"
    assert data["phone_number_id"] == sandbox_account(sandbox, KEY).phone_number_id
    assert data["webhook_url"] == f"{LOCAL_PUBLIC_URL}/webhooks/360dialog/{data['id']}"
    assert remote_webhook(sandbox) == {
        "url": data["webhook_url"],
        "headers": data["webhook_headers"],
    }
    assert list(data["webhook_headers"]) == [WEBHOOK_SECRET_HEADER]

    # the key from stdin, the public URL from PUBLIC_URL
    second = run_cli(
        "channels",
        "add",
        "--number",
        OTHER_NUMBER,
        "--api-key-stdin",
        "--base-url",
        sandbox.base_url,
        "--json",
        stdin=OTHER_KEY + "\n",
        PUBLIC_URL="http://localhost:8501/",
    )
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["webhook_url"].startswith("http://localhost:8501/webhooks/")

    listed = run_cli("channels", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(c["number"], c["api_key_hint"]) for c in json.loads(listed.stdout)] == [
        (OTHER_NUMBER, "••••0002"),
        (NUMBER, "••••0001"),
    ]
    assert KEY not in listed.stdout and OTHER_KEY not in listed.stdout
    assert data["webhook_headers"][WEBHOOK_SECRET_HEADER] not in listed.stdout
    text = run_cli("channels", "list")
    assert "Tienda" in text.stdout and KEY not in text.stdout


def test_cli_errors_are_one_line(cli, run_cli, sandbox) -> None:
    wrong = cli(
        "channels",
        "add",
        "--number",
        NUMBER,
        "--api-key",
        "wrong",
        "--base-url",
        sandbox.base_url,
        "--public-url",
        LOCAL_PUBLIC_URL,
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "error: 360Dialog did not accept this API key. Copy it again from the 360Dialog Hub "
        "(each number has its own) and try again."
    )
    no_public_url = run_cli(
        "channels", "add", "--number", NUMBER, "--api-key", KEY, "--base-url", sandbox.base_url
    )
    assert no_public_url.returncode == 1
    assert no_public_url.stderr.startswith("error: PUBLIC_URL is missing")
    assert len(no_public_url.stderr.strip().splitlines()) == 1
    assert json.loads(run_cli("channels", "list", "--json").stdout) == []


def test_sending_pace_is_an_admin_setting_within_whatsapps_tiers(session, team, engine) -> None:
    from core.errors import UserFacingError
    from tests.store_helpers import make_channel

    channel = make_channel(engine)
    admin = team[Role.ADMIN]
    updated = update_channel_settings(
        session, admin, channel.id, name="Ventas", greeting_message="", throughput_mps=1000
    )
    assert updated.throughput_mps == 1000
    with pytest.raises(UserFacingError, match="between 1 and 1000"):
        update_channel_settings(
            session, admin, channel.id, name="Ventas", greeting_message="", throughput_mps=5000
        )


def test_messages_today_is_counted_up_to_a_cap() -> None:

    capped = ChannelHealth(None, None, None, None, MESSAGES_TODAY_CAP + 1)
    assert capped.messages_today_text == "10,000+"
    assert ChannelHealth(None, None, None, None, 1234).messages_today_text == "1,234"
