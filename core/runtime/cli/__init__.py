"""``python -m core``: the operator's interface over the same core the dashboard uses.

Every command prints words for people, or JSON with ``--json``; an error is one clear line on
stderr and a non-zero exit status. Each command group is a module of its own (``users``,
``channels``, ``messages``, ``templates``, ``campaigns``, ``rates``, ``conversations``,
``canned``, ``contacts``, ``reports``, ``tokens``, ``serve`` for serve/worker/migrate) whose
``add_commands`` adds its arguments and handlers to the parser; ``acting`` says who a command
acts as (``--as USERNAME``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.config import get_settings
from core.db import get_engine, migrate
from core.errors import UserFacingError
from core.runtime.cli import (
    campaigns,
    canned,
    channels,
    contacts,
    conversations,
    messages,
    rates,
    reports,
    serve,
    templates,
    tokens,
    users,
)
from core.runtime.cli.output import CliError
from core.sandbox.cli import add_arguments as add_sandbox_arguments
from core.sandbox.cli import run as run_sandbox


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    parser = argparse.ArgumentParser(
        prog="python -m core", description="1980TIC WhatsApp", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (
        serve,
        users,
        channels,
        messages,
        conversations,
        canned,
        contacts,
        templates,
        campaigns,
        rates,
        reports,
        tokens,
    ):
        group.add_commands(commands, common)
    sandbox = commands.add_parser("sandbox", help="run the 360Dialog sandbox (its own --json)")
    add_sandbox_arguments(sandbox)
    sandbox.set_defaults(handler=run_sandbox, needs_store=False)
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
