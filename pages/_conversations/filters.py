"""Above the inbox: its views (mine, unassigned, all, each with its count of unresolved
conversations), the search, and the filters (status, channel, assignee, label, unread, open
window) in a popover that counts those on: two lines, so that ten rows still fit a
1,000-pixel-high window beside the thread.

An agent's "all" is theirs and the unassigned ones unless an admin lets agents see every
conversation: ``core.conversations.views`` decides, and counts, both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from core.access.auth import Actor
from core.channels.registry import list_channels
from core.conversations import assignment, labels, views
from core.conversations.threads import ConversationFilter
from core.conversations.views import View
from core.i18n import t
from core.models import ConversationStatus
from pages._conversations.assignment import status_label
from pages._conversations.inbox import LIST
from pages._widgets.labels import channel_label
from pages._widgets.pager import first_page
from pages._widgets.session import store

VIEW = "viewer_view"
CHANNEL = "viewer_channel"
STATUS = "viewer_status"
IN_THE_POPOVER = (
    STATUS,
    CHANNEL,
    "viewer_assignee",
    "viewer_label",
    "viewer_unread",
    "viewer_window",
)
"""The filters in the popover, counted on its button when they are on."""


@dataclass(frozen=True)
class Choices:
    """What the filters offer, read in one session: names by id."""

    channels: dict[int, str]
    members: dict[int, str]
    labels: dict[int, str]


def choices(actor: Actor) -> Choices:
    with store() as session:
        members = (
            {user.id or 0: user.username for user in assignment.answering_members(session, actor)}
            if assignment.sees_everything(session, actor)
            else {}  # an agent's list holds only their own and unassigned ones
        )
        return Choices(
            channels={
                channel.id: channel_label(channel) for channel in list_channels(session, actor)
            },
            members=members,
            labels={label.id or 0: label.name for label in labels.list_labels(session, actor)},
        )


def view_picker(actor: Actor, channel_id: int | None) -> View:
    """Mine / unassigned / all as one segmented control; deselecting it shows all."""
    with store() as session:
        counts = views.view_counts(session, actor, channel_id)
    worded = {
        view: t(f"viewer.view.{view.value}", count=getattr(counts, view.value)) for view in View
    }
    chosen = st.segmented_control(
        t("viewer.view"),
        list(View),
        default=View.ALL,
        format_func=worded.__getitem__,
        key=VIEW,
        label_visibility="collapsed",
        on_change=first_page,
        args=(LIST,),
    )
    return View(chosen) if chosen else View.ALL


def picker(label: str, options: dict[int, str], anyone: str, key: str) -> int | None:
    """One optional choice by id ("any" first), back to the list's first page when it changes."""
    return st.selectbox(
        label,
        [None, *options],
        format_func=lambda option: options.get(option) or anyone,
        placeholder=anyone,  # "any" is no choice: Streamlit shows the placeholder for it
        key=key,
        on_change=first_page,
        args=(LIST,),
    )


def status_picker() -> ConversationStatus | None:
    any_status = t("viewer.any_status")  # worded now: Streamlit may call format_func later
    statuses = {status: status_label(status.value).capitalize() for status in ConversationStatus}
    return st.selectbox(
        t("viewer.status_filter"),
        [None, *ConversationStatus],
        format_func=lambda option: statuses.get(option) or any_status,
        placeholder=any_status,
        key=STATUS,
        on_change=first_page,
        args=(LIST,),
    )


def more_filters(offered: Choices) -> ConversationFilter:
    """Every filter but the search, in a popover whose button says how many are on."""
    on = sum(bool(st.session_state.get(key)) for key in IN_THE_POPOVER)
    title = t("viewer.more_filters") + (f" ({on})" if on else "")
    with st.popover(title, icon=":material/filter_list:", width="stretch"):
        return ConversationFilter(
            status=status_picker(),
            channel_id=picker(
                t("viewer.channel"), offered.channels, t("viewer.all_channels"), CHANNEL
            ),
            assignee_id=picker(
                t("viewer.assignee"), offered.members, t("viewer.anyone"), "viewer_assignee"
            )
            if offered.members
            else None,
            label_id=picker(
                t("viewer.label"), offered.labels, t("viewer.any_label"), "viewer_label"
            ),
            unread_only=st.toggle(
                t("viewer.unread_only"), key="viewer_unread", on_change=first_page, args=(LIST,)
            ),
            open_window_only=st.toggle(
                t("viewer.open_only"), key="viewer_window", on_change=first_page, args=(LIST,)
            ),
        )


def filter_controls(actor: Actor) -> ConversationFilter:
    """Two compact lines: the views, then the search beside the filters' popover."""
    offered = choices(actor)
    view = view_picker(actor, st.session_state.get(CHANNEL))
    search_col, more_col = st.columns([3, 2], vertical_alignment="bottom")
    search = search_col.text_input(
        t("viewer.search"),
        placeholder=t("viewer.search_placeholder"),
        key="viewer_search",
        label_visibility="collapsed",
        on_change=first_page,
        args=(LIST,),
    )
    with more_col:
        more = more_filters(offered)
    return replace(more, search=search, view=view)
