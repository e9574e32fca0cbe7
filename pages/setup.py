"""First run: creates the first admin, and only while no user exists (no default password)."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.access import users
from core.errors import UserFacingError
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.session import FIRST_ADMIN_FLASH


def render() -> None:
    st.title(t("setup.title"))
    st.write(t("setup.intro"))
    with st.form("setup"):
        name = st.text_input(t("setup.name"))
        username = st.text_input(t("setup.username"))
        password = st.text_input(t("setup.password"), type="password")
        repeated = st.text_input(t("setup.password_repeat"), type="password")
        submitted = st.form_submit_button(t("setup.submit"), type="primary")
    if not submitted:
        return

    def create_admin(session: Session) -> None:
        if password != repeated:
            raise UserFacingError("setup.mismatch")
        users.create_first_admin(session, username, password, name=name)

    act(FIRST_ADMIN_FLASH, create_admin, Words("setup.done"), rerun=True)  # to the login form
    show_flash(FIRST_ADMIN_FLASH)


render()
