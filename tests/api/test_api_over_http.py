"""The HTTP API driven over real HTTP against ``python -m core serve`` with tokens made by the CLI:
every endpoint, its refusals, idempotent sends, cursors, and the OpenAPI document.

The server runs without its worker (``RUN_WORKERS=0``): the API only queues, and what it queued
is read back as it was left.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from sqlmodel import Session, col, func, select

from core.access.auth import CLI_ACTOR
from core.api.schema import ENDPOINTS, PREFIX
from core.api.tokens import revoke_token
from core.db import session_scope
from core.models import ApiToken, AuditEntry, Message, Role
from core.templates.library import TemplateFilter, list_templates
from core.templates.submission import submit_template
from core.templates.workspace import add_to_workspace, workspace_prefill
from core.webhooks import processor
from tests.live import CUSTOMER, LiveChannel, free_port
from tests.process_helpers import (
    PROJECT_DIR,
    Server,
    environment,
    spawn_server,
    wait_until_serving,
)
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.sandbox(review_delay=0.05),
]

WELCOME = {
    "name": "bienvenida_api",
    "category": "UTILITY",
    "language": "es",
    "components": [
        {
            "type": "BODY",
            "text": "Hola {{1}}, tu pedido {{2}} está en camino.",
            "example": {"body_text": [["Ana", "A-17"]]},
        }
    ],
}


@pytest.fixture
def setup(engine, team, live: LiveChannel) -> dict[str, int]:
    """A customer who wrote (the window is open) and an approved template in the workspace."""
    control, channel_id = live
    control.customer_writes(text="Hola, ¿mi pedido?")
    with session_scope(engine) as session:
        submit_template(session, team[Role.MARKETER], channel_id, WELCOME)
    control.idle()
    processor.process_pending(engine)
    with session_scope(engine) as session:
        remote = list_templates(session, team[Role.MARKETER], TemplateFilter()).items[0]
        assert remote.status == "APPROVED"
        workspace = add_to_workspace(
            session, team[Role.MARKETER], channel_id, **workspace_prefill(remote)
        )
    return {"channel_id": channel_id, "workspace_template_id": workspace.id}


@pytest.fixture
def server(app_settings, processes) -> Server:
    started = spawn_server(
        app_settings, log=app_settings.data_dir.parent / "serve.log", RUN_WORKERS="0"
    )
    processes.append(started.process)
    wait_until_serving(started)
    return started


def make_token(cli, scopes: str) -> tuple[int, str]:
    made = cli("tokens", "add", "--name", f"crm-{scopes}", "--scopes", scopes, "--json")
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    return answer["id"], answer["token"]


def client(server: Server, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url + PREFIX, headers=headers, timeout=30)


def test_every_endpoint_over_http_with_a_token(engine, run_cli, setup, server, live) -> None:
    _, token = make_token(run_cli, "send,read,templates")
    api = client(server, token)
    channel_id = setup["channel_id"]

    # sends: a text inside the window, once per Idempotency-Key; a template with its values
    text = {"channel_id": channel_id, "to": f"+{CUSTOMER}", "text": "Sale hoy."}
    sent = api.post("/messages", json=text, headers={"Idempotency-Key": "order-17"})
    assert sent.status_code == 202 and sent.json()["status"] == "queued"
    again = api.post("/messages", json=text, headers={"Idempotency-Key": "order-17"})
    assert again.status_code == 202 and again.json()["id"] == sent.json()["id"]
    template = {
        "channel_id": channel_id,
        "to": "+34 611 000 999",
        "template": {"name": "bienvenida_api", "language": "es", "body": ["Ana", "A-18"]},
    }
    queued = api.post("/messages", json=template)
    assert queued.status_code == 202
    with Session(engine) as session:
        outbound = session.exec(
            select(func.count()).select_from(Message).where(Message.direction == "out")
        ).one()
        assert outbound == 2
        senders = set(session.exec(select(AuditEntry.actor).where(AuditEntry.action.like("%send"))))
        assert senders == {"api:crm-send,read,templates"}

    # refusals in words: the window closed for a number that never wrote, a missing value
    closed = api.post("/messages", json=text | {"to": "+34 622 000 111"})
    assert closed.status_code == 422 and closed.json()["error"]["code"] == "window_closed"
    short = api.post(
        "/messages", json=template | {"template": template["template"] | {"body": ["Ana"]}}
    )
    assert short.status_code == 422 and short.json()["error"]["message"]

    # a message's status
    status = api.get(f"/messages/{queued.json()['id']}").json()
    assert status["status"] == "queued" and status["wamid"] is None and status["error"] is None
    assert api.get("/messages/999999").status_code == 404

    # conversations and messages by cursor
    first = api.get("/conversations", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = api.get("/conversations", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert second["items"][0]["id"] < first["items"][0]["id"]
    seen = [item["id"] for page in (first, second) for item in page["items"]]
    thread = next(
        item["id"]
        for page in (first, second)
        for item in page["items"]
        if item["wa_id"] == CUSTOMER
    )
    assert len(set(seen)) == 2
    messages = api.get(f"/conversations/{thread}/messages", params={"limit": 1}).json()
    rest = api.get(
        f"/conversations/{thread}/messages", params={"cursor": messages["next_cursor"]}
    ).json()
    texts = [m["text"] for m in messages["items"] + rest["items"]]
    assert texts == ["Hola, ¿mi pedido?", "Sale hoy."] and rest["next_cursor"] is None
    assert api.get("/conversations", params={"cursor": "nonsense"}).status_code == 400

    # templates with their status
    templates = api.get("/templates").json()["items"]
    assert [(t["name"], t["status"]) for t in templates] == [("bienvenida_api", "APPROVED")]

    # a header file uploaded to 360Dialog (the sandbox) gives its media id
    uploaded = api.post(
        "/media",
        params={"channel_id": channel_id, "filename": "pedido.pdf"},
        content=b"%PDF-1.4 pedido",
        headers={"Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201 and uploaded.json()["type"] == "document"

    # a campaign from a JSON audience
    campaign = api.post(
        "/campaigns",
        json={
            "name": "Pedidos",
            "workspace_template_id": setup["workspace_template_id"],
            "audience": [
                {"number": "+34 611 000 001", "body": ["Ana", "A-1"]},
                {"number": "+34 611 000 002", "body": ["Luis", "A-2"]},
                {"number": "no number", "body": ["X", "Y"]},
            ],
        },
    )
    assert campaign.status_code == 201, campaign.text
    assert campaign.json()["recipients"] == 2
    assert campaign.json()["skipped"] == {"invalid_number": 1}

    # webhooks: subscribe (the secret once), list, read, delete
    made = api.post(
        "/webhooks", json={"url": "https://crm.example/hook", "events": ["message.received"]}
    )
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    hook = made.json()["id"]
    assert [h["id"] for h in api.get("/webhooks").json()["items"]] == [hook]
    assert "secret" not in api.get(f"/webhooks/{hook}").json()
    assert (
        api.post("/webhooks", json={"url": "ftp://x", "events": ["message.received"]}).status_code
        == 422
    )
    assert api.delete(f"/webhooks/{hook}").status_code == 200
    assert api.get(f"/webhooks/{hook}").status_code == 404


def test_tokens_scopes_and_revocation(engine, run_cli, server) -> None:
    reader_id, reader = make_token(run_cli, "read")
    text = {"channel_id": 1, "to": f"+{CUSTOMER}", "text": "hola"}
    assert client(server, None).get("/conversations").status_code == 401
    assert client(server, "wa_wrong").get("/conversations").status_code == 401
    refused = client(server, reader).post("/messages", json=text)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client(server, reader).get("/templates").status_code == 403
    assert client(server, reader).get("/conversations").status_code == 200
    with Session(engine) as session:  # only the hash is stored
        assert (
            session.exec(select(ApiToken).where(col(ApiToken.token_hash) == reader)).first() is None
        )
    with session_scope(engine) as session:
        revoke_token(session, CLI_ACTOR, reader_id)
    wait_until(
        lambda: client(server, reader).get("/conversations").status_code == 401,
        message="a revoked token refused",
    )
    listed = json.loads(run_cli("tokens", "list", "--json").stdout)
    assert [(t["id"], t["state"]) for t in listed] == [(reader_id, "revoked")]


def test_the_openapi_document_describes_exactly_the_routes(server) -> None:
    document = httpx.get(f"{server.url}{PREFIX}/openapi.json", timeout=10).json()
    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert described == {(e.method, PREFIX + e.path) for e in ENDPOINTS}
    for endpoint in ENDPOINTS:  # each is served: without a token, 401 rather than 404/405
        path = PREFIX + endpoint.path.replace("{id}", "1")
        answer = httpx.request(endpoint.method, f"{server.url}{path}", timeout=10)
        assert answer.status_code == 401, (endpoint.method, path)


def test_streamlit_run_server_py_alone_serves_the_api_too(
    app_settings, engine, cli, processes
) -> None:
    """The single-process layout (development): the st.App mounts the same routes."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT_DIR,
        env=environment(app_settings, RUN_WORKERS="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    processes.append(process)
    single = Server(f"http://127.0.0.1:{port}", process)
    wait_until_serving(single)
    _, token = make_token(cli, "read")
    assert client(single, token).get("/conversations").json() == {"items": [], "next_cursor": None}
    assert client(single, "wa_wrong").get("/conversations").status_code == 401
