"""The store, the acting user and the guard every page starts with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlmodel import Session

from core.access import sessions
from core.access.auth import Actor, Permission
from core.access.session_routes import BINDING_COOKIE_NAME, COOKIE_NAME
from core.config import get_settings
from core.db import get_engine, migrate, session_scope
from core.i18n import DEFAULT_LANGUAGE, set_language, t
from pages._widgets import live

ACTOR_KEY = "actor"  # set by dashboard.py once the login is checked
FIRST_ADMIN_FLASH = "first_admin_flash"  # pages/setup.py's outcome, said above the login form


@st.cache_resource
def prepare_store(database_url: str) -> bool:
    """Migrate once per process and store, so ``streamlit run dashboard.py`` alone also works."""
    migrate(get_engine())
    return True


@contextmanager
def store() -> Iterator[Session]:
    """One transaction on the store: committed when the block ends, rolled back on an error."""
    prepare_store(get_settings().database_url)
    with session_scope() as session:
        yield session


def page_guard(permission: Permission | None = None) -> Actor:
    """The acting user, or stop the page with a refusal (defence beyond the menu).

    Also sets this run's language: a fragment rerunning on its own starts here, not at the top."""
    set_language(st.session_state.get("language", DEFAULT_LANGUAGE))
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    if actor is None:
        st.stop()
    if permission is not None and not actor.can(permission):
        st.error(t("page.forbidden", role=t(f"role.{actor.role.value}")))
        st.stop()
    return actor


def presented_token() -> str | None:
    """The login cookie the browser sent when this tab connected (HttpOnly: no script reads it,
    but Streamlit hands the websocket request's cookies to the server side)."""
    return st.context.cookies.get(COOKIE_NAME)


def presented_binding() -> str:
    """This browser's login binding cookie, to which a login's ticket is issued ("" if none)."""
    return st.context.cookies.get(BINDING_COOKIE_NAME) or ""


def signed_in() -> Actor | None:
    """Who this tab's cookie names now. Looked up in the store only when the tab's live watcher
    has not done so lately (``core.channels.watchers.RECHECK_SECONDS``): it looks up every
    open tab's login at once, and reruns a tab whose login ended or changed, so reruns while
    typing cost no query and a logout elsewhere still shows within seconds."""
    token = presented_token()
    known = live.known_login(token)
    if known is not None:
        live.signed_in(token, known.actor, looked_up=False)
        return known.actor
    with store() as session:
        actor = sessions.resolve(session, token)
    live.signed_in(token, actor, looked_up=True)
    return actor
