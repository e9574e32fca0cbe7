"""The team's campaigns, one at a time: live progress and controls, then the report.

A campaign's progress is a fragment (its buttons rerun only it) drawn again whenever the tab's
live watch (``pages/_widgets/live.py``) sees the campaign's channel change; the report below it
is drawn on full reruns and its CSV is built only when downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from core.access.auth import Actor, Permission
from core.campaigns import report, runner
from core.campaigns.report import Counts
from core.failures import describe
from core.i18n import t
from core.models import Campaign
from pages._campaigns.followup import cost_comparison, retarget_controls
from pages._campaigns.plan import reason_words
from pages._campaigns.state import LAUNCH_FLASH, SELECTED
from pages._widgets import live
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import plain, status_label, viewer_timezone, when
from pages._widgets.session import page_guard, store

CAMPAIGN_FLASH = "cmp_flash_campaign"  # said inside the live fragment (its buttons rerun only it)
CONFIRM_CANCEL = "cmp_confirm_cancel"  # id of the campaign whose cancel awaits confirmation
ACTIVE_STATES = {"scheduled", "running"}
FINISHED_STATES = {"cancelled", "done"}
COUNTED = ("pending", "queued", "held", "paused", "sent", "delivered", "read", "failed", "replied")


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


# --- controls (callbacks: they run before the fragment's next rerun draws the result) ----------


def pause(actor: Actor, campaign_id: int, name: str) -> None:
    act(
        CAMPAIGN_FLASH,
        lambda session: runner.pause(session, actor, campaign_id),
        Words("campaign_page.paused", name=plain(name)),
    )


def start(actor: Actor, campaign_id: int, name: str) -> None:
    act(
        CAMPAIGN_FLASH,
        lambda session: runner.start(session, actor, campaign_id),
        Words("campaign_page.started", name=plain(name)),
    )


def resume(actor: Actor, campaign_id: int, name: str) -> None:
    act(
        CAMPAIGN_FLASH,
        lambda session: runner.resume(session, actor, campaign_id),
        Words("campaign_page.resumed", name=plain(name)),
    )


def ask_cancel(campaign_id: int) -> None:
    st.session_state[CONFIRM_CANCEL] = campaign_id


def keep_running() -> None:
    st.session_state.pop(CONFIRM_CANCEL, None)


def cancel(actor: Actor, campaign_id: int, name: str) -> None:
    st.session_state.pop(CONFIRM_CANCEL, None)
    act(
        CAMPAIGN_FLASH,
        lambda session: runner.cancel(session, actor, campaign_id),
        Words("campaign_page.cancelled", name=plain(name)),
    )


def confirm_cancel(actor: Actor, campaign: Campaign) -> None:
    st.warning(t("campaign_page.cancel_confirm", name=plain(campaign.name)))
    yes_col, no_col = st.columns(2)
    yes_col.button(
        t("campaign_page.cancel_yes"),
        type="primary",
        key=f"cmp_cancel_yes_{campaign.id}",
        on_click=cancel,
        args=(actor, campaign.id, campaign.name),
    )
    no_col.button(
        t("campaign_page.cancel_no"), key=f"cmp_cancel_no_{campaign.id}", on_click=keep_running
    )


def campaign_controls(actor: Actor, campaign: Campaign) -> None:
    """Pause, resume and cancel (cancel asks first); only for those who run campaigns."""
    if campaign.state in FINISHED_STATES:
        return
    if st.session_state.get(CONFIRM_CANCEL) == campaign.id:
        confirm_cancel(actor, campaign)
        return
    args = (actor, campaign.id, campaign.name)
    buttons = st.columns(3)
    if campaign.state == "draft":
        buttons[0].button(
            t("campaign_page.start"),
            type="primary",
            icon=":material/send:",
            key=f"cmp_start_{campaign.id}",
            on_click=start,
            args=args,
        )
    if campaign.state in ACTIVE_STATES:
        buttons[0].button(
            t("campaign_page.pause"),
            icon=":material/pause:",
            key=f"cmp_pause_{campaign.id}",
            on_click=pause,
            args=args,
        )
    if campaign.state == "paused":
        buttons[0].button(
            t("campaign_page.resume"),
            icon=":material/play_arrow:",
            key=f"cmp_resume_{campaign.id}",
            on_click=resume,
            args=args,
        )
    buttons[1].button(
        t("campaign_page.cancel"),
        icon=":material/cancel:",
        key=f"cmp_cancel_{campaign.id}",
        on_click=ask_cancel,
        args=(campaign.id,),
    )


# --- progress, live ------------------------------------------------------------------------


def show_counts(counts: Counts) -> None:
    skipped = sum(counts.skipped.values())
    handled = counts.held + counts.paused + counts.sent + counts.failed + skipped
    st.progress(
        min(handled / counts.total, 1.0) if counts.total else 0.0,
        text=t("campaign_page.progress", done=handled, total=counts.total),
    )
    figures = [(label, getattr(counts, label)) for label in COUNTED] + [("skipped", skipped)]
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(t(f"campaign_page.count.{label}"), value)
    if skipped:
        reasons = " · ".join(
            f"{reason_words(reason)}: {count}" for reason, count in sorted(counts.skipped.items())
        )
        st.caption(t("campaign_page.skipped_why", reasons=reasons))
    if counts.retrying or counts.given_up:
        st.info(
            t("campaign_page.retries", retrying=counts.retrying, given_up=counts.given_up),
            icon=":material/schedule:",
        )


@st.fragment
def live_progress(campaign_id: int) -> None:
    """State, progress bar, live counts and the controls, as sends and statuses move them."""
    actor = page_guard(Permission.VIEW_CAMPAIGNS)
    show_flash(CAMPAIGN_FLASH)
    with store() as session:
        campaign = report.get_campaign(session, actor, campaign_id)
        if campaign is None:
            st.info(t("campaign_page.gone"))
            return
        counts = report.counts(session, actor, campaign_id)
    st.markdown(f"### {plain(campaign.name)}")
    details = [t("campaign_page.state", state=t(f"campaign_page.state.{campaign.state}"))]
    if campaign.start_at:
        details.append(t("campaign_page.starts", when=when(campaign.start_at)))
    if campaign.finished_at:
        details.append(t("campaign_page.finished", when=when(campaign.finished_at)))
    details.append(t("campaign_page.created_by", user=plain(campaign.created_by or "—")))
    st.caption(" · ".join(details))
    if campaign.held_reason and campaign.state == "running":
        status = status_label(campaign.held_reason).lower()
        st.warning(t("campaign_page.held", status=status), icon=":material/pause_circle:")
    show_counts(counts)
    if actor.can(Permission.RUN_CAMPAIGNS):
        campaign_controls(actor, campaign)


# --- the report -----------------------------------------------------------------------------


def csv_for(actor: Actor, campaign_id: int) -> Callable[[], str]:
    """The export, built only when the download button is pressed."""

    def build() -> str:
        with store() as session:
            return report.export_csv(session, actor, campaign_id)

    return build


def failure_table(failed: list[report.Failure]) -> None:
    st.markdown(f"**{t('campaign_page.failures')}**")
    if not failed:
        st.caption(t("campaign_page.no_failures"))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("campaign_page.failure.reason"): describe(failure.code, failure.title),
                    t("campaign_page.failure.code"): str(failure.code or ""),
                    t("campaign_page.failure.count"): failure.count,
                }
                for failure in failed
            ]
        ),
        hide_index=True,
    )


def sends_chart(sends: list[tuple[datetime, int]]) -> None:
    """Messages sent per minute, on the viewer's clock."""
    st.markdown(f"**{t('campaign_page.over_time')}**")
    if not sends:
        st.caption(t("campaign_page.nothing_sent"))
        return
    zone = viewer_timezone()
    chart = pd.DataFrame(
        {t("campaign_page.messages"): [count for _, count in sends]},
        index=pd.Index(
            [moment.astimezone(zone).replace(tzinfo=None) for moment, _ in sends],
            name=t("campaign_page.minute"),
        ),
    )
    st.bar_chart(chart)


def campaign_report(actor: Actor, campaign: Campaign) -> None:
    """Delivery and read rates, failures in words, replies, sends over time, CSV export."""
    with store() as session:
        counts = report.counts(session, actor, campaign.id)
        failed = report.failures(session, actor, campaign.id)
        sends = report.timeline(session, actor, campaign.id)
    st.markdown(f"#### {t('campaign_page.report')}")
    rates = st.columns(4)
    rates[0].metric(t("campaign_page.rate.delivered"), percent(counts.delivered, counts.sent))
    rates[1].metric(t("campaign_page.rate.read"), percent(counts.read, counts.sent))
    rates[2].metric(t("campaign_page.rate.replied"), percent(counts.replied, counts.sent))
    rates[3].metric(
        t("campaign_page.rate.failed"), percent(counts.failed, counts.sent + counts.failed)
    )
    cost_comparison(actor, campaign)
    failure_table(failed)
    sends_chart(sends)
    st.download_button(
        t("campaign_page.export"),
        data=csv_for(actor, campaign.id),
        file_name=f"campaign-{campaign.id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"cmp_export_{campaign.id}",
    )
    retarget_controls(actor, campaign)


def campaign_list(actor: Actor, channel_id: int) -> None:
    st.subheader(t("campaign_page.list"))
    live.follow([channel_id])
    show_flash(LAUNCH_FLASH)  # a campaign just started (the form it came from is gone)
    with store() as session:
        found = report.list_campaigns(session, actor, channel_id)
    if not found:
        st.info(t("campaign_page.none"), icon=":material/campaign:")
        return
    by_id = {campaign.id: campaign for campaign in found}
    if st.session_state.get(SELECTED) not in by_id:
        st.session_state[SELECTED] = found[0].id
    names = {
        cid: f"{campaign.name} · {when(campaign.created_at)}" for cid, campaign in by_id.items()
    }
    chosen = st.selectbox(
        t("campaign_page.open"), list(by_id), format_func=names.__getitem__, key=SELECTED
    )
    with st.container(border=True):
        live_progress(chosen)
        campaign_report(actor, by_id[chosen])
