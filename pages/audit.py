"""Audit log (admins): who did what and when, filtered, newest first, one page at a time."""

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core.access import audit
from core.access.auth import Permission
from core.i18n import t
from pages.common import current_page, page_guard, pager_controls, store

actor = page_guard(Permission.VIEW_AUDIT)
st.title(t("audit.title"))

with store() as session:
    actions = audit.known_actions(session, actor)

any_action = t("audit.any")
actor_col, action_col, since_col, until_col = st.columns(4)
who = actor_col.text_input(t("audit.actor"), key="audit_actor")
action = action_col.selectbox(
    t("audit.action"), [""] + actions, format_func=lambda a: a or any_action
)
since = since_col.date_input(t("audit.since"), value=None, key="audit_since")
until = until_col.date_input(t("audit.until"), value=None, key="audit_until")

filters = audit.AuditFilter(
    actor=who.strip().lower() or None,
    action=action or None,
    since=datetime.combine(since, time.min, UTC) if since else None,
    until=datetime.combine(until, time.min, UTC) + timedelta(days=1) if until else None,
)
with store() as session:
    page = audit.search(session, actor, filters, page=current_page("audit"))

if not page.items:
    st.info(t("audit.empty"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("audit.at"): entry.at,
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
pager_controls("audit", page.has_next)
