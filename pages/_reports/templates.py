"""Template performance: one sortable row per template, and the same as a CSV file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.i18n import get_language, t
from core.reports.template_performance import COLUMNS, TemplateFigures, as_csv


def rate(count: int, figures: TemplateFigures) -> float | None:
    share = figures.rate(count)
    return None if share is None else round(share * 100, 1)


def performance_table(figures: list[TemplateFigures]) -> None:
    if not figures:
        st.info(t("reports.templates.none"))
        return
    heading = {column: t(f"reports.templates.{column}") for column in COLUMNS}
    st.dataframe(
        pd.DataFrame(
            {
                heading["template"]: item.name,
                heading["sent"]: item.sent,
                heading["delivered"]: item.delivered,
                t("reports.templates.delivered_rate"): rate(item.delivered, item),
                heading["read"]: item.read,
                t("reports.templates.read_rate"): rate(item.read, item),
                heading["replied"]: item.replied,
                t("reports.templates.replied_rate"): rate(item.replied, item),
                heading["clicks"]: item.clicks,
                heading["failed"]: item.failed,
                heading["failures"]: "; ".join(f"{said} ({n})" for said, n in item.failures),
            }
            for item in figures
        ),
        hide_index=True,
        width="stretch",
    )  # every column sorts with a click on its heading
    st.download_button(
        t("reports.templates.download"),
        as_csv(figures, get_language()),
        file_name="template-performance.csv",
        mime="text/csv",
        icon=":material/download:",
    )
