"""The team inbox's views of the conversation list: who may see what (mine, unassigned, all), a
status, one member's, a label; and the counts per view.

Some filters are a choice between two things ("mine or unassigned" for an agent; "open, or a
snooze that has ended"). An OR across two indexed columns makes the store read every matching row
and sort them all (on SQLite a multi-index OR and a temporary B-tree over tens of thousands of
rows), so each choice is asked as its own query, newest first and limited to the page, each
served by one index (``ix_conversations_assignee_last_message`` or
``ix_conversations_status_last_message``), and the page is taken from their union.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import product

from sqlalchemy import ColumnElement, UnaryExpression, and_, func, union_all
from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.conversations.assignment import sees_everything
from core.models import Contact, Conversation, ConversationLabel, ConversationStatus, utcnow


class View(StrEnum):
    """The inbox's three lists. An agent's "all" is theirs and the unassigned ones, unless an
    admin lets agents see every conversation."""

    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"


NEWEST_FIRST: tuple[UnaryExpression[object], ...] = (
    col(Conversation.last_message_at).desc().nulls_last(),
    col(Conversation.id).desc(),
)


@dataclass(frozen=True)
class Narrowing:
    """What the inbox's filters ask of a conversation: every condition, and one of the choices."""

    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    choices: list[ColumnElement[bool]] = field(default_factory=list)


def narrowing(
    session: Session,
    actor: Actor,
    *,
    view: View = View.ALL,
    status: ConversationStatus | None = None,
    assignee_id: int | None = None,
    label_id: int | None = None,
    now: datetime | None = None,
) -> Narrowing:
    assignee = col(Conversation.assignee_id)
    conditions: list[ColumnElement[bool]] = []
    groups: list[list[ColumnElement[bool]]] = []
    if view == View.MINE:
        conditions.append(assignee == actor.user_id)
    elif view == View.UNASSIGNED:
        conditions.append(assignee.is_(None))
    elif not sees_everything(session, actor):
        groups.append([assignee == actor.user_id, assignee.is_(None)])
    if assignee_id is not None:
        conditions.append(assignee == assignee_id)
    if status is not None:
        groups.append(status_choices(status, now or utcnow()))
    if label_id is not None:
        conditions.append(_labelled(session, label_id))
    choices = [and_(*combination) for combination in product(*groups)] if groups else []
    return Narrowing(conditions, choices)


FEW_LABELLED = 1_000
"""Up to this many conversations with a label, the list starts from them (``label_id,
conversation_id`` index) and sorts them; beyond, it walks the newest conversations and checks
each (the link table's primary key), stopping at the page: either way a few thousand rows."""


def _labelled(session: Session, label_id: int) -> ColumnElement[bool]:
    links = select(ConversationLabel.conversation_id).where(ConversationLabel.label_id == label_id)
    few = select(func.count()).select_from(links.limit(FEW_LABELLED + 1).subquery())
    if session.exec(few).one() <= FEW_LABELLED:
        return col(Conversation.id).in_(links)
    return links.where(ConversationLabel.conversation_id == Conversation.id).exists()


def status_choices(status: ConversationStatus, now: datetime) -> list[ColumnElement[bool]]:
    """A status as the team sees it: a snooze whose time has passed is open."""
    is_snoozed = Conversation.status == ConversationStatus.SNOOZED
    if status == ConversationStatus.OPEN:
        return [
            Conversation.status == ConversationStatus.OPEN,
            and_(is_snoozed, col(Conversation.snoozed_until) <= now),
        ]
    if status == ConversationStatus.SNOOZED:
        return [and_(is_snoozed, col(Conversation.snoozed_until) > now)]
    return [Conversation.status == status]


def one_of_in_order(
    conditions: Sequence[ColumnElement[bool]], choices: list[ColumnElement[bool]], reach: int
) -> ColumnElement[bool]:
    """The conversations meeting ``conditions`` and one of ``choices``: the newest ``reach`` of
    each choice, asked apart, so each is an index read that stops at ``reach`` rows."""
    if len(choices) == 1:
        return and_(*conditions, choices[0])
    firsts = [
        select(Conversation.id)
        .join(Contact, col(Contact.id) == Conversation.contact_id)
        .where(*conditions, choice)
        .order_by(*NEWEST_FIRST)
        .limit(reach)
        .subquery()
        for choice in choices
    ]
    union = union_all(*[select(first.c.id) for first in firsts]).subquery()
    return col(Conversation.id).in_(select(union.c.id))


@dataclass(frozen=True)
class ViewCounts:
    """Unresolved conversations in each view, as the inbox's tabs show them."""

    mine: int
    unassigned: int
    all: int


def view_counts(session: Session, actor: Actor, channel_id: int | None = None) -> ViewCounts:
    """Each count its own indexed aggregate, never rows into Python: mine and unassigned by
    ``ix_conversations_assignee_last_message``, everything by the status index."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    unresolved = [Conversation.status != ConversationStatus.RESOLVED]
    if channel_id:
        unresolved.append(Conversation.channel_id == channel_id)

    def count(*conditions: ColumnElement[bool]) -> int:
        return session.exec(select(func.count()).where(*unresolved, *conditions)).one()

    assignee = col(Conversation.assignee_id)
    mine, unassigned = count(assignee == actor.user_id), count(assignee.is_(None))
    everything = count() if sees_everything(session, actor) else mine + unassigned
    return ViewCounts(mine=mine, unassigned=unassigned, all=everything)
