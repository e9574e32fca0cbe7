"""The open conversation: who it is with, the 24-hour window, every message, the composer.

Drawn on full reruns only, which the tab's live watch (``pages/_widgets/live.py``) starts when a
message or a delivery tick arrives; each draw makes a few indexed queries in ``core``.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import threads
from core.conversations.threads import Thread, Window
from core.errors import UserFacingError
from core.i18n import t
from core.models import MessageStatus
from pages._conversations.actions import (
    FLASH,
    LIMIT,
    MESSAGES_PER_STEP,
    NO_QUOTE,
    OPEN,
    composer_key,
    reply_to_key,
    send_filled_template,
    send_reply,
    show_older,
)
from pages._conversations.message import render_message
from pages._widgets.bubble import chat_sides
from pages._widgets.flash import say_refusal, show_flash
from pages._widgets.labels import channel_label, plain, when
from pages._widgets.session import store
from pages._widgets.template_form import template_form

QUOTABLE = 10  # recent customer messages offered to reply to


def window_text(window: Window) -> str:
    """The window in words: "Window open: closes in 5 h 12 min" or "Window closed"."""
    if not window.is_open():
        return t("viewer.window.closed")
    hours, minutes = divmod(int(window.remaining().total_seconds() // 60), 60)
    left = (
        t("viewer.duration.hours", hours=hours, minutes=minutes)
        if hours
        else t("viewer.duration.minutes", minutes=minutes)
    )
    return t("viewer.window.open", left=left)


def window_badge(window: Window) -> str:
    color = "green" if window.is_open() else "gray"
    return f":{color}-badge[:material/schedule: {window_text(window)}]"


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
    """A reply while the window is open; only an approved template once it has closed."""
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        st.caption(f":material/visibility: {t('viewer.composer.read_only')}")
        return
    if not thread.window.is_open():
        st.info(t("viewer.composer.closed"), icon=":material/lock_clock:")
        template_sender(actor, thread)
        return
    with st.expander(t("viewer.composer.template"), icon=":material/article:"):
        template_sender(actor, thread)
    quote_choice(thread)
    conversation_id = thread.conversation.id
    st.chat_input(
        t("viewer.composer.placeholder"),
        key=composer_key(conversation_id),
        max_chars=threads.MAX_TEXT_LENGTH,
        accept_file="multiple",
        on_submit=send_reply,
        args=(actor, conversation_id),
    )


def thread_view(actor: Actor, conversation_id: int) -> None:
    try:
        with store() as session:
            thread = threads.get_thread(
                session,
                actor,
                conversation_id,
                limit=st.session_state.get(LIMIT, MESSAGES_PER_STEP),
            )
            if thread.conversation.unread_count:
                threads.mark_read(session, actor, conversation_id)
    except UserFacingError as exc:
        st.session_state.pop(OPEN, None)
        say_refusal(exc)
        return
    contact = thread.contact
    number = f"+{contact.wa_id}"
    st.subheader(plain(contact.profile_name or number))
    known_as = contact.reported_wa_id  # WhatsApp answered a send with another number
    details = [plain(number), plain(channel_label(thread.channel))]
    if known_as:
        details.append(t("viewer.reported_wa_id", number=plain(known_as)))
    st.caption(" · ".join(details))
    st.markdown(window_badge(thread.window))
    chat_sides()
    with st.container(height=560, autoscroll=True):
        if thread.has_older:
            st.button(t("viewer.older"), key="viewer_older", on_click=show_older)
        for item in thread.messages:
            render_message(actor, item)
    show_flash(FLASH, keep=True)
    composer(actor, thread)
