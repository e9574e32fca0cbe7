"""Users (admins): add team members, change roles, reset passwords, deactivate."""

import pandas as pd
import streamlit as st

from core.access import users
from core.access.auth import Permission
from core.errors import UserFacingError
from core.i18n import t
from core.models import Role
from pages.common import fixed_language_t, page_guard, store

actor = page_guard(Permission.MANAGE_USERS)
st.title(t("users.title"))
ROLES = [role.value for role in Role]


translate = fixed_language_t()


def role_label(role: str) -> str:
    return translate(f"role.{role}")


def attempt(action, success_key: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    """Run a core action; say what happened in the user's words."""
    try:
        with store() as session:
            action(session)
    except UserFacingError as exc:
        st.error(exc.message())
    else:
        st.success(t(success_key, **values))


with st.expander(t("users.add"), icon=":material/person_add:"):
    with st.form("add_user", clear_on_submit=True):
        username = st.text_input(t("users.username"))
        name = st.text_input(t("users.name"))
        email = st.text_input(t("users.email"))
        role = st.selectbox(t("users.role"), ROLES, format_func=role_label, index=3)
        password = st.text_input(t("users.password"), type="password")
        submitted = st.form_submit_button(t("users.submit_add"), type="primary")
    if submitted:
        initial = password or users.generate_password()
        attempt(
            lambda s: users.add_user(s, actor, username, role, initial, name=name, email=email),
            "users.added",
            username=username.strip().lower(),
        )
        if not password:
            st.info(
                t("users.generated_password", username=username.strip().lower(), password=initial)
            )

with store() as session:
    team = users.list_users(session, actor)

st.subheader(t("users.list"))
st.dataframe(
    pd.DataFrame(
        [
            {
                t("users.username"): user.username,
                t("users.name"): user.name,
                t("users.role"): role_label(user.role.value),
                t("users.active"): user.active,
                t("users.last_login"): user.last_login_at or t("users.never"),
            }
            for user in team
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("users.manage"))
selected = st.selectbox(t("users.select"), [user.username for user in team], key="manage_user")
chosen = next((user for user in team if user.username == selected), None)
if chosen is not None:
    role_col, active_col = st.columns(2)
    with role_col:
        new_role = st.selectbox(
            t("users.role"),
            ROLES,
            index=ROLES.index(chosen.role.value),
            format_func=role_label,
            key="manage_role",
        )
        if st.button(t("users.save_role")):
            attempt(
                lambda s: users.set_role(s, actor, chosen.username, new_role),
                "users.role_changed",
                username=chosen.username,
                role=role_label(new_role),
            )
    with active_col:
        if chosen.active and st.button(t("users.deactivate"), type="secondary"):
            attempt(
                lambda s: users.set_active(s, actor, chosen.username, False),
                "users.deactivated",
                username=chosen.username,
            )
        if not chosen.active and st.button(t("users.activate")):
            attempt(
                lambda s: users.set_active(s, actor, chosen.username, True),
                "users.activated",
                username=chosen.username,
            )
    new_password = st.text_input(t("users.new_password"), type="password", key="manage_password")
    if st.button(t("users.reset_password")):
        replacement = new_password or users.generate_password()
        attempt(
            lambda s: users.reset_password(s, actor, chosen.username, replacement),
            "users.password_reset",
            username=chosen.username,
        )
        if not new_password:
            st.info(t("users.generated_password", username=chosen.username, password=replacement))
