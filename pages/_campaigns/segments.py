"""Saved segments on the campaign page: an audience from a saved segment, and saving the
contacts' conditions under a name."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access.auth import Actor
from core.campaigns import segments
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import plain
from pages._widgets.session import store

SEGMENT_FLASH = "cmp_segment_flash"


def describe(conditions: list[dict[str, Any]]) -> str:
    return ", ".join(
        t(f"campaign_page.segment.kind.{c['kind']}", value=plain(c["value"])) for c in conditions
    )


def audience_from_segment(actor: Actor, channel_id: int) -> tuple[pd.DataFrame | None, str]:
    with store() as session:
        found = {
            s.id: (s.name, s.conditions or []) for s in segments.saved(session, actor, channel_id)
        }
    if not found:
        st.info(t("campaign_page.audience.no_segments"), icon=":material/filter_alt:")
        return None, ""
    names = {sid: name for sid, (name, _) in found.items()}
    chosen = st.selectbox(
        t("campaign_page.segment.pick"), list(names), format_func=names.__getitem__, key="cmp_seg"
    )
    name, conditions = found[chosen]
    st.caption(t("campaign_page.segment.conditions", conditions=describe(conditions) or "—"))
    with store() as session:
        frame = segments.contacts(session, actor, channel_id, conditions)
    return frame, name


def _save(actor: Actor, channel_id: int, conditions: list[dict[str, Any]]) -> None:
    name = (st.session_state.get("cmp_seg_name") or "").strip()
    act(
        SEGMENT_FLASH,
        lambda session: segments.save(session, actor, channel_id, name, conditions),
        Words("campaign_page.segment.saved", name=plain(name)),
    )


def save_segment(actor: Actor, channel_id: int, conditions: list[dict[str, Any]]) -> None:
    """A name and a button that keep the current conditions as a segment."""
    show_flash(SEGMENT_FLASH)
    name_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    name_col.text_input(t("campaign_page.segment.name"), max_chars=120, key="cmp_seg_name")
    button_col.button(
        t("campaign_page.segment.save"),
        icon=":material/bookmark_add:",
        on_click=_save,
        args=(actor, channel_id, conditions),
        key="cmp_seg_save",
    )
