"""API tokens: made by admins, shown once, kept hashed, revocable, each with scopes.

A token acts as the admin who made it (their role as it is now: deactivating them stops their
tokens too), narrowed by its scopes; the CLI's tokens act as the installation, like the CLI.
Every core function the API calls still checks the actor's role itself (``core.access.auth``).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import ApiToken, Role, User, utcnow

SCOPES: dict[str, str] = {
    "send": "send messages and templates, create campaigns",
    "read": "read messages and conversations",
    "templates": "list templates and their status",
}
"""The scopes a token can hold, and what each lets it do."""

TOKEN_PREFIX = "wa_"
CACHE_SECONDS = 2.0
"""How long a process trusts what it read about a token: a revocation or an expiry reaches
every server within this (a lookup per request would be a query per request at 500/s)."""
MAX_CACHED = 10_000


@dataclass(frozen=True)
class TokenHolder:
    """Who is calling with a valid token: the token, its scopes and the actor it acts as."""

    token_id: int
    name: str
    scopes: frozenset[str]
    actor: Actor
    expires_at: datetime | None

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(raw: str | list[str]) -> list[str]:
    """``send,read`` (or a list) as known scopes, in a stable order; unknown ones refused."""
    names = raw.split(",") if isinstance(raw, str) else raw
    wanted = {name.strip().lower() for name in names if name.strip()}
    unknown = wanted - set(SCOPES)
    if unknown or not wanted:
        raise UserFacingError(
            "api.error.scopes", given=",".join(sorted(unknown)) or "-", known=",".join(SCOPES)
        )
    return [scope for scope in SCOPES if scope in wanted]


def create_token(
    session: Session,
    actor: Actor,
    name: str,
    scopes: str | list[str],
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown now and never again (only its hash is kept)."""
    require(actor, Permission.MANAGE_USERS)
    if not name.strip():
        raise UserFacingError("api.error.token_name")
    if expires_at is not None and expires_at <= utcnow():
        raise UserFacingError("api.error.expiry_past")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name.strip()[:100],
        token_hash=hash_token(token),
        prefix=token[:10],
        scopes=",".join(parse_scopes(scopes)),
        owner_id=actor.user_id,
        created_by=actor.username,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "api.token.create", row.name, id=row.id, scopes=row.scopes)
    return row, token


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """Every token, newest first (revoked ones too: their use stays in the audit)."""
    require(actor, Permission.MANAGE_USERS)
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.id).desc())))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Refused from now on (within :data:`CACHE_SECONDS` on every server)."""
    require(actor, Permission.MANAGE_USERS)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UserFacingError("api.error.token_not_found", id=token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "api.token.revoke", token.name, id=token.id)
    return token


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``, as lists show it."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def _holder(session: Session, token_hash: str) -> TokenHolder | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if token is None or token.revoked_at is not None:
        return None
    if token.owner_id is None:
        actor = Actor(username=f"api:{token.name}", role=Role.ADMIN)
    else:
        owner = session.get(User, token.owner_id)
        if owner is None or not owner.active:
            return None
        actor = Actor(username=f"api:{token.name}", role=owner.role, user_id=owner.id)
    assert token.id is not None
    return TokenHolder(
        token.id, token.name, frozenset(token.scopes.split(",")), actor, token.expires_at
    )


class TokenCache:
    """Tokens' holders as read from the store at most every :data:`CACHE_SECONDS`."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._read: dict[tuple[int, str], tuple[TokenHolder | None, float]] = {}
        self._lock = threading.Lock()

    def cached(self, engine: Engine, token: str) -> tuple[bool, TokenHolder | None]:
        """``(fresh, holder)`` without touching the store: safe on the event loop."""
        found = self._read.get((id(engine), hash_token(token)))
        if found is None or time.monotonic() - found[1] >= self.ttl:
            return False, None
        return True, _unexpired(found[0])

    def lookup(self, engine: Engine, token: str) -> TokenHolder | None:
        """The token's holder, or ``None`` when it is unknown, revoked, expired or orphaned."""
        fresh, holder = self.cached(engine, token)
        if fresh:
            return holder
        with Session(engine) as session:
            holder = _holder(session, hash_token(token))
        with self._lock:
            if len(self._read) >= MAX_CACHED:  # wrong tokens by the thousand: start afresh
                self._read.clear()
            self._read[(id(engine), hash_token(token))] = (holder, time.monotonic())
        return _unexpired(holder)


def _unexpired(holder: TokenHolder | None) -> TokenHolder | None:
    if holder is None or (holder.expires_at is not None and holder.expires_at <= utcnow()):
        return None
    return holder
