"""``api``: the API's send endpoint at a paced 500 requests a second, against ``/healthz``.

One ``python -m core serve`` (front, dashboard and worker children) on a fresh store with one
channel, ``CONVERSATIONS`` customers who wrote within the day (their window is open) and one
token. In the same run a paced client (``bench.paced_http.paced_requests``: kept-alive connections,
each answer timed from when it was due) asks, one after the other, ``POST /bench/bare`` (the
front answering without any work: what HTTP alone costs here), ``GET /healthz`` (the front's own
route, which asks the store and the dashboard: the baseline) and ``POST /api/v1/messages`` (a text to one of the customers, each through
token check, rate limit, the window rule and the outbox: a message, its job and the thread in
one transaction) at ``RATE`` a second for ``LOAD_SECONDS``.

Figures: p50_ms, p99_ms, answered_per_s and non_200 (answers other than the expected one) of
each, send_to_health_p50/p99 and send_to_bare_p50/p99 (below 1: faster than the baseline), and
whether the send met the target (500/s answered, none refused, p99 ≤ 100 ms).
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

import uvloop

from bench.paced_http import paced_requests
from bench.results import record
from bench.server import fresh_store, in_store, prepare_channel, start_server, stop_server

RATE = 500
LOAD_SECONDS = 15
CONVERSATIONS = 1000
TARGET_P99_MS = 100.0

CUSTOMERS_AND_TOKEN = """
from core.access.auth import CLI_ACTOR
from core.api.tokens import create_token
from core.db import session_scope
from core.models import Contact, Conversation, utcnow
with session_scope() as s:
    now = utcnow()
    for number in range({count}):
        contact = Contact(channel_id={channel}, wa_id=f"3461100{{number:04d}}", last_inbound_at=now)
        s.add(contact); s.flush()
        s.add(Conversation(channel_id={channel}, contact_id=contact.id, last_inbound_at=now))
    print(create_token(s, CLI_ACTOR, "bench", "send,read")[1])
"""


def request(host: str, method: str, path: str, token: str, body: bytes = b"") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def sends(host: str, channel_id: int, token: str, count: int) -> list[bytes]:
    return [
        request(
            host,
            "POST",
            "/api/v1/messages",
            token,
            json.dumps(
                {
                    "channel_id": channel_id,
                    "to": f"+3461100{number % CONVERSATIONS:04d}",
                    "text": f"Tu pedido {number} sale hoy.",
                }
            ).encode(),
        )
        for number in range(count)
    ]


def figures_of(
    bare: dict[str, float], health: dict[str, float], send: dict[str, float]
) -> dict[str, Any]:
    figures: dict[str, Any] = {f"bare_{key}": value for key, value in bare.items()}
    figures |= {f"health_{key}": value for key, value in health.items()}
    figures |= {f"send_{key}": value for key, value in send.items()}
    for name, baseline in (("health", health), ("bare", bare)):
        figures[f"send_to_{name}_p50"] = round(send["p50_ms"] / baseline["p50_ms"], 3)
        figures[f"send_to_{name}_p99"] = round(send["p99_ms"] / baseline["p99_ms"], 3)
    figures["send_meets_target"] = (
        send["answered_per_s"] >= RATE * 0.98
        and send["p99_ms"] <= TARGET_P99_MS
        and send["non_200"] == 0
    )
    return figures


def paced(url: str, requests: list[bytes], expected: bytes = b"200") -> dict[str, float]:
    return uvloop.run(paced_requests(url, requests, RATE, expected)).figures()


def main(argv: list[str]) -> None:
    seconds = int(argv[0]) if argv else LOAD_SECONDS
    kind = argv[1] if len(argv) > 1 else "sqlite"
    count = RATE * seconds
    with fresh_store(kind) as store:
        channel_id = prepare_channel(store)
        token = in_store(store, CUSTOMERS_AND_TOKEN.format(count=CONVERSATIONS, channel=channel_id))
        server = start_server(store, extra_env={"API_RATE_LIMIT": str(RATE * 10)})
        try:
            host = urlsplit(server.url).netloc
            bare = paced(server.url, [request(host, "POST", "/bench/bare", token)] * count)
            health = paced(server.url, [request(host, "GET", "/healthz", token)] * count)
            send = paced(server.url, sends(host, channel_id, token, count), b"202")
            record(f"api_{kind}", figures_of(bare, health, send))
        finally:
            stop_server(server)


if __name__ == "__main__":
    main(sys.argv[1:])
