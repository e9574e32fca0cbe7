"""Who a command acts as: the operator (``cli``, an admin) or, with ``--as USERNAME``, a member of
the team, whose role then decides what the command may do, as in the dashboard."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from core.access.auth import CLI_ACTOR, Actor
from core.runtime.cli.output import CliError


def add_acting_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as", dest="as_user", metavar="USERNAME", help="act as this team member (default: cli)"
    )


def acting(session: Session, args: argparse.Namespace) -> Actor:
    from core.access.users import actor_for

    if not getattr(args, "as_user", None):
        return CLI_ACTOR
    actor = actor_for(session, args.as_user.strip().lower())
    if actor is None:
        raise CliError(f"there is no active user {args.as_user}")
    return actor
