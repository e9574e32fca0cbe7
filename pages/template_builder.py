"""Template builder: compose a template visually, see it as WhatsApp will, submit it for approval.

Every change reruns the page: the preview and the rule check follow at once. The page only lays
out the form (``pages/_templates/builder_form.py``: standard, media, coupon code, limited-time
offer, carousel and authentication templates); ``core.templates.drafts`` turns it into the
body 360Dialog takes, ``core.templates.submission`` validates, keeps drafts and submits.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlmodel import Session

from core.access import settings as app_settings
from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.i18n import t
from core.templates.drafts import DEFAULTS, NOT_WIDGETS, body_from_form, form_from_body
from core.templates.library import DRAFT, TemplateFilter, as_body, get_template, list_templates
from core.templates.limits import Limits
from core.templates.preview import render_preview
from core.templates.submission import active_limits, save_draft, submit_template, validate
from core.templates.violations import Violation
from pages._templates.builder_form import template_fields
from pages._widgets.bubble import show_bubble
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import channel_label, status_label
from pages._widgets.session import page_guard, store

FLASH = "tb_flash"
# Keys of widgets that come and go with the text (a variable's example, a quick reply, a card).
# A comment, not a string under the constant: Streamlit shows a page script's bare strings.
FORM_PREFIXES = ("tb_header_ex_", "tb_body_ex_", "tb_qr_", "tb_card_")


def reset_form() -> None:
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(FORM_PREFIXES):
            del st.session_state[key]
    for key, value in {**DEFAULTS, **NOT_WIDGETS}.items():
        st.session_state[key] = value


def load_draft(actor: Actor) -> None:
    draft_id = st.session_state.get("tb_draft")
    if draft_id is None:
        return

    def fill_form(session: Session) -> str:
        """Show the draft in the form, in place of what was there."""
        draft = get_template(session, actor, draft_id)
        body = as_body(draft)
        reset_form()
        st.session_state.update(form_from_body(body))
        return draft.name

    act(FLASH, fill_form, lambda name: Words("template_pages.builder.loaded", name=name))


def switch_limits(actor: Actor) -> None:
    choice = "meta" if st.session_state.get("tb_meta_limits") else "compact"
    act(
        FLASH,
        lambda session: app_settings.put(session, actor, app_settings.TEMPLATE_LIMITS, choice),
    )


def limits_box(actor: Actor, limits: Limits) -> None:
    """Which rules apply (the compact buttons layout or Meta's); admins may switch them."""
    with st.container(border=True):
        limits_column, toggle_column = st.columns([3, 2])
        limits_column.markdown(
            t(
                f"template_pages.limits.{limits.name}",
                quick_replies=limits.quick_replies,
                urls=limits.url_buttons,
                phones=limits.phone_buttons,
            )
        )
        if actor.can(Permission.MANAGE_CHANNELS):
            toggle_column.toggle(
                t("template_pages.limits.use_meta"),
                value=limits.name == "meta",
                key="tb_meta_limits",
                on_change=switch_limits,
                args=(actor,),
                help=t("template_pages.limits.help"),
            )


def drafts_box(actor: Actor, channel_id: int) -> None:
    """Continue a draft of this channel, or start again from an empty form."""
    with store() as session:
        drafts = list_templates(
            session,
            actor,
            TemplateFilter(channel_id=channel_id, status=DRAFT),
            sort="name",
            page_size=500,
        ).items
    if not drafts:
        st.caption(t("template_pages.builder.no_drafts"))
    else:
        names = {draft.id: f"{draft.name} ({draft.language})" for draft in drafts}
        st.selectbox(
            t("template_pages.builder.draft"),
            list(names),
            format_func=lambda draft_id: names.get(draft_id, str(draft_id)),
            key="tb_draft",
        )
        st.button(
            t("template_pages.builder.load"), key="tb_load", on_click=load_draft, args=(actor,)
        )
    st.button(t("template_pages.builder.new"), key="tb_new", on_click=reset_form)


def rule_check(violations: list[Violation]) -> None:
    st.subheader(t("template_pages.builder.check"))
    if not violations:
        st.success(t("template_pages.builder.valid"), icon=":material/task_alt:")
        return
    st.caption(t("template_pages.builder.violations", count=len(violations)))
    for violation in violations:
        st.error(violation.message(), icon=":material/rule:")


def save_and_submit(actor: Actor, channel_id: int, template: dict[str, Any], valid: bool) -> None:
    """Keep the template as a draft, or send it to WhatsApp for approval (only once it is valid)."""
    save_column, submit_column = st.columns(2)
    save = save_column.button(
        t("template_pages.builder.save_draft"),
        key="tb_save",
        icon=":material/save:",
        disabled=not template["name"],
        help=t("template_pages.builder.save_help"),
    )
    submit = submit_column.button(
        t("template_pages.builder.submit"),
        key="tb_submit",
        type="primary",
        icon=":material/send:",
        disabled=not valid,
        help=None if valid else t("template_pages.builder.submit_blocked"),
    )
    name = template["name"]
    if save:
        act(
            FLASH,
            lambda session: save_draft(session, actor, channel_id, template),
            Words("template_pages.builder.saved", name=name),
        )
    if submit and valid:
        act(
            FLASH,
            lambda session: submit_template(session, actor, channel_id, template),
            lambda submitted: Words(
                "template_pages.builder.submitted", name=name, status=status_label(submitted.status)
            ),
        )
    show_flash(FLASH)


def render(actor: Actor) -> None:
    for key, default in {**DEFAULTS, **NOT_WIDGETS}.items():
        st.session_state.setdefault(key, default)
    st.title(t("template_pages.builder.title"))
    st.caption(t("template_pages.builder.intro"))
    with store() as session:
        channels = list_channels(session, actor)
        limits = active_limits(session)
    if not channels:
        st.info(t("template_pages.no_channels"))
        return
    names = {channel.id: channel_label(channel) for channel in channels}
    if st.session_state.get("tb_channel") not in names:
        st.session_state["tb_channel"] = next(iter(names))
    show_flash(FLASH)
    limits_box(actor, limits)
    channel_id = st.selectbox(
        t("template_pages.channel"), list(names), format_func=names.__getitem__, key="tb_channel"
    )
    with st.expander(t("template_pages.builder.drafts"), expanded=False):
        drafts_box(actor, channel_id)
    form_column, preview_column = st.columns([3, 2], gap="large")
    with form_column:
        template_fields(actor, channel_id, limits)
    template = body_from_form(st.session_state)
    with store() as session:
        violations = validate(session, template)
    with preview_column:
        st.subheader(t("template_pages.builder.preview"))
        show_bubble(
            render_preview(body_from_form(st.session_state, for_preview=True)["components"])
        )
        st.caption(t("template_pages.builder.preview_help"))
    rule_check(violations)
    save_and_submit(actor, channel_id, template, valid=not violations)


render(page_guard(Permission.EDIT_TEMPLATES))
