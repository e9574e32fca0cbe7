"""Roles, permissions and the check every core action calls.

A page hiding a button is not security: each function in ``core`` that reads or changes something a
role may not touch takes the acting user and calls :func:`require` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import bcrypt

from core.models import Role


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    MANAGE_CHANNELS = "manage_channels"
    VIEW_CHANNELS = "view_channels"
    EDIT_TEMPLATES = "edit_templates"
    VIEW_TEMPLATES = "view_templates"
    SEND_TEMPLATES = "send_templates"
    RUN_CAMPAIGNS = "run_campaigns"
    VIEW_CAMPAIGNS = "view_campaigns"
    VIEW_CONVERSATIONS = "view_conversations"
    REPLY_CONVERSATIONS = "reply_conversations"
    VIEW_REPORTS = "view_reports"
    ASSIGN_CONVERSATIONS = "assign_conversations"
    """Give a conversation to another member (anyone who answers may take one for themselves)."""
    MANAGE_INBOX = "manage_inbox"
    """Create and change the team's labels and canned replies."""


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MARKETER: frozenset(
        {
            Permission.VIEW_CHANNELS,
            Permission.EDIT_TEMPLATES,
            Permission.VIEW_TEMPLATES,
            Permission.SEND_TEMPLATES,
            Permission.RUN_CAMPAIGNS,
            Permission.VIEW_CAMPAIGNS,
            Permission.VIEW_CONVERSATIONS,
            Permission.REPLY_CONVERSATIONS,
            Permission.VIEW_REPORTS,
            Permission.MANAGE_INBOX,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Permission.VIEW_CHANNELS,
            Permission.VIEW_TEMPLATES,
            Permission.VIEW_CAMPAIGNS,
            Permission.VIEW_CONVERSATIONS,
            Permission.VIEW_REPORTS,
        }
    ),
    Role.AGENT: frozenset(
        {
            Permission.VIEW_CHANNELS,
            Permission.VIEW_CONVERSATIONS,
            Permission.REPLY_CONVERSATIONS,
        }
    ),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the operator at the command line."""

    username: str
    role: Role
    user_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


CLI_ACTOR = Actor(username="cli", role=Role.ADMIN)
"""The command line runs with the machine owner's authority, like a database shell."""

SYSTEM_ACTOR = Actor(username="system", role=Role.ADMIN)
"""Background work (webhooks, sender, sync) acting on behalf of the installation."""


class PermissionDenied(PermissionError):
    def __init__(self, actor: Actor, permission: Permission) -> None:
        super().__init__(f"{actor.username} ({actor.role}) may not {permission.value}")
        self.actor = actor
        self.permission = permission


def require(actor: Actor, permission: Permission) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` holds ``permission``."""
    if not actor.can(permission):
        raise PermissionDenied(actor, permission)


BCRYPT_ROUNDS = 12
"""Work factor of password hashes (tests lower it; production keeps bcrypt's default)."""


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False
