"""``rates``: the rate card campaign estimates price with; showing it and importing Meta's CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.runtime.cli.output import Commands, emit


def cmd_rates_show(args: argparse.Namespace) -> int:
    from core.campaigns import rates

    with session_scope() as session:
        card = rates.show(session, CLI_ACTOR)
    data = card.to_json()
    lines = [f"{card.currency}, effective {card.effective_date}, from {card.source}"]
    lines += [
        f"  {market}: " + ", ".join(f"{c} {r}" for c, r in by_category.items())
        for market, by_category in data["rates"].items()
    ]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_rates_import(args: argparse.Namespace) -> int:
    from core.campaigns import rates

    card = rates.parse_card(
        Path(args.file).read_text(encoding="utf-8-sig"),
        effective_date=args.effective_date,
        source=args.source,
        currency=args.currency,
    )
    with session_scope() as session:
        unmapped = rates.import_card(session, CLI_ACTOR, card)
    data = {
        "currency": card.currency,
        "effective_date": card.effective_date,
        "source": card.source,
        "markets": len(card.rates),
        "unmapped_markets": unmapped,
    }
    note = f" Markets no number maps to: {', '.join(unmapped)}." if unmapped else ""
    emit(
        args,
        data,
        f"Imported {len(card.rates)} markets ({card.currency}, effective {card.effective_date}).{note}",
    )
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("rates", parents=[common], help="Meta's per-message rate card")
    rates_commands = group.add_subparsers(dest="rates_command", required=True)
    show_cmd = rates_commands.add_parser("show", parents=[common], help="the card in use")
    show_cmd.set_defaults(handler=cmd_rates_show)
    import_cmd = rates_commands.add_parser("import", parents=[common], help="Meta's newer CSV")
    import_cmd.add_argument("file", help="Meta's rate card as CSV")
    import_cmd.add_argument("--effective-date", help="e.g. 2026-10-01, when the file has none")
    import_cmd.add_argument("--source", help="where the file comes from (Meta's page)")
    import_cmd.add_argument("--currency", help="e.g. USD, when the file has no currency column")
    import_cmd.set_defaults(handler=cmd_rates_import)
