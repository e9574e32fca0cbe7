"""Team members: adding, roles, passwords, deactivation, and the login credential view.

There is no default account: the first admin is made by ``python -m core users add`` or by the
first-run page, which works only while no user exists.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlmodel import Session, func, select

from core.access import audit, sessions
from core.access.auth import Actor, Permission, check_password, hash_password, require
from core.errors import UserFacingError
from core.models import Role, User, utcnow

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def validate_username(username: str) -> str:
    normalized = username.strip().lower()
    if not USERNAME_PATTERN.match(normalized):
        raise UserFacingError("users.error.username_invalid")
    return normalized


def username_from_email(email: str) -> str:
    """An admin adding a member by e-mail alone (for single sign-on): the address's local part."""
    return re.sub(r"[^a-z0-9._-]", "", email.strip().lower().partition("@")[0])


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserFacingError("users.error.password_short", minimum=MIN_PASSWORD_LENGTH)


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise UserFacingError(
            "users.error.role_invalid", role=role, roles=", ".join(r.value for r in Role)
        ) from None


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


_STORES_WITH_USERS: set[str] = set()
"""The stores (by URL) this process has seen holding a user: users are deactivated, never
deleted, so once true the answer never changes and every page run can skip the count."""


def has_users(session: Session) -> bool:
    """Whether anyone can log in yet (no: the dashboard shows the first-run page)."""
    store = session.get_bind().url.render_as_string()
    if store in _STORES_WITH_USERS:
        return True
    if user_count(session) == 0:
        return False
    _STORES_WITH_USERS.add(store)
    return True


def get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def _get_existing(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserFacingError("users.error.not_found", username=username)
    return user


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: Role | str,
    password: str,
    name: str = "",
    email: str = "",
) -> User:
    require(actor, Permission.MANAGE_USERS)
    return _insert_user(session, actor, username, role, password, name, email)


def create_first_admin(session: Session, username: str, password: str, name: str = "") -> User:
    """The first-run page's action: allowed only while the store has no user at all."""
    if user_count(session) > 0:
        raise UserFacingError("users.error.first_run_closed")
    return _insert_user(session, username, username, Role.ADMIN, password, name, "")


def _insert_user(
    session: Session,
    actor: Actor | str,
    username: str,
    role: Role | str,
    password: str,
    name: str,
    email: str,
) -> User:
    normalized = validate_username(username.strip() or username_from_email(email))
    validate_password(password)
    parsed_role = role if isinstance(role, Role) else parse_role(role)
    if get_user(session, normalized) is not None:
        raise UserFacingError("users.error.exists", username=normalized)
    _ensure_email_free(session, email)
    user = User(
        username=normalized,
        name=name.strip() or normalized,
        email=email.strip().lower(),
        password_hash=hash_password(password),
        role=parsed_role,
    )
    session.add(user)
    audit.record(session, actor, "user.add", normalized, role=parsed_role.value)
    session.flush()
    return user


def _ensure_email_free(session: Session, email: str) -> None:
    """Single sign-on finds a member by e-mail, so two members never share one."""
    address = email.strip().lower()
    if not address:
        return
    owner = session.exec(select(User.username).where(func.lower(User.email) == address)).first()
    if owner is not None:
        raise UserFacingError("users.error.email_taken", email=address, username=owner)


def list_users(session: Session, actor: Actor) -> list[User]:
    require(actor, Permission.MANAGE_USERS)
    return list(session.exec(select(User).order_by(User.username)))


def set_role(session: Session, actor: Actor, username: str, role: Role | str) -> User:
    require(actor, Permission.MANAGE_USERS)
    user = _get_existing(session, username)
    new_role = role if isinstance(role, Role) else parse_role(role)
    if user.role == Role.ADMIN and new_role != Role.ADMIN:
        _ensure_another_admin(session, user)
    # open sessions keep going: each page run re-reads the role (core.access.sessions.resolve)
    audit.record(session, actor, "user.set_role", user.username, old=user.role, new=new_role.value)
    user.role = new_role
    session.add(user)
    return user


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    require(actor, Permission.MANAGE_USERS)
    user = _get_existing(session, username)
    if not active and user.role == Role.ADMIN:
        _ensure_another_admin(session, user)
    user.active = active
    session.add(user)
    audit.record(session, actor, "user.activate" if active else "user.deactivate", user.username)
    if not active:
        sessions.end_all(session, actor, user.username)  # every open tab, within seconds
    return user


def reset_password(session: Session, actor: Actor, username: str, password: str) -> User:
    require(actor, Permission.MANAGE_USERS)
    user = _get_existing(session, username)
    validate_password(password)
    user.password_hash = hash_password(password)
    session.add(user)
    audit.record(session, actor, "user.reset_password", user.username)
    sessions.end_all(session, actor, user.username)  # whoever knew the old password is out
    return user


def _ensure_another_admin(session: Session, user: User) -> None:
    """Never leave the installation without an active admin (nobody could manage it)."""
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.active == True, User.id != user.id)  # noqa: E712
    ).one()
    if others == 0:
        raise UserFacingError("users.error.last_admin")


def login_credentials(session: Session) -> dict[str, Any]:
    """Active users in the shape streamlit-authenticator reads (hashed passwords only)."""
    users = session.exec(select(User).where(User.active == True))  # noqa: E712
    return {
        "usernames": {
            user.username: {
                "first_name": user.name,
                "last_name": "",
                "email": user.email or f"{user.username}@localhost",
                "password": user.password_hash,
                "roles": [user.role.value],
            }
            for user in users
        }
    }


def actor_for(session: Session, username: str | None) -> Actor | None:
    """The acting user for a logged-in username, or None when unknown or deactivated."""
    if not username:
        return None
    user = get_user(session, username)
    if user is None or not user.active:
        return None
    return Actor(username=user.username, role=user.role, user_id=user.id)


def record_login(session: Session, username: str) -> None:
    user = get_user(session, username)
    if user is not None:
        user.last_login_at = utcnow()
        session.add(user)
    audit.record(session, username, "login")


def record_failed_login(session: Session, username: str) -> None:
    audit.record(session, username.strip().lower()[:64] or "?", "login.failed")


def verify_password(session: Session, username: str, password: str) -> bool:
    user = get_user(session, username)
    return bool(user and user.active and check_password(password, user.password_hash))
