"""The front door's state: failed-login counters shared by every server, and two-factor secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from core.models.columns import UTCDateTime, created_column, when_column


class LoginThrottle(SQLModel, table=True):
    """Recent failed logins of one username or one client address (``core.access.throttle``).

    In the store rather than in memory so that every server behind a load balancer counts the
    same guesses. A row disappears when its count is forgotten (quiet time, a good login, an
    admin's unlock)."""

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=120)  # "user:NAME" or "address:IP"
    failures: int = Field(default=0)
    counting_since: datetime = created_column()
    last_failure_at: datetime = created_column()
    # the Users page lists locks still running
    locked_until: datetime | None = when_column(index=True)


class TwoFactor(SQLModel, table=True):
    """A user's authenticator app (``core.access.two_factor``): one row once confirmed."""

    __tablename__ = "two_factor"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    secret_encrypted: bytes = Field(sa_type=LargeBinary)  # the TOTP key, under core.crypto
    enabled_at: datetime = created_column()
    last_used_step: int | None = Field(default=None)  # codes of this 30 s step or earlier: spent


class RecoveryCode(SQLModel, table=True):
    """A one-time code for a user who lost their authenticator; only its keyed hash is kept."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
