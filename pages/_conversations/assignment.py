"""Beside a thread: who has the conversation (take it, give it, let it go), its status (open,
pending, snoozed until, resolved) and its labels. A self-contained widget:
``triage_panel(actor, conversation_id)``."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import assignment, labels, lifecycle
from core.errors import UserFacingError
from core.i18n import t
from core.models import Conversation, ConversationStatus, User, utcnow
from pages._widgets.flash import Words, act, say_refusal, show_flash
from pages._widgets.labels import in_this_language, plain, viewer_timezone, when
from pages._widgets.session import store

FLASH = "triage_flash"
NOBODY = ""
STATUSES = [status.value for status in ConversationStatus]


def status_label(status: str, language: str | None = None) -> str:
    return t(f"inbox_pages.status.{status}", language)


def assignee_controls(
    actor: Actor, conversation: Conversation, members: list[User], assignee: str
) -> None:
    """An admin picks anyone; a member takes an unassigned conversation or lets theirs go."""
    conversation_id = conversation.id or 0
    if actor.can(Permission.ASSIGN_CONVERSATIONS):
        names = [NOBODY, *[member.username for member in members]]
        chosen = st.selectbox(
            t("inbox_pages.assignee"),
            names,
            index=names.index(assignee) if assignee in names else 0,
            format_func=lambda name: name or t("inbox_pages.nobody"),
            key=f"assignee_{conversation_id}",
        )
        if chosen != assignee and st.button(
            t("inbox_pages.assign"), key=f"assign_{conversation_id}"
        ):
            act(
                FLASH,
                lambda session: assignment.assign(session, actor, conversation_id, chosen or None),
                Words("inbox_pages.assigned", username=chosen or t("inbox_pages.nobody")),
                rerun=True,
            )
            show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)
        return
    st.markdown(f"{t('inbox_pages.assignee')}: **{plain(assignee or t('inbox_pages.nobody'))}**")
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        return
    if not assignee and st.button(t("inbox_pages.take"), key=f"take_{conversation_id}"):
        act(
            FLASH,
            lambda session: assignment.take(session, actor, conversation_id),
            Words("inbox_pages.taken"),
            rerun=True,
        )
        show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)
    if assignee == actor.username and st.button(
        t("inbox_pages.let_go"), key=f"let_go_{conversation_id}"
    ):
        act(
            FLASH,
            lambda session: assignment.assign(session, actor, conversation_id, None),
            Words("inbox_pages.let_gone"),
            rerun=True,
        )
        show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)


def snooze_until(conversation_id: int) -> datetime:
    """Until when to snooze: a date and time in the viewer's timezone (tomorrow 09:00 first)."""
    zone = viewer_timezone()
    tomorrow = (utcnow().astimezone(zone) + timedelta(days=1)).replace(hour=9, minute=0)
    day_col, time_col = st.columns(2)
    day = day_col.date_input(
        t("inbox_pages.until_day"), tomorrow.date(), key=f"until_{conversation_id}"
    )
    moment = time_col.time_input(
        t("inbox_pages.until_time"), tomorrow.time(), key=f"until_t_{conversation_id}"
    )
    return datetime.combine(day, moment, tzinfo=zone)


def status_controls(actor: Actor, conversation: Conversation) -> None:
    conversation_id = conversation.id or 0
    current = lifecycle.current_status(conversation).value
    caption = status_label(current)
    if current == ConversationStatus.SNOOZED:
        caption += " " + t("inbox_pages.until", moment=when(conversation.snoozed_until))
    st.markdown(f"{t('inbox_pages.status_title')}: **{caption}**")
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        return
    chosen = st.selectbox(
        t("inbox_pages.change_status"),
        STATUSES,
        index=STATUSES.index(current),
        format_func=in_this_language(status_label),
        key=f"status_{conversation_id}",
    )
    until = snooze_until(conversation_id) if chosen == ConversationStatus.SNOOZED else None
    if (
        chosen
        and chosen != current
        and st.button(t("inbox_pages.save_status"), key=f"save_status_{conversation_id}")
    ):
        act(
            FLASH,
            lambda session: lifecycle.set_status(
                session, actor, conversation_id, chosen, until=until
            ),
            Words("inbox_pages.status_saved", status=status_label(chosen)),
            rerun=True,
        )
        show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)


def label_controls(actor: Actor, conversation_id: int, on: list[str], known: list[str]) -> None:
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        st.caption(", ".join(plain(name) for name in on) or t("inbox_pages.no_labels_on"))
        return
    chosen = st.multiselect(
        t("inbox_pages.labels"), known, default=on, key=f"labels_{conversation_id}"
    )
    if set(chosen) != set(on) and st.button(
        t("inbox_pages.save_labels"), key=f"save_labels_{conversation_id}"
    ):
        act(
            FLASH,
            lambda session: labels.change_labels(
                session,
                actor,
                conversation_id,
                add=[name for name in chosen if name not in on],
                remove=[name for name in on if name not in chosen],
            ),
            Words("inbox_pages.labels_saved"),
            rerun=True,
        )
        show_flash(FLASH, keep=True)  # a refusal, said here (a success reruns the page)


def triage_panel(actor: Actor, conversation_id: int) -> None:
    """Assignee, status and labels of one conversation (or why it may not be seen)."""
    try:
        with store() as session:
            conversation = assignment.conversation_for(session, actor, conversation_id)
            names = assignment.usernames(session, {conversation.assignee_id} - {None})
            assignee = names.get(conversation.assignee_id or 0, NOBODY)
            members = assignment.answering_members(session, actor)
            on = labels.labels_of(session, [conversation_id]).get(conversation_id, [])
            known = [label.name for label in labels.list_labels(session, actor)]
    except UserFacingError as refusal:
        say_refusal(refusal)
        return
    show_flash(FLASH, keep=True)  # until the next action: live reruns come any second
    who, where = st.columns(2)  # a band above the thread: who and where side by side
    with who:
        assignee_controls(actor, conversation, members, assignee)
    with where:
        status_controls(actor, conversation)
    label_controls(actor, conversation_id, [label.name for label in on], known)  # chips need room
