"""Team inbox settings (admins, marketers): the labels put on conversations and the canned
replies agents type as ``/shortcut``."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import canned, labels
from core.i18n import t
from core.models import CannedReply, Label
from pages._widgets.flash import Words, act_and_redraw, show_flash
from pages._widgets.labels import plain
from pages._widgets.session import page_guard, store

FLASH = "inbox_settings_flash"
DEFAULT_COLOR = "#4e79a7"


def label_chip(label: Label) -> str:
    """A label as the conversation list shows it: its name on its colour."""
    return f":material/label: **{plain(label.name)}** `{label.color}`"


def new_label_form(actor: Actor) -> None:
    with st.form("new_label", clear_on_submit=True):
        name_col, color_col = st.columns([3, 1])
        name = name_col.text_input(t("inbox_pages.label_name"), key="new_label_name")
        color = color_col.color_picker(
            t("inbox_pages.label_color"), DEFAULT_COLOR, key="new_label_color"
        )
        add = st.form_submit_button(t("inbox_pages.label_add"), type="primary")
    if add:
        act_and_redraw(
            FLASH,
            lambda session: labels.create_label(session, actor, name, color),
            Words("inbox_pages.label_added", name=name.strip()),
        )


def save_and_delete_buttons() -> tuple[bool, bool]:
    """The two buttons under a label's or a canned reply's form: which one was pressed."""
    save_col, delete_col = st.columns(2)
    return (
        save_col.form_submit_button(t("inbox_pages.save")),
        delete_col.form_submit_button(t("inbox_pages.delete")),
    )


def edit_label(actor: Actor, label: Label) -> None:
    """Rename or recolour a label, or delete it (it leaves every conversation carrying it)."""
    with st.form(f"label_{label.id}"):
        name_col, color_col = st.columns([3, 1])
        name = name_col.text_input(
            t("inbox_pages.label_name"), label.name, key=f"label_name_{label.id}"
        )
        color = color_col.color_picker(
            t("inbox_pages.label_color"), label.color, key=f"label_color_{label.id}"
        )
        save, delete = save_and_delete_buttons()
    if save:
        act_and_redraw(
            FLASH,
            lambda session: labels.update_label(session, actor, label.id or 0, name, color),
            Words("inbox_pages.label_saved", name=name.strip()),
        )
    if delete:
        act_and_redraw(
            FLASH,
            lambda session: labels.delete_label(session, actor, label.id or 0),
            Words("inbox_pages.label_deleted", name=label.name),
        )


def labels_section(actor: Actor, all_labels: list[Label]) -> None:
    st.subheader(t("inbox_pages.labels"))
    st.caption(t("inbox_pages.labels_help"))
    new_label_form(actor)
    if not all_labels:
        st.info(t("inbox_pages.no_labels"))
    for label in all_labels:
        with st.expander(label_chip(label)):
            edit_label(actor, label)


def new_reply_form(actor: Actor) -> None:
    with st.form("new_canned", clear_on_submit=True):
        shortcut = st.text_input(t("inbox_pages.shortcut"), key="new_canned_shortcut")
        text = st.text_area(
            t("inbox_pages.canned_text"),
            key="new_canned_text",
            max_chars=canned.MAX_TEXT_LENGTH,
            help=t("inbox_pages.canned_fields"),
        )
        add = st.form_submit_button(t("inbox_pages.canned_add"), type="primary")
    if add:
        act_and_redraw(
            FLASH,
            lambda session: canned.add_reply(session, actor, shortcut, text),
            Words("inbox_pages.canned_added", shortcut=shortcut.strip().lstrip("/").lower()),
        )


def edit_reply(actor: Actor, reply: CannedReply) -> None:
    with st.form(f"canned_{reply.id}"):
        shortcut = st.text_input(
            t("inbox_pages.shortcut"), reply.shortcut, key=f"canned_shortcut_{reply.id}"
        )
        text = st.text_area(
            t("inbox_pages.canned_text"),
            reply.text,
            key=f"canned_text_{reply.id}",
            max_chars=canned.MAX_TEXT_LENGTH,
        )
        save, delete = save_and_delete_buttons()
    if save:
        act_and_redraw(
            FLASH,
            lambda session: canned.update_reply(session, actor, reply.id or 0, shortcut, text),
            Words("inbox_pages.canned_saved", shortcut=reply.shortcut),
        )
    if delete:
        act_and_redraw(
            FLASH,
            lambda session: canned.delete_reply(session, actor, reply.id or 0),
            Words("inbox_pages.canned_deleted", shortcut=reply.shortcut),
        )


def replies_section(actor: Actor, replies: list[CannedReply]) -> None:
    st.subheader(t("inbox_pages.canned"))
    st.caption(t("inbox_pages.canned_help"))
    new_reply_form(actor)
    if not replies:
        st.info(t("inbox_pages.no_canned"))
    for reply in replies:
        with st.expander(f"/{reply.shortcut} · {plain(reply.text[:60])}"):
            edit_reply(actor, reply)


def render(actor: Actor) -> None:
    st.title(t("inbox_pages.title"))
    show_flash(FLASH)
    with store() as session:
        all_labels = labels.list_labels(session, actor)
        replies = canned.list_replies(session, actor)
    labels_tab, replies_tab = st.tabs([t("inbox_pages.labels"), t("inbox_pages.canned")])
    with labels_tab:
        labels_section(actor, all_labels)
    with replies_tab:
        replies_section(actor, replies)


render(page_guard(Permission.MANAGE_INBOX))
