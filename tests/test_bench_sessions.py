"""The sessions benchmark's instrument works against the real server: a headless tab
(``bench.st_client``, Streamlit's websocket protocol) logs in through the login form and the
``/auth/session`` cookie, opens the conversations page and a conversation, replies, and sees a
message a customer sends by webhook appear. Functional only: the figures are ``make bench``'s.
"""

from __future__ import annotations

from bench.dashboards import OPEN_BUTTON, open_tab, prepare, reply
from bench.server import Store
from tests.process_helpers import spawn_server, wait_until_serving
from tests.tabs import post_inbound, texts_on
from tests.waiting import wait_until


def test_a_tab_logs_in_opens_a_conversation_replies_and_sees_a_new_message(
    app_settings, processes, call, tmp_path
) -> None:
    store = Store(app_settings.data_dir, app_settings.database_url)
    prepared = prepare(store, users=1, conversations=3)
    server = spawn_server(app_settings, log=tmp_path / "server.log")
    processes.append(server.process)
    wait_until_serving(server)

    tab, conversation_id = call(open_tab(server.url, prepared.usernames[0], row=0))
    assert tab.cookies.get("whatsapp_1980tic_session")  # the HttpOnly login cookie was kept
    assert tab.find(key=f"{OPEN_BUTTON}{conversation_id}")
    assert conversation_id == min(prepared.customers)  # the latest message is listed first

    call(reply(tab, conversation_id, "Le respondemos enseguida"))
    wait_until(
        lambda: any("Le respondemos enseguida" in text for text in call(texts_on(tab))),
        timeout=30,
        message="the agent's reply in the open thread",
    )

    post_inbound(
        server.url, prepared, conversation_id, "wamid.test.bench.1", "¿Llega hoy mi pedido?"
    )
    wait_until(
        lambda: any("¿Llega hoy mi pedido?" in text for text in call(texts_on(tab))),
        timeout=30,
        message="the customer's new message in the open tab",
    )
    call(tab.close())
