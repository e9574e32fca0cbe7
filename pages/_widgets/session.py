"""The store, the acting user and the guard every page starts with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.config import get_settings
from core.db import get_engine, migrate, session_scope
from core.i18n import DEFAULT_LANGUAGE, set_language, t

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
