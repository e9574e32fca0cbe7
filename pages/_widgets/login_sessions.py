"""A user's open login sessions, and ending them: the Users page's panel (admins see anyone's)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import sessions
from core.access.auth import Actor
from core.i18n import t
from core.models import LoginSession
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import when
from pages._widgets.session import store

FLASH = "login_sessions_flash"
OWN_FLASH = "own_sessions_flash"


def client_label(row: LoginSession) -> str:
    return row.client or t("sessions.unknown_client")


def sessions_table(rows: list[LoginSession]) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("sessions.created"): when(row.created_at),
                    t("sessions.last_seen"): when(row.last_seen_at),
                    t("sessions.client"): client_label(row),
                    t("sessions.expires"): when(row.expires_at),
                }
                for row in rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def sessions_panel(actor: Actor, username: str) -> None:
    """Created, last seen and browser of each open session; end one, or all of them (their tabs
    show the login form within seconds)."""
    st.subheader(t("sessions.title"))
    show_flash(FLASH)
    with store() as session:
        rows = sessions.list_active(session, actor, username)
    if not rows:
        st.caption(t("sessions.none"))
        return
    sessions_table(rows)
    labels = {row.id: f"{when(row.created_at)} · {client_label(row)}" for row in rows}
    chosen = st.selectbox(
        t("sessions.select"), list(labels), format_func=labels.__getitem__, key="session_pick"
    )
    one, every = st.columns(2)
    if one.button(t("sessions.end_one"), key="end_session") and chosen is not None:
        act(
            FLASH,
            lambda session: sessions.end(session, actor, username, chosen),
            Words("sessions.ended_one"),
            rerun=True,
        )
    if every.button(t("sessions.end_all"), key="end_all_sessions"):
        act(
            FLASH,
            lambda session: sessions.end_all(session, actor, username),
            lambda count: Words("sessions.ended_all", count=count, username=username),
            rerun=True,
        )


def end_my_other_sessions(actor: Actor, token: str | None) -> None:
    """The signed-in user's own way out of a browser left logged in elsewhere."""
    if st.button(t("sessions.end_others"), key="end_other_sessions", type="tertiary"):
        act(
            OWN_FLASH,
            lambda session: sessions.end_all(session, actor, actor.username, keep_token=token),
            lambda count: Words("sessions.ended_others", count=count),
        )
    show_flash(OWN_FLASH)
