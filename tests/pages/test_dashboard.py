"""The login gate, first run, menu per role and refusals, language, as a user meets them."""

import re

import pytest
from sqlmodel import select

from core import db
from core.access import sessions, users
from core.access.session_routes import LOGOUT_PATH, SESSION_PATH
from core.channels import watchers
from core.models import AuditEntry, LoginSession, Role
from pages._widgets import session as session_widgets
from tests.pages.conftest import BINDING, session_token, texts


def link_to(at, path: str) -> str:
    """The server route the page sends the browser to (by script, and as a link)."""
    script = "\n".join(str(element.proto.body) for element in at.get("html"))
    found = re.search(rf'"({re.escape(path)}\?[^"]+)"', script)
    assert found, f"no redirect to {path} in {script!r}"
    assert f"]({found.group(1)})" in texts(at)
    return found.group(1)


def test_first_run_page_creates_the_first_admin_then_closes(open_dashboard, engine) -> None:
    at = open_dashboard()
    assert "create the first administrator" in texts(at)
    at.text_input[0].input("Ana Admin")
    at.text_input[1].input("ana")
    at.text_input[2].input("a-very-good-password")
    at.text_input[3].input("a-very-good-password")
    at.button[0].click()
    at.run()
    assert "Administrator created. Log in with it now." in texts(at)
    assert "Log in" in texts(at)
    with db.session_scope(engine) as session:
        created = users.get_user(session, "ana")
        assert created is not None and created.role == Role.ADMIN
    again = open_dashboard()
    assert "create the first administrator" not in texts(again)
    assert "Log in" in texts(again)


def test_first_run_refuses_mismatched_passwords(open_dashboard, engine) -> None:
    at = open_dashboard()
    at.text_input[1].input("ana")
    at.text_input[2].input("a-very-good-password")
    at.text_input[3].input("another-password!!")
    at.button[0].click()
    at.run()
    assert "The two passwords differ." in texts(at)
    with db.session_scope(engine) as session:
        assert users.user_count(session) == 0


def test_anonymous_user_sees_only_the_login(open_dashboard, roles) -> None:
    at = open_dashboard()
    assert [field.label for field in at.text_input] == ["Username", "Password"]
    assert "Welcome" not in texts(at)
    assert not at.dataframe


def test_login_with_the_form_and_failed_logins_are_audited(open_dashboard, roles, engine) -> None:
    at = open_dashboard()
    at.text_input[0].input("agent1")
    at.text_input[1].input("wrong-password")
    at.button[0].click()
    at.run()
    assert "Wrong username or password." in texts(at)
    at.text_input[0].input("agent1")
    at.text_input[1].input("password-agent")
    at.button[0].click()
    at.run()
    assert "Welcome" not in texts(at)  # not before the server has set the cookie
    with db.session_scope(engine) as session:
        actions = [(e.actor, e.action) for e in session.exec(select(AuditEntry))]
    assert ("agent1", "login.failed") in actions
    assert ("agent1", "login") in actions
    assert ("agent1", "session.start") in actions


def test_a_browser_without_its_login_binding_cookie_is_told_to_allow_cookies(
    open_dashboard, roles, engine, monkeypatch
) -> None:
    monkeypatch.setattr(session_widgets, "presented_binding", lambda: "")
    at = open_dashboard()
    at.text_input[0].input("agent1")
    at.text_input[1].input("password-agent")
    at.button[0].click()
    at.run()
    assert "Allow cookies for this site" in texts(at)
    assert not at.get("html")  # no ticket, so nowhere to go
    with db.session_scope(engine) as session:
        assert not session.exec(select(LoginSession)).all()


def test_a_good_password_sends_the_browser_to_the_cookie_route_and_the_cookie_logs_in(
    open_dashboard, roles, engine, cookie_jar
) -> None:
    at = open_dashboard()
    at.text_input[0].input("agent1")
    at.text_input[1].input("password-agent")
    at.button[0].click()
    at.run()
    ticket = link_to(at, SESSION_PATH).split("ticket=", 1)[1]
    cookie_jar["token"] = session_token(engine, ticket)
    reloaded = open_dashboard()  # what the route's redirect home (or any reload, any tab) opens
    assert "Welcome, agent1" in texts(reloaded)
    assert "Signed in as **agent1**" in texts(reloaded)


def test_deactivated_user_is_logged_out(open_dashboard, roles, engine, monkeypatch) -> None:
    at = open_dashboard(roles[Role.AGENT])
    assert "Welcome, agent1" in texts(at)
    with db.session_scope(engine) as session:
        users.set_active(session, roles[Role.ADMIN], "agent1", False)
    monkeypatch.setattr(watchers, "RECHECK_SECONDS", 0.0)
    at.run()
    assert "Your session has ended" in texts(at)
    assert [field.label for field in at.text_input] == ["Username", "Password"]
    assert "Welcome" not in texts(at)


def test_a_role_change_reaches_an_open_dashboard(
    open_dashboard, roles, engine, monkeypatch
) -> None:
    at = open_dashboard(roles[Role.AGENT])
    with db.session_scope(engine) as session:
        users.set_role(session, roles[Role.ADMIN], "agent1", Role.MANAGER)
    monkeypatch.setattr(watchers, "RECHECK_SECONDS", 0.0)
    at.run()
    assert "Signed in as **agent1** · Manager" in texts(at)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_welcomed_with_its_pages(open_dashboard, roles, role) -> None:
    at = open_dashboard(roles[role])
    assert f"Welcome, {role.value}1" in texts(at)
    assert f"Signed in as **{role.value}1**" in texts(at)


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER, Role.AGENT])
@pytest.mark.parametrize("page", ["pages/users.py", "pages/audit.py"])
def test_admin_pages_are_neither_offered_nor_served_to_other_roles(
    open_dashboard, run_page, roles, role, page
) -> None:
    at = open_dashboard(roles[role])
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    direct = run_page(page, roles[role])
    assert "cannot open this page" in texts(direct)
    assert not direct.dataframe


def test_language_switch_translates_the_page(open_dashboard, roles) -> None:
    at = open_dashboard(roles[Role.AGENT], language="es")
    assert "Hola, agent1" in texts(at)
    at.sidebar.selectbox[0].select("en")
    at.run()
    assert "Welcome, agent1" in texts(at)
    assert at.sidebar.button[0].label == "Log out"


def test_logout_ends_the_session_and_sends_the_browser_to_clear_the_cookie(
    open_dashboard, roles, engine, cookie_jar
) -> None:
    at = open_dashboard(roles[Role.MANAGER])
    token = cookie_jar["token"]
    at.sidebar.button[0].click()
    at.run()
    assert link_to(at, LOGOUT_PATH).endswith(sessions.logout_check(token))
    with db.session_scope(engine) as session:
        assert sessions.resolve(session, token) is None
    assert [field.label for field in open_dashboard().text_input] == ["Username", "Password"]


@pytest.mark.parametrize(("username", "password"), [("", ""), ("agent1", ""), ("nobody", "x")])
def test_empty_or_unknown_logins_are_refused_in_words(
    open_dashboard, roles, username, password
) -> None:
    at = open_dashboard()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert "Wrong username or password." in texts(at)
    assert not at.get("html")


def test_a_user_logs_out_their_other_browsers_and_stays_in_this_one(
    open_dashboard, roles, engine, cookie_jar
) -> None:
    with db.session_scope(engine) as session:
        ticket = sessions.start(session, "agent1", "Phone", binding=BINDING)
    elsewhere = session_token(engine, ticket)
    at = open_dashboard(roles[Role.AGENT])
    here = cookie_jar["token"]
    at.sidebar.button(key="end_other_sessions").click()
    at.run()
    assert "Other sessions ended: 1." in texts(at)
    with db.session_scope(engine) as session:
        assert sessions.resolve(session, elsewhere) is None
        assert sessions.resolve(session, here) is not None
    assert "Welcome, agent1" in texts(at)
