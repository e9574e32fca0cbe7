"""Who answers whom: assigning a conversation, taking it, unassigning it; the automatic
round-robin of a channel; members' availability and limits; which conversations a member sees.

Agents see their own conversations and the unassigned ones, unless an admin lets them see all
(the ``agents_see_all`` setting); everyone else sees every conversation. Anyone who answers may
take an unassigned conversation; giving one to somebody else, or taking it from them, is an
admin's (``Permission.ASSIGN_CONVERSATIONS``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, or_, select

from core.access import audit, settings
from core.access.auth import ROLE_PERMISSIONS, SYSTEM_ACTOR, Actor, Permission, require
from core.channels import changes
from core.errors import UserFacingError
from core.hooks.events import Event, conversation_event, emit
from core.models import Channel, Conversation, ConversationStatus, Role, User

ANSWERING_ROLES = frozenset(
    role for role, granted in ROLE_PERMISSIONS.items() if Permission.REPLY_CONVERSATIONS in granted
)


def sees_everything(session: Session, actor: Actor) -> bool:
    return actor.role != Role.AGENT or bool(settings.get(session, settings.AGENTS_SEE_ALL))


def visibility(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """The condition on conversations that keeps ``actor`` to what they may see (``None``: all)."""
    if sees_everything(session, actor):
        return None
    return or_(
        col(Conversation.assignee_id).is_(None), col(Conversation.assignee_id) == actor.user_id
    )


def require_visible(session: Session, actor: Actor, conversation: Conversation) -> None:
    """Refuse an agent another member's conversation (a URL typed by hand is not a permission)."""
    require_assignee_visible(actor, conversation.assignee_id, sees_everything(session, actor))


def require_assignee_visible(actor: Actor, assignee_id: int | None, everything: bool) -> None:
    """:func:`require_visible`'s rule for a conversation given to ``assignee_id``, with
    ``everything`` (:func:`sees_everything`) asked once for many conversations."""
    if not everything and assignee_id not in (None, actor.user_id):
        raise UserFacingError("inbox.error.not_yours")


def conversation_for(session: Session, actor: Actor, conversation_id: int) -> Conversation:
    """The conversation, when it exists and ``actor`` may see it."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise UserFacingError("conversations.error.not_found")
    require_visible(session, actor, conversation)
    return conversation


def member(session: Session, username: str) -> User:
    """An active member who can answer conversations, by username."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.active:
        raise UserFacingError("inbox.error.no_member", username=username)
    if user.role not in ANSWERING_ROLES:
        raise UserFacingError("inbox.error.cannot_answer", username=user.username)
    return user


def assign(
    session: Session, actor: Actor, conversation_id: int, username: str | None
) -> Conversation:
    """Give the conversation to ``username`` (``None``: nobody). Without the right to assign,
    a member may only take an unassigned conversation or let go of their own."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    conversation = conversation_for(session, actor, conversation_id)
    target = member(session, username) if username is not None else None
    target_id = target.id if target is not None else None
    if target_id == conversation.assignee_id:
        return conversation
    if not actor.can(Permission.ASSIGN_CONVERSATIONS):
        taking = target_id == actor.user_id and conversation.assignee_id is None
        letting_go = target_id is None and conversation.assignee_id == actor.user_id
        if not (taking or letting_go):
            raise UserFacingError("inbox.error.assign_others")
    previous = _username(session, conversation.assignee_id)
    conversation.assignee_id = target_id
    session.add(conversation)
    changes.note(session, conversation.channel_id)  # other tabs move it between mine and unassigned
    audit.record(
        session,
        actor,
        "conversation.assign",
        f"conversation:{conversation.id}",
        previous=previous,
        assignee=target.username if target else None,
    )
    assignee = target.username if target else None
    emit(session, [conversation_event("conversation.assigned", conversation, assignee=assignee)])
    return conversation


def take(session: Session, actor: Actor, conversation_id: int) -> Conversation:
    """ "Assign to me"."""
    return assign(session, actor, conversation_id, actor.username)


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user else None


def usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    """The usernames of a page's assignees, in one query."""
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(user_ids)))
    return {user_id: username for user_id, username in rows}


def set_availability(
    session: Session,
    actor: Actor,
    username: str,
    *,
    available: bool,
    open_limit: int | None = None,
) -> User:
    """A member marks themselves available or away; admins also set anyone's limit of open
    conversations from automatic assignment (``None``: no limit)."""
    user = member(session, username)
    if user.id != actor.user_id or open_limit != user.open_limit:
        require(actor, Permission.MANAGE_USERS)
    if open_limit is not None and open_limit < 1:
        raise UserFacingError("inbox.error.limit")
    user.available, user.open_limit = available, open_limit
    session.add(user)
    audit.record(
        session, actor, "user.availability", user.username, available=available, limit=open_limit
    )
    return user


def set_auto_assign(session: Session, actor: Actor, channel_id: int, enabled: bool) -> Channel:
    """Admins switch a channel's automatic assignment on or off."""
    require(actor, Permission.MANAGE_CHANNELS)
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise UserFacingError("inbox.error.no_channel")
    channel.auto_assign = enabled
    session.add(channel)
    audit.record(session, actor, "channel.auto_assign", f"channel:{channel.id}", enabled=enabled)
    return channel


def auto_assign(session: Session, channel: Channel, conversation_ids: Sequence[int]) -> None:
    """Give each unassigned conversation that just heard from its customer to the next available
    agent, round-robin after the channel's last pick, skipping agents at their limit of open
    conversations. Nobody available: the conversations stay unassigned for anyone to take."""
    if not channel.auto_assign or not conversation_ids:
        return
    waiting = list(
        session.exec(
            select(Conversation)
            .where(col(Conversation.id).in_(conversation_ids))
            .where(col(Conversation.assignee_id).is_(None))
            .order_by(col(Conversation.id))
        )
    )
    agents = list(
        session.exec(
            select(User)
            .where(User.role == Role.AGENT, col(User.active).is_(True))
            .where(col(User.available).is_(True))
            .order_by(col(User.id))
        )
    )
    if not waiting or not agents:
        return
    # Workers on other servers take the same channel's arrivals at once: the channel row, locked
    # until this transaction ends, makes them take turns, so each reads the pointer (and the
    # open counts) the previous one left. No deadlock: the conversations assigned here were
    # written by this transaction already, before the lock.
    channel.last_auto_assignee_id = session.exec(
        select(col(Channel.last_auto_assignee_id))
        .where(col(Channel.id) == channel.id)
        .with_for_update()
    ).one()
    load = _open_counts(session, [agent.id for agent in agents if agent.id is not None])
    assigned: list[Event] = []
    for conversation in waiting:
        chosen = _next_agent(agents, load, channel.last_auto_assignee_id)
        if chosen is None:  # everyone at their limit: the rest stay unassigned
            break
        assert chosen.id is not None
        conversation.assignee_id = chosen.id
        channel.last_auto_assignee_id = chosen.id
        load[chosen.id] = load.get(chosen.id, 0) + 1
        session.add(conversation)
        audit.record(
            session,
            SYSTEM_ACTOR,
            "conversation.assign",
            f"conversation:{conversation.id}",
            assignee=chosen.username,
            automatic=True,
        )
        assigned.append(
            conversation_event(
                "conversation.assigned", conversation, assignee=chosen.username, automatic=True
            )
        )
    session.add(channel)
    emit(session, assigned)


def _next_agent(agents: list[User], load: dict[int, int], last_id: int | None) -> User | None:
    """The first agent after ``last_id`` (in id order, wrapping round) below their limit."""
    start = next((i + 1 for i, agent in enumerate(agents) if agent.id == last_id), 0)
    for agent in agents[start:] + agents[:start]:
        assert agent.id is not None
        if agent.open_limit is None or load.get(agent.id, 0) < agent.open_limit:
            return agent
    return None


def _open_counts(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Unresolved conversations per member (``ix_conversations_assignee_last_message``)."""
    rows = session.exec(
        select(Conversation.assignee_id, func.count())
        .where(col(Conversation.assignee_id).in_(user_ids))
        .where(Conversation.status != ConversationStatus.RESOLVED)
        .group_by(col(Conversation.assignee_id))
    )
    return {user_id: count for user_id, count in rows if user_id is not None}


def answering_members(session: Session, actor: Actor) -> list[User]:
    """The active members a conversation can be given to, by username."""
    require(actor, Permission.VIEW_CONVERSATIONS)
    return list(
        session.exec(
            select(User)
            .where(col(User.active).is_(True), col(User.role).in_(ANSWERING_ROLES))
            .order_by(col(User.username))
        )
    )
