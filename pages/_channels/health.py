"""A channel's number health on the channels page: the shared card, a check now, the history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access.auth import Actor
from core.channels import number_health
from core.channels.connect import ChannelInfo
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import when
from pages._widgets.number_health import number_health_card, value_label
from pages._widgets.session import store

FLASH = "number_health_flash"


def history_table(actor: Actor, channel_id: int) -> None:
    with store() as session:
        changes = number_health.history(session, actor, channel_id)
    if not changes:
        return
    with st.expander(t("number_health.history")):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("number_health.when"): when(state.recorded_at, ""),
                        t("number_health.source"): state.source,
                        t("number_health.event_column"): state.event or "",
                        t("number_health.can_send"): value_label("can_send", state.can_send),
                        t("number_health.quality_rating"): value_label(
                            "quality_rating", state.quality_rating
                        ),
                        t("number_health.messaging_limit"): value_label(
                            "messaging_limit", state.messaging_limit
                        ),
                        t("number_health.name_status"): value_label(
                            "name_status", state.name_status
                        ),
                        t("number_health.worse"): ", ".join(
                            t(f"number_health.aspect_short.{aspect}") for aspect in state.worsened
                        ),
                    }
                    for state in changes
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def health_part(actor: Actor, info: ChannelInfo) -> None:
    """Cloud numbers only: On-Premise numbers have none of these."""
    if info.generation != "cloud":
        return
    st.markdown(f"**{t('number_health.title')}**")
    number_health_card(actor, info.id)
    if st.button(t("number_health.check_now"), key=f"check_health_{info.id}"):
        act(
            FLASH,
            lambda session: number_health.check_number(session, actor, info.id),
            Words("number_health.checked_now"),
            rerun=True,
        )
    show_flash(FLASH)
    history_table(actor, info.id)
