"""Single sign-on: which providers secrets.toml configures, matching a verified e-mail to exactly
one active member, the password switch, and Streamlit's identity cookie dropped."""

import pytest
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response

from core.access import sso, users
from core.access.auth import CLI_ACTOR, PermissionDenied
from core.errors import UserFacingError
from core.models import AuditEntry, Role

AUTH = {
    "redirect_uri": "https://dash.example/oauth2callback",
    "cookie_secret": "a-long-random-string",
    "google": {
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
    },
    "keycloak": {"client_id": "id", "client_secret": "secret"},  # incomplete: not offered
    "corporate_idp": {
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    },
}


def test_providers_are_the_complete_tables_of_auth() -> None:
    assert sso.providers(AUTH) == [
        sso.Provider("google", "Google"),
        sso.Provider("corporate_idp", "Corporate Idp"),
    ]
    assert sso.providers({**AUTH, "cookie_secret": ""}) == []
    assert sso.providers(None) == []
    single = {**AUTH["google"], "redirect_uri": "x", "cookie_secret": "y"}
    assert sso.providers(single) == [sso.Provider(None, "OpenID Connect")]


def member(session: Session, email: str, verified: object = True) -> sso.Match:
    claims = {"email": email, "email_verified": verified, "iss": "https://idp.example"}
    return sso.member_for(session, claims)


@pytest.fixture
def lucia(session: Session) -> None:
    users.add_user(
        session, CLI_ACTOR, "", Role.MARKETER, "long-enough-password", email="Lucia@Example.com"
    )


def test_a_verified_email_opens_its_member(session: Session, lucia) -> None:
    assert member(session, "LUCIA@example.com").username == "lucia"  # username from the e-mail
    assert member(session, "lucia@example.com", "true").username == "lucia"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "login.sso")).first()
    assert entry is not None and entry.details == {
        "email": "lucia@example.com",
        "issuer": "https://idp.example",
    }


@pytest.mark.parametrize(
    ("email", "verified", "key"),
    [
        ("lucia@example.com", False, "sso.error.unverified"),
        ("lucia@example.com", None, "sso.error.unverified"),
        ("stranger@example.com", True, "sso.error.unknown"),
        ("", True, "sso.error.no_email"),
    ],
)
def test_anyone_else_is_refused_and_gets_no_account(
    session: Session, lucia, email, verified, key
) -> None:
    before = users.user_count(session)
    match = member(session, email, verified)
    assert match.username is None and match.refusal is not None and match.refusal.key == key
    assert users.user_count(session) == before
    refused = session.exec(select(AuditEntry).where(AuditEntry.action == "login.sso_refused"))
    assert [entry.target for entry in refused] == [key]


def test_entra_ids_domain_verification_counts_when_email_verified_is_missing(
    session: Session, lucia
) -> None:
    entra = {"email": "lucia@example.com", "xms_edov": True, "iss": "https://login.microsoft"}
    assert sso.member_for(session, entra).username == "lucia"
    stated = {**entra, "email_verified": False}
    assert sso.member_for(session, stated).refusal is not None


def test_a_deactivated_member_is_refused(session: Session, lucia) -> None:
    users.set_active(session, CLI_ACTOR, "lucia", False)
    assert member(session, "lucia@example.com").refusal.key == "sso.error.unknown"


def test_two_members_never_share_an_email(session: Session, lucia) -> None:
    with pytest.raises(UserFacingError) as taken:
        users.add_user(
            session, CLI_ACTOR, "lu2", Role.AGENT, "long-enough-password", email="lucia@EXAMPLE.com"
        )
    assert taken.value.key == "users.error.email_taken"


def test_passwords_go_off_only_with_a_provider(session: Session, team) -> None:
    admin = team[Role.ADMIN]
    assert sso.passwords_allowed(session)
    with pytest.raises(UserFacingError) as nobody:
        sso.set_passwords_allowed(session, admin, False, [])
    assert nobody.value.key == "sso.error.no_provider"
    sso.set_passwords_allowed(session, admin, False, sso.providers(AUTH))
    assert not sso.passwords_allowed(session)
    with pytest.raises(PermissionDenied):
        sso.set_passwords_allowed(session, team[Role.MANAGER], True, [])


def test_streamlits_identity_cookies_are_dropped() -> None:
    cookies = "_streamlit_user=a; _streamlit_user_1=b; _streamlit_user_tokens=c; keep=d"
    request = Request({"type": "http", "headers": [(b"cookie", cookies.encode())]})
    response = Response()
    sso.forget_identity(request, response)
    cleared = response.headers.getlist("set-cookie")
    assert sorted(value.split("=", 1)[0] for value in cleared) == [
        "_streamlit_user",
        "_streamlit_user_1",
        "_streamlit_user_tokens",
    ]
    assert all("Max-Age=0" in value and "Path=/" in value for value in cleared)
