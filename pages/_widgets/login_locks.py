"""Usernames and addresses waiting after failed logins, and lifting a wait: the Users page's panel."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import throttle
from core.access.auth import Actor
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import when
from pages._widgets.session import store

FLASH = "login_locks_flash"


def locks_panel(actor: Actor) -> None:
    st.subheader(t("locks.title"))
    show_flash(FLASH)
    with store() as session:
        locks = throttle.locks(session, actor)
    if not locks:
        st.caption(t("locks.none"))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("locks.kind"): t(f"locks.kind.{lock.kind}"),
                    t("locks.name"): lock.name,
                    t("locks.failures"): lock.failures,
                    t("locks.until"): when(lock.until),
                }
                for lock in locks
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    names = {lock.key: f"{t(f'locks.kind.{lock.kind}')}: {lock.name}" for lock in locks}
    chosen = st.selectbox(
        t("locks.select"), list(names), format_func=names.__getitem__, key="unlock_pick"
    )
    if st.button(t("locks.unlock"), key="unlock_login") and chosen is not None:
        act(
            FLASH,
            lambda session: throttle.unlock(session, actor, chosen),
            Words("locks.unlocked", name=names[chosen]),
            rerun=True,
        )
