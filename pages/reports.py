"""Reports (managers, admins, marketers): when customers write, how fast the team answers, who
answered, and how each template does, for chosen days and one channel or all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.i18n import get_language, t
from core.reports import charts, response_times, template_performance
from core.reports.periods import Period
from pages._reports.charts import heatmap, response_trend, team_table
from pages._reports.templates import performance_table
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import channel_label, duration, in_this_language, viewer_timezone
from pages._widgets.session import page_guard, store

TARGET = "reports_target"  # flash key
VIEWS = ("activity", "templates")


def chosen_filters(actor: Actor) -> tuple[Period, int | None]:
    """The viewer's days (first and last included) and a channel (``None``: all)."""
    with store() as session:
        channels = list_channels(session, actor)
    names = {channel.id: channel_label(channel) for channel in channels}
    all_channels = t("reports.all_channels")
    days_col, channel_col = st.columns(2)
    today = datetime.now(viewer_timezone()).date()
    chosen = days_col.date_input(
        t("reports.days"), value=(today - timedelta(days=29), today), max_value=today
    )
    first, last = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else (today, today)
    channel_id = channel_col.selectbox(
        t("reports.channel"), [None, *names], format_func=lambda id_: names.get(id_, all_channels)
    )
    return local_days(first, last), channel_id


def local_days(first: date, last: date) -> Period:
    zone = viewer_timezone()
    return Period(
        datetime.combine(first, time(), zone),
        datetime.combine(last + timedelta(days=1), time(), zone),
    )


def activity_tab(actor: Actor, period: Period, channel_id: int | None) -> None:
    zone = viewer_timezone()
    with store() as session:
        cells = charts.messages_by_hour(session, actor, period, zone, channel_id)
        days = charts.responses_by_day(session, actor, period, zone, channel_id)
        members = charts.team(session, actor, period, channel_id)
    st.subheader(t("reports.chart.heatmap"))
    heatmap(cells)
    st.subheader(t("reports.chart.responses"))
    response_trend(days)
    st.subheader(t("reports.team"))
    team_table(members)


def templates_tab(actor: Actor, period: Period, channel_id: int | None) -> None:
    with store() as session:
        figures = template_performance.performance(
            session, actor, period, channel_id, get_language()
        )
    performance_table(figures)


def target_setting(actor: Actor) -> None:
    """Admins choose how quickly customers should get a first answer."""
    with store() as session:
        current = response_times.target_minutes(session)
    choices = response_times.TARGET_MINUTES
    with st.form("reports_target_form"):
        minutes = st.selectbox(
            t("reports.target"),
            choices,
            index=choices.index(current),
            format_func=lambda value: duration(value * 60),
        )
        if st.form_submit_button(t("reports.target.save")):
            act(
                TARGET,
                lambda session: response_times.set_target_minutes(session, actor, minutes),
                Words("reports.target.saved", target=duration(minutes * 60)),
            )
    show_flash(TARGET)


def render(actor: Actor) -> None:
    st.title(t("reports.title"))
    period, channel_id = chosen_filters(actor)
    # one view at a time: tabs would read and draw both on every run
    view = st.segmented_control(
        t("reports.view"),
        VIEWS,
        default=VIEWS[0],
        format_func=in_this_language(lambda key, language: t(f"reports.tab.{key}", language)),
        key="reports_view",
        label_visibility="collapsed",
    )
    if view == "templates":
        templates_tab(actor, period, channel_id)
    else:
        activity_tab(actor, period, channel_id)
    if actor.can(Permission.MANAGE_CHANNELS):
        with st.expander(t("reports.target.heading")):
            target_setting(actor)


render(page_guard(Permission.VIEW_REPORTS))
