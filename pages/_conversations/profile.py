"""The contact beside the thread: name, number, channel, first seen, labels, custom attributes
(editable), opt-out, other conversations and campaigns received. Self-contained:
``profile_panel(actor, conversation_id)``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import profile
from core.errors import UserFacingError
from core.i18n import t
from pages._conversations.assignment import status_label
from pages._widgets.flash import Words, act, say_refusal, show_flash
from pages._widgets.labels import plain, when
from pages._widgets.session import store

FLASH = "profile_flash"


def identity(shown: profile.ContactProfile) -> None:
    st.markdown(f"**{plain(shown.name or '+' + shown.wa_id)}**")
    st.caption(f"+{shown.wa_id} · {plain(shown.channel_name)}")
    st.caption(t("inbox_pages.first_seen", moment=when(shown.first_seen)))
    if shown.opted_out:
        st.warning(
            t("inbox_pages.opted_out", moment=when(shown.opted_out_at)), icon=":material/block:"
        )
    if shown.labels:
        st.markdown(" ".join(f"`{plain(label.name)}`" for label in shown.labels))


def attributes_form(actor: Actor, shown: profile.ContactProfile) -> None:
    """Custom attributes: each editable; an empty value removes it; one new pair at a time."""
    for key, value in shown.attributes.items():
        st.markdown(f"{plain(key)}: **{plain(value)}**")
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        return
    with st.form(f"attribute_{shown.contact_id}", clear_on_submit=True):
        key_col, value_col = st.columns(2)
        key = key_col.text_input(t("inbox_pages.attribute_key"), key=f"attr_key_{shown.contact_id}")
        value = value_col.text_input(
            t("inbox_pages.attribute_value"), key=f"attr_value_{shown.contact_id}"
        )
        save = st.form_submit_button(
            t("inbox_pages.save_attribute"), help=t("inbox_pages.attribute_help")
        )
    if save:
        act(
            FLASH,
            lambda session: profile.set_attribute(session, actor, shown.contact_id, key, value),
            Words("inbox_pages.attribute_saved", attribute=key.strip().lower()),
            rerun=True,
        )
        show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)


def history(shown: profile.ContactProfile) -> None:
    if shown.conversations:
        st.markdown(f"**{t('inbox_pages.other_conversations')}**")
        for other in shown.conversations:
            st.caption(
                f"{plain(other.channel_name)} · {status_label(other.status.value)} · "
                f"{plain(other.assignee or t('inbox_pages.nobody'))} · {when(other.last_message_at)}"
            )
    if shown.campaigns:
        st.markdown(f"**{t('inbox_pages.campaigns_received')}**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("inbox_pages.campaign"): campaign.name,
                        t("inbox_pages.sent_at"): when(campaign.sent_at),
                        t("inbox_pages.message_status"): t(
                            f"viewer.status.{campaign.status.value}"
                        ),
                    }
                    for campaign in shown.campaigns
                ]
            ),
            hide_index=True,
        )


def profile_panel(actor: Actor, conversation_id: int) -> None:
    """The conversation's contact (or why it may not be seen)."""
    try:
        with store() as session:
            shown = profile.profile(session, actor, conversation_id)
    except UserFacingError as refusal:
        say_refusal(refusal)
        return
    show_flash(FLASH, keep=True)  # until the next action: live reruns come any second
    identity(shown)
    attributes_form(actor, shown)
    history(shown)
