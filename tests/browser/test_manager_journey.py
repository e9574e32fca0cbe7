"""A manager's morning in chromium: after a day of real messages through the sandbox (a customer
writes, an agent answers and resolves, a template goes out), the overview's figures, the Reports
page's charts and each number's health; then WhatsApp limits the number and a "check now" on the
Channels page shows the warning, which the manager's overview shows too."""

import json

import httpx
import pytest
from playwright.sync_api import expect

from core.i18n import t
from core.sandbox import Account, SandboxConfig, SandboxServer
from core.sandbox.engine import HELLO_WORLD
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

API_KEY = "manager-key-0001"
NUMBER = "+34600444555"
CUSTOMER = "5491155557777"
STEP = 20_000  # ms: how long a page may take to show a change on a busy test machine


@pytest.fixture
def sandbox():
    config = SandboxConfig(
        accounts=[Account(API_KEY, NUMBER, sample_templates=[HELLO_WORLD])],
        status_delays=(0.1, 0.2, 0.3),
        webhook_retry_base=0.2,
    )
    with SandboxServer(config) as server:
        yield server


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username", exact=True).fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def add_user(live_server, username: str, role: str) -> None:
    live_server.cli(
        "users",
        "add",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
        stdin=f"{username}-password-1\n",
    )


def metric(page, label: str):  # type: ignore[no-untyped-def]
    """The value of one ``st.metric``, found by its label."""
    return (
        page.locator("[data-testid='stMetric']")
        .filter(has=page.get_by_text(label, exact=True))
        .locator("[data-testid='stMetricValue']")
    )


def a_day_of_messages(live_server, sandbox) -> None:
    """The customer writes, the agent answers and resolves, a template goes out: through the
    sandbox's webhooks and the product's own command line, as a day at work would."""
    httpx.post(
        f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/customers/{CUSTOMER}/messages",
        json={"name": "Marta", "type": "text", "text": "¿Tienen talla 38?"},
    ).raise_for_status()

    def conversation_id() -> int | None:
        rows = json.loads(live_server.cli("conversations", "list", "--json").stdout)
        return rows[0]["id"] if rows else None

    conversation = str(
        wait_until(conversation_id, timeout=20, message="the customer's message stored")
    )
    live_server.cli(
        "conversations", "reply", conversation, "--text", "Sí, la tenemos.", "--as", "leo"
    )
    live_server.cli("templates", "sync", "--channel", "1")
    live_server.cli(
        "templates",
        "send",
        "--channel",
        "1",
        "--to",
        CUSTOMER,
        "--template",
        "hello_world",
        "--language",
        "en_US",
    )
    live_server.cli("conversations", "status", conversation, "resolved", "--as", "leo")


def test_a_manager_reads_the_day_and_sees_the_number_limited(
    live_server, browser_page, sandbox
) -> None:
    live_server.cli(
        "channels",
        "add",
        "--number",
        NUMBER,
        "--name",
        "Tienda",
        "--base-url",
        sandbox.base_url,
        "--api-key-stdin",
        stdin=f"{API_KEY}\n",
    )
    for username, role in (("ana", "admin"), ("mia", "manager"), ("leo", "agent")):
        add_user(live_server, username, role)
    a_day_of_messages(live_server, sandbox)

    manager = browser_page()
    log_in(manager, live_server.url, "mia", "mia-password-1")
    expect(metric(manager, "Messages received")).to_have_text("1", timeout=STEP)
    expect(metric(manager, "Messages sent")).to_have_text("2")  # the answer, the template
    expect(metric(manager, "Conversations opened")).to_have_text("1")
    expect(metric(manager, "Conversations resolved")).to_have_text("1")
    expect(metric(manager, "Resolution (median)")).not_to_have_text("–")
    expect(manager.get_by_text("Number health", exact=True)).to_be_visible()
    expect(manager.get_by_text("Tienda (+34600444555)").first).to_be_visible()
    expect(metric(manager, "Can send")).to_have_text("Yes", timeout=STEP)

    manager.get_by_role("link", name="Reports").first.click()
    charts = manager.locator(".vega-embed canvas, .vega-embed svg")
    expect(charts.first).to_be_visible(timeout=STEP)
    assert charts.count() >= 2  # the heatmap and the response trend
    expect(manager.locator("[data-testid='stDataFrame']")).to_be_visible()  # the team

    # WhatsApp limits the number (360Dialog's health_status,
    # https://docs.360dialog.com/docs/messaging/health-status)
    httpx.put(
        f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/health/BUSINESS",
        json={
            "can_send_message": "LIMITED",
            "errors": [
                {
                    "error_code": 141010,
                    "error_description": "The Business has not passed business verification.",
                }
            ],
        },
    ).raise_for_status()
    admin = browser_page()
    log_in(admin, live_server.url, "ana", "ana-password-1")
    admin.get_by_role("link", name="Channels").first.click()
    admin.get_by_role("button", name=t("number_health.check_now", "en")).first.click()
    limited = t("channels.health.limited", "en").split("**")[1]
    expect(admin.get_by_text(limited).first).to_be_visible(timeout=STEP)
    expect(admin.get_by_text("business verification").first).to_be_visible()

    manager.goto(live_server.url)
    expect(manager.get_by_text(limited).first).to_be_visible(timeout=STEP)
