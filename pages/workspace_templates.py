"""Workspace templates: the approved templates the team may send, and adding one.

"Add to workspace" has five fields (template name, template content, template ID, category,
language) and "Save"; one click fills them from an approved synced template. Core refuses anything
not approved and says why; this page shows those words.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.i18n import t
from core.models import WorkspaceTemplate
from core.templates.library import get_template
from core.templates.vocabulary import CATEGORIES, LANGUAGES, LEGACY_CATEGORIES
from core.templates.workspace import (
    add_to_workspace,
    addable_to_workspace,
    list_workspace,
    remove_from_workspace,
    workspace_prefill,
)
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import (
    category_label,
    channel_label,
    in_this_language,
    language_label,
    plain,
    status_label,
)
from pages._widgets.session import page_guard, store

FLASH = "wt_flash"
MANUAL = 0  # the "type it by hand" choice of the approved-template picker
RESET = "wt_reset"  # empty the fields on the next run (a widget's value cannot change after it ran)
FIELD_DEFAULTS = {
    "wt_name": "",
    "wt_content": "",
    "wt_partner_id": "",
    "wt_category": CATEGORIES[0],
    "wt_language": "es",
}
PREFILLED = {  # each field and what it takes from core's prefill
    "wt_name": "name",
    "wt_content": "content",
    "wt_partner_id": "partner_template_id",
    "wt_category": "category",
    "wt_language": "language",
}


def prefill(actor: Actor) -> None:
    """Fill the five fields from the approved template just picked."""
    template_id = st.session_state.get("wt_from")
    if not template_id:
        return

    def read_fields(session: Session) -> None:
        fields = workspace_prefill(get_template(session, actor, template_id))
        for key, field in PREFILLED.items():
            st.session_state[key] = fields[field]

    act(FLASH, read_fields)


def clear_fields() -> None:
    st.session_state["wt_from"] = MANUAL
    for key in ("wt_name", "wt_content", "wt_partner_id"):
        st.session_state[key] = ""


def remove(actor: Actor, workspace_id: int, name: str) -> None:
    act(
        FLASH,
        lambda session: remove_from_workspace(session, actor, workspace_id),
        Words("template_pages.workspace.removed", name=plain(name)),
    )


def with_current(options: list[str], current: str) -> list[str]:
    """``options``, and the value a field holds already (a prefilled legacy category, say)."""
    return options if current in options else [*options, current]


def field_inputs() -> None:
    """The five fields, under the keys the save button reads."""
    st.text_input(t("template_pages.workspace.name"), key="wt_name")
    st.text_area(
        t("template_pages.workspace.content"),
        key="wt_content",
        help=t("template_pages.workspace.content_help"),
    )
    st.text_input(
        t("template_pages.workspace.partner_id"),
        key="wt_partner_id",
        help=t("template_pages.workspace.partner_id_help"),
    )
    category_column, language_column = st.columns(2)
    category_column.selectbox(
        t("template_pages.category"),
        with_current([*CATEGORIES, *LEGACY_CATEGORIES], st.session_state["wt_category"]),
        format_func=in_this_language(category_label),
        key="wt_category",
    )
    language_column.selectbox(
        t("template_pages.language"),
        with_current(list(LANGUAGES), st.session_state["wt_language"]),
        format_func=language_label,
        key="wt_language",
    )


def add_form(actor: Actor, channel_id: int) -> None:
    """Add to workspace: by hand, or filled in one click from an approved template."""
    st.subheader(t("template_pages.workspace.add"))
    st.text_input(t("template_pages.workspace.find"), key="wt_find")
    with store() as session:
        approved = addable_to_workspace(
            session, actor, channel_id, st.session_state.get("wt_find", "")
        )
    offered = {template.id: f"{template.name} ({template.language})" for template in approved}
    by_hand = t("template_pages.workspace.by_hand")  # worded now: format_func may run later
    st.selectbox(
        t("template_pages.workspace.from_approved"),
        [MANUAL, *offered],
        format_func=lambda option: offered.get(option) or by_hand,
        key="wt_from",
        on_change=prefill,
        args=(actor,),
        help=t("template_pages.workspace.from_approved_help"),
    )
    if not offered:
        st.caption(t("template_pages.workspace.none_offered"))
    field_inputs()
    if not st.button(t("template_pages.workspace.save"), key="wt_save", type="primary"):
        return
    state = st.session_state
    added = act(
        FLASH,
        lambda session: add_to_workspace(
            session,
            actor,
            channel_id,
            name=state["wt_name"],
            content=state["wt_content"],
            partner_template_id=state["wt_partner_id"],
            category=state["wt_category"],
            language=state["wt_language"],
        ),
        lambda workspace: Words("template_pages.workspace.added", name=plain(workspace.name)),
    )
    if added:
        st.session_state[RESET] = True
        st.rerun()
    show_flash(FLASH)


def workspace_item(actor: Actor, item: WorkspaceTemplate) -> None:
    with st.container(border=True):
        title_column, remove_column = st.columns([5, 1], vertical_alignment="top")
        with title_column:
            st.markdown(
                f"**{plain(item.name)}** · {plain(language_label(item.language))}"
                f" · {plain(category_label(item.category))}"
            )
            st.caption(
                t("template_pages.workspace.partner_id_line", id=plain(item.partner_template_id))
            )
            st.text(item.content)
            if item.flagged_reason:
                st.warning(
                    t(
                        "template_pages.workspace.flagged",
                        status=plain(status_label(item.flagged_reason)),
                    ),
                    icon=":material/flag:",
                )
        if actor.can(Permission.EDIT_TEMPLATES):
            remove_column.button(
                t("template_pages.workspace.remove"),
                key=f"wt_remove_{item.id}",
                icon=":material/delete:",
                on_click=remove,
                args=(actor, item.id, item.name),
            )


def workspace_list(actor: Actor, channel_id: int) -> None:
    st.subheader(t("template_pages.workspace.list"))
    search = st.text_input(
        t("template_pages.search"),
        key="wt_search",
        placeholder=t("template_pages.search_placeholder"),
    )
    with store() as session:
        listed = list_workspace(session, actor, channel_id, search)
    if not listed:
        st.info(t("template_pages.workspace.empty"))
    for item in listed:
        workspace_item(actor, item)


def render(actor: Actor) -> None:
    for key, default in FIELD_DEFAULTS.items():
        st.session_state.setdefault(key, default)
    if st.session_state.pop(RESET, False):
        clear_fields()
    st.title(t("template_pages.workspace.title"))
    st.caption(t("template_pages.workspace.intro"))
    show_flash(FLASH)
    with store() as session:
        channels = list_channels(session, actor)
    if not channels:
        st.info(t("template_pages.no_channels"))
        return
    names = {channel.id: channel_label(channel) for channel in channels}
    channel_id = st.selectbox(
        t("template_pages.channel"),
        list(names),
        format_func=names.__getitem__,
        key="wt_channel",
        on_change=clear_fields,
    )
    if actor.can(Permission.EDIT_TEMPLATES):
        with st.container(border=True):
            add_form(actor, channel_id)
    workspace_list(actor, channel_id)


render(page_guard(Permission.VIEW_TEMPLATES))
