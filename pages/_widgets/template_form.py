"""Choose an approved workspace template and fill its variables, with the bubble it makes.

Not a page: the conversation viewer embeds it to send a template in or out of the 24-hour window.
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
from core.templates.workspace import flagged_workspace, sendable_workspace
from pages._widgets.bubble import show_bubble
from pages._widgets.labels import plain, status_label
from pages._widgets.session import store


@dataclass(frozen=True)
class FilledTemplate:
    workspace: WorkspaceTemplate
    values: TemplateValues


def flagged_note(actor: Actor, channel_id: int) -> None:
    """The workspace templates not offered now, each with its status (paused by WhatsApp…)."""
    with store() as session:
        flagged = flagged_workspace(session, actor, channel_id)
    if flagged:
        names = ", ".join(
            f"{plain(w.name)} · {w.language} ({status_label(w.flagged_reason)})" for w in flagged
        )
        st.warning(t("template_form.flagged", names=names), icon=":material/flag:")


def template_form(actor: Actor, channel_id: int, key: str) -> FilledTemplate | None:
    """Choose a template and fill its variables; ``None`` until one is chosen."""
    flagged_note(actor, channel_id)
    with store() as session:
        sendable = sendable_workspace(session, actor, channel_id)
    if not sendable:
        st.caption(t("template_form.none"))
        return None
    by_id = {workspace.id: workspace for workspace, _ in sendable}
    definitions = {workspace.id: definition for workspace, definition in sendable}
    names = {wid: f"{workspace.name} · {workspace.language}" for wid, workspace in by_id.items()}
    chosen = st.selectbox(
        t("template_form.choose"), list(by_id), format_func=names.__getitem__, key=f"{key}_template"
    )
    definition = definitions[chosen]
    needed = template_variables(definition)
    header = [
        st.text_input(t("template_form.header_value", name=name), key=f"{key}_h_{chosen}_{name}")
        for name in needed.header
    ]
    body = [
        st.text_input(t("template_form.body_value", name=name), key=f"{key}_b_{chosen}_{name}")
        for name in needed.body
    ]
    buttons = {
        index: st.text_input(
            t("template_form.button_value", index=index + 1), key=f"{key}_u_{chosen}_{index}"
        )
        for index in needed.buttons
    }
    values = TemplateValues(header=header, body=body, buttons=buttons)
    show_bubble(render_preview(definition["components"], values))
    return FilledTemplate(workspace=by_id[chosen], values=values)
