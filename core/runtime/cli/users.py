"""``users``: the team's accounts (add, list, roles, deactivation, passwords)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.models import Role, User
from core.runtime.cli.output import CliError, Commands, emit, emit_rows


def _user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """The new password and whether it was generated (then it is printed once)."""
    from core.access.users import generate_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CliError("no password on standard input")
        return password, False
    if sys.stdin.isatty() and not args.generate_password:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise CliError("the two passwords differ")
        return first, False
    return generate_password(), True


def cmd_users_add(args: argparse.Namespace) -> int:
    from core.access.users import add_user

    password, generated = _read_password(args)
    with session_scope() as session:
        user = add_user(
            session, CLI_ACTOR, args.username, args.role, password, name=args.name, email=args.email
        )
        data = _user_json(user)
    if generated:
        data["password"] = password
    text = f"Added {data['username']} ({data['role']})."
    if generated:
        text += f"\nPassword (shown only now): {password}"
    emit(args, data, text)
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from core.access.users import list_users

    with session_scope() as session:
        users = [_user_json(u) for u in list_users(session, CLI_ACTOR)]
    emit_rows(
        args,
        users,
        lambda u: (
            f"{u['username']:<24} {u['role']:<9} {'active' if u['active'] else 'deactivated'}"
        ),
        "No users yet.",
    )
    return 0


def cmd_users_set_role(args: argparse.Namespace) -> int:
    from core.access.users import set_role

    with session_scope() as session:
        data = _user_json(set_role(session, CLI_ACTOR, args.username, args.role))
    emit(args, data, f"{data['username']} is now {data['role']}.")
    return 0


def cmd_users_set_active(args: argparse.Namespace) -> int:
    from core.access.users import set_active

    with session_scope() as session:
        data = _user_json(set_active(session, CLI_ACTOR, args.username, args.active))
    state = "active" if data["active"] else "deactivated"
    emit(args, data, f"{data['username']} is {state}.")
    return 0


def cmd_users_reset_password(args: argparse.Namespace) -> int:
    from core.access.users import reset_password

    password, generated = _read_password(args)
    with session_scope() as session:
        data = _user_json(reset_password(session, CLI_ACTOR, args.username, password))
    if generated:
        data["password"] = password
    text = f"Password of {data['username']} changed."
    if generated:
        text += f"\nNew password (shown only now): {password}"
    emit(args, data, text)
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    from core.access.throttle import unlock_user

    with session_scope() as session:
        lifted = unlock_user(session, CLI_ACTOR, args.username)
    text = f"{args.username} may log in again." if lifted else f"{args.username} was not locked."
    emit(args, {"username": args.username, "unlocked": lifted}, text)
    return 0


def cmd_users_two_factor_reset(args: argparse.Namespace) -> int:
    from core.access.two_factor import turn_off

    with session_scope() as session:
        turn_off(session, CLI_ACTOR, args.username)
    text = f"Two-step login of {args.username} reset; they set it up again if it is required."
    emit(args, {"username": args.username, "two_factor": False}, text)
    return 0


def _add_password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    group.add_argument(
        "--generate-password", action="store_true", help="generate one and print it once"
    )


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    users = commands.add_parser("users", parents=[common], help="manage team members")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", parents=[common], help="add a user")
    add.add_argument("--username", default="", help="default: the e-mail address's local part")
    add.add_argument("--email", default="", help="the address single sign-on matches")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="")
    _add_password_options(add)
    add.set_defaults(handler=cmd_users_add)
    user_commands.add_parser("list", parents=[common]).set_defaults(handler=cmd_users_list)
    set_role = user_commands.add_parser("set-role", parents=[common], help="change a role")
    set_role.add_argument("username")
    set_role.add_argument("role", choices=[r.value for r in Role])
    set_role.set_defaults(handler=cmd_users_set_role)
    for name, active in (("deactivate", False), ("activate", True)):
        toggle = user_commands.add_parser(name, parents=[common])
        toggle.add_argument("username")
        toggle.set_defaults(handler=cmd_users_set_active, active=active)
    reset = user_commands.add_parser("reset-password", parents=[common])
    reset.add_argument("username")
    _add_password_options(reset)
    reset.set_defaults(handler=cmd_users_reset_password)
    unlock = user_commands.add_parser(
        "unlock", parents=[common], help="forget a username's failed logins (ends its wait)"
    )
    unlock.add_argument("username")
    unlock.set_defaults(handler=cmd_users_unlock)
    two_factor_reset = user_commands.add_parser(
        "2fa-reset", parents=[common], help="turn off a user's two-step login (lost phone)"
    )
    two_factor_reset.add_argument("username")
    two_factor_reset.set_defaults(handler=cmd_users_two_factor_reset)
