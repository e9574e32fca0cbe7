"""``reports``: the overview's figures and template performance for a period, and rebuilding the
report rows from the stored messages."""

from __future__ import annotations

import argparse
from datetime import date

from core.access.auth import CLI_ACTOR
from core.db import get_engine, session_scope
from core.runtime.cli.output import CliError, Commands, emit


def _period(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from core.reports.periods import between

    try:
        first = date.fromisoformat(args.date_from) if args.date_from else None
        last = date.fromisoformat(args.date_to) if args.date_to else None
    except ValueError as exc:
        raise CliError(f"dates are written YYYY-MM-DD ({exc})") from None
    period = between(first, last)
    if period.end <= period.start:
        raise CliError("--from must be on or before --to")
    return period


def cmd_reports_summary(args: argparse.Namespace) -> int:
    from core.reports.summary import summary

    with session_scope() as session:
        data = summary(session, CLI_ACTOR, _period(args), args.channel)
    first, resolution = data["first_response_s"], data["resolution_s"]
    emit(
        args,
        data,
        f"{data['inbound']} in, {data['outbound']} out, {data['conversations']} conversations "
        f"opened; first response median {first['median']} s, p90 {first['p90']} s; "
        f"{data['resolved']} resolved, median {resolution['median']} s, "
        f"p90 {resolution['p90']} s; {data['waiting']} waiting now.",
    )
    return 0


def cmd_reports_templates(args: argparse.Namespace) -> int:
    from core.reports import template_performance

    with session_scope() as session:
        figures = template_performance.performance(
            session, CLI_ACTOR, _period(args), args.channel, "en"
        )
    lines = [
        f"{item.name}: {item.sent} sent, {item.delivered} delivered, {item.read} read, "
        f"{item.replied} replied, {item.clicks} clicks, {item.failed} failed"
        for item in figures
    ]
    emit(args, template_performance.as_records(figures), "\n".join(lines) or "No templates sent.")
    return 0


def cmd_reports_rebuild(args: argparse.Namespace) -> int:
    from core.reports.rebuild import rebuild

    data = rebuild(get_engine(), CLI_ACTOR)
    emit(args, data, f"Counted {data['messages']} messages; {data['waiting']} conversations wait.")
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    reports = commands.add_parser("reports", parents=[common], help="figures for managers")
    report_commands = reports.add_subparsers(dest="reports_command", required=True)
    for name, handler, text in (
        (
            "summary",
            cmd_reports_summary,
            "messages, conversations, first responses, resolutions, waiting",
        ),
        ("templates", cmd_reports_templates, "each template's sends, reads, replies, failures"),
    ):
        command = report_commands.add_parser(name, parents=[common], help=text)
        command.add_argument("--channel", type=int, help="only this channel")
        command.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (UTC)")
        command.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (UTC)")
        command.set_defaults(handler=handler)
    rebuild = report_commands.add_parser(
        "rebuild", parents=[common], help="recount the report rows from the stored messages"
    )
    rebuild.set_defaults(handler=cmd_reports_rebuild)
