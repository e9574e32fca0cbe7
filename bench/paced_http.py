"""Raw HTTP requests sent at a fixed pace on kept-alive connections, each timed from when it was
due (``bench.api``): a server that stalls is not hidden by a client that waits before sending."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECTIONS = 256


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
