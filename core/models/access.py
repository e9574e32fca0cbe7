"""Users, their login sessions, the audit log and installation-wide settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from core.models.columns import UTCDateTime, choice_type, created_column, json_column, when_column


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    MANAGER = "manager"
    AGENT = "agent"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=choice_type(Role))
    active: bool = Field(default=True)
    language: str | None = Field(default=None, max_length=8)
    available: bool = Field(default=True)
    """Marked away, a member gets no conversation from automatic assignment."""
    open_limit: int | None = None
    """At most this many unresolved conversations from automatic assignment (none: no limit)."""
    created_at: datetime = created_column()
    last_login_at: datetime | None = when_column()


class LoginSession(SQLModel, table=True):
    """A login kept across reloads, tabs and restarts (``core.access.sessions``).

    The browser holds a random token in an HttpOnly cookie; the store keeps only its hash, so a
    copy of this table opens no account. A row starts with a one-time ticket that the server's
    ``/auth/session`` route exchanges for the token; ``ended_at`` is logout, deactivation or a
    password reset, and is never cleared.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (
        # the Users page: a user's active sessions; ending them all on deactivation
        Index("ix_login_sessions_user_id_ended_at", "user_id", "ended_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_expires_at: datetime | None = when_column()
    created_at: datetime = created_column()
    last_seen_at: datetime = created_column()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    client: str = Field(default="", max_length=200)  # the browser's User-Agent, shortened
    ended_at: datetime | None = when_column()


class AuditEntry(SQLModel, table=True):
    """Who did what and when. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_column()
    actor: str = Field(max_length=64)  # username, or "system" / "cli"
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=200)
    details: dict[str, Any] | None = json_column()


class AppSetting(SQLModel, table=True):
    """An installation-wide choice an admin makes in the dashboard (e.g. which template limits)."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = created_column()
    updated_by: str = Field(default="", max_length=64)
