"""The store, the acting user and the guard every page starts with."""

from __future__ import annotations

import time
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

ACTOR_KEY = "actor"  # set by dashboard.py once the login is checked
FIRST_ADMIN_FLASH = "first_admin_flash"  # pages/setup.py's outcome, said above the login form
CHECKED_KEY = "session_checked"  # (token, actor, when) of the last look at the session row
RECHECK_SECONDS = 3.0
"""How stale the acting user may be: a logout, deactivation or role change elsewhere shows in
every open tab within this long (plus one rerun), for one indexed lookup per tab and period."""


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
    """Who this tab's cookie names now, asked of the store at most every ``RECHECK_SECONDS``, so
    reruns while typing cost no query (``pages/_widgets/live.py`` asks every second)."""
    token = presented_token()
    checked = st.session_state.get(CHECKED_KEY)
    now = time.monotonic()
    if checked and checked[0] == token and now - checked[2] < RECHECK_SECONDS:
        return checked[1]
    with store() as session:
        actor = sessions.resolve(session, token)
    st.session_state[CHECKED_KEY] = (token, actor, now)
    return actor
