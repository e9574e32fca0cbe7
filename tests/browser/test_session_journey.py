"""A login that lasts: kept after a reload, in a new tab and across a server restart, gone in every
tab after a logout or a deactivation, in Debian's chromium against the real server process."""

import pytest
from playwright.sync_api import expect

from core.access.session_routes import COOKIE_NAME

pytestmark = pytest.mark.browser

WITHIN_SECONDS = 10_000  # ms: the dashboard rechecks its session every few seconds


def login_cookies(page) -> list[dict]:
    return [cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE_NAME]


def add_user(live_server, username: str, role: str, name: str, password: str) -> None:
    live_server.cli(
        "users", "add", "--username", username, "--role", role, "--name", name,
        "--password-stdin", stdin=f"{password}\n",
    )  # fmt: skip


def log_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_login_lasts_across_reloads_tabs_and_restarts_and_ends_everywhere(
    live_server, browser_page
) -> None:
    add_user(live_server, "lucia", "agent", "Lucía", "clave-muy-segura")
    add_user(live_server, "ana", "admin", "Ana", "admin-muy-segura")
    welcome = "Welcome, Lucía"

    page = browser_page()
    page.goto(live_server.url)
    log_in(page, "lucia", "clave-muy-segura")
    expect(page.get_by_role("heading", name=welcome)).to_be_visible()
    (cookie,) = login_cookies(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    assert cookie["expires"] > 0, "kept for COOKIE_EXPIRY_DAYS, not only until the browser closes"

    page.reload()
    expect(page.get_by_role("heading", name=welcome)).to_be_visible()

    second_tab = page.context.new_page()
    second_tab.goto(live_server.url)
    expect(second_tab.get_by_role("heading", name=welcome)).to_be_visible()

    live_server.restart()
    second_tab.reload()
    expect(second_tab.get_by_role("heading", name=welcome)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=welcome)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert login_cookies(page) == [], "the logout route cleared the cookie"
    expect(second_tab.get_by_role("button", name="Log in")).to_be_visible(timeout=WITHIN_SECONDS)
    expect(second_tab.get_by_role("heading", name=welcome)).to_have_count(0)
    second_tab.reload()
    expect(second_tab.get_by_role("button", name="Log in")).to_be_visible()

    log_in(page, "lucia", "clave-muy-segura")
    expect(page.get_by_role("heading", name=welcome)).to_be_visible()

    admin = browser_page()
    admin.goto(live_server.url)
    log_in(admin, "ana", "admin-muy-segura")
    expect(admin.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    admin.goto(f"{live_server.url}/users")
    expect(admin.get_by_role("heading", name="Open sessions")).to_be_visible()
    users = admin.get_by_role("combobox", name="User", exact=True)
    users.click()
    # typed, as a person filters the list: on a busy machine the click can end up only focusing
    # the select (its list stays shut), and typing opens it
    users.press_sequentially("lucia")
    admin.get_by_role("option", name="lucia").click()
    expect(admin.get_by_role("button", name="Deactivate")).to_be_visible()
    admin.get_by_role("button", name="Deactivate").click()
    expect(admin.get_by_text("lucia is deactivated.")).to_be_visible()

    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=WITHIN_SECONDS)
    expect(page.get_by_text("Your session has ended")).to_be_visible()
    expect(page.get_by_role("heading", name=welcome)).to_have_count(0)
