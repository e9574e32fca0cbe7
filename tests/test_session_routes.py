"""The routes that set and clear the login cookie, over HTTP (Starlette's TestClient)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from core import config, db
from core.access import session_routes, sessions
from core.access.session_routes import BINDING_COOKIE_NAME, COOKIE_NAME
from core.models import LoginSession, Role, utcnow

BINDING = "the-login-browsers-binding"


async def page(_request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>dashboard</title>")


async def data(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@pytest.fixture
def client_for(engine) -> Callable[..., TestClient]:
    """A browser on the routes, as the dashboard's server mounts them beside its pages."""
    app = Starlette(
        routes=[*session_routes.routes(), Route("/", page), Route("/data", data)],
        middleware=session_routes.middleware(),
    )

    def client(base_url: str = "http://testserver", binding: str | None = BINDING) -> TestClient:
        cookies = {BINDING_COOKIE_NAME: binding} if binding else None
        return TestClient(app, base_url=base_url, follow_redirects=False, cookies=cookies)

    return client


def ticket_for(engine, username: str = "agent1") -> str:
    """A ticket as the login form issues it, to the browser holding ``BINDING``."""
    with db.session_scope(engine) as session:
        return sessions.start(session, username, "pytest", binding=BINDING)


def set_cookie_flags(response) -> set[str]:
    header = response.headers["set-cookie"]
    return {part.strip().split("=")[0].lower() for part in header.split(";")}


def test_a_ticket_sets_an_httponly_lax_cookie_and_goes_home(client_for, engine, team) -> None:
    response = client_for().get(session_routes.session_url(ticket_for(engine)))
    assert response.status_code == 303 and response.headers["location"] == "/"
    flags = set_cookie_flags(response)
    assert {"httponly", "path", "max-age"} <= flags and "secure" not in flags
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    token = response.cookies[COOKIE_NAME]
    with db.session_scope(engine) as session:
        assert sessions.resolve(session, token) == team[Role.AGENT]


def test_the_cookie_is_secure_under_https(client_for, engine, team) -> None:
    response = client_for("https://testserver").get(session_routes.session_url(ticket_for(engine)))
    assert "secure" in set_cookie_flags(response)


def test_the_cookie_is_secure_behind_a_proxy_when_public_url_is_https(
    client_for, engine, team, monkeypatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://whatsapp.example.com")
    config.get_settings.cache_clear()
    response = client_for().get(session_routes.session_url(ticket_for(engine)))
    assert "secure" in set_cookie_flags(response)


def test_a_ticket_used_twice_is_refused(client_for, engine, team) -> None:
    url = session_routes.session_url(ticket_for(engine))
    assert client_for().get(url).status_code == 303
    again = client_for().get(url, headers={"Accept-Language": "es"})
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert "ya se usó o caducó" in again.text


def test_an_expired_ticket_is_refused(client_for, engine, team) -> None:
    ticket = ticket_for(engine)
    with db.session_scope(engine) as session:
        row = session.exec(select(LoginSession)).one()
        row.ticket_expires_at = utcnow() - timedelta(seconds=1)
    response = client_for().get(
        session_routes.session_url(ticket), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400 and "set-cookie" not in response.headers
    assert "already used or has expired" in response.text


def test_logout_ends_the_session_and_clears_the_cookie(client_for, engine, team) -> None:
    browser = client_for()
    browser.get(session_routes.session_url(ticket_for(engine)))
    token = browser.cookies[COOKIE_NAME]
    response = browser.get(session_routes.logout_url(token))
    assert response.status_code == 303 and response.headers["location"] == "/"
    cleared = response.headers["set-cookie"]
    assert cleared.startswith(f'{COOKIE_NAME}=""') and "Max-Age=0" in cleared
    assert "httponly" in cleared.lower()
    with db.session_scope(engine) as session:
        assert sessions.resolve(session, token) is None


def test_logout_without_the_cookies_check_is_refused(client_for, engine, team) -> None:
    browser = client_for()
    browser.get(session_routes.session_url(ticket_for(engine)))
    token = browser.cookies[COOKIE_NAME]
    forged = browser.get(f"{session_routes.LOGOUT_PATH}?check=guessed")
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    with db.session_scope(engine) as session:
        assert sessions.resolve(session, token) is not None


def test_logout_without_a_cookie_just_goes_home(client_for, engine) -> None:
    response = client_for().get(session_routes.LOGOUT_PATH)
    assert response.status_code == 303


@pytest.mark.parametrize("other_binding", [None, "an-attackers-binding"])
def test_a_ticket_opens_no_session_in_another_browser(
    client_for, engine, team, other_binding
) -> None:
    """Login CSRF: someone sends a victim the ticket URL of their own login; the victim's browser
    (no binding, or its own) is refused, and the ticket still works where it was issued."""
    url = session_routes.session_url(ticket_for(engine))
    victim = client_for(binding=other_binding)
    refused = victim.get(url, headers={"Accept-Language": "en"})
    assert refused.status_code == 400 and COOKIE_NAME not in refused.cookies
    assert "This login link was already used or has expired." in refused.text
    assert client_for().get(url).status_code == 303


def test_a_browsers_first_page_gets_a_strict_httponly_login_binding(client_for) -> None:
    browser = client_for(binding=None)
    first = browser.get("/")
    header = first.headers["set-cookie"]
    assert header.startswith(f"{BINDING_COOKIE_NAME}=")
    assert {"httponly", "path"} <= set_cookie_flags(first) and "max-age" not in header.lower()
    assert "samesite=strict" in header.lower()
    binding = browser.cookies[BINDING_COOKIE_NAME]
    assert len(binding) >= 43  # 256 random bits
    again = browser.get("/")
    assert "set-cookie" not in again.headers and browser.cookies[BINDING_COOKIE_NAME] == binding
    assert client_for(binding=None).get("/").cookies[BINDING_COOKIE_NAME] != binding


def test_only_html_pages_set_the_login_binding(client_for) -> None:
    assert "set-cookie" not in client_for(binding=None).get("/data").headers


def test_the_login_binding_is_secure_under_https(client_for) -> None:
    response = client_for("https://testserver", binding=None).get("/")
    assert "secure" in set_cookie_flags(response)
