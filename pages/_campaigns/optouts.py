"""Contacts of a channel who asked not to receive marketing, and opting one back in (admins)."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.conversations import optouts
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import plain, when
from pages._widgets.session import store

OPT_IN_FLASH = "cmp_flash_opt_in"
OPTED_OUT_SHOWN = 50


def opt_in(actor: Actor, contact_id: int, number: str) -> None:
    act(
        OPT_IN_FLASH,
        lambda session: optouts.set_opted_out(session, actor, contact_id, False),
        Words("campaign_page.optout.opted_in", number=plain(number)),
    )


def opted_out_section(actor: Actor, channel_id: int) -> None:
    st.subheader(t("campaign_page.optout.title"))
    st.caption(t("campaign_page.optout.intro"))
    show_flash(OPT_IN_FLASH)
    with store() as session:
        contacts = optouts.list_opted_out(session, actor, channel_id, limit=OPTED_OUT_SHOWN)
    if not contacts:
        st.caption(t("campaign_page.optout.none"))
        return
    for contact in contacts:
        number = f"+{contact.wa_id}"
        who_col, since_col, button_col = st.columns([3, 2, 2])
        who_col.markdown(f"**{plain(contact.profile_name or number)}** · {plain(number)}")
        since_col.caption(t("campaign_page.optout.since", when=when(contact.opted_out_at)))
        button_col.button(
            t("campaign_page.optout.opt_in"),
            icon=":material/undo:",
            key=f"cmp_opt_in_{contact.id}",
            on_click=opt_in,
            args=(actor, contact.id, number),
        )
