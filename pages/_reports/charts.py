"""The Reports page's charts (Altair, which Streamlit ships with) and the team's table.

Each chart is handed to Streamlit as its Vega-Lite spec, made without Altair's schema check:
``st.altair_chart`` checks the spec against the whole Vega-Lite schema on every run, which cost
about 50 ms a chart; these specs are fixed in code and drawn by the page tests.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.i18n import t
from core.reports.charts import DayOfResponses, HeatCell, TeamMember
from pages._widgets.labels import duration

WEEKDAYS = range(7)


def draw(chart: alt.Chart) -> None:
    st.vega_lite_chart(chart.to_dict(validate=False), width="stretch")


def heatmap(cells: list[HeatCell]) -> None:
    """Messages by hour of day (across) and day of week (down), in the viewer's timezone."""
    day_names = [t(f"reports.weekday.{day}") for day in WEEKDAYS]
    data = pd.DataFrame(
        {"day": day_names[cell.weekday], "hour": cell.hour, "messages": cell.messages}
        for cell in cells
    )
    chart = (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("reports.chart.hour")),
            y=alt.Y("day:O", sort=day_names, title=None),
            color=alt.Color("messages:Q", title=t("reports.chart.messages")),
            tooltip=[
                alt.Tooltip("day:O", title=t("reports.chart.day")),
                alt.Tooltip("hour:O", title=t("reports.chart.hour")),
                alt.Tooltip("messages:Q", title=t("reports.chart.messages")),
            ],
        )
    )
    draw(chart)


def response_trend(days: list[DayOfResponses]) -> None:
    """Median and 90th-percentile first response, day by day, in minutes."""
    if not days:
        st.info(t("reports.no_answers"))
        return
    median, p90 = t("reports.first_response.median"), t("reports.first_response.p90")
    data = pd.DataFrame(
        {"day": day.day.isoformat(), "series": name, "minutes": round(value / 60, 1)}
        for day in days
        for name, value in ((median, day.first_response.median), (p90, day.first_response.p90))
        if value is not None
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=t("reports.chart.day")),
            y=alt.Y("minutes:Q", title=t("reports.chart.minutes")),
            color=alt.Color("series:N", title=None),
            tooltip=["day:T", "series:N", "minutes:Q"],
        )
    )
    draw(chart)


def team_table(members: list[TeamMember]) -> None:
    if not members:
        st.info(t("reports.no_team"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("reports.team.member"): member.name,
                t("reports.team.sent"): member.sent,
                t("reports.team.answered"): member.answered,
                t("reports.first_response.median"): duration(member.first_response.median),
                t("reports.team.resolved"): member.resolved,
                t("reports.team.assigned"): member.assigned,
            }
            for member in members
        ),
        hide_index=True,
        width="stretch",
    )
