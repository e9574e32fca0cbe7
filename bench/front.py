"""``front``: webhook answer times while the dashboard is busy, front process against one process.

Both layouts run in the same run on the same kind of store, one after the other:

- ``single``: ``streamlit run server.py`` alone, the dashboard and the webhook intake sharing one
  process (and so one interpreter lock);
- ``front``: ``python -m core serve``, the intake in the front process, the dashboard its child.

Meanwhile a separate load process keeps the dashboard busy the way open tabs do: ``IDLE_TABS``
logged-in sessions that only run their session check every few seconds, and ``ACTIVE_TABS``
sessions that ask for a full rerun of the home page as soon as the previous one finished. A paced
client sends webhook bodies (messages and statuses mixed, as ``bench.load``) at ``RATE`` per second
on kept-alive connections and times each answer from the moment it was due, so a stalled server
is not hidden by a client that waits before sending more.

Figures per layout: p50_ms, p99_ms, answered_per_s, non_200, reruns_per_s (how busy the dashboard
was kept); then front_to_single_p50 and front_to_single_p99 (front ÷ single: below 1 is better),
and whether the front met the target (p50 ≤ 25 ms, p99 ≤ 250 ms).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import uvloop

from bench.load import INBOUND, OUR_SENT_MESSAGES, OUTBOUND_IDS, STATUS
from bench.results import record
from bench.server import (
    WEBHOOK_SECRET,
    fresh_store,
    in_store,
    prepare_channel,
    serve_command,
    single_process_command,
    start_server,
    stop_server,
)

RATE = 1000
LOAD_SECONDS = 30
IDLE_TABS = 100
ACTIVE_TABS = 20
WARM_UP_SECONDS = 8.0
CONNECTIONS = 256
TARGET_P50_MS = 25.0
TARGET_P99_MS = 250.0
SESSION_COOKIE = "whatsapp_1980tic_session"

LOGGED_IN_TOKEN = """
from core.access import sessions, users
from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.models import Role
with session_scope() as s:
    users.add_user(s, CLI_ACTOR, "bench", Role.ADMIN, "bench-password-long-enough")
with session_scope() as s:
    ticket = sessions.start(s, "bench", "bench", binding="bench")
with session_scope() as s:
    print(sessions.exchange(s, ticket, "bench").token)
"""


def bodies(count: int) -> list[bytes]:
    """Webhook bodies as ``bench.load``'s wrk script makes them: one message in four, the rest
    statuses of messages the store holds."""
    inbound, status = json.dumps(INBOUND), json.dumps(STATUS)
    states = ("sent", "delivered", "read")
    made = []
    for number in range(1, count + 1):
        if number % 4 == 0:
            body = (
                inbound.replace("__T__", "p")
                .replace("__N__", str(number))
                .replace("__C__", f"{number % 5000:05d}")
            )
        else:
            body = status.replace("__O__", str(number % OUTBOUND_IDS)).replace(
                "__S__", states[number % 3]
            )
        made.append(body.encode())
    return made


def request_bytes(host: str, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-Webhook-Secret: {WEBHOOK_SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@dataclass(frozen=True)
class Paced:
    latencies_ms: list[float]
    non_200: int
    seconds: float

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.latencies_ms)
        return {
            "p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
            "answered_per_s": round(len(ordered) / self.seconds, 1),
            "non_200": self.non_200,
        }


async def paced_webhooks(url: str, rate: int, seconds: float) -> Paced:
    """Send ``rate`` webhook bodies a second for ``seconds`` (see :func:`paced_requests`)."""
    split = urlsplit(url)
    requests = [request_bytes(split.netloc, split.path, body) for body in bodies(rate * seconds)]
    return await paced_requests(url, requests, rate)


async def paced_requests(
    url: str, requests: list[bytes], rate: int, expected: bytes = b"200"
) -> Paced:
    """Send raw HTTP ``requests`` at ``rate`` a second on kept-alive connections; each one's
    answer time counts from when it was due (a request waiting for a free connection is late,
    and that is counted), and an answer other than ``expected`` is counted."""
    split = urlsplit(url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    loop = asyncio.get_running_loop()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        pool.put_nowait(await asyncio.open_connection(host, port))
    latencies: list[float] = []
    failures = 0

    async def send(request: bytes, due: float) -> None:
        nonlocal failures
        reader, writer = await pool.get()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - due) * 1000)
        failures += head[9:12] != expected
        pool.put_nowait((reader, writer))

    # perf_counter, not the loop's clock: uvloop's counts whole milliseconds
    start = time.perf_counter() + 0.2
    tasks = []
    for number, request in enumerate(requests):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(loop.create_task(send(request, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    return Paced(latencies, failures, elapsed)


async def _tab(url: str, token: str, active: bool, stop_at: float, reruns: list[int]) -> None:
    """One logged-in tab over Streamlit's websocket: idle (its session check every few seconds)
    or active (a full rerun as soon as the last one finished)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    ask = BackMsg()
    ask.rerun_script.query_string = ""
    rerun = ask.SerializeToString()
    async with connect(
        f"{url.replace('http', 'ws')}/_stcore/stream",
        subprotocols=["streamlit"],  # type: ignore[list-item]
        additional_headers={"Cookie": f"{SESSION_COOKIE}={token}"},
        max_size=None,
        open_timeout=60,
    ) as stream:
        await stream.send(rerun)
        while time.monotonic() < stop_at:
            try:
                data = await asyncio.wait_for(
                    stream.recv(), timeout=max(stop_at - time.monotonic(), 0.1)
                )
            except TimeoutError:
                break
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.HasField("script_finished"):
                reruns[0] += 1
                if active:
                    await stream.send(rerun)


def _keep_dashboard_busy(url: str, token: str, seconds: float, done: Any) -> None:
    """The load process: every tab until ``seconds`` have passed; sends back the reruns done.

    The tabs stand in for browsers on other machines, so they take the processor only when the
    servers leave it."""
    os.nice(10)

    async def tabs() -> int:
        reruns = [0]
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *(_tab(url, token, False, stop_at, reruns) for _ in range(IDLE_TABS)),
            *(_tab(url, token, True, stop_at, reruns) for _ in range(ACTIVE_TABS)),
        )
        return reruns[0]

    done.put(uvloop.run(tabs()))


def measure(command: Any, kind: str, seconds: int) -> dict[str, float]:
    with fresh_store(kind) as store:
        channel_id = prepare_channel(store)
        in_store(store, OUR_SENT_MESSAGES)
        token = in_store(store, LOGGED_IN_TOKEN)
        server = start_server(store, command=command)
        try:
            context = multiprocessing.get_context("spawn")
            done = context.Queue()
            busy_seconds = WARM_UP_SECONDS + seconds + 2
            load = context.Process(
                target=_keep_dashboard_busy, args=(server.url, token, busy_seconds, done)
            )
            load.start()
            time.sleep(WARM_UP_SECONDS)  # every tab connected and running
            paced = uvloop.run(
                paced_webhooks(f"{server.url}/webhooks/360dialog/{channel_id}", RATE, seconds)
            )
            reruns = done.get(timeout=busy_seconds + 120)
            load.join(30)
        finally:
            stop_server(server)
    return {**paced.figures(), "reruns_per_s": round(reruns / busy_seconds, 1)}


def main(argv: list[str]) -> None:
    seconds = int(argv[0]) if argv else LOAD_SECONDS
    kind = argv[1] if len(argv) > 1 else "sqlite"
    single = measure(single_process_command, kind, seconds)
    front = measure(serve_command, kind, seconds)
    figures: dict[str, Any] = {f"single_{key}": value for key, value in single.items()}
    figures |= {f"front_{key}": value for key, value in front.items()}
    figures["front_to_single_p50"] = round(front["p50_ms"] / single["p50_ms"], 3)
    figures["front_to_single_p99"] = round(front["p99_ms"] / single["p99_ms"], 3)
    figures["front_meets_target"] = (
        front["p50_ms"] <= TARGET_P50_MS and front["p99_ms"] <= TARGET_P99_MS
    )
    record(f"front_{kind}", figures)


if __name__ == "__main__":
    main(sys.argv[1:])
