"""The team inbox in chromium: an agent takes an unassigned conversation, answers with a canned
reply typed as ``/shortcut``, adds a private note and a label, resolves it; the customer writes
again and it reopens, still the agent's; after a reload everything is still there. The server is
the real process; 360Dialog is the sandbox, over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlmodel import Session

from core.access.auth import CLI_ACTOR
from core.conversations import labels
from tests.browser.steps import (
    LIVE,
    add_channel,
    add_user,
    chat_sandbox,
    customer_writes,
    log_in,
    settled,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

API_KEY = "inbox-journey-key-01"
NUMBER = "+34600444555"
CUSTOMER = "5491166667777"


@pytest.fixture
def sandbox():
    with chat_sandbox(API_KEY, NUMBER) as server:
        yield server


def marta_writes(sandbox, text: str) -> None:
    customer_writes(sandbox, NUMBER, CUSTOMER, text)


def sent_texts(sandbox) -> list[str]:
    """The texts 360Dialog (the sandbox) has received from the number so far."""
    sent = httpx.get(f"{sandbox.base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/sent").json()
    return [message["payload"]["text"]["body"] for message in sent]


def set_up_the_team(live_server, sandbox) -> None:
    """The operator connects the channel, adds the agent and a canned reply (the CLI), and a
    label (core, on the server's store: labels have no command of their own)."""
    add_channel(live_server, sandbox, NUMBER, API_KEY)
    add_user(live_server, "leo", "agent", "leo-password-1")
    live_server.cli(
        "canned", "add", "--shortcut", "talles", "--text", "Hola {{name}}, tenemos del 35 al 42."
    )
    engine = create_engine(live_server.env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            labels.create_label(session, CLI_ACTOR, "Mayorista")
            session.commit()
    finally:
        engine.dispose()


def row(page):  # type: ignore[no-untyped-def]
    """Marta's row in the inbox (the only conversation)."""
    return page.locator("[class*='st-key-viewer_open_'] button").filter(has_text="Marta")


def part(page, key: str):  # type: ignore[no-untyped-def]
    """The live (not stale) widget whose Streamlit key starts with ``key``."""
    return page.locator(f"[class*='st-key-{key}'][data-stale='false']")


def pick(page, key: str, option: str) -> None:
    """Choose ``option`` in the select (or multiselect) whose key starts with ``key``, typed as
    a person filters the list, then closing it (a multiselect sends its choice on closing)."""
    part(page, key).get_by_role("combobox").click()
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settled(page)


def press(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    settled(page)


def test_an_agent_takes_answers_notes_labels_resolves_and_it_reopens_as_theirs(
    live_server, browser_page, sandbox
) -> None:
    set_up_the_team(live_server, sandbox)
    marta_writes(sandbox, "¿Qué talles tienen?")
    agent = browser_page()
    agent.set_viewport_size({"width": 1280, "height": 1000})
    log_in(agent, live_server.url, "leo", "leo-password-1")
    agent.get_by_role("link", name="Conversations").first.click()
    expect(row(agent)).to_be_visible(timeout=LIVE)
    expect(agent.get_by_text("Unassigned · 1")).to_be_visible()

    # take it
    row(agent).click()
    settled(agent)
    press(agent, "Assign to me")
    expect(agent.get_by_text("The conversation is yours.")).to_be_visible()
    expect(agent.get_by_text("Mine · 1")).to_be_visible()

    # /talles becomes the canned reply, filled for Marta; Enter again sends it
    composer = agent.get_by_placeholder("Write a reply")
    composer.fill("/talles")
    composer.press("Enter")
    settled(agent)
    expect(composer).to_have_value("Hola Marta, tenemos del 35 al 42.")
    composer.press("Enter")
    ours = agent.locator("[class*='st-key-chat_team_']").filter(has_text="tenemos del 35 al 42")
    expect(ours).to_be_visible(timeout=LIVE)
    # the tab shows the reply once it is queued; the worker sends it to 360Dialog right after
    sent = wait_until(lambda: sent_texts(sandbox), timeout=LIVE / 1000, message="the reply sent")
    assert sent == ["Hola Marta, tenemos del 35 al 42."]

    # a private note, in the thread, on neither side
    agent.get_by_text("Write a private note").click()
    part(agent, "note_text_").locator("textarea").fill("Compra para su tienda")
    press(agent, "Add note")
    expect(agent.get_by_text("Note added.")).to_be_visible()
    note = agent.locator("[class*='st-key-private_note_']")
    expect(note).to_contain_text("Compra para su tienda")
    expect(note).to_contain_text("Private note · leo")

    # a label, then resolved
    expect(ours).to_contain_text("read", timeout=LIVE)  # the ticks done: no rerun under the menus
    settled(agent)
    pick(agent, "labels_", "Mayorista")
    press(agent, "Save labels")
    expect(row(agent)).to_contain_text("Mayorista")
    pick(agent, "status_", "resolved")
    press(agent, "Save status")
    expect(agent.get_by_text("Status: resolved")).to_be_visible()
    expect(row(agent)).to_contain_text("resolved")

    # the customer writes again: open again, still leo's, without a reload
    marta_writes(sandbox, "¿Y el 43?")
    expect(
        agent.locator("[class*='st-key-chat_customer_']").filter(has_text="¿Y el 43?")
    ).to_be_visible(timeout=LIVE)
    expect(agent.get_by_text("Status: open")).to_be_visible(timeout=LIVE)
    expect(agent.get_by_text("Assigned to: leo")).to_be_visible()
    expect(row(agent)).not_to_contain_text("resolved")

    # a reload: the list and the thread come back from the store as they were left
    agent.reload()
    expect(row(agent)).to_contain_text("leo", timeout=LIVE)
    expect(row(agent)).to_contain_text("Mayorista")
    row(agent).click()
    settled(agent)
    expect(agent.get_by_text("Assigned to: leo")).to_be_visible()
    expect(agent.get_by_text("Status: open")).to_be_visible()
    expect(note).to_contain_text("Compra para su tienda")
    expect(ours).to_be_visible()
