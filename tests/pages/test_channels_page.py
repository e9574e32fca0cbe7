"""The Channels page as an admin uses it, against a real sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import config, db
from core.i18n import set_language, t
from core.models import Channel, Role, utcnow
from core.sandbox import SandboxConfig, SandboxServer
from tests.pages.conftest import texts
from tests.test_channels import (
    KEY,
    LOCAL_PUBLIC_URL,
    NUMBER,
    OTHER_KEY,
    OTHER_NUMBER,
    remote_webhook,
    sandbox_accounts,
)

PAGE = "pages/channels.py"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(accounts=sandbox_accounts())) as server:
        yield server


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch, app_settings) -> str:
    monkeypatch.setenv("PUBLIC_URL", LOCAL_PUBLIC_URL)
    config.get_settings.cache_clear()
    return LOCAL_PUBLIC_URL


def fill_add_form(at: AppTest, server: SandboxServer, number: str, key: str, name: str) -> None:
    at.text_input(key="add_number").input(number)
    at.text_input(key="add_api_key").input(key)
    at.text_input(key="add_name").input(name)
    at.text_input(key="add_base_url").input(server.base_url)


def press(at: AppTest, label: str) -> None:
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert not at.exception, at.exception


def test_admin_connects_a_channel_and_sees_it_listed(run_page, roles, sandbox, public_url) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    assert "No channel is connected yet." in texts(at)
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    shown = texts(at)
    assert "Channel Tienda connected. From now on every message sent to +34600000001" in shown
    webhook = remote_webhook(sandbox)["url"]
    assert webhook.startswith(LOCAL_PUBLIC_URL + "/webhooks/360dialog/")
    assert webhook in shown
    table = at.dataframe[0].value
    assert table["Channel name"].tolist() == ["Tienda"]
    assert table["API key"].tolist() == ["••••0001"]
    assert table["Webhook URL"].tolist() == [webhook]
    assert table["Messages today"].tolist() == ["0"]
    assert "Last webhook received: **never** · Last error: **none** · Messages today: **0**" in (
        shown
    )
    assert KEY not in shown and KEY not in table.to_string()


def test_a_wrong_key_shows_the_words(run_page, roles, sandbox, public_url, engine) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    fill_add_form(at, sandbox, NUMBER, "not-the-key", "Tienda")
    press(at, "Done")
    assert "360Dialog did not accept this API key." in texts(at)
    with db.session_scope(engine) as session:
        assert session.exec(select(Channel)).all() == []


def test_missing_public_url_is_explained(run_page, roles, sandbox, monkeypatch) -> None:
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    config.get_settings.cache_clear()
    at = run_page(PAGE, roles[Role.ADMIN])
    assert any("PUBLIC_URL is not set" in warning.value for warning in at.warning)
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    assert "PUBLIC_URL is missing" in texts(at)


def test_admin_sets_the_greeting_and_changes_the_key(
    run_page, roles, sandbox, public_url, engine
) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    with db.session_scope(engine) as session:
        channel = session.exec(select(Channel)).one()
    assert "once per contact" in texts(at)

    at.text_area(key=f"settings_greeting_{channel.id}").input("¡Hola! Te respondemos enseguida.")
    press(at, "Save")
    assert "Settings of channel Tienda saved." in texts(at)

    warning = " ".join(w.value for w in at.warning)
    assert "Changing the number or the API key can stop messages from arriving" in warning
    at.text_input(key=f"change_number_{channel.id}").input(OTHER_NUMBER)
    at.text_input(key=f"change_api_key_{channel.id}").input("revoked")
    press(at, "Change and verify")
    assert "Nothing was changed and the previous connection is still active." in texts(at)

    at.text_input(key=f"change_api_key_{channel.id}").input(OTHER_KEY)
    press(at, "Change and verify")
    shown = texts(at)
    assert "Number changed from +34600000001 to +34600000002." in shown
    assert "API key replaced (now ••••0002)." in shown
    assert "registered again with a new secret and 360Dialog confirmed it" in shown
    assert at.dataframe[0].value["API key"].tolist() == ["••••0002"]
    assert remote_webhook(sandbox, OTHER_KEY)["url"] == channel.webhook_url
    with db.session_scope(engine) as session:
        saved = session.get(Channel, channel.id)
        assert saved.greeting_message == "¡Hola! Te respondemos enseguida."
        assert saved.number == OTHER_NUMBER


def test_an_agent_is_refused(run_page, roles) -> None:
    at = run_page(PAGE, roles[Role.AGENT])
    assert "Your role (Agent) cannot open this page." in texts(at)
    assert not at.text_input


def test_spanish_labels(run_page, roles, sandbox, public_url) -> None:
    at = run_page(PAGE, roles[Role.ADMIN], language="es")
    assert at.title[0].value == "Canales de WhatsApp"
    assert at.subheader[0].value == "Añadir canal → WhatsApp → 360Dialog"
    labels = [field.label for field in at.text_input]
    assert labels[:4] == [
        "Número de WhatsApp",
        "API key",
        "Nombre del canal",
        "URL base de 360Dialog",
    ]
    assert [button.label for button in at.button] == ["Listo"]
    fill_add_form(at, sandbox, NUMBER, "clave-mala", "Tienda")
    press(at, "Listo")
    assert "360Dialog no aceptó esta API key." in texts(at)
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Listo")
    shown = texts(at)
    assert "Canal Tienda conectado." in shown
    assert "Mensajes hoy: **0**" in shown
    assert "una sola vez por contacto" in shown


def test_a_webhooks_error_is_said_in_spanish(run_page, roles, sandbox, public_url, engine) -> None:
    at = run_page(PAGE, roles[Role.ADMIN], language="es")
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Listo")
    with db.session_scope(engine) as session:
        channel = session.exec(select(Channel)).one()
        channel.last_error, channel.last_error_code = "Re-engagement message", 131047
        channel.last_error_at = utcnow()
    at.run()
    shown = texts(at)
    assert t("d360.error.131047", "es") in shown
    assert "Re-engagement message" not in shown


def test_a_limited_number_is_a_warning_with_whatsapps_reasons(
    run_page, roles, sandbox, public_url
) -> None:
    """A LIMITED ``health_status`` (https://docs.360dialog.com/docs/messaging/health-status), with
    the reason of Meta's OpenAPI example, in Meta's own words under our warning."""
    description = "The Business has not passed business verification."
    httpx.put(
        f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER}/health/BUSINESS",
        json={
            "can_send_message": "LIMITED",
            "errors": [{"error_code": 141010, "error_description": description}],
        },
    ).raise_for_status()
    at = run_page(PAGE, roles[Role.ADMIN], language="es")
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Listo")
    (warning,) = [w.value for w in at.warning if "WhatsApp" in w.value]
    assert warning.startswith(t("channels.health.limited", "es"))
    assert f"Empresa: {description}" in warning


def test_admin_deactivates_a_channel_after_confirming(
    run_page, roles, sandbox, public_url, engine
) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    fill_add_form(at, sandbox, OTHER_NUMBER, OTHER_KEY, "Oficina")
    press(at, "Done")
    assert at.dataframe[0].value["Channel name"].tolist() == ["Oficina", "Tienda"]
    with db.session_scope(engine) as session:
        tienda = session.exec(select(Channel).where(Channel.name == "Tienda")).one()

    def submit_deactivation() -> None:
        form = f"deactivate_{tienda.id}"
        next(button for button in at.button if button.proto.form_id == form).click()
        at.run()

    submit_deactivation()
    assert "Tick the box to confirm." in texts(at)
    at.checkbox(key=f"deactivate_sure_{tienda.id}").check()
    submit_deactivation()
    assert "Channel Tienda deactivated." in texts(at)
    assert at.dataframe[0].value["Channel name"].tolist() == ["Oficina"]


def test_number_health_card_warns_when_quality_drops_after_check_now(
    run_page, roles, sandbox, public_url
) -> None:
    """The shared number health card: figures in words, a check on demand, the warning and the
    history of changes."""
    at = run_page(PAGE, roles[Role.ADMIN])
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == {
        "Can send": "Yes",
        "Quality rating": "High (green)",
        "Messaging limit (business)": "250 customers a day",
        "Display name": "Approved",
    }
    httpx.patch(
        f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER}/standing",
        json={"quality_rating": "RED"},
    ).raise_for_status()
    press(at, "Check with WhatsApp now")
    warning = " ".join(w.value for w in at.warning)
    assert t("number_health.warning", "en") in warning
    assert t("number_health.aspect.quality_rating", "en") in warning
    assert {metric.label: metric.value for metric in at.metric}["Quality rating"] == "Low (red)"
    history = next(frame.value for frame in at.dataframe if "Got worse" in frame.value.columns)
    assert history["Got worse"].tolist() == ["quality", ""]


def test_admin_edits_the_business_profile_and_sees_metas_refusal(
    run_page, roles, sandbox, public_url
) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    fill_add_form(at, sandbox, NUMBER, KEY, "Tienda")
    press(at, "Done")
    channel_id = 1
    at.toggle(key=f"profile_open_{channel_id}").set_value(True).run()
    at.text_input(key=f"profile_{channel_id}_about").input("Abiertos de 9 a 21")
    set_language("en")  # AppTest words the chosen option in the test's language, as the page did
    at.selectbox(key=f"profile_{channel_id}_vertical").set_value("RETAIL")
    press(at, "Save profile")
    assert "Business profile saved on WhatsApp." in texts(at)
    assert at.text_input(key=f"profile_{channel_id}_about").value == "Abiertos de 9 a 21"
    at.text_input(key=f"profile_{channel_id}_email").input("no-es-un-correo")
    press(at, "Save profile")
    (refusal,) = [e.value for e in at.error]
    assert refusal.startswith("WhatsApp did not accept the profile.")
    assert "Param email must be a valid email address." in refusal
