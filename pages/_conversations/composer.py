"""Under the open thread: what the team writes. A reply while the 24-hour window is open (quoting
a customer's message if wanted, a canned reply picked or typed as ``/shortcut``), an approved
template at any time, and a private note the customer never receives."""

from __future__ import annotations

import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

from core.access.auth import Actor, Permission
from core.conversations import replies
from core.conversations.threads import Thread
from core.i18n import t
from core.models import MessageStatus
from pages._conversations.actions import (
    NO_QUOTE,
    composer_key,
    reply_to_key,
    send_filled_template,
    send_reply,
)
from pages._conversations.canned import canned_picker
from pages._conversations.notes import note_form
from pages._widgets.labels import when
from pages._widgets.template_form import template_form

QUOTABLE = 10  # recent customer messages offered to reply to
TEMPLATE_OPEN = "viewer_template_open"  # whether "Send a template" is open in an open window
NOTE_OPEN = "viewer_note_open"  # whether "Write a private note" is open


def lazy_expander(label: str, icon: str, key: str) -> ExpanderContainer:
    """An expander whose content is drawn only while it is open (``.open``): a closed one costs
    every live redraw nothing (the template list, the note form)."""
    return st.expander(label, icon=icon, key=key, on_change="rerun")


def template_sender(actor: Actor, thread: Thread) -> None:
    """An approved workspace template, filled and previewed; allowed in or out of the window."""
    conversation_id = thread.conversation.id
    filled = template_form(actor, thread.channel.id, key=f"viewer_tpl_{conversation_id}")
    if filled is not None and st.button(
        t("viewer.composer.send_template"), key=f"viewer_tpl_send_{conversation_id}", type="primary"
    ):
        send_filled_template(actor, conversation_id, filled.workspace.id, filled.values)


def quote_choice(thread: Thread) -> None:
    """Which recent customer message a reply quotes (none by default)."""
    recent = [
        item.message
        for item in reversed(thread.messages)
        if item.message.direction == "in"
        and item.message.type != "system"
        and item.message.status != MessageStatus.DELETED
        and item.message.wa_message_id
        and not item.message.wa_message_id.startswith("noid:")
    ][:QUOTABLE]
    labels = {
        m.wa_message_id: f"{when(m.created_at)} · {(m.text or f'[{m.type}]')[:60]}" for m in recent
    }
    no_quote = t("viewer.composer.no_quote")  # worded now: Streamlit may call format_func later
    st.selectbox(
        t("viewer.composer.reply_to"),
        [NO_QUOTE, *labels],
        format_func=lambda wa_id: labels.get(wa_id) or no_quote,
        key=reply_to_key(thread.conversation.id),
    )


def composer(actor: Actor, thread: Thread) -> None:
    """A reply while the window is open; only an approved template once it has closed. Notes
    may be written either way."""
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        st.caption(f":material/visibility: {t('viewer.composer.read_only')}")
        return
    conversation_id = thread.conversation.id
    if not thread.window.is_open():
        st.info(t("viewer.composer.closed"), icon=":material/lock_clock:")
        template_sender(actor, thread)
    else:
        templates = lazy_expander(
            t("viewer.composer.template"), ":material/article:", TEMPLATE_OPEN
        )
        if templates.open:
            with templates:
                template_sender(actor, thread)
        quote_col, canned_col = st.columns(2)
        with quote_col:
            quote_choice(thread)
        with canned_col:
            canned_picker(actor, conversation_id, composer_key(conversation_id))
        st.chat_input(
            t("viewer.composer.placeholder"),
            key=composer_key(conversation_id),
            max_chars=replies.MAX_TEXT_LENGTH,
            accept_file="multiple",
            on_submit=send_reply,
            args=(actor, conversation_id),
        )
    note = lazy_expander(t("viewer.note.add"), ":material/lock:", NOTE_OPEN)
    if note.open:
        with note:
            note_form(actor, conversation_id)
