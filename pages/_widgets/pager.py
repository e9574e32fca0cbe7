"""Previous/next under a long list; the page number lives in ``st.session_state``."""

from __future__ import annotations

import streamlit as st

from core.i18n import t


def current_page(key: str) -> int:
    """The 1-based page of list ``key`` to fetch (moved by :func:`pager_controls`)."""
    return st.session_state.get(f"{key}_page", 1)


def first_page(key: str) -> None:
    """Back to page 1 of list ``key``: a callback for the filters above it."""
    st.session_state[f"{key}_page"] = 1


def _move_page(key: str, delta: int) -> None:
    st.session_state[f"{key}_page"] = max(1, current_page(key) + delta)


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
