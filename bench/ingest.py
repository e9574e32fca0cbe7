"""``ingest``: webhook bodies (messages and statuses mixed) posted for 60 s to the running server.

Figures per store: accepted_per_s, p50_ms, p99_ms, ratio_to_bare (our route's throughput against a
bare route of the same server that answers 200 without storing, measured in the same run), and
drain_s (from the end of the load until every accepted body is processed).
"""

from __future__ import annotations

import sys
import time

from bench.load import OUR_SENT_MESSAGES, wrk
from bench.results import record
from bench.server import (
    fresh_store,
    in_store,
    prepare_channel,
    start_server,
    stop_server,
    unprocessed,
)

LOAD_SECONDS = 60
BARE_SECONDS = 15


def run(kind: str, seconds: int = LOAD_SECONDS) -> dict[str, float]:
    with fresh_store(kind) as store:
        channel_id = prepare_channel(store)
        in_store(store, OUR_SENT_MESSAGES)
        server = start_server(store)
        try:
            bare = wrk(f"{server.url}/bench/bare", BARE_SECONDS)
            load = wrk(f"{server.url}/webhooks/360dialog/{channel_id}", seconds)
            ended = time.monotonic()
            while unprocessed(store.database_url) > 0 and time.monotonic() - ended < 600:
                time.sleep(0.25)
            drain = time.monotonic() - ended
        finally:
            stop_server(server)
    return {
        "accepted_per_s": round(load.per_second, 1),
        "p50_ms": round(load.p50_ms, 2),
        "p99_ms": round(load.p99_ms, 2),
        "ratio_to_bare": round(load.per_second / bare.per_second, 3),
        "bare_per_s": round(bare.per_second, 1),
        "rejected": load.non2xx,
        "socket_errors": load.socket_errors,
        "drain_s": round(drain, 2),
    }


def main(argv: list[str]) -> None:
    seconds = int(argv[0]) if argv else LOAD_SECONDS
    kinds = [arg for arg in argv[1:]] or ["sqlite", "postgres"]
    for kind in kinds:
        record(f"ingest_{kind}", run(kind, seconds))


if __name__ == "__main__":
    main(sys.argv[1:])
