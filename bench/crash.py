"""``crash``: webhook load while the server is killed (SIGKILL) and restarted twice.

Figures: acked (bodies answered 200), processed_once (acked messages stored exactly once),
lost (acked but never stored) and duplicated (stored more than once). Target: 0 lost, 0 duplicated.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx
from sqlalchemy import create_engine, text

from bench.load import INBOUND
from bench.results import record
from bench.server import (
    WEBHOOK_SECRET,
    fresh_store,
    prepare_channel,
    start_server,
    stop_server,
    unprocessed,
)

SECONDS = 24
KILL_AT = (8, 16)
CONCURRENCY = 32


def body(number: int) -> bytes:
    raw = json.dumps(INBOUND).replace("__T__", "crash").replace("__N__", str(number))
    return raw.replace("__C__", f"{number % 5000:05d}").encode()


async def load(url: str, seconds: float, acked: set[int]) -> None:
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds

    async def sender(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            number = next(counter)
            try:
                answer = await client.post(url, content=body(number))
            except httpx.HTTPError:
                await asyncio.sleep(0.05)  # the server is down: this body was never acked
                continue
            if answer.status_code == 200:
                acked.add(number)

    async with httpx.AsyncClient(
        headers={"X-Webhook-Secret": WEBHOOK_SECRET, "Content-Type": "application/json"}, timeout=10
    ) as client:
        await asyncio.gather(*(sender(client) for _ in range(CONCURRENCY)))


def run(kind: str) -> dict[str, int]:
    with fresh_store(kind) as store:
        channel_id = prepare_channel(store)
        server = start_server(store)
        url = f"{server.url}/webhooks/360dialog/{channel_id}"
        acked: set[int] = set()

        def killer() -> None:
            nonlocal server
            started = time.monotonic()
            for at in KILL_AT:
                time.sleep(max(0.0, at - (time.monotonic() - started)))
                stop_server(server, hard=True)
                server = start_server(store, port=server.port)

        async def main() -> None:
            await asyncio.gather(load(url, SECONDS, acked), asyncio.to_thread(killer))

        asyncio.run(main())
        deadline = time.monotonic() + 300
        while unprocessed(store.database_url) > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        engine = create_engine(store.database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT wa_message_id, count(*) FROM messages WHERE direction = 'in' GROUP BY wa_message_id"
                )
            ).all()
        engine.dispose()
        stop_server(server)
    stored = {int(wa_id.rsplit(".", 1)[1]): count for wa_id, count in rows}
    return {
        "acked": len(acked),
        "processed_once": sum(1 for number in acked if stored.get(number) == 1),
        "lost": sum(1 for number in acked if number not in stored),
        "duplicated": sum(1 for count in stored.values() if count > 1),
        "stored_not_acked": len(set(stored) - acked),
    }


def main(argv: list[str]) -> None:
    for kind in argv or ["sqlite", "postgres"]:
        record(f"crash_{kind}", run(kind))


if __name__ == "__main__":
    main(sys.argv[1:])
