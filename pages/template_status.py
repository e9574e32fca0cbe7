"""Template status: every template of every channel, what WhatsApp decided and how to fix a refusal.

The counts and the table are a fragment that reruns every few seconds on its own: status webhooks
update the store in the background, so PENDING turns into APPROVED here without a refresh. The
rest (sync, history, delete, clone) runs only when the user acts.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from core.access.auth import Permission
from core.channels.registry import list_channels
from core.errors import UserFacingError
from core.i18n import t
from core.models import RemoteTemplate
from core.templates import library as templates
from core.templates.rules import CATEGORIES, LANGUAGES, LEGACY_CATEGORIES
from pages.common import current_page, fixed_language_t, page_guard, pager_controls, store

LIST = "ts_list"  # pager key: the page number lives in ``ts_list_page``
FLASH = "ts_flash"
PAGE_SIZE = 25
REFRESH_SECONDS = 3
SORTS = ("changed", "name", "status")
STATUSES = (
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "IN_APPEAL",
    "FLAGGED",
    "DRAFT",
    "DELETED",
)
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

actor = page_guard(Permission.VIEW_TEMPLATES)
translate = fixed_language_t()
can_edit = actor.can(Permission.EDIT_TEMPLATES)


def status_label(status: str | None) -> str:
    """A status in the user's words (WhatsApp's own word when we have none for it)."""
    key = f"template_pages.state.{status}"
    text = translate(key)
    return status or "?" if text == key else text


def is_rejected(template: RemoteTemplate) -> bool:
    return template.status == "REJECTED"


def reason_text(template: RemoteTemplate) -> str:
    if not is_rejected(template) and template.rejected_reason in (None, "", "NONE"):
        return ""
    return template.rejected_reason or "NONE"


def fix_hint(template: RemoteTemplate) -> str:
    """How to fix the usual rejections (only for rejected templates)."""
    if not is_rejected(template):
        return ""
    reason = (template.rejected_reason or "NONE").upper()
    return translate(f"template_pages.hint.{reason if reason in REASONS_WITH_HINTS else 'OTHER'}")


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _first_page() -> None:
    st.session_state[f"{LIST}_page"] = 1


def report_and_refresh(text: str) -> None:
    st.session_state[FLASH] = text
    st.rerun()


# --- sync ----------------------------------------------------------------------------------------

st.title(t("template_pages.status.title"))
st.caption(t("template_pages.status.intro"))
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")

with store() as session:
    channels = list_channels(session, actor)
channel_names = {channel.id: f"{channel.name} ({channel.number})" for channel in channels}
if not channels:
    st.info(t("template_pages.no_channels"))


def sync_channel(channel_id: int, channel_name: str) -> None:
    """Sync one channel now, a progress bar following 360Dialog's pages."""
    bar = st.progress(0.0, text=t("template_pages.status.sync_started"))

    def show_progress(done: int, total: int) -> None:
        bar.progress(
            min(done / total, 1.0) if total else 1.0,
            text=translate("template_pages.status.sync_progress", done=done, total=total),
        )

    try:
        with store() as session:
            result = templates.sync_templates(session, actor, channel_id, progress=show_progress)
    except UserFacingError as exc:
        bar.empty()
        st.error(exc.message(), icon=":material/error:")
        return
    bar.progress(1.0, text=t("template_pages.status.sync_done_bar"))
    st.success(
        t(
            "template_pages.status.synced",
            channel=channel_name,
            fetched=result.fetched,
            created=result.created,
            changed=result.changed,
            gone=result.gone,
        )
    )


with st.container(border=True):
    st.markdown(f"**{t('template_pages.status.sync')}**")
    st.caption(t("template_pages.status.sync_help"))
    for channel_id, channel_name in channel_names.items():
        if st.button(
            t("template_pages.status.sync_now", channel=channel_name),
            key=f"ts_sync_{channel_id}",
            icon=":material/sync:",
        ):
            sync_channel(channel_id, channel_name)

# --- filters -------------------------------------------------------------------------------------

channel_column, status_column, category_column, language_column = st.columns(4)
chosen_channel = channel_column.selectbox(
    t("template_pages.channel"),
    [None, *channel_names],
    format_func=lambda option: (
        channel_names.get(option) or translate("template_pages.all_channels")
    ),
    key="ts_channel",
    on_change=_first_page,
)
chosen_status = status_column.selectbox(
    t("template_pages.status"),
    [None, *STATUSES],
    format_func=lambda option: status_label(option) if option else translate("template_pages.any"),
    key="ts_status",
    on_change=_first_page,
)
chosen_category = category_column.selectbox(
    t("template_pages.category"),
    [None, *CATEGORIES, *LEGACY_CATEGORIES],
    format_func=lambda option: (
        translate("template_pages.any")
        if option is None
        else translate(f"template_pages.category.{option}")
        if option in CATEGORIES
        else option
    ),
    key="ts_category",
    on_change=_first_page,
)
chosen_language = language_column.selectbox(
    t("template_pages.language"),
    [None, *LANGUAGES],
    format_func=lambda option: (
        f"{option} — {LANGUAGES[option]}" if option else translate("template_pages.any")
    ),
    key="ts_language",
    on_change=_first_page,
)
search_column, sort_column = st.columns([3, 1])
search = search_column.text_input(
    t("template_pages.search"),
    placeholder=t("template_pages.search_placeholder"),
    key="ts_search",
    on_change=_first_page,
)
sort = sort_column.selectbox(
    t("template_pages.status.sort"),
    SORTS,
    format_func=lambda option: translate(f"template_pages.status.sort.{option}"),
    key="ts_sort",
    on_change=_first_page,
)
filters = templates.TemplateFilter(
    channel_id=chosen_channel,
    status=chosen_status,
    category=chosen_category,
    language=chosen_language,
    search=search,
)


# --- the live parts: counts, table, one template's history --------------------------------------


def color_status(label: str, colors: dict[str, str]) -> str:
    color = colors.get(label)
    return f"background-color: {color}; color: #1f2933" if color else ""


def category_label(code: str) -> str:
    key = f"template_pages.category.{code}"
    text = translate(key)
    return code if text == key else text


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


@st.fragment(run_every=REFRESH_SECONDS)
def live_table(filters: templates.TemplateFilter, sort: str) -> None:
    viewer = page_guard(Permission.VIEW_TEMPLATES)
    with store() as session:
        counts = templates.status_counts(session, viewer, filters)
        page = templates.list_templates(
            session, viewer, filters, sort=sort, page=current_page(LIST), page_size=PAGE_SIZE
        )
    if counts:
        status_chart(counts)
    if not page.items:
        st.info(t("template_pages.status.empty"))
        if current_page(LIST) > 1:
            pager_controls(LIST, page.has_next)
        return
    status_column = t("template_pages.status")
    rows = [
        {
            t("template_pages.name"): template.name,
            status_column: status_label(template.status),
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
        for template in page.items
    ]
    colors = {status_label(status): color for status, color in COLORS.items()}
    styled = pd.DataFrame(rows).style.map(
        lambda label: color_status(label, colors), subset=[status_column]
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        column_config={t("template_pages.status.hint"): st.column_config.TextColumn(width="large")},
    )
    pager_controls(LIST, page.has_next)


@st.fragment(run_every=REFRESH_SECONDS)
def live_history(template_id: int) -> None:
    """The chosen template's status and every change of it, as webhooks bring them."""
    viewer = page_guard(Permission.VIEW_TEMPLATES)
    try:
        with store() as session:
            template = templates.get_template(session, viewer, template_id)
            changes = templates.history(session, viewer, template_id)
    except UserFacingError as exc:
        st.error(exc.message())
        return
    st.markdown(f"**{t('template_pages.status.history')}** · {status_label(template.status)}")
    if is_rejected(template):
        st.warning(
            t(
                "template_pages.status.rejected_because",
                reason=template.rejected_reason or "NONE",
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


live_table(filters, sort)

# --- one template: history, clone, delete --------------------------------------------------------

with store() as session:
    shown = templates.list_templates(
        session, actor, filters, sort=sort, page=current_page(LIST), page_size=PAGE_SIZE
    ).items
if not shown:
    st.stop()

st.subheader(t("template_pages.status.details"))
labels = {
    template.id: f"{template.name} ({template.language}) · "
    f"{channel_names.get(template.channel_id, '')}"
    for template in shown
}
selected_id = st.selectbox(
    t("template_pages.status.pick"),
    list(labels),
    format_func=lambda template_id: labels.get(template_id, str(template_id)),
    key="ts_selected",
)
selected = next(template for template in shown if template.id == selected_id)

history_column, actions_column = st.columns([3, 2], gap="large")
with history_column:
    live_history(selected.id)

with actions_column:
    if not can_edit:
        st.caption(t("template_pages.status.read_only"))
        st.stop()
    st.markdown(f"**{t('template_pages.status.clone')}**")
    st.caption(t("template_pages.status.clone_help"))
    new_name = st.text_input(
        t("template_pages.status.clone_name"),
        value=f"{selected.name}_v2",
        key=f"ts_clone_name_{selected.id}",
    )
    if st.button(
        t("template_pages.status.clone_button"),
        key=f"ts_clone_{selected.id}",
        icon=":material/content_copy:",
    ):
        try:
            with store() as session:
                draft = templates.clone_to_draft(session, actor, selected.id, new_name)
                draft_name = draft.name
        except UserFacingError as exc:
            st.error(exc.message())
        else:
            report_and_refresh(t("template_pages.status.cloned", name=draft_name))

    if selected.status != "DELETED":
        st.markdown(f"**{t('template_pages.status.delete')}**")
        st.caption(t("template_pages.status.delete_help", name=selected.name))
        sure = st.checkbox(
            t("template_pages.status.delete_confirm"), key=f"ts_delete_sure_{selected.id}"
        )
        if st.button(
            t("template_pages.status.delete_button"),
            key=f"ts_delete_{selected.id}",
            icon=":material/delete:",
            disabled=not sure,
        ):
            try:
                with store() as session:
                    templates.delete_template(session, actor, selected.id)
            except UserFacingError as exc:
                st.error(exc.message())
            else:
                report_and_refresh(t("template_pages.status.deleted", name=selected.name))
