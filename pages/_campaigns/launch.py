"""A checked campaign's name and start time (now, or later in the viewer's timezone), and its
start: created and started in one transaction from the plan the marketer saw."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor
from core.campaigns import retries, runner
from core.campaigns.runner import Mapping, Plan
from core.errors import UserFacingError
from core.i18n import t
from core.models import utcnow
from pages._campaigns.state import LAUNCH_FLASH, PLAN, SELECTED
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import plain, viewer_timezone


def start_moment() -> datetime | None:
    """The chosen start in UTC (``None``: now), from the date and time in the viewer's zone."""
    if st.session_state.get("cmp_when") != "later":
        return None
    day, moment = st.session_state.get("cmp_date"), st.session_state.get("cmp_time")
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, tzinfo=viewer_timezone()).astimezone(UTC)


def launch(actor: Actor, workspace_id: int, mapping: Mapping) -> None:
    """Create the campaign from the checked plan and start it (now or at the chosen time)."""
    stored = st.session_state.get(PLAN)
    if stored is None:
        return
    planned: Plan = stored[1]
    name = (st.session_state.get("cmp_name") or "").strip()
    start_at = start_moment()

    window = (
        (st.session_state["cmp_window_from"], st.session_state["cmp_window_until"])
        if st.session_state.get("cmp_window")
        else None
    )

    def create_and_start(session: Session) -> None:
        if start_at is not None and start_at < utcnow():
            raise UserFacingError("campaign_page.error.past")
        campaign = runner.create(
            session,
            actor,
            name=name,
            workspace_template_id=workspace_id,
            planned=planned,
            mapping=mapping,
            start_at=start_at,
            retry_delays=retries.parse_hours(st.session_state.get("cmp_retry_hours", "")),
            window=window and (window[0].strftime("%H:%M"), window[1].strftime("%H:%M")),
        )
        runner.start(session, actor, campaign.id, start_at=start_at)
        st.session_state[SELECTED] = campaign.id  # the list below opens it

    started = "campaign_page.launch.scheduled" if start_at else "campaign_page.launch.started"
    said = Words(started, name=plain(name), count=len(planned.sendable))
    if act(LAUNCH_FLASH, create_and_start, said):
        st.session_state.pop(PLAN, None)
        st.session_state["cmp_name"] = ""


def sending_options() -> None:
    """An optional sending window in each recipient's local time, and the 131049 retries."""
    if st.checkbox(t("campaign_page.launch.window"), key="cmp_window"):
        st.session_state.setdefault("cmp_window_from", time(9))
        st.session_state.setdefault("cmp_window_until", time(20))
        from_col, until_col = st.columns(2)
        from_col.time_input(t("campaign_page.launch.window_from"), step=900, key="cmp_window_from")
        until_col.time_input(
            t("campaign_page.launch.window_until"), step=900, key="cmp_window_until"
        )
    st.session_state.setdefault(
        "cmp_retry_hours", ", ".join(f"{h:g}" for h in retries.DEFAULT_RETRY_HOURS)
    )
    st.text_input(t("campaign_page.launch.retry_hours"), key="cmp_retry_hours")


def launch_controls(actor: Actor, workspace_id: int, mapping: Mapping, planned: Plan) -> None:
    show_flash(LAUNCH_FLASH)
    st.text_input(t("campaign_page.launch.name"), max_chars=200, key="cmp_name")
    moments = {option: t(f"campaign_page.launch.{option}") for option in ("now", "later")}
    chosen = st.radio(
        t("campaign_page.launch.when"),
        list(moments),
        format_func=moments.__getitem__,
        horizontal=True,
        key="cmp_when",
    )
    if chosen == "later":
        zone = viewer_timezone()
        soon = (utcnow() + timedelta(hours=1)).astimezone(zone)
        st.session_state.setdefault("cmp_date", soon.date())
        st.session_state.setdefault("cmp_time", time(soon.hour))
        day_col, time_col = st.columns(2)
        day_col.date_input(t("campaign_page.launch.date"), key="cmp_date")
        time_col.time_input(t("campaign_page.launch.time"), step=300, key="cmp_time")
        st.caption(t("campaign_page.launch.timezone", zone=str(zone)))
    sending_options()
    st.button(
        t("campaign_page.launch.submit", count=len(planned.sendable)),
        type="primary",
        icon=":material/send:",
        disabled=not planned.sendable,
        on_click=launch,
        args=(actor, workspace_id, mapping),
        key="cmp_launch",
    )
