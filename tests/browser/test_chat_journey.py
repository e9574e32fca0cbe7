"""Issue 4's journey in chromium: log in → connect a channel → a customer writes → an agent
answers → ticks. The server is the real process; 360Dialog is the sandbox, over real HTTP."""

import httpx
import pytest
from playwright.sync_api import expect

from core.sandbox import Account, SandboxConfig, SandboxServer

pytestmark = pytest.mark.browser

API_KEY = "journey-key-0001"
NUMBER = "+34600222333"


@pytest.fixture
def sandbox():
    config = SandboxConfig(
        accounts=[Account(API_KEY, NUMBER)], status_delays=(0.3, 0.8, 1.5), webhook_retry_base=0.2
    )
    with SandboxServer(config) as server:
        yield server


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username", exact=True).fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_connect_receive_answer_and_see_ticks(live_server, browser_page, sandbox) -> None:
    live_server.cli(
        "users",
        "add",
        "--username",
        "ana",
        "--role",
        "admin",
        "--password-stdin",
        stdin="ana-password-1\n",
    )
    live_server.cli(
        "users",
        "add",
        "--username",
        "leo",
        "--role",
        "agent",
        "--password-stdin",
        stdin="leo-password-1\n",
    )

    admin = browser_page()
    log_in(admin, live_server.url, "ana", "ana-password-1")
    admin.get_by_role("link", name="Channels").first.click()
    admin.get_by_role("textbox", name="WhatsApp number", exact=True).fill(NUMBER)
    admin.get_by_role("textbox", name="API key", exact=True).fill(API_KEY)
    admin.get_by_role("textbox", name="Channel name", exact=True).fill("Tienda")
    admin.get_by_text("Advanced").click()
    admin.get_by_role("textbox", name="360Dialog base URL", exact=True).fill(sandbox.base_url)
    admin.get_by_role("button", name="Done").click()
    expect(admin.get_by_text("Tienda (+34600222333)").first).to_be_visible()

    customer = f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/customers/5491155556666/messages"
    httpx.post(
        customer, json={"name": "Marta", "type": "text", "text": "¿Abren el domingo?"}
    ).raise_for_status()

    agent = browser_page()
    log_in(agent, live_server.url, "leo", "leo-password-1")
    agent.get_by_role("link", name="Conversations").first.click()
    expect(agent.get_by_text("¿Abren el domingo?").first).to_be_visible(timeout=20_000)
    agent.locator("[class*='st-key-viewer_open_'] button").first.click()
    agent.get_by_placeholder("Write a reply").fill("Sí, de 10 a 14 h.")
    agent.get_by_placeholder("Write a reply").press("Enter")
    expect(agent.get_by_text("Sí, de 10 a 14 h.").first).to_be_visible(timeout=20_000)
    expect(agent.get_by_text("✓✓").first).to_be_visible(timeout=20_000)

    sent = httpx.get(f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/sent").json()
    assert [m["payload"]["text"]["body"] for m in sent] == ["Sí, de 10 a 14 h."]
