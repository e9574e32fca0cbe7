"""Audit log (admins): who did what and when, filtered, newest first, one page at a time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core.access import audit
from core.access.auth import Actor, Permission
from core.i18n import t
from pages._widgets.labels import viewer_timezone, when
from pages._widgets.pager import current_page, pager_controls
from pages._widgets.session import page_guard, store

LIST = "audit"  # pager key


def day_starts(day: date | None) -> datetime | None:
    """Midnight of ``day`` in the viewer's timezone: the filters' dates are the viewer's days."""
    return datetime.combine(day, time.min, viewer_timezone()) if day else None


def filter_controls(actor: Actor) -> audit.AuditFilter:
    with store() as session:
        actions = audit.known_actions(session, actor)
    any_action = t("audit.any")  # worded now: Streamlit may call format_func after the run
    actor_col, action_col, since_col, until_col = st.columns(4)
    who = actor_col.text_input(t("audit.actor"), key="audit_actor")
    action = action_col.selectbox(
        t("audit.action"), ["", *actions], format_func=lambda name: name or any_action
    )
    since = since_col.date_input(t("audit.since"), value=None, key="audit_since")
    until = until_col.date_input(t("audit.until"), value=None, key="audit_until")
    end = day_starts(until)
    return audit.AuditFilter(
        actor=who.strip().lower() or None,
        action=action or None,
        since=day_starts(since),
        until=end + timedelta(days=1) if end else None,
    )


def render(actor: Actor) -> None:
    st.title(t("audit.title"))
    filters = filter_controls(actor)
    with store() as session:
        page = audit.search(session, actor, filters, page=current_page(LIST))
    if not page.items:
        st.info(t("audit.empty"))
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("audit.at"): when(entry.at),
                        t("audit.actor"): entry.actor,
                        t("audit.action"): entry.action,
                        t("audit.target"): entry.target,
                        t("audit.details"): entry.details or "",
                    }
                    for entry in page.items
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    pager_controls(LIST, page.has_next)


render(page_guard(Permission.VIEW_AUDIT))
