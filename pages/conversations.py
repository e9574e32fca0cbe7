"""Conversations: the team inbox (views, filters, compact rows) beside one thread with every kind
of message, the 24-hour window, the team's triage and notes, and replies.

The inbox and the open thread (``pages/_conversations/``) are drawn on full reruns only: the
tab's live watch (``pages/_widgets/live.py``) reruns the page from the server within about a
second of a new message, a delivery tick or a teammate's change in the open thread, as soon as the
process's redraw budget allows for other changes on the channels shown, and costs next to
nothing meanwhile.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import marks
from core.i18n import t
from pages._conversations.actions import LIMIT, MESSAGES_PER_STEP, OPEN
from pages._conversations.filters import CHANNEL, filter_controls
from pages._conversations.inbox import conversation_list
from pages._conversations.thread import thread_view
from pages._widgets import live
from pages._widgets.session import page_guard


def open_thread_mark(conversation_id: int | None) -> marks.ThreadMark | None:
    """How the live watch tells that the open thread changed (``core.conversations.marks``)."""
    if conversation_id is None:
        return None
    return marks.ThreadMark(conversation_id, st.session_state.get(LIMIT, MESSAGES_PER_STEP))


def render(actor: Actor) -> None:
    st.title(t("viewer.title"))
    channel_id = st.session_state.get(CHANNEL)  # its widget's callback has already run
    live.follow(  # before anything is read
        None if channel_id is None else [channel_id], open_thread_mark(st.session_state.get(OPEN))
    )
    list_column, thread_column = st.columns([2, 3], gap="large")
    with list_column:
        filters = filter_controls(actor)
    with thread_column:  # drawn before the list so that opening a thread has cleared its unread
        if st.session_state.get(OPEN) is None:
            st.info(t("viewer.pick"), icon=":material/forum:")
        else:
            thread_view(actor, st.session_state[OPEN])
    with list_column:
        conversation_list(actor, filters)


render(page_guard(Permission.VIEW_CONVERSATIONS))
