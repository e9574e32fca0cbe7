"""Password guessing stopped: failed logins counted per username and per client address.

Each name and each address may fail :data:`FREE_FAILURES` times within :data:`WINDOW`; every
further failure makes it wait, :data:`FIRST_WAIT` at first and twice as long after each further
failure, up to :data:`LONGEST_WAIT`. While it waits every attempt is refused before the password
is looked at, so a right password does not get through either (and a guesser learns nothing).
Names that do not exist are counted like real ones: the refusal never tells which is which.

A count is forgotten after :data:`WINDOW` of quiet (counted from the first failure, or from the
end of the last wait), by a good login of that username, or by an admin's unlock. A good login
does not clear its address: one valid account must not buy an attacker more guesses at others.

The counters are rows in the store so that every server behind a load balancer shares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.models import LoginThrottle, utcnow

FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
USER = "user"
ADDRESS = "address"


@dataclass(frozen=True)
class Lock:
    """A username or address that must wait, as the Users page lists it."""

    key: str
    kind: str  # USER or ADDRESS
    name: str
    failures: int
    until: datetime


def _keys(username: str, address: str) -> list[str]:
    return [f"{USER}:{username.strip().lower()[:64]}", f"{ADDRESS}:{address.strip()[:50]}"]


def wait_for(failures: int) -> timedelta:
    """How long a name or address waits after its ``failures``-th failure (zero while free)."""
    beyond = failures - FREE_FAILURES
    if beyond <= 0:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(beyond - 1, 32), LONGEST_WAIT)


def _forgotten(row: LoginThrottle, now: datetime) -> bool:
    quiet_since = row.locked_until or row.counting_since
    return now >= quiet_since + WINDOW


def remaining_wait(
    session: Session, username: str, address: str, now: datetime | None = None
) -> timedelta | None:
    """How long this login must still wait (the longer of name and address), or ``None``."""
    now = now or utcnow()
    rows = session.exec(
        select(LoginThrottle).where(col(LoginThrottle.key).in_(_keys(username, address)))
    )
    waits = [row.locked_until - now for row in rows if row.locked_until and row.locked_until > now]
    return max(waits) if waits else None


def _row_for_update(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The counter row, locked against another server's update (PostgreSQL; SQLite's writer lock
    does the same), created when missing even if another server creates it at the same time."""
    query = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    row = session.exec(query).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, counting_since=now, last_failure_at=now)
            session.add(row)
        return row
    except IntegrityError:
        return session.exec(query).one()


def record_failure(
    session: Session, username: str, address: str, now: datetime | None = None
) -> timedelta | None:
    """Count a failed login (wrong password or wrong code); the wait it started, if any."""
    now = now or utcnow()
    started: timedelta | None = None
    for key in _keys(username, address):
        row = _row_for_update(session, key, now)
        if row.failures and _forgotten(row, now):
            row.failures, row.counting_since, row.locked_until = 0, now, None
        row.failures += 1
        row.last_failure_at = now
        wait = wait_for(row.failures)
        if wait:
            row.locked_until = now + wait
            started = max(started or wait, wait)
            audit.record(
                session,
                "system",
                "login.locked",
                key,
                kind=key.partition(":")[0],
                failures=row.failures,
                wait_seconds=int(wait.total_seconds()),
            )
        session.add(row)
    return started


def record_success(session: Session, username: str) -> None:
    """A good login forgets its username's failures (not its address's, see above)."""
    row = session.get(LoginThrottle, _keys(username, "")[0])
    if row is not None:
        session.delete(row)


def locks(session: Session, actor: Actor, now: datetime | None = None) -> list[Lock]:
    """Names and addresses waiting now, the longest wait first."""
    require(actor, Permission.MANAGE_USERS)
    now = now or utcnow()
    rows = session.exec(
        select(LoginThrottle)
        .where(col(LoginThrottle.locked_until) > now)
        .order_by(col(LoginThrottle.locked_until).desc())
    )
    found = []
    for row in rows:
        kind, _, name = row.key.partition(":")
        assert row.locked_until is not None  # the query asked for it
        found.append(Lock(row.key, kind, name, row.failures, row.locked_until))
    return found


def unlock(session: Session, actor: Actor, key: str) -> bool:
    """Forget a name's or address's failures at once; ``False`` when it had none."""
    require(actor, Permission.MANAGE_USERS)
    row = session.get(LoginThrottle, key)
    if row is None:
        return False
    audit.record(session, actor, "login.unlock", key, failures=row.failures)
    session.delete(row)
    return True


def unlock_user(session: Session, actor: Actor, username: str) -> bool:
    return unlock(session, actor, _keys(username, "")[0])
