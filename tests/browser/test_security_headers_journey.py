"""The security headers in a real browser: every page of the dashboard works under the policy.

Chromium reports each refused script, style, font or connection as a ``securitypolicyviolation``
event (https://developer.mozilla.org/docs/Web/API/SecurityPolicyViolationEvent) and a console
error; the test collects both while an admin logs in and opens every page of the menu."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from core.access.navigation import PAGES

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def test_every_answer_carries_the_headers(live_server) -> None:
    for path in ("/", "/healthz", "/auth/session?ticket=x", "/_stcore/health", "/no-such-page"):
        headers = httpx.get(live_server.url + path).headers
        assert "frame-ancestors 'self'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # plain HTTP here: see test_headers.py


def test_the_dashboard_runs_without_a_policy_violation(live_server, browser_page) -> None:
    live_server.cli(
        "users",
        "add",
        "--username",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        stdin="clave-muy-segura\n",
    )
    page = browser_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(live_server.url)
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password", exact=True).fill("clave-muy-segura")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # the redirect script ran
    for spec in PAGES:
        page.goto(f"{live_server.url}/{spec.url_path}")
        expect(page.get_by_test_id("stSidebar")).to_be_visible()
        expect(page.get_by_test_id("stApp")).to_have_attribute(
            "data-test-script-state", "notRunning"
        )
        assert page.evaluate("window.__violations") == [], (spec.url_path, console)
    assert not [text for text in console if "Content Security Policy" in text]
