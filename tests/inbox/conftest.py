"""Fixtures of the team inbox tests: the test channel, a team with three agents, and a customer
who has written once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from core import db
from core.access.auth import CLI_ACTOR, Actor
from core.access.users import actor_for, add_user
from core.models import Role
from tests.inbox.helpers import customer_writes
from tests.store_helpers import make_channel


@pytest.fixture
def channel_id(engine: Engine) -> int:
    channel = make_channel(engine)
    assert channel.id is not None
    return channel.id


@pytest.fixture
def agents(engine: Engine, team: dict[Role, Actor]) -> list[Actor]:
    """``agent1`` (the team's) then ``agent2`` and ``agent3``, in the order they were added."""
    with db.session_scope(engine) as session:
        for name in ("agent2", "agent3"):
            add_user(session, CLI_ACTOR, name, Role.AGENT, f"password-{name}")
    with db.session_scope(engine) as session:
        more = [actor_for(session, name) for name in ("agent2", "agent3")]
    return [team[Role.AGENT], *[actor for actor in more if actor is not None]]


@pytest.fixture
def conversation_id(engine: Engine, channel_id: int) -> int:
    """The conversation of a customer who has just written."""
    from sqlmodel import Session

    from tests.inbox.helpers import conversation_of

    customer_writes(engine, channel_id, "wamid.first")
    with Session(engine) as session:
        found = conversation_of(session).id
    assert found is not None
    return found
