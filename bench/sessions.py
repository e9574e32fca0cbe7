"""``sessions``: what open dashboard tabs cost the server, and what they cost webhooks and updates.

``python -m bench.sessions [--idle 100] [--active 20] [--seconds 30] [--rate 1000]
[--samples 20] [--store sqlite|postgresql]`` starts the real server on a fresh store (agents, a
channel, conversations with messages) and opens tabs with ``bench.st_client`` (Streamlit's own
websocket protocol, no browser: the figures are the server's alone). It talks only to the
server's public URL and counts the CPU of every process the server started.

Figures (``bench/results.json`` under ``sessions``):

- ``idle_cpu_ms_per_s``: per idle tab (logged in, conversations page, a conversation open), the
  server's CPU ms per second: (with N tabs - with none) / N. Target: at most 5.
- ``webhook_p50_ms`` / ``webhook_p99_ms``: webhooks at ``--rate`` a second, with N idle and M
  active tabs (active: every couple of seconds another conversation, or a reply), each timed from
  when its body was due (``bench.webhook_pace``). Targets: 25 and 250. The same load with no tab
  open, in the same run, gives the ``*_ratio_to_no_tabs`` figures.
- ``active_open_p95_s`` / ``active_reply_p95_s``: during that load, how long an active tab
  waited to see a conversation it opened, or its own reply in the thread;
  ``active_failed_actions``: those not seen within 10 s (the reasons are printed).
- ``update_p95_s``: an inbound message posted for the conversation an idle tab has open, until a
  delta with its text reaches that tab. Target: 2 s.

The bench process (tabs and load generator, one asyncio loop) shares the machine with the
server; its own CPU is printed and recorded as ``bench_process_cpu_ms_per_s``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx

from bench.dashboards import (
    Prepared,
    open_conversation_ids,
    open_row,
    open_tab,
    open_thread_id,
    prepare,
    reply,
)
from bench.process_cpu import tree_cpu_seconds
from bench.results import record
from bench.server import (
    WEBHOOK_SECRET,
    Server,
    fresh_store,
    serve_command,
    single_process_command,
    start_server,
    stop_server,
)
from bench.st_client import SessionLost, StreamlitClient
from bench.webhook_pace import PaceResult, inbound_text_body, paced_apart
from core.channels.registry import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER

LAYOUTS = {"front": serve_command, "single": single_process_command}
"""How the server runs: ``python -m core serve`` (the product's way), or ``streamlit run server.py``
alone, where the same tabs share one interpreter with the webhook intake (the comparison)."""
TABS_PER_USER = 10  # an agent with several tabs open, as people keep them
LOGINS_AT_ONCE = 4
TAB_PATIENCE_SECONDS = 180.0
ACTION_EVERY_SECONDS = 2.0
ACTION_PATIENCE_SECONDS = 10.0
SETTLE_SECONDS = 5.0
UPDATE_TIMEOUT_SECONDS = 30.0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class CpuMeter:
    """The server's CPU ms per second over a window, and the bench process's own."""

    def __init__(self, server: Server) -> None:
        self.pid = server.process.pid

    async def over(self, seconds: float) -> tuple[float, float]:
        """(server ms/s, bench process ms/s) over ``seconds`` of waiting."""
        server_before, own_before = tree_cpu_seconds(self.pid), time.process_time()
        started = time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        server = (tree_cpu_seconds(self.pid) - server_before) * 1000 / elapsed
        return server, (time.process_time() - own_before) * 1000 / elapsed

    async def during(self, work: Awaitable[PaceResult]) -> tuple[PaceResult, float]:
        """``work``'s result and the server's CPU ms/s while it ran."""
        before, started = tree_cpu_seconds(self.pid), time.monotonic()
        result = await work
        return result, (tree_cpu_seconds(self.pid) - before) * 1000 / (time.monotonic() - started)

    async def settle(self, quiet_ms_per_s: float, longest: float = 120) -> None:
        """Until the server is back to ``quiet_ms_per_s`` (the webhooks it took are processed)."""
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline:
            server, _ = await self.over(1.0)
            if server <= quiet_ms_per_s:
                return
        say(f"  (the server was still busy after {longest:g} s; measuring anyway)")


async def open_tabs(
    url: str, prepared: Prepared, count: int, first: int
) -> list[tuple[StreamlitClient, int]]:
    """Up to ``count`` logged-in tabs, tab k on the k-th listed conversation; a few logins at a
    time (each checks a bcrypt hash and waits the login delay, as for a person).

    A tab the server did not open within ``TAB_PATIENCE_SECONDS`` at some step is said and left
    out, and after ``LOGINS_AT_ONCE`` such tabs in a row no more are tried: a server too busy
    to let people log in is a finding (the figures say how many tabs it took), not a reason to
    stop measuring."""
    gate = asyncio.Semaphore(LOGINS_AT_ONCE)
    opened: list[tuple[StreamlitClient, int]] = []
    refused_in_a_row = 0

    async def one(k: int) -> None:
        nonlocal refused_in_a_row
        async with gate:
            if refused_in_a_row >= LOGINS_AT_ONCE:
                return
            username = prepared.usernames[(k // TABS_PER_USER) % len(prepared.usernames)]
            try:
                opened.append(await open_tab(url, username, row=k, patience=TAB_PATIENCE_SECONDS))
            except SessionLost as lost:
                refused_in_a_row += 1
                say(f"  tab {k} not opened: {str(lost)[:160]}")
                if refused_in_a_row == LOGINS_AT_ONCE:
                    say(f"  {refused_in_a_row} tabs in a row not opened: no more are tried")
                return
            refused_in_a_row = 0
        if len(opened) % 10 == 0:
            say(f"  {len(opened)}/{count} tabs open")

    await asyncio.gather(*(one(first + k) for k in range(count)))
    return opened


@dataclass
class AgentLog:
    """What the active tabs did: seconds each action took, and why the others failed."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: {"open": [], "reply": []})
    failures: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        times = "; ".join(
            f"{action} p50 {statistics.median(took):.2f} s, p95 {p95(took):.2f} s ({len(took)})"
            for action, took in self.seconds.items()
            if took
        )
        failed = ", ".join(f"{reason}: {n}" for reason, n in self.failures.most_common())
        return f"{times}; failed: {sum(self.failures.values())}{f' ({failed})' if failed else ''}"

    def p95_figure(self, action: str) -> float | str:
        """The action's p95 for the results file (none seen: said so)."""
        return seconds_or_never(p95(self.seconds[action] or [math.inf]), ACTION_PATIENCE_SECONDS)


async def be_active(client: StreamlitClient, stop: asyncio.Event, log: AgentLog) -> None:
    """An agent at work: every couple of seconds, open another conversation or reply in the
    one open on screen, each seen through within ``ACTION_PATIENCE_SECONDS`` (the opened
    conversation's composer, the reply's text in the thread) or counted as failed, with its
    reason. A late action is not held against the next one: it replies where the screen is."""
    step = 0
    await asyncio.sleep(random.uniform(0, ACTION_EVERY_SECONDS))
    while not stop.is_set():
        step += 1
        action = "open" if step % 2 else "reply"
        started = time.monotonic()
        try:
            if action == "open":
                listed = open_conversation_ids(client)
                await asyncio.wait_for(
                    open_row(client, random.randrange(max(len(listed), 1))),
                    ACTION_PATIENCE_SECONDS,
                )
            else:
                text = f"respuesta {step} del agente {uuid.uuid4().hex[:6]}"
                shown = client.watch_text(text)
                await reply(client, open_thread_id(client) or 0, text)
                await asyncio.wait_for(shown, ACTION_PATIENCE_SECONDS)
            log.seconds[action].append(time.monotonic() - started)
        except TimeoutError:
            log.failures[f"{action}: not seen within {ACTION_PATIENCE_SECONDS:g} s"] += 1
        except SessionLost as lost:
            log.failures[f"{action}: {str(lost).split(':')[0]}"] += 1
        with contextlib.suppress(TimeoutError):  # the pause between two actions
            await asyncio.wait_for(stop.wait(), ACTION_EVERY_SECONDS)


async def update_delays(
    url: str, channel_id: int, tabs: list[tuple[StreamlitClient, int]], prepared: Prepared, n: int
) -> list[float]:
    """Seconds from posting an inbound message for a tab's open conversation to the delta with
    its text reaching that tab; ``n`` samples a second apart, over the tabs in turn."""
    run = uuid.uuid4().hex[:8]
    path = WEBHOOK_PATH.format(channel_id=channel_id)
    headers = {"Content-Type": "application/json", WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET}

    async def sample(k: int, http: httpx.AsyncClient) -> float:
        await asyncio.sleep(k)
        client, conversation_id = tabs[k % len(tabs)]
        text = f"novedad {k} {run}"
        seen = client.watch_text(text)
        body = inbound_text_body(prepared.customers[conversation_id], f"wamid.upd.{run}.{k}", text)
        posted = time.monotonic()
        try:
            answer = await http.post(path, content=body, headers=headers)
            answer.raise_for_status()
            return await asyncio.wait_for(seen, UPDATE_TIMEOUT_SECONDS) - posted
        except (httpx.HTTPError, TimeoutError, SessionLost) as failure:
            say(f"  update {k} not seen: {failure!r}"[:200])
            return math.inf  # counted apart, and above any percentile it reaches

    async with httpx.AsyncClient(base_url=url, timeout=UPDATE_TIMEOUT_SECONDS) as http:
        delays = list(await asyncio.gather(*(sample(k, http) for k in range(n))))
    say("  each sample, in order: " + " ".join(f"{delay:.2f}" for delay in delays))
    return delays


def seconds_or_never(value: float, within: float = UPDATE_TIMEOUT_SECONDS) -> float | str:
    """A delay for the results file, which is plain JSON (no ``Infinity``)."""
    return round(value, 2) if math.isfinite(value) else f"not seen in {within:g} s"


def p95(values: list[float]) -> float:
    """The 95th percentile; ``inf`` when it falls among samples never seen."""
    ordered = sorted(values)
    return ordered[min(math.ceil(0.95 * len(ordered)) - 1, len(ordered) - 1)]


async def measure(
    server: Server, prepared: Prepared, args: argparse.Namespace
) -> dict[str, float | str]:
    """Every phase in turn, on one server: baseline, load alone, idle tabs, updates, load with
    idle and active tabs."""
    meter = CpuMeter(server)
    await asyncio.sleep(SETTLE_SECONDS)  # the server's start-up work is not an idle cost
    say(f"baseline: no tab, {args.seconds:g} s")
    baseline, own = await meter.over(args.seconds)
    say(f"  server {baseline:.1f} ms CPU/s; bench process {own:.1f} ms/s")
    say(f"webhooks at {args.rate:g}/s for {args.seconds:g} s, no tab open")
    alone, alone_cpu = await meter.during(
        paced_apart(server.url, prepared.channel_id, args.rate, args.seconds, "alone")
    )
    describe_load(alone, alone_cpu)
    await meter.settle(max(baseline * 2, baseline + 20))
    figures: dict[str, float | str] = {"baseline_server_cpu_ms_per_s": round(baseline, 1)}
    idle = await idle_phase(server, prepared, args, meter, baseline, figures)
    delays = await update_delays(server.url, prepared.channel_id, idle, prepared, args.samples)
    figures["update_p95_s"] = seconds_or_never(p95(delays))
    figures["update_p50_s"] = seconds_or_never(statistics.median(delays))
    figures["update_not_seen"] = sum(1 for delay in delays if delay == math.inf)
    say(
        f"update: {args.samples} inbound messages for conversations open in idle tabs:"
        f" p50 {figures['update_p50_s']} s, p95 {figures['update_p95_s']} s"
    )
    active = await busy_phase(server, prepared, args, meter, alone, figures)
    await close_all(idle + active)
    return figures


async def idle_phase(
    server: Server,
    prepared: Prepared,
    args: argparse.Namespace,
    meter: CpuMeter,
    baseline: float,
    figures: dict[str, float | str],
) -> list[tuple[StreamlitClient, int]]:
    """``--idle`` tabs open and left alone: the server's CPU per tab over the baseline, and how
    many runs a second each tab got (its fragments ask for about 1.3: two every 2 s, one every
    3 s; fewer means the server could not keep up)."""
    say(f"opening {args.idle} idle tabs")
    started = time.monotonic()
    idle = await open_tabs(server.url, prepared, args.idle, first=0)
    if not idle:
        raise SystemExit("no tab could be opened")
    say(
        f"  {len(idle)} logged in, a conversation open in each,"
        f" in {time.monotonic() - started:.0f} s"
    )
    await asyncio.sleep(SETTLE_SECONDS)  # the tabs' first runs are not an idle cost
    runs_before = sum(client.runs_finished for client, _ in idle)
    say(f"idle: {len(idle)} tabs, {args.seconds:g} s")
    with_idle, own = await meter.over(args.seconds)
    runs = (sum(client.runs_finished for client, _ in idle) - runs_before) / args.seconds
    per_tab = (with_idle - baseline) / len(idle)
    say(
        f"  server {with_idle:.1f} ms CPU/s = {with_idle / max(baseline, 0.1):.1f}x the baseline;"
        f" {per_tab:.2f} ms/s per tab; {runs / len(idle):.2f} runs/s per tab;"
        f" bench process {own:.1f} ms/s"
    )
    figures.update(
        idle_cpu_ms_per_s=round(per_tab, 2),
        idle_server_cpu_ms_per_s=round(with_idle, 1),
        idle_ratio_to_baseline=round(with_idle / max(baseline, 0.1), 1),
        idle_runs_per_s_per_tab=round(runs / len(idle), 2),
        idle_tabs=len(idle),
        idle_tabs_asked=args.idle,
        idle_bench_process_cpu_ms_per_s=round(own, 1),
    )
    return idle


async def busy_phase(
    server: Server,
    prepared: Prepared,
    args: argparse.Namespace,
    meter: CpuMeter,
    alone: PaceResult,
    figures: dict[str, float | str],
) -> list[tuple[StreamlitClient, int]]:
    """``--active`` more tabs at work while the webhooks come at ``--rate``, the idle tabs still
    open: latencies, and their ratio to the same load with no tab (``alone``)."""
    say(f"opening {args.active} active tabs")
    active = await open_tabs(server.url, prepared, args.active, first=args.idle)
    stop, log = asyncio.Event(), AgentLog()
    agents = [asyncio.create_task(be_active(client, stop, log)) for client, _ in active]
    say(
        f"webhooks at {args.rate:g}/s for {args.seconds:g} s,"
        f" {figures['idle_tabs']:g} idle + {len(active)} active tabs"
    )
    busy, busy_cpu = await meter.during(
        paced_apart(server.url, prepared.channel_id, args.rate, args.seconds, "tabs")
    )
    stop.set()
    await asyncio.gather(*agents)
    describe_load(busy, busy_cpu)
    say(f"  active tabs: {log.describe()}")
    figures.update(
        webhook_p50_ms=round(busy.p50_ms, 1),
        webhook_p99_ms=round(busy.p99_ms, 1),
        webhook_per_s=round(busy.per_second, 1),
        webhook_failed=sum(busy.failed.values()),
        webhook_no_tabs_p50_ms=round(alone.p50_ms, 1),
        webhook_no_tabs_p99_ms=round(alone.p99_ms, 1),
        webhook_p50_ratio_to_no_tabs=round(busy.p50_ms / alone.p50_ms, 1),
        webhook_p99_ratio_to_no_tabs=round(busy.p99_ms / alone.p99_ms, 1),
        webhook_server_cpu_ms_per_s=round(busy_cpu, 1),
        webhook_from_sent_p50_ms=round(busy.sent_p50_ms, 1),
        webhook_from_sent_p99_ms=round(busy.sent_p99_ms, 1),
        send_lag_p99_ms=round(busy.lag_p99_ms, 1),
        bench_process_cpu_ms_per_s=round(busy.client_cpu_ms_per_s, 1),
        active_failed_actions=sum(log.failures.values()),
        active_open_p95_s=log.p95_figure("open"),
        active_reply_p95_s=log.p95_figure("reply"),
        active_tabs=len(active),
        active_tabs_asked=args.active,
    )
    return active


def describe_load(result: PaceResult, server_cpu: float) -> None:
    say(
        f"  {result.answered_200:,}/{result.sent:,} answered 200 ({result.per_second:,.0f}/s)"
        f"{f', others by status: {result.failed}' if result.failed else ''};"
        f" p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms from when due"
        f" (from when sent: {result.sent_p50_ms:.1f}, {result.sent_p99_ms:.1f});"
        f" server {server_cpu:.0f} ms CPU/s; bench process {result.client_cpu_ms_per_s:.0f} ms"
        f" CPU/s, sent late by {result.lag_p99_ms:.1f} ms (p99)"
    )


async def close_all(tabs: list[tuple[StreamlitClient, int]]) -> None:
    await asyncio.gather(*(client.close() for client, _ in tabs), return_exceptions=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sessions", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--idle", type=int, default=100, help="idle tabs (default 100)")
    parser.add_argument("--active", type=int, default=20, help="active tabs (default 20)")
    parser.add_argument("--seconds", type=float, default=30, help="each measuring window")
    parser.add_argument("--rate", type=float, default=1000, help="webhook bodies per second")
    parser.add_argument("--samples", type=int, default=20, help="update samples")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--layout",
        choices=sorted(LAYOUTS),
        default="front",
        help="front: python -m core serve (webhooks in the front process, the default); single: "
        "streamlit run server.py alone, webhooks and dashboard in one process (to compare)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    args = parse(argv)
    users = max(1, math.ceil((args.idle + args.active) / TABS_PER_USER))
    with fresh_store(args.store) as store:
        say(f"preparing a {args.store} store: {users} agents, conversations with messages")
        prepared = prepare(store, users)
        server = start_server(store, command=LAYOUTS[args.layout])
        try:
            figures = asyncio.run(measure(server, prepared, args))
        finally:
            stop_server(server)
    figures["seconds"] = args.seconds
    record("sessions" if args.layout == "front" else f"sessions:{args.layout}", figures)


if __name__ == "__main__":
    main(sys.argv[1:])
