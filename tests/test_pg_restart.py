"""PostgreSQL restarted in the middle of webhook load: nothing crashes, nothing lost or doubled.

A restart is played without touching the shared server: the product's processes connect with an
``application_name`` of their own, and for a few seconds every backend with that name is
terminated, again and again, as a restart (and then a server that is down) does to them. Webhook
bodies are posted the whole time from several threads. While the store is gone a body must not get
200 (a 5xx makes 360Dialog retry); after it is back, the same server and worker (not restarted)
answer 200 again and every body that got 200 is processed exactly once.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, func, select

from core.channels.registry import WEBHOOK_SECRET_HEADER, webhook_url
from core.models import Message, WebhookEvent
from tests.conftest import POSTGRES_URL
from tests.process_helpers import healthy, inbound_body, spawn, spawn_server, wait_until_serving
from tests.store_helpers import WEBHOOK_SECRET, make_channel
from tests.waiting import wait_until

OUTAGE_SECONDS = 3.0
LOAD_AFTER_RECOVERY = 50
"""Bodies answered after the store came back (each must have got 200) before the load stops."""
SENDERS = 4
RECOVERY_SECONDS = 0.5
"""After the last connection is killed, answers must be 200 again within this."""


def _with_application_name(database_url: str, name: str) -> str:
    """The same URL (schema option kept), its connections named ``name`` in pg_stat_activity."""
    url = make_url(database_url).update_query_dict({"application_name": name})
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_store_restart_under_load(engine, app_settings, processes) -> None:
    channel = make_channel(engine)
    name = f"pgrestart_{uuid.uuid4().hex[:12]}"
    product_url = _with_application_name(app_settings.database_url, name)
    started = spawn_server(app_settings, DATABASE_URL=product_url, RUN_WORKERS="0")
    server = started.url
    processes.append(started.process)
    processes.append(spawn(app_settings, "worker", DATABASE_URL=product_url))
    url = webhook_url(server, channel.id)
    headers = {WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET}
    wait_until_serving(started, timeout=30)

    def post(client: httpx.Client, index: int) -> int | str:
        body = json.dumps(inbound_body(index))
        try:
            return client.post(url, content=body, headers=headers).status_code
        except httpx.HTTPError as exc:  # a hang or a dead server: recorded, then asserted on
            return type(exc).__name__

    def stored_in() -> list[str]:
        with Session(engine) as session:
            return list(
                session.exec(select(Message.wa_message_id).where(Message.direction == "in"))
            )

    # both processes hold pooled, live connections before the store goes away
    with httpx.Client(timeout=15) as client:
        assert post(client, 0) == 200
    wait_until(
        lambda: stored_in() == ["wamid.scale.0"], timeout=15, message="the first body stored"
    )

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    answers: dict[int, int | str] = {0: 200}
    started_at: dict[int, float] = {0: 0.0}
    stop = threading.Event()
    numbers = itertools.count(1)
    lock = threading.Lock()

    def sender() -> None:
        with httpx.Client(timeout=15) as client:
            while not stop.is_set():
                with lock:
                    index = next(numbers)
                    started_at[index] = time.monotonic()
                answer = post(client, index)
                with lock:
                    answers[index] = answer
                # the load's pace, not a wait: the senders only stop when told to
                time.sleep(0.01)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    try:
        with admin.connect() as connection:
            named = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar_one()
            assert named >= 2, "the product's connections are not named as the test expects"
            for thread in threads:
                thread.start()
            wait_until(lambda: len(answers) > SENDERS, message="the load flowing before the outage")
            terminated = 0
            outage_end = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < outage_end:
                terminated += sum(
                    connection.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name = :name AND pid <> pg_backend_pid()"
                        ),
                        {"name": name},
                    ).scalars()
                )
                # the outage itself: connections killed again and again until it ends
                time.sleep(0.01)

        def answered_after_recovery() -> bool:
            with lock:
                late = [i for i in answers if started_at[i] > outage_end + RECOVERY_SECONDS]
            return len(late) >= LOAD_AFTER_RECOVERY

        wait_until(
            answered_after_recovery, timeout=30, message="the load after the store came back"
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        admin.dispose()
    assert not any(thread.is_alive() for thread in threads), "a webhook request hung"

    # the fault really happened, and was answered as a fault (no hang, no crash, no 4xx)
    assert terminated > 0
    refused = {index: answer for index, answer in answers.items() if answer != 200}
    assert all(isinstance(answer, int) and answer >= 500 for answer in refused.values()), refused
    assert refused, "no request failed while every connection was being killed"
    late = [index for index in refused if started_at[index] > outage_end + RECOVERY_SECONDS]
    assert late == [], "still refusing after the store came back"
    assert all(process.poll() is None for process in processes), "a process died"

    # as 360Dialog does: what was refused is sent again, to the same server (not restarted)
    accepted = {index for index, answer in answers.items() if answer == 200}
    with httpx.Client(timeout=15) as client:
        assert [index for index in sorted(refused) if post(client, index) != 200] == []
    assert healthy(server)
    expected = sorted(f"wamid.scale.{index}" for index in answers)

    def all_processed() -> bool:
        with Session(engine) as session:
            pending = session.exec(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.state == "pending")
            ).one()
        return pending == 0 and len(stored_in()) >= len(expected)

    wait_until(all_processed, timeout=60, message="every accepted body processed", interval=0.2)
    stored = stored_in()
    assert sorted(stored) == expected  # none lost, none doubled
    assert {f"wamid.scale.{index}" for index in accepted} <= set(stored)
    with Session(engine) as session:
        failed = session.exec(
            select(WebhookEvent.id, WebhookEvent.problems).where(WebhookEvent.state != "processed")
        ).all()
        retried = session.exec(
            select(WebhookEvent.id).where(WebhookEvent.attempts != 1)  # a lost connection is
        ).all()  # not the body's fault: it never counts towards setting the body aside
    assert failed == []
    assert retried == []
    assert all(process.poll() is None for process in processes)
