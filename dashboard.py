"""The dashboard's entry script: language, login gate and the menu for the user's role.

Nothing else lives here; each page is a script in ``pages/`` and all logic is in ``core``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from core.access import users
from core.access.auth import Actor
from core.access.navigation import visible_pages
from core.config import Settings, get_settings
from core.crypto import cookie_key
from core.i18n import LANGUAGES, preferred_language, set_language, t
from pages._widgets.flash import show_flash
from pages._widgets.session import ACTOR_KEY, FIRST_ADMIN_FLASH, store

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


def make_authenticator(settings: Settings, credentials: dict[str, Any]) -> stauth.Authenticate:
    authenticator = stauth.Authenticate(
        credentials,
        cookie_name="whatsapp_1980tic_session",
        cookie_key=cookie_key(),
        cookie_expiry_days=settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_delay_seconds,
    )
    authenticator.login(location="unrendered")  # restores a session from a valid signed cookie
    return authenticator


def login_form(authenticator: stauth.Authenticate) -> None:
    """Our own form (for translated labels and failed-login auditing), checked by the library."""
    show_flash(FIRST_ADMIN_FLASH)
    with st.form("login"):
        st.subheader(t("login.form"))
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if not submitted:
        st.caption(t("login.prompt"))
        return
    if authenticator.authentication_controller.login(username, password):
        authenticator.cookie_controller.set_cookie()
        st.rerun()
    with store() as session:
        users.record_failed_login(session, username)
    st.session_state["authentication_status"] = None
    st.error(t("login.failed"))


def signed_in_actor(authenticator: stauth.Authenticate) -> Actor | None:
    """The logged-in user as core knows them now (``None`` once deactivated); the login is
    recorded once per session."""
    with store() as session:
        actor = users.actor_for(session, st.session_state.get("username"))
        if actor is not None and not st.session_state.get("login_recorded"):
            users.record_login(session, actor.username)
            st.session_state["login_recorded"] = True
    if actor is None:
        authenticator.logout(location="unrendered")
        st.session_state.pop(ACTOR_KEY, None)
        st.error(t("login.deactivated"))
    return actor


def sidebar(actor: Actor, authenticator: stauth.Authenticate) -> None:
    with st.sidebar:
        st.markdown(
            t(
                "sidebar.signed_in",
                name=st.session_state.get("name") or actor.username,
                role=t(f"role.{actor.role.value}"),
            )
        )
        if st.button(t("logout"), key="logout_button"):
            authenticator.logout(location="unrendered")
            for key in (ACTOR_KEY, "login_recorded"):
                st.session_state.pop(key, None)
            st.rerun()


def main() -> None:
    st.set_page_config(page_title="1980TIC WhatsApp", page_icon=":material/chat:", layout="wide")
    settings = get_settings()
    choose_language(settings)
    with store() as session:
        first_run = users.user_count(session) == 0
        credentials = users.login_credentials(session)
    if first_run:
        setup = st.Page("pages/setup.py", title=t("nav.setup"), icon=":material/key:")
        st.navigation([setup]).run()
        return
    authenticator = make_authenticator(settings, credentials)
    if not st.session_state.get("authentication_status"):
        st.session_state.pop(ACTOR_KEY, None)
        login_form(authenticator)
        return
    actor = signed_in_actor(authenticator)
    if actor is None:
        return
    st.session_state[ACTOR_KEY] = actor
    sidebar(actor, authenticator)
    pages = [
        st.Page(page.path, title=t(page.title_key), icon=page.icon, url_path=page.url_path)
        for page in visible_pages(actor)
    ]
    st.navigation(pages).run()


main()
