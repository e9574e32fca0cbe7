"""A channel's team inbox settings: business hours (timezone, a span per weekday, holidays), the
away message sent outside them, and automatic round-robin assignment."""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

import streamlit as st

from core.access.auth import Actor
from core.channels import hours
from core.conversations import assignment
from core.i18n import t
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.session import store

FLASH = "channel_inbox_flash"
OPENS, CLOSES = time(9), time(18)


def day_span(channel_id: int, day: int, stored: hours.Schedule) -> tuple[str, str] | None:
    """One weekday: open or not, from and to (the first span the store has for it)."""
    spans = stored.week.get(day, ())
    open_col, from_col, to_col = st.columns([2, 1, 1])
    is_open = open_col.checkbox(
        t(f"inbox_pages.day.{day}"), value=bool(spans), key=f"hours_open_{channel_id}_{day}"
    )
    opens = from_col.time_input(
        t("inbox_pages.opens"),
        spans[0][0] if spans else OPENS,
        key=f"hours_from_{channel_id}_{day}",
        label_visibility="collapsed",
    )
    closes = to_col.time_input(
        t("inbox_pages.closes"),
        spans[0][1] if spans else CLOSES,
        key=f"hours_to_{channel_id}_{day}",
        label_visibility="collapsed",
    )
    return (opens.isoformat("minutes"), closes.isoformat("minutes")) if is_open else None


def hours_form(actor: Actor, channel_id: int, stored: hours.Schedule) -> None:
    zones = sorted(available_timezones())
    with st.form(f"hours_{channel_id}"):
        enabled = st.toggle(
            t("inbox_pages.hours_enabled"), stored.enabled, key=f"hours_enabled_{channel_id}"
        )
        zone = st.selectbox(
            t("inbox_pages.timezone"),
            zones,
            index=zones.index(stored.timezone) if stored.timezone in zones else zones.index("UTC"),
            key=f"hours_zone_{channel_id}",
        )
        week = {day: span for day in hours.DAYS if (span := day_span(channel_id, day, stored))}
        holidays = st.text_area(
            t("inbox_pages.holidays"),
            "\n".join(sorted(day.isoformat() for day in stored.holidays)),
            help=t("inbox_pages.holidays_help"),
            key=f"hours_holidays_{channel_id}",
        )
        away = st.text_area(
            t("inbox_pages.away_message"),
            stored.away_message,
            max_chars=hours.MAX_AWAY_LENGTH,
            help=t("inbox_pages.away_help"),
            key=f"hours_away_{channel_id}",
        )
        save = st.form_submit_button(t("inbox_pages.save_hours"))
    if save:
        act(
            FLASH,
            lambda session: hours.set_hours(
                session,
                actor,
                channel_id,
                enabled=enabled,
                timezone=zone,
                week={day: [span] for day, span in week.items()},
                holidays=holidays.split(),
                away_message=away,
            ),
            Words("inbox_pages.hours_saved"),
        )


def auto_assign_toggle(actor: Actor, channel_id: int, enabled: bool) -> None:
    def switch() -> None:
        wanted = st.session_state[f"auto_assign_{channel_id}"]
        act(
            FLASH,
            lambda session: assignment.set_auto_assign(session, actor, channel_id, wanted),
            Words("inbox_pages.auto_assign_on" if wanted else "inbox_pages.auto_assign_off"),
        )

    st.toggle(
        t("inbox_pages.auto_assign"),
        enabled,
        key=f"auto_assign_{channel_id}",
        help=t("inbox_pages.auto_assign_help"),
        on_change=switch,
    )


def channel_inbox_settings(actor: Actor, channel_id: int, auto_assign: bool) -> None:
    """The channel's inbox settings, under its connection settings."""
    st.markdown(f"**{t('inbox_pages.channel_inbox')}**")
    with store() as session:
        stored = hours.get_hours(session, actor, channel_id)
    auto_assign_toggle(actor, channel_id, auto_assign)
    hours_form(actor, channel_id, stored)
    show_flash(FLASH)
