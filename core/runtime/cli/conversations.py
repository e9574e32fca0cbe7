"""``conversations``: the team inbox from the command line: list and filter, assign, change the
status, label, write a private note, reply inside the 24-hour window."""

from __future__ import annotations

import argparse
from typing import Any

from core.db import session_scope
from core.runtime.cli.acting import acting, add_acting_argument
from core.runtime.cli.output import CliError, Commands, aware_time, emit, emit_rows

STATUSES = ("open", "pending", "snoozed", "resolved")


def _filters(session: Any, args: argparse.Namespace) -> Any:
    from core.conversations.assignment import member
    from core.conversations.labels import label_named
    from core.conversations.threads import ConversationFilter, View
    from core.models import ConversationStatus

    unassigned = (args.assignee or "").lower() == "none"
    return ConversationFilter(
        channel_id=args.channel,
        status=ConversationStatus(args.status) if args.status else None,
        view=View.UNASSIGNED if unassigned else View.ALL,
        assignee_id=member(session, args.assignee).id if args.assignee and not unassigned else None,
        label_id=label_named(session, args.label).id if args.label else None,
    )


def _row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel_id": row.channel_id,
        "contact": {"wa_id": row.wa_id, "name": row.contact_name},
        "status": row.status.value,
        "assignee": row.assignee,
        "labels": [label.name for label in row.labels],
        "last_message_at": row.last_message_at.isoformat() if row.last_message_at else None,
        "unread": row.unread,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from core.conversations.threads import list_conversations

    with session_scope() as session:
        actor = acting(session, args)
        page = list_conversations(session, actor, _filters(session, args), args.page, args.limit)
        rows = [_row(row) for row in page.items]
    emit_rows(
        args,
        rows,
        lambda r: (
            f"{r['id']:>6}  {r['status']:<8}  {r['assignee'] or '-':<12}  "
            f"+{r['contact']['wa_id']}  {r['contact']['name']}  {' '.join(r['labels'])}"
        ),
        "No conversations.",
    )
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from core.conversations.assignment import assign

    target = None if args.to.lower() == "none" else args.to
    with session_scope() as session:
        assign(session, acting(session, args), args.conversation, target)
    data = {"id": args.conversation, "assignee": target.lower() if target else None}
    emit(args, data, f"Conversation {args.conversation}: assigned to {target or 'nobody'}.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from core.conversations.lifecycle import set_status

    until = aware_time(args.until, "--until", "2026-12-24T09:00+01:00") if args.until else None
    with session_scope() as session:
        set_status(session, acting(session, args), args.conversation, args.status, until=until)
    data = {"id": args.conversation, "status": args.status, "until": until}
    emit(args, data, f"Conversation {args.conversation} is {args.status}.")
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    from core.conversations.labels import change_labels

    if not args.add and not args.remove:
        raise CliError("say --add NAME or --remove NAME")
    with session_scope() as session:
        now = change_labels(
            session, acting(session, args), args.conversation, add=args.add, remove=args.remove
        )
        names = [label.name for label in now]
    emit(args, {"id": args.conversation, "labels": names}, f"Labels: {', '.join(names) or 'none'}.")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from core.conversations.notes import add_note

    with session_scope() as session:
        note = add_note(session, acting(session, args), args.conversation, args.text)
        data = {"id": note.id, "conversation_id": args.conversation, "author": note.author}
    emit(args, data, f"Note {data['id']} added (the customer does not see it).")
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    from core.conversations.threads import reply_text

    with session_scope() as session:
        message = reply_text(session, acting(session, args), args.conversation, args.text)
        data = {"id": message.id, "conversation_id": args.conversation, "status": message.status}
    emit(args, data, f"Reply queued (message {data['id']}).")
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("conversations", parents=[common], help="the team inbox")
    sub = group.add_subparsers(dest="conversations_command", required=True)

    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, parents=[common], help=help_text)
        add_acting_argument(parser)
        parser.set_defaults(handler=handler)
        if name != "list":
            parser.add_argument("conversation", type=int, help="conversation id")
        return parser

    listing = command("list", cmd_list, "conversations, newest first")
    listing.add_argument("--channel", type=int)
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--assignee", help="USERNAME, or none for the unassigned")
    listing.add_argument("--label", help="label name")
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--limit", type=int, default=100)
    command("assign", cmd_assign, "give to a member").add_argument(
        "--to", required=True, help="USERNAME, or none"
    )
    status = command("status", cmd_status, "open, pending, snoozed or resolved")
    status.add_argument("status", choices=STATUSES)
    status.add_argument("--until", help="ISO time with timezone, for snoozed")
    label = command("label", cmd_label, "add or remove labels")
    label.add_argument("--add", action="append", default=[])
    label.add_argument("--remove", action="append", default=[])
    command("note", cmd_note, "a private note").add_argument("--text", required=True)
    command("reply", cmd_reply, "free-form, inside the 24-hour window").add_argument(
        "--text", required=True
    )
