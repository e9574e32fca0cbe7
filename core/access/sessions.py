"""Server-side login sessions: what streamlit-authenticator cannot do (it checks passwords only).

A login is a row in ``login_sessions``. The login form, once the password is checked, calls
:func:`start`, which returns a one-time ticket valid for :data:`TICKET_LIFETIME`; the browser is
sent to the server's ``/auth/session`` route, which calls :func:`exchange` and sets the returned
token as an HttpOnly cookie. Every page run then calls :func:`resolve` (one lookup by a unique
index) to learn who is acting, with the role as it is *now*: a role change needs no logout, and
an ended session, an expired one or a deactivated user resolves to nobody.

Tokens are 256 random bits, so a fast hash (SHA-256) is enough to keep them out of the store; a
slow password hash would only make every page run slower.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.config import get_settings
from core.errors import UserFacingError
from core.models import LoginSession, User, utcnow

TICKET_LIFETIME = timedelta(seconds=60)
"""Long enough for the browser to follow one redirect; a ticket seen later is refused."""

TOUCH_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often, so page reruns stay reads."""

CLIENT_LENGTH = 200


@dataclass(frozen=True)
class Issued:
    """What the ``/auth/session`` route puts in the cookie, and until when."""

    token: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def logout_check(token: str) -> str:
    """The value ``/auth/logout`` asks for: derived from the cookie's token, so a page on another
    site (which cannot read the cookie) cannot log a user out by linking to the route."""
    return hashlib.sha256(b"logout\0" + token.encode()).hexdigest()


def _ticket_hash(ticket: str, binding: str) -> str:
    """What the row keeps of a ticket: only the ticket *and* the browser binding it was issued
    to find it again, so a ticket presented by another browser matches no row."""
    return _hash(f"{ticket}\0{binding}")


def start(session: Session, username: str, client: str = "", *, binding: str) -> str:
    """A new session for a user whose password was just checked; returns its one-time ticket.

    ``binding`` is the login-binding cookie of the browser that logged in: the ticket opens a
    session only in that browser (login CSRF: otherwise a ticket URL someone sends a victim would
    log the victim's browser in as them)."""
    if not binding:
        raise UserFacingError("sessions.error.no_binding")
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.active or user.id is None:
        raise UserFacingError("sessions.error.no_user", username=username)
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(
        user_id=user.id,
        ticket_hash=_ticket_hash(ticket, binding),
        ticket_expires_at=now + TICKET_LIFETIME,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=get_settings().cookie_expiry_days),
        client=client.strip()[:CLIENT_LENGTH],
    )
    session.add(row)
    session.flush()
    audit.record(session, user.username, "session.start", user.username, session_id=row.id)
    return ticket


def exchange(session: Session, ticket: str, binding: str | None) -> Issued | None:
    """The cookie's token for a ticket, once, in the browser it was issued to: a used, expired or
    unknown ticket, or one presented with another browser's binding, gives ``None``."""
    if not ticket or not binding:
        return None
    row = session.exec(
        select(LoginSession).where(LoginSession.ticket_hash == _ticket_hash(ticket, binding))
    ).first()
    if row is None:
        return None
    row.ticket_hash = None  # used, whatever happens next
    session.add(row)
    now = utcnow()
    if row.ended_at is not None or row.ticket_expires_at is None or row.ticket_expires_at < now:
        return None
    token = secrets.token_urlsafe(32)
    row.token_hash = _hash(token)
    row.ticket_expires_at = None
    return Issued(token=token, expires_at=row.expires_at)


def _is_live(row: LoginSession, user: User, now: datetime) -> bool:
    return row.ended_at is None and row.expires_at > now and user.active


def _live_row(session: Session, token: str | None) -> tuple[LoginSession, User] | None:
    if not token:
        return None
    found = session.exec(
        select(LoginSession, User)
        .join(User, col(User.id) == LoginSession.user_id)
        .where(LoginSession.token_hash == _hash(token))
    ).first()
    if found is None or not _is_live(*found, utcnow()):
        return None
    return found


def _seen(session: Session, row: LoginSession, user: User, now: datetime) -> Actor:
    """The actor a live row names; ``last_seen_at`` refreshed at most every ``TOUCH_EVERY``."""
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return Actor(username=user.username, role=user.role, user_id=user.id)


def resolve(session: Session, token: str | None) -> Actor | None:
    """Who holds this cookie now, or ``None``; refreshes ``last_seen_at`` at most once a minute."""
    live = _live_row(session, token)
    return None if live is None else _seen(session, *live, utcnow())


def resolve_many(session: Session, tokens: Iterable[str]) -> dict[str, Actor]:
    """:func:`resolve` for many cookies in one query (a process's open tabs, looked up together
    by their live watch); a token that names nobody now is absent from the answer."""
    by_hash = {_hash(token): token for token in tokens if token}
    if not by_hash:
        return {}
    found = session.exec(
        select(LoginSession, User)
        .join(User, col(User.id) == LoginSession.user_id)
        .where(col(LoginSession.token_hash).in_(by_hash))
    ).all()
    now = utcnow()
    return {
        by_hash[row.token_hash]: _seen(session, row, user, now)
        for row, user in found
        if _is_live(row, user, now)
    }


def end_by_token(session: Session, token: str | None) -> bool:
    """Logout: ends the session the cookie names; ``False`` when it was already over."""
    live = _live_row(session, token)
    if live is None:
        return False
    row, user = live
    _end(session, user.username, row, user)
    return True


def _end(session: Session, actor: Actor | str, row: LoginSession, user: User) -> None:
    row.ended_at = utcnow()
    session.add(row)
    audit.record(session, actor, "session.end", user.username, session_id=row.id)


def _owned(session: Session, actor: Actor, username: str) -> User:
    """The user whose sessions ``actor`` may see and end: their own, or anyone's for an admin."""
    if username.strip().lower() != actor.username:
        require(actor, Permission.MANAGE_USERS)
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise UserFacingError("users.error.not_found", username=username)
    return user


def _active_rows(session: Session, user: User) -> list[LoginSession]:
    return list(
        session.exec(
            select(LoginSession)
            .where(
                LoginSession.user_id == user.id,
                col(LoginSession.ended_at).is_(None),
                col(LoginSession.token_hash).is_not(None),
                LoginSession.expires_at > utcnow(),
            )
            .order_by(col(LoginSession.last_seen_at).desc())
        )
    )


def list_active(session: Session, actor: Actor, username: str) -> list[LoginSession]:
    """A user's sessions that still open the dashboard, most recently seen first."""
    return _active_rows(session, _owned(session, actor, username))


def end(session: Session, actor: Actor, username: str, session_id: int) -> None:
    """End one of a user's sessions (its tabs show the login form within seconds)."""
    user = _owned(session, actor, username)
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != user.id:
        raise UserFacingError("sessions.error.not_found")
    if row.ended_at is None:
        _end(session, actor, row, user)


def end_all(session: Session, actor: Actor, username: str, keep_token: str | None = None) -> int:
    """End every active session of a user (but the one holding ``keep_token``); how many ended."""
    user = _owned(session, actor, username)
    kept = _hash(keep_token) if keep_token else None
    ended = 0
    for row in _active_rows(session, user):
        if row.token_hash != kept:
            _end(session, actor, row, user)
            ended += 1
    return ended


PRUNE_BATCH = 1000
"""Rows deleted per transaction: a long delete would keep SQLite's one writer from the webhooks."""


def prune(session: Session, limit: int = PRUNE_BATCH) -> int:
    """Delete up to ``limit`` rows that can never open the dashboard again; how many went.

    Ended and expired sessions, and tickets that were never exchanged in time or failed when
    they were. The audit log keeps who logged in and out; these rows only answer "who holds
    this cookie now", so the table stays the size of the open logins (the worker calls this
    daily, see ``core.runtime.background``)."""
    now = utcnow()
    never_exchanged = and_(
        col(LoginSession.token_hash).is_(None),
        or_(col(LoginSession.ticket_hash).is_(None), col(LoginSession.ticket_expires_at) < now),
    )
    dead = select(LoginSession.id).where(
        or_(
            col(LoginSession.ended_at).is_not(None),
            LoginSession.expires_at <= now,
            never_exchanged,
        )
    )
    result = session.execute(
        delete(LoginSession).where(col(LoginSession.id).in_(dead.limit(limit).scalar_subquery()))
    )
    return result.rowcount or 0
