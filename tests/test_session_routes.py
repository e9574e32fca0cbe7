"""The routes that set and clear the login cookie, over HTTP (Starlette's TestClient)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import config, db
from core.access import session_routes, sessions
from core.access.session_routes import COOKIE_NAME
from core.models import LoginSession, Role, utcnow


@pytest.fixture
def client_for(engine) -> Callable[..., TestClient]:
    app = Starlette(routes=session_routes.routes())

    def client(base_url: str = "http://testserver") -> TestClient:
        return TestClient(app, base_url=base_url, follow_redirects=False)

    return client


def ticket_for(engine, username: str = "agent1") -> str:
    with db.session_scope(engine) as session:
        return sessions.start(session, username, "pytest")


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
