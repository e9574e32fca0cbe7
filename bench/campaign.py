"""``outbound`` / ``campaign``: a 10,000-recipient campaign through the sandbox at a set pace.

The sandbox runs as its own process (as 360Dialog would be elsewhere); the campaign runner and
the sender run as the server runs them. Figures per configured rate: achieved_ratio (achieved
sends per second / configured), max_1s_window (most sends started in any one second: must not
exceed the rate), duplicates (recipients sent twice, after a restart of the sender halfway),
skipped_opted_out, and whether the report's count matches what the sandbox received.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from bisect import bisect_left

import httpx

from bench.results import record
from bench.server import PROJECT_DIR, free_port, fresh_store

RECIPIENTS = 10_000
OPTED_OUT = 50
API_KEY = "bench-outbound-key"
NUMBER = "+34600999000"

SETUP = """
import pandas as pd
from core.campaigns import audience, runner
from core import crypto
from core.access.auth import SYSTEM_ACTOR
from core.db import migrate, session_scope
from core.conversations.contacts import find_or_create_contact
from core.models import Channel, RemoteTemplate, WorkspaceTemplate
migrate()
with session_scope() as s:
    channel = Channel(name="bench", number="{number}", base_url="{base_url}",
                      api_key_encrypted=crypto.encrypt("{api_key}"), api_key_hint="k",
                      webhook_secret_hash="x", throughput_mps={rate})
    s.add(channel); s.flush()
    remote = RemoteTemplate(channel_id=channel.id, name="promo", language="es", category="MARKETING",
                            status="APPROVED", components=[{{"type": "BODY", "text": "Hola {{{{1}}}}, 20% hoy."}}])
    s.add(remote); s.flush()
    workspace = WorkspaceTemplate(channel_id=channel.id, remote_template_id=remote.id, name="promo",
                                  content="Hola {{{{1}}}}", partner_template_id="1", category="MARKETING", language="es")
    s.add(workspace); s.flush()
    for k in range({opted_out}):
        contact, _ = find_or_create_contact(s, channel, f"3461{{k:07d}}")
        contact.opted_out = True
    people = pd.DataFrame({{"n": [f"+3461{{k:07d}}" for k in range({recipients})],
                              "name": [f"C{{k}}" for k in range({recipients})]}})
    mapping = audience.Mapping(number_column="n", name_column="name", body=[audience.Source(column="name")])
    plan = audience.plan(s, SYSTEM_ACTOR, workspace.id, people, mapping)
    campaign = runner.create(s, SYSTEM_ACTOR, name="bench", workspace_template_id=workspace.id,
                             planned=plan, mapping=mapping)
    runner.start(s, SYSTEM_ACTOR, campaign.id)
    print(campaign.id)
"""

RUN = """
import json, sys, threading, time
from core.campaigns import report, runner
from core.access.auth import SYSTEM_ACTOR
from core.channels.registry import client_for
from core.db import get_engine, session_scope
from core.models import Campaign
from core.outbox.sender import Sender

engine = get_engine()
starts = []
lock = threading.Lock()

def recording_client(channel):
    client = client_for(channel)
    send = client.send_message
    def timed(payload, **kw):
        with lock:
            starts.append(time.monotonic())
        return send(payload, **kw)
    client.send_message = timed
    return client

def run(sender, stop_after=None):
    while True:
        runner.run_due(engine)
        if sender.run_once(limit=400, wait=False) == 0:
            time.sleep(0.05)
        with session_scope(engine) as s:
            if s.get(Campaign, {campaign_id}).state == "done":
                return True
        if stop_after is not None and len(starts) >= stop_after:
            return False

first = Sender(engine, recording_client, worker="first")
run(first, stop_after={half})  # the process stops halfway...
first.close()
second = Sender(engine, recording_client, worker="second")  # ...and another one carries on
run(second)
with session_scope(engine) as s:
    counts = report.counts(s, SYSTEM_ACTOR, {campaign_id})
print(json.dumps({{"starts": starts, "sent": counts.sent, "skipped": counts.skipped}}))
"""


def max_in_window(starts: list[float], window: float = 1.0) -> int:
    starts = sorted(starts)
    return max((bisect_left(starts, t + window) - i for i, t in enumerate(starts)), default=0)


def run(rate: int) -> dict[str, float]:
    port = free_port()
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core",
            "sandbox",
            "--port",
            str(port),
            "--api-key",
            API_KEY,
            "--number",
            NUMBER,
            "--throughput",
            str(rate * 2),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base_url}/sandbox/api/accounts", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        template = {
            "name": "promo",
            "category": "MARKETING",
            "language": "es",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hola {{1}}, 20% hoy.",
                    "example": {"body_text": [["Ana"]]},
                }
            ],
        }
        httpx.post(
            f"{base_url}/v1/configs/templates", json=template, headers={"D360-API-KEY": API_KEY}
        ).raise_for_status()
        httpx.post(
            f"{base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/templates/promo/status",
            json={"status": "APPROVED"},
        ).raise_for_status()
        with fresh_store("sqlite") as store:

            def python(code: str) -> str:
                return subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=PROJECT_DIR,
                    env=store.env(),
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()

            campaign_id = int(
                python(
                    SETUP.format(
                        number=NUMBER,
                        base_url=base_url,
                        api_key=API_KEY,
                        rate=rate,
                        opted_out=OPTED_OUT,
                        recipients=RECIPIENTS,
                    )
                )
            )
            result = json.loads(
                python(RUN.format(campaign_id=campaign_id, half=RECIPIENTS // 2)).splitlines()[-1]
            )
        sent = httpx.get(
            f"{base_url}/sandbox/api/accounts/{NUMBER.lstrip('+')}/sent", timeout=60
        ).json()
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    starts = result["starts"]
    customers = [m["customer"] for m in sent]
    duration = max(starts) - min(starts)
    achieved = (len(starts) - 1) / duration if duration > 0 else 0.0
    return {
        "configured_per_s": rate,
        "achieved_per_s": round(achieved, 1),
        "achieved_ratio": round(achieved / rate, 3),
        "max_1s_window": max_in_window(starts),
        "sent_by_sandbox": len(customers),
        "duplicates": len(customers) - len(set(customers)),
        "report_matches_sandbox": int(result["sent"] == len(set(customers))),
        "skipped_opted_out": result["skipped"].get("opted_out", 0),
    }


def main(argv: list[str]) -> None:
    rates = [int(a) for a in argv] or [80, 1000]
    for rate in rates:
        record(f"outbound_{rate}", run(rate))


if __name__ == "__main__":
    main(sys.argv[1:])
