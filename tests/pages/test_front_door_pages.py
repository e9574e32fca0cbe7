"""Two-step login as users meet it: the login's second step, the Account page, the admin's policy."""

from datetime import datetime

import pyotp
from sqlmodel import select

from core import db
from core.access import two_factor, users
from core.access.session_routes import SESSION_PATH
from core.models import AuditEntry, Role
from tests.pages.conftest import texts


def password(at, username: str, secret: str) -> None:
    at.text_input[0].input(username)
    at.text_input[1].input(secret)
    at.button[0].click()
    at.run()


def warned(at) -> str:
    return "\n".join(str(element.value) for element in at.warning)


def redirects(at) -> bool:
    return any(SESSION_PATH in str(element.proto.body) for element in at.get("html"))


def turn_on(engine, username: str) -> two_factor.Enrolment:
    enrolment = two_factor.start_enrolment(username)
    with db.session_scope(engine) as session:
        code = pyotp.TOTP(enrolment.secret).now()
        two_factor.confirm(session, username, enrolment, code, username)
    return enrolment


def next_code(enrolment: two_factor.Enrolment) -> str:
    """The code of the next 30 s step: the current one was spent turning it on."""
    totp = pyotp.TOTP(enrolment.secret)
    return totp.generate_otp(totp.timecode(datetime.now()) + 1)


def test_a_user_with_two_step_login_needs_the_code(open_dashboard, roles, engine) -> None:
    enrolment = turn_on(engine, "admin1")
    at = open_dashboard()
    password(at, "admin1", "password-admin")
    assert not redirects(at)
    assert [field.label for field in at.text_input] == [
        "6-digit code from your authenticator app, or a recovery code"
    ]
    at.text_input[0].input("000000")
    at.button[0].click()
    at.run()
    assert "That code is wrong or already used." in texts(at)
    assert not redirects(at)
    at.text_input[0].input(next_code(enrolment))
    at.button[0].click()
    at.run()
    assert redirects(at)
    with db.session_scope(engine) as session:
        actions = [(e.actor, e.action) for e in session.exec(select(AuditEntry))]
    assert ("admin1", "login.failed") in actions and ("admin1", "session.start") in actions


def test_required_set_up_at_login_shows_the_codes_once_then_goes_in(
    open_dashboard, roles, engine
) -> None:
    with db.session_scope(engine) as session:
        two_factor.set_policy(session, roles[Role.ADMIN], "admins")
    at = open_dashboard()
    password(at, "admin1", "password-admin")
    assert "Your administrator asks for a code" in texts(at)
    assert at.get("image"), "the QR code"
    secret = at.session_state["login_second_step"].enrolment.secret
    at.text_input[0].input(pyotp.TOTP(secret).now())
    at.button[0].click()
    at.run()
    assert "Your recovery codes, shown only now." in warned(at)
    assert not redirects(at)
    next(button for button in at.button if button.label == "I saved them, continue").click()
    at.run()
    assert redirects(at)
    with db.session_scope(engine) as session:
        assert two_factor.is_enabled(session, "admin1")


def test_account_page_turns_it_on_and_off(run_page, roles, engine) -> None:
    at = run_page("pages/account.py", roles[Role.AGENT])
    assert "Two-step login is off" in texts(at)
    at.button[0].click()
    at.run()
    secret = at.session_state["account_enrolment"].secret
    at.text_input[0].input(pyotp.TOTP(secret).now())
    at.button[0].click()
    at.run()
    assert "Two-step login is on: from now on" in texts(at)
    assert "Your recovery codes, shown only now." in warned(at)
    assert "Recovery codes left: 10." in texts(at)
    at.text_input(key="turn_off_code").input("123456")
    next(button for button in at.button if button.label == "Turn off two-step login").click()
    at.run()
    assert "That code is wrong or already used." in texts(at)
    with db.session_scope(engine) as session:
        assert two_factor.is_enabled(session, "agent1")


def test_admin_requires_it_of_everyone(run_page, roles, engine) -> None:
    turn_on(engine, "agent1")
    at = run_page("pages/users.py", roles[Role.ADMIN], language="es")
    team = at.dataframe[0].value
    assert team.set_index("Usuario")["Verificación en dos pasos"].to_dict()["agent1"]
    assert not team.set_index("Usuario")["Verificación en dos pasos"].to_dict()["admin1"]
    at.selectbox(key="two_factor_policy").select("everyone")
    at.button(key="two_factor_policy_save").click()
    at.run()
    assert "La verificación en dos pasos se exige ahora a: Todos." in texts(at)
    with db.session_scope(engine) as session:
        assert two_factor.policy(session) == two_factor.Policy.EVERYONE


def identity(email: str, verified: bool = True) -> dict[str, object]:
    """What ``st.user`` holds after ``st.login`` came back from a provider."""
    return {"is_logged_in": True, "email": email, "email_verified": verified, "iss": "https://idp"}


def test_a_provider_identity_opens_the_member_with_that_email(
    open_dashboard, roles, engine
) -> None:
    with db.session_scope(engine) as session:
        users.get_user(session, "marketer1").email = "mar@example.com"
    at = open_dashboard()
    at.user = identity("MAR@example.com")
    at.run()
    assert redirects(at)
    with db.session_scope(engine) as session:
        actions = {(e.actor, e.action) for e in session.exec(select(AuditEntry))}
    assert {("marketer1", "login.sso"), ("marketer1", "session.start")} <= actions


def test_an_unverified_or_unknown_email_is_refused(open_dashboard, roles) -> None:
    at = open_dashboard()
    at.user = identity("nobody@example.com")
    at.run()
    assert "No team member has the e-mail address nobody@example.com" in texts(at)
    assert not redirects(at)
    assert [button.label for button in at.button] == ["Log in with another account"]
    at.user = identity("nobody@example.com", verified=False)
    at.run()
    assert "has not verified the e-mail address nobody@example.com" in texts(at)


def test_passwords_stay_on_without_a_provider(run_page, roles) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN])
    assert "Single sign-on is not configured" in texts(at)
    at.toggle(key="passwords_allowed").set_value(False)
    at.run()
    assert "Local passwords cannot be turned off" in texts(at)
    assert at.toggle(key="passwords_allowed").value is True
