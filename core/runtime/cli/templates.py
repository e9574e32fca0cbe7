"""``templates``: checking, submitting, syncing, listing and sending message templates."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.runtime.cli.output import CliError, Commands, emit, emit_rows
from core.templates.samples import card_sample


def _template_json(template: Any) -> dict[str, Any]:
    from core.templates.library import template_record

    return {
        **template_record(template),
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
    emit_rows(
        args,
        rows,
        lambda r: f"{r['name']:<40} {r['language']:<6} {r['status']:<10} {r['category']}",
        "No templates yet (templates sync --channel ID).",
    )
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


def cmd_templates_workspace_add(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from core.models import RemoteTemplate
    from core.templates.workspace import add_to_workspace, workspace_prefill

    with session_scope() as session:
        remote = session.exec(
            select(RemoteTemplate).where(
                RemoteTemplate.channel_id == args.channel,
                RemoteTemplate.name == args.template,
                RemoteTemplate.language == args.language,
            )
        ).first()
        if remote is None:
            raise CliError(
                f"no synced template {args.template} ({args.language}) on channel {args.channel}:"
                " run 'templates sync' first"
            )
        workspace = add_to_workspace(session, CLI_ACTOR, args.channel, **workspace_prefill(remote))
        data = {
            "id": workspace.id,
            "channel_id": workspace.channel_id,
            "name": workspace.name,
            "language": workspace.language,
            "category": workspace.category,
        }
    emit(args, data, f"Workspace template {data['id']}: {data['name']} ({data['language']}).")
    return 0


def _button_param(raw: str) -> tuple[int, str]:
    index, separator, value = raw.partition("=")
    if not separator or not index.isdigit():
        raise CliError(f"--button-param takes INDEX=VALUE, not {raw!r}")
    return int(index), value


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
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
    workspace_cmd = tmpl_commands.add_parser(
        "workspace", parents=[common], help="the channel's campaign-ready templates"
    )
    workspace_commands = workspace_cmd.add_subparsers(dest="workspace_command", required=True)
    add_cmd = workspace_commands.add_parser(
        "add", parents=[common], help="add an approved template (its id is what campaigns take)"
    )
    add_cmd.add_argument("--channel", type=int, required=True)
    add_cmd.add_argument("--template", required=True, help="the template's name")
    add_cmd.add_argument("--language", required=True)
    add_cmd.set_defaults(handler=cmd_templates_workspace_add)
