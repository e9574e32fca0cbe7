"""``serve``, ``worker`` and ``migrate``: running the product itself."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from core.config import get_settings
from core.db import session_scope
from core.runtime.cli.output import Commands, emit


def cmd_migrate(args: argparse.Namespace) -> int:
    emit(args, {"migrated": True}, "The store is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The front on the public port; it starts the dashboard and the worker (``core.runtime.front``)."""
    if args.demo:
        os.environ["DEMO"] = "1"  # for this process's settings and every child's
        get_settings.cache_clear()
    from core.access.users import user_count
    from core.runtime.front.server import run

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
    run(args.host, args.port)
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


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
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
