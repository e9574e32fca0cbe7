"""The team inbox on the Users page: whether agents see every conversation, and each member's
availability and limit of open conversations for automatic assignment."""

from __future__ import annotations

import streamlit as st

from core.access import settings
from core.access.auth import Actor
from core.conversations import assignment
from core.i18n import t
from core.models import User
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.session import store

FLASH = "users_inbox_flash"


def agents_see_all_toggle(actor: Actor) -> None:
    """Agents see their conversations and the unassigned ones, unless this is on."""
    with store() as session:
        current = bool(settings.get(session, settings.AGENTS_SEE_ALL))

    def switch() -> None:
        wanted = bool(st.session_state["agents_see_all"])
        act(
            FLASH,
            lambda session: settings.put(session, actor, settings.AGENTS_SEE_ALL, wanted),
            Words("inbox_pages.see_all_on" if wanted else "inbox_pages.see_all_off"),
        )

    st.toggle(
        t("inbox_pages.see_all"),
        current,
        key="agents_see_all",
        help=t("inbox_pages.see_all_help"),
        on_change=switch,
    )
    show_flash(FLASH)


def availability_form(actor: Actor, chosen: User) -> None:
    """Available or away, and at most how many open conversations automatic assignment gives
    (0: no limit). Only for members who answer conversations."""
    if chosen.role not in assignment.ANSWERING_ROLES or not chosen.active:
        return
    with st.form(f"availability_{chosen.username}"):
        available = st.toggle(
            t("inbox_pages.available"), chosen.available, key=f"available_{chosen.username}"
        )
        limit = st.number_input(
            t("inbox_pages.open_limit"),
            min_value=0,
            value=chosen.open_limit or 0,
            help=t("inbox_pages.open_limit_help"),
            key=f"open_limit_{chosen.username}",
        )
        save = st.form_submit_button(t("inbox_pages.save_availability"))
    if save:
        act(
            FLASH,
            lambda session: assignment.set_availability(
                session, actor, chosen.username, available=available, open_limit=int(limit) or None
            ),
            Words("inbox_pages.availability_saved", username=chosen.username),
        )
        show_flash(FLASH)
