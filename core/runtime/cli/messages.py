"""``messages``: every stored message, exported for another system or a spreadsheet."""

from __future__ import annotations

import argparse
import sys

from core.access.auth import CLI_ACTOR
from core.db import get_engine
from core.runtime.cli.output import Commands


def cmd_messages_export(args: argparse.Namespace) -> int:
    """Every message as JSON lines or CSV, to a file or standard output."""
    from core.conversations import export

    rows = export.records(get_engine(), CLI_ACTOR, channel_id=args.channel)
    if args.output == "-":
        export.write(rows, sys.stdout, args.format)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as output:
            count = export.write(rows, output, args.format)
        print(f"Wrote {count} messages to {args.output}.", file=sys.stderr)
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    messages = commands.add_parser("messages", parents=[common], help="stored messages")
    message_commands = messages.add_subparsers(dest="messages_command", required=True)
    exporter = message_commands.add_parser("export", help="one record per message")
    exporter.add_argument("--channel", type=int, help="only this channel's messages")
    exporter.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    exporter.add_argument("--output", default="-", help="file to write (default: stdout)")
    exporter.set_defaults(handler=cmd_messages_export)
