"""Server-side login sessions (core.access.sessions), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core import db
from core.access import sessions, users
from core.access.auth import PermissionDenied
from core.errors import UserFacingError
from core.models import AuditEntry, LoginSession, Role, utcnow

BINDING = "this-browsers-login-binding"


def login(engine, username: str, client: str = "Firefox") -> str:
    """A session as the login form and the /auth/session route make it: the cookie's token."""
    with db.session_scope(engine) as session:
        ticket = sessions.start(session, username, client, binding=BINDING)
    with db.session_scope(engine) as session:
        issued = sessions.exchange(session, ticket, BINDING)
    assert issued is not None
    return issued.token


def who(engine, token: str | None):
    with db.session_scope(engine) as session:
        return sessions.resolve(session, token)


def test_a_login_resolves_to_its_user_until_it_ends(engine, team) -> None:
    token = login(engine, "agent1")
    assert who(engine, token) == team[Role.AGENT]
    with db.session_scope(engine) as session:
        assert sessions.end_by_token(session, token)
        assert not sessions.end_by_token(session, token)
    assert who(engine, token) is None


def test_the_store_keeps_only_hashes_and_the_expiry_is_cookie_expiry_days(
    engine, team, app_settings
) -> None:
    token = login(engine, "agent1")
    with db.session_scope(engine) as session:
        row = session.exec(select(LoginSession)).one()
    assert token not in (row.token_hash, row.ticket_hash)
    assert row.ticket_hash is None and row.client == "Firefox"
    lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(days=app_settings.cookie_expiry_days)


def test_a_ticket_works_once_and_not_after_it_expires(engine, team) -> None:
    with db.session_scope(engine) as session:
        ticket = sessions.start(session, "agent1", binding=BINDING)
        late = sessions.start(session, "agent1", binding=BINDING)
        for row in session.exec(select(LoginSession)):
            if row.id == 2:
                row.ticket_expires_at = utcnow() - timedelta(seconds=1)
    with db.session_scope(engine) as session:
        assert sessions.exchange(session, ticket, BINDING) is not None
    with db.session_scope(engine) as session:
        assert sessions.exchange(session, ticket, BINDING) is None
        assert sessions.exchange(session, late, BINDING) is None
        assert sessions.exchange(session, "", BINDING) is None
        assert sessions.exchange(session, "made-up", BINDING) is None


def test_an_expired_session_resolves_to_nobody(engine, team) -> None:
    token = login(engine, "agent1")
    with db.session_scope(engine) as session:
        row = session.exec(select(LoginSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert who(engine, token) is None
    assert who(engine, None) is None
    assert who(engine, "not-a-token") is None


def test_last_seen_is_written_at_most_once_a_minute(engine, team) -> None:
    token = login(engine, "agent1")
    with db.session_scope(engine) as session:
        row = session.exec(select(LoginSession)).one()
        first_seen = row.last_seen_at
    who(engine, token)
    with db.session_scope(engine) as session:
        assert session.exec(select(LoginSession)).one().last_seen_at == first_seen
        row = session.exec(select(LoginSession)).one()
        row.last_seen_at = first_seen - sessions.TOUCH_EVERY
    who(engine, token)
    with db.session_scope(engine) as session:
        assert session.exec(select(LoginSession)).one().last_seen_at > first_seen


def test_a_role_change_is_read_by_the_next_resolve(engine, team) -> None:
    token = login(engine, "agent1")
    with db.session_scope(engine) as session:
        users.set_role(session, team[Role.ADMIN], "agent1", Role.MANAGER)
    actor = who(engine, token)
    assert actor is not None and actor.role == Role.MANAGER


@pytest.mark.parametrize(
    "change",
    [
        lambda session, admin: users.set_active(session, admin, "agent1", False),
        lambda session, admin: users.reset_password(session, admin, "agent1", "a-new-password"),
    ],
    ids=["deactivate", "reset_password"],
)
def test_deactivation_and_password_reset_end_every_session(engine, team, change) -> None:
    tokens = [login(engine, "agent1", client) for client in ("Firefox", "Chrome")]
    with db.session_scope(engine) as session:
        change(session, team[Role.ADMIN])
    assert [who(engine, token) for token in tokens] == [None, None]
    with db.session_scope(engine) as session:
        assert sessions.list_active(session, team[Role.ADMIN], "agent1") == []
        ended = session.exec(select(AuditEntry).where(AuditEntry.action == "session.end"))
        assert len(list(ended)) == 2


def test_an_admin_lists_and_ends_anyones_sessions(engine, team) -> None:
    admin = team[Role.ADMIN]
    first, second = login(engine, "agent1", "Firefox"), login(engine, "agent1", "Chrome")
    with db.session_scope(engine) as session:
        listed = sessions.list_active(session, admin, "agent1")
        assert sorted(row.client for row in listed) == ["Chrome", "Firefox"]
        firefox = next(row for row in listed if row.client == "Firefox")
        sessions.end(session, admin, "agent1", firefox.id)
    assert who(engine, first) is None and who(engine, second) is not None
    with db.session_scope(engine) as session:
        assert sessions.end_all(session, admin, "agent1") == 1
        actions = [(e.actor, e.action, e.target) for e in session.exec(select(AuditEntry))]
    assert actions.count(("admin1", "session.end", "agent1")) == 2
    assert ("agent1", "session.start", "agent1") in actions


def test_a_user_sees_and_ends_only_their_own_sessions(engine, team) -> None:
    agent = team[Role.AGENT]
    mine, other = login(engine, "agent1"), login(engine, "agent1")
    login(engine, "manager1")
    with db.session_scope(engine) as session:
        assert len(sessions.list_active(session, agent, "agent1")) == 2
        with pytest.raises(PermissionDenied):
            sessions.list_active(session, agent, "manager1")
        with pytest.raises(PermissionDenied):
            sessions.end_all(session, agent, "manager1")
        assert sessions.end_all(session, agent, "agent1", keep_token=mine) == 1
    assert who(engine, mine) is not None and who(engine, other) is None


def test_someone_elses_session_id_is_refused_in_words(engine, team) -> None:
    login(engine, "manager1")
    with db.session_scope(engine) as session:
        row = session.exec(select(LoginSession)).one()
        with pytest.raises(UserFacingError) as refused:
            sessions.end(session, team[Role.AGENT], "agent1", row.id)
    assert refused.value.key == "sessions.error.not_found"


def test_only_an_active_user_can_start_a_session(engine, team) -> None:
    with db.session_scope(engine) as session:
        users.set_active(session, team[Role.ADMIN], "agent1", False)
    with db.session_scope(engine) as session, pytest.raises(UserFacingError):
        sessions.start(session, "agent1", binding=BINDING)


def test_pruning_keeps_open_logins_and_fresh_tickets_only(engine, team) -> None:
    kept = login(engine, "agent1")
    ended = login(engine, "agent1")
    expired = login(engine, "manager1")
    with db.session_scope(engine) as session:
        sessions.end_by_token(session, ended)
        fresh_ticket = sessions.start(session, "agent1", binding=BINDING)
        sessions.start(session, "agent1", binding=BINDING)  # never used, expires below
        failed_ticket = sessions.start(session, "agent1", binding=BINDING)
    # rows in order: kept 1, ended 2, expired 3, fresh ticket 4, unused ticket 5, failed ticket 6
    past = utcnow() - timedelta(seconds=1)
    with db.session_scope(engine) as session:
        for row in session.exec(select(LoginSession)):
            if row.id in (5, 6):
                row.ticket_expires_at = past
            if row.id == 3:
                row.expires_at = past
    with db.session_scope(engine) as session:
        assert sessions.exchange(session, failed_ticket, BINDING) is None  # too late: spent
    with db.session_scope(engine) as session:
        assert sessions.prune(session, limit=2) == 2  # a batch at a time
    with db.session_scope(engine) as session:
        assert sessions.prune(session) == 2
        assert sessions.prune(session) == 0
        left = session.exec(select(LoginSession.id).order_by(LoginSession.id)).all()
    assert left == [1, 4]
    assert who(engine, kept) == team[Role.AGENT] and who(engine, expired) is None
    with db.session_scope(engine) as session:
        assert sessions.exchange(session, fresh_ticket, BINDING) is not None


def test_the_worker_prunes_logins(engine, team) -> None:
    from core.runtime.background import prune_sessions

    token = login(engine, "agent1")
    with db.session_scope(engine) as session:
        sessions.end_by_token(session, token)
    assert prune_sessions(engine) == 1
    with db.session_scope(engine) as session:
        assert session.exec(select(LoginSession)).all() == []


def test_many_logins_are_resolved_in_one_lookup_as_one_by_one(engine, team) -> None:
    """What an open dashboard process asks for all its tabs at once (core.channels.watchers)."""
    agent, manager, ended = (
        login(engine, "agent1"),
        login(engine, "manager1"),
        login(engine, "agent1"),
    )
    with db.session_scope(engine) as session:
        sessions.end_by_token(session, ended)
        row = session.exec(select(LoginSession).where(LoginSession.id == 1)).one()
        row.last_seen_at -= sessions.TOUCH_EVERY
    with db.session_scope(engine) as session:
        found = sessions.resolve_many(session, [agent, manager, ended, "not-a-token", ""])
    assert found == {agent: team[Role.AGENT], manager: team[Role.MANAGER]}
    assert found == {token: who(engine, token) for token in (agent, manager)}
    with db.session_scope(engine) as session:
        touched = session.exec(select(LoginSession).where(LoginSession.id == 1)).one()
        assert utcnow() - touched.last_seen_at < sessions.TOUCH_EVERY  # seen, as by resolve
        assert sessions.resolve_many(session, []) == {}
