"""The open conversation: who it is with, the 24-hour window, the team's triage of it
(assignee, status, labels), the contact's profile, its messages and private notes in order, and
the composer.

Drawn on full reruns only, which the tab's live watch (``pages/_widgets/live.py``) starts when a
message, a delivery tick or a teammate's change arrives; each draw makes a few indexed queries
in ``core``.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.conversations import threads
from core.conversations.threads import Thread, ThreadMessage, Window
from core.errors import UserFacingError
from core.i18n import t
from pages._conversations.actions import FLASH, LIMIT, MESSAGES_PER_STEP, OPEN, show_older
from pages._conversations.assignment import triage_panel
from pages._conversations.composer import composer
from pages._conversations.message import render_message
from pages._conversations.notes import note_bubble, notes_look
from pages._conversations.profile import profile_panel
from pages._widgets.bubble import chat_sides
from pages._widgets.flash import say_refusal, show_flash
from pages._widgets.labels import channel_label, plain
from pages._widgets.session import store

PROFILE_OPEN = "viewer_profile_open"  # whether the contact's profile popover is open


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


def opened(actor: Actor, conversation_id: int) -> Thread | None:
    """The thread, read (its unread count cleared); ``None`` after saying why it cannot be."""
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
        return None
    return thread


def heading(actor: Actor, thread: Thread) -> None:
    """Who, on which number and channel, and the window; the contact's profile one click away."""
    contact = thread.contact
    number = f"+{contact.wa_id}"
    known_as = contact.reported_wa_id  # WhatsApp answered a send with another number
    details = [plain(number), plain(channel_label(thread.channel))]
    if known_as:
        details.append(t("viewer.reported_wa_id", number=plain(known_as)))
    name_col, profile_col = st.columns([2, 1], vertical_alignment="center")
    with name_col:
        st.subheader(plain(contact.profile_name or number))
        st.caption(" · ".join(details))
        st.markdown(window_badge(thread.window))
    profile = profile_col.popover(
        t("viewer.profile"),
        icon=":material/contact_page:",
        width="stretch",
        key=PROFILE_OPEN,
        on_change="rerun",
    )
    if profile.open:  # read only when looked at: every live redraw would read it otherwise
        with profile:
            profile_panel(actor, thread.conversation.id)


def timeline(actor: Actor, thread: Thread) -> None:
    """Messages on their sides, the team's private notes between them where they were written."""
    chat_sides()
    notes_look()
    with st.container(height=520, autoscroll=True):
        if thread.has_older:
            st.button(t("viewer.older"), key="viewer_older", on_click=show_older)
        for item in thread.timeline:
            if isinstance(item, ThreadMessage):
                render_message(actor, item)
            else:
                note_bubble(item)


def thread_view(actor: Actor, conversation_id: int) -> None:
    thread = opened(actor, conversation_id)
    if thread is None:
        return
    heading(actor, thread)
    with st.container(border=True):
        triage_panel(actor, conversation_id)
    timeline(actor, thread)
    show_flash(FLASH, keep=True)
    composer(actor, thread)
