"""A form that fills an approved workspace template's variables, with a preview (shared by pages).

Not a page itself: the conversation viewer (and campaigns) embed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.access.auth import Actor
from core.i18n import t
from core.models import WorkspaceTemplate
from core.templates.anatomy import template_variables
from core.templates.preview import render_preview
from core.templates.values import TemplateValues
from core.templates.workspace import sendable_workspace
from pages.common import fixed_language_t, store


@dataclass(frozen=True)
class FilledTemplate:
    workspace: WorkspaceTemplate
    values: TemplateValues


def template_form(actor: Actor, channel_id: int, key: str) -> FilledTemplate | None:
    """Choose a template and fill its variables; ``None`` until one is chosen."""
    with store() as session:
        sendable = sendable_workspace(session, actor, channel_id)
    choices = [workspace for workspace, _ in sendable]
    definitions = {workspace.id: definition for workspace, definition in sendable}
    if not choices:
        st.caption(t("template_form.none"))
        return None
    by_id = {w.id: w for w in choices}
    translate = fixed_language_t()
    chosen = st.selectbox(
        translate("template_form.choose"),
        list(by_id),
        format_func=lambda wid: f"{by_id[wid].name} · {by_id[wid].language}",
        key=f"{key}_template",
    )
    definition = definitions[chosen]
    names = template_variables(definition)
    header = [
        st.text_input(t("template_form.header_value", name=name), key=f"{key}_h_{chosen}_{name}")
        for name in names.header
    ]
    body = [
        st.text_input(t("template_form.body_value", name=name), key=f"{key}_b_{chosen}_{name}")
        for name in names.body
    ]
    buttons = {
        index: st.text_input(
            t("template_form.button_value", index=index + 1), key=f"{key}_u_{chosen}_{index}"
        )
        for index in names.buttons
    }
    values = TemplateValues(header=header, body=body, buttons=buttons)
    preview = render_preview(definition["components"], values)
    with st.container(border=True):
        if preview.header:
            st.markdown(f"**{preview.header}**")
        st.text(preview.body)
        if preview.footer:
            st.caption(preview.footer)
        for button in preview.buttons:
            st.button(button.text, disabled=True, key=f"{key}_pb_{chosen}_{button.text}")
    return FilledTemplate(workspace=by_id[chosen], values=values)
