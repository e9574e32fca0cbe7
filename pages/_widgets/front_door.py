"""The login form's steps beyond the password: waits after failed logins, the second step (a code,
or setting up the app when it is required) and single sign-on. The rules are in
``core.access.login`` and ``core.access.sso``; this draws them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from core.access import addresses, login, sso, two_factor
from core.access.login import SecondStep
from core.access.session_routes import session_url
from core.config import get_settings
from core.errors import UserFacingError
from core.i18n import t
from pages._widgets import session as tab
from pages._widgets.session import store
from pages._widgets.two_factor import set_up_panel, show_recovery_codes

PENDING = "login_second_step"
PENDING_SECONDS = 300.0
"""How long a right password waits for its second step before the form starts over."""
CODE_WRONG = "two_factor.error.code_wrong"


@dataclass
class Pending:
    """A login whose password was right, waiting for its second step (kept server-side only)."""

    username: str
    step: SecondStep
    since: float = field(default_factory=time.monotonic)
    enrolment: two_factor.Enrolment | None = None
    recovery_codes: list[str] | None = None


def client_address() -> str:
    """This tab's client, as ``TRUSTED_PROXIES`` lets the server believe it."""
    return addresses.client_address(
        st.context.ip_address,
        st.context.headers.get("X-Forwarded-For"),
        get_settings().trusted_proxies,
    )


def still_waiting(username: str) -> bool:
    """Say so and stop here when this name or address must wait (before any password check)."""
    with store() as session:
        refused = login.refusal(session, username, client_address())
    if refused is not None:
        st.error(refused.message())
    return refused is not None


def password_failed(username: str, wrong: str = "login.failed") -> None:
    """Count the failure; say ``wrong`` (or the wait it started)."""
    with store() as session:
        said = login.failed(session, username, client_address(), wrong)
    st.error(said.message())


def enter(username: str, go_to: Callable[[str], None]) -> None:
    """Start the session and send the browser to the route that sets its cookie."""
    st.session_state.pop(PENDING, None)
    try:
        with store() as session:
            ticket = login.succeed(
                session, username, st.context.headers.get("User-Agent", ""), tab.presented_binding()
            )
    except UserFacingError as refusal:  # e.g. a browser that refuses the binding cookie
        st.error(refusal.message())
        return
    go_to(session_url(ticket))


def after_password(username: str, go_to: Callable[[str], None]) -> None:
    """A right password: in at once, or on to the second step."""
    with store() as session:
        step = login.second_step(session, username)
    if step == SecondStep.NONE:
        enter(username, go_to)
        return
    name = username.strip().lower()
    enrolment = two_factor.start_enrolment(name) if step == SecondStep.SET_UP else None
    st.session_state[PENDING] = Pending(name, step, enrolment=enrolment)
    st.rerun()


def pending() -> Pending | None:
    waiting: Pending | None = st.session_state.get(PENDING)
    if waiting is not None and time.monotonic() - waiting.since > PENDING_SECONDS:
        st.session_state.pop(PENDING, None)
        st.info(t("two_factor.timed_out"))
        return None
    return waiting


def _code_form(waiting: Pending, go_to: Callable[[str], None]) -> None:
    with st.form("second_step"):
        st.subheader(t("two_factor.title"))
        code = st.text_input(t("two_factor.code_or_recovery"), key="second_step_code")
        sent = st.form_submit_button(t("login.submit"), type="primary")
    if not sent or still_waiting(waiting.username):
        return
    with store() as session:
        right = two_factor.check(session, waiting.username, code)
    if right:
        enter(waiting.username, go_to)
    else:
        # a wrong code counts like a wrong password: six digits are guessable too
        password_failed(waiting.username, CODE_WRONG)


def _set_up(waiting: Pending) -> None:
    st.subheader(t("two_factor.required_title"))
    assert waiting.enrolment is not None  # made with the SET_UP step
    code = set_up_panel(waiting.enrolment, "second_step_set_up", "two_factor.scan")
    if code is None or still_waiting(waiting.username):
        return
    try:
        with store() as session:
            codes = two_factor.confirm(
                session, waiting.username, waiting.enrolment, code, waiting.username
            )
    except UserFacingError:
        password_failed(waiting.username, CODE_WRONG)
        return
    waiting.recovery_codes = codes
    st.rerun()


def second_step_form(waiting: Pending, go_to: Callable[[str], None]) -> None:
    """The code, the set-up, or (once set up) the recovery codes before going in."""
    if waiting.recovery_codes:
        show_recovery_codes(waiting.recovery_codes)
        if st.button(t("two_factor.saved_continue"), type="primary"):
            enter(waiting.username, go_to)
        return
    if waiting.step == SecondStep.CODE:
        _code_form(waiting, go_to)
    else:
        _set_up(waiting)
    if st.button(t("two_factor.cancel"), key="second_step_cancel"):
        st.session_state.pop(PENDING, None)
        start_over()


def start_over() -> None:
    """Back to the login form; a provider's identity is dropped too (else it would sign on again
    at once): ``st.logout`` lands on the product's logout route, which clears it."""
    if st.user.get("is_logged_in"):
        st.logout()
    else:
        st.rerun()


def configured_providers() -> list[sso.Provider]:
    """The single sign-on providers in ``.streamlit/secrets.toml`` (none without the file)."""
    if not st.secrets.load_if_toml_exists():
        return []
    return sso.providers(st.secrets.get("auth"))


def passwords_allowed() -> bool:
    with store() as session:
        return sso.passwords_allowed(session) or not configured_providers()


def provider_buttons() -> None:
    """One button per provider; ``st.login`` takes the browser there and back."""
    for provider in configured_providers():
        label = t("sso.with", provider=provider.label)
        if st.button(label, key=f"sso_{provider.name or 'default'}", width="stretch"):
            st.login(provider.name) if provider.name else st.login()


def signed_on(go_to: Callable[[str], None]) -> bool:
    """A provider's identity came back: in as its member (second step included), or refused.
    ``False`` when there is none, and the login form is next."""
    if not st.user.get("is_logged_in"):
        return False
    with store() as session:
        match = sso.member_for(session, st.user.to_dict())
    if match.username is None:
        assert match.refusal is not None  # a match without a member says why
        st.error(match.refusal.message())
        if st.button(t("sso.other_account")):
            start_over()
        return True
    after_password(match.username, go_to)
    return True


def other_step(go_to: Callable[[str], None]) -> bool:
    """Draw what replaces the password form, if anything: a pending second step, or a single
    sign-on coming back."""
    waiting = pending()
    if waiting is not None:
        second_step_form(waiting, go_to)
        return True
    return signed_on(go_to)
