"""``python -m core serve`` as real processes: the front on the public port answers webhooks and
``/healthz`` itself and relays the dashboard (pages, Streamlit's websocket) from its child.

Children are found through the server's process group (``spawn`` starts it in a session of its
own, and its children stay in that group).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess

import httpx
import pytest
from sqlmodel import Session, func, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from core.access.session_routes import BINDING_COOKIE_NAME
from core.channels.connect import WEBHOOK_SECRET_HEADER, webhook_url
from core.i18n import t
from core.models import WebhookEvent
from core.webhooks.landing import move_landed
from tests.process_helpers import Server, inbound_body, spawn_server, wait_until_serving
from tests.store_helpers import WEBHOOK_SECRET, make_channel
from tests.waiting import wait_until

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def group_members(group: int) -> dict[int, str]:
    """Process id → command line of every live process in the process group ``group``, as
    ``ps`` lists them (POSIX: the same on any machine the suite runs on)."""
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=,pgid=,stat=,args="], capture_output=True, text=True, check=True
    ).stdout
    members: dict[int, str] = {}
    for line in listing.splitlines():
        pid, pgid, state, *command = line.split(maxsplit=3)
        if int(pgid) == group and not state.startswith("Z"):
            members[int(pid)] = command[0] if command else ""
    return members


def dashboard_pid(server: Server) -> int | None:
    found = [
        pid
        for pid, command in group_members(server.process.pid).items()
        if "streamlit run" in command
    ]
    return found[0] if len(found) == 1 else None


def health(server: Server) -> dict[str, str]:
    return httpx.get(f"{server.url}/healthz", timeout=5).json()


@pytest.fixture
def server(app_settings, processes) -> Server:
    started = spawn_server(app_settings, log=app_settings.data_dir.parent / "serve.log")
    processes.append(started.process)
    wait_until_serving(started)
    return started


def post_webhook(server: Server, channel_id: int, secret: str, index: int) -> httpx.Response:
    return httpx.post(
        webhook_url(server.url, channel_id),
        content=json.dumps(inbound_body(index)),
        headers={WEBHOOK_SECRET_HEADER: secret},
        timeout=10,
    )


def stored_bodies(engine) -> int:
    move_landed(engine)  # on SQLite the bodies landed in a file of their own first
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(WebhookEvent)).one()


def test_a_webhook_is_stored_by_the_front_and_healthz_reports_store_and_dashboard(
    engine, server
) -> None:
    channel_id, secret = make_channel(engine).id, WEBHOOK_SECRET
    assert health(server) == {"status": "ok", "store": "ok", "dashboard": "ok"}
    answer = post_webhook(server, channel_id, secret, 1)
    assert answer.status_code == 200 and answer.json() == {"status": "stored"}
    assert stored_bodies(engine) == 1
    refused = post_webhook(server, channel_id, "wrong-secret", 2)
    assert refused.status_code == 401


def load_page(server: Server) -> httpx.Client:
    """A browser after loading the dashboard: the page, then the health check its script makes
    first (Streamlit sets its XSRF cookie there)."""
    browser = httpx.Client(base_url=server.url, timeout=10)
    page = browser.get("/")
    assert page.status_code == 200 and "<noscript>" in page.text  # Streamlit's page
    assert browser.get("/_stcore/health").status_code == 200
    return browser


def open_streamlit_session(server: Server, browser: httpx.Client, origin: str) -> list[ForwardMsg]:
    """Connect to ``/_stcore/stream`` as Streamlit's page script does, ask for a run, and collect
    what the dashboard sends until the run finishes."""
    xsrf = browser.cookies["_streamlit_xsrf"]
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    received: list[ForwardMsg] = []
    with connect(
        f"{server.url.replace('http', 'ws')}/_stcore/stream",
        subprotocols=["streamlit", xsrf],  # type: ignore[list-item]
        origin=origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": cookies, "Accept-Language": "en"},
        open_timeout=10,
    ) as stream:
        assert stream.subprotocol == "streamlit"
        ask = BackMsg()
        ask.rerun_script.query_string = ""
        stream.send(ask.SerializeToString())
        while not any(message.HasField("script_finished") for message in received):
            message = ForwardMsg()
            message.ParseFromString(stream.recv(timeout=30))
            received.append(message)
    return received


def test_the_dashboard_page_and_a_streamlit_session_go_through_the_front(server) -> None:
    browser = load_page(server)
    assert BINDING_COOKIE_NAME in browser.cookies  # set by the dashboard, passed back by the front
    received = open_streamlit_session(server, browser, origin=server.url)
    assert received[0].HasField("new_session")
    said = b"".join(message.SerializeToString() for message in received)
    assert t("setup.title", "en").encode() in said  # the first run's page, in the tab's language


def test_the_dashboards_origin_check_still_refuses_another_site(server) -> None:
    """Host goes through unchanged, so Streamlit compares the page's Origin with the real host."""
    browser = load_page(server)
    with pytest.raises(InvalidStatus) as refused:
        open_streamlit_session(server, browser, origin="http://evil.example")
    assert refused.value.response.status_code == 403


def test_a_killed_dashboard_is_restarted_and_webhooks_are_answered_meanwhile(
    engine, server
) -> None:
    channel_id, secret = make_channel(engine).id, WEBHOOK_SECRET
    first = dashboard_pid(server)
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: health(server)["dashboard"] != "ok", message="the front noticing")
    down = httpx.get(server.url, headers={"Accept-Language": "es"}, timeout=10)
    if down.status_code == 502:  # unless the new dashboard was quicker than this request
        assert down.text == t("front.dashboard_unavailable", "es")
    answers = [post_webhook(server, channel_id, secret, index).status_code for index in range(20)]
    assert answers == [200] * 20
    wait_until_serving(server)
    assert dashboard_pid(server) not in (None, first)
    assert httpx.get(server.url, timeout=10).status_code == 200
    assert stored_bodies(engine) == 20


@pytest.mark.parametrize("stopped_by", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_serve_leaves_no_process_behind(server, stopped_by) -> None:
    """SIGTERM: the front stops its children. SIGKILL: they notice it is gone and end."""
    group = server.process.pid
    commands = " ".join(group_members(group).values())
    assert "streamlit run" in commands and "core worker" in commands
    os.kill(server.process.pid, stopped_by)
    server.process.wait(30)
    wait_until(lambda: not group_members(group), timeout=30, message="every child ending")
