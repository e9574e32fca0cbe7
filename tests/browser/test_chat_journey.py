"""Issue 4's journey in chromium: log in → connect a channel → a customer writes → an agent
answers → ticks. The server is the real process; 360Dialog is the sandbox, over real HTTP."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import LIVE, add_channel, add_user, chat_sandbox, customer_writes, log_in

pytestmark = pytest.mark.browser

API_KEY = "journey-key-0001"
NUMBER = "+34600222333"


@pytest.fixture
def sandbox():
    with chat_sandbox(API_KEY, NUMBER) as server:
        yield server


def test_connect_receive_answer_and_see_ticks(live_server, browser_page, sandbox) -> None:
    add_user(live_server, "ana", "admin", "ana-password-1")
    add_user(live_server, "leo", "agent", "leo-password-1")

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

    customer_writes(sandbox, NUMBER, "5491155556666", "¿Abren el domingo?")

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


def rows(page):  # type: ignore[no-untyped-def]
    """The inbox's rows: each is one button (key ``viewer_open_<id>``)."""
    return page.locator("[class*='st-key-viewer_open_'] button")


def row_of(page, name: str):  # type: ignore[no-untyped-def]
    return rows(page).filter(has_text=name)


def test_the_inbox_is_compact_and_follows_new_messages_live(
    live_server, browser_page, sandbox
) -> None:
    add_channel(live_server, sandbox, NUMBER, API_KEY)
    add_user(live_server, "leo", "agent", "leo-password-1")

    def client_writes(index: int, text: str) -> None:
        customer_writes(sandbox, NUMBER, f"3461100{index:04d}", text, f"Cliente {index}")

    for index in range(1, 13):
        client_writes(index, f"Hola desde el cliente {index}")
    agent = browser_page()
    agent.set_viewport_size({"width": 1280, "height": 1000})
    log_in(agent, live_server.url, "leo", "leo-password-1")
    agent.get_by_role("link", name="Conversations").first.click()
    expect(rows(agent)).to_have_count(12, timeout=20_000)

    # at least ten rows fit a 1,000-pixel-high window without scrolling
    boxes = [rows(agent).nth(index).bounding_box() for index in range(12)]
    assert (
        sum(1 for box in boxes if box and box["y"] >= 0 and box["y"] + box["height"] <= 1000) >= 10
    )

    # the whole row opens the conversation, and is highlighted while it is open
    row_of(agent, "Cliente 5").click()
    expect(agent.get_by_text("Hola desde el cliente 5", exact=True).first).to_be_visible()
    selected = "[class*='st-key-viewer_open_'] [data-testid='stBaseButton-primary']"
    expect(agent.locator(selected)).to_have_text(re.compile("Cliente 5"))

    # customers' messages on the left, ours on the right
    agent.get_by_placeholder("Write a reply").fill("Te ayudo ahora")
    agent.get_by_placeholder("Write a reply").press("Enter")
    ours = agent.locator("[class*='st-key-chat_team_']").filter(has_text="Te ayudo ahora")
    theirs = agent.locator("[class*='st-key-chat_customer_']").filter(has_text="cliente 5")
    expect(ours).to_be_visible()
    expect(theirs).to_be_visible()
    mine, customer = ours.bounding_box(), theirs.bounding_box()
    assert customer["x"] < mine["x"]
    assert customer["x"] + customer["width"] < mine["x"] + mine["width"]

    # the ticks move by themselves, up to read (WhatsApp's time for the next message is later)
    expect(ours).to_contain_text("✓✓ read", timeout=LIVE)

    # another customer writes: the list reorders by itself, the open conversation stays selected
    client_writes(2, "Otra pregunta")
    expect(rows(agent).first).to_contain_text("Cliente 2", timeout=LIVE)
    expect(rows(agent).first).to_contain_text("Otra pregunta")
    expect(agent.locator(selected)).to_have_text(re.compile("Cliente 5"))

    # the open conversation's customer writes: the thread and its row show it, no reload
    client_writes(5, "¿Siguen ahí?")
    expect(
        agent.locator("[class*='st-key-chat_customer_']").filter(has_text="¿Siguen ahí?")
    ).to_be_visible(timeout=LIVE)
    expect(rows(agent).first).to_contain_text("Cliente 5")
    expect(agent.locator(selected)).to_contain_text("¿Siguen ahí?")
