"""Conversations: the inbox, one thread with every kind of message, the 24-hour window, replies.

The inbox and the open thread (``pages/_conversations/``) are drawn on full reruns only: the
tab's live watch (``pages/_widgets/live.py``) reruns the page within about a second and a half
of a new message or delivery tick on the channels shown, and costs next to nothing meanwhile.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.conversations.threads import ConversationFilter
from core.i18n import t
from pages._conversations.actions import OPEN
from pages._conversations.inbox import LIST, conversation_list
from pages._conversations.thread import thread_view
from pages._widgets import live
from pages._widgets.labels import channel_label
from pages._widgets.pager import first_page
from pages._widgets.session import page_guard, store


def filter_controls(actor: Actor) -> ConversationFilter:
    with store() as session:
        names = {channel.id: channel_label(channel) for channel in list_channels(session, actor)}
    all_channels = t("viewer.all_channels")  # worded now: Streamlit may call format_func later
    search_col, channel_col = st.columns(2)
    search = search_col.text_input(
        t("viewer.search"),
        placeholder=t("viewer.search_placeholder"),
        key="viewer_search",
        on_change=first_page,
        args=(LIST,),
    )
    channel_id = channel_col.selectbox(
        t("viewer.channel"),
        [None, *names],
        format_func=lambda option: names.get(option) or all_channels,
        key="viewer_channel",
        on_change=first_page,
        args=(LIST,),
    )
    unread_col, open_col = st.columns(2)
    unread_only = unread_col.toggle(
        t("viewer.unread_only"), key="viewer_unread", on_change=first_page, args=(LIST,)
    )
    open_only = open_col.toggle(
        t("viewer.open_only"), key="viewer_window", on_change=first_page, args=(LIST,)
    )
    return ConversationFilter(
        search=search, unread_only=unread_only, open_window_only=open_only, channel_id=channel_id
    )


def render(actor: Actor) -> None:
    st.title(t("viewer.title"))
    list_column, thread_column = st.columns([2, 3], gap="large")
    with list_column:
        filters = filter_controls(actor)
    live.follow(None if filters.channel_id is None else [filters.channel_id])
    with thread_column:  # drawn before the list so that opening a thread has cleared its unread
        if st.session_state.get(OPEN) is None:
            st.info(t("viewer.pick"), icon=":material/forum:")
        else:
            thread_view(actor, st.session_state[OPEN])
    with list_column:
        conversation_list(actor, filters)


render(page_guard(Permission.VIEW_CONVERSATIONS))
