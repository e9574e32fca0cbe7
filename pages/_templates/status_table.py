"""The live parts of the Template status page: the counts, the table and one template's history.

They are fragments (the pager reruns only the table) drawn again whenever the tab's live watch
(``pages/_widgets/live.py``) sees a template's channel change: status webhooks update the store
in the background, so PENDING turns into APPROVED here without a refresh.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access.auth import Permission
from core.errors import UserFacingError
from core.i18n import t
from core.models import RemoteTemplate
from core.templates.library import (
    TemplateFilter,
    get_template,
    history,
    list_templates,
    status_counts,
)
from pages._widgets.flash import say_refusal
from pages._widgets.labels import category_label, status_label, when
from pages._widgets.pager import current_page, pager_controls
from pages._widgets.session import page_guard, store

LIST = "ts_list"  # pager key: the page number lives in ``ts_list_page``
PAGE_SIZE = 25
REASONS_WITH_HINTS = (
    "INVALID_FORMAT",
    "TAG_CONTENT_MISMATCH",
    "SCAM",
    "PROMOTIONAL",
    "ABUSIVE_CONTENT",
    "INCORRECT_CATEGORY",
    "NONE",
)
COLORS = {
    "APPROVED": "#d3f2dc",
    "PENDING": "#fff1c2",
    "IN_APPEAL": "#fff1c2",
    "REINSTATED": "#fff1c2",
    "REJECTED": "#fbd5d5",
    "DISABLED": "#fbd5d5",
    "PAUSED": "#ffe0b8",
    "FLAGGED": "#ffe0b8",
    "LIMIT_EXCEEDED": "#ffe0b8",
    "DRAFT": "#e3e8ee",
    "DELETED": "#e3e8ee",
    "ARCHIVED": "#e3e8ee",
    "PENDING_DELETION": "#e3e8ee",
}


def is_rejected(template: RemoteTemplate) -> bool:
    return template.status == "REJECTED"


def reason_text(template: RemoteTemplate) -> str:
    if not is_rejected(template) and not template.rejected_reason:
        return ""
    return template.rejected_reason or t("template_pages.status.no_reason")


def fix_hint(template: RemoteTemplate) -> str:
    """How to fix the usual rejections (only for rejected templates)."""
    if not is_rejected(template):
        return ""
    reason = (template.rejected_reason or "NONE").upper()
    return t(f"template_pages.hint.{reason if reason in REASONS_WITH_HINTS else 'OTHER'}")


def color_status(label: str, colors: dict[str, str]) -> str:
    color = colors.get(label)
    return f"background-color: {color}; color: #1f2933" if color else ""


def status_chart(counts: dict[str, int]) -> None:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    st.caption(
        " · ".join(f"{status_label(status)}: {count}" for status, count in ordered),
        help=t("template_pages.status.counts_help"),
    )
    status_column, count_column = t("template_pages.status"), t("template_pages.status.count")
    st.bar_chart(
        pd.DataFrame(
            {
                status_column: [status_label(status) for status, _ in ordered],
                count_column: [count for _, count in ordered],
            }
        ),
        x=status_column,
        y=count_column,
        horizontal=True,
        sort=False,
        height=60 + 32 * len(ordered),
    )


def template_rows(templates: list[RemoteTemplate], channel_names: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("template_pages.name"): template.name,
                t("template_pages.status"): status_label(template.status),
                t("template_pages.language"): template.language,
                t("template_pages.category"): category_label(template.category),
                t("template_pages.status.reason"): reason_text(template),
                t("template_pages.status.hint"): fix_hint(template),
                t("template_pages.status.quality"): template.quality or "",
                t("template_pages.status.changed"): when(
                    template.remote_modified_at or template.created_at
                ),
                t("template_pages.channel"): channel_names.get(template.channel_id, ""),
            }
            for template in templates
        ]
    )


@st.fragment
def live_table(filters: TemplateFilter, sort: str, channel_names: dict[int, str]) -> None:
    viewer = page_guard(Permission.VIEW_TEMPLATES)
    with store() as session:
        counts = status_counts(session, viewer, filters)
        page = list_templates(
            session, viewer, filters, sort=sort, page=current_page(LIST), page_size=PAGE_SIZE
        )
    if counts:
        status_chart(counts)
    if not page.items:
        st.info(t("template_pages.status.empty"))
        if current_page(LIST) > 1:
            pager_controls(LIST, page.has_next)
        return
    colors = {status_label(status): color for status, color in COLORS.items()}
    styled = template_rows(page.items, channel_names).style.map(
        lambda label: color_status(label, colors), subset=[t("template_pages.status")]
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        column_config={t("template_pages.status.hint"): st.column_config.TextColumn(width="large")},
    )
    pager_controls(LIST, page.has_next)


@st.fragment
def live_history(template_id: int) -> None:
    """The chosen template's status and every change of it, as webhooks bring them."""
    viewer = page_guard(Permission.VIEW_TEMPLATES)
    try:
        with store() as session:
            template = get_template(session, viewer, template_id)
            changes = history(session, viewer, template_id)
    except UserFacingError as exc:
        say_refusal(exc)
        return
    st.markdown(f"**{t('template_pages.status.history')}** · {status_label(template.status)}")
    if is_rejected(template):
        st.warning(
            t(
                "template_pages.status.rejected_because",
                reason=template.rejected_reason or t("template_pages.status.no_reason"),
                hint=fix_hint(template),
            ),
            icon=":material/report:",
        )
    if not changes:
        st.caption(t("template_pages.status.no_history"))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("template_pages.status.when"): when(change.changed_at),
                    t("template_pages.status"): status_label(change.status),
                    t("template_pages.status.reason"): change.reason
                    if change.reason not in (None, "NONE")
                    else "",
                }
                for change in changes
            ]
        ),
        hide_index=True,
        width="stretch",
    )
