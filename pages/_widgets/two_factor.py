"""Setting up two-step login (QR code, first code) and showing recovery codes: the same panel in
the login's second step and on the Account page."""

from __future__ import annotations

import streamlit as st

from core.access import two_factor
from core.access.auth import Actor
from core.access.two_factor import Enrolment, Policy
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import in_this_language
from pages._widgets.session import store

POLICY_FLASH = "two_factor_policy_flash"


def set_up_panel(enrolment: Enrolment, form_key: str, intro: str) -> str | None:
    """The QR code (and its key as text), then the app's first code; the code once sent."""
    st.markdown(t(intro))
    st.image(enrolment.qr_png(), width=240)
    with st.expander(t("two_factor.cannot_scan")):
        st.code(enrolment.secret, language=None)
    with st.form(form_key):
        code = st.text_input(t("two_factor.code"), key=f"{form_key}_code")
        sent = st.form_submit_button(t("two_factor.confirm"), type="primary")
    return code if sent else None


def show_recovery_codes(codes: list[str]) -> None:
    st.warning(t("two_factor.codes_once"), icon=":material/key:")
    st.code("\n".join(codes), language=None)


def policy_label(value: str, language: str | None = None) -> str:
    return t(f"two_factor.policy.{value}", language)


def policy_panel(actor: Actor) -> None:
    """The admin's choice of who must use two-step login."""
    show_flash(POLICY_FLASH)
    with store() as session:
        current = two_factor.policy(session)
    choices = [policy.value for policy in Policy]
    chosen = st.selectbox(
        t("two_factor.policy"),
        choices,
        index=choices.index(current.value),
        format_func=in_this_language(policy_label),
        key="two_factor_policy",
    )
    if st.button(t("two_factor.policy_save"), key="two_factor_policy_save"):
        act(
            POLICY_FLASH,
            lambda session: two_factor.set_policy(session, actor, chosen),
            Words("two_factor.policy_saved", policy=t(f"two_factor.policy.{chosen}")),
            rerun=True,
        )
