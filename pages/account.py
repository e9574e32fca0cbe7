"""My account (every user): turn two-step login on or off, renew recovery codes."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.access import two_factor
from core.access.auth import Actor
from core.access.two_factor import Enrolment
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.session import page_guard, store
from pages._widgets.two_factor import set_up_panel, show_recovery_codes

FLASH = "account_flash"
ENROLMENT = "account_enrolment"  # the key being set up, until the app's first code confirms it
CODES = "account_recovery_codes"  # new recovery codes, shown once on the next run


def keep_codes(codes: list[str]) -> None:
    st.session_state[CODES] = codes
    st.session_state.pop(ENROLMENT, None)


def turn_on(actor: Actor) -> None:
    enrolment: Enrolment | None = st.session_state.get(ENROLMENT)
    if enrolment is None:
        if st.button(t("two_factor.turn_on"), type="primary"):
            st.session_state[ENROLMENT] = two_factor.start_enrolment(actor.username)
            st.rerun()
        return
    code = set_up_panel(enrolment, "account_set_up", "two_factor.scan_own")
    if code is not None:
        act(
            FLASH,
            lambda session: keep_codes(
                two_factor.confirm(session, actor, enrolment, code, actor.username)
            ),
            Words("two_factor.turned_on"),
            rerun=True,
        )
        show_flash(FLASH)  # only a refusal is left to say here: success reruns the page


def turned_on(actor: Actor, session: Session) -> None:
    left = two_factor.recovery_codes_left(session, actor, actor.username)
    st.success(t("two_factor.is_on", count=left), icon=":material/verified_user:")
    if st.button(t("two_factor.renew"), key="renew_codes"):
        act(
            FLASH,
            lambda session: keep_codes(
                two_factor.renew_recovery_codes(session, actor, actor.username)
            ),
            Words("two_factor.renewed"),
            rerun=True,
        )
    with st.form("turn_off"):
        code = st.text_input(t("two_factor.current_code"), key="turn_off_code")
        sent = st.form_submit_button(t("two_factor.turn_off"))
    if sent:
        act(
            FLASH,
            lambda session: two_factor.turn_off(session, actor, actor.username, code),
            Words("two_factor.turned_off"),
            rerun=True,
        )
        show_flash(FLASH)


def render(actor: Actor) -> None:
    st.title(t("nav.account"))
    st.subheader(t("two_factor.title"))
    show_flash(FLASH)
    codes = st.session_state.pop(CODES, None)
    if codes:
        show_recovery_codes(codes)
    with store() as session:
        if two_factor.is_enabled(session, actor.username):
            turned_on(actor, session)
            return
    st.info(t("two_factor.is_off"))
    turn_on(actor)


render(page_guard())
