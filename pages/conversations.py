"""Conversations: the list, one thread with every kind of message, the 24-hour window, replies.

The list and the open thread (``pages/_conversations/``) are fragments that rerun every 2 seconds
on their own, so new messages and delivery ticks appear without reloading.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.channels.registry import list_channels
from core.conversations import threads
from core.conversations.threads import ConversationFilter, ConversationRow
from core.i18n import t
from pages._conversations.actions import OPEN, open_conversation
from pages._conversations.thread import REFRESH_SECONDS, thread_view, window_badge
from pages._widgets.labels import channel_label, plain, when
from pages._widgets.pager import current_page, first_page, pager_controls
from pages._widgets.session import page_guard, store

LIST = "viewer_list"  # pager key: the page number lives in ``viewer_list_page``
LIST_PAGE_SIZE = 20


def render_row(row: ConversationRow, selected: bool) -> None:
    with st.container(border=True):
        badge = f" :red-badge[{t('viewer.unread', count=row.unread)}]" if row.unread else ""
        st.markdown(f"**{plain(row.contact_name)}**{badge}")
        number = f"+{row.wa_id}"
        details = [plain(number)] if number != row.contact_name else []
        details += [plain(row.channel_name), when(row.last_message_at)]
        st.caption(" · ".join(part for part in details if part))
        if row.preview:
            st.caption(plain(row.preview))
        st.markdown(window_badge(row.window))
        if st.button(
            t("viewer.open"),
            key=f"viewer_open_{row.id}",
            type="primary" if selected else "secondary",
            icon=":material/chat:",
        ):
            open_conversation(row.id)


@st.fragment(run_every=REFRESH_SECONDS)
def conversation_list(filters: ConversationFilter) -> None:
    actor = page_guard(Permission.VIEW_CONVERSATIONS)
    with store() as session:
        page = threads.list_conversations(
            session, actor, filters, page=current_page(LIST), page_size=LIST_PAGE_SIZE
        )
    if not page.items:
        st.info(t("viewer.empty"))
    for row in page.items:
        render_row(row, selected=row.id == st.session_state.get(OPEN))
    pager_controls(LIST, page.has_next)


def filter_controls(actor: Actor) -> ConversationFilter:
    with store() as session:
        names = {channel.id: channel_label(channel) for channel in list_channels(session, actor)}
    all_channels = t("viewer.all_channels")  # worded now: Streamlit may call format_func later
    search = st.text_input(
        t("viewer.search"),
        placeholder=t("viewer.search_placeholder"),
        key="viewer_search",
        on_change=first_page,
        args=(LIST,),
    )
    channel_id = st.selectbox(
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
    with thread_column:  # drawn before the list so that opening a thread has cleared its unread
        if st.session_state.get(OPEN) is None:
            st.info(t("viewer.pick"), icon=":material/forum:")
        else:
            thread_view(st.session_state[OPEN])
    with list_column:
        conversation_list(filters)


render(page_guard(Permission.VIEW_CONVERSATIONS))
