"""Users (admins): add team members, change roles, reset passwords, deactivate, end sessions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import two_factor, users
from core.access.auth import Actor, Permission
from core.i18n import t
from core.models import Role, User
from pages._users.inbox import agents_see_all_toggle, availability_form
from pages._widgets.flash import Flash, Words, act, show_flash
from pages._widgets.labels import in_this_language, role_label, when
from pages._widgets.login_locks import locks_panel
from pages._widgets.login_sessions import sessions_panel
from pages._widgets.session import page_guard, store
from pages._widgets.sso_settings import passwords_panel
from pages._widgets.two_factor import policy_panel

ROLES = [role.value for role in Role]
FLASH = "users_flash"


def with_password_note(words: Words, username: str, generated: str | None) -> Flash:
    """The success, and a password we generated: said only now, once."""
    note = Words("users.generated_password", username=username, password=generated)
    return Flash(said=(words,), note=note if generated else None)


def add_user_form(actor: Actor) -> None:
    with st.form("add_user", clear_on_submit=True):
        username = st.text_input(t("users.username"))
        name = st.text_input(t("users.name"))
        email = st.text_input(t("users.email"))
        role = st.selectbox(
            t("users.role"), ROLES, format_func=in_this_language(role_label), index=3
        )
        password = st.text_input(t("users.password"), type="password")
        submitted = st.form_submit_button(t("users.submit_add"), type="primary")
    if not submitted:
        return
    initial = password or users.generate_password()
    normalized = username.strip().lower()
    act(
        FLASH,
        lambda session: users.add_user(
            session, actor, username, role, initial, name=name, email=email
        ),
        with_password_note(
            Words("users.added", username=normalized), normalized, None if password else initial
        ),
    )
    show_flash(FLASH)


def team_table(team: list[User], with_two_factor: set[str]) -> None:
    st.subheader(t("users.list"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("users.username"): user.username,
                    t("users.name"): user.name,
                    t("users.role"): role_label(user.role.value),
                    t("users.active"): user.active,
                    t("two_factor.title"): user.username in with_two_factor,
                    t("users.last_login"): when(user.last_login_at, t("users.never")),
                }
                for user in team
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def manage_user(actor: Actor, chosen: User) -> None:
    """Role, active or not, and password of one team member."""
    role_col, active_col = st.columns(2)
    with role_col:
        new_role = st.selectbox(
            t("users.role"),
            ROLES,
            index=ROLES.index(chosen.role.value),
            format_func=in_this_language(role_label),
            key="manage_role",
        )
        if st.button(t("users.save_role")):
            act(
                FLASH,
                lambda session: users.set_role(session, actor, chosen.username, new_role),
                Words("users.role_changed", username=chosen.username, role=role_label(new_role)),
            )
            show_flash(FLASH)
    with active_col:
        if st.button(t("users.deactivate" if chosen.active else "users.activate")):
            act(
                FLASH,
                lambda session: users.set_active(
                    session, actor, chosen.username, not chosen.active
                ),
                Words(
                    "users.deactivated" if chosen.active else "users.activated",
                    username=chosen.username,
                ),
            )
            show_flash(FLASH)
    new_password = st.text_input(t("users.new_password"), type="password", key="manage_password")
    if st.button(t("users.reset_password")):
        replacement = new_password or users.generate_password()
        act(
            FLASH,
            lambda session: users.reset_password(session, actor, chosen.username, replacement),
            with_password_note(
                Words("users.password_reset", username=chosen.username),
                chosen.username,
                None if new_password else replacement,
            ),
        )
        show_flash(FLASH)
    if st.button(t("two_factor.reset"), key="reset_two_factor"):
        act(
            FLASH,
            lambda session: two_factor.turn_off(session, actor, chosen.username),
            Words("two_factor.reset_done", username=chosen.username),
        )
        show_flash(FLASH)


def render(actor: Actor) -> None:
    st.title(t("users.title"))
    with st.expander(t("users.add"), icon=":material/person_add:"):
        add_user_form(actor)
    with store() as session:
        team = users.list_users(session, actor)
        with_two_factor = two_factor.users_with_it(session, actor)
    team_table(team, with_two_factor)
    agents_see_all_toggle(actor)
    policy_panel(actor)
    passwords_panel(actor)
    locks_panel(actor)
    st.subheader(t("users.manage"))
    selected = st.selectbox(t("users.select"), [user.username for user in team], key="manage_user")
    chosen = next((user for user in team if user.username == selected), None)
    if chosen is not None:
        manage_user(actor, chosen)
        availability_form(actor, chosen)
        sessions_panel(actor, chosen.username)


render(page_guard(Permission.MANAGE_USERS))
