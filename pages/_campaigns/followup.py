"""After a campaign: what it cost against its estimate, and a retarget in one click (a new draft
campaign for those who did not read, failed or replied, with the same template or another)."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.campaigns import costs, retarget
from core.i18n import t
from core.models import Campaign
from core.templates.workspace import list_workspace
from pages._campaigns.state import LAUNCH_FLASH, SELECTED
from pages._widgets.flash import Words, act
from pages._widgets.labels import plain
from pages._widgets.session import store


def cost_comparison(actor: Actor, campaign: Campaign) -> None:
    """The estimate at the rate card next to what Meta's delivered statuses say it cost."""
    with store() as session:
        estimated, unpriced = costs.estimated_cost(session, actor, campaign.id)
        actual = costs.actual_cost(session, actor, campaign.id)
    columns = st.columns(2)
    columns[0].metric(t("campaign_page.cost.estimated"), f"{estimated} {actual.currency}")
    columns[1].metric(t("campaign_page.cost.actual"), f"{actual.total} {actual.currency}")
    notes = [t("campaign_page.cost.charged", charged=actual.charged, free=actual.free)]
    if unpriced or actual.unpriced:
        notes.append(
            t("campaign_page.cost.unpriced", count=unpriced + sum(actual.unpriced.values()))
        )
    st.caption(" · ".join(notes))


def create_retarget(actor: Actor, campaign: Campaign, groups: dict[str, str]) -> None:
    """``groups``: each group's words in the language the page was drawn in (a callback runs
    before the page sets this run's language)."""
    who = st.session_state.get(f"cmp_rt_who_{campaign.id}", "not_read")
    template_id = st.session_state.get(f"cmp_rt_template_{campaign.id}")
    name = f"{campaign.name} · {groups[who]}"

    def create(session: Session) -> Campaign:
        made = retarget.retarget(
            session, actor, campaign.id, who, workspace_template_id=template_id, name=name
        )
        st.session_state[SELECTED] = made.id  # the list opens the new draft
        return made

    act(
        LAUNCH_FLASH,
        create,
        lambda made: Words("campaign_page.retarget.created", name=plain(made.name)),
    )


def retarget_controls(actor: Actor, campaign: Campaign) -> None:
    if not actor.can(Permission.RUN_CAMPAIGNS) or campaign.state == "draft":
        return
    with store() as session:
        templates = {
            w.id: f"{w.name} · {w.language}"
            for w in list_workspace(session, actor, campaign.channel_id)
            if not w.flagged_reason
        }
    st.markdown(f"**{t('campaign_page.retarget.title')}**")
    who_col, template_col = st.columns(2)
    groups = {who: t(f"campaign_page.retarget.who.{who}") for who in retarget.WHO}
    who_col.selectbox(
        t("campaign_page.retarget.who"),
        list(groups),
        format_func=groups.__getitem__,
        key=f"cmp_rt_who_{campaign.id}",
    )
    choices = {campaign.workspace_template_id: t("campaign_page.retarget.same")} | {
        tid: label for tid, label in templates.items() if tid != campaign.workspace_template_id
    }
    template_col.selectbox(
        t("campaign_page.retarget.template"),
        list(choices),
        format_func=choices.__getitem__,
        key=f"cmp_rt_template_{campaign.id}",
    )
    st.button(
        t("campaign_page.retarget.create"),
        icon=":material/replay:",
        on_click=create_retarget,
        args=(actor, campaign, groups),
        key=f"cmp_rt_create_{campaign.id}",
    )
