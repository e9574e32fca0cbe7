"""Streamlit glue shared by the pages: the store, the acting user, the guard, a pager.

No business logic here; pages call ``core`` for everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, tzinfo
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.config import get_settings
from core.db import get_engine, migrate, session_scope
from core.errors import UserFacingError
from core.i18n import DEFAULT_LANGUAGE, get_language, set_language, t

ACTOR_KEY = "actor"
_MARKDOWN_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]<>$~|#:"})


def plain(value: object) -> str:
    """Untrusted text made safe inside markdown (no formatting, LaTeX, links or emoji codes)."""
    return " ".join(str(value).split()).translate(_MARKDOWN_SPECIAL)


def viewer_timezone() -> tzinfo:
    """The browser's timezone (``st.context``), UTC when it is unknown."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@st.cache_resource
def prepare_store(database_url: str) -> bool:
    """Migrate once per process and store, so ``streamlit run dashboard.py`` alone also works."""
    migrate(get_engine())
    return True


@contextmanager
def store() -> Iterator[Session]:
    prepare_store(get_settings().database_url)
    with session_scope() as session:
        yield session


def show_flash(flash: UserFacingError | tuple[str, dict[str, Any]] | None) -> None:
    """What the last callback did, said in this run's language (callbacks run before it is set)."""
    if isinstance(flash, UserFacingError):
        st.error(flash.message(), icon=":material/error:")
    elif flash:
        key, values = flash
        st.success(t(key, **values), icon=":material/check_circle:")


def current_actor() -> Actor | None:
    return st.session_state.get(ACTOR_KEY)


def page_guard(permission: Permission | None = None) -> Actor:
    """The acting user, or stop the page with a refusal (defence beyond the menu)."""
    set_language(st.session_state.get("language", DEFAULT_LANGUAGE))
    actor = current_actor()
    if actor is None:
        st.stop()
    if permission is not None and not actor.can(permission):
        st.error(t("page.forbidden", role=t(f"role.{actor.role.value}")))
        st.stop()
    return actor


def current_page(key: str) -> int:
    """The 1-based page of list ``key`` to fetch (moved by :func:`pager_controls`)."""
    return st.session_state.get(f"{key}_page", 1)


def _move_page(key: str, delta: int) -> None:
    st.session_state[f"{key}_page"] = max(1, current_page(key) + delta)


def fixed_language_t() -> Callable[..., str]:
    """``t`` bound to this run's language, for ``format_func`` callbacks Streamlit may call later."""
    return partial(t, language=get_language())


def pager_controls(key: str, has_next: bool) -> None:
    """Previous/next buttons under a list; callbacks move the page before the next run."""
    page = current_page(key)
    left, middle, right = st.columns([1, 2, 1])
    left.button(
        t("pager.previous"),
        key=f"{key}_prev",
        disabled=page <= 1,
        on_click=_move_page,
        args=(key, -1),
    )
    middle.caption(t("pager.page", page=page))
    right.button(
        t("pager.next"),
        key=f"{key}_next",
        disabled=not has_next,
        on_click=_move_page,
        args=(key, 1),
    )
