"""The admin's single sign-on choice on the Users page: keep local passwords, or turn them off."""

from __future__ import annotations

import streamlit as st

from core.access import sso
from core.access.auth import Actor
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.front_door import configured_providers
from pages._widgets.session import store

FLASH = "sso_settings_flash"
TOGGLE = "passwords_allowed"


def passwords_panel(actor: Actor) -> None:
    providers = configured_providers()
    show_flash(FLASH)
    if providers:
        st.caption(t("sso.configured", providers=", ".join(p.label for p in providers)))
    else:
        st.caption(t("sso.none_configured"))
    if TOGGLE not in st.session_state:
        with store() as session:
            st.session_state[TOGGLE] = sso.passwords_allowed(session)
    st.toggle(
        t("sso.passwords_allowed"), key=TOGGLE, on_change=change_passwords, args=(actor, providers)
    )


def change_passwords(actor: Actor, providers: list[sso.Provider]) -> None:
    """The toggle's callback: the change, or the toggle back where it was when refused."""
    wanted = st.session_state[TOGGLE]
    done = act(
        FLASH,
        lambda session: sso.set_passwords_allowed(session, actor, wanted, providers),
        Words("sso.passwords_on" if wanted else "sso.passwords_off"),
    )
    if not done:
        st.session_state[TOGGLE] = not wanted
