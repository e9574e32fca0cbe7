"""Each answer 360Dialog and Meta give, produced by the sandbox over real HTTP, and what the
product does with it: the failure said in words, the contact opted out, the unsupported message
kept, the channel's error recorded, the price kept, the configuration call waited out.

Meta's error codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from core.channels.registry import client_for
from core.conversations import threads
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.d360.client import D360Client
from core.d360.errors import AuthenticationError, MarketingLimited, RateLimited, class_for_code
from core.db import session_scope
from core.failures import describe, describe_error
from core.i18n import t
from core.models import AuditEntry, Channel, Contact, Message, MessageStatus, Role
from core.outbox.queue import enqueue
from core.outbox.sender import Sender
from core.webhooks import processor
from tests.live import API_KEY, CUSTOMER, LiveChannel
from tests.waiting import wait_until

pytestmark = pytest.mark.sandbox(review_delay=0.05)
"""Templates here are approved through the control API; the sandbox's own review still runs, and
``idle`` waits for it (its default 5 s review would be pure waiting)."""


def _settle(engine: Any, live: LiveChannel, sender: Sender | None = None) -> None:
    def quiet() -> bool:
        if sender is not None:
            sender.run_once()
        live.control.idle()
        return processor.process_pending(engine) == 0

    wait_until(quiet, timeout=20, message="settling")


def _approve_marketing_template(live: LiveChannel, name: str = "promo") -> None:
    with D360Client(live.control.server.base_url, API_KEY) as client:
        client.create_template(
            {
                "name": name,
                "category": "MARKETING",
                "language": "es",
                "components": [{"type": "BODY", "text": "Ofertas de hoy"}],
            }
        )
    path = f"/accounts/{live.control.number}/templates/{name}/status"
    live.control.call("POST", path, {"status": "APPROVED"})


def _queue(engine: Any, live: LiveChannel, message_type: str, body: dict[str, Any]) -> int:
    with session_scope(engine) as session:
        channel = session.get(Channel, live.channel_id)
        assert channel is not None
        contact, _ = find_or_create_contact(session, channel, CUSTOMER)
        conversation = find_or_create_conversation(session, channel, contact)
        message = enqueue(
            session, channel, conversation, message_type=message_type, body=body, text="…"
        )
        assert message.id is not None
        return message.id


def _customer(live: LiveChannel, **flags: bool) -> None:
    path = f"/accounts/{live.control.number}/customers/{CUSTOMER}"
    live.control.call("PATCH", path, flags)


def _failed(engine: Any, live: LiveChannel, message_id: int) -> Message:
    sender = Sender(engine, client_for)
    wait_until(
        lambda: (
            (_settle(engine, live, sender), _row(engine, message_id).status)[1]
            == MessageStatus.FAILED
        ),
        timeout=20,
        message="the failed status",
    )
    return _row(engine, message_id)


def _row(engine: Any, message_id: int) -> Message:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def _said(message: Message, code: int) -> None:
    """The stored failure is said with the words written for its code, in both languages."""
    assert message.error_code == code
    for language in ("es", "en"):
        assert describe(message.error_code, message.error_title, language) == t(
            f"d360.error.{code}", language
        )


def test_131050_fails_the_marketing_template_and_opts_the_contact_out(engine, live) -> None:
    _approve_marketing_template(live)
    _customer(live, stopped_marketing=True)
    message_id = _queue(engine, live, "template", {"name": "promo", "language": {"code": "es"}})
    _said(_failed(engine, live, message_id), 131050)
    with Session(engine) as session:
        contact = session.exec(select(Contact)).one()
        assert contact.opted_out and contact.opted_out_at is not None
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "contact.opt_out")).one()
        assert entry.target == CUSTOMER and entry.details == {"reason": "stopped_marketing"}


def test_131049_fails_in_words_and_is_not_retried_before_a_day(engine, live) -> None:
    _approve_marketing_template(live)
    _customer(live, marketing_limited=True)
    message_id = _queue(engine, live, "template", {"name": "promo", "language": {"code": "es"}})
    failed = _failed(engine, live, message_id)
    _said(failed, 131049)
    family = class_for_code(failed.error_code)
    assert family is MarketingLimited
    error = family(failed.error_title or "", code=failed.error_code)
    assert error.is_transient and error.retry_after == 24 * 3600
    with Session(engine) as session:
        contact = session.exec(select(Contact)).one()
        assert not contact.opted_out  # held back for now, not refused for good
    assert len(live.control.sent()) == 1  # sent once; nothing tried it again


@pytest.mark.parametrize(
    ("answer", "code"),
    [({"status": 404}, 131014), ({"content_type": "text/html"}, 131053)],
    ids=["link_answers_404", "link_serves_a_web_page"],
)
def test_a_media_link_whatsapp_cannot_use_fails_in_words(engine, live, answer, code) -> None:
    url = "https://files.example.com/catalogo.jpg"
    live.control.call("PUT", "/web", {"url": url, **answer})
    live.control.customer_writes(type="text", text="¿Catálogo?")
    _settle(engine, live)
    message_id = _queue(engine, live, "image", {"link": url})
    failed = _failed(engine, live, message_id)
    _said(failed, code)
    assert failed.error_title  # WhatsApp's own title, kept beside the code


def test_132012_is_refused_at_send_and_said_in_words(engine, live) -> None:
    with D360Client(live.control.server.base_url, API_KEY) as client:
        client.create_template(
            {
                "name": "numbered",
                "category": "UTILITY",
                "language": "es",
                "components": [
                    {"type": "BODY", "text": "Hola {{1}}", "example": {"body_text": [["Ana"]]}}
                ],
            }
        )
    live.control.call(
        "POST", f"/accounts/{live.control.number}/templates/numbered/status", {"status": "APPROVED"}
    )
    named = {"type": "text", "parameter_name": "nombre", "text": "Ana"}
    message_id = _queue(
        engine,
        live,
        "template",
        {
            "name": "numbered",
            "language": {"code": "es"},
            "components": [{"type": "body", "parameters": [named]}],
        },
    )
    _said(_failed(engine, live, message_id), 132012)


def test_131051_an_unsupported_message_is_kept_and_shown_as_such(engine, team, live) -> None:
    live.control.customer_writes(type="unsupported")
    _settle(engine, live)
    with Session(engine) as session:
        stored = session.exec(select(Message)).one()
        thread = threads.get_thread(session, team[Role.AGENT], stored.conversation_id)
    assert (stored.direction, stored.type, stored.status) == ("in", "unsupported", "received")
    _said(stored, 131051)
    assert [item.message.type for item in thread.messages] == ["unsupported"]


def test_a_value_level_error_is_the_channels_last_error(engine, live) -> None:
    live.control.call("POST", f"/accounts/{live.control.number}/errors", {"code": 130429})
    _settle(engine, live)
    with Session(engine) as session:
        channel = session.get(Channel, live.channel_id)
    assert channel.last_error_code == 130429 and channel.last_error == "Rate limit hit"
    assert describe(channel.last_error_code, channel.last_error, "en") == t(
        "d360.error.130429", "en"
    )


def test_per_message_pricing_is_kept_with_its_category_and_type(engine, live) -> None:
    live.control.call("PATCH", f"/accounts/{live.control.number}", {"pricing_model": "PMP"})
    live.control.customer_writes(type="text", text="hola")
    _settle(engine, live)
    message_id = _queue(engine, live, "text", {"body": "¡Hola!"})
    sender = Sender(engine, client_for)
    wait_until(
        lambda: (
            (_settle(engine, live, sender), _row(engine, message_id).status)[1]
            == MessageStatus.READ
        ),
        timeout=20,
        message="the read status",
    )
    message = _row(engine, message_id)
    assert message.content == {
        "text": {"body": "¡Hola!"},
        "pricing": {
            "model": "PMP",
            "category": "service",
            "type": "free_customer_service",
            "billable": False,
        },
    }


def test_the_usage_limit_on_configuration_calls_is_waited_out(live, monkeypatch) -> None:
    live.control.call(
        "PATCH", f"/accounts/{live.control.number}", {"config_calls_every_seconds": 2}
    )
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        live.control.advance_clock(seconds)

    monkeypatch.setattr(D360Client, "_sleep", staticmethod(sleep))
    with D360Client(live.control.server.base_url, API_KEY) as client:
        client.get_webhook()
        assert client.list_templates().templates is not None
    assert waited == [2.0]


def test_a_long_usage_limit_says_when_to_try_again(live) -> None:
    live.control.call(
        "PATCH", f"/accounts/{live.control.number}", {"config_calls_every_seconds": 60}
    )
    with D360Client(live.control.server.base_url, API_KEY) as client:
        client.get_webhook()
        with pytest.raises(RateLimited) as refused:
            client.get_webhook()
    assert refused.value.retry_after == 60
    assert describe_error(refused.value, "en") == t("d360.error.usage_limit", "en", seconds="60")
    assert "60" in describe_error(refused.value, "es")


def test_a_gateway_error_sentence_becomes_a_clear_error(engine, live) -> None:
    live.control.call(
        "PUT", "/gateway", {"refuse_next": [{"status": 401, "error": "Invalid api key"}]}
    )
    with Session(engine) as session:
        channel = session.get(Channel, live.channel_id)
    with client_for(channel) as client, pytest.raises(AuthenticationError) as refused:
        client.get_webhook()
    assert describe_error(refused.value, "en") == t("d360.error.kind.authentication", "en")
