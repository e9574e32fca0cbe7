"""Assignment: taking, giving, letting go; who sees what; the automatic round-robin."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from core import db
from core.access import settings
from core.access.auth import CLI_ACTOR, PermissionDenied
from core.conversations import assignment, threads, views
from core.conversations.threads import ConversationFilter, View
from core.errors import UserFacingError
from core.hooks.subscriptions import create_subscription
from core.models import AuditEntry, Channel, Conversation, HookDelivery, Role, User
from tests.inbox.helpers import conversation_of, customer_writes


def test_an_agent_takes_an_unassigned_conversation_and_lets_it_go(
    engine, team, agents, conversation_id
) -> None:
    first, second = agents[0], agents[1]
    with db.session_scope(engine) as session:
        assignment.take(session, first, conversation_id)
    with db.session_scope(engine) as session:
        assert session.get(Conversation, conversation_id).assignee_id == first.user_id
        with pytest.raises(UserFacingError) as refused:
            assignment.take(session, second, conversation_id)
        assert refused.value.key == "inbox.error.not_yours"
    with db.session_scope(engine) as session:
        assignment.assign(session, first, conversation_id, None)
    with db.session_scope(engine) as session:
        assert session.get(Conversation, conversation_id).assignee_id is None
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "conversation.assign")
        ).all()
        assert [(e.actor, e.details["assignee"]) for e in entries] == [
            ("agent1", "agent1"),
            ("agent1", None),
        ]


def test_only_admins_give_conversations_to_others(engine, team, agents, conversation_id) -> None:
    with Session(engine) as session:
        with pytest.raises(UserFacingError) as refused:
            assignment.assign(session, agents[0], conversation_id, "agent2")
        assert refused.value.key == "inbox.error.assign_others"
        with pytest.raises(PermissionDenied):
            assignment.assign(session, team[Role.MANAGER], conversation_id, "agent1")
        with pytest.raises(UserFacingError) as manager:
            assignment.assign(session, team[Role.ADMIN], conversation_id, "manager1")
        assert manager.value.key == "inbox.error.cannot_answer"
        with pytest.raises(UserFacingError) as nobody:
            assignment.assign(session, team[Role.ADMIN], conversation_id, "nobody")
        assert nobody.value.key == "inbox.error.no_member"
        assignment.assign(session, team[Role.ADMIN], conversation_id, "agent2")
        assignment.assign(session, team[Role.ADMIN], conversation_id, "agent3")
        assert session.get(Conversation, conversation_id).assignee_id == agents[2].user_id


def test_agents_see_theirs_and_the_unassigned_unless_an_admin_lets_them_see_all(
    engine, team, agents, channel_id
) -> None:
    for number in ("111", "222", "333"):
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    with db.session_scope(engine) as session:
        mine = conversation_of(session, "111").id
        theirs = conversation_of(session, "222").id
        assignment.assign(session, team[Role.ADMIN], mine, "agent1")
        assignment.assign(session, team[Role.ADMIN], theirs, "agent2")
    agent = agents[0]
    with Session(engine) as session:

        def listed(actor, **filters) -> set[str]:
            page = threads.list_conversations(session, actor, ConversationFilter(**filters))
            return {row.wa_id for row in page.items}

        assert listed(agent) == {"111", "333"}
        assert listed(agent, view=View.MINE) == {"111"}
        assert listed(agent, view=View.UNASSIGNED) == {"333"}
        assert listed(team[Role.MANAGER]) == {"111", "222", "333"}
        assert listed(team[Role.ADMIN], assignee_id=agents[1].user_id) == {"222"}
        assert views.view_counts(session, agent) == views.ViewCounts(mine=1, unassigned=1, all=2)
        assert views.view_counts(session, team[Role.MANAGER]).all == 3
        with pytest.raises(UserFacingError):
            threads.get_thread(session, agent, theirs)
        rows = threads.list_conversations(session, team[Role.ADMIN], ConversationFilter()).items
        assert {row.wa_id: row.assignee for row in rows} == {
            "111": "agent1",
            "222": "agent2",
            "333": None,
        }
    with db.session_scope(engine) as session:
        settings.put(session, team[Role.ADMIN], settings.AGENTS_SEE_ALL, True)
    with Session(engine) as session:
        assert len(threads.list_conversations(session, agent, ConversationFilter()).items) == 3
        assert threads.get_thread(session, agent, theirs).conversation.id == theirs


def switch_auto_assign(engine, channel_id: int) -> None:
    with db.session_scope(engine) as session:
        assignment.set_auto_assign(session, CLI_ACTOR, channel_id, True)


def assignees(engine, numbers: list[str]) -> list[str | None]:
    with Session(engine) as session:
        names = {user.id: user.username for user in session.exec(select(User))}
        return [names.get(conversation_of(session, n).assignee_id) for n in numbers]


def test_round_robin_is_fair_among_available_agents(engine, agents, channel_id) -> None:
    switch_auto_assign(engine, channel_id)
    numbers = [f"3460000000{i}" for i in range(6)]
    for number in numbers:
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    assert assignees(engine, numbers) == ["agent1", "agent2", "agent3"] * 2
    with Session(engine) as session:
        assert session.get(Channel, channel_id).last_auto_assignee_id == agents[2].user_id


def test_round_robin_skips_away_agents_and_those_at_their_limit(
    engine, team, agents, channel_id
) -> None:
    with db.session_scope(engine) as session:
        assignment.set_availability(session, agents[1], "agent2", available=False)
        assignment.set_availability(
            session, team[Role.ADMIN], "agent3", available=True, open_limit=1
        )
    switch_auto_assign(engine, channel_id)
    numbers = [f"3460000000{i}" for i in range(4)]
    for number in numbers:
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    assert assignees(engine, numbers) == ["agent1", "agent3", "agent1", "agent1"]


def test_nobody_available_leaves_the_conversation_for_anyone_to_take(
    engine, team, agents, channel_id
) -> None:
    with db.session_scope(engine) as session:
        for agent in agents:
            assignment.set_availability(session, agent, agent.username, available=False)
    switch_auto_assign(engine, channel_id)
    customer_writes(engine, channel_id, "wamid.1", wa_id="111")
    assert assignees(engine, ["111"]) == [None]


def test_without_automatic_assignment_conversations_stay_unassigned(
    engine, agents, channel_id
) -> None:
    customer_writes(engine, channel_id, "wamid.1", wa_id="111")
    assert assignees(engine, ["111"]) == [None]


def test_a_new_message_keeps_the_assignee(engine, team, agents, channel_id) -> None:
    switch_auto_assign(engine, channel_id)
    customer_writes(engine, channel_id, "wamid.1", wa_id="111")
    with db.session_scope(engine) as session:
        assignment.assign(session, team[Role.ADMIN], conversation_of(session, "111").id, "agent3")
    customer_writes(engine, channel_id, "wamid.2", wa_id="111")
    assert assignees(engine, ["111"]) == ["agent3"]


def test_limits_and_others_availability_are_an_admins(engine, team, agents) -> None:
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            assignment.set_availability(session, agents[0], "agent2", available=False)
        with pytest.raises(PermissionDenied):
            assignment.set_availability(session, agents[0], "agent1", available=True, open_limit=9)
        with pytest.raises(UserFacingError) as zero:
            assignment.set_availability(
                session, team[Role.ADMIN], "agent1", available=True, open_limit=0
            )
        assert zero.value.key == "inbox.error.limit"
        with pytest.raises(PermissionDenied):
            assignment.set_auto_assign(session, team[Role.MARKETER], 1, True)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_at_once_take_turns_on_the_round_robin(engine, agents, channel_id) -> None:
    """Two servers' workers each store a customer's first message at the same time: the
    second waits for the first to commit and gives its conversation to the next agent, not to
    the same one (a stale pointer read before the first committed)."""
    numbers = ["34600000010", "34600000011"]
    for number in numbers:  # two unassigned conversations, then automatic assignment on
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    switch_auto_assign(engine, channel_id)
    first, second = Session(engine), Session(engine)
    ids = [conversation_of(first, number).id for number in numbers]
    channels = [first.get(Channel, channel_id), second.get(Channel, channel_id)]
    assignment.auto_assign(first, channels[0], [ids[0]])  # holds its transaction open
    later = threading.Thread(target=lambda: _assign_and_commit(second, channels[1], ids[1]))
    later.start()
    first.commit()
    later.join(timeout=30)
    assert not later.is_alive()
    first.close()
    assert assignees(engine, numbers) == ["agent1", "agent2"]


def _assign_and_commit(session: Session, channel: Channel, conversation_id: int) -> None:
    with session:
        assignment.auto_assign(session, channel, [conversation_id])
        session.commit()


def test_when_everyone_is_at_their_limit_the_batch_s_assignments_are_still_announced(
    engine, team, agents, channel_id
) -> None:
    with db.session_scope(engine) as session:
        create_subscription(
            session, CLI_ACTOR, "https://crm.example/hook", ["conversation.assigned"]
        )
        for name in ("agent2", "agent3"):
            assignment.set_availability(session, team[Role.ADMIN], name, available=False)
        assignment.set_availability(
            session, team[Role.ADMIN], "agent1", available=True, open_limit=1
        )
    numbers = ["34600000020", "34600000021"]
    for number in numbers:
        customer_writes(engine, channel_id, f"wamid.{number}", wa_id=number)
    switch_auto_assign(engine, channel_id)
    with db.session_scope(engine) as session:  # both in one batch of arrivals
        ids = [conversation_of(session, number).id for number in numbers]
        assignment.auto_assign(session, session.get(Channel, channel_id), ids)
    assert assignees(engine, numbers) == ["agent1", None]
    with Session(engine) as session:
        announced = session.exec(select(HookDelivery)).all()
    assert [delivery.event for delivery in announced] == ["conversation.assigned"]
