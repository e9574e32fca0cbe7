"""Users and roles on both stores: the permission check is in core, not only in pages."""

import pytest
from sqlmodel import Session, select

from core.access import users
from core.access.auth import CLI_ACTOR, ROLE_PERMISSIONS, Actor, Permission, PermissionDenied
from core.access.navigation import visible_pages
from core.errors import UserFacingError
from core.models import AuditEntry, Role


def test_role_matrix_matches_the_readme() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.EDIT_TEMPLATES in ROLE_PERMISSIONS[Role.MARKETER]
    assert Permission.RUN_CAMPAIGNS in ROLE_PERMISSIONS[Role.MARKETER]
    assert Permission.MANAGE_CHANNELS not in ROLE_PERMISSIONS[Role.MARKETER]
    assert not {p for p in ROLE_PERMISSIONS[Role.MANAGER] if not p.value.startswith("view_")}
    assert ROLE_PERMISSIONS[Role.AGENT] == {
        Permission.VIEW_CHANNELS,
        Permission.VIEW_CONVERSATIONS,
        Permission.REPLY_CONVERSATIONS,
    }


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER, Role.AGENT])
def test_only_admins_manage_users(session: Session, team: dict[Role, Actor], role: Role) -> None:
    with pytest.raises(PermissionDenied):
        users.add_user(session, team[role], "intruder", Role.ADMIN, "long-enough-password")
    with pytest.raises(PermissionDenied):
        users.list_users(session, team[role])
    with pytest.raises(PermissionDenied):
        users.set_role(session, team[role], f"{role.value}1", Role.ADMIN)
    with pytest.raises(PermissionDenied):
        users.reset_password(session, team[role], "admin1", "long-enough-password")


def test_admin_adds_a_user_who_can_then_log_in(session: Session, team: dict[Role, Actor]) -> None:
    users.add_user(session, team[Role.ADMIN], " Lucia ", "agent", "una-clave-larga", name="Lucía")
    assert users.verify_password(session, "lucia", "una-clave-larga")
    assert not users.verify_password(session, "lucia", "wrong-password")
    stored = users.get_user(session, "lucia")
    assert stored is not None and stored.password_hash.startswith("$2")
    assert "una-clave-larga" not in stored.password_hash
    assert "lucia" in users.login_credentials(session)["usernames"]


def test_bad_input_is_refused_with_the_rule(session: Session, team: dict[Role, Actor]) -> None:
    admin = team[Role.ADMIN]
    with pytest.raises(UserFacingError) as short:
        users.add_user(session, admin, "pepe", Role.AGENT, "short")
    assert short.value.key == "users.error.password_short"
    assert "10" in short.value.message("en")
    with pytest.raises(UserFacingError) as bad_name:
        users.add_user(session, admin, "no spaces!", Role.AGENT, "long-enough-password")
    assert bad_name.value.key == "users.error.username_invalid"
    with pytest.raises(UserFacingError) as taken:
        users.add_user(session, admin, "agent1", Role.AGENT, "long-enough-password")
    assert taken.value.key == "users.error.exists"
    with pytest.raises(UserFacingError) as role:
        users.add_user(session, admin, "pepe", "boss", "long-enough-password")
    assert "admin, marketer, manager, agent" in role.value.message("en")


def test_deactivated_users_cannot_log_in(session: Session, team: dict[Role, Actor]) -> None:
    users.set_active(session, team[Role.ADMIN], "agent1", False)
    assert "agent1" not in users.login_credentials(session)["usernames"]
    assert users.actor_for(session, "agent1") is None
    assert not users.verify_password(session, "agent1", "password-agent")
    users.set_active(session, team[Role.ADMIN], "agent1", True)
    assert users.actor_for(session, "agent1") is not None


def test_the_last_admin_cannot_be_removed(session: Session, team: dict[Role, Actor]) -> None:
    with pytest.raises(UserFacingError, match="last active administrator"):
        users.set_role(session, team[Role.ADMIN], "admin1", Role.AGENT)
    with pytest.raises(UserFacingError, match="last active administrator"):
        users.set_active(session, team[Role.ADMIN], "admin1", False)
    users.set_role(session, team[Role.ADMIN], "manager1", Role.ADMIN)
    users.set_role(session, team[Role.ADMIN], "admin1", Role.AGENT)
    assert users.actor_for(session, "admin1").role == Role.AGENT


def test_first_admin_only_while_the_store_is_empty(session: Session) -> None:
    first = users.create_first_admin(session, "owner", "the-first-password")
    assert first.role == Role.ADMIN
    with pytest.raises(UserFacingError) as closed:
        users.create_first_admin(session, "second", "the-first-password")
    assert closed.value.key == "users.error.first_run_closed"


def test_user_changes_and_logins_are_audited(session: Session, team: dict[Role, Actor]) -> None:
    admin = team[Role.ADMIN]
    users.set_role(session, admin, "agent1", Role.MANAGER)
    users.reset_password(session, admin, "agent1", "another-long-password")
    users.record_login(session, "agent1")
    users.record_failed_login(session, "Mallory")
    actions = [(e.actor, e.action, e.target) for e in session.exec(select(AuditEntry))]
    assert ("admin1", "user.set_role", "agent1") in actions
    assert ("admin1", "user.reset_password", "agent1") in actions
    assert ("agent1", "login", "") in actions
    assert ("mallory", "login.failed", "") in actions
    assert ("cli", "user.add", "admin1") in actions


def test_menu_per_role() -> None:
    def menu(role: Role) -> list[str]:
        return [page.url_path for page in visible_pages(Actor("x", role))]

    templates = ["template-builder", "template-status", "workspace-templates"]
    assert menu(Role.ADMIN) == [
        "home",
        "conversations",
        "inbox-settings",
        *templates,
        "channels",
        "campaigns",
        "reports",
        "users",
        "api",
        "audit",
        "account",
    ]
    assert menu(Role.MARKETER) == [
        "home",
        "conversations",
        "inbox-settings",
        *templates,
        "campaigns",
        "reports",
        "account",
    ]
    assert menu(Role.MANAGER) == [
        "home",
        "conversations",
        "template-status",
        "workspace-templates",
        "campaigns",
        "reports",
        "account",
    ]
    assert menu(Role.AGENT) == ["home", "conversations", "account"]


def test_cli_actor_is_an_admin() -> None:
    assert CLI_ACTOR.can(Permission.MANAGE_USERS)
