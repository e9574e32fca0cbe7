"""``python -m core``: the operator's interface over the same core the dashboard uses.

Every command prints words for people, or JSON with ``--json``; an error is one clear line on
stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.access.auth import CLI_ACTOR
from core.config import PROJECT_DIR, get_settings
from core.d360.client import DEFAULT_BASE_URL
from core.db import get_engine, migrate, session_scope
from core.errors import UserFacingError
from core.models import Role, User
from core.sandbox.cli import add_arguments as add_sandbox_arguments
from core.sandbox.cli import run as run_sandbox
from core.templates.samples import card_sample

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)


def _user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
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


def cmd_migrate(args: argparse.Namespace) -> int:
    emit(args, {"migrated": True}, "The store is up to date.")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from core.access.users import add_user

    password, generated = _read_password(args)
    with session_scope() as session:
        user = add_user(session, CLI_ACTOR, args.username, args.role, password, name=args.name)
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
    lines = [
        f"{u['username']:<24} {u['role']:<9} {'active' if u['active'] else 'deactivated'}"
        for u in users
    ]
    emit(args, users, "\n".join(lines) or "No users yet.")
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
    from core.channels.connect import list_channels

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
    lines = [
        f"{c['id']:<4} {c['number']:<16} {c['api_key_hint']:<10} {c['name']}"
        + ("" if c["active"] else " (deactivated)")
        for c in data
    ]
    emit(args, data, "\n".join(lines) or "No channels yet.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the dashboard and the webhook routes in one process (``server.py``, an ``st.App``)."""
    env = dict(os.environ)
    if args.demo:
        env["DEMO"] = "1"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "server.py"),
        "--server.port",
        str(args.port),
        "--server.address",
        args.host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    from core.access.users import user_count

    with session_scope() as session:
        first_run = user_count(session) == 0
    print(
        f"Dashboard: http://{'localhost' if args.host in {'0.0.0.0', '127.0.0.1'} else args.host}:{args.port}"
    )
    if args.demo:
        print(f"Demo: play the customer at http://localhost:{get_settings().sandbox_port}/sandbox/")
    if first_run:
        print("No user exists yet: open the dashboard to create the first admin, or run")
        print("  python -m core users add --username YOU --role admin")
    else:
        print("Log in with your username and password (python -m core users list).")
    sys.stdout.flush()
    os.execvpe(command[0], command, env)
    return 0  # not reached: exec replaces the process


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


def _template_json(template: Any) -> dict[str, Any]:
    return {
        "id": template.id,
        "channel_id": template.channel_id,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "status": template.status,
        "rejected_reason": template.rejected_reason,
        "quality": template.quality,
        "last_change": template.remote_modified_at,
    }


def _read_template_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            body = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from exc
    if not isinstance(body, dict):
        raise CliError(f"{path} must hold one JSON object (the body 360Dialog takes)")
    return body


def cmd_templates_validate(args: argparse.Namespace) -> int:
    from core.templates.submission import TemplateInvalid, validate

    body = _read_template_file(args.file)
    with session_scope() as session:
        violations = validate(session, body)
    if violations:
        raise TemplateInvalid(violations)
    emit(args, {"valid": True}, f"{body.get('name')} follows every rule.")
    return 0


def cmd_templates_submit(args: argparse.Namespace) -> int:
    from core.templates.samples import attach_samples
    from core.templates.submission import submit_template

    body = _read_template_file(args.file)
    with session_scope() as session:
        body = attach_samples(
            session,
            CLI_ACTOR,
            args.channel,
            body,
            header=args.header_sample,
            cards=dict(args.card_sample),
        )
        data = _template_json(submit_template(session, CLI_ACTOR, args.channel, body))
    emit(args, data, f"Submitted {data['name']} ({data['language']}): {data['status']}.")
    return 0


def cmd_templates_sync(args: argparse.Namespace) -> int:
    from core.templates.library import sync_templates

    with session_scope() as session:
        result = sync_templates(session, CLI_ACTOR, args.channel)
    data = {
        "fetched": result.fetched,
        "created": result.created,
        "changed": result.changed,
        "gone": result.gone,
    }
    emit(
        args,
        data,
        f"{result.fetched} templates: {result.created} new, {result.changed} changed, {result.gone} gone.",
    )
    return 0


def cmd_templates_list(args: argparse.Namespace) -> int:
    from core.templates.library import TemplateFilter, list_templates

    rows: list[dict[str, Any]] = []
    page = 1
    with session_scope() as session:
        while True:
            found = list_templates(
                session,
                CLI_ACTOR,
                TemplateFilter(channel_id=args.channel),
                sort="name",
                page=page,
                page_size=500,
            )
            rows += [_template_json(t) for t in found.items]
            if not found.has_next:
                break
            page += 1
    lines = [f"{r['name']:<40} {r['language']:<6} {r['status']:<10} {r['category']}" for r in rows]
    emit(args, rows, "\n".join(lines) or "No templates yet (templates sync --channel ID).")
    return 0


def cmd_templates_send(args: argparse.Namespace) -> int:
    import mimetypes
    from pathlib import Path

    from core.templates.sending import send_template_to_number, upload_header_media
    from core.templates.values import TemplateValues

    buttons = {index: value for index, value in (_button_param(b) for b in args.button_param)}
    with session_scope() as session:
        header_media = None
        if args.header_media:
            path = Path(args.header_media)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            header_media = upload_header_media(
                session, CLI_ACTOR, args.channel, path.read_bytes(), path.name, mime
            )
        values = TemplateValues(
            header=args.header_param, body=args.param, buttons=buttons, header_media=header_media
        )
        message = send_template_to_number(
            session, CLI_ACTOR, args.channel, args.to, args.template, args.language, values
        )
        data = {"message_id": message.id, "status": message.status.value, "text": message.text}
    emit(args, data, f"Queued: {data['text']}")
    return 0


def _button_param(raw: str) -> tuple[int, str]:
    index, separator, value = raw.partition("=")
    if not separator or not index.isdigit():
        raise CliError(f"--button-param takes INDEX=VALUE, not {raw!r}")
    return int(index), value


def _mapping(args: argparse.Namespace) -> Any:
    """``--map body.1=column:nombre`` / ``--map header.1=value:Rebajas`` / ``--map button.0=...``."""
    from core.campaigns.runner import Mapping, Source

    parts: dict[str, dict[int, Source]] = {"header": {}, "body": {}, "button": {}}
    for raw in args.map:
        target, _, source = raw.partition("=")
        part, _, position = target.partition(".")
        kind, _, value = source.partition(":")
        if part not in parts or not position.isdigit() or kind not in {"column", "value"}:
            raise CliError(f"--map takes PART.N=column:NAME or PART.N=value:TEXT, not {raw!r}")
        parts[part][int(position)] = Source(**{kind: value})
    return Mapping(
        number_column=args.number_column,
        name_column=args.name_column,
        header=[parts["header"][i] for i in sorted(parts["header"])],
        body=[parts["body"][i] for i in sorted(parts["body"])],
        buttons=parts["button"],
        default_region=args.region,
    )


def _campaign_status(session: Any, campaign: Any) -> dict[str, Any]:
    from dataclasses import asdict

    from core.campaigns.runner import counts

    return {
        "id": campaign.id,
        "name": campaign.name,
        "state": campaign.state,
        **asdict(counts(session, CLI_ACTOR, campaign.id)),
    }


def cmd_campaigns_create(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path

    from core.campaigns import runner as campaigns

    path = Path(args.audience)
    audience = campaigns.read_audience(path.read_bytes(), path.name)
    mapping = _mapping(args)
    start_at = datetime.fromisoformat(args.start_at) if args.start_at else None
    with session_scope() as session:
        planned = campaigns.plan(session, CLI_ACTOR, args.template, audience, mapping)
        campaign = campaigns.create(
            session,
            CLI_ACTOR,
            name=args.name,
            workspace_template_id=args.template,
            planned=planned,
            mapping=mapping,
        )
        if start_at is not None:
            campaigns.start(session, CLI_ACTOR, campaign.id, start_at=start_at)
        data = {
            "id": campaign.id,
            "name": campaign.name,
            "state": campaign.state,
            "recipients": len(planned.sendable),
            "skipped": planned.skipped_by_reason(),
        }
    emit(
        args,
        data,
        f"Campaign {data['id']} ({data['name']}): {data['recipients']} recipients, skipped {data['skipped'] or 'none'}.",
    )
    return 0


def cmd_campaigns_action(args: argparse.Namespace) -> int:
    from core.campaigns import runner as campaigns

    with session_scope() as session:
        if args.action != "status":
            getattr(campaigns, args.action)(session, CLI_ACTOR, args.campaign)
        from core.models import Campaign

        data = _campaign_status(session, session.get(Campaign, args.campaign))
    emit(
        args,
        data,
        f"{data['name']}: {data['state']}, {data['sent']} sent of {data['total']}, {data['failed']} failed.",
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from core.runtime.background import run_worker

    print(
        f"Worker running (webhooks, sending, media, campaigns, template sync) on {get_settings().database_url.split('@')[-1]}."
    )
    sys.stdout.flush()
    # What is loaded now lives as long as the worker: the garbage collector need not walk it at
    # every full collection, which a sender at 1,000/s triggers every couple of seconds.
    gc.freeze()
    run_worker()
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    return run_sandbox(args)


def _add_password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    group.add_argument(
        "--generate-password", action="store_true", help="generate one and print it once"
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    parser = argparse.ArgumentParser(
        prog="python -m core", description="1980TIC WhatsApp", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", parents=[common], help="run the dashboard and webhooks")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--demo", action="store_true", help="run against the built-in sandbox")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser(
        "worker", parents=[common], help="background work only (scale-out)"
    ).set_defaults(handler=cmd_worker)
    commands.add_parser("migrate", parents=[common], help="upgrade the store").set_defaults(
        handler=cmd_migrate
    )

    users = commands.add_parser("users", parents=[common], help="manage team members")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", parents=[common], help="add a user")
    add.add_argument("--username", required=True)
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

    messages = commands.add_parser("messages", parents=[common], help="stored messages")
    message_commands = messages.add_subparsers(dest="messages_command", required=True)
    exporter = message_commands.add_parser("export", help="one record per message")
    exporter.add_argument("--channel", type=int, help="only this channel's messages")
    exporter.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    exporter.add_argument("--output", default="-", help="file to write (default: stdout)")
    exporter.set_defaults(handler=cmd_messages_export)

    tmpl = commands.add_parser("templates", parents=[common], help="message templates")
    tmpl_commands = tmpl.add_subparsers(dest="templates_command", required=True)
    validate_cmd = tmpl_commands.add_parser(
        "validate", parents=[common], help="check a template file"
    )
    validate_cmd.add_argument("file", help="JSON: the body 360Dialog takes")
    validate_cmd.set_defaults(handler=cmd_templates_validate)
    submit_cmd = tmpl_commands.add_parser("submit", parents=[common], help="submit for approval")
    submit_cmd.add_argument("--channel", type=int, required=True)
    submit_cmd.add_argument("file", help="JSON: the body 360Dialog takes")
    submit_cmd.add_argument(
        "--header-sample", type=Path, metavar="FILE", help="sample file of the media header"
    )
    submit_cmd.add_argument(
        "--card-sample",
        type=card_sample,
        action="append",
        default=[],
        metavar="N=FILE",
        help="sample file of carousel card N's header (cards from 0)",
    )
    submit_cmd.set_defaults(handler=cmd_templates_submit)
    sync_cmd = tmpl_commands.add_parser("sync", parents=[common], help="read 360Dialog's list")
    sync_cmd.add_argument("--channel", type=int, required=True)
    sync_cmd.set_defaults(handler=cmd_templates_sync)
    list_cmd = tmpl_commands.add_parser("list", parents=[common], help="templates as synced")
    list_cmd.add_argument("--channel", type=int)
    list_cmd.set_defaults(handler=cmd_templates_list)
    send_cmd = tmpl_commands.add_parser("send", parents=[common], help="send an approved template")
    send_cmd.add_argument("--channel", type=int, required=True)
    send_cmd.add_argument("--to", required=True, help="the customer's number")
    send_cmd.add_argument("--template", required=True)
    send_cmd.add_argument("--language", required=True)
    send_cmd.add_argument("--param", action="append", default=[], help="body variable, in order")
    send_cmd.add_argument("--header-param", action="append", default=[], help="header variable")
    send_cmd.add_argument("--button-param", action="append", default=[], help="INDEX=VALUE")
    send_cmd.add_argument("--header-media", help="file for a media header")
    send_cmd.set_defaults(handler=cmd_templates_send)

    camp = commands.add_parser("campaigns", parents=[common], help="bulk template sends")
    camp_commands = camp.add_subparsers(dest="campaigns_command", required=True)
    create_cmd = camp_commands.add_parser("create", parents=[common], help="plan a campaign")
    create_cmd.add_argument("--name", required=True)
    create_cmd.add_argument("--template", type=int, required=True, help="workspace template id")
    create_cmd.add_argument("--audience", required=True, help="CSV or XLSX file")
    create_cmd.add_argument("--number-column", required=True)
    create_cmd.add_argument("--name-column")
    create_cmd.add_argument("--region", help="country for numbers without +, e.g. ES")
    create_cmd.add_argument("--map", action="append", default=[], help="body.1=column:NAME ...")
    create_cmd.add_argument("--start-at", help="ISO time; omit to start later with 'start'")
    create_cmd.set_defaults(handler=cmd_campaigns_create)
    for action in ("start", "pause", "resume", "cancel", "status"):
        action_cmd = camp_commands.add_parser(action, parents=[common])
        action_cmd.add_argument("campaign", type=int)
        action_cmd.set_defaults(handler=cmd_campaigns_action, action=action)

    sandbox = commands.add_parser("sandbox", help="run the 360Dialog sandbox (its own --json)")
    add_sandbox_arguments(sandbox)
    sandbox.set_defaults(handler=cmd_sandbox, needs_store=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    get_settings()
    try:
        if getattr(args, "needs_store", True):
            migrate()  # a fresh data/ works at once, and an upgraded install is brought up to date
        return args.handler(args)
    except UserFacingError as exc:
        print("error: " + exc.message("en").replace("\n", "; "), file=sys.stderr)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001  (one clear line, not a traceback, for operators)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    get_engine().dispose()
    return 1
