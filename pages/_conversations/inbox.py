"""The conversation list as an inbox: one compact row per conversation, the whole row its button.

A row says who, how many unread and when the last message came, then its status (when not
open), assignee and labels before the last message's first line; the open conversation's row is
highlighted, found by its id, so it stays highlighted wherever a new message moves it in the list.
It is drawn on full reruns only (``pages/_widgets/live.py`` reruns the page when a message
arrives or a teammate changes a conversation).
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.conversations import threads
from core.conversations.threads import ConversationFilter, ConversationRow
from core.i18n import t
from core.models import ConversationStatus
from pages._conversations.actions import OPEN, open_conversation
from pages._conversations.assignment import status_label
from pages._widgets.labels import plain, when
from pages._widgets.pager import current_page, pager_controls
from pages._widgets.session import store

LIST = "viewer_list"  # pager key: the page number lives in ``viewer_list_page``
LIST_PAGE_SIZE = 20
ROWS = "viewer_rows"  # the keyed container the rows' look applies to
ROW_LOOK = f"""<style>
.st-key-{ROWS} {{ gap: 0.25rem; }}
.st-key-{ROWS} button {{
  justify-content: flex-start; text-align: left; min-height: 0; padding: 0.3rem 0.7rem;
}}
.st-key-{ROWS} button > div, .st-key-{ROWS} button [data-testid="stMarkdownContainer"] {{
  width: 100%; justify-content: flex-start; text-align: left;
}}
.st-key-{ROWS} button p {{
  white-space: pre-line; overflow: hidden; display: -webkit-box; -webkit-box-orient: vertical;
  -webkit-line-clamp: 2; line-height: 1.35; word-break: break-word;
}}
</style>"""
"""Rows as dense as WhatsApp's: left-aligned, two lines (the preview cut at its first line)."""


STATUS_BADGES = {
    ConversationStatus.PENDING: "orange",
    ConversationStatus.SNOOZED: "gray",
    ConversationStatus.RESOLVED: "green",
}
"""An open conversation, the usual case, carries no status badge."""


def team_badges(row: ConversationRow) -> str:
    """``:orange-badge[pending] :blue-badge[👤 leo] :violet-badge[VIP]``: where it stands, who
    has it (nobody: no badge) and its labels, before the preview on the row's second line."""
    badges = []
    if row.status in STATUS_BADGES:
        badges.append(f":{STATUS_BADGES[row.status]}-badge[{status_label(row.status.value)}]")
    if row.assignee:
        badges.append(f":blue-badge[:material/person: {plain(row.assignee)}]")
    badges += [f":violet-badge[{plain(label.name)}]" for label in row.labels]
    return " ".join(badges)


def row_label(row: ConversationRow) -> str:
    """``**Lucía** :red-badge[2 unread] · 10:42`` over the team's badges and the last
    message's first line."""
    first = f"**{plain(row.contact_name)}**"
    if row.unread:
        first += f" :red-badge[{t('viewer.unread', count=row.unread)}]"
    first += f" · {when(row.last_message_at)}" if row.last_message_at else ""
    preview = plain(row.preview.splitlines()[0]) if row.preview.strip() else ""
    second = " ".join(part for part in (team_badges(row), preview) if part)
    return f"{first}\n{second}" if second else first


def render_row(row: ConversationRow, selected: bool) -> None:
    if st.button(
        row_label(row),
        key=f"viewer_open_{row.id}",
        type="primary" if selected else "secondary",
        width="stretch",
    ):
        open_conversation(row.id)


def conversation_list(actor: Actor, filters: ConversationFilter) -> None:
    with store() as session:
        page = threads.list_conversations(
            session, actor, filters, page=current_page(LIST), page_size=LIST_PAGE_SIZE
        )
    if not page.items:
        st.info(t("viewer.empty"))
    st.html(ROW_LOOK)
    with st.container(key=ROWS):
        for row in page.items:
            render_row(row, selected=row.id == st.session_state.get(OPEN))
    pager_controls(LIST, page.has_next)
