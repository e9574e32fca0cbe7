"""Several processes on one store share the work: nothing done twice, nothing lost.

PostgreSQL is the store for this (claims use SKIP LOCKED); the same test also passes on SQLite,
where one writer at a time and the idempotent processing keep it correct, only slower.

Real processes: two ``python -m core worker`` and two servers started with ``RUN_WORKERS=0``
(they only receive webhooks), against the sandbox over HTTP.
"""

from __future__ import annotations

import json

import httpx
from sqlmodel import Session, func, select

from core.access.auth import SYSTEM_ACTOR
from core.channels.connect import WEBHOOK_SECRET_HEADER, connect_channel, webhook_url
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.db import session_scope
from core.models import Channel, Message, OutboundJob, WebhookEvent
from core.outbox.queue import enqueue_text
from tests.live import API_KEY, NUMBER, sandbox
from tests.process_helpers import inbound_body, spawn, spawn_server, wait_until_serving
from tests.waiting import wait_until


def test_two_servers_and_two_workers_share_the_work(engine, app_settings, processes) -> None:
    with sandbox() as control:
        started = [spawn_server(app_settings, RUN_WORKERS="0") for _ in range(2)]
        processes.extend(server.process for server in started)
        wait_until_serving(*started)
        servers = [server.url for server in started]
        with session_scope(engine) as session:
            result = connect_channel(
                session,
                SYSTEM_ACTOR,
                number=NUMBER,
                api_key=API_KEY,
                base_url=control.server.base_url,
                public_url=servers[0],
            )
            channel = session.get(Channel, result.channel.id)
            for index in range(60):
                contact, _ = find_or_create_contact(session, channel, f"3461100{index:04d}")
                conversation = find_or_create_conversation(session, channel, contact)
                enqueue_text(session, channel, conversation, f"aviso {index}")
        headers = {WEBHOOK_SECRET_HEADER: result.webhook_secret}
        bodies = [inbound_body(index) for index in range(200)]
        for index, body in enumerate(bodies):  # a load balancer spreads webhooks over both servers
            url = webhook_url(servers[index % 2], result.channel.id)
            assert httpx.post(url, content=json.dumps(body), headers=headers).status_code == 200
        for _ in range(2):
            processes.append(spawn(app_settings, "worker"))

        def all_done() -> bool:
            with Session(engine) as session:
                pending = session.exec(
                    select(func.count())
                    .select_from(WebhookEvent)
                    .where(WebhookEvent.state == "pending")
                ).one()
                unsent = session.exec(
                    select(func.count()).select_from(OutboundJob).where(OutboundJob.state != "done")
                ).one()
                return pending == 0 and unsent == 0

        wait_until(
            all_done, timeout=90, message="every body processed, every job sent", interval=0.2
        )
        control.idle()
        wait_until(all_done, timeout=30, message="the sandbox's statuses processed", interval=0.2)
        sent = [m["payload"]["text"]["body"] for m in control.sent()]
    assert sorted(sent) == sorted(f"aviso {index}" for index in range(60))
    with Session(engine) as session:
        inbound = session.exec(select(Message.wa_message_id).where(Message.direction == "in")).all()
        assert sorted(inbound) == sorted(f"wamid.scale.{index}" for index in range(200))
        events = session.exec(select(WebhookEvent)).all()
        assert all(
            event.attempts == 1 for event in events if event.body and b"wamid.scale" in event.body
        )
        workers = {event.claimed_by for event in events if event.claimed_by}
    assert len(workers) >= 1
