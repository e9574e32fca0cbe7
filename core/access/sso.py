"""Single sign-on: OpenID Connect through Streamlit's own ``st.login`` (Authlib), then this
product's own server-side session, exactly as after a password.

Providers are configured in ``.streamlit/secrets.toml`` (README, "Single sign-on"): ``[auth]``
holds ``redirect_uri`` (ending in ``/oauth2callback``, Streamlit's callback route) and
``cookie_secret``; each ``[auth.NAME]`` table names one provider (Google, Microsoft, Keycloak or
any OpenID Connect issuer) by ``client_id``, ``client_secret`` and ``server_metadata_url``
(https://docs.streamlit.io/develop/api-reference/user/st.login).

A provider proves an e-mail address, not a team member: the address must be verified by the
provider (the ``email_verified`` claim, https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims)
and belong to exactly one active member, whom an admin added with that e-mail and a role. Anyone
else is refused and gets no account. Streamlit's own identity cookie is dropped as soon as the
product's session starts (:func:`forget_identity`), so logging out, a deactivation or an ended
session work the same for both ways in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, func, select
from starlette.requests import Request
from starlette.responses import Response

from core.access import audit, settings
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import User

PROVIDER_KEYS = frozenset({"client_id", "client_secret", "server_metadata_url"})
KNOWN_PROVIDERS = {"google": "Google", "microsoft": "Microsoft", "keycloak": "Keycloak"}
PASSWORD_LOGIN = "password_login"
"""Team setting: ``False`` once an admin turned local passwords off (single sign-on only)."""

# Streamlit's identity cookies (streamlit/web/server/server_util.py), split into numbered chunks
# when large.
IDENTITY_COOKIES = ("_streamlit_user", "_streamlit_user_tokens")


@dataclass(frozen=True)
class Provider:
    """One way to sign on: ``name`` is what ``st.login`` takes (``None``: the ``[auth]`` table's
    own provider)."""

    name: str | None
    label: str


def providers(auth: Mapping[str, Any] | None) -> list[Provider]:
    """The providers ``[auth]`` configures completely (Streamlit refuses the others)."""
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    found = []
    if set(auth) >= PROVIDER_KEYS:
        found.append(Provider(None, "OpenID Connect"))
    for name, section in auth.items():
        if isinstance(section, Mapping) and set(section) >= PROVIDER_KEYS:
            found.append(Provider(name, KNOWN_PROVIDERS.get(name, name.replace("_", " ").title())))
    return found


@dataclass(frozen=True)
class Match:
    """Whom a provider's identity opens the dashboard for, or why nobody."""

    username: str | None
    refusal: UserFacingError | None = None


def _true(claim: object) -> bool:
    # a boolean in the standard; some providers send the string
    return claim is True or (isinstance(claim, str) and claim.lower() == "true")


def _verified(claims: Mapping[str, Any]) -> bool:
    """``email_verified``; Microsoft Entra ID never sends it for work accounts but, when the app
    registration asks for the optional ``xms_edov`` claim, says the address's domain is verified
    by the tenant (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference)."""
    if "email_verified" in claims:
        return _true(claims["email_verified"])
    return _true(claims.get("xms_edov"))


def member_for(session: Session, claims: Mapping[str, Any]) -> Match:
    """The one active member with the identity's verified e-mail; every answer is audited."""
    email = str(claims.get("email") or "").strip().lower()
    issuer = str(claims.get("iss") or "")
    if not email:
        refusal = UserFacingError("sso.error.no_email")
    elif not _verified(claims):
        refusal = UserFacingError("sso.error.unverified", email=email)
    else:
        members = session.exec(
            select(User.username).where(
                func.lower(User.email) == email,
                User.active == True,  # noqa: E712
            )
        ).all()
        if len(members) == 1:
            audit.record(session, members[0], "login.sso", members[0], email=email, issuer=issuer)
            return Match(members[0])
        refusal = UserFacingError("sso.error.unknown", email=email)
    audit.record(session, email[:64] or "?", "login.sso_refused", refusal.key, issuer=issuer)
    return Match(None, refusal)


def passwords_allowed(session: Session) -> bool:
    return settings.get(session, PASSWORD_LOGIN) is not False


def set_passwords_allowed(
    session: Session, actor: Actor, allowed: bool, configured: list[Provider]
) -> None:
    """Turn local passwords off (or on again); never off without a provider to log in with.
    The command line keeps working either way (``python -m core users ...``)."""
    require(actor, Permission.MANAGE_USERS)
    if not allowed and not configured:
        raise UserFacingError("sso.error.no_provider")
    settings.put(session, actor, PASSWORD_LOGIN, allowed)


def forget_identity(request: Request, response: Response) -> None:
    """Drop Streamlit's identity cookies: from here on the product's session cookie decides."""
    for name in request.cookies:
        base, _, chunk = name.rpartition("_")
        if name in IDENTITY_COOKIES or (base in IDENTITY_COOKIES and chunk.isdigit()):
            response.delete_cookie(name, path="/", httponly=True, samesite="lax")
