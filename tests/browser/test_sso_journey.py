"""Single sign-on in Debian's chromium: a local OpenID Connect provider (oidc-provider-mock), the
real server configured for it in a secrets.toml, st.login's round trip, and the product's own
session afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserStore, LiveServer
from tests.live import free_port
from tests.process_helpers import environment, spawn_server, stop, wait_until_serving

pytestmark = pytest.mark.browser

MEMBER = User(sub="ana", claims={"email": "Ana@Example.com", "email_verified": True})
STRANGER = User(sub="stranger", claims={"email": "stranger@example.com", "email_verified": True})


@pytest.fixture
def provider() -> Iterator[str]:
    """The identity provider's issuer URL; its login page offers the two users above."""
    with run_server_in_thread(user_claims=[MEMBER, STRANGER]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_server(tmp_path: Path, provider: str) -> Iterator[LiveServer]:
    """The server with a Keycloak-style provider in its secrets.toml (Streamlit's
    ``secrets.files`` option, set through its environment variable)."""
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-string-for-the-tests"\n'
        "[auth.keycloak]\n"
        'client_id = "dashboard"\n'
        'client_secret = "dashboard-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    store = BrowserStore(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'whatsapp.db'}")
    settings = {"LOGIN_DELAY_SECONDS": "0", "STREAMLIT_SECRETS_FILES": str(secrets)}
    server = spawn_server(store, port=port, log=tmp_path / "server.log", **settings)
    live = LiveServer(server.url, environment(store, **settings), server.process, lambda: None)
    try:
        wait_until_serving(server)
        yield live
    finally:
        stop([live.process])


def sign_on(page: Page, server: LiveServer, subject: str) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Log in with Keycloak").click()
    page.get_by_role("button", name=subject, exact=True).click()  # the provider's own page


def test_a_member_signs_on_with_their_role_and_a_stranger_is_refused(
    sso_server, browser_page
) -> None:
    sso_server.cli(
        "users",
        "add",
        "--email",
        "ana@example.com",
        "--name",
        "Ana",
        "--role",
        "marketer",
        "--generate-password",
    )
    page = browser_page()
    sign_on(page, sso_server, "ana")
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Marketer")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Campaigns")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Users")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()  # the product's own logout, as always
    expect(page.get_by_role("button", name="Log in with Keycloak")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_have_count(0)

    stranger = browser_page()
    sign_on(stranger, sso_server, "stranger")
    refusal = "No team member has the e-mail address stranger@example.com"
    expect(stranger.get_by_text(refusal)).to_be_visible()
    expect(stranger.get_by_role("button", name="Log out")).to_have_count(0)
    stranger.get_by_role("button", name="Log in with another account").click()
    expect(stranger.get_by_role("button", name="Log in with Keycloak")).to_be_visible()
    expect(stranger.get_by_text(refusal)).to_have_count(0)  # the provider's identity is dropped
    listed = sso_server.cli("users", "list")
    assert "stranger" not in listed.stdout
