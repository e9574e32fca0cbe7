"""The planning report's reach and cost: who the template will reach, what Meta will charge by
market, where the prices come from, and over how many days the messaging limit spreads it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.campaigns.estimate import Estimate
from core.i18n import t


def show_estimate(found: Estimate) -> None:
    st.markdown(f"**{t('campaign_page.estimate.title')}**")
    st.write(
        t(
            "campaign_page.estimate.reach",
            reachable=found.reachable,
            recipients=found.recipients,
        )
    )
    st.markdown(
        f"**{t('campaign_page.estimate.total', total=found.total, currency=found.currency)}**"
    )
    if found.by_market:
        no_rate = t("campaign_page.estimate.no_rate")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("campaign_page.estimate.market"): market,
                        t("campaign_page.estimate.count"): cost.count,
                        t("campaign_page.estimate.rate"): no_rate
                        if cost.rate is None
                        else f"{cost.rate} {found.currency}",
                        t("campaign_page.estimate.amount"): no_rate
                        if cost.amount is None
                        else f"{cost.amount} {found.currency}",
                    }
                    for market, cost in sorted(found.by_market.items())
                ]
            ),
            hide_index=True,
        )
    if found.unpriced:
        st.warning(
            t("campaign_page.estimate.unpriced", markets=", ".join(found.unpriced)),
            icon=":material/help:",
        )
    if found.days > 1:
        st.info(
            t("campaign_page.estimate.days", limit=found.messaging_limit, days=found.days),
            icon=":material/calendar_month:",
        )
    st.caption(
        t(
            "campaign_page.estimate.card",
            date=found.card.effective_date,
            source=found.card.source,
        )
    )
