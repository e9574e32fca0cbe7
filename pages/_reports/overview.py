"""The overview on home: today or the last 7 or 30 days, each figure beside its change against
the period before and a link to its list; each role sees the parts it may read."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.channels.registry import ChannelInfo
from core.i18n import t
from core.reports import periods
from core.reports.overview import Overview, overview
from core.reports.summary import TEMPLATE_STATUSES, Traffic
from pages._widgets.labels import channel_label, duration, in_this_language, viewer_timezone
from pages._widgets.number_health import number_health_card
from pages._widgets.session import store

PERIODS = ("today", "7", "30")


def chosen_period() -> periods.Period:
    choice = st.segmented_control(
        t("reports.period"),
        PERIODS,
        default="7",
        format_func=in_this_language(lambda key, language: t(f"reports.period.{key}", language)),
        key="overview_period",
    )
    if choice == "today":
        return periods.today(viewer_timezone())
    return periods.last_days(int(choice or 7))


def signed(value: float, text: str) -> str:
    return text if value < 0 else f"+{text}"


def time_change(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    change = now - before
    return signed(change, ("-" if change < 0 else "") + duration(abs(change)))


def traffic_metrics(current: Traffic, previous: Traffic, target_seconds: int) -> None:
    opened, inbound, outbound = st.columns(3)
    opened.metric(
        t("reports.conversations"),
        current.conversations,
        current.conversations - previous.conversations,
    )
    inbound.metric(t("reports.inbound"), current.inbound, current.inbound - previous.inbound)
    outbound.metric(t("reports.outbound"), current.outbound, current.outbound - previous.outbound)
    median, p90, within = st.columns(3)
    now, before = current.first_response, previous.first_response
    median.metric(
        t("reports.first_response.median"),
        duration(now.median),
        time_change(now.median, before.median),
        delta_color="inverse",  # quicker is better
    )
    p90.metric(
        t("reports.first_response.p90"),
        duration(now.p90),
        time_change(now.p90, before.p90),
        delta_color="inverse",
    )
    share, earlier = (
        current.answered_within(target_seconds),
        previous.answered_within(target_seconds),
    )
    within.metric(
        t("reports.within_target", target=duration(target_seconds)),
        "–" if share is None else f"{share:.0%}",
        None
        if share is None or earlier is None
        else signed(share - earlier, t("reports.points", n=round((share - earlier) * 100))),
    )
    resolution_metrics(current, previous)
    st.page_link("pages/reports.py", label=t("reports.open_reports"), icon=":material/monitoring:")


def resolution_metrics(current: Traffic, previous: Traffic) -> None:
    """How many conversations the team resolved and how long they were open."""
    resolved, median, p90 = st.columns(3)
    resolved.metric(t("reports.resolved"), current.resolved, current.resolved - previous.resolved)
    now, before = current.resolution, previous.resolution
    median.metric(
        t("reports.resolution.median"),
        duration(now.median),
        time_change(now.median, before.median),
        delta_color="inverse",
    )
    p90.metric(
        t("reports.resolution.p90"),
        duration(now.p90),
        time_change(now.p90, before.p90),
        delta_color="inverse",
    )


def waiting_metrics(figures: Overview) -> None:
    assert figures.waiting is not None
    count, oldest = st.columns(2)
    count.metric(t("reports.waiting"), figures.waiting.conversations)
    oldest.metric(t("reports.oldest_wait"), duration(figures.waiting.oldest_seconds()))
    st.page_link(
        "pages/conversations.py", label=t("reports.open_conversations"), icon=":material/chat:"
    )


def template_and_campaign_metrics(figures: Overview) -> None:
    if figures.templates is not None:
        columns = st.columns(len(TEMPLATE_STATUSES))
        for column, status in zip(columns, TEMPLATE_STATUSES, strict=True):
            column.metric(t(f"reports.templates.status.{status}"), figures.templates.get(status, 0))
        st.page_link(
            "pages/template_status.py",
            label=t("reports.open_templates"),
            icon=":material/fact_check:",
        )
    if figures.campaigns_running is not None:
        st.metric(t("reports.campaigns_running"), figures.campaigns_running)
        st.page_link(
            "pages/campaigns.py", label=t("reports.open_campaigns"), icon=":material/campaign:"
        )


def number_health_section(actor: Actor, channels: list[ChannelInfo]) -> None:
    """Each active number's health, one bordered card each, with its warning when it worsened."""
    st.subheader(t("reports.number_health"))
    for channel in channels:
        with st.container(border=True):
            st.markdown(f"**{channel_label(channel)}**")
            number_health_card(actor, channel.id, compact=True)
    if actor.can(Permission.MANAGE_CHANNELS):  # the channels page is the admins'
        st.page_link("pages/channels.py", label=t("reports.open_channels"), icon=":material/forum:")


def overview_section(actor: Actor) -> None:
    period = chosen_period()
    with store() as session:
        figures = overview(session, actor, period)
    if figures.traffic is not None and figures.previous is not None:
        st.subheader(t("reports.activity"))
        st.caption(t("reports.compared"))
        traffic_metrics(figures.traffic, figures.previous, figures.target_seconds)
    if figures.waiting is not None:
        st.subheader(t("reports.customers_waiting"))
        waiting_metrics(figures)
    if figures.templates is not None or figures.campaigns_running is not None:
        st.subheader(t("reports.templates_and_campaigns"))
        template_and_campaign_metrics(figures)
    if figures.health_channels:
        number_health_section(actor, figures.health_channels)
