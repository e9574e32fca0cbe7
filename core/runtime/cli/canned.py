"""``canned``: the team's canned replies (``/shortcut`` in the composer)."""

from __future__ import annotations

import argparse

from core.db import session_scope
from core.runtime.cli.acting import acting, add_acting_argument
from core.runtime.cli.output import Commands, emit, emit_rows


def cmd_add(args: argparse.Namespace) -> int:
    from core.conversations.canned import add_reply

    with session_scope() as session:
        reply = add_reply(session, acting(session, args), args.shortcut, args.text)
        data = {"id": reply.id, "shortcut": reply.shortcut, "text": reply.text}
    emit(args, data, f"Canned reply /{data['shortcut']} added.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from core.conversations.canned import list_replies

    with session_scope() as session:
        rows = [
            {"id": r.id, "shortcut": r.shortcut, "text": r.text}
            for r in list_replies(session, acting(session, args), args.search)
        ]
    emit_rows(args, rows, lambda r: f"/{r['shortcut']}  {r['text']}", "No canned replies.")
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("canned", parents=[common], help="canned replies")
    sub = group.add_subparsers(dest="canned_command", required=True)
    add = sub.add_parser("add", parents=[common], help="a new canned reply")
    add.add_argument("--shortcut", required=True)
    add.add_argument("--text", required=True, help="may use {{name}}, {{number}}, {{attribute}}")
    add.set_defaults(handler=cmd_add)
    listing = sub.add_parser("list", parents=[common], help="every canned reply")
    listing.add_argument("--search", default="")
    listing.set_defaults(handler=cmd_list)
    for parser in (add, listing):
        add_acting_argument(parser)
