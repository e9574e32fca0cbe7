"""``python -m core sandbox``: run a local 360Dialog until interrupted.

Accounts are given as ``--api-key KEY --number E164`` pairs, each optionally followed by
``--generation cloud|onprem``; a ``--generation`` before the first ``--api-key`` sets the default
for all of them. Without any, two demo numbers are created (one per generation). Every number
starts with Meta's approved ``hello_world`` template.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from typing import Any

from core.sandbox.engine import HELLO_WORLD, REVIEW_POLICIES, SandboxConfig
from core.sandbox.runner import SandboxServer
from core.sandbox.state import GENERATIONS, Account

DEMO_ACCOUNTS = [
    {"api_key": "sandbox-cloud-key", "number": "+34600000001", "generation": "cloud"},
    {"api_key": "sandbox-onprem-key", "number": "+34600000002", "generation": "onprem"},
]


class _AccountOption(argparse.Action):
    """Records --api-key/--number/--generation in command-line order, so they pair up."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        tokens = list(getattr(namespace, "account_options", None) or [])
        tokens.append((self.dest, values))
        namespace.account_options = tokens


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8790, help="port (default 8790, 0 = any)")
    parser.add_argument(
        "--api-key", dest="api_key", action=_AccountOption, help="starts an account"
    )
    parser.add_argument("--number", dest="number", action=_AccountOption, help="its E.164 number")
    parser.add_argument(
        "--generation",
        dest="generation",
        action=_AccountOption,
        choices=GENERATIONS,
        help="cloud (default) or onprem; per account after --api-key, else for all",
    )
    parser.add_argument("--throughput", type=float, help="messages per second per number (80)")
    parser.add_argument("--review-delay", type=float, default=5.0, help="template review seconds")
    parser.add_argument("--review-policy", choices=REVIEW_POLICIES, default="rules")
    parser.add_argument(
        "--webhook-retry-base", type=float, default=1.0, help="first retry delay in seconds"
    )
    parser.add_argument(
        "--strict-webhook-urls",
        action="store_true",
        help="apply 360Dialog's webhook URL rules (https, no port, no _ in host)",
    )
    parser.add_argument(
        "--chatter", type=float, metavar="SECONDS", help="simulated customers write every N s"
    )
    parser.add_argument("--json", action="store_true", help="print the start line as JSON")
    parser.set_defaults(account_options=[])


def accounts_from(options: list[tuple[str, str]], throughput: float | None) -> list[Account]:
    """Pair the recorded options into accounts; raises ValueError when they do not pair up."""
    default_generation = "cloud"
    specs: list[dict[str, Any]] = []
    for key, value in options:
        if key == "api_key":
            specs.append({"api_key": value})
        elif not specs:
            if key != "generation":
                raise ValueError(f"--{key} must follow an --api-key")
            default_generation = value
        elif key in specs[-1]:
            raise ValueError(f"--{key} given twice for api key {specs[-1]['api_key']}")
        else:
            specs[-1][key] = value
    for spec in specs:
        if "number" not in spec:
            raise ValueError(f"api key {spec['api_key']} needs a --number")
        spec.setdefault("generation", default_generation)
    if not specs:
        specs = [dict(spec) for spec in DEMO_ACCOUNTS]
    extra: dict[str, Any] = {"sample_templates": [HELLO_WORLD]}
    if throughput is not None:
        extra["throughput_mps"] = throughput
    return [Account(**spec, **extra) for spec in specs]


def run(args: argparse.Namespace) -> int:
    try:
        accounts = accounts_from(args.account_options, args.throughput)
    except ValueError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    config = SandboxConfig(
        accounts=accounts,
        strict_webhook_urls=args.strict_webhook_urls,
        review_policy=args.review_policy,
        review_delay=args.review_delay,
        webhook_retry_base=args.webhook_retry_base,
        chatter_seconds=args.chatter,
    )
    server = SandboxServer(config, host=args.host, port=args.port)
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    # What exists now (modules, the app) lives as long as the process: the garbage collector
    # need not walk it again at every full collection, which a busy sandbox triggers often.
    gc.freeze()
    info = {
        "url": server.base_url,
        "customer_page": server.page_url,
        "accounts": [a.public() for a in server.sandbox.state.accounts()],
    }
    if args.json:
        print(json.dumps(info), flush=True)
    else:
        print(f"360Dialog sandbox on {server.base_url}", flush=True)
        print(f"Customer page: {server.page_url}", flush=True)
        for account in info["accounts"]:
            print(
                f"  {account['number']} ({account['generation']}) "
                f"D360-API-KEY: {account['api_key']}",
                flush=True,
            )
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()
    return 0
