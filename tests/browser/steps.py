"""Steps the browser journeys share: an operator sets up members and a channel with the CLI, a
customer writes through the sandbox, a person logs in, and a page waits for its script run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.sync_api import Page, expect

from core.sandbox import Account, SandboxConfig, SandboxServer

STEP = 15_000  # ms: a page switch or a rerun that talks to the sandbox
LIVE = 20_000  # ms: how long a change may take to show in an open tab on a busy test machine


@contextmanager
def chat_sandbox(api_key: str, number: str) -> Iterator[SandboxServer]:
    """360Dialog for one number whose messages tick to read within seconds, as on a phone."""
    config = SandboxConfig(
        accounts=[Account(api_key, number)], status_delays=(0.3, 0.8, 1.5), webhook_retry_base=0.2
    )
    with SandboxServer(config) as server:
        yield server


def add_user(live_server, username: str, role: str, password: str, *extra: str) -> None:  # type: ignore[no-untyped-def]
    """A team member added by the operator, the password typed on stdin as a person would."""
    live_server.cli(
        "users", "add", "--username", username, "--role", role, *extra, "--password-stdin",
        stdin=f"{password}\n",
    )  # fmt: skip


def add_channel(live_server, sandbox, number: str, api_key: str, name: str = "Tienda") -> None:  # type: ignore[no-untyped-def]
    """The number connected by the operator, against the sandbox standing in for 360Dialog."""
    live_server.cli(
        "channels", "add", "--number", number, "--name", name, "--base-url", sandbox.base_url,
        "--api-key-stdin", stdin=f"{api_key}\n",
    )  # fmt: skip


def customer_writes(sandbox, number: str, customer: str, text: str, name: str = "Marta") -> None:  # type: ignore[no-untyped-def]
    """A customer's text to ``number``, sent by the sandbox as WhatsApp would (a webhook)."""
    httpx.post(
        f"{sandbox.base_url}/sandbox/api/accounts/{number.lstrip('+')}/customers/{customer}/messages",
        json={"name": name, "type": "text", "text": text},
    ).raise_for_status()


def log_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username", exact=True).fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def settled(page: Page) -> None:
    """Until the script run the last action started is over. Until then Streamlit keeps stale
    copies of widgets whose place moved (``data-stale``): filling or clicking one is lost."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=STEP)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=STEP)


def open_menu_page(page: Page, name: str) -> None:
    """Follow the sidebar's link to a page, as a user does: an admin's menu is long enough that
    Streamlit folds its end behind a "View more" button."""
    nav = page.get_by_test_id("stSidebarNav")
    link = nav.get_by_role("link", name=name)
    more = nav.get_by_test_id("stSidebarNavViewButton")
    nav.get_by_role("link").first.wait_for()  # the menu is drawn
    if not link.is_visible() and more.is_visible():
        more.click()
    link.click()
