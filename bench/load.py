"""Load generation with wrk (Debian's package): many connections, real-format webhook bodies."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.server import WEBHOOK_SECRET

OUTBOUND_IDS = 2000
"""Outbound messages the store holds before the load, so status bodies find their message."""

INBOUND = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "8856996819413533",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "15550783881",
                            "phone_number_id": "106540352242922",
                        },
                        "contacts": [
                            {"profile": {"name": "Cliente __C__"}, "wa_id": "3461100__C__"}
                        ],
                        "messages": [
                            {
                                "from": "3461100__C__",
                                "id": "wamid.in.__T__.__N__",
                                "timestamp": "1795558139",
                                "type": "text",
                                "text": {"body": "Hola, ¿tienen stock? pedido __N__"},
                            }
                        ],
                    },
                }
            ],
        }
    ],
}

STATUS = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "8856996819413533",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "15550783881",
                            "phone_number_id": "106540352242922",
                        },
                        "statuses": [
                            {
                                "id": "wamid.out.__O__",
                                "status": "__S__",
                                "timestamp": "1795558140",
                                "recipient_id": "34611000001",
                            }
                        ],
                    },
                }
            ],
        }
    ],
}

LUA = r"""
local counter = 0
local threads = {}
-- thread_id: a global each thread gets from setup() (a local here would hide it, and both
-- threads would then post the same message ids)
local inbound = [==[__INBOUND__]==]
local status = [==[__STATUS__]==]
local states = {"sent", "delivered", "read"}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Webhook-Secret"] = "__SECRET__"
end

function request()
  counter = counter + 1
  local body
  if counter % 4 == 0 then
    body = inbound:gsub("__T__", thread_id):gsub("__N__", counter):gsub("__C__", string.format("%05d", counter % 5000))
  else
    body = status:gsub("__O__", counter % __OUTBOUND__):gsub("__S__", states[(counter % 3) + 1])
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def accepted(self) -> int:
        return self.requests - self.non2xx

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds


def wrk(url: str, seconds: int, connections: int = 64, threads: int = 2) -> LoadResult:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    script = (
        LUA.replace("__INBOUND__", json.dumps(INBOUND))
        .replace("__STATUS__", json.dumps(STATUS))
        .replace("__SECRET__", WEBHOOK_SECRET)
        .replace("__OUTBOUND__", str(OUTBOUND_IDS))
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(handle.name).unlink()
    data = json.loads(output.strip().splitlines()[-1])
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non2xx=data["non2xx"],
        socket_errors=data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


OUR_SENT_MESSAGES = f"""
from core.db import session_scope
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.models import Channel, Message, MessageStatus
with session_scope() as s:
    channel = s.get(Channel, 1)
    contact, _ = find_or_create_contact(s, channel, "34611000001")
    conversation = find_or_create_conversation(s, channel, contact)
    s.add_all(Message(channel_id=channel.id, conversation_id=conversation.id, wa_message_id=f"wamid.out.{{k}}",
                      direction="out", type="text", text="x", status=MessageStatus.SENT) for k in range({OUTBOUND_IDS}))
"""
