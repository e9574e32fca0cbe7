"""Workspace templates (seed point 14): the approved templates the team may send, and adding one.

"Add to workspace" has the seed's five fields (template name, template content, template ID,
category, language) and "Save"; one click fills them from an approved synced template. Core
refuses anything not approved and says why; this page shows those words.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Permission
from core.channels.registry import list_channels
from core.errors import UserFacingError
from core.i18n import t
from core.templates import library as templates
from core.templates.rules import CATEGORIES, LANGUAGES, LEGACY_CATEGORIES
from pages.common import current_actor, fixed_language_t, page_guard, plain, show_flash, store

FLASH = "wt_flash"
FIELDS = ("wt_name", "wt_content", "wt_partner_id", "wt_category", "wt_language")
MANUAL = 0  # the "type it by hand" choice of the approved-template picker
RESET = "wt_reset"  # empty the fields on the next run (a widget's value cannot change after it ran)


actor = page_guard(Permission.VIEW_TEMPLATES)
translate = fixed_language_t()
can_edit = actor.can(Permission.EDIT_TEMPLATES)
st.session_state.setdefault("wt_name", "")
st.session_state.setdefault("wt_content", "")
st.session_state.setdefault("wt_partner_id", "")
st.session_state.setdefault("wt_category", CATEGORIES[0])
st.session_state.setdefault("wt_language", "es")


def category_label(code: str) -> str:
    key = f"template_pages.category.{code}"
    text = translate(key)
    return code if text == key else text


def status_label(status: str) -> str:
    key = f"template_pages.state.{status}"
    text = translate(key)
    return status if text == key else text


def language_label(code: str) -> str:
    return f"{code} — {LANGUAGES.get(code, code)}"


def _prefill() -> None:
    """Fill the five fields from the approved template just picked."""
    viewer = current_actor()
    template_id = st.session_state.get("wt_from")
    if viewer is None or not template_id:
        return
    try:
        with store() as session:
            fields = templates.workspace_prefill(
                templates.get_template(session, viewer, template_id)
            )
    except UserFacingError as exc:
        st.session_state[FLASH] = exc
        return
    st.session_state["wt_name"] = fields["name"]
    st.session_state["wt_content"] = fields["content"]
    st.session_state["wt_partner_id"] = fields["partner_template_id"]
    st.session_state["wt_category"] = fields["category"]
    st.session_state["wt_language"] = fields["language"]


def _clear_fields() -> None:
    st.session_state["wt_from"] = MANUAL
    for key in ("wt_name", "wt_content", "wt_partner_id"):
        st.session_state[key] = ""


def _remove(workspace_id: int, name: str) -> None:
    viewer = current_actor()
    if viewer is None:
        return
    with store() as session:
        templates.remove_from_workspace(session, viewer, workspace_id)
    st.session_state[FLASH] = ("template_pages.workspace.removed", {"name": name})


if st.session_state.pop(RESET, False):
    _clear_fields()
st.title(t("template_pages.workspace.title"))
st.caption(t("template_pages.workspace.intro"))
show_flash(st.session_state.pop(FLASH, None))

with store() as session:
    channels = list_channels(session, actor)
if not channels:
    st.info(t("template_pages.no_channels"))
    st.stop()
channel_names = {channel.id: f"{channel.name} ({channel.number})" for channel in channels}
channel_id = st.selectbox(
    t("template_pages.channel"),
    list(channel_names),
    format_func=channel_names.__getitem__,
    key="wt_channel",
    on_change=_clear_fields,
)

with store() as session:
    approved = templates.addable_to_workspace(
        session, actor, channel_id, st.session_state.get("wt_find", "")
    )

# --- Add to workspace --------------------------------------------------------------------------

if can_edit:
    with st.container(border=True):
        st.subheader(t("template_pages.workspace.add"))
        offered = {template.id: f"{template.name} ({template.language})" for template in approved}
        st.text_input(t("template_pages.workspace.find"), key="wt_find")
        st.selectbox(
            t("template_pages.workspace.from_approved"),
            [MANUAL, *offered],
            format_func=lambda option: (
                offered.get(option) or translate("template_pages.workspace.by_hand")
            ),
            key="wt_from",
            on_change=_prefill,
            help=t("template_pages.workspace.from_approved_help"),
        )
        if not offered:
            st.caption(t("template_pages.workspace.none_offered"))
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
        category_options = [*CATEGORIES, *LEGACY_CATEGORIES]
        if st.session_state["wt_category"] not in category_options:
            category_options.append(st.session_state["wt_category"])
        language_options = list(LANGUAGES)
        if st.session_state["wt_language"] not in language_options:
            language_options.append(st.session_state["wt_language"])
        category_column, language_column = st.columns(2)
        category = category_column.selectbox(
            t("template_pages.category"),
            category_options,
            format_func=category_label,
            key="wt_category",
        )
        language = language_column.selectbox(
            t("template_pages.language"),
            language_options,
            format_func=language_label,
            key="wt_language",
        )
        if st.button(t("template_pages.workspace.save"), key="wt_save", type="primary"):
            try:
                with store() as session:
                    added = templates.add_to_workspace(
                        session,
                        actor,
                        channel_id,
                        name=st.session_state["wt_name"],
                        content=st.session_state["wt_content"],
                        partner_template_id=st.session_state["wt_partner_id"],
                        category=category,
                        language=language,
                    )
                    added_name = added.name
            except UserFacingError as exc:
                st.error(exc.message(), icon=":material/error:")
            else:
                st.session_state[FLASH] = ("template_pages.workspace.added", {"name": added_name})
                st.session_state[RESET] = True
                st.rerun()

# --- The workspace templates -------------------------------------------------------------------

st.subheader(t("template_pages.workspace.list"))
search = st.text_input(
    t("template_pages.search"),
    key="wt_search",
    placeholder=t("template_pages.search_placeholder"),
)
with store() as session:
    listed = templates.list_workspace(session, actor, channel_id, search)
if not listed:
    st.info(t("template_pages.workspace.empty"))
for item in listed:
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
        if can_edit:
            remove_column.button(
                t("template_pages.workspace.remove"),
                key=f"wt_remove_{item.id}",
                icon=":material/delete:",
                on_click=_remove,
                args=(item.id, item.name),
            )
