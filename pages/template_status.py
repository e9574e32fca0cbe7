"""Template status: every template of every channel, what WhatsApp decided and how to fix a refusal.

The counts, the table and the chosen template's history follow the store live
(``pages/_templates/status_table.py``); the rest (sync, clone, delete) runs only when the user acts.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.i18n import t
from core.models import RemoteTemplate
from core.templates.library import TemplateFilter, delete_template, list_templates, sync_templates
from core.templates.submission import clone_to_draft
from core.templates.vocabulary import CATEGORIES, LANGUAGES, LEGACY_CATEGORIES
from pages._templates.status_table import LIST, PAGE_SIZE, live_history, live_table
from pages._widgets import live
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import category_label, channel_label, language_label, status_label
from pages._widgets.pager import current_page, first_page
from pages._widgets.session import page_guard, store

FLASH = "ts_flash"
SYNC_FLASH = "ts_sync_flash"  # said under the sync buttons
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


def sync_channel(actor: Actor, channel_id: int, channel_name: str) -> None:
    """Sync one channel now, a progress bar following 360Dialog's pages."""
    bar = st.progress(0.0, text=t("template_pages.status.sync_started"))

    def show_progress(done: int, total: int | None) -> None:
        if total is None:  # a listing without a total: how many so far
            bar.progress(0.5, text=t("template_pages.status.sync_progress_open", done=done))
            return
        bar.progress(
            min(done / total, 1.0) if total else 1.0,
            text=t("template_pages.status.sync_progress", done=done, total=total),
        )

    synced = act(
        SYNC_FLASH,
        lambda session: sync_templates(session, actor, channel_id, progress=show_progress),
        lambda result: Words(
            "template_pages.status.synced",
            channel=channel_name,
            fetched=result.fetched,
            created=result.created,
            changed=result.changed,
            gone=result.gone,
        ),
    )
    if synced:
        bar.progress(1.0, text=t("template_pages.status.sync_done_bar"))
    else:
        bar.empty()
    show_flash(SYNC_FLASH)


def sync_box(actor: Actor, channel_names: dict[int, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**{t('template_pages.status.sync')}**")
        st.caption(t("template_pages.status.sync_help"))
        for channel_id, channel_name in channel_names.items():
            if st.button(
                t("template_pages.status.sync_now", channel=channel_name),
                key=f"ts_sync_{channel_id}",
                icon=":material/sync:",
            ):
                sync_channel(actor, channel_id, channel_name)


def filter_controls(channel_names: dict[int, str]) -> tuple[TemplateFilter, str]:
    """Which templates the table shows, and in which order; a change goes back to page 1."""
    any_value = t("template_pages.any")
    channels = {None: t("template_pages.all_channels"), **channel_names}
    statuses = {None: any_value, **{status: status_label(status) for status in STATUSES}}
    categories = {
        None: any_value,
        **{code: category_label(code) for code in (*CATEGORIES, *LEGACY_CATEGORIES)},
    }
    languages = {None: any_value, **{code: language_label(code) for code in LANGUAGES}}
    columns = st.columns(4)
    chosen = [
        column.selectbox(
            t(f"template_pages.{name}"),
            list(options),
            format_func=options.__getitem__,
            key=f"ts_{name}",
            on_change=first_page,
            args=(LIST,),
        )
        for column, name, options in zip(
            columns,
            ("channel", "status", "category", "language"),
            (channels, statuses, categories, languages),
            strict=True,
        )
    ]
    search_column, sort_column = st.columns([3, 1])
    search = search_column.text_input(
        t("template_pages.search"),
        placeholder=t("template_pages.search_placeholder"),
        key="ts_search",
        on_change=first_page,
        args=(LIST,),
    )
    sorts = {option: t(f"template_pages.status.sort.{option}") for option in SORTS}
    sort = sort_column.selectbox(
        t("template_pages.status.sort"),
        SORTS,
        format_func=sorts.__getitem__,
        key="ts_sort",
        on_change=first_page,
        args=(LIST,),
    )
    channel_id, status, category, language = chosen
    filters = TemplateFilter(
        channel_id=channel_id, status=status, category=category, language=language, search=search
    )
    return filters, sort


def clone_form(actor: Actor, selected: RemoteTemplate) -> None:
    """A new draft from this template (the way to fix a rejected one: its name cannot be reused)."""
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
        act(
            FLASH,
            lambda session: clone_to_draft(session, actor, selected.id, new_name),
            lambda draft: Words("template_pages.status.cloned", name=draft.name),
            rerun=True,
        )
        show_flash(FLASH)


def delete_form(actor: Actor, selected: RemoteTemplate) -> None:
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
        act(
            FLASH,
            lambda session: delete_template(session, actor, selected.id),
            Words("template_pages.status.deleted", name=selected.name),
            rerun=True,
        )
        show_flash(FLASH)


def template_details(
    actor: Actor, shown: list[RemoteTemplate], channel_names: dict[int, str]
) -> None:
    """One template of the page: its history, and (for editors) clone and delete."""
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
        if not actor.can(Permission.EDIT_TEMPLATES):
            st.caption(t("template_pages.status.read_only"))
            return
        clone_form(actor, selected)
        if selected.status != "DELETED":
            delete_form(actor, selected)


def render(actor: Actor) -> None:
    st.title(t("template_pages.status.title"))
    st.caption(t("template_pages.status.intro"))
    show_flash(FLASH)
    with store() as session:
        channels = list_channels(session, actor)
    channel_names = {channel.id: channel_label(channel) for channel in channels}
    if not channels:
        st.info(t("template_pages.no_channels"))
    sync_box(actor, channel_names)
    filters, sort = filter_controls(channel_names)
    live.follow(None if filters.channel_id is None else [filters.channel_id])
    live_table(filters, sort, channel_names)
    with store() as session:
        shown = list_templates(
            session, actor, filters, sort=sort, page=current_page(LIST), page_size=PAGE_SIZE
        ).items
    if shown:
        template_details(actor, shown, channel_names)


render(page_guard(Permission.VIEW_TEMPLATES))
