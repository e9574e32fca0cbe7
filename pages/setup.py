"""First-run page: creates the first admin, and only while no user exists (no default password)."""

import streamlit as st

from core.access import users
from core.errors import UserFacingError
from core.i18n import t
from pages.common import store

st.title(t("setup.title"))
st.write(t("setup.intro"))
with st.form("setup"):
    name = st.text_input(t("setup.name"))
    username = st.text_input(t("setup.username"))
    password = st.text_input(t("setup.password"), type="password")
    repeated = st.text_input(t("setup.password_repeat"), type="password")
    submitted = st.form_submit_button(t("setup.submit"), type="primary")

if submitted:
    if password != repeated:
        st.error(t("setup.mismatch"))
    else:
        try:
            with store() as session:
                users.create_first_admin(session, username, password, name=name)
        except UserFacingError as exc:
            st.error(exc.message())
        else:
            st.success(t("setup.done"))
            st.rerun()
