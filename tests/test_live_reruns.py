"""Open tabs over a real server (``bench.st_client`` speaks Streamlit's websocket protocol): the
process's live watcher (``pages/_widgets/reruns.py``) reruns a tab's page from the server when
what it shows changed or its login ended, and an idle tab costs no traffic at all meanwhile."""

from __future__ import annotations

import time

import pytest

from bench.dashboards import COMPOSER, open_tab, prepare
from bench.server import Store
from core import db
from core.access import sessions
from core.access.session_routes import COOKIE_NAME
from tests.process_helpers import in_this_process, spawn_server, wait_until_serving
from tests.tabs import post_inbound, texts_on
from tests.waiting import wait_until

QUIET_SECONDS = 3.0


@pytest.fixture
def open_tab_on(app_settings, engine, processes, call, tmp_path):  # type: ignore[no-untyped-def]
    """A running server and a logged-in tab on it with a conversation open."""
    store = Store(app_settings.data_dir, app_settings.database_url)
    prepared = prepare(store, users=1, conversations=3, run=in_this_process)
    server = spawn_server(app_settings, log=tmp_path / "server.log")
    processes.append(server.process)
    wait_until_serving(server)
    tab, conversation_id = call(open_tab(server.url, prepared.usernames[0], row=0))
    yield server, prepared, tab, conversation_id
    call(tab.close())


def test_an_idle_tab_gets_nothing_until_a_message_arrives_then_sees_it_and_stays_put(
    open_tab_on, call
) -> None:
    server, prepared, tab, conversation_id = open_tab_on
    call(tab.settled())
    shown, runs, page = tab.bytes_received, tab.runs_finished, tab.page_script_hash
    time.sleep(QUIET_SECONDS)
    assert (tab.bytes_received, tab.runs_finished) == (shown, runs)  # no timer, no run, no byte

    post_inbound(server.url, prepared, conversation_id, "wamid.live.1", "¿Hay stock?")
    wait_until(
        lambda: any("¿Hay stock?" in text for text in call(texts_on(tab))),
        timeout=30,
        message="the customer's message in the open tab, without the tab asking",
    )
    wait_until(lambda: tab.runs_finished > runs, timeout=30, message="the rerun's end")
    assert tab.page_script_hash == page  # still on the same page, the same conversation open
    assert tab.find(key=f"{COMPOSER}{conversation_id}")


def test_a_login_ended_elsewhere_shows_the_login_form_in_the_open_tab(open_tab_on, call) -> None:
    _, _, tab, _ = open_tab_on
    assert not tab.find(label="Password")
    with db.session_scope() as session:  # as the logout button of another tab does
        assert sessions.end_by_token(session, tab.cookies[COOKIE_NAME])
    wait_until(
        lambda: call(password_field_shown(tab)),
        timeout=30,
        message="the login form in the open tab once its login ended elsewhere",
    )


async def password_field_shown(tab) -> bool:  # type: ignore[no-untyped-def]
    return bool(tab.find(kind="text_input", label="Password")) or bool(
        tab.find(kind="text_input", label="Contraseña")
    )
