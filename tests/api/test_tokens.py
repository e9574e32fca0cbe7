"""API tokens in core: hashed, expiring, acting as their owner, rate-limited and counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.access.auth import CLI_ACTOR, PermissionDenied
from core.access.users import add_user, set_active
from core.api.tokens import TokenCache, create_token, hash_token, parse_scopes
from core.api.usage import RateLimiter, UsageCounter
from core.db import session_scope
from core.errors import UserFacingError
from core.models import ApiToken, ApiUsage, AuditEntry, Role, utcnow


def test_a_token_acts_as_its_admin_until_they_are_deactivated(engine, team) -> None:
    admin = team[Role.ADMIN]
    with session_scope(engine) as session:
        row, token = create_token(session, admin, "CRM", "read,send")
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    holder = TokenCache(ttl=0).lookup(engine, token)
    assert holder is not None and holder.scopes == {"read", "send"}
    assert holder.actor.role == Role.ADMIN and holder.actor.username == "api:CRM"
    with session_scope(engine) as session:
        add_user(session, CLI_ACTOR, "admin2", Role.ADMIN, "password-admin2")
        set_active(session, CLI_ACTOR, admin.username, False)
    assert TokenCache(ttl=0).lookup(engine, token) is None
    with Session(engine) as session:
        actions = set(session.exec(select(AuditEntry.action)))
    assert "api.token.create" in actions


def test_expired_tokens_are_refused_and_only_admins_make_tokens(engine, team) -> None:
    with session_scope(engine) as session:
        row, token = create_token(
            session, CLI_ACTOR, "n8n", ["templates"], expires_at=utcnow() + timedelta(hours=1)
        )
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert TokenCache(ttl=0).lookup(engine, token) is None
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        create_token(session, team[Role.MARKETER], "mine", "send")
    with pytest.raises(UserFacingError) as refused:
        parse_scopes("send,admin")
    assert "admin" in refused.value.message("en")


def test_the_rate_limit_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(rate=2)
    assert [limiter.allow(1, now=0.0) for _ in range(4)] == [0.0] * 4  # a burst of twice the rate
    assert limiter.allow(1, now=0.0) == pytest.approx(0.5)  # then one each half second
    assert limiter.allow(2, now=0.0) == 0.0  # another token has its own bucket
    assert limiter.allow(1, now=0.5) == 0.0


def test_use_is_counted_per_token_and_minute(engine) -> None:
    with session_scope(engine) as session:
        row, _ = create_token(session, CLI_ACTOR, "Zapier", "read")
    usage = UsageCounter()
    for refused in (False, False, True):
        usage.count(row.id, refused)
    assert usage.flush(engine) == 1
    usage.count(row.id, False)
    usage.flush(engine)
    with Session(engine) as session:
        counted = session.exec(select(ApiUsage)).all()
        token = session.get(ApiToken, row.id)
    assert sum(u.requests for u in counted) == 4 and sum(u.refused for u in counted) == 1
    assert token is not None and token.last_used_at is not None
