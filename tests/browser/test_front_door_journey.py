"""The front door in Debian's chromium against the real server: waits after failed logins,
two-factor codes and single sign-on."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.browser.steps import add_user, open_menu_page
from tests.waiting import wait_until

pytestmark = pytest.mark.browser


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def failed_logins(live_server) -> int:
    """The server's audited failed logins: each attempt is waited for, not just its click."""
    engine = create_engine(live_server.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM audit_log WHERE action = 'login.failed'")
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()


def test_a_sixth_wrong_password_locks_the_name_even_for_the_right_one(
    live_server, browser_page
) -> None:
    add_user(live_server, "marta", "agent", "clave-muy-segura")
    page = browser_page()
    page.goto(live_server.url)
    for attempt in range(5):
        log_in(page, "marta", f"wrong-password-{attempt}")
        wait_until(lambda n=attempt + 1: failed_logins(live_server) == n, message="failure counted")
        expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    log_in(page, "marta", "wrong-password-5")
    locked = page.get_by_text("Too many failed logins for this username or from this address")
    expect(locked).to_contain_text("Wait 1 min")

    log_in(page, "marta", "clave-muy-segura")
    expect(locked).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, marta")).to_have_count(0)

    unlocked = live_server.cli("users", "unlock", "marta")
    assert "may log in again" in unlocked.stdout
    # the address waits too (six failures from this browser), so only the name's lock is lifted
    log_in(page, "marta", "clave-muy-segura")
    expect(locked).to_be_visible()


def test_an_admin_with_two_step_login_cannot_enter_without_the_code(
    live_server, browser_page
) -> None:
    add_user(live_server, "root", "admin", "clave-muy-segura")
    page = browser_page()
    page.goto(live_server.url)
    log_in(page, "root", "clave-muy-segura")
    open_menu_page(page, "My account")
    page.get_by_role("button", name="Turn on two-step login").click()
    page.get_by_text("Cannot scan? Type this key into the app").click()
    secret = page.get_by_test_id("stCode").first.inner_text().strip()
    page.get_by_label("6-digit code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Recovery codes left: 10.")).to_be_visible()
    recovery_codes = page.get_by_test_id("stCode").first.inner_text().split()
    assert len(recovery_codes) == 10
    page.get_by_role("button", name="Log out").click()

    code_field = page.get_by_label("6-digit code from your authenticator app, or a recovery code")
    log_in(page, "root", "clave-muy-segura")
    expect(code_field).to_be_visible()
    page.goto(live_server.url)  # a reload does not skip the code: it starts the login again
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    log_in(page, "root", "clave-muy-segura")
    code_field.fill("123456")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is wrong or already used.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    code_field.fill(recovery_codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
