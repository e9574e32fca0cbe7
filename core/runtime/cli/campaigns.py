"""``campaigns``: planning a campaign from an audience file, and starting, pausing, resuming,
cancelling or reading one."""

from __future__ import annotations

import argparse
from typing import Any

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.runtime.cli.output import CliError, Commands, emit


def _mapping(args: argparse.Namespace) -> Any:
    """``--map body.1=column:nombre`` / ``--map header.1=value:Rebajas`` / ``--map button.0=...``."""
    from core.campaigns.audience import Mapping, Source

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


def _window(text: str | None) -> tuple[str, str] | None:
    """``--window 09:00-20:00``: from and until in each recipient's local time."""
    if not text:
        return None
    start, separator, end = text.partition("-")
    if not separator:
        raise CliError(f"--window takes FROM-UNTIL, like 09:00-20:00, not {text!r}")
    return start, end


def _campaign_status(session: Any, campaign: Any) -> dict[str, Any]:
    from dataclasses import asdict

    from core.campaigns.report import counts

    return {
        "id": campaign.id,
        "name": campaign.name,
        "state": campaign.state,
        **asdict(counts(session, CLI_ACTOR, campaign.id)),
    }


def cmd_campaigns_create(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path

    from core.campaigns import audience, retries, runner

    path = Path(args.audience)
    people = audience.read_audience(path.read_bytes(), path.name)
    mapping = _mapping(args)
    start_at = datetime.fromisoformat(args.start_at) if args.start_at else None
    with session_scope() as session:
        planned = audience.plan(session, CLI_ACTOR, args.template, people, mapping)
        campaign = runner.create(
            session,
            CLI_ACTOR,
            name=args.name,
            workspace_template_id=args.template,
            planned=planned,
            mapping=mapping,
            retry_delays=None
            if args.retry_hours is None
            else retries.parse_hours(args.retry_hours),
            window=_window(args.window),
        )
        if start_at is not None:
            runner.start(session, CLI_ACTOR, campaign.id, start_at=start_at)
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


def cmd_campaigns_estimate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from core.campaigns import audience
    from core.campaigns.estimate import estimate

    path = Path(args.audience)
    people = audience.read_audience(path.read_bytes(), path.name)
    with session_scope() as session:
        found = estimate(session, CLI_ACTOR, args.template, people, _mapping(args))
        data = found.to_json()
    cost = data["cost"]
    unpriced = f"; no price for {', '.join(cost['unpriced_markets'])}" if found.unpriced else ""
    emit(
        args,
        data,
        f"{data['reachable']} of {data['recipients']} reachable; "
        f"cost {cost['total']} {cost['currency']}{unpriced} "
        f"(rate card of {data['rate_card']['effective_date']}).",
    )
    return 0


def cmd_campaigns_action(args: argparse.Namespace) -> int:
    from core.campaigns import runner

    with session_scope() as session:
        if args.action != "status":
            getattr(runner, args.action)(session, CLI_ACTOR, args.campaign)
        from core.models import Campaign

        data = _campaign_status(session, session.get(Campaign, args.campaign))
    emit(
        args,
        data,
        f"{data['name']}: {data['state']}, {data['sent']} sent of {data['total']}, {data['failed']} failed.",
    )
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
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
    create_cmd.add_argument("--window", help="send only FROM-UNTIL local time, e.g. 09:00-20:00")
    create_cmd.add_argument(
        "--retry-hours", help="after a 131049, try again after these hours, e.g. 24,48"
    )
    create_cmd.set_defaults(handler=cmd_campaigns_create)
    estimate_cmd = camp_commands.add_parser(
        "estimate", parents=[common], help="reach and cost before sending"
    )
    estimate_cmd.add_argument("--template", type=int, required=True, help="workspace template id")
    estimate_cmd.add_argument("--audience", required=True, help="CSV or XLSX file")
    estimate_cmd.add_argument("--number-column", required=True)
    estimate_cmd.add_argument("--name-column")
    estimate_cmd.add_argument("--region", help="country for numbers without +, e.g. ES")
    estimate_cmd.add_argument("--map", action="append", default=[], help="body.1=column:NAME ...")
    estimate_cmd.set_defaults(handler=cmd_campaigns_estimate)
    for action in ("start", "pause", "resume", "cancel", "status"):
        action_cmd = camp_commands.add_parser(action, parents=[common])
        action_cmd.add_argument("campaign", type=int)
        action_cmd.set_defaults(handler=cmd_campaigns_action, action=action)
