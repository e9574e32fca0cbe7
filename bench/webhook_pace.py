"""Webhook bodies at a steady rate from one asyncio process, every answer timed.

``wrk`` (``bench.load``) finds the most the server can take; this asks what one answer costs at a
given rate, as 360Dialog posts them: a body every ``1/rate`` seconds whether or not the previous
answers came back. Each latency counts from when the body was *due*, not from when it was sent,
so a server that stalls is charged for the bodies waiting behind it (wrk2's correction for
"coordinated omission"); how late this process itself sent them is reported apart, because on a
small machine the load generator competes with the server for the same cores.

Raw HTTP/1.1 over ``asyncio.open_connection`` with keep-alive: a pool of connections opened as
needed, at most ``connections``. An HTTP client library would cost this process several times
more CPU per request than the request costs the server.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.load import INBOUND, OUTBOUND_IDS, STATUS
from bench.server import WEBHOOK_SECRET
from core.channels.registry import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER

STATES = ("sent", "delivered", "read")
ANSWER_TIMEOUT = 30.0  # seconds: a body unanswered by then counts as failed
CUSTOMERS = 5000  # the inbound bodies' senders: +3461100NNNNN, as in bench.load
_INBOUND = json.dumps(INBOUND)
_STATUS = json.dumps(STATUS)


def body(index: int, tag: str) -> bytes:
    """The ``index``-th body of a load: one inbound message in four, else a status of one of our
    sent messages (``bench.load``'s real-format bodies, ids unique per ``tag``)."""
    if index % 4 == 0:
        text = (
            _INBOUND.replace("__T__", tag)
            .replace("__N__", str(index))
            .replace("__C__", f"{index % CUSTOMERS:05d}")
        )
    else:
        text = _STATUS.replace("__O__", str(index % OUTBOUND_IDS)).replace(
            "__S__", STATES[index % 3]
        )
    return text.encode()


def inbound_text_body(wa_id: str, message_id: str, text: str) -> bytes:
    """One inbound text message from ``wa_id`` (the update figure's body)."""
    payload = json.loads(_INBOUND)
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = wa_id
    value["contacts"][0]["profile"]["name"] = f"+{wa_id}"
    value["messages"][0]["id"] = message_id
    value["messages"][0]["text"]["body"] = text
    return json.dumps(payload).encode()


@dataclass(frozen=True)
class PaceResult:
    """What one paced load measured."""

    sent: int
    answered_200: int
    failed: dict[int, int]  # answers other than 200, by status (0: no answer)
    seconds: float
    latencies_ms: list[float]  # from when each body was due
    sent_latencies_ms: list[float]  # from when this process got to send it
    send_lag_ms: list[float]
    client_cpu_ms_per_s: float

    @property
    def per_second(self) -> float:
        return self.answered_200 / self.seconds

    def percentile(self, values: list[float], q: int) -> float:
        if len(values) < 2:
            return values[0] if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    @property
    def p50_ms(self) -> float:
        return self.percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float:
        return self.percentile(self.latencies_ms, 99)

    @property
    def sent_p50_ms(self) -> float:
        return self.percentile(self.sent_latencies_ms, 50)

    @property
    def sent_p99_ms(self) -> float:
        return self.percentile(self.sent_latencies_ms, 99)

    @property
    def lag_p99_ms(self) -> float:
        return self.percentile(self.send_lag_ms, 99)


class Connections:
    """Keep-alive HTTP/1.1 connections to one server: at most ``limit`` requests in flight,
    each on an idle connection or, when none is idle, a new one."""

    def __init__(self, url: str, limit: int) -> None:
        split = urlsplit(url)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80
        self.slots = asyncio.Semaphore(limit)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, payload: bytes, headers: dict[str, str]) -> int:
        """POST and read the answer; the status code (0: no answer within ``ANSWER_TIMEOUT``,
        or the connection failed), so a server that stops answering ends the load too."""
        async with self.slots:
            try:
                return await asyncio.wait_for(self._post(path, payload, headers), ANSWER_TIMEOUT)
            except TimeoutError:
                return 0

    async def _post(self, path: str, payload: bytes, headers: dict[str, str]) -> int:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        if self.idle:
            status = await self._exchange(*self.idle.pop(), request)
            if status:
                return status
            # the server closed this idle connection (its keep-alive timeout) before reading
            # the request: sent again on a new one, as HTTP clients do
        try:
            connection = await asyncio.open_connection(self.host, self.port)
        except OSError:
            return 0
        return await self._exchange(*connection, request)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        """One request on one connection: the answer's status (0: the connection failed, and
        is closed); the connection goes back to the idle ones."""
        try:
            writer.write(request)
            status_line_and_headers = await reader.readuntil(b"\r\n\r\n")
            status = int(status_line_and_headers.split(b" ", 2)[1])
            length = 0
            for line in status_line_and_headers.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            writer.close()
            return 0
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def paced(
    url: str, channel_id: int, rate: float, seconds: float, tag: str, connections: int = 256
) -> PaceResult:
    """``rate`` bodies a second for ``seconds`` to the channel's webhook URL."""
    pool = Connections(url, connections)
    path = WEBHOOK_PATH.format(channel_id=channel_id)
    headers = {"Content-Type": "application/json", WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET}
    loop = asyncio.get_running_loop()
    total = int(rate * seconds)
    latencies: list[float] = []
    sent_latencies: list[float] = []
    lags: list[float] = []
    statuses: list[int] = []

    async def one(index: int, due: float) -> None:
        sent = loop.time()
        lags.append((sent - due) * 1000)
        statuses.append(await pool.post(path, body(index, tag), headers))
        answered = loop.time()
        latencies.append((answered - due) * 1000)
        sent_latencies.append((answered - sent) * 1000)

    cpu_before, started = time.process_time(), loop.time() + 0.05
    pending: set[asyncio.Task[None]] = set()
    index = 0
    while index < total:
        due_now = min(total, int((loop.time() - started) * rate) + 1)
        while index < due_now:
            task = asyncio.create_task(one(index, started + index / rate))
            pending.add(task)
            task.add_done_callback(pending.discard)
            index += 1
        await asyncio.sleep(max(started + index / rate - loop.time(), 0))
    if pending:
        await asyncio.wait(pending)
    elapsed = loop.time() - started
    cpu = time.process_time() - cpu_before
    pool.close()
    return PaceResult(
        sent=total,
        answered_200=statuses.count(200),
        failed=dict(Counter(status for status in statuses if status != 200)),
        seconds=elapsed,
        latencies_ms=latencies,
        sent_latencies_ms=sent_latencies,
        send_lag_ms=lags,
        client_cpu_ms_per_s=cpu * 1000 / elapsed,
    )


async def paced_apart(
    url: str, channel_id: int, rate: float, seconds: float, tag: str
) -> PaceResult:
    """:func:`paced` from a process of its own: the bench's open tabs share this process's event
    loop, and on a 2-core machine their messages would delay the sending and inflate the answer
    times measured (``send_lag_ms`` shows how late bodies still went out)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        sending = pool.submit(_paced_here, url, channel_id, rate, seconds, tag)
        return await asyncio.wrap_future(sending)


def _paced_here(url: str, channel_id: int, rate: float, seconds: float, tag: str) -> PaceResult:
    return asyncio.run(paced(url, channel_id, rate, seconds, tag))
