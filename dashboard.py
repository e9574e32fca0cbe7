"""The dashboard's entry script: language, login gate and the menu for the user's role.

Nothing else lives here; each page is a script in ``pages/`` and all logic is in ``core``.
"""

from __future__ import annotations

import time
from html import escape

import streamlit as st
from streamlit_authenticator.controllers import AuthenticationController

from core.access import sessions, users
from core.access.auth import Actor
from core.access.headers import REDIRECT_SCRIPT
from core.access.navigation import visible_pages
from core.access.session_routes import logout_url
from core.config import Settings, get_settings
from core.i18n import LANGUAGES, preferred_language, set_language, t
from pages._widgets import front_door, live
from pages._widgets.flash import show_flash
from pages._widgets.login_sessions import end_my_other_sessions
from pages._widgets.session import (
    ACTOR_KEY,
    FIRST_ADMIN_FLASH,
    presented_token,
    signed_in,
    store,
)

LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def choose_language(settings: Settings) -> None:
    """The browser's preferred language at first, then the sidebar's choice."""
    if "language" not in st.session_state:
        st.session_state["language"] = preferred_language(
            st.context.headers.get("Accept-Language"), settings.default_language
        )
    set_language(st.session_state["language"])
    with st.sidebar:
        st.selectbox(
            t("language"), LANGUAGES, key="language", format_func=LANGUAGE_NAMES.__getitem__
        )


def password_matches(username: str, password: str) -> bool:
    """streamlit-authenticator's check against the active users' bcrypt hashes.

    Only the check: the library's session keys are dropped again, because who is logged in is
    the server's session row (``core.access.sessions``), named by the login cookie."""
    with store() as session:
        credentials = users.login_credentials(session)
    checker = AuthenticationController(credentials, auto_hash=False)
    try:
        return bool(checker.login(username, password))
    finally:
        for key in ("authentication_status", "username", "name", "email", "roles"):
            st.session_state.pop(key, None)


def go_to(url: str) -> None:
    """Send the browser to one of the server's routes, where the login cookie is set or cleared
    (Streamlit's websocket cannot set a cookie); a link in case scripts are blocked."""
    st.html(
        f'<script data-href="{escape(url, quote=True)}">{REDIRECT_SCRIPT}</script>',
        unsafe_allow_javascript=True,
    )
    st.markdown(f"[{t('sessions.continue')}]({url})")


def login_form(settings: Settings) -> None:
    """Our own form (translated labels, failed logins audited); a good password starts a server
    session and takes the browser to the route that sets its cookie."""
    show_flash(FIRST_ADMIN_FLASH)
    if front_door.other_step(go_to):
        return
    front_door.provider_buttons()
    if not front_door.passwords_allowed():
        return
    with st.form("login"):
        st.subheader(t("login.form"))
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if not submitted:
        st.caption(t("login.prompt"))
        return
    time.sleep(settings.login_delay_seconds)  # slows password guessing
    if front_door.still_waiting(username):
        return
    if password_matches(username, password):
        front_door.after_password(username, go_to)
        return
    front_door.password_failed(username)


def remember_name(actor: Actor) -> None:
    """The name pages greet the user with, read once per login (not on every rerun)."""
    with store() as session:
        user = users.get_user(session, actor.username)
    st.session_state["name"] = user.name if user is not None else actor.username


def sidebar(actor: Actor) -> None:
    with st.sidebar:
        st.markdown(
            t(
                "sidebar.signed_in",
                name=st.session_state.get("name") or actor.username,
                role=t(f"role.{actor.role.value}"),
            )
        )
        if st.button(t("logout"), key="logout_button"):
            token = presented_token() or ""
            with store() as session:
                sessions.end_by_token(session, token)
            live.signed_in(token, None, looked_up=True)  # this tab knows at once
            go_to(logout_url(token))
            st.stop()
        end_my_other_sessions(actor, presented_token())


def main() -> None:
    st.set_page_config(page_title="1980TIC WhatsApp", page_icon="💬", layout="wide")
    settings = get_settings()
    choose_language(settings)
    with store() as session:
        first_run = not users.has_users(session)
    if first_run:
        setup = st.Page("pages/setup.py", title=t("nav.setup"), icon=":material/key:")
        st.navigation([setup]).run()
        return
    actor = signed_in()
    if actor is None:
        if st.session_state.pop(ACTOR_KEY, None) is not None:
            st.info(t("sessions.ended"))
        login_form(settings)
        return
    if st.session_state.get(ACTOR_KEY) != actor:
        remember_name(actor)
    st.session_state[ACTOR_KEY] = actor
    sidebar(actor)
    pages = [
        st.Page(page.path, title=t(page.title_key), icon=page.icon, url_path=page.url_path)
        for page in visible_pages(actor)
    ]
    live.timed(st.navigation(pages).run)


main()
