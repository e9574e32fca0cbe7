"""Campaigns: one approved template to many contacts, checked before anything is sent, followed live.

Marketers and admins plan and run campaigns; managers see them and their reports, read-only. The
parts live in ``pages/_campaigns/``.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.campaigns import audience
from core.channels.registry import list_channels
from core.errors import UserFacingError
from core.i18n import t
from core.models import WorkspaceTemplate
from core.templates.library import as_body
from core.templates.workspace import list_workspace, sendable_template
from pages._campaigns.estimate import show_estimate
from pages._campaigns.launch import launch_controls
from pages._campaigns.optouts import opted_out_section
from pages._campaigns.plan import (
    check,
    choose_audience,
    choose_mapping,
    show_plan_report,
    show_previews,
    signature,
)
from pages._campaigns.progress import campaign_list
from pages._campaigns.state import PLAN
from pages._widgets.flash import say_refusal
from pages._widgets.labels import channel_label
from pages._widgets.session import page_guard, store
from pages._widgets.template_form import flagged_note


def approved_templates(actor: Actor, channel_id: int) -> dict[int, WorkspaceTemplate]:
    with store() as session:
        found = list_workspace(session, actor, channel_id)
    return {workspace.id: workspace for workspace in found if not workspace.flagged_reason}


def new_campaign(actor: Actor, channel_id: int) -> None:
    """Template, audience, mapping, check, preview, start: each step shown once the last is done."""
    st.subheader(t("campaign_page.new"))
    flagged_note(actor, channel_id)
    by_id = approved_templates(actor, channel_id)
    if not by_id:
        st.info(t("campaign_page.no_templates"), icon=":material/article:")
        return
    names = {wid: f"{workspace.name} · {workspace.language}" for wid, workspace in by_id.items()}
    workspace_id = st.selectbox(
        t("campaign_page.template"),
        list(by_id),
        format_func=names.__getitem__,
        key=f"cmp_template_{channel_id}",
    )
    try:
        with store() as session:
            needed = audience.variables_needed(session, actor, workspace_id)
            definition = as_body(sendable_template(session, by_id[workspace_id]))
    except UserFacingError as exc:
        say_refusal(exc)
        return
    st.markdown(f"**{t('campaign_page.step.audience')}**")
    frame = choose_audience(actor, channel_id)
    if frame is None:
        return
    st.markdown(f"**{t('campaign_page.step.mapping')}**")
    mapping = choose_mapping(frame, needed, workspace_id)
    checked = signature(workspace_id, frame, mapping)
    if st.button(t("campaign_page.check"), icon=":material/fact_check:", key="cmp_check"):
        check(actor, workspace_id, frame, mapping, checked)
    stored = st.session_state.get(PLAN)
    if stored is None or stored[0] != checked:
        st.caption(t("campaign_page.check_hint"))
        return
    _, planned, previews, cost = stored
    st.markdown(f"**{t('campaign_page.step.check')}**")
    show_estimate(cost)
    show_plan_report(planned)
    show_previews(definition, planned, previews)
    st.markdown(f"**{t('campaign_page.step.launch')}**")
    launch_controls(actor, workspace_id, mapping, planned)


def render(actor: Actor) -> None:
    st.title(t("campaign_page.title"))
    with store() as session:
        channels = list_channels(session, actor)
    if not channels:
        st.info(t("campaign_page.no_channels"), icon=":material/forum:")
        return
    names = {channel.id: channel_label(channel) for channel in channels}
    channel_id = st.selectbox(
        t("campaign_page.channel"), list(names), format_func=names.__getitem__, key="cmp_channel"
    )
    if actor.can(Permission.RUN_CAMPAIGNS):
        with st.container(border=True):
            new_campaign(actor, channel_id)
    else:
        st.caption(f":material/visibility: {t('campaign_page.read_only')}")
    campaign_list(actor, channel_id)
    if actor.can(Permission.MANAGE_CHANNELS):
        opted_out_section(actor, channel_id)


render(page_guard(Permission.VIEW_CAMPAIGNS))
