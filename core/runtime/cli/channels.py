"""``channels``: connecting a number through 360Dialog and listing the channels."""

from __future__ import annotations

import argparse
import mimetypes
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.access.auth import CLI_ACTOR
from core.config import get_settings
from core.d360.client import DEFAULT_BASE_URL
from core.db import session_scope
from core.runtime.cli.output import CliError, Commands, emit, emit_rows


def _read_api_key(args: argparse.Namespace) -> str:
    if args.api_key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise CliError("no API key on standard input")
        return key
    return args.api_key


def cmd_channels_add(args: argparse.Namespace) -> int:
    from core.channels.connect import connect_channel

    with session_scope() as session:
        result = connect_channel(
            session,
            CLI_ACTOR,
            number=args.number,
            api_key=_read_api_key(args),
            name=args.name,
            base_url=args.base_url,
            generation=args.generation,
            public_url=args.public_url or get_settings().public_url,
        )
    channel = result.channel
    data = {
        "id": channel.id,
        "name": channel.name,
        "number": channel.number,
        "phone_number_id": channel.phone_number_id,
        "webhook_url": channel.webhook_url,
        "webhook_headers": result.webhook_headers,
    }
    text = (
        f"Connected {channel.name} ({channel.number}) as channel {channel.id}.\n"
        f"360Dialog posts its messages to {channel.webhook_url}\n"
        f"with the header (shown only now): {next(iter(result.webhook_headers.items()))[0]}: "
        f"{result.webhook_secret}"
    )
    emit(args, data, text)
    return 0


def cmd_channels_list(args: argparse.Namespace) -> int:
    from core.channels.registry import list_channels

    with session_scope() as session:
        found = list_channels(session, CLI_ACTOR, include_inactive=args.all)
    data = [
        {
            "id": c.id,
            "name": c.name,
            "number": c.number,
            "phone_number_id": c.phone_number_id,
            "waba_id": c.waba_id,
            "generation": c.generation,
            "base_url": c.base_url,
            "api_key_hint": c.api_key_hint,
            "webhook_url": c.webhook_url,
            "active": c.active,
            "last_webhook_at": c.last_webhook_at.isoformat() if c.last_webhook_at else None,
            "last_error": c.last_error,
            "last_error_code": c.last_error_code,
        }
        for c in found
    ]
    emit_rows(
        args,
        data,
        lambda c: (
            f"{c['id']:<4} {c['number']:<16} {c['api_key_hint']:<10} {c['name']}"
            + ("" if c["active"] else " (deactivated)")
        ),
        "No channels yet.",
    )
    return 0


def _health_data(state: Any) -> dict[str, Any]:
    return {
        "can_send": state.can_send,
        "quality_rating": state.quality_rating,
        "messaging_limit": state.messaging_limit,
        "name_status": state.name_status,
        "reasons": [asdict(reason) for reason in state.reasons],
        "source": state.source,
        "event": state.event,
        "worsened": list(state.worsened),
        "problems": list(state.problems),
        "recorded_at": state.recorded_at.isoformat() if state.recorded_at else None,
        "checked_at": state.checked_at.isoformat() if state.checked_at else None,
    }


def cmd_channels_health(args: argparse.Namespace) -> int:
    """Ask WhatsApp now (unless ``--recorded``) and show the state with its recent history."""
    from core.channels import number_health

    with session_scope() as session:
        state = (
            number_health.current(session, CLI_ACTOR, args.id)
            if args.recorded
            else number_health.check_number(session, CLI_ACTOR, args.id)
        )
        changes = number_health.history(session, CLI_ACTOR, args.id, limit=args.history)
    if state is None:
        raise CliError(f"no health known for channel {args.id} (On-Premise numbers have none)")
    data = {**_health_data(state), "history": [_health_data(change) for change in changes]}
    text = "\n".join(
        [
            f"can send: {state.can_send} · quality: {state.quality_rating} · "
            f"limit: {state.messaging_limit} · display name: {state.name_status}",
            *(f"  {r.entity}: {r.description}" for r in state.reasons),
            *([f"WORSE: {', '.join(state.worsened)}"] if state.worsened else []),
        ]
    )
    emit(args, data, text)
    return 1 if state.needs_attention else 0


def cmd_channels_profile(args: argparse.Namespace) -> int:
    """Show the business profile; ``--set field=value`` (repeatable) and ``--photo FILE`` change
    it first (``websites`` takes the addresses separated by spaces)."""
    from core.channels import profile

    changes: dict[str, str] = {}
    for pair in args.set:
        field, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--set needs field=value, got {pair!r}")
        changes[field.strip()] = value
    photo = None
    if args.photo:
        path = Path(args.photo)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        photo = profile.Photo(path.read_bytes(), mime, path.name)
    with session_scope() as session:
        changed: list[str] = []
        if changes or photo:
            changed = profile.update_profile(session, CLI_ACTOR, args.id, changes, photo=photo)
        found = profile.read_profile(session, CLI_ACTOR, args.id)
    data = {**asdict(found), "websites": list(found.websites), "changed": changed}
    lines = [f"changed: {', '.join(changed)}"] if changed else []
    lines += [f"{key}: {value}" for key, value in asdict(found).items()]
    text = "\n".join(lines)
    emit(args, data, text)
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    channels = commands.add_parser("channels", parents=[common], help="360Dialog channels")
    channel_commands = channels.add_subparsers(dest="channels_command", required=True)
    connect = channel_commands.add_parser(
        "add", parents=[common], help="connect a number (checks the key, registers the webhook)"
    )
    connect.add_argument("--number", required=True, help="the WhatsApp number, +<country>...")
    key_source = connect.add_mutually_exclusive_group(required=True)
    key_source.add_argument("--api-key", help="the number's API key from the 360Dialog Hub")
    key_source.add_argument("--api-key-stdin", action="store_true", help="read the key from stdin")
    connect.add_argument("--name", default=None)
    connect.add_argument("--base-url", default=DEFAULT_BASE_URL)
    connect.add_argument("--generation", choices=["cloud", "onprem"], default="cloud")
    connect.add_argument("--public-url", default=None, help="default: PUBLIC_URL")
    connect.set_defaults(handler=cmd_channels_add)
    listing = channel_commands.add_parser("list", parents=[common], help="connected channels")
    listing.add_argument("--all", action="store_true", help="include deactivated channels")
    listing.set_defaults(handler=cmd_channels_list)
    health = channel_commands.add_parser(
        "health", parents=[common], help="the number's health as WhatsApp reports it"
    )
    health.add_argument("id", type=int, help="the channel's id (channels list)")
    health.add_argument("--recorded", action="store_true", help="do not ask WhatsApp now")
    health.add_argument("--history", type=int, default=10, help="how many past changes to show")
    health.set_defaults(handler=cmd_channels_health)
    profile = channel_commands.add_parser(
        "profile", parents=[common], help="the business profile customers see in WhatsApp"
    )
    profile.add_argument("id", type=int, help="the channel's id (channels list)")
    profile.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="about, address, description, email, websites (space-separated), vertical",
    )
    profile.add_argument("--photo", help="a JPEG or PNG file for the profile photo")
    profile.set_defaults(handler=cmd_channels_profile)
