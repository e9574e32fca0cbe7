"""``contacts``: a customer's profile, and their custom attributes."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from core.db import session_scope
from core.runtime.cli.acting import acting, add_acting_argument
from core.runtime.cli.output import CliError, Commands, emit


def _profile_json(profile: Any) -> dict[str, Any]:
    data = asdict(profile)
    data["labels"] = [label.name for label in profile.labels]
    return data


def cmd_show(args: argparse.Namespace) -> int:
    from core.conversations.profile import profile_by_number

    with session_scope() as session:
        shown = profile_by_number(session, acting(session, args), args.wa_id, args.channel)
        data = _profile_json(shown)
    opted = " (opted out)" if shown.opted_out else ""
    attributes = ", ".join(f"{key}={value}" for key, value in shown.attributes.items())
    text = (
        f"{shown.name or '-'} +{shown.wa_id} on {shown.channel_name}{opted}; "
        f"first seen {shown.first_seen:%Y-%m-%d}; attributes: {attributes or 'none'}"
    )
    emit(args, data, text)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from core.conversations.profile import profile_by_number, set_attribute

    with session_scope() as session:
        actor = acting(session, args)
        shown = profile_by_number(session, actor, args.wa_id, args.channel)
        attributes = shown.attributes
        for pair in args.attr:
            key, equals, value = pair.partition("=")
            if not equals:
                raise CliError(f"--attr takes KEY=VALUE (empty VALUE removes it), not {pair!r}")
            attributes = set_attribute(session, actor, shown.contact_id, key, value)
    emit(args, {"wa_id": shown.wa_id, "attributes": attributes}, f"Attributes: {attributes}.")
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("contacts", parents=[common], help="customers' profiles")
    sub = group.add_subparsers(dest="contacts_command", required=True)
    show = sub.add_parser("show", parents=[common], help="a customer's profile")
    show.set_defaults(handler=cmd_show)
    change = sub.add_parser("set", parents=[common], help="custom attributes")
    change.add_argument("--attr", action="append", required=True, help="KEY=VALUE")
    change.set_defaults(handler=cmd_set)
    for parser in (show, change):
        parser.add_argument("wa_id", help="the customer's number")
        parser.add_argument("--channel", type=int, help="when the number wrote to several")
        add_acting_argument(parser)
